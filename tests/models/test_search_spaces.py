"""Model search spaces (the `tuning` axis): every key is a declared parameter, every value a
tuner can draw passes the suite checks, and every model fits at the corners of its space."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from bench.core.params import check_params
from bench.core.space import Choice, Float, Int, SearchSpace
from bench.models import MODELS
from bench.models.registry import ModelContext

# dummy predicts the prior: nothing to tune. Every other built-in model declares a space.
NO_SPACE_MODELS = {"dummy"}
BUILTIN = [n for n in MODELS.names()
           if MODELS.get(n).factory.__module__.startswith("bench.")]
SPACED = [n for n in BUILTIN if MODELS.get(n).space]

# Budgets that keep a fit short; none of these keys is in a space (checked below), so the
# corners below are the space's own values.
BUDGET: dict[str, dict[str, Any]] = {
    "random_forest": {"n_estimators": 5}, "extra_trees": {"n_estimators": 5},
    "balanced_random_forest": {"n_estimators": 5}, "balanced_bagging": {"n_estimators": 5},
    "lightgbm": {"n_estimators": 15, "early_stopping_rounds": 3},
    "xgboost": {"n_estimators": 15, "early_stopping_rounds": 3},
    "catboost": {"n_estimators": 15, "early_stopping_rounds": 3},
    "hist_gradient_boosting": {"n_estimators": 15, "early_stopping_rounds": 3},
    "rus_boost": {"n_estimators": 15, "early_stopping_rounds": 3},
    "dnn": {"hidden": [16], "max_epochs": 2},
    "realmlp": {"hidden": [16], "max_epochs": 2},
    "tabm": {"k": 4, "max_epochs": 2},
    "mlp_plr": {"hidden": [16], "max_epochs": 2},
}


def corner(dim: Float | Int | Choice, where: str) -> Any:
    """The low or high end of a dimension, or a value in its middle (geometric for log)."""
    if isinstance(dim, Choice):
        return {"low": dim.values[0], "high": dim.values[-1],
                "mid": dim.values[len(dim.values) // 2]}[where]
    if where in ("low", "high"):
        return getattr(dim, where)
    mid = math.sqrt(dim.low * dim.high) if dim.log else (dim.low + dim.high) / 2
    return round(mid) if isinstance(dim, Int) else mid


def values_at(space: SearchSpace, where: str) -> dict[str, Any]:
    return {name: corner(dim, where) for name, dim in space.dims.items()}


def draw(space: SearchSpace, rng: np.random.Generator) -> dict[str, Any]:
    """A random configuration (uniform, or log-uniform for log dimensions): the corners fix
    every dimension at once, a draw mixes them (large leaves with small leaf sizes, ...)."""
    out: dict[str, Any] = {}
    for name, dim in space.dims.items():
        if isinstance(dim, Choice):
            out[name] = dim.values[int(rng.integers(len(dim.values)))]
            continue
        lo, hi = (math.log(dim.low), math.log(dim.high)) if dim.log else (dim.low, dim.high)
        x = float(rng.uniform(lo, hi))
        x = math.exp(x) if dim.log else x
        out[name] = min(max(round(x), dim.low), dim.high) if isinstance(dim, Int) else x
    return out


def test_every_builtin_model_but_the_prior_has_a_cited_space() -> None:
    assert set(BUILTIN) - set(SPACED) == NO_SPACE_MODELS
    for name in SPACED:
        space = MODELS.get(name).space
        assert isinstance(space, SearchSpace)
        assert space.source.strip(), f"{name}: a space must cite its source"
        assert space.describe() == [(k, d.describe()) for k, d in space.dims.items()]


@pytest.mark.parametrize("name", SPACED)
def test_space_keys_are_declared_parameters(name: str) -> None:
    entry = MODELS.get(name)
    assert set(entry.space.dims) <= set(entry.params), (
        f"{name}: {sorted(set(entry.space.dims) - set(entry.params))} not declared")
    assert not set(entry.space.dims) & set(BUDGET.get(name, {}))


@pytest.mark.parametrize("name", SPACED)
@pytest.mark.parametrize("where", ["low", "mid", "high"])
def test_space_values_pass_the_suite_checks(name: str, where: str) -> None:
    """A tuned value must be one a suite could state: right type, allowed by the entry's check."""
    entry = MODELS.get(name)
    values = values_at(entry.space, where)
    assert check_params(f"models.{name}", values, entry.params) == []
    if entry.check is not None:
        assert entry.check({**entry.params, **values}) == []


@pytest.mark.parametrize("name", SPACED)
def test_log_dimensions_have_positive_bounds(name: str) -> None:
    for key, dim in MODELS.get(name).space.dims.items():
        if isinstance(dim, (Float, Int)):
            assert dim.low < dim.high, key
            if dim.log:
                assert dim.low > 0, key
        else:
            assert len(set(dim.values)) == len(dim.values) >= 2, key


def tiny_three_classes() -> tuple[np.ndarray, ...]:
    """90 training and 30 validation rows, 5 features, classes 60 / 30 / 15 % (a long tail)."""
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=120, p=[0.55, 0.30, 0.15])
    X = rng.normal(size=(120, 5)) + 1.5 * y[:, None] * np.array([1.0, -1.0, 0.5, 0.0, 0.0])
    return X[:90], y[:90], X[90:], y[90:]


def fit_and_check(name: str, values: dict[str, Any]) -> None:
    entry = MODELS.get(name)
    X, y, X_val, y_val = tiny_three_classes()
    params = {**BUDGET.get(name, {}), **values}
    estimator = entry.build(params, ModelContext(seed=0, n_threads=1, n_classes=3))
    if entry.eval_set:
        estimator.fit(X, y, eval_set=(X_val, y_val))
    else:
        estimator.fit(X, y)
    proba = estimator.predict_proba(X_val)
    assert proba.shape == (len(y_val), 3)
    assert np.all(np.isfinite(proba))
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", SPACED)
@pytest.mark.parametrize("where", ["low", "mid", "high"])
def test_model_fits_at_the_corners_of_its_space(name: str, where: str) -> None:
    fit_and_check(name, values_at(MODELS.get(name).space, where))


@pytest.mark.slow
@pytest.mark.parametrize("name", SPACED)
def test_model_fits_random_configurations_of_its_space(name: str) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    for _ in range(3):
        values = draw(MODELS.get(name).space, rng)
        assert check_params(f"models.{name}", values, MODELS.get(name).params) == []
        fit_and_check(name, values)
