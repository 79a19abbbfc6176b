"""Metric registry: every metric equals its scikit-learn / imbalanced-learn reference.

Property tests draw 2-, 3- and 10-class problems with classes absent from y_true and/or y_pred,
constant and perfect predictions, and probability matrices with exact zeros/ones (clipping) and
ties; fixtures pin the metrics we define ourselves with hand-computed values.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metric_references import REFERENCES
from sklearn import metrics as skm

from bench.core.registry import Registry
from bench.metrics import (
    ECE_BINS,
    METRICS,
    Metric,
    ScoreInput,
    confusion_table,
    get_metric,
    metric_names,
    per_class_table,
    register,
    score_all,
)

TOL = 1e-12
PROPERTY = settings(max_examples=200, deadline=None)


# --- random cases ---------------------------------------------------------------------------


def _codes(rng: np.random.Generator, mode: str, k: int, n: int, y_true: np.ndarray | None = None) -> np.ndarray:
    if mode == "all":  # every class present (needs n >= k)
        return rng.permutation(np.concatenate([np.arange(k), rng.integers(0, k, n - k)]))
    if mode == "subset":  # 1..k-1 classes present: some absent
        classes = rng.choice(k, size=int(rng.integers(1, k)), replace=False)
        return rng.choice(classes, size=n)
    if mode == "constant":
        return np.full(n, int(rng.integers(k)))
    if mode == "perfect":
        assert y_true is not None
        return y_true.copy()
    return rng.integers(0, k, n)  # "random"


def _proba(rng: np.random.Generator, mode: str, k: int, n: int, y_true: np.ndarray) -> np.ndarray:
    if mode == "dirichlet":
        raw = rng.dirichlet(np.full(k, rng.choice([0.1, 1.0, 10.0])), size=n)
    elif mode == "sparse":  # exact zeros, including on the true class
        raw = rng.random((n, k)) * (rng.random((n, k)) < 0.4)
        raw[np.arange(n), rng.integers(0, k, n)] += rng.random(n) + 0.01
    elif mode == "onehot":  # exact 0 and 1: both ends of the log-loss clipping, confident misses
        hit = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, k, n))
        raw = np.eye(k)[hit]
    else:  # "uniform": ties everywhere
        raw = np.ones((n, k))
    return raw / raw.sum(axis=1, keepdims=True)


@st.composite
def cases(draw: st.DrawFn, with_proba: bool = True) -> ScoreInput:
    """A ScoreInput built from a drawn seed and drawn shape/mode choices (fast, broad coverage)."""
    k = draw(st.sampled_from([2, 3, 10]))
    true_mode = draw(st.sampled_from(["all", "subset", "random", "constant"]))
    pred_mode = draw(st.sampled_from(["argmax", "random", "subset", "constant", "perfect"]))
    proba_mode = draw(st.sampled_from(["dirichlet", "sparse", "onehot", "uniform"]))
    n = draw(st.integers(1, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if true_mode == "all":
        n = max(n, k)
    y_true = _codes(rng, true_mode, k, n)
    proba = _proba(rng, proba_mode, k, n, y_true)
    y_pred = proba.argmax(axis=1) if pred_mode == "argmax" else _codes(rng, pred_mode, k, n, y_true)
    counts = np.full(k, 50) if draw(st.booleans()) else rng.integers(1, 200, k)
    minority = draw(st.one_of(st.none(), st.integers(0, k - 1)))  # None: rarest of counts
    return ScoreInput(y_true, y_pred, proba if with_proba else None, k, counts, minority)


def _reference(name: str, inp: ScoreInput) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(REFERENCES[name](inp))
        except ValueError:
            return math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= TOL


def test_every_metric_has_a_reference() -> None:
    assert set(REFERENCES) == set(metric_names())


@pytest.mark.parametrize("name", list(REFERENCES))
@PROPERTY
@given(inp=cases())
def test_metric_equals_reference(name: str, inp: ScoreInput) -> None:
    values, messages = score_all(inp, [name])
    expected = _reference(name, inp)
    assert _same(values[name], expected), (values[name], expected)
    assert all(m.startswith(f"{name}: ") for m in messages)
    if math.isnan(values[name]):
        assert messages, "an undefined value must say why"


@settings(max_examples=50, deadline=None)  # the per-metric tests above carry the 200-case load
@given(inp=cases(with_proba=False))
def test_score_all_without_proba(inp: ScoreInput) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape score_all
        values, messages = score_all(inp)
    assert list(values) == metric_names()
    for name, value in values.items():
        if METRICS.get(name).needs_proba:
            assert math.isnan(value)
        else:
            assert _same(value, _reference(name, inp))
    assert len(messages) == len(set(messages))


@PROPERTY
@given(inp=cases())
def test_per_class_table_matches_sklearn(inp: ScoreInput) -> None:
    table = per_class_table(inp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, s = skm.precision_recall_fscore_support(inp.y_true, inp.y_pred, labels=inp.labels, average=None)
    assert list(table.columns) == ["label", "precision", "recall", "f1", "support", "average_precision"]
    assert table["label"].tolist() == list(range(inp.n_classes))
    assert table["support"].dtype == np.int64
    np.testing.assert_allclose(table[["precision", "recall", "f1"]].to_numpy(), np.c_[p, r, f], rtol=0, atol=TOL)
    np.testing.assert_array_equal(table["support"], s)
    for c, ap in enumerate(table["average_precision"]):
        if s[c] == 0:
            assert math.isnan(ap)
        else:
            assert abs(ap - skm.average_precision_score(inp.y_true == c, inp.proba[:, c])) <= TOL
    no_proba = ScoreInput(inp.y_true, inp.y_pred, None, inp.n_classes, inp.train_counts)
    assert per_class_table(no_proba)["average_precision"].isna().all()


@PROPERTY
@given(inp=cases(with_proba=False))
def test_confusion_table_matches_sklearn(inp: ScoreInput) -> None:
    table = confusion_table(inp)
    k = inp.n_classes
    assert list(table.columns) == ["true_label", "pred_label", "count"] and len(table) == k * k
    assert (table.dtypes == np.int64).all()
    matrix = np.zeros((k, k), dtype=np.int64)
    matrix[table["true_label"], table["pred_label"]] = table["count"]
    np.testing.assert_array_equal(matrix, skm.confusion_matrix(inp.y_true, inp.y_pred, labels=inp.labels))


# --- hand-computed fixtures -----------------------------------------------------------------

# recalls: class 0 3/4, class 1 2/2, class 2 1/2; class 1 also gets one false positive
Y_TRUE = np.array([0, 0, 0, 0, 1, 1, 2, 2])
Y_PRED = np.array([0, 0, 0, 1, 1, 1, 2, 0])


def _inp(y_true, y_pred=None, proba=None, k=3, counts=None) -> ScoreInput:
    y_true = np.asarray(y_true)
    y_pred = y_true if y_pred is None else np.asarray(y_pred)
    return ScoreInput(y_true, y_pred, proba, k, np.ones(k) if counts is None else np.asarray(counts))


def _score(name: str, inp: ScoreInput) -> tuple[float, list[str]]:
    values, messages = score_all(inp, [name])
    return values[name], messages


def test_gmean_fixture() -> None:
    assert _score("gmean", _inp(Y_TRUE, Y_PRED))[0] == pytest.approx((0.75 * 1.0 * 0.5) ** (1 / 3), abs=TOL)
    value, messages = _score("gmean", _inp(Y_TRUE, Y_PRED, k=4))  # class 3 never occurs: recall 0/0 -> 0
    assert value == 0.0 and any("no true samples" in m for m in messages)


def test_worst_class_recall_fixture() -> None:
    assert _score("worst_class_recall", _inp(Y_TRUE, Y_PRED))[0] == 0.5
    assert _score("worst_class_recall", _inp(Y_TRUE, Y_PRED, k=4))[0] == 0.5  # absent class ignored
    assert _score("worst_class_recall", _inp(Y_TRUE, np.zeros(8, int)))[0] == 0.0


def test_minority_f1_fixture() -> None:
    # classes 1 and 2 tie as rarest -> class 1: precision 2/3, recall 1 -> F1 0.8
    assert _score("minority_f1", _inp(Y_TRUE, Y_PRED, counts=[50, 5, 5]))[0] == pytest.approx(0.8, abs=TOL)
    assert _score("minority_f1", _inp(Y_TRUE, Y_PRED, counts=[50, 9, 5]))[0] == pytest.approx(2 / 3, abs=TOL)


def test_balanced_log_loss_fixture() -> None:
    proba = np.array([[0.5, 0.5], [0.25, 0.75], [0.0, 1.0]])
    inp = _inp([0, 0, 1], proba=proba, k=2)
    eps = np.finfo(np.float64).eps
    # class 0: (ln 2 + ln 4) / 2; class 1: -ln(1 - eps) (clipped from 1)
    assert _score("balanced_log_loss", inp)[0] == pytest.approx((1.5 * math.log(2) - math.log1p(-eps)) / 2, abs=TOL)
    assert _score("log_loss", inp)[0] == pytest.approx((3 * math.log(2) - math.log1p(-eps)) / 3, abs=TOL)
    # a confident miss is clipped at eps = 2**-52: it costs exactly 52 ln 2
    miss = _inp([0, 1], proba=np.array([[0.0, 1.0], [0.0, 1.0]]), k=2)
    assert _score("balanced_log_loss", miss)[0] == pytest.approx(26 * math.log(2), abs=TOL)
    # float32 probabilities are clipped with the float64 eps too
    assert _score("balanced_log_loss", _inp([0, 1], proba=np.float32([[0, 1], [0, 1]]), k=2))[0] == pytest.approx(
        26 * math.log(2), abs=TOL
    )


def test_brier_fixture() -> None:
    inp = _inp([0, 1], proba=np.array([[1.0, 0.0, 0.0], [0.5, 0.25, 0.25]]))
    assert _score("brier", inp)[0] == pytest.approx((0 + 0.25 + 0.5625 + 0.0625) / 2, abs=TOL)
    binary = _inp([1], proba=np.array([[0.25, 0.75]]), k=2)  # not halved for k == 2
    assert _score("brier", binary)[0] == pytest.approx(2 * 0.25**2, abs=TOL)


def test_ece_fixture() -> None:
    proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.3, 0.7], [0.65, 0.35]])
    inp = _inp([0, 1, 1, 1], proba=proba, k=2)
    # bins (13/15, 14/15]: 2 rows, acc .5, conf .9 | (10/15, 11/15]: acc 1, conf .7 | (9/15, 10/15]: acc 0, conf .65
    assert _score("ece", inp)[0] == pytest.approx(2 / 4 * 0.4 + 1 / 4 * 0.3 + 1 / 4 * 0.65, abs=TOL)
    # 0.88 and 0.92 share a bin, so their errors cancel: calibrated on average within the bin
    same_bin = _inp([0, 1], proba=np.array([[0.88, 0.12], [0.92, 0.08]]), k=2)
    assert _score("ece", same_bin)[0] == pytest.approx(abs(0.5 - 0.9), abs=TOL)
    # the decision rule does not matter: ece uses argmax(proba), not y_pred
    assert _score("ece", _inp([0, 1, 1, 1], [1, 1, 0, 0], proba=proba, k=2))[0] == _score("ece", inp)[0]
    # bins are right-closed: a confidence exactly on the edge 9/15 joins (8/15, 9/15], with 0.57
    edge = np.linspace(0, 1, ECE_BINS + 1)[9]
    on_edge = _inp([0, 1], proba=np.array([[edge, 1 - edge], [0.57, 0.43]]), k=2)
    assert _score("ece", on_edge)[0] == pytest.approx(abs(1 - edge - 0.57) / 2, abs=TOL)
    assert _score("ece", _inp([0, 1], proba=np.full((2, 2), 0.5), k=2))[0] == 0.0
    assert _score("ece", _inp([0, 1], proba=np.eye(2), k=2))[0] == 0.0  # confidence 1 falls in the last bin


def test_absent_class_is_sklearns_value_with_warning() -> None:
    never_predicted = _inp(Y_TRUE, np.where(Y_PRED == 2, 0, Y_PRED))
    value, messages = _score("macro_precision", never_predicted)
    assert value == pytest.approx((3 / 5 + 2 / 3 + 0.0) / 3, abs=TOL)
    assert messages and all(m.startswith("macro_precision: ") for m in messages)
    one_class = _inp([1, 1, 1], proba=np.full((3, 3), 1 / 3))
    value, messages = _score("roc_auc_ovr", one_class)
    assert math.isnan(value) and any("Only one class" in m for m in messages)


def test_score_all_survives_empty_input() -> None:
    values, messages = score_all(_inp(np.array([], dtype=int), proba=np.zeros((0, 3))))
    assert set(values) == set(metric_names()) and messages


# --- registry -------------------------------------------------------------------------------


def test_registry_rejects_duplicates() -> None:
    registry: Registry[Metric] = Registry("metric")
    metric = Metric("x", "max", False, lambda inp: 0.0, "test")
    assert registry.register(metric) is metric
    with pytest.raises(ValueError, match="already registered"):
        registry.register(metric)
    with pytest.raises(ValueError, match="already registered"):
        register(get_metric("macro_f1"))
    with pytest.raises(ValueError, match="direction"):
        Metric("y", "up", False, lambda inp: 0.0, "test")  # type: ignore[arg-type]
    assert registry.names() == ["x"]


def test_unknown_metric_names_the_allowed_ones() -> None:
    for lookup in (get_metric, METRICS.get, lambda n: score_all(_inp(Y_TRUE), [n])):
        with pytest.raises(KeyError, match="unknown metric 'macro_f2'.*allowed:.*macro_f1"):
            lookup("macro_f2")


def test_directions_and_proba_needs() -> None:
    losses = {"log_loss", "balanced_log_loss", "brier", "ece"}
    proba = {"roc_auc_ovr", "roc_auc_ovo", "pr_auc", "minority_ap"} | losses
    for metric in METRICS:
        name = metric.name
        assert metric.name == name and metric.description
        assert metric.direction == ("min" if name in losses else "max")
        assert metric.needs_proba == (name in proba)
    values, messages = score_all(_inp(Y_TRUE, Y_PRED))
    assert all(math.isnan(values[n]) for n in proba) and not any(m.split(":")[0] in proba for m in messages)


def test_score_input_validation() -> None:
    with pytest.raises(ValueError, match="codes must lie"):
        _inp([0, 3])
    with pytest.raises(ValueError, match="shape"):
        _inp([0, 1], proba=np.ones((2, 2)) / 2)
    with pytest.raises(ValueError, match="integer"):
        _inp([0.0, 1.0])
    assert isinstance(per_class_table(_inp(Y_TRUE)), pd.DataFrame)
