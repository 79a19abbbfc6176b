"""One-vs-rest and one-vs-one wrappers: probabilities, weights and eval sets passed through,
curves gathered per sub-problem, pairwise coupling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.linear_model import LogisticRegression

from bench.models.estimators.decompose import OneVsOne, OneVsRest, couple_pairwise, decompose
from bench.models.registry import MODELS, ModelContext


def lgbm(**params: object):
    p: dict[str, object] = {"n_estimators": 30, "early_stopping_rounds": 5}
    p.update(params)
    return MODELS.get("lightgbm").build(p, ModelContext(seed=0))


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, ...]:
    X, y = make_classification(n_samples=500, n_features=6, n_informative=4, n_classes=4,
                               n_clusters_per_class=1, random_state=1)
    return X[:350], y[:350], X[350:], y[350:]


def test_coupling_recovers_consistent_probabilities() -> None:
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(6), size=20)
    r = p[:, :, None] / (p[:, :, None] + p[:, None, :])  # r_ij = p_i / (p_i + p_j)
    np.testing.assert_allclose(couple_pairwise(r), p, atol=1e-10)
    two = np.array([[[0.5, 0.3], [0.7, 0.5]]])
    np.testing.assert_allclose(couple_pairwise(two), [[0.3, 0.7]])
    extreme = couple_pairwise(rng.integers(0, 2, size=(50, 4, 4)).astype(float))
    assert (extreme >= 0).all() and np.allclose(extreme.sum(axis=1), 1.0)


def test_decompose_axis() -> None:
    base = LogisticRegression()
    assert decompose(base, "native") is base
    assert isinstance(decompose(base, "ovr"), OneVsRest)
    assert isinstance(decompose(base, "ovo"), OneVsOne)
    with pytest.raises(ValueError, match="allowed: native, ovr, ovo"):
        decompose(base, "ecoc")


@pytest.mark.parametrize("cls", [OneVsRest, OneVsOne])
def test_probabilities_and_labels(cls: type, data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, yv = data
    names = np.array(["d", "a", "c", "b"])
    clf = cls(LogisticRegression(max_iter=500)).fit(Xf, names[yf])
    assert clf.classes_.tolist() == ["a", "b", "c", "d"]
    proba = clf.predict_proba(Xv)
    assert proba.shape == (len(Xv), 4) and (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(clf.predict(Xv), clf.classes_[proba.argmax(axis=1)])
    assert np.mean(clf.predict(Xv) == names[yv]) > 0.6
    n_sub = 4 if cls is OneVsRest else 6
    assert len(clf.estimators_) == n_sub


def test_ovo_coupled_probabilities_minimise_the_coupling_objective(
        data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, _ = data
    clf = OneVsOne(LogisticRegression(max_iter=500)).fit(Xf, yf)
    proba = clf.predict_proba(Xv)
    k, n = 4, len(Xv)
    r = np.full((n, k, k), 0.5)  # r[:, i, j] = P(i | x, y in {i, j}) from the pair models
    for (i, j), est in zip(clf.pairs_, clf.estimators_):
        # the pairwise model was trained on classes i and j only, target 1 = class j
        assert est.classes_.tolist() == [0, 1]
        pj = est.predict_proba(Xv)[:, 1]
        r[:, j, i], r[:, i, j] = pj, 1 - pj
    r = np.clip(r, 1e-7, 1 - 1e-7)

    def objective(p: np.ndarray) -> np.ndarray:
        return sum((r[:, j, i] * p[:, i] - r[:, i, j] * p[:, j]) ** 2
                   for i in range(k) for j in range(i + 1, k))

    best = objective(proba)
    rng = np.random.default_rng(0)
    for _ in range(20):  # any other point of the simplex does no better
        assert (best <= objective(rng.dirichlet(np.ones(k), size=n)) + 1e-12).all()
    votes = clf.decision_function(Xv)
    assert (best <= objective(votes / votes.sum(axis=1, keepdims=True)) + 1e-12).all()
    assert np.allclose(np.floor(votes + 1 / 3).sum(axis=1), 6)  # k(k-1)/2 votes per row


def test_ovo_on_well_separated_classes_agrees_with_votes() -> None:
    X, y = make_blobs(n_samples=400, centers=5, cluster_std=0.6, random_state=3)
    clf = OneVsOne(LogisticRegression(max_iter=500)).fit(X, y)
    assert np.mean(clf.predict(X) == np.argmax(clf.decision_function(X), axis=1)) > 0.99


@pytest.mark.parametrize("cls", [OneVsRest, OneVsOne])
def test_sample_weight_reaches_every_sub_model(cls: type, data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, _ = data
    w = np.where(yf == 2, 0.0, 1.0)
    plain = cls(LogisticRegression(max_iter=500)).fit(Xf, yf)
    weighted = cls(LogisticRegression(max_iter=500)).fit(Xf, yf, sample_weight=w)
    assert np.mean(plain.predict(Xv) == 2) > 0.1
    assert np.mean(weighted.predict(Xv) == 2) < 0.02


@pytest.mark.parametrize("cls, names", [
    (OneVsRest, {"0 vs rest", "1 vs rest", "2 vs rest", "3 vs rest"}),
    (OneVsOne, {"0 vs 1", "0 vs 2", "0 vs 3", "1 vs 2", "1 vs 3", "2 vs 3"})])
def test_eval_set_binarized_and_curves_named_per_sub_problem(
        cls: type, names: set[str], data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, yv = data
    clf = cls(lgbm()).fit(Xf, yf, eval_set=(Xv, yv))
    metrics = {r["metric"] for r in clf.curves_}
    assert metrics == {f"loss[{n}]" for n in names}
    assert {r["split"] for r in clf.curves_} == {"train", "validation"}
    for est, name in zip(clf.estimators_, sorted(names)):
        # each sub-model stopped on its own validation part, binarized
        val = [r for r in clf.curves_ if r["metric"] == f"loss[{name}]"
               and r["split"] == "validation"]
        assert len(val) == len(est.curves_) // 2 and est.classes_.tolist() == [0, 1]


@pytest.mark.parametrize("cls", [OneVsRest, OneVsOne])
def test_validation_weights_derived_from_training_weights(
        cls: type, data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, yv = data
    cw = np.array([1.0, 2.0, 3.0, 4.0])
    implicit = cls(lgbm()).fit(Xf, yf, sample_weight=cw[yf], eval_set=(Xv, yv))
    explicit = cls(lgbm()).fit(Xf, yf, sample_weight=cw[yf], eval_set=(Xv, yv, cw[yv]))
    unweighted = cls(lgbm()).fit(Xf, yf, sample_weight=cw[yf],
                                 eval_set=(Xv, yv, np.ones(len(yv))))
    assert implicit.curves_ == explicit.curves_
    assert implicit.curves_ != unweighted.curves_


@pytest.mark.parametrize("cls", [OneVsRest, OneVsOne])
def test_clone_and_pickle(cls: type, data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, yv = data
    clf = cls(lgbm(n_estimators=5))
    assert isinstance(clone(clf).estimator, type(clf.estimator))
    clf.fit(Xf, yf, eval_set=(Xv, yv))
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(Xv), clf.predict_proba(Xv))


def test_dnn_inside_a_decomposition(data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, yv = data
    dnn = MODELS.get("dnn").build({"hidden": [16], "max_epochs": 3, "batch_size": 64},
                                  ModelContext(seed=0))
    clf = OneVsRest(dnn).fit(Xf, yf, eval_set=(Xv, yv))
    assert {r["metric"] for r in clf.curves_} >= {"loss[0 vs rest]", "macro_f1[3 vs rest]"}
    assert clf.predict_proba(Xv).shape == (len(Xv), 4)
