"""What a fitted model produced on the test part, validated once so every metric can trust it.

Why: a cell is scored by ~20 metrics plus a per-class table; each is a cheap function of a few
shared statistics (the confusion matrix, per-class counts, each probability column sorted once),
which `ScoreInput` computes on first use and keeps. scikit-learn would re-validate the labels,
rebuild the confusion matrix and re-sort the scores in every call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bench.metrics import curves


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


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)  # eq=False: arrays have no meaningful ==
class ScoreInput:
    """What a fitted model produced on the test part, validated once so metrics can trust it.

    The arrays are private read-only copies: the statistics derived from them are computed once
    and cached, so they must not change under the caches.
    """

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
            ys[name] = _frozen(y.astype(np.int64))
        n = len(ys["y_true"])
        if len(ys["y_pred"]) != n:
            raise ValueError(f"y_true has {n} rows but y_pred has {len(ys['y_pred'])}")
        proba = None
        if self.proba is not None:
            proba = _frozen(np.array(self.proba, dtype=np.float64))  # a copy: the caches stay true
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

    # Derived statistics: computed on first use, then shared by every metric (cached_property
    # writes the instance __dict__ directly, so it works on this frozen dataclass).

    @cached_property
    def labels(self) -> np.ndarray:
        """All class codes 0..k-1 (absent classes still count)."""
        return np.arange(self.n_classes)

    @cached_property
    def confusion(self) -> np.ndarray:
        """k x k int64 counts, rows = true class, columns = predicted class."""
        k = self.n_classes
        return np.bincount(self.y_true * k + self.y_pred, minlength=k * k).reshape(k, k)

    @cached_property
    def true_counts(self) -> np.ndarray:
        """Rows of each class in y_true (the support), int64."""
        return self.confusion.sum(axis=1)

    @cached_property
    def pred_counts(self) -> np.ndarray:
        """Rows predicted as each class, int64."""
        return self.confusion.sum(axis=0)

    @cached_property
    def hits(self) -> np.ndarray:
        """Correct predictions per class (the confusion diagonal), int64."""
        return np.diagonal(self.confusion).copy()

    @cached_property
    def present(self) -> np.ndarray:
        """Codes of the classes that occur in y_true (where recall/AP are defined)."""
        return np.flatnonzero(self.true_counts)

    @cached_property
    def _orders(self) -> dict[int, np.ndarray]:
        return {}

    def order(self, c: int) -> np.ndarray:
        """Row indices sorted by descending ``proba[:, c]`` (sorted once per class)."""
        if c not in self._orders:
            assert self.proba is not None
            self._orders[c] = np.argsort(-self.proba[:, c], kind="stable")
        return self._orders[c]

    @cached_property
    def _ap(self) -> dict[int, float]:
        return {}

    def average_precision(self, c: int) -> float:
        """One-vs-rest average precision of class ``c``; the caller checks that c occurs in y_true."""
        if c not in self._ap:
            assert self.proba is not None
            rows = self.order(c)
            self._ap[c] = curves.average_precision(*curves.threshold_counts(self.y_true[rows] == c,
                                                                            self.proba[rows, c]))
        return self._ap[c]
