"""Tasks x contenders: mean over folds, failed cells at the task's worst, skipped = n/a, axes."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from bench.analysis.tasks import (DEFAULT_CONTENDER, contender_label, default_reference,
                                  find_contender, parse_contender, task_matrix)
from bench.core.errors import BenchError, CommandError, StoreError, UnknownName
from bench.core.vocab import ERROR, OK, SKIPPED, TIMEOUT


def make_cells(values: dict[tuple[str, str, str], list[float]], ratio: float = 10.0,
               statuses: dict[tuple[str, str, str, int], str] | None = None) -> pd.DataFrame:
    """values[(dataset, model, sampler)] = per-fold scores; statuses override single folds."""
    rows = []
    for (dataset, model, sampler), folds in values.items():
        for fold, v in enumerate(folds):
            status = (statuses or {}).get((dataset, model, sampler, fold), OK)
            rows.append({"cell_id": f"{dataset}-{model}-{sampler}-{fold}", "status": status,
                         "dataset": dataset, "profile": "step", "ratio": ratio, "minority": "2",
                         "test_prior": "same", "model": model, "sampler": sampler,
                         "decomposition": "native", "decision": "argmax", "repeat": 0,
                         "fold": fold, "macro_f1": v if status == OK else np.nan,
                         "fit_s": 1.0 + fold, "predict_s": 0.1, "peak_mb": 100.0})
    return pd.DataFrame(rows)


def test_task_score_is_the_mean_over_folds() -> None:
    cells = make_cells({("d1", "a", "none"): [0.5, 0.7], ("d1", "b", "none"): [0.2, 0.4],
                        ("d2", "a", "none"): [0.9, 0.9], ("d2", "b", "none"): [1.0, 0.8]})
    tm = task_matrix(cells, "macro_f1")
    assert tm.task_axes == ["dataset"] and tm.contender_axes == list(DEFAULT_CONTENDER)
    assert tm.scores.index.tolist() == ["d1", "d2"]
    assert tm.scores.columns.tolist() == ["a + none", "b + none"]
    np.testing.assert_allclose(tm.scores.to_numpy(), [[0.6, 0.3], [0.9, 0.9]])
    c = tm.contenders.set_index("contender")
    assert c.loc["a + none", "fit_s"] == 1.5 and c.loc["a + none", "n_ok"] == 4
    assert len(tm.folds) == 8 and set(tm.folds.columns) >= {"task", "contender", "repeat", "fold",
                                                            "value"}


def test_failed_cells_take_the_tasks_worst_score() -> None:
    values = {("d1", "a", "none"): [0.5, 0.7], ("d1", "b", "none"): [0.2, 0.4],
              ("d1", "c", "none"): [0.0, 0.9]}
    cells = make_cells(values, statuses={("d1", "c", "none", 0): ERROR})
    tm = task_matrix(cells, "macro_f1")
    # the worst ok value of d1 is b's 0.2: c's failed fold counts as 0.2
    assert tm.scores.loc["all", "c + none"] == pytest.approx((0.2 + 0.9) / 2)
    assert tm.contenders.set_index("contender").loc["c + none", "n_failed"] == 1
    # "min" metrics: the worst is the highest
    tm = task_matrix(cells, "macro_f1", direction="min")
    assert tm.scores.loc["all", "c + none"] == pytest.approx((0.9 + 0.9) / 2)
    # a contender that failed everywhere is the task's worst
    all_failed = make_cells(values, statuses={("d1", "c", "none", 0): ERROR,
                                              ("d1", "c", "none", 1): TIMEOUT})
    assert task_matrix(all_failed, "macro_f1").scores.loc["all", "c + none"] == 0.2


def test_skipped_cells_make_the_contender_not_applicable() -> None:
    values = {("d1", "a", "none"): [0.5], ("d1", "a", "smote"): [0.6],
              ("d2", "a", "none"): [0.5], ("d2", "a", "smote"): [0.6]}
    cells = make_cells(values, statuses={("d2", "a", "smote", 0): SKIPPED})
    tm = task_matrix(cells, "macro_f1")
    assert np.isnan(tm.scores.loc["d2", "a + smote"])
    assert tm.scores.loc["d1", "a + smote"] == 0.6
    c = tm.contenders.set_index("contender")
    assert c.loc["a + smote", "n_skipped"] == 1 and c.loc["a + smote", "n_tasks"] == 1


def test_task_and_contender_axes() -> None:
    a = make_cells({("d1", "a", "none"): [0.5], ("d1", "b", "none"): [0.4]}, ratio=1.0)
    b = make_cells({("d1", "a", "none"): [0.7], ("d1", "b", "none"): [0.8]}, ratio=10.0)
    cells = pd.concat([a, b], ignore_index=True)
    tm = task_matrix(cells, "macro_f1")
    assert tm.task_axes == ["dataset", "ratio"] or tm.task_axes == ["ratio"]
    assert tm.scores.index.tolist() == ["ratio=1", "ratio=10"]  # only varying axes
    # --task dataset: the ratio is averaged into the task
    tm = task_matrix(cells, "macro_f1", task="dataset")
    assert tm.scores.index.tolist() == ["d1"] and tm.pooled_axes == ["ratio"]
    assert tm.scores.loc["d1", "a + none"] == pytest.approx(0.6)
    assert "ratio" in tm.folds.columns  # pooled axes identify the paired units
    # --contender model: samplers become a task axis when they vary
    tm = task_matrix(cells, "macro_f1", contender="model")
    assert tm.scores.columns.tolist() == ["a", "b"]


def test_where_filters_before_the_matrix() -> None:
    cells = make_cells({("d1", "a", "none"): [0.5], ("d2", "a", "none"): [0.4],
                        ("d1", "b", "none"): [0.3], ("d2", "b", "none"): [0.2]})
    tm = task_matrix(cells, "macro_f1", where="dataset=d2")
    assert tm.scores.index.tolist() == ["all"] and tm.n_cells == 2
    with pytest.raises(BenchError, match="d3"):
        task_matrix(cells, "macro_f1", where="dataset=d3")


def test_bad_axes_and_metrics_are_clear_errors() -> None:
    cells = make_cells({("d1", "a", "none"): [0.5]})
    with pytest.raises(UnknownName, match="allowed: model, sampler, decomposition"):
        parse_contender("model,colour")
    with pytest.raises(CommandError, match="twice"):
        parse_contender("model,model")
    with pytest.raises(UnknownName, match="allowed:.*profile"):
        task_matrix(cells, "macro_f1", task="colour")
    with pytest.raises(CommandError, match="contender axis"):
        task_matrix(cells, "macro_f1", task="model")
    with pytest.raises(UnknownName, match="macro_f1"):  # the registry lists the metrics
        task_matrix(cells, "no_such_metric")
    with pytest.raises(StoreError, match="rescore"):
        task_matrix(cells, "mcc")  # registered, not in this store
    assert parse_contender(None) == DEFAULT_CONTENDER
    assert parse_contender(" model , decision ") == ("model", "decision")


def test_labels_and_reference() -> None:
    assert contender_label({"model": "lightgbm", "sampler": "smote"}) == "lightgbm + smote"
    cells = make_cells({("d1", m, s): [0.5] for m, s in itertools.product(
        ["dnn(hidden=[256,256],max_epochs=30)", "logistic"], ["none", "smote(k_neighbors=5)"])})
    tm = task_matrix(cells, "macro_f1")
    axes = tm.contender_axes
    assert default_reference(tm.contenders, axes) == "dnn(hidden=[256,256],max_epochs=30) + none"
    assert find_contender(tm.contenders, "logistic,smote", axes) == "logistic + smote(k_neighbors=5)"
    assert find_contender(tm.contenders, "logistic + none", axes) == "logistic + none"
    assert find_contender(tm.contenders, "dnn(hidden=[256,256],max_epochs=30),none", axes) \
        == "dnn(hidden=[256,256],max_epochs=30) + none"
    with pytest.raises(UnknownName, match="allowed: dnn"):
        find_contender(tm.contenders, "xgboost,none", axes)
    no_dnn = task_matrix(cells[~cells["model"].str.startswith("dnn")], "macro_f1")
    assert default_reference(no_dnn.contenders, axes) == "logistic + none"  # the first


def test_hostile_labels_stay_data() -> None:
    cells = make_cells({("<script>", "[/x]", "none"): [0.5], ("<script>", "b | c", "none"): [0.4],
                        ("d=1, e", "[/x]", "none"): [0.5], ("d=1, e", "b | c", "none"): [0.4]})
    tm = task_matrix(cells, "macro_f1")
    assert tm.scores.columns.tolist() == ["[/x] + none", "b | c + none"]
    assert tm.tasks["dataset"].tolist() == ["<script>", "d=1, e"]
    assert tm.scores.index.tolist() == ["<script>", "d=1, e"]


def test_the_dnn_baseline_is_model_dnn_without_a_sampler_not_any_dnn_family_network() -> None:
    from bench.analysis.tasks import baseline_label

    contenders = pd.DataFrame({
        "model": ["mlp_plr", "dnn(hidden=[8])", "dnn(hidden=[8])", "dnnx"],
        "sampler": ["none", "smote", "none", "none"]})
    contenders["contender"] = contenders["model"] + " + " + contenders["sampler"]
    assert baseline_label(contenders, ["model", "sampler"]) == "dnn(hidden=[8]) + none"
    assert baseline_label(contenders.iloc[[0, 3]], ["model", "sampler"]) is None  # no dnn at all
    assert baseline_label(contenders, ["sampler"]) is None  # model is not being chosen
