"""summarize(): the hand fixture through real cells, failures and skips, the not-worse set, Elo
anchoring, Demšar's example end to end, JSON, and the renderers (escaping, at most 40 lines)."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from bench.analysis.summary import summarize
from bench.core.errors import BenchError, UnknownName
from bench.core.vocab import ERROR, OK, SKIPPED
from bench.report.summary import print_summary, summary_csv, summary_json, summary_markdown

HAND = {"A": [0.9, 0.6, 0.5, 0.9], "B": [0.8, 0.8, 0.5, 0.6], "C": [0.7, 0.7, 0.4, 0.3]}


def cells_from(scores: dict[str, list[float]], folds: int = 2, spread: float = 0.01,
               sampler: str = "none", status: dict[tuple[str, int, int], str] | None = None
               ) -> pd.DataFrame:
    """One row per contender x task x fold; fold values spread symmetrically around the score."""
    rows = []
    offsets = np.linspace(-spread, spread, folds) if folds > 1 else [0.0]
    for model, values in scores.items():
        for t, v in enumerate(values):
            for fold, off in enumerate(offsets):
                st = (status or {}).get((model, t, fold), OK)
                rows.append({"cell_id": f"{model}-{t}-{fold}", "status": st,
                             "dataset": f"d{t:02d}", "profile": "step", "ratio": 10.0,
                             "minority": "2", "test_prior": "same", "model": model,
                             "sampler": sampler, "decomposition": "native", "decision": "argmax",
                             "repeat": 0, "fold": fold,
                             "macro_f1": v + off if st == OK else np.nan,
                             "fit_s": 2.0, "predict_s": 0.5, "peak_mb": 64.0})
    return pd.DataFrame(rows)


def test_hand_fixture_through_cells() -> None:
    s = summarize(cells_from(HAND), "macro_f1", n_boot=200)
    t = s.table.set_index("model")
    assert t["mean_rank"].to_dict() == pytest.approx({"A": 1.625, "B": 1.625, "C": 2.75})
    assert s.best == "A + none"  # tied mean rank with B, higher mean score
    assert s.table["contender"].tolist() == ["A + none", "B + none", "C + none"]
    assert t["win_rate"].to_dict() == pytest.approx({"A": 5.5 / 8, "B": 5.5 / 8, "C": 1 / 8})
    assert t["normalized"].to_dict() == pytest.approx({"A": 0.75, "B": 0.75, "C": 0.125})
    assert t.loc["A", "improvability"] == pytest.approx(0.25 / 4)
    assert t.loc["A", "mean"] == pytest.approx(np.mean(HAND["A"]))
    assert (t["n_tasks"] == 4).all() and (t["fit_s"] == 2.0).all()
    assert (s.n_tasks, s.n_tasks_total, s.n_folds, s.n_datasets, s.n_cells) == (4, 4, 2, 4, 24)
    assert s.critical_difference == pytest.approx(
        2.343 * math.sqrt(3 * 4 / (6 * 4)), abs=1e-3)  # Demšar Table 5(a): q_0.05 = 2.343, k=3
    assert s.reference == "A + none"  # no DNN baseline: the first contender
    assert t.loc["A", "elo"] == 1000


def test_failed_cells_are_the_worst_and_counted() -> None:
    cells = cells_from(HAND, status={("A", 0, 0): ERROR, ("A", 0, 1): ERROR})
    s = summarize(cells, "macro_f1", n_boot=50)
    t = s.table.set_index("model")
    # on task 0 the worst ok value is C's 0.69: A scores it and ranks last there
    assert t.loc["A", "mean_rank"] == pytest.approx((3 + 3 + 1.5 + 1) / 4)
    assert t.loc["A", "n_failed"] == 2
    assert any("2 failed cell(s) count as their task's worst" in n for n in s.notes)


def test_skipped_cells_drop_the_task_from_the_complete_blocks() -> None:
    cells = cells_from(HAND, status={("C", 1, 0): SKIPPED, ("C", 1, 1): SKIPPED})
    s = summarize(cells, "macro_f1", n_boot=50)
    assert (s.n_tasks, s.n_tasks_total, s.dropped_tasks) == (3, 4, ["d01"])
    assert any("1 of 4 task(s) left out" in n and "C + none (1)" in n for n in s.notes)
    t = s.table.set_index("model")
    assert t.loc["C", "n_tasks"] == 3 and t.loc["C", "n_skipped"] == 2
    assert t["mean_rank"].sum() == pytest.approx(6)  # k(k+1)/2 over the complete tasks
    assert s.friedman.n == 3


def test_not_significantly_worse_set() -> None:
    rng = np.random.default_rng(0)
    n = 10
    best = rng.uniform(0.7, 0.9, n)
    scores = {"A": list(best), "B": list(best - rng.uniform(-0.02, 0.02, n)),
              "C": list(best - rng.uniform(0.1, 0.2, n))}
    s = summarize(cells_from(scores), "macro_f1", n_boot=50)
    assert s.best in ("A + none", "B + none")
    assert "C + none" not in s.not_significantly_worse
    assert set(s.not_significantly_worse) == {"A + none", "B + none"}
    pair = s.pairwise.set_index(["a", "b"])
    assert pair.loc[(s.best, "C + none"), "p_holm"] < 0.05
    assert s.table.set_index("model").loc["C", "not_worse"] == False  # noqa: E712


def test_reference_default_dnn_none_and_override() -> None:
    cells = pd.concat([cells_from({"dnn(hidden=[8])": HAND["B"], "lgbm": [0.95] * 4}),
                       cells_from({"dnn(hidden=[8])": HAND["C"], "lgbm": HAND["C"]},
                                  sampler="smote")], ignore_index=True)
    s = summarize(cells, "macro_f1", n_boot=50)
    assert s.reference == "dnn(hidden=[8]) + none"
    assert s.table.set_index("contender").loc[s.reference, "elo"] == 1000
    assert s.best == "lgbm + none"
    vs = s.vs_reference
    assert vs is not None and (vs.a, vs.b) == (s.best, s.reference)
    assert vs.mean_diff == pytest.approx(0.95 - np.mean(HAND["B"])) and vs.n_pairs == 8
    s2 = summarize(cells, "macro_f1", reference="lgbm,smote", n_boot=50)
    assert s2.table.set_index("contender").loc["lgbm + smote", "elo"] == 1000
    with pytest.raises(UnknownName, match="allowed:"):
        summarize(cells, "macro_f1", reference="xgboost,none")
    with pytest.raises(BenchError, match="alpha"):
        summarize(cells, "macro_f1", alpha=1.5)


def test_demsar_example_end_to_end() -> None:
    from test_stats import DEMSAR_RANKED

    scores = {name: DEMSAR_RANKED[name].tolist() for name in DEMSAR_RANKED.columns}
    s = summarize(cells_from(scores, folds=1), "macro_f1", n_boot=100)
    ranks = s.table.set_index("model")["mean_rank"].round(3).to_dict()
    assert ranks == {"C4.5": 3.143, "C4.5+m": 2.0, "C4.5+cf": 2.893, "C4.5+m+cf": 1.964}
    assert s.friedman.chi2_demsar == pytest.approx(9.28, abs=0.005)
    assert s.friedman.f_stat == pytest.approx(3.69, abs=0.005)
    assert s.critical_difference == pytest.approx(1.25, abs=0.005)
    assert s.best == "C4.5+m+cf + none"
    # within the CD of the best: C4.5+m; C4.5 (3.143 - 1.964 = 1.18 < 1.25) and C4.5+cf too
    assert s.table["within_cd"].all()


def test_json_carries_every_number_strictly() -> None:
    cells = cells_from(HAND, status={("C", 1, 0): SKIPPED, ("C", 1, 1): SKIPPED})
    s = summarize(cells, "macro_f1", n_boot=50)
    data = json.loads(summary_json(s))
    assert data["best"] == "A + none" and data["n_tasks"] == 3 and data["n_tasks_dropped"] == 1
    assert [c["mean_rank"] for c in data["contenders"]] == s.table["mean_rank"].tolist()
    for key in ("friedman_p", "friedman_stat", "critical_difference", "not_significantly_worse",
                "pairwise", "win_rate", "reference", "notes", "vs_reference"):
        assert key in data
    assert {"elo", "elo_lo", "elo_hi", "improvability", "fit_s", "predict_s", "peak_mb",
            "not_worse"} <= set(data["contenders"][0])


HOSTILE_MODEL = "<script>alert(1)</script>[/x]|"


def test_renderers_escape_labels_and_stay_short() -> None:
    scores = {f"{HOSTILE_MODEL}{i}": list(np.linspace(0.1, 0.9, 8) + 0.001 * i) for i in range(60)}
    s = summarize(cells_from(scores, folds=1), "macro_f1", n_boot=20)
    buf = io.StringIO()
    print_summary(s, top=20, console=Console(file=buf, width=250, emoji=False))
    text = buf.getvalue()
    assert len(text.splitlines()) <= 40
    assert f"{HOSTILE_MODEL}59" in text  # literal, not markup
    assert "40 more contender(s)" in text and "Friedman" in text and "Best:" in text
    md = summary_markdown(s, top=5)
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\|" in md
    assert len(summary_csv(s).splitlines()) == 61
    csv_top = pd.read_csv(io.StringIO(summary_csv(s, top=3)))
    assert csv_top["model"].tolist() == s.table["model"].head(3).tolist()


def test_no_complete_task_is_explained_not_a_crash() -> None:
    cells = cells_from({"A": [0.5, 0.6], "B": [0.4, 0.7]},
                       status={("A", 1, 0): SKIPPED, ("A", 1, 1): SKIPPED,
                               ("B", 0, 0): SKIPPED, ("B", 0, 1): SKIPPED})
    s = summarize(cells, "macro_f1", n_boot=20)
    assert s.n_tasks == 0 and s.n_tasks_total == 2
    assert any("no task has a score for every contender" in n for n in s.notes)
    assert math.isnan(s.friedman_p) and json.loads(summary_json(s))["friedman_p"] is None


def test_a_metric_without_values_is_an_error() -> None:
    cells = cells_from(HAND).assign(mcc=np.nan)
    with pytest.raises(BenchError, match="rescore"):
        summarize(cells, "mcc")


def test_min_metrics_rank_the_lowest_first() -> None:
    s = summarize(cells_from(HAND).rename(columns={"macro_f1": "log_loss"}), "log_loss", n_boot=20)
    assert s.direction == "min" and s.best == "C + none"
    t = s.table.set_index("model")
    assert t["mean_rank"].to_dict() == pytest.approx({"A": 2.375, "B": 2.375, "C": 1.25})
    # "min": (score - best) / score per task; task t1: C is best (0.7), A (0.9 - 0.7) / 0.9
    assert t.loc["A", "improvability"] == pytest.approx(
        ((0.9 - 0.7) / 0.9 + 0 + (0.5 - 0.4) / 0.5 + (0.9 - 0.3) / 0.9) / 4)
    assert t.loc["C", "elo"] > t.loc["A", "elo"]
