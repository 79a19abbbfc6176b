"""The in-memory dataset every source produces, and its validation.

Why: models, samplers and metrics all assume integer class codes 0..k-1 and finite numeric
features (or declared categoricals); checking that once, with a precise message, is what turns a
bad file into an error before any fitting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bench.core.errors import DataError

DatasetError = DataError  # a dataset that cannot be benchmarked as given; the message says why


@dataclass
class Dataset:
    name: str
    X: pd.DataFrame
    y: np.ndarray  # int codes 0..k-1
    labels: list[str]  # original label of each code, for reports
    categorical: list[str] = field(default_factory=list)
    description: str = ""

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    @property
    def counts(self) -> np.ndarray:
        return np.bincount(self.y, minlength=self.n_classes)

    @property
    def fingerprint(self) -> str:
        """Content hash of features and labels: a changed dataset makes results not comparable."""
        h = hashlib.sha256()
        h.update(",".join(map(str, self.X.columns)).encode())
        h.update(pd.util.hash_pandas_object(self.X, index=False).to_numpy().tobytes())
        h.update(np.ascontiguousarray(self.y, dtype=np.int64).tobytes())
        h.update("\x1f".join(self.labels).encode())
        return h.hexdigest()[:16]


def _label_values(name: str, y: np.ndarray | pd.Series) -> np.ndarray:
    """Labels as a sortable array: integral floats become ints, mixed objects become strings."""
    s = pd.Series(y).reset_index(drop=True)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    s = s.infer_objects()
    missing = int(s.isna().sum())
    if missing:
        raise DatasetError(f"{name}: {missing} row(s) have a missing label; rows are never dropped "
                           "silently: fill or remove them in the file")
    if pd.api.types.is_float_dtype(s) and np.all(np.mod(s.to_numpy(dtype=float), 1) == 0):
        return s.to_numpy(dtype=np.int64)
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return s.to_numpy()
    return s.astype(str).to_numpy()


def as_categorical(s: pd.Series) -> pd.Series:
    """A declared categorical column: string categories (sorted), missing values stay missing."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    values = s.map(lambda v: v if pd.isna(v) else (str(int(v)) if isinstance(v, float)
                                                     and float(v).is_integer() else str(v)))
    cats = sorted(values.dropna().unique())
    return pd.Series(pd.Categorical(values, categories=cats), index=s.index, name=s.name)


def from_arrays(
    name: str,
    X: np.ndarray | pd.DataFrame,
    y: np.ndarray | pd.Series,
    categorical: list[str] | None = None,
    description: str = "",
) -> Dataset:
    """Encode labels to codes (sorted original values), make declared categoricals `category`
    columns of strings, and validate."""
    if not isinstance(X, pd.DataFrame):
        arr = np.asarray(X)
        X = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
    if len(np.asarray(y)) != len(X):
        raise DatasetError(f"{name}: {len(X)} feature rows but {len(np.asarray(y))} labels")
    y_arr = _label_values(name, y)
    uniques, codes = np.unique(y_arr, return_inverse=True)
    X = X.reset_index(drop=True).copy()
    X.columns = [str(c) for c in X.columns]
    categorical = [str(c) for c in (categorical or [])]
    unknown = [c for c in categorical if c not in X.columns]
    if unknown:
        raise DatasetError(f"{name}: categorical column(s) {unknown} not found; columns are "
                           f"{list(X.columns)}")
    for col in categorical:
        X[col] = as_categorical(X[col])
    ds = Dataset(name, X, codes.astype(np.int64).ravel(), [str(u) for u in uniques],
                 categorical, description)
    validate(ds)
    return ds


def validate(ds: Dataset) -> None:
    """Before any fitting: rows, features and two classes; every feature numeric and finite or a
    declared categorical; no column without a single value. Missing values are allowed (each
    model's preprocessing handles them, see `bench.protocol.encode`); infinite values are not."""
    if len(ds.X) == 0:
        raise DatasetError(f"{ds.name}: the dataset has no rows")
    if ds.X.shape[1] == 0:
        raise DatasetError(f"{ds.name}: the dataset has no feature columns")
    if ds.X.columns.duplicated().any():
        dup = sorted(set(ds.X.columns[ds.X.columns.duplicated()]))
        raise DatasetError(f"{ds.name}: duplicate column name(s) {dup}")
    if ds.n_classes < 2:
        raise DatasetError(
            f"{ds.name}: only one class ({ds.labels[0] if ds.labels else 'none'!r}, "
            f"{len(ds.y)} rows); a classification benchmark needs at least two"
        )
    for col in ds.X.columns:
        s = ds.X[col]
        if s.isna().all():
            raise DatasetError(f"{ds.name}: column {col!r} has no values (all {len(s)} missing); "
                               "drop it")
        if col in ds.categorical:
            continue
        if pd.api.types.is_bool_dtype(s):
            continue
        if not pd.api.types.is_numeric_dtype(s):
            example = s.dropna().iloc[0]
            raise DatasetError(
                f"{ds.name}: column {col!r} is not numeric (dtype {s.dtype}, e.g. {example!r}) and "
                f"not declared categorical; declare it (categorical = [\"{col}\"] or "
                f"categorical = \"auto\") or drop it (drop = [\"{col}\"])"
            )
        values = s.to_numpy(dtype=float, na_value=np.nan)
        n_inf = int(np.isinf(values).sum())
        if n_inf:
            first = int(np.flatnonzero(np.isinf(values))[0])
            raise DatasetError(
                f"{ds.name}: column {col!r} has {n_inf} infinite value(s) (first at row {first}); "
                "replace them (e.g. by missing values) before benchmarking"
            )
