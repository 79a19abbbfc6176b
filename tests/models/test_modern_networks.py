"""The modern tabular networks (RealMLP, TabM, MLP-PLR): the scikit-learn contract, class
weights, early stopping on the validation rows only, curves, determinism, suite-time checks,
and a tiny `bench run`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.metrics import recall_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from bench.core.errors import SuiteError
from bench.models import neural
from bench.models.estimators import embed_mlp, realmlp, tabm
from bench.models.estimators.embed_mlp import EmbeddingMLPClassifier
from bench.models.estimators.fitting import weighted_log_loss
from bench.models.estimators.realmlp import RealMLPClassifier
from bench.models.estimators.tabm import TabMClassifier
from bench.models.registry import MODELS, ModelContext
from bench.suite import parse_suite

torch = pytest.importorskip("torch")

# Tiny widths and few epochs: these tests check behaviour, not quality.
TINY: dict[str, dict[str, Any]] = {
    "realmlp": {"hidden": (16, 16), "max_epochs": 8, "batch_size": 32},
    "tabm": {"k": 4, "d_block": 16, "n_blocks": 2, "max_epochs": 8, "batch_size": 32,
             "learning_rate": 1e-2},
    "mlp_plr": {"hidden": (16,), "d_embedding": 4, "n_frequencies": 8, "max_epochs": 8,
                "batch_size": 32, "learning_rate": 1e-2},
}
CLASSES = {"realmlp": RealMLPClassifier, "tabm": TabMClassifier, "mlp_plr": EmbeddingMLPClassifier}
NAMES = sorted(TINY)


def tiny(name: str, **kw: Any) -> Any:
    return CLASSES[name](**{**TINY[name], "device": "cpu", "n_threads": 1, **kw})


@pytest.fixture(scope="module")
def three_class() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(n_samples=400, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=3, class_sep=1.5, random_state=0)


@pytest.fixture(scope="module")
def ten_class() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("data", ["three_class", "ten_class"])
def test_fits_and_predicts_3_and_10_classes(name: str, data: str,
                                            request: pytest.FixtureRequest) -> None:
    X, y = request.getfixturevalue(data)
    labels = np.array([f"c<{c}>" for c in range(10)])[y]  # odd string labels, sorted as strings
    clf = tiny(name, max_epochs=15).fit(X[:300], labels[:300], eval_set=(X[300:], labels[300:]))
    k = len(np.unique(y))
    assert list(clf.classes_) == sorted(set(labels))
    proba = clf.predict_proba(X[300:])
    assert proba.shape == (len(X) - 300, k) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    pred = clf.predict(X[300:])
    assert np.array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    # columns follow classes_: the networks learn these easy sets well above chance
    assert np.mean(pred == labels[300:]) > 2.0 / k


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_identical_other_seed_differs(
        name: str, three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    def fit(seed: int) -> np.ndarray:
        return tiny(name, random_state=seed).fit(
            X[:300], y[:300], eval_set=(X[300:], y[300:])).predict_proba(X)

    p1, p2, p3 = fit(3), fit(3), fit(4)
    assert np.array_equal(p1, p2)
    assert not np.array_equal(p1, p3)


@pytest.mark.parametrize("name", NAMES)
def test_global_torch_rng_untouched(name: str, three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    state = torch.get_rng_state()
    tiny(name, max_epochs=1).fit(X, y)
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize("name", NAMES)
def test_class_weights_raise_minority_recall(name: str) -> None:
    X, y = make_classification(n_samples=600, n_features=8, n_informative=4, n_classes=2,
                               weights=[0.9, 0.1], class_sep=0.5, random_state=2)
    plain = tiny(name, max_epochs=10, batch_size=64).fit(X, y).predict(X)
    balanced = tiny(name, max_epochs=10, batch_size=64, class_weight="balanced").fit(X, y)
    assert recall_score(y, balanced.predict(X)) > recall_score(y, plain) + 0.2
    # the harness's class_weight strategy passes the same weights as sample_weight: same fit
    w = np.where(y == 1, len(y) / (2 * np.sum(y == 1)), len(y) / (2 * np.sum(y == 0)))
    weighted = tiny(name, max_epochs=10, batch_size=64).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(weighted.predict_proba(X), balanced.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_early_stopping_reads_only_the_validation_rows(name: str) -> None:
    # Noisy labels, a wide net, a high learning rate: validation loss turns up, training stops.
    X, y = make_classification(n_samples=400, n_features=12, n_informative=3, flip_y=0.3,
                               random_state=0)
    Xv, yv = X[300:], y[300:]
    params = {"realmlp": {"hidden": (128, 128), "learning_rate": 0.2, "lr_schedule": "constant"},
              "tabm": {"d_block": 128, "learning_rate": 3e-2},
              "mlp_plr": {"hidden": (128,), "learning_rate": 3e-2}}[name]
    clf = tiny(name, **params, max_epochs=60, patience=3).fit(X[:300], y[:300],
                                                              eval_set=(Xv, yv))
    val = [c["value"] for c in clf.curves_ if c["split"] == "validation" and c["metric"] == "loss"]
    assert clf.n_epochs_ < 60 and clf.n_epochs_ - clf.best_epoch_ == 3
    assert len(val) == clf.n_epochs_ and val[clf.best_epoch_ - 1] == min(val)
    # the validation loss is the log loss on exactly the eval_set rows (best weights restored)
    assert val[clf.best_epoch_ - 1] == pytest.approx(
        weighted_log_loss(clf.predict_proba(Xv), yv, None), rel=1e-5)
    # the row order of the validation part does not matter; its labels do
    perm = np.random.default_rng(0).permutation(len(yv))
    again = tiny(name, **params, max_epochs=60, patience=3).fit(
        X[:300], y[:300], eval_set=(Xv[perm], yv[perm]))
    assert again.best_epoch_ == clf.best_epoch_
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), rtol=0, atol=1e-6)
    other = tiny(name, **params, max_epochs=60, patience=3).fit(
        X[:300], y[:300], eval_set=(Xv, 1 - yv))
    assert not np.allclose(other.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("name", NAMES)
def test_curves_per_epoch_and_no_validation_without_eval_set(
        name: str, three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    clf = tiny(name, max_epochs=4, patience=None).fit(X[:300], y[:300],
                                                      eval_set=(X[300:], y[300:]))
    curves = pd.DataFrame(clf.curves_)
    assert set(curves.columns) == {"step", "split", "metric", "value"}
    counts = curves.groupby(["split", "metric"]).size().to_dict()
    assert counts == {(s, m): 4 for s in ("train", "validation") for m in ("loss", "macro_f1")}
    assert np.isfinite(curves["value"]).all()
    bare = tiny(name, max_epochs=3).fit(X, y)
    assert {c["split"] for c in bare.curves_} == {"train"}
    assert bare.n_epochs_ == bare.best_epoch_ == 3


@pytest.mark.parametrize("name, params, match", [
    ("realmlp", {"activation": "tanh"}, "activation"), ("realmlp", {"hidden": ()}, "hidden"),
    ("realmlp", {"label_smoothing": 1.0}, "label_smoothing"),
    ("tabm", {"k": 0}, "k must"), ("tabm", {"num_embeddings": "linear"}, "num_embeddings"),
    ("tabm", {"arch_type": "mlp"}, "arch_type"),
    ("mlp_plr", {"embedding": "lookup"}, "embedding"), ("mlp_plr", {"dropout": 1.0}, "dropout"),
    ("mlp_plr", {"preprocessing": "minmax"}, "preprocessing"),
    ("tabm", {"class_weight": "auto"}, "class_weight"), ("realmlp", {"device": "tpu"}, "device"),
    ("mlp_plr", {"batch_size": 0}, "batch_size"), ("tabm", {"patience": -1}, "patience"),
])
def test_invalid_params_raise_naming_the_parameter(name: str, params: dict[str, Any],
                                                   match: str) -> None:
    with pytest.raises(ValueError, match=match):
        tiny(name, **params).fit([[0.0], [1.0], [2.0]], [0, 1, 0])


@pytest.mark.parametrize("name", NAMES)
def test_unknown_eval_labels_raise(name: str, three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    with pytest.raises(ValueError, match="labels not seen"):
        tiny(name).fit(X, y, eval_set=(X[:5], np.full(5, 7)))


@pytest.mark.parametrize("name, params", [
    ("tabm", {"num_embeddings": "piecewise", "n_bins": 8}),
    ("tabm", {"num_embeddings": "periodic", "d_embedding": 4}),
    ("tabm", {"arch_type": "tabm-mini"}), ("tabm", {"preprocessing": "standard"}),
    ("mlp_plr", {"embedding": "piecewise", "n_bins": 8}),
    ("realmlp", {"embedding": "none", "parametric_activation": False}),
])
def test_variants_fit_with_a_constant_column(name: str, params: dict[str, Any],
                                             three_class: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = three_class
    X = np.column_stack([X, np.full(len(X), 5.0)])  # a constant column: one bin, scale 0 / 1
    clf = tiny(name, **params, max_epochs=10).fit(X[:300], y[:300], eval_set=(X[300:], y[300:]))
    assert np.mean(clf.predict(X[300:]) == y[300:]) > 0.5


def test_realmlp_schedules_match_the_paper() -> None:
    # coslog4: 0 at the start, 4 cosine cycles on a log2 time axis (peaks at 1 + 15 t = 2^(k+1/2))
    assert realmlp.schedule("coslog4", 0.0) == 0.0
    assert realmlp.schedule("coslog4", (2 ** 0.5 - 1) / 15) == pytest.approx(1.0)
    assert realmlp.schedule("coslog4", 1.0) == pytest.approx(0.0, abs=1e-12)
    assert realmlp.schedule("flat_cos", 0.4) == 1.0
    assert realmlp.schedule("flat_cos", 0.75) == pytest.approx(0.5)
    assert realmlp.schedule("flat_cos", 1.0) == pytest.approx(0.0)
    # robust scaling: median, 1 / IQR (half the range when the IQR is 0), 0 for a constant
    X = np.array([[0.0, 1.0, 3.0], [1.0, 1.0, 3.0], [2.0, 1.0, 3.0], [3.0, 1.0, 3.0],
                  [4.0, 9.0, 3.0]])
    median, scale = realmlp.robust_scale(X)
    np.testing.assert_allclose(median, [2.0, 1.0, 3.0])
    np.testing.assert_allclose(scale, [0.5, 0.25, 0.0])


def test_registry_choices_agree_with_the_estimators() -> None:
    assert neural._CHOICES["realmlp"]["activation"] == realmlp.ACTIVATIONS
    for key in ("lr_schedule", "wd_schedule", "dropout_schedule"):
        assert neural._CHOICES["realmlp"][key] == realmlp.SCHEDULES
    assert neural._CHOICES["tabm"]["arch_type"] == tabm.ARCH_TYPES
    assert neural._CHOICES["tabm"]["num_embeddings"] == tabm.NUM_EMBEDDINGS
    assert neural._CHOICES["mlp_plr"]["embedding"] == embed_mlp.EMBEDDINGS
    # every registry default is the estimator's default (docs/models.md shows the registry's)
    for name in NAMES:
        est = MODELS.get(name).build({}, ModelContext(seed=0))
        for key, value in MODELS.get(name).params.items():
            default = CLASSES[name]().get_params()[key]
            assert (tuple(value) if isinstance(value, list) else value) == default, (name, key)
        assert est.device == "cpu" and est.random_state == 0 and est.n_threads == 1


def test_a_bad_choice_fails_at_suite_time() -> None:
    raw = {"name": "bad", "datasets": [{"name": "wine"}], "samplers": ["none"],
           "models": [{"name": "tabm", "num_embeddings": "<script>"},
                      {"name": "mlp_plr", "embedding": "[/x]"}]}
    with pytest.raises(SuiteError) as err:
        parse_suite(raw)
    message = str(err.value)
    assert "num_embeddings: '<script>' is not allowed; allowed: none, piecewise, periodic" in message
    assert "embedding: '[/x]' is not allowed; allowed: periodic, piecewise" in message


@pytest.mark.parametrize("name", NAMES)
def test_registry_entries_are_dnn_family_with_eval_set_and_cuda(name: str) -> None:
    entry = MODELS.get(name)
    assert entry.family == "dnn" and entry.eval_set and entry.sample_weight and entry.gpu


# ---------------------------------------------------------------- scikit-learn estimator checks
def _expected_failed_checks(estimator: Any) -> dict[str, str]:
    # Mini-batch SGD over a random permutation: repeating a row k times is not the same as
    # weighting it by k (different batches, different step count), as for the DNN baseline.
    return {"check_sample_weight_equivalence_on_dense_data":
            "mini-batch SGD: integer weights are not equivalent to repeated rows"}


@pytest.mark.slow
@parametrize_with_checks([tiny(name, max_epochs=20) for name in NAMES],
                         expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_checks(estimator: Any, check: Any) -> None:
    check(estimator)


# ---------------------------------------------------------------- a tiny bench run
SUITE = """
name = "modern-networks"
folds = 2
repeats = 1
validation = 0.2
seed = 0
samplers = ["none", { name = "smote", k_neighbors = 3 }]
decisions = ["argmax"]

[imbalance]
profile = "step"
ratios = [3]
minority = [2]

[[datasets]]
name = "wine"

[[models]]
name = "realmlp"
hidden = [16, 16]
max_epochs = 6
batch_size = 32

[[models]]
name = "tabm"
k = 4
d_block = 16
n_blocks = 1
max_epochs = 6
batch_size = 32

[[models]]
name = "mlp_plr"
hidden = [16]
d_embedding = 4
n_frequencies = 8
max_epochs = 6
batch_size = 32
"""


@pytest.mark.slow
def test_bench_run_tiny_suite_every_network_ok(tmp_path: Path) -> None:
    suite = tmp_path / "modern.toml"
    suite.write_text(SUITE)
    store = tmp_path / "store"
    out = subprocess.run([sys.executable, "-m", "bench", "run", str(suite), "--results",
                          str(store), "--workers", "1", "--threads", "1", "--no-leaderboard"],
                         capture_output=True, text=True, timeout=600, check=False,
                         env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    cells = pd.read_parquet(store / "cells")
    assert len(cells) == 3 * 2 * 2
    assert (cells["status"] == "ok").all(), cells[["model", "sampler", "error"]]
    assert set(cells["model"].str.split("(").str[0]) == set(NAMES)
    assert set(cells["family"]) == {"dnn"}
    curves = pd.read_parquet(store / "curves")
    assert set(curves["cell_id"]) == set(cells["cell_id"])
    assert {"train", "validation"} <= set(curves["split"])
