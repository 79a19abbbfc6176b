"""The stratified seeded sample: proportional, a floor for rare classes, reproducible."""

from __future__ import annotations

import numpy as np

from bench.inspect.sample import sample_counts, stratified_sample


def test_all_rows_when_small() -> None:
    y = np.array([0, 1, 1, 2])
    assert stratified_sample(y, 10, seed=0).tolist() == [0, 1, 2, 3]


def test_proportional_with_a_floor() -> None:
    # 10,000 rows, 9,900 / 90 / 10; sample 1,000: 990, 9 -> floor 50, 1 -> all 10
    assert sample_counts(np.array([9900, 90, 10]), 1000).tolist() == [990, 50, 10]


def test_seeded_and_stratified() -> None:
    y = np.repeat([0, 1, 2], [5000, 3000, 2000])
    a = stratified_sample(y, 1000, seed=3)
    assert a.tolist() == stratified_sample(y, 1000, seed=3).tolist()
    assert a.tolist() != stratified_sample(y, 1000, seed=4).tolist()
    assert np.bincount(y[a]).tolist() == [500, 300, 200]
    assert len(set(a.tolist())) == len(a) and (np.diff(a) > 0).all()
