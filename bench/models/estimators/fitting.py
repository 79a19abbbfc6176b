"""The harness fit contract every wrapped model shares.

The protocol calls ``fit(X, y, sample_weight=..., eval_set=(X_val, y_val))`` and then
``predict_proba``; a model exposes ``classes_`` and ``curves_`` (rows of step / split / metric /
value). This module holds what that contract means once, so every library gets the same:

- labels encoded to 0..k-1 before they reach a library (XGBoost insists on it),
- validation weights with the meaning of the training weights (:func:`eval_weights`),
- learning-curve rows with one metric name, ``loss`` (the library's own log loss),
- a clear refusal of devices a library cannot use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_array
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from bench.models.registry import is_cuda

MISSING_CATEGORY = "(missing)"  # bench.protocol.encode's category for missing / unseen values


def as_matrix(X: Any) -> Any:
    """Arrays pass through; a DataFrame becomes a float matrix in which pandas ``category``
    columns are their integer codes, NaN for missing (and for a ``(missing)`` category), so a
    model sees one encoding whether its input came as codes or as categorical columns."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        return X
    if not isinstance(X, pd.DataFrame):
        return X
    out = np.empty(X.shape, dtype=np.float64)
    for j, col in enumerate(X.columns):
        s = X[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.float64)
            missing = codes < 0
            if MISSING_CATEGORY in s.cat.categories:
                missing |= codes == s.cat.categories.get_loc(MISSING_CATEGORY)
            codes[missing] = np.nan
            out[:, j] = codes
        else:
            out[:, j] = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def eval_weights(y: np.ndarray, sample_weight: np.ndarray | None,
                 y_val: np.ndarray) -> np.ndarray | None:
    """Validation weights that mean what the training weights mean.

    Each validation row gets the mean training weight of its class. Under the class_weight
    strategy (w_c = n / (k * n_c) for every row of class c) that is exactly w_c, so early
    stopping and the validation curve follow the objective the model is trained on, in every
    library alike. No training weights: no validation weights (plain log loss).
    """
    if sample_weight is None:
        return None
    y, y_val = np.asarray(y), np.asarray(y_val)
    k = int(max(y.max(initial=0), y_val.max(initial=0))) + 1
    total = np.bincount(y, weights=sample_weight, minlength=k)
    count = np.bincount(y, minlength=k)
    mean = np.divide(total, count, out=np.ones(k), where=count > 0)
    return mean[y_val]


def unpack_eval_set(eval_set: Sequence[Any]) -> tuple[Any, Any, Any]:
    """``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)`` -> a triple."""
    if not isinstance(eval_set, (tuple, list)) or len(eval_set) not in (2, 3):
        raise ValueError("eval_set must be (X_val, y_val) or (X_val, y_val, sample_weight_val); "
                         f"got {type(eval_set).__name__}")
    return (eval_set[0], eval_set[1], eval_set[2] if len(eval_set) == 3 else None)


def encode_labels(classes: np.ndarray, y: np.ndarray, what: str) -> np.ndarray:
    """Positions of ``y`` in the sorted ``classes``; unknown labels are an error, not noise."""
    y = np.asarray(y)
    idx = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
    unknown = classes[idx] != y
    if np.any(unknown):
        raise ValueError(f"{what} contains labels not seen in y: {np.unique(y[unknown])!r}")
    return idx.astype(np.int64)


def fit_weights(sample_weight: Any, class_weight: Any, classes: np.ndarray, y: np.ndarray,
                y_enc: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """The per-row training weights of the neural estimators: ``sample_weight`` times the class
    weight of the row (``None``, ``"balanced"`` or ``{label: weight}``).

    Returns ``(weights, sw, class_w)``: the float64 row weights, the checked sample weights
    (``None`` when not given; :func:`validation_rows` derives validation weights from them) and
    the per-class weights in ``classes`` order. Checked here once so every network refuses a
    wrong shape, a negative weight or an all-zero total with the same message.
    """
    n, k = len(y_enc), len(classes)
    weights = np.ones(n, dtype=np.float64)
    sw = None
    if sample_weight is not None:
        sw = check_array(sample_weight, ensure_2d=False, dtype=np.float64,
                         input_name="sample_weight")
        if sw.shape != (n,):
            raise ValueError(f"sample_weight.shape must be ({n},); got {sw.shape}.")
        if np.any(sw < 0):
            raise ValueError("sample_weight must be non-negative.")
        weights *= sw
    class_w = np.ones(k, dtype=np.float64)
    if class_weight is not None:
        class_w = compute_class_weight(class_weight, classes=classes, y=y)
        weights *= class_w[y_enc]
    if not weights.sum() > 0:
        raise ValueError("Sample weights (times class weights) are all zero; need a positive one.")
    return weights, sw, class_w


def validation_rows(estimator: BaseEstimator, eval_set: Sequence[Any], y_enc: np.ndarray,
                    sw: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``eval_set=(X_val, y_val[, sample_weight_val])`` checked against the fitted
    ``estimator`` (its features and ``classes_``): float32 rows, labels in 0..k-1 and float64
    weights (explicit ones, else :func:`eval_weights` of the training weights ``sw``, else
    ones). The class weights are not applied here: the caller applies them where its loss
    expects them.
    """
    X_val, y_val, w_val = unpack_eval_set(eval_set)
    X_val = validate_data(estimator, X_val, reset=False, dtype=np.float32)
    y_val = np.asarray(y_val)
    if y_val.ndim != 1 or len(y_val) != X_val.shape[0]:
        raise ValueError("eval_set y must be 1-D with one label per row of eval_set X.")
    y_val = encode_labels(estimator.classes_, y_val, "eval_set y")
    if w_val is not None:
        w_val = check_array(w_val, ensure_2d=False, dtype=np.float64,
                            input_name="sample_weight_val")
        if w_val.shape != y_val.shape:
            raise ValueError("eval_set sample weights need one weight per row.")
    elif sw is not None:
        w_val = eval_weights(y_enc, sw, y_val)
    else:
        w_val = np.ones(len(y_val))
    return X_val, y_val, w_val


def standard_stats(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Training mean and scale (float32) for :func:`standardize`: networks train poorly on raw
    feature scales. A column whose spread is below float32 resolution is constant: scale 1, not
    1/tiny."""
    mean = X.mean(axis=0, dtype=np.float64)
    std = X.std(axis=0, dtype=np.float64)
    const = ~(std > 1e-7 * np.maximum(1.0, np.abs(mean)))
    return mean.astype(np.float32), np.where(const, 1.0, std).astype(np.float32)


def standardize(X: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """A float32 C-contiguous copy of ``X`` scaled with the training statistics."""
    Xs = np.array(X, dtype=np.float32, copy=True, order="C")
    Xs -= mean
    Xs /= scale
    return Xs


def curve_rows(values: Iterable[float], split: str, metric: str = "loss") -> list[dict[str, Any]]:
    """One row per round, steps counted from 1 (the state after the first round)."""
    return [{"step": i + 1, "split": split, "metric": metric, "value": float(v)}
            for i, v in enumerate(values)]


def weighted_log_loss(proba: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
    """Mean (weighted) negative log-likelihood of the true class; probabilities clipped."""
    p = np.clip(proba[np.arange(len(y)), y], 1e-15, 1.0)
    return float(np.average(-np.log(p), weights=w))


def staged_losses(stages: Iterable[np.ndarray], y: np.ndarray,
                  w: np.ndarray | None) -> list[float]:
    return [weighted_log_loss(p, y, w) for p in stages]


def cuda_index(device: str) -> int:
    """``"cuda"`` -> 0, ``"cuda:N"`` -> N."""
    return int(device.split(":", 1)[1]) if ":" in device else 0


def refuse_cuda(device: str, what: str) -> None:
    """For estimators built outside the registry (the registry refuses before building)."""
    if is_cuda(device):
        raise ValueError(f"{what} has no GPU build; device='cuda' is refused (use 'cpu').")
    if device != "cpu":
        raise ValueError(f"device must be 'cpu' or 'cuda'; got {device!r}")


class HarnessClassifier(ClassifierMixin, BaseEstimator):
    """Base of the booster wrappers: validation, label encoding, eval_set handling.

    Subclasses implement ``_fit_encoded(X, y, w, val)`` (``y`` in 0..k-1, ``val`` is None or
    ``(X_val, y_val, w_val)``, already validated and encoded) and ``_proba(X)``, and append
    their learning curves to ``self.curves_``.
    """

    def __init__(self, params: dict[str, Any] | None = None, early_stopping_rounds: int = 50,
                 categorical: tuple[int, ...] = (), n_threads: int = 1, device: str = "cpu",
                 random_state: int = 0) -> None:
        self.params = params
        self.early_stopping_rounds = early_stopping_rounds
        self.categorical = categorical
        self.n_threads = n_threads
        self.device = device
        self.random_state = random_state

    def _validate_X(self, X: Any, reset: bool) -> np.ndarray:
        return validate_data(self, as_matrix(X), reset=reset, dtype=np.float64,
                             ensure_all_finite="allow-nan")

    def fit(self, X: Any, y: Any, sample_weight: Any = None,
            eval_set: Sequence[Any] | None = None) -> HarnessClassifier:
        """Fit; ``eval_set`` drives early stopping and the validation curve."""
        X, y = validate_data(self, as_matrix(X), y, dtype=np.float64,
                             ensure_all_finite="allow-nan")
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("Only one class is present in y; a classifier needs at least two.")
        w = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        val = None
        if eval_set is not None:
            X_val, y_val, w_val = unpack_eval_set(eval_set)
            X_val = self._validate_X(X_val, reset=False)
            y_val = encode_labels(self.classes_, y_val, "eval_set y")
            if w_val is None:
                w_val = eval_weights(y_enc, w, y_val)
            if len(y_val):
                val = (X_val, y_val, None if w_val is None else np.asarray(w_val, float))
        self.curves_: list[dict[str, Any]] = []
        self._fit_encoded(X, y_enc.astype(np.int64), w, val)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order, rows summing to 1."""
        check_is_fitted(self, "classes_")
        proba = np.asarray(self._proba(self._validate_X(X, reset=False)), dtype=np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # ---- for subclasses ----------------------------------------------------------------
    @property
    def _params(self) -> dict[str, Any]:
        return dict(self.params or {})

    @property
    def _rounds(self) -> int | None:
        """Early-stopping patience in rounds (None or 0 disables it)."""
        return int(self.early_stopping_rounds) if self.early_stopping_rounds else None

    def _fit_encoded(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None,
                     val: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None) -> None:
        raise NotImplementedError

    def _proba(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

