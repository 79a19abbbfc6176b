"""The class-overlap matrix: where each class's rows find their nearest neighbours.

Why: a rare class whose rows sit among their own kind is rare, not inseparable; one whose rows'
neighbours mostly belong to other classes overlaps them, and no sampler changes that.

Definition (standardized features, Euclidean distance, each row's own entry excluded): for a row
of class c, take its `k_c = min(k, n_c - 1)` nearest neighbours (at least 1), where n_c is the
class's rows in the sample: a class of 6 rows cannot have 10 neighbours of its own, so a small
class is not called overlapping merely for being small. `M[c, d]` is the mean, over the rows of
class c, of the share of their neighbours in class d; each row of M sums to 1; `M[c, c]` is the
class's own share. M depends on the class prior (a rarer overlapping class finds even fewer of
its own), which is why it is computed under each imbalance profile.
"""

from __future__ import annotations

import numpy as np

DEFAULT_K = 10


def neighbour_indices(X: np.ndarray, k: int) -> np.ndarray:
    """(n, min(k, n-1)) indices of each row's nearest other rows, nearest first."""
    from sklearn.neighbors import NearestNeighbors

    n = len(X)
    k = min(k, n - 1)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(X)
    _, idx = nn.kneighbors(X)
    own = idx == np.arange(n)[:, None]
    # drop the row itself (duplicates may put it anywhere, or push it out: then drop the last)
    drop = np.where(own.any(axis=1), own.argmax(axis=1), k)
    keep = np.ones_like(idx, dtype=bool)
    keep[np.arange(n), drop] = False
    return idx[keep].reshape(n, k)


def overlap_matrix(y: np.ndarray, neighbours: np.ndarray, n_classes: int,
                   k: int = DEFAULT_K) -> np.ndarray:
    """(K, K) matrix M: row c = mean share of class-c rows' k_c neighbours in each class.

    A class without rows in the sample has a row of NaN.
    """
    y = np.asarray(y)
    counts = np.bincount(y, minlength=n_classes)
    M = np.full((n_classes, n_classes), np.nan)
    nb_labels = y[neighbours]
    for c in range(n_classes):
        rows = np.flatnonzero(y == c)
        if len(rows) == 0:
            continue
        k_c = max(1, min(k, int(counts[c]) - 1, neighbours.shape[1]))
        lab = nb_labels[rows, :k_c]
        M[c] = np.bincount(lab.ravel(), minlength=n_classes) / lab.size
    return M
