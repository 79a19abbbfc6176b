"""Terminal tables: long labels fold instead of being cut, so two labels never read the same."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console
from rich.table import Table

from bench.report.terminal import frame_table

PREFIX = "transactions-2024-europe-with-a-long-common-prefix-"


def first_column(table: Table, width: int) -> str:
    """The first column's text of a rendered table, its folded lines joined back together."""
    console = Console(width=width, file=io.StringIO(), record=True, emoji=False)
    console.print(table)
    text = console.export_text()
    assert "…" not in text  # nothing was cut with an ellipsis
    return "".join(ln.split("│")[1].strip() for ln in text.splitlines() if ln.startswith("│"))


def test_long_labels_fold_and_keep_their_distinct_ends() -> None:
    frame = pd.DataFrame({"dataset": [PREFIX + "north", PREFIX + "south"], "model": ["a", "b"],
                          "recall": [0.5, 0.25]})
    column = first_column(frame_table(frame, "Per-class recall"), width=40)
    assert column == PREFIX + "north" + PREFIX + "south"
