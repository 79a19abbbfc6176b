"""`tuning` as a contender axis: "lightgbm + none + tpe(10)" against "lightgbm + none + default".

What a user relies on: when a store holds tuned and default cells, the summary, the decision
record and the report compare them as contenders by default (never average them into one score,
never treat them as tasks), and a store without the axis reads exactly as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.analysis.summary import summarize
from bench.analysis.tasks import (DEFAULT_CONTENDER, default_contender, resolve_contender,
                                  task_matrix)


def cells(with_tuning: bool = True, old_rows: bool = False) -> pd.DataFrame:
    """Two datasets x two folds: lightgbm default / tpe(10), dnn default; hand-picked scores."""
    scores = {("lightgbm", "default"): {"d1": [0.5, 0.7], "d2": [0.6, 0.6]},
              ("lightgbm", "tpe(10)"): {"d1": [0.8, 0.8], "d2": [0.7, 0.9]},
              ("dnn", "default"): {"d1": [0.4, 0.4], "d2": [0.5, 0.3]}}
    rows = []
    for (model, tuning), per_dataset in scores.items():
        if not with_tuning and tuning != "default":
            continue
        for dataset, folds in per_dataset.items():
            for fold, v in enumerate(folds):
                row = {"cell_id": f"{model}-{tuning}-{dataset}-{fold}", "status": "ok",
                       "dataset": dataset, "profile": "natural", "ratio": 1.0, "minority": "2",
                       "test_prior": "same", "model": model, "sampler": "none",
                       "decomposition": "native", "decision": "argmax", "repeat": 0,
                       "fold": fold, "macro_f1": v, "fit_s": 1.0, "predict_s": 0.1,
                       "peak_mb": 10.0}
                if with_tuning:
                    row["tuning"] = "" if (old_rows and tuning == "default") else tuning
                rows.append(row)
    return pd.DataFrame(rows)


def test_a_store_with_tuned_cells_has_tuning_in_its_default_contender() -> None:
    c = cells()
    assert default_contender(c) == ("model", "sampler", "tuning")
    tm = task_matrix(c, "macro_f1")
    assert tm.contender_axes == ["model", "sampler", "tuning"]
    assert tm.task_axes == ["dataset"]  # tuning is never a task
    assert sorted(tm.scores.columns) == ["dnn + none + default", "lightgbm + none + default",
                                         "lightgbm + none + tpe(10)"]
    # a contender's task score is its mean over folds (by hand)
    assert tm.scores.loc["d1", "lightgbm + none + tpe(10)"] == pytest.approx(0.8)
    assert tm.scores.loc["d1", "lightgbm + none + default"] == pytest.approx(0.6)
    assert tm.scores.loc["d2", "dnn + none + default"] == pytest.approx(0.4)


def test_the_summary_ranks_tuned_against_default() -> None:
    s = summarize(cells(), "macro_f1", n_boot=50, n_boot_elo=20)
    assert s.contender_axes == ["model", "sampler", "tuning"]
    # mean rank over the two tasks: tuned first on both, default second, dnn third
    assert s.table["contender"].tolist() == ["lightgbm + none + tpe(10)",
                                             "lightgbm + none + default", "dnn + none + default"]
    np.testing.assert_allclose(s.table["mean_rank"], [1.0, 2.0, 3.0])
    assert s.table["tuning"].tolist() == ["tpe(10)", "default", "default"]
    assert s.best == "lightgbm + none + tpe(10)"
    assert s.reference == "dnn + none + default"  # the DNN baseline stays the Elo anchor


def test_without_tuning_values_the_contender_is_unchanged() -> None:
    for c in (cells(with_tuning=False), cells()[lambda d: d["tuning"] == "default"]):
        assert default_contender(c) == DEFAULT_CONTENDER
        tm = task_matrix(c, "macro_f1")
        assert sorted(tm.scores.columns) == ["dnn + none", "lightgbm + none"]


def test_rows_written_before_the_axis_count_as_default() -> None:
    tm = task_matrix(cells(old_rows=True), "macro_f1")
    assert sorted(tm.scores.columns) == ["dnn + none + default", "lightgbm + none + default",
                                         "lightgbm + none + tpe(10)"]


def test_an_explicit_contender_is_kept() -> None:
    c = cells()
    assert resolve_contender("model", c) == ("model",)
    assert resolve_contender("model,tuning", c) == ("model", "tuning")
    assert resolve_contender(None, c) == ("model", "sampler", "tuning")
    assert resolve_contender("", cells(with_tuning=False)) == DEFAULT_CONTENDER


def test_the_baseline_is_the_untuned_dnn() -> None:
    from bench.analysis.tasks import baseline_label

    c = cells()
    tuned_dnn = c[c["model"] == "dnn"].assign(tuning="random(5)",
                                             cell_id=lambda d: d["cell_id"] + "-r")
    tm = task_matrix(pd.concat([c, tuned_dnn], ignore_index=True), "macro_f1")
    assert "dnn + none + random(5)" in tm.scores.columns
    assert baseline_label(tm.contenders, tm.contender_axes) == "dnn + none + default"
    only_tuned = tm.contenders[tm.contenders["contender"] != "dnn + none + default"]
    assert baseline_label(only_tuned, tm.contender_axes) == "dnn + none + random(5)"


def test_compare_keeps_default_and_tuned_configurations_apart(tmp_path) -> None:
    """`bench compare` pairs a tuned cell with its tuned baseline, never with the default one,
    and labels the two configurations by their tuning."""
    from dataclasses import replace

    from bench.analysis.compare import compare
    from bench.store import Store
    from compare_helpers import make_cell, result, write

    def store(path, tuned_f1: list[float]):
        rows = [result(make_cell("lightgbm", i), macro_f1=0.8) for i in range(6)]
        rows += [result(replace(make_cell("lightgbm", i), tuning="tpe(5)"), macro_f1=f)
                 for i, f in enumerate(tuned_f1)]
        for r in rows[6:]:
            r.row["tuning"] = "tpe(5)"
        return Store(write(path, rows)).read("cells")

    base = store(tmp_path / "b", [0.9] * 6)
    cur = store(tmp_path / "c", [0.7] * 6)  # the tuned model got worse, the default did not
    comp = compare(base, cur, ["macro_f1"])
    assert sorted(comp.configs["label"]) == ["dataset=wine model=lightgbm tuning=default",
                                             "dataset=wine model=lightgbm tuning=tpe(5)"]
    m = comp.metrics.set_index("label")
    tuned, default = m.loc["dataset=wine model=lightgbm tuning=tpe(5)"], \
        m.loc["dataset=wine model=lightgbm tuning=default"]
    assert tuned["n_pairs"] == 6 and default["n_pairs"] == 6
    np.testing.assert_allclose([tuned["baseline"], tuned["current"]], [0.9, 0.7])
    np.testing.assert_allclose([default["baseline"], default["current"]], [0.8, 0.8])
    assert default["change"] != tuned["change"]
