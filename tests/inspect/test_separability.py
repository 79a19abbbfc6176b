"""Fisher ratio by hand and against scikit-learn's ANOVA F."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_selection import f_classif

from bench.inspect.separability import fisher_ratio, separability


def test_fisher_by_hand() -> None:
    # class 0: 0, 2 (mean 1); class 1: 4, 6 (mean 5); grand mean 3
    # between = 2*(1-3)^2 + 2*(5-3)^2 = 16; within = 1+1+1+1 = 4 -> 4
    X = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0], [6.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    ratio = fisher_ratio(X, y, 2)
    assert ratio[0] == pytest.approx(4.0)
    assert ratio[1] == 0.0  # a constant column separates nothing
    X2 = np.array([[0.0], [0.0], [1.0], [1.0]])  # no spread within, classes apart
    assert fisher_ratio(X2, y, 2)[0] == np.inf


def test_fisher_is_anova_f_rescaled() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 300)
    X = rng.standard_normal((300, 5)) + y[:, None] * np.array([0.0, 0.3, 1.0, 2.0, -0.5])
    F, _ = f_classif(X, y)
    k, n = 4, 300
    assert fisher_ratio(X, y, k) == pytest.approx(F * (k - 1) / (n - k), rel=1e-9)


def test_separating_feature_ranks_first() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 100)
    X = rng.standard_normal((300, 3))
    X[:, 2] += 4 * y
    df = separability(X, y, ["noise1", "noise2", "signal"], 3, np.arange(300), seed=0)
    assert list(df.columns) == ["feature", "fisher", "mutual_info"]
    assert df["feature"].iloc[0] == "signal"
    assert df["mutual_info"].iloc[0] > 0.5 > df["mutual_info"].iloc[1:].max()
