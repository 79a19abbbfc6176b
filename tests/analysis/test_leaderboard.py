"""Leaderboard: tiny test classes and degenerate fits are counted and flagged per configuration,
and the terminal table prints every value from the store literally."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from bench.analysis.leaderboard import MIN_TEST_ROWS, leaderboard
from bench.report.terminal import leaderboard_table


def cell(model: str, f1: float, test_counts: list[int], predicted: int | None,
         degenerate: bool | None, status: str = "ok", dataset: str = "d") -> dict:
    return {"cell_id": f"{model}-{len(ROWS)}", "status": status, "dataset": dataset, "model": model,
            "family": "baseline", "sampler": "none", "macro_f1": f1 if status == "ok" else np.nan,
            "fit_s": 0.1, "test_counts": json.dumps(test_counts) if status == "ok" else "",
            "min_test_count": min(test_counts) if status == "ok" else pd.NA,
            "predicted_classes": predicted if predicted is not None else pd.NA,
            "degenerate": degenerate if degenerate is not None else pd.NA}


ROWS: list[dict] = []


@pytest.fixture
def cells() -> pd.DataFrame:
    ROWS.clear()
    for row in [
        cell("a", 0.5, [40, 12], 2, False), cell("a", 0.4, [40, 8], 1, True),
        cell("a", 0.6, [40, 15], 2, False), cell("a", 0, [], None, None, status="error"),
        cell("b", 0.7, [40, 20], 2, False), cell("b", 0.8, [40, 25], 2, False),
    ]:
        ROWS.append(row)
    return pd.DataFrame(ROWS)


def test_min_test_count_and_degenerate_cells_per_configuration(cells: pd.DataFrame) -> None:
    board = leaderboard(cells, "macro_f1", by=[]).set_index("model")
    assert board.loc["a", "min_test_count"] == 8 and board.loc["b", "min_test_count"] == 20
    assert board.loc["a", "n_degenerate"] == 1 and board.loc["b", "n_degenerate"] == 0
    assert board.loc["a", "n"] == 3 and board.loc["a", "n_failed"] == 1  # failures not counted
    assert board.loc["a", "flags"] == f"test class n<{MIN_TEST_ROWS}, degenerate 1/3"
    assert board.loc["b", "flags"] == ""


def test_stores_written_before_the_columns_fall_back_to_test_counts(cells: pd.DataFrame) -> None:
    old = cells.drop(columns=["min_test_count", "degenerate"])
    board = leaderboard(old, "macro_f1", by=[]).set_index("model")
    assert board.loc["a", "min_test_count"] == 8  # from the test_counts JSON
    assert board.loc["a", "n_degenerate"] == 1  # one predicted class of two present
    older = old.drop(columns=["predicted_classes"])
    board = leaderboard(older, "macro_f1", by=[]).set_index("model")
    assert board.loc["a", "n_degenerate"] == 0 and board.loc["a", "flags"] == "test class n<10"


def test_every_model_predicting_one_class_is_flagged_even_when_they_tie(cells: pd.DataFrame) -> None:
    """abalone19 in the issue: five models 'tie for rank 1' because all predict the majority."""
    ROWS.clear()
    frame = pd.DataFrame([cell(m, 0.49, [300, 11], 1, True) for m in "xyz"])
    board = leaderboard(frame, "macro_f1", by=[])
    assert (board["rank"] == 1).all() and (board["flags"] == "degenerate 1/1").all()


def render(board: pd.DataFrame) -> tuple[str, str]:
    """(plain text, text with the terminal's escape codes) of the leaderboard table."""
    plain, ansi = io.StringIO(), io.StringIO()
    Console(file=plain, width=400, color_system=None).print(leaderboard_table(board))
    Console(file=ansi, width=400, force_terminal=True, color_system="truecolor").print(
        leaderboard_table(board))
    return plain.getvalue(), ansi.getvalue()


def test_table_shows_min_test_flags_and_a_legend(cells: pd.DataFrame) -> None:
    text, _ = render(leaderboard(cells, "macro_f1", by=[]))
    assert "min test" in text and "flags" in text
    assert "test class n<10, degenerate 1/3" in text
    legend = " ".join(text.split())  # the caption wraps at the table's width
    assert 'use test_prior = "natural" / "balanced" or more rows' in legend
    assert "degenerate k/n: k of n ok cells predicted a single class" in legend
    ROWS.clear()
    clean = pd.DataFrame([cell("b", 0.7, [40, 20], 2, False), cell("b", 0.8, [40, 25], 2, False)])
    assert "test class n<10:" not in render(leaderboard(clean, "macro_f1", by=[]))[0]


HOSTILE = ["[/x]", "[red]x[/red]", "[link=http://x]y[/link]", "<script>alert(1)</script>"]


def test_hostile_names_are_printed_literally() -> None:
    ROWS.clear()
    frame = pd.DataFrame([cell(name, 0.5, [40, 20], 2, False, dataset=name) for name in HOSTILE])
    board = leaderboard(frame, "macro_f1", by=["dataset"])
    text, ansi = render(board)
    for name in HOSTILE:
        assert text.count(name) == 2  # dataset and model columns, exactly as written
    assert "\x1b]8;" not in ansi  # no terminal hyperlink
    assert all(name in ansi for name in HOSTILE)  # markup stays text on a colour terminal too
