"""`bench leaderboard`: the leaderboard (and per-class views) of a store, as frames to render."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.analysis.leaderboard import leaderboard, per_class_recall, top_per_slice
from bench.analysis.where import filter_where, parse_where
from bench.core.errors import CommandError
from bench.core.plugins import load_plugins
from bench.store import Store, read_cells, store_metric

PER_CLASS_VALUES = ("recall", "precision", "f1", "average_precision")


@dataclass
class LeaderboardView:
    board: pd.DataFrame
    per_class: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def split_list(value: str | None) -> list[str]:
    """`"a, b,,c"` -> `["a", "b", "c"]` (comma-separated CLI values)."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def leaderboard_view(store: str | Path, metric: str | None = None, by: str | None = None,
                     per_class: str | None = None, where: str | list[str] | None = None,
                     top: int | None = None) -> LeaderboardView:
    """Rank models per slice by `metric` (default: the suite's, from meta.json), over the cells
    `where` selects (`bench.analysis.where`), showing the `top` ranks of each slice."""
    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) can be ranked by
    values = split_list(per_class)
    bad = [v for v in values if v not in PER_CLASS_VALUES]
    if bad:
        raise CommandError(f"--per-class {','.join(bad)}: allowed: {', '.join(PER_CLASS_VALUES)}")
    if top is not None and top < 1:
        raise CommandError(f"--top {top}: must be at least 1")
    conditions = parse_where(where)  # malformed filters fail before the store is read
    cells = filter_where(read_cells(store), conditions)
    metric = metric or store_metric(store)
    by_cols = split_list(by) or None
    board = leaderboard(cells, metric, by_cols)
    shown = top_per_slice(board, top)
    shown.attrs.update(board.attrs, where=conditions, top=top,
                       hidden=shown.attrs.get("hidden", 0))
    view = LeaderboardView(shown)
    for value in values:
        wide = per_class_recall(cells, Store(store).read("per_class"), by_cols, value)
        if wide.empty:
            view.notes.append(f"no per-class rows for {value} in {store}")
        else:
            view.per_class.append((value, wide))
    return view
