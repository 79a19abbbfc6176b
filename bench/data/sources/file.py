"""`file`: your own table (parquet or CSV) as a dataset.

Suite entry (relative paths are resolved against the working directory `bench` runs in):

    [[datasets]]
    name = "file"
    path = "suites/data/example.parquet"   # .parquet / .pq, or .csv / .tsv / .txt
    target = "label"                       # the class column: strings or integers
    features = []                          # columns to use (default: all but target and drop)
    drop = ["id"]                          # columns to leave out
    categorical = ["merchant_type"]        # declared categoricals, or "auto"
    sep = ","                              # CSV field separator

Labels keep their original names (codes follow their sorted order). Categorical columns are the
declared ones plus any column the file itself types as categorical (a pandas `category` column
saved to parquet); with `categorical = "auto"` every non-numeric column is categorical too. Any
other non-numeric column is an error naming it, as are a missing target column, an empty file, a
single class, infinite values, missing labels and a column name the header repeats (pandas
would silently rename the second `x` to `x.1`): all before any fitting. Missing feature values
are kept (never dropped rows); `bench.protocol.encode` handles them per model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from bench.data.dataset import Dataset, DatasetError, from_arrays
from bench.data.registry import dataset
from bench.core.params import REQUIRED

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
FORMATS = ("auto", "csv", "parquet")
PARAMS = {"path": REQUIRED, "target": REQUIRED, "features": [], "drop": [], "categorical": None,
          "sep": ",", "format": "auto"}


def _format(path: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise DatasetError(f"{path}: unknown file type {suffix!r}; use {', '.join(PARQUET_SUFFIXES + CSV_SUFFIXES)} "
                       "or set format = \"csv\" / \"parquet\"")


def _existing(path: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise DatasetError(f"file not found: {path} (relative paths are resolved against the "
                           "working directory)")
    if p.stat().st_size == 0:
        raise DatasetError(f"{path}: the file is empty")
    return p


def _header(p: Path, kind: str, sep: str) -> tuple[list[str], list[str]]:
    """(names as the file spells them, names as pandas will call them). They differ for a CSV
    header that repeats a name: pandas renames the second `x` to `x.1` without a word."""
    if kind == "parquet":
        import pyarrow.parquet as pq

        names = [n for n in pq.read_schema(p).names if not n.startswith("__index_level_")]
        return names, names
    first = pd.read_csv(p, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False)
    raw = [str(c) for c in first.iloc[0]] if len(first) else []
    return raw, [str(c) for c in pd.read_csv(p, sep=sep, nrows=0).columns]


def _no_duplicates(path: str, names: list[str]) -> None:
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise DatasetError(f"{path}: duplicate column name(s) {dups} in the header; every column "
                           "needs its own name (rename them in the file)")


def _checked_header(path: str, p: Path, kind: str, sep: str) -> list[str]:
    """The column names pandas will give, after refusing a header that repeats a name."""
    try:
        raw, names = _header(p, kind, sep)
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{path}: the file is empty (no header)") from None
    except Exception as exc:  # noqa: BLE001 — any reader failure is a data problem to report
        raise DatasetError(f"{path}: cannot read as {kind}: {type(exc).__name__}: {exc}") from None
    _no_duplicates(path, raw)
    return names


def read_columns(path: str, sep: str = ",", fmt: str = "auto") -> list[str]:
    """Column names from the file header only (cheap; for suite validation)."""
    p = _existing(path)
    return _checked_header(path, p, _format(p, fmt), sep)


def read_table(path: str, sep: str = ",", fmt: str = "auto") -> pd.DataFrame:
    p = _existing(path)
    kind = _format(p, fmt)
    _checked_header(path, p, kind, sep)  # a repeated column name is an error, not a silent rename
    try:
        if kind == "parquet":
            return pd.read_parquet(p)
        return pd.read_csv(p, sep=sep)
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{path}: the file is empty (no header)") from None
    except Exception as exc:  # noqa: BLE001
        raise DatasetError(f"{path}: cannot read as {kind}: {type(exc).__name__}: {exc}") from None


def _categorical_spec(value: Any) -> list[str] | str:
    if value is None:
        return []
    if value == "auto":
        return "auto"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise DatasetError(f"categorical: {value!r}; allowed: a list of column names or \"auto\"")


def select_columns(
    columns: list[str], target: str, features: list[str], drop: list[str], categorical: Any
) -> tuple[list[str], list[str] | str]:
    """The feature columns and the categorical spec, or a DatasetError naming the bad name."""
    if target not in columns:
        raise DatasetError(f"target: column {target!r} not found; columns are {columns}")
    for key, names in (("features", features), ("drop", drop)):
        unknown = [c for c in names if c not in columns]
        if unknown:
            raise DatasetError(f"{key}: column(s) {unknown} not found; columns are {columns}")
    if target in features:
        raise DatasetError(f"features: the target column {target!r} cannot be a feature")
    chosen = [c for c in (features or columns) if c != target and c not in drop]
    if not chosen:
        raise DatasetError("features: no feature columns left after `features` and `drop`")
    spec = _categorical_spec(categorical)
    if isinstance(spec, list):
        unknown = [c for c in spec if c not in chosen]
        if unknown:
            raise DatasetError(f"categorical: column(s) {unknown} are not among the feature "
                               f"columns {chosen}")
    return chosen, spec


def check(params: dict[str, Any]) -> list[str]:
    """Suite-time checks that need only the file header."""
    if params.get("format") not in FORMATS:
        return [f"format: {params.get('format')!r}; allowed: {', '.join(FORMATS)}"]
    try:
        columns = read_columns(params["path"], params["sep"], params["format"])
    except DatasetError as exc:
        return [f"path: {exc}"]
    try:  # these messages start with the parameter they are about
        select_columns(columns, params["target"], params["features"], params["drop"],
                       params["categorical"])
    except DatasetError as exc:
        return [str(exc)]
    return []


def load_frame(name: str, df: pd.DataFrame, target: str, features: list[str], drop: list[str],
               categorical: Any, description: str = "") -> Dataset:
    """A table with a target column -> validated Dataset (shared by `file` and `openml`)."""
    if len(df) == 0:
        raise DatasetError(f"{name}: the table has a header but no rows")
    df.columns = [str(c) for c in df.columns]
    try:
        chosen, spec = select_columns(list(df.columns), target, features, drop, categorical)
    except DatasetError as exc:
        raise DatasetError(f"{name}: {exc}") from None
    X = df[chosen]
    detected = [c for c in chosen if isinstance(X[c].dtype, pd.CategoricalDtype)]
    if spec == "auto":
        detected += [c for c in chosen if c not in detected
                     and not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
        declared: list[str] = []
    else:
        declared = list(spec)
    cats = [c for c in chosen if c in set(declared) | set(detected)]
    return from_arrays(name, X, df[target], categorical=cats, description=description)


@dataset("file", PARAMS, "a parquet or CSV file: path, target, optional features / drop / "
         "categorical (list or \"auto\")", check=check)
def file_dataset(path: str, target: str, features: list[str], drop: list[str], categorical: Any,
                 sep: str, format: str) -> Dataset:  # noqa: A002 — the suite's key
    if format not in FORMATS:
        raise DatasetError(f"format {format!r}; allowed: {', '.join(FORMATS)}")
    df = read_table(path, sep, format)
    return load_frame(Path(path).name, df, target, list(features), list(drop), categorical,
                      description=f"file {path}")
