"""The minority_* metrics: about the cell's minority class, never the resampled rarest one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.metrics import ScoreInput, minority_class, score_all

TOL = 1e-12
# recalls: class 0 3/4, class 1 2/2, class 2 1/2; class 1 also gets one false positive
Y_TRUE = np.array([0, 0, 0, 0, 1, 1, 2, 2])
Y_PRED = np.array([0, 0, 0, 1, 1, 1, 2, 0])


def _score(name: str, inp: ScoreInput) -> tuple[float, list[str]]:
    values, messages = score_all(inp, [name])
    return values[name], messages


def test_minority_metrics_follow_the_cells_minority_not_the_training_counts() -> None:
    # class 2: 1 of 2 found, and never predicted wrongly -> precision 1, recall 1/2, F1 2/3
    # (balanced training counts would name class 0, the majority, under the old rule)
    inp = ScoreInput(Y_TRUE, Y_PRED, None, 3, np.array([10, 10, 10]))
    assert inp.minority == 0
    designated = ScoreInput(Y_TRUE, Y_PRED, None, 3, np.array([10, 10, 10]), minority=2)
    values, _ = score_all(designated, ["minority_f1", "minority_precision", "minority_recall"])
    assert values == pytest.approx({"minority_f1": 2 / 3, "minority_precision": 1.0,
                                    "minority_recall": 0.5}, abs=TOL)
    # AP of class 2 one-vs-rest: scores rank one class-2 row first, the other below two others
    proba = np.array([[0.8, 0.1, 0.1], [0.7, 0.1, 0.2], [0.6, 0.1, 0.3], [0.5, 0.5, 0.0],
                      [0.1, 0.8, 0.1], [0.1, 0.9, 0.0], [0.0, 0.1, 0.9], [0.6, 0.0, 0.4]])
    with_proba = ScoreInput(Y_TRUE, Y_PRED, proba, 3, np.ones(3), minority=2)
    # ranking by p_2: 0.9 (hit), 0.4 (hit) -> precision 1 at both recalls -> AP 1
    assert _score("minority_ap", with_proba)[0] == pytest.approx(1.0, abs=TOL)
    proba[2, 2] = 0.95  # a class-0 row now ranks first: precisions 1/2, 2/3 at recalls 1/2, 1
    assert _score("minority_ap", with_proba)[0] == pytest.approx(1.0, abs=TOL)  # a ScoreInput keeps its copy
    with_proba = ScoreInput(Y_TRUE, Y_PRED, proba, 3, np.ones(3), minority=2)
    assert _score("minority_ap", with_proba)[0] == pytest.approx(0.5 * 0.5 + 0.5 * 2 / 3, abs=TOL)


def test_minority_ap_is_nan_with_a_message_when_the_class_is_absent() -> None:
    inp = ScoreInput(np.array([0, 0, 1]), np.array([0, 1, 1]), np.full((3, 3), 1 / 3), 3,
                     np.ones(3), minority=2)
    value, messages = _score("minority_ap", inp)
    assert math.isnan(value) and any("absent" in m for m in messages)


@given(counts=st.lists(st.integers(0, 5), min_size=2, max_size=10))
def test_default_minority_is_the_rarest_training_class_lowest_code_on_ties(counts: list[int]) -> None:
    k = len(counts)
    inp = ScoreInput(np.zeros(1, dtype=int), np.zeros(1, dtype=int), None, k, np.array(counts))
    assert inp.minority == counts.index(min(counts)) == minority_class(counts)


def test_minority_class_rarest_designated_before_resampling() -> None:
    fit = [50, 8, 5, 5]
    assert minority_class(fit) == 2  # rarest, ties -> lowest code
    assert minority_class(fit, (1,)) == 1  # a designated class wins even if another is rarer
    assert minority_class(fit, (1, 3)) == 3  # several designated: the rarest of them in fit rows
    assert minority_class(fit, (3, 2)) == 2  # ties among the designated: lowest code
    with pytest.raises(ValueError, match="minority must be a class code"):
        ScoreInput(np.zeros(1, dtype=int), np.zeros(1, dtype=int), None, 2, np.ones(2), minority=2)
