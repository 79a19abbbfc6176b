"""Features as one standardized numeric matrix, for distances and projections.

Why a local encoder (not `bench.protocol.encode`): that one prepares a model's input per cell
and sits in a layer `bench.inspect` must not import. Here there is no model and no held-out
part: the whole inspected table is described, so fitting on it is the point, not a leak.

- numeric (and boolean) columns: missing values become the column median, then each column is
  standardized (mean 0, standard deviation 1; a constant column stays 0);
- categorical columns with at most `MAX_ONEHOT` categories: one 0/1 indicator column per
  category (`col=value`), a missing value is all zeros; two different categories add 2 to a
  squared distance, about what two rows of a standardized column typically differ by;
- categorical columns with more categories: ordinal codes (sorted categories), missing as the
  most frequent code, standardized like a numeric column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_ONEHOT = 30


def encode(X: pd.DataFrame, categorical: list[str]) -> tuple[np.ndarray, list[str]]:
    """(float64 matrix, column names) of the encoded, imputed, standardized features."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    cats = set(categorical)
    for col in X.columns:
        s = X[col]
        if col in cats or isinstance(s.dtype, pd.CategoricalDtype):
            cat = s.astype("category") if not isinstance(s.dtype, pd.CategoricalDtype) else s
            levels = list(cat.cat.categories)
            codes = cat.cat.codes.to_numpy()
            if len(levels) <= MAX_ONEHOT:
                onehot = (codes[:, None] == np.arange(len(levels))[None, :]).astype(np.float64)
                blocks.append(onehot)
                names += [f"{col}={lev}" for lev in levels]
                continue
            values = codes.astype(np.float64)
            if (codes < 0).any():
                present = codes[codes >= 0]
                values[codes < 0] = np.bincount(present).argmax() if len(present) else 0
            blocks.append(_standardize(values)[:, None])
            names.append(str(col))
            continue
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(values)
        if missing.any():
            values = values.copy()
            values[missing] = np.nanmedian(values) if (~missing).any() else 0.0
        blocks.append(_standardize(values)[:, None])
        names.append(str(col))
    return np.hstack(blocks) if blocks else np.zeros((len(X), 0)), names


def _standardize(values: np.ndarray) -> np.ndarray:
    sd = values.std()
    centred = values - values.mean()
    return centred / sd if sd > 0 else np.zeros_like(centred)
