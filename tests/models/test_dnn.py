"""Tests of the DNN baseline: scikit-learn API contract, determinism, training features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs, make_classification
from sklearn.metrics import recall_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from bench.models.estimators.dnn import DNNClassifier

torch = pytest.importorskip("torch")
HAS_CUDA = torch.cuda.is_available()


def small(**kw: object) -> DNNClassifier:
    """A tiny, fast configuration; enough capacity and steps to fit the toy problems."""
    params: dict[str, object] = dict(hidden=(16,), max_epochs=10, batch_size=32,
                                     learning_rate=1e-2, device="cpu", n_threads=1)
    params.update(kw)
    return DNNClassifier(**params)  # type: ignore[arg-type]


def _expected_failed_checks(estimator: DNNClassifier) -> dict[str, str]:
    # Mini-batch SGD over a random permutation: repeating a row k times is not the same as
    # weighting it by k (different batches, different step count), so exact equivalence fails.
    return {
        "check_sample_weight_equivalence_on_dense_data":
            "mini-batch SGD: integer weights are not equivalent to repeated rows",
    }


@pytest.mark.slow
@parametrize_with_checks([small(max_epochs=20)], expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_checks(estimator: DNNClassifier, check: object) -> None:
    check(estimator)  # type: ignore[operator]


@pytest.fixture(scope="module")
def three_class() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    return X, y


def test_determinism_same_seed_identical(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    p1 = small(dropout=0.2, random_state=3).fit(X, y).predict_proba(X)
    p2 = small(dropout=0.2, random_state=3).fit(X, y).predict_proba(X)
    assert np.array_equal(p1, p2)
    p3 = small(dropout=0.2, random_state=4).fit(X, y).predict_proba(X)
    assert not np.array_equal(p1, p3)


def test_global_torch_rng_untouched(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    state = torch.get_rng_state()
    small(max_epochs=1).fit(X, y)
    assert torch.equal(state, torch.get_rng_state())


def test_predict_proba_contract(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    clf = small().fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64 and proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.predict_proba(X[:1]).shape == (1, 3)
    assert clf.n_features_in_ == 8 and clf.mean_.shape == clf.scale_.shape == (8,)


def test_string_labels_order_proba_columns() -> None:
    X, y = make_blobs(n_samples=300, centers=3, cluster_std=0.5, random_state=1)
    names = np.array(["zebra", "ant", "moth"])[y]
    clf = small().fit(X, names)
    assert list(clf.classes_) == ["ant", "moth", "zebra"]
    proba = clf.predict_proba(X)
    # column j must be the probability of classes_[j]: check on the true class of each row
    assert np.mean(clf.classes_[proba.argmax(axis=1)] == names) > 0.95
    assert set(clf.predict(X)) == {"ant", "moth", "zebra"}


def test_dataframe_input_and_constant_column() -> None:
    X, y = make_blobs(n_samples=200, centers=2, random_state=0)
    df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "const": 5.0})
    clf = small().fit(df, y)
    assert clf.scale_[2] == 1.0 and list(clf.feature_names_in_) == ["a", "b", "const"]
    assert np.all(np.isfinite(clf.predict_proba(df)))
    assert clf.predict_proba(df).shape == (200, 2)  # binary: k-output softmax


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_rejects_non_finite(bad: float) -> None:
    X = np.ones((10, 2))
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        small().fit(X, np.arange(10) % 2)


def test_tiny_data_two_rows() -> None:
    clf = small(max_epochs=2).fit([[0.0, 1.0], [1.0, 0.0]], ["a", "b"])
    assert clf.predict([[0.0, 1.0]]).shape == (1,)


def test_early_stopping_restores_best_weights() -> None:
    # Noisy labels + a wide net + high LR: validation loss rises again, so training stops early.
    X, y = make_classification(n_samples=400, n_features=20, n_informative=3, flip_y=0.3,
                               random_state=0)
    Xv, yv = X[300:], y[300:]
    clf = small(hidden=(128,), learning_rate=3e-2, max_epochs=60, patience=3,
                lr_patience=None).fit(X[:300], y[:300], eval_set=(Xv, yv))
    val_losses = [c["value"] for c in clf.curves_
                  if c["split"] == "validation" and c["metric"] == "loss"]
    assert clf.n_epochs_ < 60 and clf.best_epoch_ <= clf.n_epochs_
    assert clf.n_epochs_ - clf.best_epoch_ == 3
    assert val_losses[clf.best_epoch_ - 1] == min(val_losses)
    proba = clf.predict_proba(Xv)
    restored = -np.mean(np.log(proba[np.arange(len(yv)), yv]))
    assert abs(restored - min(val_losses)) < 1e-5


def test_no_eval_set_trains_all_epochs(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    clf = small(max_epochs=4, patience=0).fit(X, y)
    assert clf.n_epochs_ == clf.best_epoch_ == 4


def test_curves_content(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    clf = small(max_epochs=3, patience=None).fit(X[:400], y[:400], eval_set=(X[400:], y[400:]))
    curves = pd.DataFrame(clf.curves_)
    assert list(curves.columns) == ["step", "split", "metric", "value"]
    assert len(curves) == 3 * 4
    assert set(map(tuple, curves[["split", "metric"]].drop_duplicates().to_numpy())) == {
        ("train", "loss"), ("train", "macro_f1"), ("validation", "loss"),
        ("validation", "macro_f1")}
    assert sorted(curves["step"].unique()) == [1, 2, 3]
    assert all(isinstance(s, int) and isinstance(v, float)
               for s, v in zip(curves["step"].tolist(), curves["value"].tolist()))
    f1 = curves.query("metric == 'macro_f1'")["value"]
    assert f1.between(0, 1).all()
    # without eval_set: train loss and running macro-F1 only, per epoch
    rows = small(max_epochs=2).fit(X, y).curves_
    assert [(c["split"], c["metric"]) for c in rows] == [("train", "loss"),
                                                        ("train", "macro_f1")] * 2


def test_zero_sample_weight_class_never_predicted(
    three_class: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = three_class
    clf = small().fit(X, y, sample_weight=(y != 2).astype(float))
    assert 2 not in set(clf.predict(X))
    assert set(small().fit(X, y).predict(X)) == {0, 1, 2}


def test_class_weight_balanced_raises_minority_recall() -> None:
    X, y = make_classification(n_samples=2000, n_features=10, n_informative=4, n_classes=2,
                               weights=[0.95, 0.05], class_sep=0.6, random_state=2)
    plain = small().fit(X, y).predict(X)
    balanced = small(class_weight="balanced").fit(X, y).predict(X)
    assert recall_score(y, balanced) > recall_score(y, plain) + 0.1


def test_focal_loss_runs(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    clf = small(loss="focal", focal_gamma=2.0, class_weight="balanced")
    clf.fit(X[:400], y[:400], eval_set=(X[400:], y[400:]))
    assert np.isfinite([c["value"] for c in clf.curves_]).all()
    assert np.mean(clf.predict(X) == y) > 0.7


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_CUDA, reason="no CUDA GPU")
def test_cuda_fit_matches_the_cpu_fit(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    # The weights are initialised and the batches drawn by CPU generators on either device, so
    # without dropout the two fits differ only by float rounding: a GPU run answers the same
    # question as the CPU run it replaces.
    X, y = three_class
    kw: dict[str, object] = dict(hidden=(32, 16), max_epochs=5, patience=None)
    cpu = small(device="cpu", **kw).fit(X[:400], y[:400])
    gpu = small(device="cuda", **kw).fit(X[:400], y[:400])
    p_cpu, p_gpu = cpu.predict_proba(X), gpu.predict_proba(X)
    assert np.abs(p_cpu - p_gpu).max() < 1e-3
    assert np.mean(cpu.predict(X) == gpu.predict(X)) >= 0.99


@pytest.mark.parametrize("params, match", [
    ({"loss": "hinge"}, "loss"), ({"class_weight": "auto"}, "class_weight"),
    ({"hidden": (0,)}, "hidden"), ({"device": "tpu"}, "device"), ({"batch_size": 0}, "batch")])
def test_invalid_params_raise(params: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        small(**params).fit([[0.0], [1.0]], [0, 1])


def test_unknown_eval_labels_raise(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    with pytest.raises(ValueError, match="labels not seen"):
        small().fit(X, y, eval_set=(X[:5], np.full(5, 7)))


@pytest.mark.skipif(HAS_CUDA, reason="CUDA is available here")
def test_cuda_without_gpu_raises_clearly() -> None:
    with pytest.raises(ValueError, match="CUDA is not available"):
        small(device="cuda").fit([[0.0], [1.0]], [0, 1])


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_CUDA, reason="no CUDA GPU")
def test_fit_predict_on_cuda(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    clf = small(device="cuda").fit(X[:400], y[:400], eval_set=(X[400:], y[400:]))
    assert next(clf.model_.parameters()).is_cuda
    proba = clf.predict_proba(X)
    assert proba.shape == (600, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert np.mean(clf.predict(X) == y) > 0.7


def test_train_macro_f1_is_running_over_the_epoch(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    # One batch per epoch: the running confusion counts are the predictions of the weights
    # before that epoch's only step, i.e. macro-F1 of the previous epoch's model.
    from sklearn.metrics import f1_score

    X, y = three_class
    clf = small(max_epochs=2, batch_size=len(X), patience=None).fit(X, y)
    f1 = [c["value"] for c in clf.curves_ if c["metric"] == "macro_f1"]
    one = small(max_epochs=1, batch_size=len(X), patience=None).fit(X, y)
    assert f1[1] == pytest.approx(f1_score(y, one.predict(X), average="macro"), abs=1e-6)


def test_validation_weighted_like_training(three_class: tuple[np.ndarray, np.ndarray]) -> None:
    # sample_weight given, eval_set a pair: validation rows get their class's mean training
    # weight; passing those weights explicitly gives the same curves.
    X, y = three_class
    w = np.array([1.0, 2.0, 5.0])[y]
    Xf, yf, Xv, yv = X[:400], y[:400], X[400:], y[400:]
    implicit = small(max_epochs=3).fit(Xf, yf, sample_weight=w[:400], eval_set=(Xv, yv))
    explicit = small(max_epochs=3).fit(Xf, yf, sample_weight=w[:400],
                                       eval_set=(Xv, yv, np.array([1.0, 2.0, 5.0])[yv]))
    plain = small(max_epochs=3).fit(Xf, yf, sample_weight=w[:400],
                                    eval_set=(Xv, yv, np.ones(len(yv))))
    assert implicit.curves_ == explicit.curves_
    val = [c["value"] for c in implicit.curves_ if c["split"] == "validation"]
    assert val != [c["value"] for c in plain.curves_ if c["split"] == "validation"]


def test_patience_zero_stops_at_the_first_epoch_without_improvement(
        three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    clf = small(max_epochs=30, patience=0, lr_patience=None)
    clf.fit(X[:400], y[:400], eval_set=(X[400:], y[400:]))
    val = [c["value"] for c in clf.curves_ if c["split"] == "validation" and c["metric"] == "loss"]
    assert len(val) > 1  # an improving first epoch never stops training
    # every epoch but the last improved on the best so far; the last did not
    assert all(v < min(val[:i], default=np.inf) for i, v in enumerate(val[:-1]))
    assert clf.n_epochs_ == 30 or val[-1] >= min(val[:-1])
