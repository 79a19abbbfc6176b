"""Imbalance profiles: a pure function from available counts to per-class target counts.

Why: sweeping the imbalance ratio on the *same* data is how users see where a model breaks;
the counts must be a documented, testable formula, not an accident of sampling.

Definitions (k classes, `available` counts n_c, ratio r >= 1):
- `natural`: the data as it is (targets = available).
- `step`: the minority classes get weight 1/r, the others weight 1 (the majority classes are made
  equal to each other).
- `linear`: weights evenly spaced from 1 down to 1/r, most frequent class first.
- `longtail`: geometric decay from 1 down to 1/r (weight_i = r^(-i/(k-1))), most frequent first,
  as in long-tailed benchmarks.
Targets are the largest counts with exactly that shape that the data can supply:
`t_c = floor(m * w_c + 0.5)` with `m = min_c n_c / w_c`, so no target exceeds what a class has and
the ratio max/min is achieved up to rounding. Classes given as `minority` take the smallest
weights (in the given order: the first is rarest); the remaining classes take the larger weights
in order of their natural frequency (ties: lower code first).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bench.data.dataset import DatasetError


def shape_weights(
    k: int, ratio: float, profile: str, order: Sequence[int], n_minority: int
) -> np.ndarray:
    """Relative class weights (max 1) for a profile; `order` lists codes from most to least frequent."""
    w = np.ones(k)
    if profile == "step":
        for c in list(order)[k - n_minority:]:
            w[c] = 1.0 / ratio
        return w
    if profile in ("linear", "longtail"):
        steps = np.arange(k) / max(k - 1, 1)
        levels = 1 - steps * (1 - 1 / ratio) if profile == "linear" else ratio ** (-steps)
        for rank, c in enumerate(order):
            w[c] = levels[rank]
        return w
    raise ValueError(f"unknown profile {profile!r}")


def frequency_order(available: np.ndarray, minority: Sequence[int]) -> list[int]:
    """Codes from most to least frequent, with the named minority classes last (first-named rarest)."""
    rest = [c for c in np.argsort(-available, kind="stable") if c not in set(minority)]
    return [int(c) for c in rest] + [int(c) for c in reversed(list(minority))]


def resolve_minority(available: np.ndarray, minority: Sequence[int] | str) -> list[int]:
    """`"rarest"` means the least frequent class (ties: the highest code)."""
    if isinstance(minority, str):
        if minority != "rarest":
            raise ValueError(f"minority {minority!r}; allowed: a list of labels or 'rarest'")
        return [int(len(available) - 1 - np.argmin(available[::-1]))]
    return [int(c) for c in minority]


def class_counts(
    available: Sequence[int] | np.ndarray,
    ratio: float,
    profile: str,
    minority: Sequence[int] | str = "rarest",
) -> np.ndarray:
    """Per-class target counts for `profile` at `ratio`, never above `available`.

    >>> class_counts([100, 100, 100], 10, "step", [2]).tolist()
    [100, 100, 10]
    """
    avail = np.asarray(available, dtype=np.int64)
    k = len(avail)
    if ratio < 1:
        raise ValueError(f"ratio must be >= 1, got {ratio}")
    if (avail <= 0).any():
        empty = [int(c) for c in np.flatnonzero(avail <= 0)]
        raise DatasetError(f"class(es) {empty} have no rows; counts are {avail.tolist()}")
    if profile == "natural":
        return avail.copy()
    minority_codes = resolve_minority(avail, minority)
    bad = [c for c in minority_codes if not 0 <= c < k]
    if bad:
        raise ValueError(f"minority class code(s) {bad} out of range for {k} classes")
    if profile == "step" and len(minority_codes) >= k:
        raise ValueError("step profile needs at least one class that is not minority")
    order = frequency_order(avail, minority_codes)
    w = shape_weights(k, ratio, profile, order, len(minority_codes))
    m = float(np.min(avail / w))
    targets = np.minimum(np.floor(m * w + 0.5).astype(np.int64), avail)
    if (targets < 1).any():
        vanished = [int(c) for c in np.flatnonzero(targets < 1)]
        raise DatasetError(
            f"ratio {ratio:g} with profile {profile!r} leaves class(es) {vanished} without rows "
            f"(available counts {avail.tolist()}, targets {targets.tolist()})"
        )
    return targets


def prior_counts(available: Sequence[int] | np.ndarray, prior: np.ndarray) -> np.ndarray:
    """The largest counts with class proportions `prior` that `available` can supply."""
    avail = np.asarray(available, dtype=np.int64)
    p = np.asarray(prior, dtype=float)
    p = p / p.sum()
    pos = p > 0
    m = float(np.min(avail[pos] / p[pos]))
    return np.minimum(np.floor(m * p + 0.5).astype(np.int64), avail)
