"""Multiclass decomposition as an axis: native, one-vs-rest, one-vs-one.

Both wrappers are scikit-learn classifiers around any base model of the zoo, and keep the
harness fit contract: ``fit(X, y, sample_weight=None, eval_set=None)`` passes the per-sample
weights and the validation part (binarized for each sub-problem, with validation weights that
mean what the training weights mean) through to every binary fit, and ``curves_`` gathers the
sub-models' learning curves, the metric named after its sub-problem (``loss[2 vs rest]``,
``loss[0 vs 2]``).

Class weights keep their multiclass meaning inside every sub-problem: a row of class c weighs
w_c = n / (k * n_c) in each binary fit it takes part in (no re-balancing per sub-problem).

Probabilities:

- **one-vs-rest**: sub-model c estimates P(c | x) against all other classes; the k estimates are
  normalised to sum to one (scikit-learn's OneVsRestClassifier does the same).
- **one-vs-one**: sub-model (i, j) is trained on the rows of classes i and j only, so it
  estimates the *pairwise* probability r_ij = P(i | x, y in {i, j}); votes alone are no
  probability. The k class probabilities are recovered by **pairwise coupling** (Wu, Lin & Weng
  2004, method 2, as libsvm does for SVC): p minimises sum_{i<j} (r_ji p_i - r_ij p_j)^2 subject
  to sum p = 1, a (k+1)-by-(k+1) linear system per row. Every probability-based metric (log
  loss, PR-AUC, ROC-AUC, tuned and prior-corrected decisions) is computed from these coupled
  probabilities, and the predicted class is their argmax (which can differ from the majority
  vote when votes are nearly tied). ``decision_function`` gives scikit-learn's vote-based scores
  (votes plus normalised confidences) for comparison.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from bench.models.estimators.fitting import as_matrix, encode_labels, eval_weights, unpack_eval_set

_MIN_PROB = 1e-7  # libsvm's clip of pairwise probabilities before coupling


def decompose(estimator: Any, decomposition: str) -> Any:
    """Wrap `estimator` for the requested decomposition (native returns it unchanged)."""
    if decomposition == "native":
        return estimator
    if decomposition == "ovr":
        return OneVsRest(estimator)
    if decomposition == "ovo":
        return OneVsOne(estimator)
    raise ValueError(f"decomposition {decomposition!r}; allowed: native, ovr, ovo")


def couple_pairwise(r: np.ndarray) -> np.ndarray:
    """Class probabilities from pairwise ones (Wu, Lin & Weng 2004, method 2).

    ``r[n, i, j]`` = P(i | x_n, y in {i, j}) for i != j (the diagonal is ignored). Returns an
    (n, k) array of non-negative rows summing to one.
    """
    n, k, _ = r.shape
    r = np.clip(r, _MIN_PROB, 1 - _MIN_PROB)
    off = ~np.eye(k, dtype=bool)
    rt = np.swapaxes(r, 1, 2)  # rt[n, i, j] = r[n, j, i]
    Q = np.where(off, -rt * r, 0.0)
    Q[:, np.arange(k), np.arange(k)] = np.where(off, rt ** 2, 0.0).sum(axis=2)
    A = np.zeros((n, k + 1, k + 1))
    A[:, :k, :k] = Q
    A[:, :k, k] = A[:, k, :k] = 1.0
    b = np.zeros((n, k + 1))
    b[:, k] = 1.0
    try:
        p = np.linalg.solve(A, b[..., None])[..., 0][:, :k]
    except np.linalg.LinAlgError:  # singular only in degenerate cases; least squares then
        p = np.einsum("nij,nj->ni", np.linalg.pinv(A), b)[:, :k]
    p = np.clip(p, 0.0, None)
    s = p.sum(axis=1, keepdims=True)
    return np.divide(p, s, out=np.full_like(p, 1.0 / k), where=s > 0)


class _Decomposed(ClassifierMixin, BaseEstimator):
    """Shared fit plumbing: validation, the eval set, weights and sub-model fitting."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def _prepare(self, X: Any, y: Any, sample_weight: Any, eval_set: Any) -> tuple[Any, ...]:
        X, y = validate_data(self, as_matrix(X), y, dtype=None, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("Only one class is present in y; a classifier needs at least two.")
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        val = None
        if eval_set is not None:
            X_val, y_val, w_val = unpack_eval_set(eval_set)
            X_val = validate_data(self, as_matrix(X_val), reset=False, dtype=None,
                                  ensure_all_finite="allow-nan")
            y_val = encode_labels(self.classes_, y_val, "eval_set y")
            if w_val is None:
                w_val = eval_weights(y_enc, w, y_val)
            val = (X_val, y_val, None if w_val is None else np.asarray(w_val, np.float64))
        self.curves_: list[dict[str, Any]] = []
        return X, y_enc, w, val

    def _fit_binary(self, name: str, X: np.ndarray, target: np.ndarray, w: np.ndarray | None,
                    val: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None) -> Any:
        """Fit one binary sub-model (target 0/1); a one-class target gives a constant model."""
        if len(np.unique(target)) < 2:
            return _Constant(int(target[0]))
        kwargs: dict[str, Any] = {}
        if w is not None:
            kwargs["sample_weight"] = w
        if val is not None and len(val[1]):
            kwargs["eval_set"] = val if val[2] is not None else val[:2]
        est = clone(self.estimator).fit(X, target, **kwargs)
        for row in getattr(est, "curves_", None) or []:
            self.curves_.append({**row, "metric": f"{row['metric']}[{name}]"})
        return est

    def _n_features(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        return validate_data(self, as_matrix(X), reset=False, dtype=None,
                             ensure_all_finite="allow-nan")

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class _Constant:
    """The sub-model of a sub-problem whose training part holds one side only."""

    def __init__(self, label: int) -> None:
        self.label = label

    def predict_proba(self, X: Any) -> np.ndarray:
        out = np.zeros((len(X), 2))
        out[:, self.label] = 1.0
        return out


def _positive(est: Any, X: np.ndarray) -> np.ndarray:
    """P(target = 1) from a binary sub-model (its classes_ are [0, 1])."""
    return np.asarray(est.predict_proba(X), dtype=np.float64)[:, -1]


class OneVsRest(_Decomposed):
    """One binary sub-model per class (class c against all others); normalised probabilities."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None,
            eval_set: Any = None) -> OneVsRest:
        X, y, w, val = self._prepare(X, y, sample_weight, eval_set)
        self.estimators_ = []
        for c, label in enumerate(self.classes_):
            sub_val = None if val is None else (val[0], (val[1] == c).astype(np.int64), val[2])
            self.estimators_.append(self._fit_binary(
                f"{label} vs rest", X, (y == c).astype(np.int64), w, sub_val))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        X = self._n_features(X)
        scores = np.column_stack([_positive(e, X) for e in self.estimators_])
        s = scores.sum(axis=1, keepdims=True)
        k = len(self.classes_)
        return np.divide(scores, s, out=np.full_like(scores, 1.0 / k), where=s > 0)


class OneVsOne(_Decomposed):
    """One binary sub-model per pair of classes, trained on that pair's rows only; class
    probabilities by pairwise coupling (see the module docstring)."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None,
            eval_set: Any = None) -> OneVsOne:
        X, y, w, val = self._prepare(X, y, sample_weight, eval_set)
        self.pairs_ = list(combinations(range(len(self.classes_)), 2))
        self.estimators_ = []
        for i, j in self.pairs_:
            rows = (y == i) | (y == j)
            sub_val = None
            if val is not None:
                vr = (val[1] == i) | (val[1] == j)
                sub_val = (val[0][vr], (val[1][vr] == j).astype(np.int64),
                           None if val[2] is None else val[2][vr])
            self.estimators_.append(self._fit_binary(
                f"{self.classes_[i]} vs {self.classes_[j]}", X[rows],
                (y[rows] == j).astype(np.int64), None if w is None else w[rows], sub_val))
        return self

    def _pairwise(self, X: np.ndarray) -> np.ndarray:
        """(n, n_pairs) array of P(j | x, y in {i, j}) for each pair (i, j), i < j."""
        return np.column_stack([_positive(e, X) for e in self.estimators_])

    def predict_proba(self, X: Any) -> np.ndarray:
        X = self._n_features(X)
        pj = self._pairwise(X)
        k = len(self.classes_)
        r = np.full((len(X), k, k), 0.5)
        for col, (i, j) in enumerate(self.pairs_):
            r[:, j, i] = pj[:, col]
            r[:, i, j] = 1.0 - pj[:, col]
        return couple_pairwise(r)

    def decision_function(self, X: Any) -> np.ndarray:
        """scikit-learn's OvO scores: votes plus confidences squashed into (-1/3, 1/3)."""
        X = self._n_features(X)
        pj = self._pairwise(X)
        k = len(self.classes_)
        votes = np.zeros((len(X), k))
        conf = np.zeros((len(X), k))
        for col, (i, j) in enumerate(self.pairs_):
            votes[:, j] += pj[:, col] > 0.5
            votes[:, i] += pj[:, col] <= 0.5
            conf[:, j] += pj[:, col]
            conf[:, i] -= pj[:, col]
        return votes + conf / (3 * (np.abs(conf) + 1))
