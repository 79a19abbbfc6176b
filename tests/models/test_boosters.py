"""Booster wrappers: early stopping on the validation part, best-round prediction, curves,
weights, native categoricals, label encoding, thread settings, pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification

from bench.models.estimators.boosters import samme_exp_loss
from bench.models.estimators.fitting import eval_weights, weighted_log_loss
from bench.models.registry import MODELS, ModelContext

BOOSTERS = ["lightgbm", "xgboost", "catboost", "hist_gradient_boosting", "rus_boost"]
NATIVE_CATEGORICAL = ["lightgbm", "xgboost", "catboost", "hist_gradient_boosting"]
CLASS_W = np.array([1.0, 2.0, 4.0])


def build(name: str, n_threads: int = 1, categorical: tuple[int, ...] = (), **params: object):
    p: dict[str, object] = {"n_estimators": 60, "early_stopping_rounds": 5}
    if name == "catboost":
        p["border_count"] = 32
    p.update(params)
    return MODELS.get(name).build(p, ModelContext(seed=3, n_threads=n_threads,
                                                   categorical=categorical))


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, ...]:
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5, n_classes=3,
                               flip_y=0.15, random_state=0)
    return X[:400], y[:400], X[400:], y[400:]


def _val_curve(est: object, metric: str) -> list[float]:
    return [r["value"] for r in est.curves_  # type: ignore[attr-defined]
            if r["split"] == "validation" and r["metric"] == metric]


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "class_weight"])
@pytest.mark.parametrize("name", BOOSTERS)
def test_early_stopping_predicts_with_the_best_round(name: str, weighted: bool,
                                                     data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, yv = data
    w = CLASS_W[yf] if weighted else None
    est = build(name).fit(Xf, yf, sample_weight=w, eval_set=(Xv, yv))
    wv = CLASS_W[yv] if weighted else None  # validation weighted like training
    if name == "rus_boost":  # stops on AdaBoost's own objective, post hoc
        curve = _val_curve(est, "exp_loss")
        final = samme_exp_loss(est.model_, Xv, yv, wv)[-1]
    else:
        curve = _val_curve(est, "loss")
        final = weighted_log_loss(est.predict_proba(Xv), yv, wv)
    assert est.best_iteration_ == int(np.argmin(curve)) + 1
    assert final == pytest.approx(min(curve), rel=1e-5, abs=1e-6)
    if name != "rus_boost":  # patience: stopped `early_stopping_rounds` after the best round
        assert len(curve) == min(60, est.best_iteration_ + 5)
    train = [r for r in est.curves_ if r["split"] == "train" and r["metric"] == "loss"]
    assert [r["step"] for r in train] == list(range(1, len(curve) + 1))


@pytest.mark.parametrize("name", BOOSTERS)
def test_without_eval_set_all_rounds_run(name: str, data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, _, _ = data
    est = build(name, n_estimators=15).fit(Xf, yf)
    assert {r["split"] for r in est.curves_} == {"train"}
    steps = [r["step"] for r in est.curves_ if r["metric"] == "loss"]
    assert steps == list(range(1, 16)) and est.best_iteration_ == 15


@pytest.mark.parametrize("name", BOOSTERS)
def test_sample_weight_reaches_the_library(name: str, data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, _ = data
    fast = {"n_estimators": 10, "early_stopping_rounds": 0, "learning_rate": 0.5}
    plain = build(name, **fast).fit(Xf, yf)
    w = np.where(yf == 2, 0.0, 1.0)  # class 2 weightless: it must (almost) vanish
    weighted = build(name, **fast).fit(Xf, yf, sample_weight=w)
    assert np.mean(plain.predict(Xv) == 2) > 0.15
    assert np.mean(weighted.predict(Xv) == 2) < 0.03


@pytest.mark.parametrize("name", NATIVE_CATEGORICAL)
def test_native_categorical_support(name: str) -> None:
    # The class depends on membership of a non-ordinal set of categories: one split on the
    # codes as numbers cannot find it, one categorical split can (a single depth-1 tree at
    # learning rate 1 then classifies every row right). Column 0 has missing values.
    rng = np.random.default_rng(0)
    n = 800
    cat = rng.integers(0, 12, n).astype(float)
    y = np.isin(cat, [1, 4, 7, 10]).astype(int)
    cat[rng.random(n) < 0.05] = np.nan
    X = np.column_stack([cat, rng.normal(size=n)])
    tree = {"xgboost": {"max_depth": 1}, "catboost": {"depth": 1},
            "lightgbm": {"num_leaves": 2, "min_data_per_group": 10},
            "hist_gradient_boosting": {"max_leaf_nodes": 2}}[name]
    est = build(name, categorical=(0,), n_estimators=1, learning_rate=1.0,
                early_stopping_rounds=0, **tree)
    est.fit(X[:600], y[:600])
    known = ~np.isnan(X[600:, 0])
    acc = np.mean(est.predict(X[600:][known]) == y[600:][known])
    assert acc > 0.97
    model = est.model_
    if name == "lightgbm":
        assert model.booster_.dump_model()["tree_info"][0]["tree_structure"]["decision_type"] == "=="
    elif name == "xgboost":
        assert model.get_booster().feature_types == ["c", "q"]
    elif name == "catboost":
        assert model.get_cat_feature_indices() == [0]
    else:
        assert model.is_categorical_.tolist() == [True, False]


def test_threads_seed_and_device_reach_the_libraries(data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, _, _ = data
    lgb = build("lightgbm", n_threads=2, n_estimators=3).fit(Xf, yf).model_.get_params()
    assert (lgb["n_jobs"], lgb["random_state"], lgb["deterministic"]) == (2, 3, True)
    xgb = build("xgboost", n_threads=2, n_estimators=3).fit(Xf, yf).model_.get_params()
    assert (xgb["n_jobs"], xgb["random_state"], xgb["device"], xgb["tree_method"]) == (
        2, 3, "cpu", "hist")
    cb = build("catboost", n_threads=2, n_estimators=3).fit(Xf, yf).model_.get_params()
    assert (cb["thread_count"], cb["random_seed"], cb["task_type"]) == (2, 3, "CPU")


@pytest.mark.parametrize("name", BOOSTERS)
def test_labels_are_encoded_for_the_library(name: str, data: tuple[np.ndarray, ...]) -> None:
    # XGBoost insists on labels 0..k-1; the wrappers encode and keep the user's labels.
    Xf, yf, Xv, yv = data
    labels = np.array([3, 7, 9])
    est = build(name, n_estimators=10).fit(Xf, labels[yf], eval_set=(Xv, labels[yv]))
    assert est.classes_.tolist() == [3, 7, 9]
    proba = est.predict_proba(Xv)
    assert proba.shape == (len(Xv), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(est.predict(Xv)) <= {3, 7, 9}
    with pytest.raises(ValueError, match="labels not seen"):
        build(name).fit(Xf, labels[yf], eval_set=(Xv, np.full(len(Xv), 5)))


@pytest.mark.parametrize("name", BOOSTERS)
def test_clone_and_pickle(name: str, data: tuple[np.ndarray, ...]) -> None:
    Xf, yf, Xv, yv = data
    est = build(name, n_estimators=10)
    assert clone(est).get_params()["params"] == est.get_params()["params"]
    est.fit(Xf, yf, eval_set=(Xv, yv))
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(Xv), est.predict_proba(Xv))


def test_eval_weights_follow_training_weights() -> None:
    y = np.array([0, 0, 1, 2, 2, 2])
    w = np.array([1.0, 1.0, 3.0, 0.5, 0.5, 0.5])
    np.testing.assert_array_equal(eval_weights(y, w, np.array([2, 1, 0])), [0.5, 3.0, 1.0])
    assert eval_weights(y, None, np.array([0])) is None


def test_rus_boost_empty_ensemble_predicts_the_prior_with_a_warning() -> None:
    # Class 1 sits where 60% of class 0 also is: a tree fitted on a balanced undersample says
    # "1" there, which is wrong for 54% of the full training part (SAMME needs < 50% for two
    # classes), so no round is accepted; scikit-learn would raise.
    rng = np.random.default_rng(0)
    x = np.concatenate([np.ones(540), np.zeros(360), np.ones(100)]) + rng.normal(0, 0.01, 1000)
    y = np.concatenate([np.zeros(900, int), np.ones(100, int)])
    est = build("rus_boost", n_estimators=5, max_depth=1)
    with pytest.warns(UserWarning, match="no better than chance"):
        est.fit(x[:, None], y)
    assert est.best_iteration_ == 0
    np.testing.assert_allclose(est.predict_proba(x[:3, None]), [[0.9, 0.1]] * 3)
