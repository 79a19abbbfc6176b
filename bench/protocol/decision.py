"""Decision rules: how class probabilities become a predicted class.

Why: the cheapest fix for a minority class is often not resampling but a different decision on
the same probabilities. A rule is fitted on the validation part only (never the test part).

Rules (a cell's `decision` string):

* ``argmax``: the class of highest probability; the model's probabilities are scored as they are.
* ``tuned`` / ``tuned:<metric>``: per-class multiplicative weights ``w`` (``y = argmax_c p_c w_c``)
  fitted on the validation part to maximise ``<metric>`` (default ``macro_f1``; any registered
  metric that needs no probabilities). Optimizer, deterministic: ``w_0 = 1`` is fixed (only ratios
  matter), the other weights start at 1; coordinate ascent over classes 1..k-1, each trying every
  value of the log-spaced grid ``10**(i/10), i = -20..20`` (0.01 .. 100, 41 values, 1 included).
  A weight moves only on a *strict* improvement of the validation score, to the best grid value
  closest to 1 in log scale (the smallest departure from argmax: shrinkage against over-fitting
  the validation part); rounds repeat until one changes nothing (at most ``MAX_ROUNDS``). The
  probabilities themselves are not changed: probability metrics score the model's probabilities.
* ``prior``: Bayes correction to the known deployment prior,
  ``p'(y|x) = p(y|x) * pi_test(y) / pi_train(y)``, renormalised per row, ``y = argmax p'``, where
  ``pi_train`` is the class distribution the model was fitted on (after resampling; uniform under
  class weights) and ``pi_test`` the requested test proportions. A class with ``pi_train = 0`` gets
  factor 0 (the model cannot have learned it); a row whose corrected mass is 0 keeps its original
  probabilities. The corrected probabilities define a new probabilistic classifier, so probability
  metrics (log loss, PR-AUC, ...) score ``p'``.

Calibration (``<rule>+temperature``, ``<rule>+isotonic``; `bench.protocol.calibrate`): a map fitted
on the validation part is applied to the validation and test probabilities first; the rule then
works on the calibrated probabilities (``tuned`` fits its weights on the calibrated validation
part) and probability metrics score them. ``prior`` after ``isotonic`` starts from the validation
part's class distribution (isotonic maps to validation frequencies); after ``temperature``, which
keeps the fitted prior, from the fitted distribution as without calibration.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from bench.core.vocab import (  # noqa: F401
    DECISIONS,
    DEFAULT_TUNED_METRIC,
    ISOTONIC,
    parse_decision,
    split_calibration,
)
from bench.metrics.registry import check_tunable
from bench.protocol.calibrate import calibrate

RULES = DECISIONS
GRID = 10.0 ** (np.arange(-20, 21) / 10.0)  # 0.01 .. 100, GRID[20] == 1.0 exactly
MAX_ROUNDS = 10


@dataclass(frozen=True)
class DecisionContext:
    """What a rule may use: validation probabilities/labels and the priors (never test labels)."""

    proba_val: np.ndarray | None
    y_val: np.ndarray | None
    train_prior: np.ndarray  # class distribution the model was fitted on (after resampling)
    test_prior: np.ndarray  # class distribution of the deployment (test) part, as requested
    train_counts: np.ndarray | None = None  # class counts fitted on
    minority: int | None = None  # the cell's minority class code (minority_* metrics when tuning)


class Decision(NamedTuple):
    """A rule's output: predicted codes, the probabilities to score, and what was fitted."""

    y_pred: np.ndarray
    proba: np.ndarray  # the model's probabilities, or the corrected ones (rule `prior`)
    params: dict[str, Any]  # JSON-able: stored in the row's `decision_params`


def parse_rule(rule: str) -> tuple[str, dict[str, Any]]:
    """``"tuned:balanced_accuracy"`` -> ``("tuned", {"metric": "balanced_accuracy"})``.

    The syntax is the vocabulary's (`parse_decision`); a tuning metric must also be registered
    and computed from labels alone (`check_tunable`). Errors name the allowed values.
    """
    name, metric = parse_decision(rule)
    if metric is None:
        return name, {}
    check_tunable(metric, f"decision {rule!r}")
    return name, {"metric": metric}


def decide(rule: str, proba: np.ndarray, ctx: DecisionContext) -> Decision:
    """Predicted codes for `proba` under `rule`, the probabilities to score, what was fitted."""
    base, calibration = split_calibration(rule)
    name, params = parse_rule(base)
    proba = np.asarray(proba, dtype=np.float64)
    if calibration is None:
        return _apply(name, params, proba, ctx.proba_val, ctx.train_prior, ctx)
    if ctx.y_val is None or len(ctx.y_val) == 0:
        raise ValueError(f"decision {rule!r}: calibration needs a validation part (validation > 0)")
    if ctx.proba_val is None:  # the caller must predict the part (decision_needs_validation)
        raise ValueError(f"decision {rule!r}: calibration needs the validation part's "
                         "probabilities, and none were computed")
    proba, proba_val, info = calibrate(calibration, proba, ctx.proba_val, ctx.y_val)
    train_prior = ctx.train_prior
    if info["method"] == ISOTONIC:  # calibrated to the validation part's frequencies
        train_prior = np.bincount(np.asarray(ctx.y_val, dtype=np.int64),
                                  minlength=proba.shape[1]).astype(np.float64)
    decision = _apply(name, params, proba, proba_val, train_prior, ctx)
    return decision._replace(params={"rule": name, **decision.params, "calibration": info})


def _apply(name: str, params: dict[str, Any], proba: np.ndarray, proba_val: np.ndarray | None,
           train_prior: np.ndarray, ctx: DecisionContext) -> Decision:
    if name == "argmax":
        return Decision(np.argmax(proba, axis=1), proba, {})
    if name == "prior":
        corrected, info = prior_correct(proba, train_prior, ctx.test_prior)
        return Decision(np.argmax(corrected, axis=1), corrected, info)
    if proba_val is None or ctx.y_val is None or len(ctx.y_val) == 0:
        raise ValueError("decision 'tuned' needs a validation part (validation > 0)")
    counts = ctx.train_prior if ctx.train_counts is None else ctx.train_counts
    weights, info = fit_weights(np.asarray(proba_val, dtype=np.float64),
                                np.asarray(ctx.y_val), params["metric"], counts, ctx.minority)
    return Decision(np.argmax(proba * weights, axis=1), proba, info)


# ---- prior ------------------------------------------------------------------------------------


def prior_correct(proba: np.ndarray, train_prior: np.ndarray,
                  test_prior: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """``p * pi_test / pi_train``, renormalised per row (see the module docstring)."""
    k = proba.shape[1]
    pi_train = _distribution(train_prior, k, "train prior")
    pi_test = _distribution(test_prior, k, "test prior")
    factor = np.divide(pi_test, pi_train, out=np.zeros(k), where=pi_train > 0)
    raw = proba * factor
    mass = raw.sum(axis=1, keepdims=True)
    keep = mass[:, 0] <= 0
    corrected = np.divide(raw, mass, out=np.zeros_like(raw), where=mass > 0)
    corrected[keep] = proba[keep]
    return corrected, {"rule": "prior", "train_prior": pi_train.tolist(),
                       "test_prior": pi_test.tolist(), "factor": factor.tolist(),
                       "rows_kept": int(keep.sum())}


def _distribution(p: np.ndarray, k: int, what: str) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if p.shape != (k,) or not np.isfinite(p).all() or (p < 0).any() or p.sum() <= 0:
        raise ValueError(f"{what} must be {k} non-negative shares with a positive sum, got {p}")
    return p / p.sum()


# ---- tuned ------------------------------------------------------------------------------------


def fit_weights(proba_val: np.ndarray, y_val: np.ndarray, metric: str,
                train_counts: np.ndarray, minority: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """Per-class weights maximising `metric` of ``argmax(proba_val * w)`` on the validation part.

    Deterministic coordinate ascent over GRID (see the module docstring). ``minority`` is the
    cell's minority class code, so ``tuned:minority_f1`` tunes for the class the test scores
    (None: the rarest of ``train_counts``). Returns the weights and the record stored in
    `decision_params` (metric, weights, validation scores, rounds).
    """
    from bench.metrics import ScoreInput, get_metric

    check_tunable(metric)
    m = get_metric(metric)
    n, k = proba_val.shape
    if len(y_val) != n:
        raise ValueError(f"y_val has {len(y_val)} rows but proba_val has {n}")
    sign = 1.0 if m.direction == "max" else -1.0
    counts = np.asarray(train_counts, dtype=np.float64)
    y_val = np.asarray(y_val).astype(np.int64)
    cache: dict[bytes, float] = {}

    def objective(w: np.ndarray) -> float:
        pred = np.argmax(proba_val * w, axis=1)
        key = hashlib.sha1(pred.tobytes()).digest()
        if key not in cache:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # undefined precision etc.: sklearn's value
                try:
                    v = float(m.fn(ScoreInput(y_val, pred, None, k, counts, minority)))
                except Exception:  # noqa: BLE001 — an undefined score never wins
                    v = math.nan
            cache[key] = -math.inf if math.isnan(v) else sign * v
        return cache[key]

    w = np.ones(k)
    start = best = objective(w)
    closeness = np.abs(np.log(GRID))  # distance to 1 in log scale (ties -> closest to 1)
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        changed = False
        for c in range(1, k):
            scores = np.empty(len(GRID))
            for i, g in enumerate(GRID):
                trial = w.copy()
                trial[c] = g
                scores[i] = objective(trial)
            top = scores.max()
            if top > best:
                candidates = np.flatnonzero(scores == top)
                w[c] = GRID[candidates[np.argmin(closeness[candidates])]]
                best = top
                changed = True
        if not changed:
            break
    def finite(v: float) -> float | None:
        return sign * v if math.isfinite(v) else None

    return w, {"rule": "tuned", "metric": metric, "weights": w.tolist(),
               "val_score_argmax": finite(start), "val_score_tuned": finite(best),
               "rounds": rounds, "n_val": int(n)}
