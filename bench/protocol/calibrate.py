"""Calibration of a model's probabilities on the validation part, before a decision rule.

Why: resampling and class weights train a model on a distribution that is not the data's, so its
probabilities are distorted (over-confident for the boosted class, shifted priors); probability
metrics (log loss, Brier, ECE) then score the distortion and the ``prior`` rule corrects from the
wrong starting point. A calibration map fitted on the validation part (the data's distribution,
never resampled, never the test part) is applied to the validation and test probabilities alike.

* ``temperature`` (Guo et al. 2017, "On Calibration of Modern Neural Networks"): one scalar,
  ``p_T = softmax(log p / T)``, T minimising the validation log loss (with a weak prior on
  log T, see `fit_temperature`). It keeps every row's ranking
  and argmax; it fixes over/under-confidence, not a prior shift.
* ``isotonic`` (Zadrozny & Elkan 2002): one-vs-rest isotonic regression of each class's
  probability on its validation indicator, renormalised per row. It can shift priors, but it
  over-fits a small part: it is used only with at least ``ISOTONIC_MIN_ROWS`` validation rows and
  ``ISOTONIC_MIN_PER_CLASS`` rows of every class, else temperature scaling is used and the row's
  ``decision_params`` says so (``fallback``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.core.vocab import ISOTONIC, TEMPERATURE

ISOTONIC_MIN_ROWS = 1000  # scikit-learn's advice: isotonic over-fits well below ~1000 rows
ISOTONIC_MIN_PER_CLASS = 20
_EPS = 1e-15
_BETA_BOUNDS = (1e-2, 1e2)  # 1 / T: from 100x flatter to 100x sharper


def _log(proba: np.ndarray) -> np.ndarray:
    return np.log(np.clip(proba, _EPS, 1.0))


def log_loss(proba: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of the true class (probabilities clipped at 1e-15)."""
    return float(-np.mean(_log(proba[np.arange(len(y)), y])))


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log p / T)`` per row, in a numerically stable form."""
    z = _log(proba) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(proba_val: np.ndarray, y_val: np.ndarray) -> float:
    """T minimising the validation log loss plus ``(log T)^2 / (2 n)``: a standard normal prior
    on log T (the posterior mode), worth about one validation row.

    Why the prior: when every validation row's true class already has the top probability, the
    log loss falls for ever as T -> 0 (no finite optimum); on a small validation part the plain
    minimum then sends every test probability to 0 or 1 and the test log loss explodes. The
    objective is convex in beta = 1 / T (a log-sum-exp minus a linear term, plus a convex prior
    for beta <= e), so a bounded scalar search is deterministic and finds the minimum.
    """
    from scipy.optimize import minimize_scalar

    z = _log(proba_val)
    z_true = z[np.arange(len(y_val)), y_val]
    n = max(len(y_val), 1)

    def nll(beta: float) -> float:
        s = beta * z
        m = s.max(axis=1)
        loss = np.mean(m + np.log(np.exp(s - m[:, None]).sum(axis=1)) - beta * z_true)
        return float(loss + np.log(beta) ** 2 / (2 * n))

    res = minimize_scalar(nll, bounds=_BETA_BOUNDS, method="bounded",
                          options={"xatol": 1e-8, "maxiter": 500})
    beta = float(res.x)
    if nll(1.0) <= nll(beta):  # never worse than leaving the probabilities alone
        beta = 1.0
    return 1.0 / beta


def isotonic_too_small(y_val: np.ndarray, k: int) -> str | None:
    """Why isotonic calibration would over-fit this validation part (None: it is large enough)."""
    counts = np.bincount(y_val, minlength=k)
    if len(y_val) < ISOTONIC_MIN_ROWS:
        return f"{len(y_val)} validation rows < {ISOTONIC_MIN_ROWS}"
    if counts.min() < ISOTONIC_MIN_PER_CLASS:
        return (f"class {int(counts.argmin())} has {int(counts.min())} validation rows "
                f"< {ISOTONIC_MIN_PER_CLASS}")
    return None


def fit_isotonic(proba_val: np.ndarray, y_val: np.ndarray) -> list[Any]:
    """One increasing map per class from its probability to its validation frequency."""
    from sklearn.isotonic import IsotonicRegression

    return [IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
            .fit(proba_val[:, c], (y_val == c).astype(np.float64))
            for c in range(proba_val.shape[1])]


def apply_isotonic(maps: list[Any], proba: np.ndarray) -> np.ndarray:
    """The per-class maps, renormalised per row; a row every map sends to 0 keeps its input."""
    out = np.column_stack([m.predict(proba[:, c]) for c, m in enumerate(maps)])
    mass = out.sum(axis=1, keepdims=True)
    return np.where(mass > 0, out / np.where(mass > 0, mass, 1.0), proba)


def calibrate(method: str, proba: np.ndarray, proba_val: np.ndarray,
              y_val: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Fit ``method`` on (proba_val, y_val); return the calibrated test and validation
    probabilities and the record stored in the row's ``decision_params``.

    ``info["method"]`` is the map actually used (``temperature`` when isotonic fell back).
    """
    proba_val = np.asarray(proba_val, dtype=np.float64)
    y_val = np.asarray(y_val).astype(np.int64)
    k = proba.shape[1]
    info: dict[str, Any] = {"requested": method, "n_val": len(y_val),
                            "val_log_loss_before": log_loss(proba_val, y_val)}
    reason = isotonic_too_small(y_val, k) if method == ISOTONIC else None
    if method == ISOTONIC and reason is None:
        maps = fit_isotonic(proba_val, y_val)
        cal, cal_val = apply_isotonic(maps, proba), apply_isotonic(maps, proba_val)
        info["method"] = ISOTONIC
    else:
        if reason is not None:
            info["fallback"] = f"{TEMPERATURE}: {reason}"
        t = fit_temperature(proba_val, y_val)
        cal, cal_val = apply_temperature(proba, t), apply_temperature(proba_val, t)
        info.update(method=TEMPERATURE, temperature=t)
    info["val_log_loss_after"] = log_loss(cal_val, y_val)
    return cal, cal_val, info
