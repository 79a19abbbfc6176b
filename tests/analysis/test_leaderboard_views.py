"""Leaderboard views: a skipped or failed configuration is never ranked and says so; `--top`
keeps ties; per-class views never pool a class label over datasets."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import pandas as pd
from rich.console import Console

from bench.analysis.leaderboard import leaderboard, per_class_recall, top_per_slice
from bench.report.leaderboard import leaderboard_markdown
from bench.report.terminal import leaderboard_table


def row(i: int, model: str, value: float | None, status: str = "ok", ratio: float = 1.0,
        dataset: str = "d") -> dict:
    return {"cell_id": f"c{i}", "status": status, "dataset": dataset, "ratio": ratio,
            "model": model, "family": "baseline", "sampler": "none",
            "macro_f1": np.nan if value is None else value, "fit_s": 0.1,
            "min_test_count": 20, "degenerate": False}


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_skipped_and_failed_configurations_are_not_ranked() -> None:
    cells = frame([row(0, "a", 0.5), row(1, "a", 0.7), row(2, "b", None, "skipped"),
                   row(3, "b", None, "skipped"), row(4, "c", None, "error"),
                   row(5, "c", None, "skipped"), row(6, "d", 0.9)])
    board = leaderboard(cells, "macro_f1", by=[]).set_index("model")
    assert board.loc["d", "rank"] == 1 and board.loc["a", "rank"] == 2
    assert math.isnan(board.loc["b", "rank"]) and board.loc["b", "state"] == "skipped"
    assert math.isnan(board.loc["c", "rank"]) and board.loc["c", "state"] == "failed"
    assert board.loc["a", "state"] == "ranked"
    assert board.index.tolist() == ["d", "a", "b", "c"]  # unranked rows last
    text = io.StringIO()
    Console(file=text, width=300, color_system=None).print(
        leaderboard_table(leaderboard(cells, "macro_f1", by=[])))
    lines = {ln.split("│")[2].strip(): ln.split("│")[1].strip()
             for ln in text.getvalue().splitlines() if ln.startswith("│")}
    assert lines == {"d": "1", "a": "2", "b": "skipped", "c": "failed"}  # model -> rank column
    md = leaderboard_markdown(leaderboard(cells, "macro_f1", by=[]))
    assert "| skipped | b |" in md and "| failed | c |" in md


def test_ok_cells_without_the_metric_read_no_score() -> None:
    board = leaderboard(frame([row(0, "a", None), row(1, "b", 0.3)]), "macro_f1", by=[])
    assert board.set_index("model").loc["a", "state"] == "no score"


def test_top_keeps_ties_per_slice_and_counts_the_rest() -> None:
    cells = frame([row(0, "a", 0.5), row(1, "b", 0.5), row(2, "c", 0.4), row(3, "s", None, "skipped"),
                   row(4, "a", 0.1, ratio=10), row(5, "b", 0.2, ratio=10), row(6, "c", 0.3, ratio=10)])
    board = leaderboard(cells, "macro_f1", by=["ratio"])
    top = top_per_slice(board, 1)
    assert top[["ratio", "model"]].values.tolist() == [[1.0, "a"], [1.0, "b"], [10.0, "c"]]
    assert top.attrs["hidden"] == 4 and top.attrs["metric"] == "macro_f1"
    assert top_per_slice(board, None) is board
    assert len(top_per_slice(board, 3)) == 6  # the skipped configuration has no rank to keep


def test_per_class_views_are_keyed_by_dataset_even_when_by_omits_it() -> None:
    cells = frame([row(0, "m", 0.5, dataset="x"), row(1, "m", 0.5, dataset="y"),
                   row(2, "m", None, "error", dataset="y")])
    per_class = pd.DataFrame({"cell_id": ["c0", "c0", "c1", "c1", "c2"],
                              "label": ["1", "2", "1", "2", "1"],
                              "recall": [1.0, 0.0, 0.5, 0.25, 0.9]})
    wide = per_class_recall(cells, per_class, by=["ratio"], value="recall")
    assert wide.columns.tolist() == ["dataset", "ratio", "model", "recall[1]", "recall[2]"]
    assert wide[["dataset", "recall[1]", "recall[2]"]].values.tolist() == [
        ["x", 1.0, 0.0], ["y", 0.5, 0.25]]  # never (1+0.5)/2 for "class 1"; failed cells left out
    default = per_class_recall(cells, per_class, value="recall")  # dataset varies: once, first
    assert default.columns.tolist()[:2] == ["dataset", "model"]


def reference_leaderboard(cells: pd.DataFrame, metric: str, by: list[str]) -> pd.DataFrame:
    """The leaderboard's definition as a plain loop over configurations (what the vectorised
    groupby must reproduce)."""
    from bench.analysis.leaderboard import degenerate_cells, flags, min_test_counts, t_interval

    cells = cells.assign(_min_test=min_test_counts(cells), _degenerate=degenerate_cells(cells))
    rows = []
    for key, g in cells.groupby([*by, "model"], dropna=False, sort=True):
        ok = g[g["status"] == "ok"]
        values = ok[metric].to_numpy(dtype=float)
        has = values[~np.isnan(values)]
        min_test = ok["_min_test"].min() if ok["_min_test"].notna().any() else np.nan
        n_deg = int(ok["_degenerate"].sum())
        rows.append({**dict(zip([*by, "model"], key)), "family": g["family"].iloc[0],
                     "n": len(ok), "n_failed": int(g["status"].isin(["error", "timeout"]).sum()),
                     "n_skipped": int((g["status"] == "skipped").sum()),
                     "mean": has.mean() if len(has) else np.nan, "ci95": t_interval(values),
                     "std": has.std(ddof=1) if len(has) > 1 else np.nan,
                     "fit_s": ok["fit_s"].mean() if len(ok) else np.nan,
                     "min_test_count": float(min_test), "n_degenerate": n_deg,
                     "flags": flags(min_test, n_deg, len(ok))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(5))
def test_the_vectorised_leaderboard_equals_the_loop_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    status = rng.choice(["ok", "ok", "ok", "error", "timeout", "skipped"], n)
    cells = pd.DataFrame({
        "cell_id": [f"c{i}" for i in range(n)], "status": status,
        "dataset": rng.choice(["x", "y"], n), "ratio": rng.choice([1.0, 10.0], n),
        "model": rng.choice(["a", "b", "c", "d"], n), "family": "baseline",
        "sampler": rng.choice(["none", "smote"], n),
        "macro_f1": np.where((status == "ok") & (rng.uniform(size=n) > 0.1),
                             rng.uniform(size=n), np.nan),
        "fit_s": rng.uniform(size=n),
        "min_test_count": pd.array(np.where(status == "ok", rng.integers(2, 40, n), -1),
                                   dtype="Int64"),
        "degenerate": pd.array(np.where(status == "ok", rng.uniform(size=n) < 0.2, False),
                               dtype="boolean"),
    }).set_index(np.repeat(np.arange(n // 2), 2))  # a duplicated index must not matter
    cells["family"] = cells["model"].map({"a": "bagging", "b": "boosting", "c": "dnn", "d": "x"})
    cells.loc[cells["status"] != "ok", "min_test_count"] = pd.NA
    cells.loc[cells["model"] == "d", "status"] = "skipped"  # one configuration never runs
    for by in (["dataset", "ratio", "sampler"], ["ratio"], []):
        got = leaderboard(cells, "macro_f1", by=by)
        want = reference_leaderboard(cells, "macro_f1", by)
        merged = got.merge(want, on=[*by, "model"], suffixes=("", "_ref"), validate="1:1")
        assert len(merged) == len(want) == len(got)
        for col in ("n", "n_failed", "n_skipped", "n_degenerate", "flags", "family"):
            assert merged[col].tolist() == merged[f"{col}_ref"].tolist(), col
        for col in ("mean", "ci95", "std", "fit_s", "min_test_count"):
            assert np.allclose(merged[col].to_numpy(float), merged[f"{col}_ref"].to_numpy(float),
                               equal_nan=True, rtol=1e-12, atol=1e-12), col
        assert (got.loc[got["model"] == "d", "state"] == "skipped").all()
