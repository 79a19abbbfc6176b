"""The model zoo as the protocol sees it: registry entries, skip rules, determinism, curves,
class weights, devices."""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import numpy as np
import pytest

from bench.core.cell import Cell, Component
from bench.metrics import metric_names
from bench.models.estimators.fitting import ThreadedJoblib
from bench.models.registry import MODELS, ModelContext
from bench.protocol import run_cell
from bench.suite import load_suite, skip_reason

pytestmark = pytest.mark.slow  # end-to-end runs and fits (make test-fast skips them)

torch = pytest.importorskip("torch")
HAS_CUDA = torch.cuda.is_available()
ROOT = Path(__file__).resolve().parents[2]

FAMILIES = {
    "dnn": "dnn", "random_forest": "bagging", "extra_trees": "bagging",
    "balanced_random_forest": "bagging", "balanced_bagging": "bagging",
    "easy_ensemble": "bagging", "lightgbm": "boosting", "xgboost": "boosting",
    "catboost": "boosting", "hist_gradient_boosting": "boosting", "rus_boost": "boosting",
    "logistic": "baseline", "dummy": "baseline",
}
# Tiny budgets: these tests check plumbing and determinism, not quality.
SMALL: dict[str, dict[str, object]] = {
    "dnn": {"hidden": [16], "max_epochs": 4, "batch_size": 32, "dropout": 0.1},
    "random_forest": {"n_estimators": 10}, "extra_trees": {"n_estimators": 10},
    "balanced_random_forest": {"n_estimators": 10}, "balanced_bagging": {"n_estimators": 5},
    "easy_ensemble": {"n_estimators": 2, "boost_rounds": 5},
    "lightgbm": {"n_estimators": 20, "early_stopping_rounds": 3},
    "xgboost": {"n_estimators": 20, "early_stopping_rounds": 3},
    "catboost": {"n_estimators": 20, "early_stopping_rounds": 3, "border_count": 16},
    "hist_gradient_boosting": {"n_estimators": 20, "early_stopping_rounds": 3},
    "rus_boost": {"n_estimators": 20, "early_stopping_rounds": 3},
    "logistic": {}, "dummy": {},
}
CURVED = ["dnn", "lightgbm", "xgboost", "catboost", "hist_gradient_boosting", "rus_boost"]
GPU_MODELS = ["xgboost", "catboost", "dnn"]


def cell(model: str, sampler: str = "none", decomposition: str = "native") -> Cell:
    return Cell(dataset=Component.of("wine"), sampler=Component.of(sampler),
                model=Component.of(model, SMALL[model]), profile="step", ratio=3,
                minority=("2",), decomposition=decomposition, holdout=0.3, folds=None)


def metrics(row: dict[str, object]) -> dict[str, object]:
    return {k: row[k] for k in metric_names() if k in row}


def same(a: dict[str, object], b: dict[str, object]) -> bool:
    return a.keys() == b.keys() and all(
        (isinstance(v, float) and math.isnan(v) and math.isnan(b[k])) or v == b[k]
        for k, v in a.items())


def test_every_model_is_registered_with_its_family() -> None:
    assert {e.name: e.family for e in MODELS} == FAMILIES


def test_sample_weight_and_eval_set_flags_match_the_fit_signatures() -> None:
    for entry in MODELS:
        est = entry.build({}, ModelContext(seed=0))
        params = inspect.signature(est.fit).parameters
        assert ("sample_weight" in params) == entry.sample_weight, entry.name
        assert ("eval_set" in params) == entry.eval_set, entry.name
        if isinstance(est, ThreadedJoblib):  # the wrapped library estimator agrees
            inner = inspect.signature(est.estimator.fit).parameters
            assert ("sample_weight" in inner) == entry.sample_weight, entry.name
    # imbalanced-learn 0.14: BalancedBaggingClassifier.fit(X, y), EasyEnsembleClassifier.fit(X, y)
    assert {e.name for e in MODELS if not e.sample_weight} == {"balanced_bagging",
                                                               "easy_ensemble"}


def test_skip_rule_removes_unweighted_class_weight_cells_with_a_reason() -> None:
    from bench.suite.describe import describe

    reason = skip_reason(cell("easy_ensemble", "class_weight"))
    assert reason and "easy_ensemble" in reason and "sample_weight" in reason
    assert skip_reason(cell("random_forest", "class_weight")) is None
    info = describe(ROOT / "suites" / "zoo.toml")
    assert info["n_skipped"] == 12 and len(info["skip_reasons"]) == 2
    assert all("per-sample weights" in r for r in info["skip_reasons"])


def test_zoo_suite_crosses_every_model_sampler_and_decomposition() -> None:
    suite = load_suite(ROOT / "suites" / "zoo.toml")
    assert {m.name for m in suite.models} == set(FAMILIES)
    assert {s.name for s in suite.samplers} == {"none", "class_weight", "random_over",
                                                "random_under", "smote"}
    assert set(suite.decompositions) == {"native", "ovr", "ovo"}


@pytest.mark.parametrize("name", [e for e in FAMILIES if not MODELS.get(e).gpu])
def test_cuda_is_refused_where_the_library_has_no_gpu_build(name: str) -> None:
    with pytest.raises(ValueError, match="has no GPU build"):
        MODELS.get(name).build({}, ModelContext(seed=0, device="cuda"))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_same_seed_same_metrics(name: str) -> None:
    # Every model seeded from the cell; the libraries with thread pools run with 2 threads.
    threads = 2 if name in ("lightgbm", "xgboost", "catboost") else 1
    first = run_cell(cell(name), n_threads=threads)
    second = run_cell(cell(name), n_threads=threads)
    assert first.row["status"] == "ok"
    assert same(metrics(first.row), metrics(second.row))
    assert first.curves.equals(second.curves)


def test_dnn_twice_identical_with_class_weights_and_decomposition() -> None:
    for c in (cell("dnn", "class_weight"), cell("dnn", "smote", "ovo")):
        a, b = run_cell(c), run_cell(c)
        assert same(metrics(a.row), metrics(b.row)) and a.curves.equals(b.curves)


@pytest.mark.parametrize("name", CURVED)
def test_curves_table_rows(name: str) -> None:
    curves = run_cell(cell(name)).curves
    assert list(curves.columns) == ["cell_id", "step", "split", "metric", "value"]
    assert set(curves["split"]) == {"train", "validation"}
    for _, part in curves.groupby(["split", "metric"]):
        assert part["step"].tolist() == list(range(1, len(part) + 1))
    expected = {"loss", "macro_f1"} if name == "dnn" else (
        {"loss", "exp_loss"} if name == "rus_boost" else {"loss"})
    assert set(curves["metric"]) == expected


@pytest.mark.parametrize("name", [e for e in FAMILIES if MODELS.get(e).sample_weight])
def test_class_weight_strategy_changes_every_weighted_model(name: str) -> None:
    plain = run_cell(cell(name))
    weighted = run_cell(cell(name, "class_weight"))
    assert weighted.row["status"] == "ok"
    assert weighted.row["log_loss"] != plain.row["log_loss"]


@pytest.mark.parametrize("decomposition", ["ovr", "ovo"])
def test_decompositions_through_the_protocol(decomposition: str) -> None:
    res = run_cell(cell("lightgbm", "class_weight", decomposition))
    assert res.row["status"] == "ok" and np.isfinite(res.row["log_loss"])
    assert res.curves["metric"].str.contains(" vs ").all()


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_CUDA, reason="no CUDA GPU")
@pytest.mark.parametrize("name", GPU_MODELS)
def test_cuda_path(name: str) -> None:
    res = run_cell(cell(name), device="cuda")
    assert res.row["status"] == "ok" and len(res.curves)
    est = MODELS.get(name).build(SMALL[name], ModelContext(seed=0, device="cuda"))
    X = np.random.default_rng(0).normal(size=(200, 5))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    est.fit(X, y, eval_set=(X[:50], y[:50]))
    if name == "xgboost":
        assert est.model_.get_params()["device"] == "cuda"
    elif name == "catboost":
        assert est.model_.get_params()["task_type"] == "GPU"
    else:
        assert next(est.model_.parameters()).is_cuda


@pytest.mark.parametrize("name", ["balanced_bagging", "easy_ensemble"])
def test_bagging_ensembles_use_threads_inside_daemon_workers(name: str) -> None:
    # Executor workers are daemons: joblib's process backend would fall back to one job there.
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_fit_in_daemon, args=(name, queue), daemon=True)
    proc.start()
    messages = queue.get(timeout=120)
    proc.join(timeout=30)
    assert not [m for m in messages if "n_jobs=1" in m], messages


def _fit_in_daemon(name: str, queue: object) -> None:
    import warnings

    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = MODELS.get(name).build(SMALL[name], ModelContext(seed=0, n_threads=2))
        est.fit(X, y).predict_proba(X)
    queue.put([str(w.message) for w in caught])  # type: ignore[attr-defined]
