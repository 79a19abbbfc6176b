"""Leaderboard views: a skipped or failed configuration is never ranked and says so; `--top`
keeps ties; per-class views never pool a class label over datasets."""

from __future__ import annotations

import io
import math

import numpy as np
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
