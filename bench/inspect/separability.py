"""Per-feature separability: which single columns tell the classes apart.

- Fisher ratio (all rows): between-class over within-class sum of squares of the column,
  `sum_c n_c (mean_c - mean)^2 / sum_c sum_{i in c} (x_i - mean_c)^2`; 0 when the class means
  are equal, large when the classes sit apart relative to their spread. It equals scikit-learn's
  ANOVA F statistic times (K - 1) / (n - K). Linear and one column at a time: a class apart
  only in a combination of columns shows up in the ceiling and the projection, not here.
- mutual information (a sample of at most `MI_ROWS` rows, scikit-learn's k-NN estimator, nats):
  catches non-monotone dependence the Fisher ratio misses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MI_ROWS = 3000
CHUNK_ROWS = 65_536


def fisher_ratio(X: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Per column: between-class / within-class sum of squares (inf if within is 0 and between not)."""
    X = np.asarray(X, dtype=np.float64)
    counts = np.bincount(y, minlength=n_classes).astype(float)
    sums = np.zeros((n_classes, X.shape[1]))
    np.add.at(sums, y, X)
    present = counts > 0
    means = sums[present] / counts[present, None]
    grand = X.mean(axis=0)
    between = (counts[present, None] * (means - grand) ** 2).sum(axis=0)
    centres = sums / np.maximum(counts, 1)[:, None]
    within = np.zeros(X.shape[1])
    for start in range(0, len(X), CHUNK_ROWS):  # bounded memory on 600,000-row tables
        d = X[start:start + CHUNK_ROWS] - centres[y[start:start + CHUNK_ROWS]]
        within += np.einsum("ij,ij->j", d, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(within > 0, between / np.where(within > 0, within, 1.0),
                         np.where(between > 0, np.inf, 0.0))
    return ratio


def separability(X: np.ndarray, y: np.ndarray, names: list[str], n_classes: int,
                 sample: np.ndarray, seed: int) -> pd.DataFrame:
    """feature, fisher, mutual_info per encoded column, most separating (Fisher) first."""
    from sklearn.feature_selection import mutual_info_classif

    fisher = fisher_ratio(X, y, n_classes)
    rows = sample if len(sample) <= MI_ROWS else np.sort(
        np.random.default_rng(seed).choice(sample, MI_ROWS, replace=False))
    mi = mutual_info_classif(X[rows], y[rows], random_state=seed, n_neighbors=3)
    df = pd.DataFrame({"feature": names, "fisher": fisher, "mutual_info": mi})
    return df.sort_values(["fisher", "mutual_info"], ascending=False,
                          kind="stable").reset_index(drop=True)
