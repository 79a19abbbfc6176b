"""Decision records on hand-made cells: the choice, the set not significantly worse, effect
sizes computed by hand, every caveat's trigger, the cost preference and determinism."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from bench.analysis.decision_record import (FEW_TASKS, baseline_contender, decision_record,
                                            min_holm_p, rank_biserial)
from bench.core.errors import CommandError

DNN = "dnn(hidden=[8])"


def make_cells(scores: dict[str, list[float]], n_datasets: int | None = None, folds: int = 2,
               fit_s: dict[str, float] | None = None, **extra: dict) -> pd.DataFrame:
    """One task per dataset d0, d1, …; contender `model` with sampler none; each fold of a task
    scores the given value +- 0.001 (so a task's mean is the value)."""
    rows = []
    n_tasks = len(next(iter(scores.values())))
    for model, values in scores.items():
        for t, value in enumerate(values):
            for fold in range(folds):
                rows.append({
                    "cell_id": f"{model}-{t}-{fold}", "status": "ok",
                    "dataset": f"d{t % (n_datasets or n_tasks)}", "profile": "step",
                    "ratio": float(1 + t // (n_datasets or n_tasks)), "test_prior": "same",
                    "minority": "1", "model": model, "sampler": "none",
                    "decomposition": "native", "decision": "argmax", "repeat": 0, "fold": fold,
                    "macro_f1": value + (0.001 if fold else -0.001),
                    "fit_s": (fit_s or {}).get(model, 1.0), "predict_s": 0.01, "peak_mb": 100.0,
                    "min_test_count": 50, "degenerate": False})
    cells = pd.DataFrame(rows)
    for col, values in extra.items():
        for cid, value in values.items():
            cells.loc[cells["cell_id"] == cid, col] = value
    return cells


EIGHT = {"a": [0.90, 0.80, 0.85, 0.70, 0.95, 0.60, 0.75, 0.88],
         "b": [0.85, 0.70, 0.80, 0.68, 0.90, 0.50, 0.70, 0.80],
         DNN: [0.50, 0.40, 0.45, 0.30, 0.55, 0.20, 0.35, 0.48]}


def test_rank_biserial_by_hand() -> None:
    # |d| ranks 1..4; positive ranks 1 + 3 + 4 = 8, negative 2: r = (8 - 2) / 10
    assert rank_biserial(np.array([1.0, -2.0, 3.0, 4.0])) == pytest.approx(0.6)
    assert rank_biserial(np.array([0.5, 0.0, 2.0])) == 1.0  # zeros dropped
    assert rank_biserial(np.array([-1.0, -1.0])) == -1.0
    assert rank_biserial(np.array([0.0, np.nan])) == 0.0


@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=30))
def test_rank_biserial_is_the_wilcoxon_statistic_rescaled(d: list[float]) -> None:
    x = np.array(d)
    nz = x[x != 0]
    r = rank_biserial(x)
    assert -1.0 <= r <= 1.0 and rank_biserial(-x) == pytest.approx(-r)
    if len(nz):
        ranks = sps.rankdata(np.abs(nz))
        t_plus = ranks[nz > 0].sum()
        total = len(nz) * (len(nz) + 1) / 2
        assert r == pytest.approx(2 * t_plus / total - 1)  # Kerby: r = T+/S - T-/S


def test_a_clear_winner_with_effects_computed_by_hand() -> None:
    rec = decision_record(make_cells(EIGHT), "macro_f1", contender="model")
    assert rec.chosen == "a" and rec.not_worse == ["a"]  # 8 of 8 tasks: p = 2/256, Holm x3 < .05
    assert [c["contender"] for c in rec.contenders] == ["a", "b", DNN]
    assert rec.contenders[1]["p_vs_best"] == pytest.approx(2 / 256)
    assert rec.contenders[1]["p_holm_vs_best"] == pytest.approx(3 * 2 / 256)
    runner, base = rec.effects
    assert (runner.role, runner.other, base.role, base.other) == (
        "runner-up", "b", "DNN baseline", DNN)
    diff = np.array(EIGHT["a"]) - np.array(EIGHT["b"])
    assert runner.mean_diff == pytest.approx(diff.mean())
    assert runner.diff_lo <= diff.mean() <= runner.diff_hi
    assert diff.min() <= runner.diff_lo and runner.diff_hi <= diff.max()
    assert (runner.wins, runner.ties, runner.losses, runner.win_rate) == (8, 0, 0, 1.0)
    assert runner.rank_biserial == 1.0 and runner.n_tasks == 8
    assert base.mean_diff == pytest.approx((np.array(EIGHT["a"]) - np.array(EIGHT[DNN])).mean())
    assert rec.data["n_tasks"] == 8 and rec.data["folds_per_task"] == 2
    assert rec.data["datasets"] == [f"d{i}" for i in range(8)]
    assert rec.test["friedman_p"] < 0.001
    codes = {c.code for c in rec.caveats}
    assert "few_tasks" not in codes and "few_datasets" not in codes and "no_baseline" not in codes


def test_direction_min_turns_the_choice_around() -> None:
    rec = decision_record(make_cells(EIGHT), "macro_f1", contender="model", direction="min")
    assert rec.chosen == DNN and rec.effects[0].other == "b"
    assert rec.effects[0].wins == 8 and rec.effects[0].rank_biserial == 1.0
    assert rec.effects[0].mean_diff < 0  # chosen - other in metric units


def test_prefer_cost_takes_the_cheapest_not_worse() -> None:
    scores = {"a": [0.90, 0.80, 0.85, 0.70, 0.95, 0.60, 0.75, 0.88],
              "b": [0.91, 0.78, 0.86, 0.69, 0.93, 0.61, 0.74, 0.89],  # mixed: not worse
              "c": [0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10]}  # cheapest, but worse
    cells = make_cells(scores, fit_s={"a": 10.0, "b": 1.0, "c": 0.1})
    by_rank = decision_record(cells, "macro_f1", contender="model")
    assert by_rank.chosen == "a" and by_rank.not_worse == ["a", "b"]
    by_cost = decision_record(cells, "macro_f1", contender="model", prefer="cost")
    assert by_cost.chosen == "b" and by_cost.test["cheapest_not_worse"] == "b"
    assert "cheapest" in by_cost.rule and "within 0.01" in by_cost.rule
    assert (by_cost.effects[0].role, by_cost.effects[0].other) == ("best-ranked", "a")
    assert by_cost.test["cost_candidates"] == ["a", "b"]
    strict = decision_record(cells, "macro_f1", contender="model", prefer="cost", tolerance=0.001)
    assert strict.chosen == "a"  # b is 0.0025 behind on average: outside the tolerance
    with pytest.raises(CommandError, match="--tolerance"):
        decision_record(cells, "macro_f1", prefer="cost", tolerance=-1)
    few = make_cells({k: v[:4] for k, v in scores.items()})
    with pytest.raises(CommandError, match="--prefer cost needs at least 6 complete tasks"):
        decision_record(few, "macro_f1", contender="model", prefer="cost")


def codes(rec) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c.code: c.text for c in rec.caveats}


def test_few_tasks_few_datasets_no_difference_and_no_baseline() -> None:
    cells = make_cells({"a": [0.5, 0.6, 0.7], "b": [0.6, 0.5, 0.7]}, n_datasets=1)
    rec = decision_record(cells, "macro_f1", contender="model")
    found = codes(rec)
    assert f"only 3 complete task(s)" in found["few_tasks"] and str(FEW_TASKS) in found["few_tasks"]
    assert "only 1 dataset(s)" in found["few_datasets"]
    assert "no DNN baseline" in found["no_baseline"]
    assert [e.role for e in rec.effects] == ["runner-up"]
    assert not any(n.startswith("only 3 complete task") for n in rec.notes)  # said once


def test_no_power_when_holm_cannot_reach_alpha() -> None:
    assert min_holm_p(6, 3) == pytest.approx(3 * 2 / 64) and min_holm_p(8, 3) == pytest.approx(
        3 * 2 / 256)
    assert min_holm_p(0, 3) == 1.0 and min_holm_p(20, 1) == 1.0
    assert min_holm_p(5000, 30) == 0.0  # thousands of tasks: no overflow
    six = decision_record(make_cells({k: v[:6] for k, v in EIGHT.items()}), "macro_f1",
                          contender="model")
    assert "smallest Holm-corrected p-value possible is 0.0938" in codes(six)["no_power"]
    assert six.not_worse == ["a", "b", DNN]  # what the caveat warns about
    assert "no_power" not in codes(decision_record(make_cells(EIGHT), "macro_f1", contender="model"))


def test_small_test_class_degenerate_and_failed_cells_of_the_chosen() -> None:
    cells = make_cells(EIGHT, min_test_count={"a-0-0": 3, "b-1-1": 7},
                       degenerate={"a-2-0": True, "b-2-0": True})
    cells.loc[cells["cell_id"] == "a-3-1", ["status", "macro_f1"]] = ["error", np.nan]
    rec = decision_record(cells, "macro_f1", contender="model")
    found = codes(rec)
    assert "2 of 47 ok cell(s) have a test class with fewer than 10 rows (smallest 3)" in \
        found["small_test_class"]
    assert "d0 at ratio 1, d1 at ratio 1" in found["small_test_class"]
    assert "1 of 15 ok cell(s) of a are degenerate" in found["degenerate"]  # b's is not counted
    assert "a failed in 1 of 16 cell(s)" in found["failed"]
    assert rec.data["n_failed"] == 1 and rec.data["n_ok"] == 47


def test_not_applicable_tasks_of_the_chosen() -> None:
    cells = make_cells(EIGHT)
    cells.loc[cells["cell_id"].isin(["a-7-0", "a-7-1"]), ["status", "macro_f1"]] = ["skipped", np.nan]
    rec = decision_record(cells, "macro_f1", contender="model")
    assert rec.chosen == "a" and rec.data["n_complete_tasks"] == 7
    assert "a has no score on 1 of 8 task(s)" in codes(rec)["not_applicable"]


def test_overlap_ceiling_from_inspection_data() -> None:
    cells = make_cells(EIGHT)
    inspect = pd.DataFrame({"dataset": ["d0", "d0", "d1", "other"], "class_label": ["0", "2", "2", "2"],
                            "ceiling": [0.99, 0.35, 0.95, 0.1]})
    text = codes(decision_record(cells, "macro_f1", contender="model", inspect=inspect))
    assert text["overlap_ceiling"].endswith("class 2 of d0: 0.35")  # only datasets in the record
    odd = decision_record(cells, "macro_f1", contender="model",
                          inspect=pd.DataFrame({"something": [1]}))
    assert "not read" in codes(odd)["overlap_ceiling"]
    assert "overlap_ceiling" not in codes(decision_record(cells, "macro_f1", contender="model"))


def test_where_narrows_the_question_and_is_recorded() -> None:
    rec = decision_record(make_cells(EIGHT), "macro_f1", contender="model",
                          where="dataset=d0|d1|d2|d3|d4|d5")
    assert rec.question["where"] == {"dataset": ["d0", "d1", "d2", "d3", "d4", "d5"]}
    assert rec.data["n_tasks"] == 6 and rec.data["n_cells"] == 36
    cells = make_cells(EIGHT).assign(family=lambda d: np.where(d["model"] == "a", "x", "y"))
    by_family = decision_record(cells, "macro_f1", contender="model", where="family=y")
    assert by_family.chosen == "b" and by_family.data["n_cells"] == 32  # any where key works


def test_the_same_cells_give_the_same_record() -> None:
    cells = make_cells(EIGHT)
    one = json.dumps(decision_record(cells, "macro_f1", contender="model").to_dict())
    two = json.dumps(decision_record(cells.sample(frac=1, random_state=3), "macro_f1",
                                     contender="model").to_dict())
    assert one == two  # row order of the store does not matter either


def test_unusable_questions_are_errors() -> None:
    cells = make_cells(EIGHT)
    with pytest.raises(CommandError, match="at least two contenders"):
        decision_record(cells, "macro_f1", contender="model", where="model=a")
    with pytest.raises(CommandError, match="--prefer fast: allowed: rank, cost"):
        decision_record(cells, "macro_f1", prefer="fast")
    with pytest.raises(CommandError, match="--alpha"):
        decision_record(cells, "macro_f1", alpha=1.5)


def test_baseline_is_a_dnn_without_a_sampler() -> None:
    frame = pd.DataFrame({"contender": ["dnn + smote", "dnn(x=1) + none", "lr + none"],
                          "model": ["dnn", "dnn(x=1)", "lr"], "sampler": ["smote", "none", "none"]})
    assert baseline_contender(frame, ["model", "sampler"]) == "dnn(x=1) + none"
    assert baseline_contender(frame.iloc[[0, 2]], ["model", "sampler"]) is None
    assert baseline_contender(frame, ["sampler"]) is None
