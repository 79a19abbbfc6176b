"""The model zoo as the protocol sees it: registry entries, skip rules, determinism, curves,
class weights, devices."""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import numpy as np
import pytest

from bench.core.cell import Cell, Component
from bench.metrics import metric_names
from bench.models.registry import MODELS, ModelContext
from bench.protocol import run_cell, run_cell_safely
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
    "realmlp": "dnn", "tabm": "dnn", "mlp_plr": "dnn",
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
    "realmlp": {"hidden": [16], "max_epochs": 4, "batch_size": 32},
    "tabm": {"k": 4, "d_block": 16, "n_blocks": 1, "max_epochs": 4, "batch_size": 32},
    "mlp_plr": {"hidden": [16], "d_embedding": 4, "n_frequencies": 8, "max_epochs": 4,
                "batch_size": 32},
}
CURVED = ["dnn", "lightgbm", "xgboost", "catboost", "hist_gradient_boosting", "rus_boost",
          "realmlp", "tabm", "mlp_plr"]
GPU_MODELS = ["xgboost", "catboost", "dnn", "realmlp", "tabm", "mlp_plr"]


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
    expected = {"loss", "macro_f1"} if MODELS.get(name).family == "dnn" else (
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


# ---- every model x every decomposition: no error rows (issue 10) ----------------------------
DECOMPOSITIONS = ["native", "ovr", "ovo"]


def zoo_grid(dataset: str, samplers: list[str], **split: object) -> dict[str, object]:
    """A suite mapping: every built-in model (small budgets) x every decomposition."""
    return {"name": f"grid-{dataset}", "samplers": samplers, "decompositions": DECOMPOSITIONS,
            "imbalance": {"profile": "step", "ratios": [5], "minority": "rarest"},
            "datasets": [{"name": dataset}], "validation": 0.2, **split,
            "models": [{"name": name, **SMALL[name]} for name in sorted(FAMILIES)]}


def run_grid(raw: dict[str, object]) -> tuple[list[dict[str, object]], list[str]]:
    """Plan the grid (the documented skip rule) and run every planned cell in-process."""
    from bench.suite import parse_suite, plan

    cells, skipped = plan(parse_suite(raw))
    return [run_cell_safely(c).row for c in cells], [reason for _, reason in skipped]


def failures(rows: list[dict[str, object]]) -> list[str]:
    return [f"{r['model']}/{r['sampler']}/{r['decomposition']}/fold {r['fold']}: "
            f"{r['status']}: {r['error']}" for r in rows if r["status"] != "ok"]


def test_every_model_decomposition_and_sampler_on_wine_at_ratio_5() -> None:
    """wine, step ratio 5, minority "rarest" (class 2 keeps 7-8 training rows), 2 folds: every
    model x native / ovr / ovo x none / class_weight / random_over is ok; the only skips are the
    documented class_weight cells of the models without per-sample weights."""
    rows, reasons = run_grid(zoo_grid("wine", ["none", "class_weight", "random_over"], folds=2))
    assert len(rows) + len(reasons) == len(FAMILIES) * 3 * 3 * 2
    assert failures(rows) == []
    unweighted = [n for n in FAMILIES if not MODELS.get(n).sample_weight]
    assert len(reasons) == len(unweighted) * 3 * 2
    assert all("cannot take per-sample weights" in r for r in reasons)


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine", "digits"])
def test_every_model_and_decomposition_on_2_3_and_10_classes(dataset: str) -> None:
    rows, reasons = run_grid(zoo_grid(dataset, ["none"], holdout=0.3))
    assert not reasons and len(rows) == len(FAMILIES) * 3
    assert failures(rows) == []
    k = {"breast_cancer": 2, "wine": 3, "digits": 10}[dataset]
    assert all(len(json.loads(r["test_counts"])) == k for r in rows)


@pytest.mark.parametrize("fold", [1, 4])
def test_balanced_bagging_bags_hold_every_class(fold: int) -> None:
    """The issue's failure (these two cells failed with scikit-learn's bootstrap bags): wine,
    step ratio 5, 5 folds, ovo, 300 bags. Every bag now holds the 7- or 8-row class."""
    row = run_cell_safely(Cell(
        dataset=Component.of("wine"), sampler=Component.of("none"),
        model=Component.of("balanced_bagging", {"n_estimators": 300}), profile="step", ratio=5,
        minority="rarest", decomposition="ovo", folds=5, fold=fold)).row
    assert row["status"] == "ok", row["error"]
    assert json.loads(row["train_counts"])[2] <= 8


def test_balanced_bagging_fits_a_3_row_class_in_every_bag() -> None:
    """3 rows against 40: a bootstrap bag of 43 rows misses the small class with probability
    (40/43)^43 = 4.5%, so 300 bootstrap bags would certainly include a one-class bag."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [40, 3])
    X = rng.normal(size=(43, 4)) + y[:, None]
    est = MODELS.get("balanced_bagging").build({}, ModelContext(seed=0)).fit(X, y)
    bags = est.estimators_
    assert len(bags) == 300
    assert all(list(bag.classes_) == [0, 1] for bag in bags)
    assert all(np.bincount(bag.steps[0][1].sample_indices_, minlength=43)[40:].sum() == 3
               for bag in bags[:5])  # the 3 rows of the small class are in every bag
