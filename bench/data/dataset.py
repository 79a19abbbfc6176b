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


class DatasetError(ValueError):
    """A dataset that cannot be benchmarked as given; the message says why and where."""


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


def from_arrays(
    name: str,
    X: np.ndarray | pd.DataFrame,
    y: np.ndarray | pd.Series,
    categorical: list[str] | None = None,
    description: str = "",
) -> Dataset:
    """Encode labels to codes (sorted original values) and validate."""
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(np.asarray(X), columns=[f"x{i}" for i in range(np.asarray(X).shape[1])])
    y_arr = np.asarray(y)
    if len(y_arr) != len(X):
        raise DatasetError(f"{name}: {len(X)} feature rows but {len(y_arr)} labels")
    if pd.isna(pd.Series(y_arr)).any():
        raise DatasetError(f"{name}: {int(pd.isna(pd.Series(y_arr)).sum())} rows have a missing label")
    uniques, codes = np.unique(y_arr, return_inverse=True)
    ds = Dataset(name, X.reset_index(drop=True), codes.astype(np.int64),
                 [str(u) for u in uniques], list(categorical or []), description)
    validate(ds)
    return ds


def validate(ds: Dataset) -> None:
    """Finite numbers or declared categoricals, at least two classes, at least one row each."""
    if len(ds.X) == 0:
        raise DatasetError(f"{ds.name}: the dataset has no rows")
    if ds.n_classes < 2:
        raise DatasetError(
            f"{ds.name}: only one class ({ds.labels[0] if ds.labels else 'none'}); need at least two"
        )
    for col in ds.X.columns:
        s = ds.X[col]
        if col in ds.categorical:
            continue
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            if pd.api.types.is_bool_dtype(s):
                continue
            raise DatasetError(
                f"{ds.name}: column {col!r} is not numeric (dtype {s.dtype}); declare it in "
                "`categorical` or drop it"
            )
        values = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise DatasetError(
                f"{ds.name}: column {col!r} has {int(np.isinf(values).sum())} infinite values"
            )
