"""Feature preparation of a cell: categorical encoding and missing values, per model and sampler.

Why: real tables have categorical columns and holes. Some models take both natively (LightGBM,
XGBoost, CatBoost, HistGradientBoosting), the others need numbers without NaN; most samplers need
numbers without NaN too. Every transform here is fitted on the fit rows of the training part
only (never on validation or test rows), so nothing about held-out rows leaks into training.

The order in a cell (`bench.protocol`):

1. `Encoder.fit(X_fit)` on the fit rows only: the vocabulary of each categorical column (sorted
   distinct values), the median of each numeric column, the most frequent code of each
   categorical column.
2. `Encoder.transform(X)` for fit, validation and test rows: a float64 array with the columns in
   dataset order; numeric columns as numbers, categorical columns as ordinal codes 0..n-1 of the
   training vocabulary, a missing or unseen category as NaN. If the cell needs imputation, NaN
   then becomes the training median (numeric) or the training's most frequent code
   (categorical). Imputation is needed iff the model or the sampler cannot take NaN
   (`needs_imputation`): e.g. LightGBM with `none` keeps NaN, LightGBM with `smote` is imputed.
3. The sampler (fit rows only; inside the imblearn Pipeline, so it never sees other rows). With
   categorical columns, SMOTE becomes SMOTE-NC and neighbour-based samplers work in a one-hot
   space (`bench.sampling`), so resampled rows always carry valid category codes.
4. `ModelInput` (stateless; its vocabulary is the encoder's) turns the array into what the model
   takes: `numeric` (no categorical columns: the array as is), `native` (for models whose
   registry entry names a native categorical support, `ModelEntry.categorical`: the array as is,
   the categorical columns holding integer codes, NaN for missing or unseen, and
   `ModelContext.categorical` listing their positions), or `onehot` (every other model: each
   categorical column becomes one indicator column per training category, NaN -> all zeros).
   The validation rows given to early stopping go through the same step.

One-hot has a limit: a categorical column with more than `MAX_ONEHOT_LEVELS` (1,000) categories
in the fit rows is refused for a one-hot model input, with a `DataError` naming the column and
its count (one 100,000-level column once asked for a 36.5 GiB array). Models with native
categoricals take such a column as codes; otherwise leave it out with `drop = ["column"]`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from bench.core.errors import DataError

MISSING = "(missing)"
MODES = ("numeric", "onehot", "native")
MAX_ONEHOT_LEVELS = 1_000  # most categories of one column a one-hot model input expands to


def check_onehot_levels(columns: list[str], n_categories: list[int]) -> None:
    """Refuse a one-hot input that would expand a column beyond `MAX_ONEHOT_LEVELS` indicators."""
    big = [(c, n) for c, n in zip(columns, n_categories) if n > MAX_ONEHOT_LEVELS]
    if not big:
        return
    from bench.models.registry import MODELS

    native = sorted(e.name for e in MODELS if e.categorical)
    what = ", ".join(f"{c!r} has {n:,} categories" for c, n in big)
    raise DataError(
        f"categorical column(s) too wide for one-hot input: {what} in the fit rows (at most "
        f"{MAX_ONEHOT_LEVELS:,} per column: each category becomes one indicator column); use a "
        f"model with native categoricals ({', '.join(native)}) or leave the column out with "
        f"drop = {json.dumps([c for c, _ in big])}")


def needs_imputation(model_handles_missing: bool, sampler_handles_missing: bool) -> bool:
    """Impute iff some step after the encoder cannot take NaN."""
    return not (model_handles_missing and sampler_handles_missing)


def input_mode(has_categorical: bool, native_categorical: bool) -> str:
    if not has_categorical:
        return "numeric"
    return "native" if native_categorical else "onehot"


class Encoder:
    """Ordinal codes for categorical columns, optional imputation; fitted on training rows only."""

    def __init__(self, columns: list[str], categorical: list[str], impute: bool) -> None:
        self.columns = list(columns)
        self.categorical = [c for c in columns if c in set(categorical)]
        self.impute = impute
        self.cat_idx = [i for i, c in enumerate(self.columns) if c in set(self.categorical)]
        self.num_idx = [i for i in range(len(self.columns)) if i not in set(self.cat_idx)]

    # ---- fitting (training rows only) ----------------------------------------------------
    def fit(self, X: pd.DataFrame | np.ndarray) -> Encoder:
        """`X`: the fit rows, as a frame, or as a float64 array when no column is categorical."""
        self.vocab_: list[list[str]] = []
        for c in self.categorical:
            values = X[c].astype(object)  # type: ignore[call-overload]
            seen = sorted({str(v) for v in values[values.notna()]})
            self.vocab_.append(seen or [MISSING])
        self.n_fit_ = len(X)
        codes = self._raw(X)
        # every missing value, and only those, is NaN in the fit rows' codes (a category seen in
        # the fit rows always has a code), so they count the holes without a second pass over X
        holes = np.isnan(codes)
        self.n_missing_fit_ = int(holes.sum())
        self.fill_ = np.zeros(len(self.columns))
        numeric = codes[:, self.num_idx]
        if len(codes) and not holes[:, self.num_idx].any() and np.isfinite(numeric).all():
            self.fill_[self.num_idx] = np.median(numeric, axis=0)  # = per-column nanmedian here
        else:
            for i in self.num_idx:
                col = codes[:, i]
                self.fill_[i] = float(np.nanmedian(col)) if np.isfinite(col).any() else 0.0
        for i in self.cat_idx:
            col = codes[:, i]
            col = col[~np.isnan(col)].astype(np.int64)
            self.fill_[i] = float(np.bincount(col).argmax()) if len(col) else 0.0
        return self

    def _raw(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        if isinstance(X, np.ndarray):  # numeric columns only, already float64: a private copy
            if self.cat_idx:
                raise TypeError("an encoder with categorical columns transforms data frames")
            return np.array(X, dtype=np.float64)
        out = np.empty((len(X), len(self.columns)), dtype=np.float64)
        if self.num_idx:
            out[:, self.num_idx] = X.iloc[:, self.num_idx].to_numpy(dtype=np.float64,
                                                                    na_value=np.nan)
        for j, i in enumerate(self.cat_idx):
            values = X[self.columns[i]].astype(object)
            lookup = {v: float(c) for c, v in enumerate(self.vocab_[j])}
            # missing or unseen in training -> NaN
            out[:, i] = [np.nan if pd.isna(v) else lookup.get(str(v), np.nan) for v in values]
        return out

    def transform(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        out = self._raw(X)
        if self.impute:
            holes = np.isnan(out)
            if holes.any():
                out[holes] = np.broadcast_to(self.fill_, out.shape)[holes]
        return out

    # ---- what the next steps need ----------------------------------------------------------
    @property
    def n_categories(self) -> list[int]:
        return [len(v) for v in self.vocab_]

    def model_input(self, mode: str) -> ModelInput:
        return ModelInput(mode=mode, n_features=len(self.columns), cat_idx=list(self.cat_idx),
                          vocab=[list(v) for v in self.vocab_])

    def describe(self, mode: str) -> dict[str, Any]:
        """The preprocessing facts of a cell, for the results row."""
        return {
            "categorical": list(self.categorical),
            "n_categories": self.n_categories,
            "model_input": mode,
            "imputed": bool(self.impute),
            "missing_in_fit": self.n_missing_fit_,
            "n_features_in": len(self.columns),
            "n_features_model": self.model_input(mode).n_features_out,
        }


class ModelInput(BaseEstimator, TransformerMixin):
    """Stateless pipeline step between the sampler and the model (see the module docstring)."""

    def __init__(self, mode: str = "numeric", n_features: int = 0,
                 cat_idx: list[int] | None = None, vocab: list[list[str]] | None = None) -> None:
        self.mode = mode
        self.n_features = n_features
        self.cat_idx = cat_idx
        self.vocab = vocab

    @property
    def n_features_out(self) -> int:
        if self.mode != "onehot":
            return self.n_features
        return self.n_features - len(self.cat_idx or []) + sum(len(v) for v in self.vocab or [])

    def fit(self, X: Any, y: Any = None) -> ModelInput:
        if self.mode not in MODES:
            raise ValueError(f"model input mode {self.mode!r}; allowed: {', '.join(MODES)}")
        return self

    def _codes(self, col: np.ndarray, n: int) -> np.ndarray:
        codes = np.rint(col)
        codes[~((codes >= 0) & (codes < n))] = -1  # NaN or out of range: missing
        return codes.astype(np.int64)

    def transform(self, X: Any) -> Any:
        X = np.asarray(X, dtype=np.float64)
        cat_idx = list(self.cat_idx or [])
        if self.mode in ("numeric", "native") or not cat_idx:
            return X
        vocab = self.vocab or []
        if self.mode == "onehot":
            blocks = []
            where = dict(zip(cat_idx, range(len(cat_idx))))
            for i in range(X.shape[1]):
                if i not in where:
                    blocks.append(X[:, i:i + 1])
                    continue
                n = len(vocab[where[i]])
                codes = self._codes(X[:, i], n)
                onehot = np.zeros((len(X), n))
                ok = codes >= 0
                onehot[np.flatnonzero(ok), codes[ok]] = 1.0
                blocks.append(onehot)
            return np.hstack(blocks)
        raise ValueError(f"model input mode {self.mode!r}; allowed: {', '.join(MODES)}")


@dataclass(frozen=True)
class Prepared:
    """Encoded fit / validation / test arrays of a cell, and how they were made."""

    encoder: Encoder
    mode: str
    X_fit: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray

    @property
    def model_input(self) -> ModelInput:
        return self.encoder.model_input(self.mode)


def prepare(X: pd.DataFrame, categorical: list[str], fit_rows: np.ndarray, val_rows: np.ndarray,
            test_rows: np.ndarray, *, impute: bool, native_categorical: bool) -> Prepared:
    """Fit the encoder on the fit rows only, then transform all three parts.

    Without categorical columns the frame is converted to float64 once and the parts are row
    slices of that array (the same values as converting each part: conversion is elementwise).
    """
    enc = Encoder(list(X.columns), categorical, impute)
    parts: tuple[Any, Any, Any]
    if enc.cat_idx:
        parts = (X.iloc[fit_rows], X.iloc[val_rows], X.iloc[test_rows])
    else:
        values = X.to_numpy(dtype=np.float64, na_value=np.nan)
        parts = (values[fit_rows], values[val_rows], values[test_rows])
    enc.fit(parts[0])
    mode = input_mode(bool(enc.cat_idx), native_categorical)
    if mode == "onehot":
        check_onehot_levels(enc.categorical, enc.n_categories)
    return Prepared(enc, mode, *(enc.transform(part) for part in parts))
