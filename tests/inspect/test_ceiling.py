"""Recall ceiling and Bayes error: known truths, and the bootstrap interval's width."""

from __future__ import annotations

import numpy as np
import pytest

from bench.inspect.ceiling import N_BOOT, _share_interval, recall_ceiling
from inspect_helpers import blobs


def test_share_interval_matches_the_binomial_standard_error() -> None:
    p, sd, lo, hi = _share_interval(30, 100, np.random.default_rng(0))
    assert p == 0.3
    assert sd == pytest.approx(np.sqrt(0.3 * 0.7 / 100), rel=0.1)  # N_BOOT resamples
    assert lo < 0.3 < hi and hi - lo == pytest.approx(2 * 1.96 * sd, rel=0.2)
    assert N_BOOT >= 200
    assert all(np.isnan(_share_interval(1, 1, np.random.default_rng(0))))


def test_separable_classes_reach_one() -> None:
    ds = blobs((80, 80, 20))
    c = recall_ceiling(ds.X.to_numpy(), ds.y, 3, seed=0)
    assert c.recall.tolist() == [1.0, 1.0, 1.0] and c.bayes_error == 0.0


def test_a_copy_of_another_class_loses_to_the_larger_one() -> None:
    """Class 2 drawn from class 0's distribution with half its rows: the argmax rule gives the
    shared region to class 0 (posterior 2/3), so class 2's ceiling is near 0 and class 0's
    near 1; the Bayes error is about class 2's share (50 / 250)."""
    ds = blobs((100, 100, 50), overlap_last=True, seed=2)
    c = recall_ceiling(ds.X.to_numpy(), ds.y, 3, seed=0)
    assert c.recall[2] < 0.3 and c.recall[0] > 0.7 and c.recall[1] == 1.0
    assert c.bayes_error == pytest.approx(0.2, abs=0.08)
    assert c.bayes_error_lo <= c.bayes_error <= c.bayes_error_hi
    assert (c.lo <= c.recall).all() and (c.recall <= c.hi).all()
