"""`bench leaderboard --format markdown|csv|json`: the per-slice leaderboard (and per-class
views) as text for files and other programs; computes nothing.

Markdown escapes every value from the store (`md_text`); CSV and JSON carry the raw values (JSON:
NaN is `null`, keys are the frame's columns) so a script reads exactly what the table shows.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence

import pandas as pd

from bench.report.markdown import md_table, md_text

FORMATS = ("table", "markdown", "csv", "json")


def _number(v: object, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}" if abs(v) < 1e4 else f"{v:.3g}"
    return str(v)


def _rank(r: pd.Series) -> str:
    return str(r.get("state", "—")) if math.isnan(r["rank"]) else str(int(r["rank"]))


def leaderboard_markdown(board: pd.DataFrame, per_class: Sequence[tuple[str, pd.DataFrame]] = (),
                         notes: Sequence[str] = ()) -> str:
    """The leaderboard as a markdown table (then the per-class tables and the notes)."""
    metric = board.attrs.get("metric", "metric")
    arrow = "↑" if board.attrs.get("direction", "max") == "max" else "↓"
    by = list(board.attrs.get("by", []))
    out = [f"### Leaderboard — {md_text(metric)} {arrow} "
           "(mean ± 95% CI over repeats × folds)", ""]
    head = [*map(md_text, by), "rank", "model", "family", f"{md_text(metric)} {arrow}", "n",
            "failed", "skipped", "min test", "fit_s", "flags"]
    right = frozenset(i for i, h in enumerate(head)
                      if h in ("ratio", "rank", "n", "failed", "skipped", "min test", "fit_s")
                      or h.startswith(md_text(metric)))
    rows = []
    for _, r in board.iterrows():
        ci = "" if math.isnan(r["ci95"]) else f" ± {r['ci95']:.4f}"
        keys = [f"{float(r[c]):g}" if c == "ratio" else md_text(r[c]) for c in by]
        rows.append([*keys, md_text(_rank(r)), md_text(r["model"]), md_text(r.get("family", "")),
                     _number(r["mean"]) + ci, str(int(r["n"])), str(int(r["n_failed"])),
                     str(int(r["n_skipped"])), _number(r.get("min_test_count"), 0),
                     _number(r["fit_s"], 2), md_text(r.get("flags", ""))])
    out += md_table(head, rows, right)
    if board.attrs.get("hidden"):
        out += ["", f"… {board.attrs['hidden']} more configuration(s) below the top "
                    f"{board.attrs.get('top')} of their slice"]
    for value, wide in per_class:
        out += ["", f"### Per-class {md_text(value)} (mean over repeats × folds, per dataset)", ""]
        numeric = frozenset(i for i, c in enumerate(wide.columns)
                            if pd.api.types.is_numeric_dtype(wide[c]))
        out += md_table([md_text(c) for c in wide.columns],
                        [[_number(v) if i in numeric else md_text(v) for i, v in enumerate(row)]
                         for row in wide.itertuples(index=False)], numeric)
    out += [""] + [f"- note: {md_text(n)}" for n in notes] if notes else []
    return "\n".join(out) + "\n"


def leaderboard_csv(board: pd.DataFrame) -> str:
    """The leaderboard frame as CSV (one row per slice × model, every column)."""
    buf = io.StringIO()
    board.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN / NA -> None, numpy scalars -> Python."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _plain(v: object) -> object:
    """A JSON value with full float precision (NaN / NA -> None)."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v
    return v


def leaderboard_json(board: pd.DataFrame, per_class: Sequence[tuple[str, pd.DataFrame]] = (),
                     notes: Sequence[str] = ()) -> str:
    """Every number of the view: `rows` (the leaderboard), `per_class` (value -> rows), notes."""
    doc = {"metric": board.attrs.get("metric"), "direction": board.attrs.get("direction"),
           "by": list(board.attrs.get("by", [])), "where": board.attrs.get("where", {}),
           "top": board.attrs.get("top"), "hidden": board.attrs.get("hidden", 0),
           "rows": _records(board),
           "per_class": {value: _records(wide) for value, wide in per_class},
           "notes": list(notes)}
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
