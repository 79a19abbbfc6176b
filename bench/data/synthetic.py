"""Synthetic datasets whose truth is known.

`seed-overlap` reproduces the failure that motivates this product: "0.99 recall on classes 0 and
1 and 0.03 on class 2". Each row is a flattened (20, 4) window: 20 time steps x 4 channels,
column `t{step}_c{channel}`. Noise is i.i.d. N(0, noise^2) on every feature.
- class 0 has mean pattern  mu0[t, c] =  separation * sin(2 pi t / 20 + c pi / 4)
- class 1 has mean pattern  mu1 = -mu0   (far from class 0: ~25 noise sd apart at the defaults;
  single features separate them by up to 4 sd, so trees find the regions easily too)
- class 2: a fraction `overlap` of its rows is drawn from class 0's or class 1's distribution
  (half each); the rest from its own pattern mu2[t, c] = separation * cos(4 pi t / 20 + c pi / 3).
Implied truth with balanced classes: inside class 0's region the posterior of class 2 is
(overlap / 2) / (1 + overlap / 2) ~= 0.33 < 0.67, so the Bayes-optimal argmax rule predicts 0 or 1
there. Class-2 recall under argmax is therefore ~= 1 - overlap (0.03), classes 0 and 1 reach
recall ~= 1, and class-0 precision ~= 1 / (1 + overlap / 2) (0.67). No sampler fixes that: the
class is not rare, it is overlapping. A decision rule can trade class-0/1 precision for class-2
recall. `bench inspect` style diagnostics should find the overlap, not the imbalance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.data.dataset import Dataset, DatasetError, from_arrays
from bench.data.registry import dataset

STEPS, CHANNELS = 20, 4


def seed_overlap_means(separation: float) -> np.ndarray:
    """The three class mean patterns, shape (3, 20, 4)."""
    t = np.arange(STEPS)[:, None]
    c = np.arange(CHANNELS)[None, :]
    mu0 = separation * np.sin(2 * np.pi * t / STEPS + c * np.pi / 4)
    mu2 = separation * np.cos(4 * np.pi * t / STEPS + c * np.pi / 3)
    return np.stack([mu0, -mu0, mu2])


@dataset(
    "seed-overlap",
    {"n_samples": 3000, "overlap": 0.97, "separation": 2.0, "noise": 1.0, "seed": 0},
    "3 classes, 80 features (20x4 window); class 2 mostly overlaps classes 0 and 1",
)
def seed_overlap(
    n_samples: int, overlap: float, separation: float, noise: float, seed: int
) -> Dataset:
    if not 0 <= overlap <= 1:
        raise DatasetError(f"seed-overlap: overlap must be in [0, 1], got {overlap}")
    if n_samples < 30:
        raise DatasetError(f"seed-overlap: n_samples must be >= 30, got {n_samples}")
    rng = np.random.default_rng(seed)
    means = seed_overlap_means(separation).reshape(3, -1)
    y = np.repeat(np.arange(3), [n_samples // 3 + (i < n_samples % 3) for i in range(3)])
    source = y.copy()
    is2 = np.flatnonzero(y == 2)
    n_overlap = int(round(overlap * len(is2)))
    borrowed = rng.permutation(is2)[:n_overlap]
    source[borrowed] = rng.permutation(np.arange(n_overlap) % 2)
    X = means[source] + noise * rng.standard_normal((len(y), means.shape[1]))
    cols = [f"t{t}_c{c}" for t in range(STEPS) for c in range(CHANNELS)]
    order = rng.permutation(len(y))
    return from_arrays("seed-overlap", pd.DataFrame(X[order], columns=cols), y[order],
                       description="3-class overlap fixture")


@dataset(
    "make-classification",
    {"n_samples": 2000, "n_classes": 3, "n_features": 20, "n_informative": 5,
     "class_sep": 1.0, "seed": 0},
    "scikit-learn's make_classification (balanced unless an imbalance profile is applied)",
)
def make_classification(
    n_samples: int, n_classes: int, n_features: int, n_informative: int, class_sep: float,
    seed: int,
) -> Dataset:
    from sklearn.datasets import make_classification as mk

    X, y = mk(n_samples=n_samples, n_classes=n_classes, n_features=n_features,
              n_informative=max(n_informative, int(np.ceil(np.log2(n_classes * 2)))),
              n_redundant=0, class_sep=class_sep, random_state=seed)
    return from_arrays("make-classification", X, y)
