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
     "class_sep": 1.0, "weights": [], "flip_y": 0.01, "seed": 0},
    "scikit-learn's make_classification; `weights` (class proportions, default balanced) and "
    "`flip_y` (share of labels assigned at random)",
)
def make_classification(
    n_samples: int, n_classes: int, n_features: int, n_informative: int, class_sep: float,
    weights: list[float], flip_y: float, seed: int,
) -> Dataset:
    from sklearn.datasets import make_classification as mk

    if weights and (len(weights) not in (n_classes, n_classes - 1)
                    or any(not w > 0 for w in weights)):
        raise DatasetError(f"make-classification: weights {weights} must be {n_classes} (or "
                           f"{n_classes - 1}) positive class proportions")
    if not 0 <= flip_y < 1:
        raise DatasetError(f"make-classification: flip_y must be in [0, 1), got {flip_y}")
    X, y = mk(n_samples=n_samples, n_classes=n_classes, n_features=n_features,
              n_informative=max(n_informative, int(np.ceil(np.log2(n_classes * 2)))),
              n_redundant=0, class_sep=class_sep, weights=list(weights) or None, flip_y=flip_y,
              random_state=seed)
    return from_arrays("make-classification", X, y)


def longtail_counts(n_classes: int, n_max: int, imbalance: float) -> np.ndarray:
    """n_c = round(n_max * imbalance^(-c / (k-1))): class 0 is the head, class k-1 the tail."""
    c = np.arange(n_classes)
    return np.floor(n_max * imbalance ** (-c / max(n_classes - 1, 1)) + 0.5).astype(np.int64)


@dataset(
    "longtail",
    {"n_classes": 10, "n_max": 500, "imbalance": 100.0, "n_features": 20, "n_informative": 10,
     "class_sep": 2.0, "noise": 1.0, "seed": 0},
    "naturally long-tailed Gaussian classes: n_c = n_max * imbalance^(-c/(k-1)), class 0 the head",
)
def longtail(n_classes: int, n_max: int, imbalance: float, n_features: int, n_informative: int,
             class_sep: float, noise: float, seed: int) -> Dataset:
    """Class centres ~ N(0, class_sep^2) in the first `n_informative` features (the rest are
    noise only); rows ~ N(centre, noise^2). Labels are 0..k-1, most to least frequent."""
    if n_classes < 2 or not 1 <= imbalance <= 1000:
        raise DatasetError("longtail: needs n_classes >= 2 and 1 <= imbalance <= 1000")
    if not 1 <= n_informative <= n_features:
        raise DatasetError("longtail: needs 1 <= n_informative <= n_features")
    counts = longtail_counts(n_classes, n_max, imbalance)
    if counts.min() < 2:
        raise DatasetError(f"longtail: n_max {n_max} / imbalance {imbalance:g} leaves the rarest "
                           f"class {counts.min()} row(s); counts would be {counts.tolist()}")
    rng = np.random.default_rng(seed)
    centres = np.zeros((n_classes, n_features))
    centres[:, :n_informative] = class_sep * rng.standard_normal((n_classes, n_informative))
    y = np.repeat(np.arange(n_classes), counts)
    X = centres[y] + noise * rng.standard_normal((len(y), n_features))
    order = rng.permutation(len(y))
    cols = [f"x{i}" for i in range(n_features)]
    return from_arrays("longtail", pd.DataFrame(X[order], columns=cols), y[order],
                       description=f"long-tailed classes {counts.tolist()}")
