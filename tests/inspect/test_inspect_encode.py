"""The local encoder: standardized numbers, imputed holes, one-hot categories."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.inspect.encode import MAX_ONEHOT, encode


def test_numbers_imputed_and_standardized() -> None:
    X = pd.DataFrame({"x": [1.0, np.nan, 3.0, 5.0], "const": [2.0] * 4})
    Z, names = encode(X, [])
    assert names == ["x", "const"]
    # the hole becomes the median 3: [1, 3, 3, 5] -> mean 3, sd sqrt(2)
    assert np.allclose(Z[:, 0], np.array([-2, 0, 0, 2]) / np.sqrt(2))
    assert (Z[:, 1] == 0).all()


def test_categories_one_hot_missing_all_zero() -> None:
    X = pd.DataFrame({"c": pd.Categorical(["a", "b", None, "a"], categories=["a", "b"])})
    Z, names = encode(X, ["c"])
    assert names == ["c=a", "c=b"]
    assert Z.tolist() == [[1, 0], [0, 1], [0, 0], [1, 0]]


def test_many_categories_become_one_ordinal_column() -> None:
    levels = [f"v{i:03d}" for i in range(MAX_ONEHOT + 5)]
    X = pd.DataFrame({"c": pd.Categorical(levels + [None], categories=levels)})
    Z, names = encode(X, ["c"])
    assert names == ["c"] and Z.shape == (len(levels) + 1, 1)
    assert abs(Z[:, 0].mean()) < 1e-12 and np.isfinite(Z).all()
