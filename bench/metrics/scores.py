"""Metric registry: scores that cannot hide a minority class, plus per-class and confusion tables.

Every metric is computed on class *codes* 0..k-1 as scikit-learn / imbalanced-learn compute it
with ``labels=range(k)``, so a class absent from ``y_true`` or ``y_pred`` is treated exactly as
the reference library treats it (usually a value of 0 and an ``UndefinedMetricWarning`` with the
reference's own text). The metrics are not *calls* to the references: each one is a cheap
function of the statistics `ScoreInput` computes once (confusion matrix, per-class counts,
probability columns sorted once; ``bench.metrics.curves``), replaying the reference's arithmetic
operation for operation, so the values are the same floats (tests/metrics/test_scores.py and
test_reference_equality.py compare every metric with its reference) at a fraction of the cost.
``score_all`` never raises and never prints: warnings are captured and returned, and a
reference that raises becomes NaN plus a message, so one degenerate fold is a visible
annotation on a result row rather than a dead run.

Semantics where the references leave room (each one pinned by tests/metrics/):

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
from itertools import combinations

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from bench.metrics import curves
from bench.metrics.inputs import ScoreInput
from bench.metrics.registry import METRICS, metric_names
from bench.metrics.registry import metric as _metric

ECE_BINS = 15
_EPS = float(np.finfo(np.float64).eps)  # sklearn log_loss clips with finfo(dtype).eps

# The references' own messages, so a row's warnings read as they did when sklearn computed them.
EMPTY = "Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of 1 sample is required."
SINGLE_LABEL = ("A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to have the "
                "correct shape, use the 'labels' parameter to pass all known labels.")
PRED_NOT_IN_TRUE = "y_pred contains classes not in y_true"
KAPPA_ONE_LABEL = ("`y1`, `y2` and `labels` have only one label in common. `cohen_kappa_score` is undefined "
                   "and set to the value defined by the the `replace_undefined_by` param, which is set to nan.")
ONE_CLASS_AUC = "Only one class is present in y_true. ROC AUC score is not defined in that case."
NOT_PROBABILITIES = ("Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum "
                     "up to 1.0 over classes")
NOT_SUMMING_TO_ONE = "The y_prob values do not sum to one. Make sure to pass probabilities."


def _warn_ill_defined(metric: str, modifier: str, n_values: int) -> None:
    """sklearn's ``_warn_prf`` text: '<Metric> is ill-defined and being set to 0.0 ...'."""
    where = "due to" if n_values == 1 else "in labels with"
    warnings.warn(f"{metric} is ill-defined and being set to 0.0 {where} no {modifier} samples. Use "
                  "`zero_division` parameter to control this behavior.", UndefinedMetricWarning, stacklevel=3)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator as float64, 0 where the denominator is 0 (sklearn's ``_prf_divide``)."""
    zero = denominator == 0
    result = np.asarray(numerator, dtype=np.float64) / np.where(zero, 1, denominator).astype(np.float64)
    result[zero] = 0.0
    return result


def _nonempty(inp: ScoreInput) -> None:
    if len(inp.y_true) == 0:
        raise ValueError(EMPTY)


def _proba(inp: ScoreInput) -> np.ndarray:
    if inp.proba is None:
        raise ValueError("this metric needs predicted probabilities")
    if len(inp.y_true) == 0:
        raise ValueError("no samples to score")
    return inp.proba


def average_precision(inp: ScoreInput, c: int) -> float:
    """One-vs-rest AP of class ``c`` (defined only when c occurs in y_true)."""
    _proba(inp)
    return inp.average_precision(c)


# --- label metrics --------------------------------------------------------------------------


@_metric("accuracy", "max", False, "Share of correct predictions; hides minority failure, kept as a reference.")
def _accuracy(inp: ScoreInput) -> float:
    _nonempty(inp)
    return float(np.mean(inp.y_true == inp.y_pred))


def _union_of_labels(inp: ScoreInput) -> np.ndarray:
    """Classes in y_true or y_pred: the labels sklearn uses when it is given none."""
    union = (inp.true_counts > 0) | (inp.pred_counts > 0)
    if union.sum() == 1:
        warnings.warn(SINGLE_LABEL, UserWarning, stacklevel=3)
    return union


@_metric("balanced_accuracy", "max", False, "Mean recall over classes present in y_true.")
def _balanced_accuracy(inp: ScoreInput) -> float:
    _nonempty(inp)
    union = _union_of_labels(inp)
    present = inp.true_counts > 0
    if (union & ~present).any():
        warnings.warn(PRED_NOT_IN_TRUE, UserWarning, stacklevel=2)
    return float(np.mean(inp.hits[present] / inp.true_counts[present]))


Counts = tuple[np.ndarray, np.ndarray, np.ndarray]  # hits, true counts, predicted counts per label


def _counts(inp: ScoreInput) -> Counts:
    return inp.hits, inp.true_counts, inp.pred_counts


def _precision(counts: Counts) -> np.ndarray:
    hits, _, pred = counts
    if (pred == 0).any():
        _warn_ill_defined("Precision", "predicted", len(hits))
    return _divide(hits, pred)


def _recall(counts: Counts) -> np.ndarray:
    hits, true, _ = counts
    if (true == 0).any():
        _warn_ill_defined("Recall", "true", len(hits))
    return _divide(hits, true)


def _f1(counts: Counts) -> np.ndarray:
    """sklearn's F-beta at beta 1: 2 tp / (true + pred), so precision and recall need not exist."""
    hits, true, pred = counts
    denominator = 1.0 * true.astype(np.float64) + pred.astype(np.float64)
    if (denominator == 0).any():
        _warn_ill_defined("F-score", "true nor predicted", len(hits))
    return _divide(2.0 * hits.astype(np.float64), denominator)


def per_class_scores(inp: ScoreInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 of each class 0..k-1 (0 where undefined, with sklearn's warnings)."""
    counts = _counts(inp)
    return _precision(counts), _recall(counts), _f1(counts)


def _macro(per_class: Callable[[Counts], np.ndarray]) -> Callable[[ScoreInput], float]:
    def score(inp: ScoreInput) -> float:
        _nonempty(inp)
        return float(np.nanmean(per_class(_counts(inp))))
    return score


def _weighted_f1(inp: ScoreInput) -> float:
    _nonempty(inp)
    return float(np.average(_f1(_counts(inp)), weights=inp.true_counts))


def _micro_f1(inp: ScoreInput) -> float:
    _nonempty(inp)
    n = float(len(inp.y_true))  # every code is a label: tp + fn = tp + fp = n
    return float(2.0 * float(inp.hits.sum()) / (1.0 * n + n))


_metric("macro_f1", "max", False, "Unweighted mean F1 over all k classes: every class counts equally.")(_macro(_f1))
_metric("weighted_f1", "max", False, "Support-weighted F1; leans toward the majority classes.")(_weighted_f1)
_metric("micro_f1", "max", False, "Global F1 (= accuracy for single-label multiclass).")(_micro_f1)
_metric("macro_precision", "max", False, "Unweighted mean precision over all k classes.")(_macro(_precision))
_metric("macro_recall", "max", False, "Unweighted mean recall over all k classes (absent ones count 0).")(
    _macro(_recall))


@_metric("mcc", "max", False, "Matthews correlation: uses the whole confusion matrix, robust to imbalance.")
def _mcc(inp: ScoreInput) -> float:
    _nonempty(inp)
    union = _union_of_labels(inp)
    C = inp.confusion[np.ix_(union, union)]
    t_sum = C.sum(axis=1, dtype=np.float64)
    p_sum = C.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(C, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_ypyp = n_samples**2 - np.dot(p_sum, p_sum)
    cov_ytyt = n_samples**2 - np.dot(t_sum, t_sum)
    cov_ypyp_ytyt = cov_ypyp * cov_ytyt
    return 0.0 if cov_ypyp_ytyt == 0 else float(cov_ytyp / np.sqrt(cov_ypyp_ytyt))


@_metric("cohen_kappa", "max", False, "Agreement beyond what the class priors give by chance.")
def _cohen_kappa(inp: ScoreInput) -> float:
    _nonempty(inp)
    k = inp.n_classes
    confusion = inp.confusion.astype(np.float64)
    sum0, sum1 = np.sum(confusion, axis=0), np.sum(confusion, axis=1)
    expected = np.outer(sum0, sum1) / np.sum(sum0)
    w_mat = np.ones([k, k], dtype=np.float64)
    np.fill_diagonal(w_mat, 0)
    denominator = np.sum(w_mat * expected)
    if denominator == 0:
        warnings.warn(KAPPA_ONE_LABEL, UndefinedMetricWarning, stacklevel=2)
        return math.nan
    return float(1 - np.sum(w_mat * confusion) / denominator)


@_metric("gmean", "max", False, "Geometric mean of per-class recalls (imblearn, multiclass): 0 if any class is missed.")
def _gmean(inp: ScoreInput) -> float:
    recall = _recall(_counts(inp))
    with np.errstate(divide="ignore"):  # a recall of 0 -> log 0 = -inf -> gmean 0
        return float(np.exp(np.mean(np.log(recall))))


@_metric("worst_class_recall", "max", False, "Lowest recall over classes present in y_true: the class left behind.")
def _worst_class_recall(inp: ScoreInput) -> float:
    if len(inp.y_true) == 0:
        raise ValueError("no samples to score")
    return float(np.min(inp.hits[inp.present] / inp.true_counts[inp.present]))


_MINORITY = "the cell's minority class (designated, else rarest in the fit rows before resampling)"


def _of_minority(per_class: Callable[[Counts], np.ndarray]) -> Callable[[ScoreInput], float]:
    """The minority class's value, warning as sklearn does for ``labels=[minority]``."""
    def score(inp: ScoreInput) -> float:
        _nonempty(inp)
        m = slice(inp.minority, inp.minority + 1)  # type: ignore[operator]
        return float(per_class((inp.hits[m], inp.true_counts[m], inp.pred_counts[m]))[0])
    return score


_metric("minority_f1", "max", False, f"F1 of {_MINORITY}.")(_of_minority(_f1))
_metric("minority_precision", "max", False, f"Precision of {_MINORITY}.")(_of_minority(_precision))
_metric("minority_recall", "max", False, f"Recall of {_MINORITY}.")(_of_minority(_recall))


@_metric("minority_ap", "max", True, f"One-vs-rest average precision of {_MINORITY}.")
def _minority_ap(inp: ScoreInput) -> float:
    _proba(inp)
    if inp.minority not in inp.present:
        raise ValueError(f"minority class code {inp.minority} is absent from y_true")
    return average_precision(inp, inp.minority)


# --- probability metrics --------------------------------------------------------------------


def _binary_auc(inp: ScoreInput, c: int, rows: np.ndarray | None = None) -> float:
    """AUC of ``proba[:, c]`` for "class c vs the rest" over ``rows`` (all rows by default)."""
    order = inp.order(c)
    if rows is not None:
        order = order[rows[order]]
    positive = inp.y_true[order] == c
    n_positive = int(positive.sum())
    if n_positive in (0, len(order)):
        warnings.warn(ONE_CLASS_AUC, UndefinedMetricWarning, stacklevel=2)
        return math.nan
    return curves.roc_auc(*curves.threshold_counts(positive, inp.proba[order, c]))  # type: ignore[index]


def _roc_auc(inp: ScoreInput, multi_class: str) -> float:
    """sklearn's ``roc_auc_score``: binary AUC of class 1 for k == 2, else macro ovr / ovo."""
    proba = _proba(inp)
    if inp.n_classes == 2:
        return _binary_auc(inp, 1)
    if not np.allclose(1, proba.sum(axis=1)):
        raise ValueError(NOT_PROBABILITIES)
    if multi_class == "ovr":
        return float(np.mean(np.array([_binary_auc(inp, c) for c in range(inp.n_classes)])))
    # Hand & Till one-vs-one: each pair of classes present in y_true, each side as the positive
    pairs = []
    for a, b in combinations(inp.present.tolist(), 2):
        rows = (inp.y_true == a) | (inp.y_true == b)
        pairs.append((_binary_auc(inp, a, rows) + _binary_auc(inp, b, rows)) / 2)
    return float(np.average(np.array(pairs, dtype=np.float64)))  # no pair: NaN with numpy's warnings


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
    proba = _proba(inp)
    if not np.all(np.isclose(np.sum(proba, axis=1), 1.0, rtol=math.sqrt(_EPS))):
        warnings.warn(NOT_SUMMING_TO_ONE, UserWarning, stacklevel=2)
    nll = -np.log(np.clip(proba[np.arange(len(inp.y_true)), inp.y_true], _EPS, 1 - _EPS))
    return float(np.mean(nll))


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
            except Exception as exc:  # noqa: BLE001 — a metric that raises means "undefined here"
                value, error = math.nan, f"{type(exc).__name__}: {exc}"
        values[metric.name] = value
        messages += [f"{metric.name}: {w.message}" for w in caught]
        if error is not None:
            messages.append(f"{metric.name}: {error}")
    return values, list(dict.fromkeys(messages))
