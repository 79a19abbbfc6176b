"""Degenerate fits, made visible: a row says when its model predicted too few classes or could
not grow a leaf for a class.

Why: a LightGBM fitted on 12-26 rows with ``min_child_samples = 20`` predicts a constant, and its
scores look like any other row's; five models "tie for rank 1" on a set where all of them predict
only the majority class. Nothing here changes a result: these checks add the row's
``predicted_classes`` / ``min_test_count`` / ``degenerate`` columns and lines of its ``warnings``,
and the leaderboard flags the configurations.

Rules:

* ``predicted_classes``: distinct classes of the decision's predictions on the test part.
* ``degenerate``: the decision predicted a single class, or never predicted a class present in
  the test part (a warning names the labels and their test counts).
* ``min_test_count``: the smallest class count of the test part over all classes of the dataset
  (0 if a class has no test row).
* leaf size: a model parameter that sets the minimum rows (or hessian weight) of a leaf / child
  (``LEAF_PARAMS``; the cell's parameters over the registry defaults) larger than the rows of a
  class the model is fitted on (after resampling) gets a warning naming the parameter, its value,
  each such class and its count: no leaf can then hold that class alone. ``min_child_weight``
  (XGBoost) is a hessian sum, at most the row count, so comparing it with rows is a lower bound
  of the problem; a fractional ``min_samples_leaf`` (< 1, scikit-learn) is a share of all rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# minimum rows / weight of a leaf or child: LightGBM, scikit-learn forests and HGB, CatBoost
# (and LightGBM's alias), XGBoost
LEAF_PARAMS = ("min_child_samples", "min_samples_leaf", "min_data_in_leaf", "min_child_weight")


@dataclass(frozen=True)
class PredictionCheck:
    """What the decision predicted on the test part, and the warnings that says."""

    predicted_classes: int
    min_test_count: int
    degenerate: bool
    warnings: list[str] = field(default_factory=list)


def _names(codes: Sequence[int], labels: Sequence[str], counts: np.ndarray) -> str:
    return ", ".join(f"{labels[c]!r} ({int(counts[c])} test row{'' if counts[c] == 1 else 's'})"
                     for c in codes)


def check_predictions(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> PredictionCheck:
    """Distinct predicted classes, the smallest test class, and the degenerate-fit warnings."""
    k = len(labels)
    test_counts = np.bincount(np.asarray(y_true, dtype=np.int64), minlength=k)
    predicted = np.unique(np.asarray(y_pred, dtype=np.int64))
    missed = [int(c) for c in np.setdiff1d(np.flatnonzero(test_counts), predicted)]
    warnings: list[str] = []
    if len(predicted) == 1:
        only = labels[int(predicted[0])]
        never = f"; never predicted {_names(missed, labels, test_counts)}" if missed else ""
        warnings.append(f"degenerate fit: predicted the single class {only!r} for all "
                        f"{len(y_pred)} test rows{never}")
    elif missed:
        warnings.append(f"degenerate fit: never predicted {_names(missed, labels, test_counts)}, "
                        "present in the test part")
    return PredictionCheck(predicted_classes=int(len(predicted)),
                           min_test_count=int(test_counts.min()),
                           degenerate=bool(len(predicted) == 1 or missed), warnings=warnings)


def _threshold(name: str, value: Any, n_rows: int) -> float | None:
    """The minimum leaf size in rows, or None when the value is not a number we can compare."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if name == "min_samples_leaf" and isinstance(value, float) and 0 < value < 1:
        return float(math.ceil(value * n_rows))  # scikit-learn: a share of the fit rows
    return float(value)


def leaf_size_warnings(params: Mapping[str, Any], fitted_counts: np.ndarray,
                       labels: Sequence[str]) -> list[str]:
    """One warning per leaf-size parameter larger than the fitted rows of some class."""
    counts = np.asarray(fitted_counts, dtype=np.int64)
    out = []
    for name in LEAF_PARAMS:
        if name not in params:
            continue
        limit = _threshold(name, params[name], int(counts.sum()))
        if limit is None:
            continue
        small = [c for c in range(len(counts)) if 0 < counts[c] < limit]
        if small:
            classes = ", ".join(f"{labels[c]!r} ({int(counts[c])})" for c in small)
            out.append(f"leaf size: {name}={params[name]!r} exceeds the rows the model is fitted "
                       f"on of class {classes}: no leaf can hold that class alone; lower {name} "
                       "or give the cell more rows")
    return out
