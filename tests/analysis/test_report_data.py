"""The report's analysis functions on tiny hand-made tables (numbers computable by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bench.analysis.report_data import problems, provenance, report_data, status_counts
from bench.analysis.report_models import (baseline_contender, best_sampler, cd_groups,
                                          confusion_matrices, contender_scores, learning_curves,
                                          pareto_front, time_quality)
from bench.analysis.report_views import (contender_labels, metric_by_ratio, panel_labels,
                                         per_class_by_ratio, recall_ceiling)
from bench.analysis.tasks import contender_label
from bench.core.vocab import ERROR, OK, SKIPPED


def cell(cid, model="m", sampler="none", ratio=1.0, fold=0, score=0.5, status=OK, dataset="d",
         family="boosting", error="", fit_s=1.0, **extra):
    return {"cell_id": cid, "status": status, "error": error, "dataset": dataset,
            "profile": "step", "ratio": ratio, "minority": "2", "test_prior": "same",
            "sampler": sampler, "model": model, "family": family, "decomposition": "native",
            "decision": "argmax", "repeat": 0, "fold": fold,
            "macro_f1": score if status == OK else np.nan, "log_loss": score,
            "fit_s": fit_s if status == OK else np.nan, "predict_s": 0.1, "peak_mb": 10.0,
            **extra}


def frame(*rows):
    return pd.DataFrame(list(rows))


def test_metric_by_ratio_mean_and_t_interval_over_ok_folds_failures_counted_apart():
    cells = frame(cell("a", fold=0, score=0.4), cell("b", fold=1, score=0.6),
                  cell("c", fold=2, status=ERROR),
                  cell("d", ratio=10.0, score=0.3), cell("e", ratio=10.0, fold=1, score=0.3))
    out = metric_by_ratio(cells, "macro_f1")
    r1 = out[out["ratio"] == 1.0].iloc[0]
    assert r1["contender"] == "m + none" and r1["panel"] == "d"
    assert r1["mean"] == pytest.approx(0.5) and r1["n"] == 2 and r1["n_failed"] == 1
    lo, hi = stats.t.interval(0.95, 1, loc=0.5, scale=stats.sem([0.4, 0.6]))
    assert (r1["ci_lo"], r1["ci_hi"]) == (pytest.approx(lo), pytest.approx(hi))
    r10 = out[out["ratio"] == 10.0].iloc[0]
    assert r10["mean"] == pytest.approx(0.3) and r10["ci_lo"] == pytest.approx(0.3)


def test_metric_by_ratio_keeps_only_and_orders_the_given_contenders():
    cells = frame(cell("a", model="x"), cell("b", model="y"), cell("c", model="z"))
    out = metric_by_ratio(cells, "macro_f1", contenders=["z + none", "x + none"])
    assert list(out["contender"]) == ["z + none", "x + none"]


def test_contender_labels_match_the_summary_labels():
    cells = frame(cell("a", model="dnn(hidden=[2,2])", sampler="smote"))
    assert contender_labels(cells).iloc[0] == contender_label(("dnn(hidden=[2,2])", "smote"))


def test_panels_add_the_varying_task_axes_other_than_ratio():
    cells = frame(cell("a", dataset="d1"), cell("b", dataset="d2", test_prior="balanced"))
    assert list(panel_labels(cells, ["dataset", "test_prior"])) == [
        "d1 · test_prior=same", "d2 · test_prior=balanced"]


def _per_class(cid, recalls, labels=("0", "1", "2"), precision=0.5):
    return [{"cell_id": cid, "label": lab, "precision": precision, "recall": r, "f1": 0.0,
             "support": 10 + i, "average_precision": np.nan}
            for i, (lab, r) in enumerate(zip(labels, recalls))]


def test_per_class_keyed_by_dataset_and_label_in_class_order():
    cells = frame(cell("a", dataset="wine"), cell("b", dataset="wine", fold=1),
                  cell("c", dataset="iris"), cell("f", dataset="iris", status=ERROR))
    pc = pd.DataFrame(_per_class("a", [1.0, 0.5, 0.0], labels=("z", "y", "2"))
                      + _per_class("b", [1.0, 0.5, 0.5], labels=("z", "y", "2"))
                      + _per_class("c", [0.2, 0.2, 0.8])
                      + _per_class("f", [9, 9, 9]))  # a failed cell's rows are never used
    out = per_class_by_ratio(cells, pc)
    wine = out[out["panel"] == "wine"]
    assert list(wine["label"]) == ["z", "y", "2"]  # the dataset's class order, not sorted
    assert wine.set_index("label").loc["2", "recall"] == pytest.approx(0.25)
    assert wine.set_index("label").loc["2", "n"] == 2
    iris = out[out["panel"] == "iris"].set_index("label")
    assert iris.loc["2", "recall"] == pytest.approx(0.8)  # class 2 of iris is not class 2 of wine
    assert iris.loc["2", "support"] == 12
    assert out["recall"].max() <= 1.0


def test_recall_ceiling_hook_reads_only_an_inspect_table():
    cells = frame(cell("a", dataset="wine", ratio=1.0), cell("b", dataset="wine", ratio=10.0),
                  cell("c", dataset="iris", ratio=10.0))
    assert recall_ceiling(None, cells).empty
    assert recall_ceiling(pd.DataFrame({"dataset": ["wine"]}), cells).empty
    # as `bench inspect` writes it: per dataset x profile x ratio x class (ratio 30 did not run)
    inspect = pd.DataFrame({"dataset": ["wine"] * 3 + ["iris"], "profile": ["step"] * 4,
                            "ratio": [1.0, 10.0, 30.0, 10.0], "minority": ["2"] * 4,
                            "class_label": ["2", "2", "2", "x"], "ceiling": [0.9, 0.6, 0.3, 1.0],
                            "ceiling_lo": [0.8, 0.5, 0.2, 1.0], "ceiling_hi": [1.0, 0.7, 0.4, 1.0]})
    out = recall_ceiling(inspect, cells)
    assert list(zip(out["panel"], out["label"], out["ratio"], out["recall_ceiling"])) == [
        ("iris", "x", 10.0, 1.0), ("wine", "2", 1.0, 0.9), ("wine", "2", 10.0, 0.6)]
    assert list(out["ceiling_lo"]) == [1.0, 0.8, 0.5]
    # an inspection without ratios holds at every ratio that ran; no interval -> NaN
    flat = recall_ceiling(inspect[inspect["ratio"] == 10.0].drop(
        columns=["ratio", "ceiling_lo", "ceiling_hi"]), cells)
    wine = flat[flat["panel"] == "wine"]
    assert list(zip(wine["ratio"], wine["recall_ceiling"])) == [(1.0, 0.6), (10.0, 0.6)]
    assert wine["ceiling_lo"].isna().all()


def test_contender_scores_mean_over_task_means_and_cost_over_ok_cells():
    cells = frame(cell("a", model="x", score=0.2, fit_s=1.0), cell("b", model="x", fold=1, score=0.4, fit_s=3.0),
                  cell("c", model="x", ratio=10.0, score=0.9),  # task means 0.3 and 0.9 -> 0.6
                  cell("d", model="y", score=0.5), cell("e", model="y", ratio=10.0, status=SKIPPED))
    out = contender_scores(cells, "macro_f1", "max").set_index("contender")
    assert out.loc["x + none", "score"] == pytest.approx(0.6)
    assert out.loc["x + none", "n_tasks"] == 2
    assert out.loc["x + none", "fit_s"] == pytest.approx(5.0 / 3)
    assert out.loc["y + none", "n_tasks"] == 1 and out.loc["y + none", "n_skipped"] == 1
    assert list(out.index) == ["x + none", "y + none"]  # best first
    assert list(contender_scores(cells, "macro_f1", "min")["contender"]) == ["y + none", "x + none"]


def test_best_sampler_per_model_and_ratio_with_gain_over_none_and_ties_to_none():
    cells = frame(cell("a", sampler="none", score=0.5), cell("b", sampler="smote", score=0.7),
                  cell("c", sampler="none", ratio=10.0, score=0.4),
                  cell("d", sampler="smote", ratio=10.0, score=0.4),
                  cell("e", sampler="adasyn", ratio=10.0, score=0.4))
    out = best_sampler(cells, "macro_f1", "max").set_index("ratio")
    assert out.loc[1.0, "best_sampler"] == "smote"
    assert out.loc[1.0, "gain"] == pytest.approx(0.2)
    assert out.loc[10.0, "best_sampler"] == "none" and out.loc[10.0, "gain"] == 0
    low = best_sampler(cells, "macro_f1", "min").set_index("ratio")  # lower is better
    assert low.loc[1.0, "best_sampler"] == "none" and low.loc[1.0, "gain"] == pytest.approx(0)


def test_confusion_summed_over_folds_at_the_largest_ratio_normalised_by_true_class():
    cells = frame(cell("a", ratio=10.0), cell("b", ratio=10.0, fold=1), cell("c", ratio=1.0),
                  cell("d", ratio=10.0, model="other"))
    rows = []
    for cid, counts in (("a", [3, 1, 0, 2]), ("b", [5, 1, 2, 2]), ("c", [99, 0, 0, 99]),
                        ("d", [7, 7, 7, 7])):
        for (t, p), n in zip([("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")], counts):
            rows.append({"cell_id": cid, "true_label": t, "pred_label": p, "count": n})
    out = confusion_matrices(cells, pd.DataFrame(rows), {"best": "m + none", "DNN baseline": None})
    assert set(out["ratio"]) == {10.0} and set(out["role"]) == {"best"}
    got = {(r.true_label, r.pred_label): (r.count, r.share) for r in out.itertuples()}
    assert got[("0", "0")] == (8, pytest.approx(0.8))
    assert got[("0", "1")] == (2, pytest.approx(0.2))
    assert got[("1", "0")] == (2, pytest.approx(1 / 3))
    assert got[("1", "1")] == (4, pytest.approx(2 / 3))


def test_learning_curves_mean_over_the_folds_that_reached_each_step():
    cells = frame(cell("a", ratio=5.0, model="dnn", family="dnn"),
                  cell("b", ratio=5.0, fold=1, model="dnn", family="dnn"),
                  cell("c", ratio=1.0, model="dnn", family="dnn"))
    rows = [("a", 1, "validation", "loss", 1.0), ("a", 2, "validation", "loss", 0.5),
            ("b", 1, "validation", "loss", 3.0),  # fold b stopped early after step 1
            ("a", 1, "train", "exp_loss", 7.0),  # not a curve metric of the report
            ("c", 1, "validation", "loss", 99.0)]  # not the panel's largest ratio
    curves = pd.DataFrame(rows, columns=["cell_id", "step", "split", "metric", "value"])
    out = learning_curves(cells, curves, ["dnn + none"])
    assert list(zip(out["step"], out["value"], out["n_folds"])) == [(1, 2.0, 2), (2, 0.5, 1)]
    assert set(out["metric"]) == {"loss"}


def test_pareto_front_hand_example():
    # (cost, score): b dominates d; c is slower than b and better; e has no cost.
    cost = [1.0, 2.0, 3.0, 2.5, np.nan]
    score = [0.1, 0.5, 0.9, 0.4, 1.0]
    assert pareto_front(cost, score, "max") == [True, True, True, False, False]
    assert pareto_front(cost, score, "min") == [True, False, False, False, False]
    assert pareto_front([1.0, 1.0], [0.5, 0.5]) == [True, True]  # equal points both stay


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=12))
def test_pareto_front_is_undominated_and_dominates_the_rest(points):
    cost, score = [float(c) for c, _ in points], [float(s) for _, s in points]
    front = pareto_front(cost, score, "max")

    def dominates(j, i):
        return cost[j] <= cost[i] and score[j] >= score[i] and (cost[j] < cost[i] or score[j] > score[i])

    for i in range(len(points)):
        if front[i]:
            assert not any(dominates(j, i) for j in range(len(points)))
        else:
            assert any(front[j] and dominates(j, i) for j in range(len(points)))


def test_time_quality_marks_the_front():
    scores = pd.DataFrame({"contender": ["a", "b", "c"], "fit_s": [1.0, 2.0, 3.0],
                           "predict_s": [0.0] * 3, "score": [0.5, 0.4, 0.6]})
    assert list(time_quality(scores, "max")["pareto"]) == [True, False, True]


def test_cd_groups_are_maximal_runs_within_the_critical_difference():
    assert cd_groups([1.0, 1.5, 2.8, 3.0], 1.0) == [(0, 1), (2, 3)]
    assert cd_groups([3.0, 1.0, 2.8, 1.5], 2.0) == [(0, 2), (1, 3)]  # sorted first
    assert cd_groups([1.0, 2.0, 3.0], 0.5) == []
    assert cd_groups([1.0, 2.0], float("nan")) == []


def test_baseline_is_the_dnn_without_a_sampler():
    cells = frame(cell("a", model="dnn(h=1)", family="dnn", sampler="smote"),
                  cell("b", model="dnn(h=1)", family="dnn", sampler="none"),
                  cell("c", model="lightgbm"))
    assert baseline_contender(cells) == "dnn(h=1) + none"
    assert baseline_contender(cells[cells["family"] != "dnn"]) is None


def test_problems_grouped_by_reason_first_line_most_frequent_first():
    cells = frame(cell("a", status=ERROR, error="boom\ntraceback"),
                  cell("b", status=ERROR, error="boom\nother", fold=1),
                  cell("c", status="timeout", error="ran past 5 s", model="slow"),
                  cell("d", status=SKIPPED, error="not applicable: x"))
    out = problems(cells, ["error", "timeout"])
    assert list(zip(out["status"], out["reason"], out["n"])) == [
        ("error", "boom", 2), ("timeout", "ran past 5 s", 1)]
    assert list(problems(cells, [SKIPPED])["reason"]) == ["not applicable: x"]
    assert problems(cells[cells["status"] == OK], [ERROR]).empty


def test_status_counts_and_provenance():
    cells = frame(cell("a", status=SKIPPED), cell("b"), cell("c"))
    cells["harness_version"] = ["0.1", "0.1", "0.2"]
    cells["utc"] = ["2026-01-02", "2026-01-01", ""]
    assert list(map(tuple, status_counts(cells).to_numpy())) == [("ok", 2), ("skipped", 1)]
    prov = dict(zip(*provenance(cells).to_numpy().T))
    assert prov["harness_version"] == "0.1, 0.2"  # a mixed store shows both
    assert prov["written (utc)"] == "2026-01-01 … 2026-01-02"


def _small_tables():
    rows = []
    for m, fam, base in (("dnn", "dnn", 0.6), ("gbm", "boosting", 0.7), ("knn", "baseline", 0.2)):
        for s, bonus in (("none", 0.0), ("smote", 0.05)):
            for ds in ("d1", "d2"):
                for ratio in (1.0, 10.0):
                    for fold in (0, 1):
                        rows.append(cell(f"{m}{s}{ds}{ratio}{fold}", model=m, family=fam,
                                         sampler=s, dataset=ds, ratio=ratio, fold=fold,
                                         score=base + bonus - 0.01 * ratio + 0.01 * fold))
    return {"cells": pd.DataFrame(rows)}


def test_report_data_choices_and_empty_sections():
    d = report_data(_small_tables(), {"suite": "s"}, "macro_f1", "max")
    assert d.best == "gbm + smote" and d.baseline == "dnn + none"
    assert d.highlighted[0] == "gbm + smote" and d.highlighted[-1] == "dnn + none"
    assert d.summary is not None and d.cd_names[0] == "gbm + smote"
    assert len(d.cd_ranks) == 6 and d.cd > 0
    assert set(d.best_sampler["best_sampler"]) == {"smote"}
    assert d.per_class.empty and d.confusion.empty and d.curves.empty and d.ceiling.empty
    assert d.failures.empty and d.skips.empty
    again = report_data(_small_tables(), {"suite": "s"}, "macro_f1", "max")
    pd.testing.assert_frame_equal(d.by_ratio, again.by_ratio)
