"""Rich terminal tables for leaderboards and listings."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table


def _fmt(v: object, digits: int = 4) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "—"
        return f"{v:.{digits}f}" if abs(v) < 1e4 else f"{v:.3g}"
    return str(v)


def leaderboard_table(board: pd.DataFrame, title: str = "") -> Table:
    metric = board.attrs.get("metric", "metric")
    arrow = "↑" if board.attrs.get("direction", "max") == "max" else "↓"
    by = list(board.attrs.get("by", []))
    table = Table(title=title or f"Leaderboard — {metric} {arrow} (mean ± 95% CI over repeats × folds)")
    for col in [*by, "rank", "model", "family"]:
        table.add_column(col, justify="right" if col in ("rank", "ratio") else "left")
    table.add_column(f"{metric} {arrow}", justify="right")
    for col in ("n", "failed", "fit_s"):
        table.add_column(col, justify="right")
    for _, r in board.iterrows():
        mean = _fmt(r["mean"])
        ci = "" if math.isnan(r["ci95"]) else f" ± {r['ci95']:.4f}"
        failed = int(r["n_failed"])
        cells = [_fmt(r[c], 3) if c == "ratio" else str(r[c]) for c in by]
        rank = "—" if math.isnan(r["rank"]) else str(int(r["rank"]))
        table.add_row(*cells, rank, str(r["model"]), str(r["family"]), mean + ci, str(int(r["n"])),
                      f"[red]{failed}[/red]" if failed else "0", _fmt(r["fit_s"], 2))
    return table


def frame_table(df: pd.DataFrame, title: str = "") -> Table:
    table = Table(title=title)
    for col in df.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    for _, r in df.iterrows():
        table.add_row(*[_fmt(v) for v in r.tolist()])
    return table


def print_table(table: Table) -> None:
    Console(width=max(Console().width, 160)).print(table)
