"""Metric registry: scores that cannot hide a minority class, plus per-class and confusion tables.

Every metric is computed on class *codes* 0..k-1 with ``labels=range(k)`` handed to
scikit-learn, so a class absent from ``y_true`` or ``y_pred`` is treated exactly as the
reference library treats it (usually a value of 0 and an ``UndefinedMetricWarning``).
``score_all`` never raises and never prints: warnings are captured and returned, and a
reference that raises becomes NaN plus a message, so one degenerate fold is a visible
annotation on a result row rather than a dead run.

Semantics where the references leave room (each one pinned by tests/test_metrics.py):

* ``gmean``: ``imblearn.metrics.geometric_mean_score(average="multiclass", labels=range(k))``,
  the k-th root of the product of the k per-class recalls. A class absent from ``y_true`` has
  recall 0/0, which imblearn sets to 0 (``correction=0``), so gmean is 0 on such a fold.
* ``balanced_accuracy``: sklearn's, which takes no ``labels``: mean recall over classes present
  in ``y_true`` (``macro_recall`` instead counts an absent class as recall 0).
* ``worst_class_recall``: minimum recall over the classes present in ``y_true``.
* ``minority_f1`` / ``minority_precision`` / ``minority_recall`` / ``minority_ap``: of the cell's
  minority class ``inp.minority`` (``bench.metrics.inputs.minority_class``: the rarest designated
  minority, else the rarest class of the fit rows *before* resampling; ties -> lowest code), one
  vs rest. ``minority_ap`` is NaN (with a message) when that class is absent from ``y_true``.
* ``roc_auc_ovr`` / ``roc_auc_ovo``: macro sklearn ``roc_auc_score``; for k == 2 both are the
  binary AUC of ``proba[:, 1]``. ovr is NaN (with sklearn's warning) when a class is absent from
  ``y_true``; ovo averages over the pairs of classes present in ``y_true``, as sklearn does.
* ``pr_auc``: unweighted (macro) mean, over classes present in ``y_true``, of one-vs-rest
  ``average_precision_score(y_true == c, proba[:, c])`` (also for k == 2, i.e. both classes: on
  imbalanced binary data it is far above the positive class's AP; that one is ``minority_ap``).
* ``log_loss`` / ``balanced_log_loss``: probabilities are clipped to ``[eps, 1 - eps]`` with
  ``eps = finfo(float64).eps`` (2**-52, so one confident miss costs at most 52 ln 2 ~ 36.04),
  without renormalisation -- exactly what sklearn's ``log_loss`` does. ``proba`` is cast to
  float64 first, so a float32 model (the DNN) is clipped like every other model.
  ``balanced_log_loss`` is the mean over classes present in ``y_true`` of the mean -log p(true)
  within that class (= sklearn ``log_loss`` with ``sample_weight = 1 / n_class``).
* ``brier``: mean over rows of sum_c (p_c - onehot_c)**2, range [0, 2] for every k (sklearn's
  ``brier_score_loss(..., scale_by_half=False)``; its default halves it for k == 2 only).
* ``ece``: top-class calibration: confidence = max_c p_c, correct = (argmax_c p_c == y_true)
  (argmax of ``proba``, not ``y_pred``, so the decision rule does not change calibration),
  15 equal-width right-closed bins (lo, hi] (the first also holds 0):
  sum_b |B|/n * |acc(B) - conf(B)|.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn import metrics as skm

from bench.metrics.inputs import ScoreInput
from bench.metrics.registry import METRICS, metric_names
from bench.metrics.registry import metric as _metric

ECE_BINS = 15
_EPS = float(np.finfo(np.float64).eps)  # sklearn log_loss clips with finfo(dtype).eps


def _proba(inp: ScoreInput) -> np.ndarray:
    if inp.proba is None:
        raise ValueError("this metric needs predicted probabilities")
    if len(inp.y_true) == 0:
        raise ValueError("no samples to score")
    return inp.proba


def average_precision(inp: ScoreInput, c: int) -> float:
    """One-vs-rest AP of class ``c`` (defined only when c occurs in y_true)."""
    return float(skm.average_precision_score(inp.y_true == c, _proba(inp)[:, c]))


# --- label metrics --------------------------------------------------------------------------


@_metric("accuracy", "max", False, "Share of correct predictions; hides minority failure, kept as a reference.")
def _accuracy(inp: ScoreInput) -> float:
    return skm.accuracy_score(inp.y_true, inp.y_pred)


@_metric("balanced_accuracy", "max", False, "Mean recall over classes present in y_true.")
def _balanced_accuracy(inp: ScoreInput) -> float:
    return skm.balanced_accuracy_score(inp.y_true, inp.y_pred)


def _averaged(name: str, score: Callable[..., float], average: str, description: str) -> None:
    _metric(name, "max", False, description)(
        lambda inp: score(inp.y_true, inp.y_pred, labels=inp.labels, average=average)
    )


_averaged("macro_f1", skm.f1_score, "macro", "Unweighted mean F1 over all k classes: every class counts equally.")
_averaged("weighted_f1", skm.f1_score, "weighted", "Support-weighted F1; leans toward the majority classes.")
_averaged("micro_f1", skm.f1_score, "micro", "Global F1 (= accuracy for single-label multiclass).")
_averaged("macro_precision", skm.precision_score, "macro", "Unweighted mean precision over all k classes.")
_averaged("macro_recall", skm.recall_score, "macro", "Unweighted mean recall over all k classes (absent ones count 0).")


@_metric("mcc", "max", False, "Matthews correlation: uses the whole confusion matrix, robust to imbalance.")
def _mcc(inp: ScoreInput) -> float:
    return skm.matthews_corrcoef(inp.y_true, inp.y_pred)


@_metric("cohen_kappa", "max", False, "Agreement beyond what the class priors give by chance.")
def _cohen_kappa(inp: ScoreInput) -> float:
    return skm.cohen_kappa_score(inp.y_true, inp.y_pred, labels=inp.labels)


@_metric("gmean", "max", False, "Geometric mean of per-class recalls (imblearn, multiclass): 0 if any class is missed.")
def _gmean(inp: ScoreInput) -> float:
    return geometric_mean_score(inp.y_true, inp.y_pred, labels=inp.labels, average="multiclass")


@_metric("worst_class_recall", "max", False, "Lowest recall over classes present in y_true: the class left behind.")
def _worst_class_recall(inp: ScoreInput) -> float:
    if len(inp.y_true) == 0:
        raise ValueError("no samples to score")
    return float(np.min(skm.recall_score(inp.y_true, inp.y_pred, labels=inp.present, average=None)))


_MINORITY = "the cell's minority class (designated, else rarest in the fit rows before resampling)"


def _of_minority(score: Callable[..., np.ndarray]) -> Callable[[ScoreInput], float]:
    return lambda inp: float(score(inp.y_true, inp.y_pred, labels=[inp.minority], average=None)[0])


_metric("minority_f1", "max", False, f"F1 of {_MINORITY}.")(_of_minority(skm.f1_score))
_metric("minority_precision", "max", False, f"Precision of {_MINORITY}.")(_of_minority(skm.precision_score))
_metric("minority_recall", "max", False, f"Recall of {_MINORITY}.")(_of_minority(skm.recall_score))


@_metric("minority_ap", "max", True, f"One-vs-rest average precision of {_MINORITY}.")
def _minority_ap(inp: ScoreInput) -> float:
    _proba(inp)
    if inp.minority not in inp.present:
        raise ValueError(f"minority class code {inp.minority} is absent from y_true")
    return average_precision(inp, inp.minority)


# --- probability metrics --------------------------------------------------------------------


def _roc_auc(inp: ScoreInput, multi_class: str) -> float:
    proba = _proba(inp)
    if inp.n_classes == 2:
        return skm.roc_auc_score(inp.y_true, proba[:, 1])
    return skm.roc_auc_score(inp.y_true, proba, multi_class=multi_class, labels=inp.labels, average="macro")


@_metric("roc_auc_ovr", "max", True, "Macro one-vs-rest ROC AUC; NaN when a class is absent from y_true.")
def _roc_auc_ovr(inp: ScoreInput) -> float:
    return _roc_auc(inp, "ovr")


@_metric("roc_auc_ovo", "max", True, "Macro one-vs-one ROC AUC over pairs of classes present in y_true.")
def _roc_auc_ovo(inp: ScoreInput) -> float:
    return _roc_auc(inp, "ovo")


@_metric("pr_auc", "max", True, "Macro mean over classes present of one-vs-rest average precision; "
                                "see minority_ap for the minority class.")
def _pr_auc(inp: ScoreInput) -> float:
    _proba(inp)
    return float(np.mean([average_precision(inp, int(c)) for c in inp.present]))


@_metric("log_loss", "min", True, "Mean -log p(true class), clipped to [eps, 1-eps]; dominated by the majority.")
def _log_loss(inp: ScoreInput) -> float:
    return skm.log_loss(inp.y_true, _proba(inp), labels=inp.labels)


@_metric("balanced_log_loss", "min", True, "Mean over present classes of the class's mean -log p(true), clipped.")
def _balanced_log_loss(inp: ScoreInput) -> float:
    proba = _proba(inp)
    nll = -np.log(np.clip(proba[np.arange(len(inp.y_true)), inp.y_true], _EPS, 1 - _EPS))
    counts = np.bincount(inp.y_true, minlength=inp.n_classes)
    sums = np.bincount(inp.y_true, weights=nll, minlength=inp.n_classes)
    return float(np.mean(sums[inp.present] / counts[inp.present]))


@_metric("brier", "min", True, "Mean over rows of sum_c (p_c - onehot_c)^2 (range 0..2, not halved for k=2).")
def _brier(inp: ScoreInput) -> float:
    proba = _proba(inp)
    onehot = np.eye(inp.n_classes)[inp.y_true]
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


@_metric("ece", "min", True, f"Expected calibration error of the top-class confidence, {ECE_BINS} equal-width bins.")
def _ece(inp: ScoreInput) -> float:
    proba = _proba(inp)
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == inp.y_true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, ECE_BINS + 1)
    bins = np.searchsorted(edges[1:-1], conf, side="left")  # bin b holds (edges[b], edges[b+1]]
    gap = np.bincount(bins, weights=correct, minlength=ECE_BINS) - np.bincount(bins, weights=conf, minlength=ECE_BINS)
    return float(np.sum(np.abs(gap)) / len(conf))  # |B|/n * |acc - conf| = |sum correct - sum conf| / n


# --- scoring entry points -------------------------------------------------------------------


def score_all(inp: ScoreInput, names: Sequence[str] | None = None) -> tuple[dict[str, float], list[str]]:
    """Every requested metric (all by default) plus the warnings raised computing them.

    Never raises for a metric and never prints: an undefined value (or one a reference refuses to
    compute) is NaN with its message kept, each message prefixed ``"<metric>: "`` and deduplicated.
    A proba metric without probabilities is NaN with no message (that is the model's nature).
    Unknown names raise KeyError before anything is computed.
    """
    chosen = [METRICS.get(name) for name in (metric_names() if names is None else names)]
    values: dict[str, float] = {}
    messages: list[str] = []
    for metric in chosen:
        if metric.needs_proba and inp.proba is None:
            values[metric.name] = math.nan
            continue
        error: str | None = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                value = float(metric.fn(inp))
            except Exception as exc:  # a reference that raises means "undefined here"
                value, error = math.nan, f"{type(exc).__name__}: {exc}"
        values[metric.name] = value
        messages += [f"{metric.name}: {w.message}" for w in caught]
        if error is not None:
            messages.append(f"{metric.name}: {error}")
    return values, list(dict.fromkeys(messages))
