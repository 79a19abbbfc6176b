"""What a fitted model produced on the test part, validated once so every metric can trust it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def minority_class(fit_counts: Sequence[int] | np.ndarray, designated: Sequence[int] = ()) -> int:
    """The code of a cell's minority class: what every ``minority_*`` metric is about.

    Why: after ``random_under`` or ``smote`` the classes tie, so "the rarest class of the data the
    model was fitted on" would name the majority. The minority is a property of the cell instead:
    the rarest of the ``designated`` codes (the suite's ``[imbalance] minority``, resolved), else
    the rarest class of ``fit_counts``, the fit rows *before* resampling. Ties: the lowest code.
    """
    counts = np.asarray(fit_counts)
    pool = [int(c) for c in designated] or list(range(len(counts)))
    return min(pool, key=lambda c: (int(counts[c]), c))


@dataclass(frozen=True, eq=False)  # eq=False: arrays have no meaningful ==
class ScoreInput:
    """What a fitted model produced on the test part, validated once so metrics can trust it."""

    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray | None
    n_classes: int
    train_counts: np.ndarray
    # The cell's minority class code (`minority_class`); None: the rarest of train_counts. The
    # protocol always passes it, so resampled train_counts never decide which class it is.
    minority: int | None = None

    def __post_init__(self) -> None:
        k = int(self.n_classes)
        if k < 2:
            raise ValueError(f"n_classes must be >= 2, got {k}")
        ys = {}
        for name in ("y_true", "y_pred"):
            y = np.asarray(getattr(self, name))
            if y.ndim != 1 or (y.size and not np.issubdtype(y.dtype, np.integer)):
                raise ValueError(f"{name} must be a 1-D array of integer codes, got {y.dtype}{y.shape}")
            if y.size and (y.min() < 0 or y.max() >= k):
                raise ValueError(f"{name} codes must lie in 0..{k - 1}, got {y.min()}..{y.max()}")
            ys[name] = y.astype(np.int64)
        n = len(ys["y_true"])
        if len(ys["y_pred"]) != n:
            raise ValueError(f"y_true has {n} rows but y_pred has {len(ys['y_pred'])}")
        proba = None
        if self.proba is not None:
            proba = np.asarray(self.proba, dtype=np.float64)
            if proba.shape != (n, k):
                raise ValueError(f"proba must have shape ({n}, {k}), got {proba.shape}")
            if proba.size and not (np.isfinite(proba).all() and proba.min() >= 0 and proba.max() <= 1):
                raise ValueError("proba must hold finite probabilities in [0, 1]")
        counts = np.asarray(self.train_counts)
        if counts.shape != (k,):
            raise ValueError(f"train_counts must have length {k}, got shape {counts.shape}")
        minority = minority_class(counts) if self.minority is None else int(self.minority)
        if not 0 <= minority < k:
            raise ValueError(f"minority must be a class code in 0..{k - 1}, got {minority}")
        for name, value in (*ys.items(), ("proba", proba), ("n_classes", k), ("train_counts", counts),
                            ("minority", minority)):
            object.__setattr__(self, name, value)

    @property
    def labels(self) -> np.ndarray:
        """All class codes 0..k-1, passed to sklearn so absent classes still count."""
        return np.arange(self.n_classes)

    @property
    def present(self) -> np.ndarray:
        """Codes of the classes that occur in y_true (where recall/AP are defined)."""
        return np.flatnonzero(np.bincount(self.y_true, minlength=self.n_classes))
