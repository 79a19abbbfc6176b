"""Calibration on the validation part (temperature scaling, isotonic) as a decision-rule option."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import log_loss as sk_log_loss

from bench.core.errors import DecisionError
from bench.core.vocab import (
    decision_needs_validation,
    decision_string,
    parse_decision,
    split_calibration,
)
from bench.protocol import calibrate as cal
from bench.protocol.decision import DecisionContext, decide
from bench.suite import SuiteError, parse_suite, skip_reason
from bench.suite.grid import plan


def overconfident(n: int, k: int, true_t: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from q; the model reports softmax(log q * true_t): q at temperature 1/true_t,
    so the calibrating temperature is true_t."""
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.ones(k), size=n)
    y = np.array([rng.choice(k, p=row) for row in q])
    return softmax(np.log(q) * true_t, axis=1), y


def ctx(proba_val, y_val, train, test) -> DecisionContext:
    return DecisionContext(np.asarray(proba_val, float), np.asarray(y_val),
                           np.asarray(train, float), np.asarray(test, float))


# ---- temperature ---------------------------------------------------------------------------


@pytest.mark.parametrize("true_t", [0.5, 3.0])
def test_temperature_recovers_the_distortion(true_t: float) -> None:
    p, y = overconfident(20000, 3, true_t, seed=1)
    t = cal.fit_temperature(p, y)
    assert t == pytest.approx(true_t, rel=0.05)
    # the fitted T is the minimum of scikit-learn's log loss + (log T)^2 / 2n over a fine grid
    grid = t * np.exp(np.linspace(-0.05, 0.05, 11))
    losses = [sk_log_loss(y, cal.apply_temperature(p, g), labels=[0, 1, 2])
              + np.log(g) ** 2 / (2 * len(y)) for g in grid]
    assert int(np.argmin(losses)) == 5


def test_a_separable_small_validation_part_does_not_send_t_to_zero() -> None:
    # every row right: the plain log loss falls for ever as T -> 0; the prior keeps T finite
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6], [0.95, 0.05]] * 3)
    y = np.array([0, 1, 0, 1, 0] * 3)
    t = cal.fit_temperature(p, y)
    assert 0.1 < t < 1.0
    test = np.array([[0.45, 0.55]])  # a test row the model barely decides on stays uncertain
    assert cal.apply_temperature(test, t)[0, 1] < 0.8


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(5, 60), st.integers(0, 10_000))
def test_temperature_keeps_argmax_and_never_raises_val_loss(k: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(k) * 0.5, size=n)
    y = rng.integers(0, k, size=n)
    t = cal.fit_temperature(p, y)
    pt = cal.apply_temperature(p, t)
    assert np.array_equal(pt.argmax(axis=1), p.argmax(axis=1))
    np.testing.assert_allclose(pt.sum(axis=1), 1.0, atol=1e-12)
    assert cal.log_loss(pt, y) <= cal.log_loss(p, y) + 1e-12
    np.testing.assert_allclose(cal.apply_temperature(p, 1.0), p / p.sum(axis=1, keepdims=True),
                               atol=1e-12)


def test_temperature_handles_zero_probabilities() -> None:
    p = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    y = np.array([0, 1, 0, 1])
    pt = cal.apply_temperature(p, cal.fit_temperature(p, y))
    assert np.isfinite(pt).all() and np.isfinite(cal.log_loss(pt, y))


# ---- isotonic ------------------------------------------------------------------------------


def test_isotonic_maps_each_class_like_sklearn_then_renormalises() -> None:
    p, y = overconfident(3000, 3, 2.0, seed=2)
    out, _, info = cal.calibrate("isotonic", p[:5], p, y)
    assert info["method"] == "isotonic" and "fallback" not in info
    ref = np.column_stack([IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip")
                           .fit(p[:, c], y == c).predict(p[:5, c]) for c in range(3)])
    np.testing.assert_allclose(out, ref / ref.sum(axis=1, keepdims=True), atol=1e-12)
    assert info["val_log_loss_after"] < info["val_log_loss_before"]


@pytest.mark.parametrize("n, per_class, reason", [
    (500, None, "500 validation rows < 1000"),
    (1500, 10, "class 2 has 10 validation rows < 20"),
])
def test_isotonic_falls_back_to_temperature_on_a_small_part(n: int, per_class: int | None,
                                                            reason: str) -> None:
    p, y = overconfident(n, 3, 2.0, seed=3)
    if per_class is not None:  # keep only `per_class` rows of class 2
        keep = (y != 2) | (np.cumsum(y == 2) <= per_class)
        p, y = p[keep], y[keep]
    out, _, info = cal.calibrate("isotonic", p, p, y)
    assert info["method"] == "temperature" and info["requested"] == "isotonic"
    assert info["fallback"] == f"temperature: {reason}"
    np.testing.assert_allclose(out, cal.apply_temperature(p, info["temperature"]), atol=1e-15)


# ---- the decision rules --------------------------------------------------------------------


def test_uncalibrated_rules_are_unchanged() -> None:
    p, y = overconfident(200, 3, 2.0, seed=4)
    c = ctx(p, y, (1, 1, 1), (1, 1, 1))
    assert decide("argmax", p, c).params == {}
    assert np.array_equal(decide("argmax", p, c).proba, p)


def test_argmax_temperature_keeps_predictions_and_calibrates_probabilities() -> None:
    p, y = overconfident(4000, 3, 3.0, seed=5)
    test, val, y_test, y_val = p[:2000], p[2000:], y[:2000], y[2000:]
    plain = decide("argmax", test, ctx(val, y_val, (1, 1, 1), (1, 1, 1)))
    d = decide("argmax+temperature", test, ctx(val, y_val, (1, 1, 1), (1, 1, 1)))
    assert np.array_equal(d.y_pred, plain.y_pred)
    assert d.params["rule"] == "argmax" and d.params["calibration"]["method"] == "temperature"
    assert d.params["calibration"]["temperature"] == pytest.approx(3.0, rel=0.1)
    # the test part's log loss (never seen by the calibration) improves
    assert sk_log_loss(y_test, d.proba) < sk_log_loss(y_test, plain.proba) - 0.05


def test_prior_after_isotonic_starts_from_the_validation_prior() -> None:
    p, y = overconfident(3000, 3, 1.0, seed=6)
    d = decide("prior+isotonic", p[:10], ctx(p, y, (5, 1, 1), (1, 1, 1)))
    val_prior = np.bincount(y, minlength=3) / len(y)
    np.testing.assert_allclose(d.params["train_prior"], val_prior)
    assert d.params["calibration"]["method"] == "isotonic" and d.params["rule"] == "prior"
    t = decide("prior+temperature", p[:10], ctx(p, y, (5, 1, 1), (1, 1, 1)))
    np.testing.assert_allclose(t.params["train_prior"], [5 / 7, 1 / 7, 1 / 7])


def test_tuned_fits_its_weights_on_the_calibrated_validation_part() -> None:
    p, y = overconfident(1200, 3, 2.0, seed=7)
    d = decide("tuned:balanced_accuracy+isotonic", p[:50], ctx(p, y, (1, 1, 1), (1, 1, 1)))
    assert d.params["rule"] == "tuned" and d.params["metric"] == "balanced_accuracy"
    assert d.params["calibration"]["method"] == "isotonic"
    w = np.asarray(d.params["weights"])
    assert np.array_equal(d.y_pred, np.argmax(d.proba * w, axis=1))


def test_calibration_needs_a_validation_part() -> None:
    p = np.array([[0.7, 0.3]])
    with pytest.raises(ValueError, match="calibration needs a validation part"):
        decide("argmax+temperature", p, DecisionContext(None, None, np.ones(2), np.ones(2)))
    with pytest.raises(ValueError, match="validation part's probabilities, and none were computed"):
        decide("prior+temperature", p, DecisionContext(None, np.array([0, 1]), np.ones(2),
                                                        np.ones(2)))


# ---- syntax, suites and cell ids -----------------------------------------------------------


@pytest.mark.parametrize("rule, parsed, calibration", [
    ("argmax", ("argmax", None), None), ("prior+temperature", ("prior", None), "temperature"),
    ("tuned+isotonic", ("tuned", "macro_f1"), "isotonic"),
    ("tuned:mcc+temperature", ("tuned", "mcc"), "temperature"),
])
def test_syntax_round_trips(rule: str, parsed: tuple, calibration: str | None) -> None:
    assert parse_decision(rule) == parsed and split_calibration(rule)[1] == calibration
    assert decision_string(*parsed, calibration) == rule
    assert decision_needs_validation(rule) == (calibration is not None or parsed[0] == "tuned")


@pytest.mark.parametrize("bad", ["argmax+platt", "prior+", "+temperature",
                                 "argmax+temperature+isotonic", "prior+<script>"])
def test_bad_calibrations_are_refused(bad: str) -> None:
    with pytest.raises(DecisionError, match="allowed"):
        parse_decision(bad)


def test_suite_reads_calibrations_and_skips_them_without_validation() -> None:
    raw = {"name": "c", "datasets": [{"name": "wine"}], "models": ["logistic"], "holdout": 0.3,
           "decisions": ["argmax", "prior+isotonic", "tuned:mcc+temperature"], "validation": 0.0}
    suite = parse_suite(raw)
    assert suite.decisions == ("argmax", "prior+isotonic", "tuned:mcc+temperature")
    cells, skipped = plan(suite)
    assert [c.decision for c in cells] == ["argmax"]
    assert sorted(skip_reason(c) for c, _ in skipped) == [
        "decision 'prior+isotonic' needs a validation part (validation > 0)",
        "decision 'tuned' needs a validation part (validation > 0)"]
    with pytest.raises(SuiteError, match="a calibration"):
        parse_suite({**raw, "decisions": ["prior+platt"]})


def test_cell_ids_of_uncalibrated_rules_match_the_committed_baseline() -> None:
    """The CI gate compares fresh cells with results/baselines/quick by cell id."""
    from pathlib import Path

    from bench.suite import load_suite

    root = Path(__file__).resolve().parents[2]
    cells, _ = plan(load_suite(root / "suites" / "quick.toml"))
    stored = set(pd.read_parquet(root / "results" / "baselines" / "quick" / "cells")["cell_id"])
    assert {c.cell_id for c in cells} <= stored
