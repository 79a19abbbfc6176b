"""The k-NN overlap matrix on hand-computable points."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.inspect.overlap import neighbour_indices, overlap_matrix


def test_neighbours_on_a_line_exclude_the_row_itself() -> None:
    X = np.array([[0.0], [1.0], [3.0], [7.0]])
    idx = neighbour_indices(X, 2)
    assert idx.tolist() == [[1, 2], [0, 2], [1, 0], [2, 1]]


def test_duplicates_never_count_a_row_as_its_own_neighbour() -> None:
    X = np.zeros((5, 2))  # every row at one point: any order, but never itself
    idx = neighbour_indices(X, 3)
    assert idx.shape == (5, 3)
    assert all(i not in row for i, row in enumerate(idx.tolist()))


def test_matrix_by_hand() -> None:
    # line: a a b | b b ; 1 neighbour each: 0->1(a) 1->0(a) 2->1(a) 3->4(b) 4->3(b)
    X = np.array([[0.0], [1.0], [2.5], [10.0], [11.0]])
    y = np.array([0, 0, 1, 1, 1])
    M = overlap_matrix(y, neighbour_indices(X, 1), 2, k=1)
    assert M.tolist() == [[1.0, 0.0], [1 / 3, 2 / 3]]


def test_small_class_uses_fewer_neighbours() -> None:
    """A class of 3 rows looks at 2 neighbours (its own others), not k = 10: a tight small
    class away from the rest is all its own."""
    X = np.vstack([np.arange(30.0)[:, None], [[100.0], [100.5], [101.0]]])
    y = np.array([0] * 30 + [1] * 3)
    M = overlap_matrix(y, neighbour_indices(X, 10), 2, k=10)
    assert M[1].tolist() == [0.0, 1.0]
    assert M[0, 0] == 1.0


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 8))
def test_rows_sum_to_one(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 3))
    y = rng.integers(0, 3, 40)
    y[:3] = [0, 1, 2]
    M = overlap_matrix(y, neighbour_indices(X, k), 3, k=k)
    assert np.allclose(M.sum(axis=1), 1.0)
    assert ((M >= 0) & (M <= 1)).all()
