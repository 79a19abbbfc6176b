"""A stratified, seeded sample of rows: what neighbours, the ceiling and projections use.

Why: k-NN on 600,000 rows costs quadratic time; a sample of a few thousand rows per class
describes the overlap as well. Rule (n rows, sample size m, class counts n_c): all rows when
n <= m; else each class keeps `max(round(m * n_c / n), min(n_c, floor))` rows, drawn without
replacement by a generator seeded with `seed`. Proportional allocation keeps the class prior
(the recall ceiling depends on it); the floor (`MIN_PER_CLASS` = 50 rows, or all of a smaller
class) keeps a rare class visible at a small cost in prior (reported: `n_sampled` per class).
"""

from __future__ import annotations

import numpy as np

MIN_PER_CLASS = 50


def sample_counts(counts: np.ndarray, size: int, floor: int = MIN_PER_CLASS) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n <= size:
        return counts.copy()
    prop = np.floor(size * counts / n + 0.5).astype(np.int64)
    return np.minimum(counts, np.maximum(prop, np.minimum(counts, floor)))


def stratified_sample(y: np.ndarray, size: int, seed: int,
                      floor: int = MIN_PER_CLASS) -> np.ndarray:
    """Sorted row indices of the sample (all rows when there are at most `size`)."""
    y = np.asarray(y)
    counts = np.bincount(y)
    targets = sample_counts(counts, size, floor)
    if (targets == counts).all():
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    keep = [rng.choice(np.flatnonzero(y == c), size=int(t), replace=False)
            for c, t in enumerate(targets) if t > 0]
    return np.sort(np.concatenate(keep))
