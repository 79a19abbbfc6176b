"""`--where k=v,…` filters: parse the option once, filter a `cells` frame by it.

Why: summaries, leaderboards, decisions and reports all answer a question about *part* of a store
(one dataset, some ratios, one model family); one parser and one filter give every command the
same syntax and the same errors.

Syntax (each `--where` may be repeated; all conditions must hold):

* ``key=value`` pairs separated by ``,``: ``dataset=wine,ratio=10``;
* ``|`` separates alternatives of one key: ``sampler=none|smote(k_neighbors=5)``;
* ``,`` and ``|`` inside brackets belong to the value, so a label as the store writes it works
  unquoted: ``model=dnn(batch_size=128,hidden=[256,256],max_epochs=30)``; elsewhere ``\\,``,
  ``\\|`` and ``\\\\`` stand for a literal comma, bar and backslash;
* a value without parentheses also matches the labels that add parameters to that name:
  ``model=random_forest`` matches ``random_forest(n_estimators=100)``;
* values are compared as text, numbers as numbers: ``ratio=10`` matches the stored ``10.0``.

A key that is not a column of the cells, a value that matches no cell, a key given twice or a
pair without ``=`` is a `CommandError` / `UnknownName` naming the key and the allowed values,
raised before anything is computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bench.core.errors import CommandError, UnknownName

# The columns a filter may name, in the order they are listed in messages (only those present in
# the cells are allowed; `tuning` exists in stores that record it).
WHERE_KEYS = ("dataset", "profile", "ratio", "minority", "test_prior", "sampler", "model",
              "family", "decomposition", "decision", "tuning", "status", "repeat", "fold")
_OPEN, _CLOSE = "([{", ")]}"

Where = dict[str, list[str]]


def _split(text: str, sep: str) -> list[str]:
    """Split at `sep` outside brackets and not escaped; escapes are kept for the next level."""
    parts, buf, depth, i = [], [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i:i + 2])
            i += 2
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        if ch == sep and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def parse_where(spec: str | Sequence[str] | None) -> Where:
    """``"dataset=wine,ratio=10|20"`` (or a list of such strings, one per `--where`) ->
    ``{"dataset": ["wine"], "ratio": ["10", "20"]}``; None or blanks -> ``{}``."""
    specs = [spec] if isinstance(spec, str) else list(spec or [])
    where: Where = {}
    for one in specs:
        for piece in _split(str(one), ","):
            if not piece.strip():
                continue
            key, sep, value = piece.partition("=")
            key = key.strip()
            if not sep:
                raise CommandError(
                    f"--where {piece.strip()!r}: expected key=value (e.g. dataset=wine,ratio=10; "
                    f"write \\, for a comma inside a value); keys: {', '.join(WHERE_KEYS)}")
            if not key:
                raise CommandError(f"--where {piece.strip()!r}: the key before '=' is missing; "
                                   f"keys: {', '.join(WHERE_KEYS)}")
            key = _unescape(key)
            values = [_unescape(v.strip()) for v in _split(value, "|")]
            if any(v == "" for v in values):
                raise CommandError(f"--where {piece.strip()!r}: {key} needs a value after '=' "
                                   "(alternatives are separated by '|')")
            if key in where:
                raise CommandError(f"--where: {key} is given twice; write one {key}=a|b for "
                                   "alternatives (conditions on different keys must all hold)")
            where[key] = list(dict.fromkeys(values))
    return where


def where_text(where: Mapping[str, Sequence[str]]) -> str:
    """The canonical one-line form of a filter (``dataset=wine, ratio=10|20``; ``""`` for none)."""
    return ", ".join(f"{k}={'|'.join(map(str, v))}" for k, v in where.items())


def _matches(column: pd.Series, value: str, key: str) -> pd.Series:
    """Rows of `column` that equal `value` (numbers as numbers, names with or without params)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        try:
            number = float(value)
        except ValueError:
            raise CommandError(f"--where {key}={value}: {key} takes a number") from None
        return pd.Series(np.isclose(column.astype(float), number, rtol=1e-12, atol=0.0),
                         index=column.index) & column.notna()
    text = column.astype("string").fillna("")
    hit = text == value
    if "(" not in value:
        hit = hit | text.str.startswith(value + "(")
    return hit.fillna(False).astype(bool)


def _shown(values: Sequence[object], limit: int = 20) -> str:
    shown = [f"{v:g}" if isinstance(v, float) else str(v) for v in values[:limit]]
    return ", ".join(shown) + (f", … ({len(values) - limit} more)" if len(values) > limit else "")


def filter_where(cells: pd.DataFrame,
                 where: Mapping[str, Sequence[str]] | str | Sequence[str] | None,
                 scope: str = "this store") -> pd.DataFrame:
    """The rows of `cells` that satisfy every condition (one of the alternatives per key).

    `where` is a parsed filter or the raw option value(s). Every key must be a column the cells
    have and every value must match some row, so a typo is an error listing what exists instead
    of an empty answer. The index is kept (callers join per-class tables by `cell_id`). `scope`
    names where the cells come from in those errors ("this store", "this suite").
    """
    if where is None or isinstance(where, str) or not isinstance(where, Mapping):
        where = parse_where(where)  # type: ignore[arg-type]
    if not where:
        return cells
    allowed = [k for k in WHERE_KEYS if k in cells.columns]
    keep = pd.Series(True, index=cells.index)
    for key, values in where.items():
        if key not in allowed:
            raise UnknownName(f"--where: unknown key {key!r}; allowed: {', '.join(allowed)}")
        column = cells[key]
        any_hit = pd.Series(False, index=cells.index)
        for value in values:
            hit = _matches(column, str(value), key)
            if not hit.any():
                present = column.dropna().unique().tolist()
                present = sorted(present, key=lambda v: (isinstance(v, str), v))
                raise UnknownName(f"--where {key}={value}: no cell has it; {key} in {scope}: "
                                  f"{_shown(present)}")
            any_hit |= hit
        keep &= any_hit
    if not keep.any():
        raise CommandError(f"--where {where_text(where)}: no cell satisfies every condition")
    return cells[keep]
