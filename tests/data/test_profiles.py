"""Imbalance profiles and test-prior counts: the documented formulas, as properties.

For every profile, ratio (1..1000), class count and minority choice: the counts never exceed what
the data has, no class vanishes, every count is within 0.5 row of the exact shape (so the ratio is
achieved up to rounding), and the binding class keeps all its rows; or a DatasetError names the
class and the counts.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.data.dataset import DatasetError
from bench.data.profiles import (
    class_counts,
    frequency_order,
    parse_rank,
    prior_counts,
    profile_shape,
    rarest,
    resolve_minority,
    shape_weights,
)

SHAPED = ("step", "linear", "longtail")


@st.composite
def imbalance_case(draw):
    k = draw(st.integers(2, 10))
    avail = np.array(draw(st.lists(st.integers(1, 3000), min_size=k, max_size=k)))
    ratio = draw(st.floats(1, 1000, allow_nan=False))
    profile = draw(st.sampled_from(SHAPED))
    kind = draw(st.sampled_from(["rarest", "rank", "codes"]))
    if kind == "rarest":
        minority = "rarest"
    elif kind == "rank":
        minority = f"rarest:{draw(st.integers(1, k - 1))}"
    else:
        minority = draw(st.lists(st.integers(0, k - 1), min_size=1, max_size=k - 1, unique=True))
    ranks = np.array(draw(st.lists(st.integers(1, 3000), min_size=k, max_size=k)))
    return avail, ratio, profile, minority, ranks


@settings(max_examples=400, deadline=None)
@given(imbalance_case())
def test_counts_follow_the_shape_or_fail_naming_the_class(case) -> None:
    avail, ratio, profile, minority, ranks = case
    labels = [f"c{i}" for i in range(len(avail))]
    codes = resolve_minority(ranks, minority)
    w = shape_weights(len(avail), ratio, profile, frequency_order(ranks, codes), len(codes))
    m = float(np.min(avail / w))
    exact = m * w
    try:
        t = class_counts(avail, ratio, profile, minority, rank_counts=ranks, labels=labels)
    except DatasetError as exc:
        # only when some class's exact share is below half a row; the message names it
        assert (exact < 0.5).any()
        first = labels[int(np.flatnonzero(np.floor(exact + 0.5) < 1)[0])]
        assert repr(first) in str(exc) and "available counts" in str(exc)
        return
    assert (t <= avail).all()  # never more than the data has
    assert (t >= 1).all()  # no class vanishes
    assert np.all(np.abs(t - exact) <= 0.5 + 1e-9)  # the shape, up to rounding
    binding = int(np.argmin(avail / w))
    assert t[binding] == avail[binding]  # the largest such counts
    # the ratio max/min is r up to rounding of both ends
    lo, hi = exact.max(), exact.min()
    assert (lo - 0.5) / (hi + 0.5) - 1e-9 <= t.max() / t.min() <= (lo + 0.5) / max(hi - 0.5, 0.5) + 1e-9
    assert abs(exact.max() / exact.min() - ratio) <= 1e-6 * ratio
    if profile == "step":
        minor = set(codes)
        assert len({int(t[c]) for c in range(len(t)) if c not in minor}) == 1
        assert len({int(t[c]) for c in minor}) == 1
    # minority classes never get more rows than the others
    others = [c for c in range(len(t)) if c not in set(codes)]
    assert max(t[c] for c in codes) <= min(t[c] for c in others) + 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=2, max_size=8), st.floats(1, 1000))
def test_longtail_and_linear_decrease_with_natural_frequency(avail, ratio) -> None:
    avail = np.array(avail)
    for profile in ("linear", "longtail"):
        try:
            t = class_counts(avail, ratio, profile, "rarest")
        except DatasetError:
            continue
        order = frequency_order(avail, resolve_minority(avail, "rarest"))
        assert all(t[a] >= t[b] for a, b in zip(order, order[1:]))


def test_worked_examples() -> None:
    assert class_counts([100, 100, 100], 10, "step", [2]).tolist() == [100, 100, 10]
    # linear: weights 1, 0.625, 0.25 -> m = 100
    assert class_counts([100, 80, 60], 4, "linear", "rarest").tolist() == [100, 63, 25]
    # longtail over 3 classes at ratio 100: 1, 0.1, 0.01
    assert class_counts([500, 500, 500], 100, "longtail", "rarest").tolist() == [500, 50, 5]
    # ratio 1 is balanced for every shaped profile; natural is the data as is
    for profile in SHAPED:
        assert class_counts([30, 50, 70], 1, profile, "rarest").tolist() == [30, 30, 30]
    assert class_counts([30, 50, 70], 50, "natural").tolist() == [30, 50, 70]


def test_minority_by_rank() -> None:
    counts = np.array([50, 10, 30, 10, 40])
    assert parse_rank("rarest") == 1 and parse_rank("rarest:3") == 3
    assert rarest(counts, 1) == [3]  # ties: the higher code counts as rarer
    assert rarest(counts, 3) == [3, 1, 2]
    t = class_counts([100] * 5, 10, "step", "rarest:2", rank_counts=counts)
    assert t.tolist() == [100, 10, 100, 10, 100]
    for bad in ("rarest:0", "rarest:x", "most", "rarest:"):
        with pytest.raises(ValueError, match="rarest:N"):
            parse_rank(bad)
    with pytest.raises(ValueError, match="5 classes"):
        class_counts([100] * 5, 10, "linear", "rarest:6")
    with pytest.raises(ValueError, match="outside the minority"):
        class_counts([100] * 3, 10, "step", "rarest:3")


def test_vanishing_class_is_a_clear_error() -> None:
    with pytest.raises(DatasetError) as exc:
        class_counts([120, 120, 120], 1000, "step", [1], labels=["cat", "dog", "bird"])
    msg = str(exc.value)
    assert "'dog'" in msg and "0.12 rows" in msg and "'cat': 120" in msg
    with pytest.raises(DatasetError, match="'b'.*no rows"):
        class_counts([5, 0], 2, "step", labels=["a", "b"])
    with pytest.raises(ValueError, match="from 1 to 1000"):
        class_counts([5, 5], 1001, "step")


def test_profile_shape_is_the_unrounded_world() -> None:
    # 124 rows per class at ratio 100: the minority rounds to 1 row (1:124), the shape stays 1:100
    p = profile_shape([124, 124, 124], 100, "step", [2])
    assert p[0] / p[2] == pytest.approx(100)
    assert profile_shape([10, 30], 7, "natural").tolist() == [0.25, 0.75]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 400), min_size=2, max_size=8),
       st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1)), min_size=8, max_size=8))
def test_prior_counts_follow_the_prior_or_fail(avail, shares) -> None:
    avail = np.array(avail)
    p = np.array(shares[: len(avail)])
    if not p.sum() > 0:
        return
    p = p / p.sum()
    try:
        t = prior_counts(avail, p)
    except DatasetError as exc:
        assert "test" in str(exc)
        return
    pos = p > 0
    assert (t <= avail).all() and (t[~pos] == 0).all() and (t[pos] >= 1).all()
    m = float(np.min(avail[pos] / p[pos]))
    assert np.all(np.abs(t - m * p) <= 0.5 + 1e-9)
    binding = np.flatnonzero(pos)[int(np.argmin(avail[pos] / p[pos]))]
    assert t[binding] == avail[binding]
