"""Reference implementations of every metric: scikit-learn / imbalanced-learn calls, or a textbook
formula for the metrics the project defines (shared by test_scores.py and test_reference_equality.py)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn import metrics as skm

from bench.metrics import ECE_BINS, ScoreInput

# --- references -----------------------------------------------------------------------------


def _ece_reference(inp: ScoreInput) -> float:
    """Textbook loop: bins (lo, hi], |B|/n * |acc(B) - conf(B)|."""
    conf, hit = inp.proba.max(axis=1), inp.proba.argmax(axis=1) == inp.y_true
    edges, n, total = np.linspace(0, 1, ECE_BINS + 1), len(conf), 0.0
    for b in range(ECE_BINS):
        in_bin = (conf > edges[b]) & (conf <= edges[b + 1]) if b else (conf <= edges[1])
        if in_bin.any():
            total += in_bin.sum() / n * abs(hit[in_bin].mean() - conf[in_bin].mean())
    return total


def _balanced_log_loss_reference(i: ScoreInput) -> float:
    weight = 1.0 / np.bincount(i.y_true, minlength=i.n_classes)[i.y_true]
    return skm.log_loss(i.y_true, i.proba, labels=i.labels, sample_weight=weight / weight.sum())


def _roc_reference(i: ScoreInput, multi_class: str) -> float:
    if i.n_classes == 2:
        return skm.roc_auc_score(i.y_true, i.proba[:, 1])
    return skm.roc_auc_score(i.y_true, i.proba, multi_class=multi_class, labels=i.labels, average="macro")


def _prf(score: Callable[..., float], average: str) -> Callable[[ScoreInput], float]:
    return lambda i: score(i.y_true, i.y_pred, labels=i.labels, average=average)


REFERENCES: dict[str, Callable[[ScoreInput], float]] = {
    "accuracy": lambda i: skm.accuracy_score(i.y_true, i.y_pred),
    "balanced_accuracy": lambda i: skm.balanced_accuracy_score(i.y_true, i.y_pred),
    "macro_f1": _prf(skm.f1_score, "macro"),
    "weighted_f1": _prf(skm.f1_score, "weighted"),
    "micro_f1": _prf(skm.f1_score, "micro"),
    "macro_precision": _prf(skm.precision_score, "macro"),
    "macro_recall": _prf(skm.recall_score, "macro"),
    "mcc": lambda i: skm.matthews_corrcoef(i.y_true, i.y_pred),
    "cohen_kappa": lambda i: skm.cohen_kappa_score(i.y_true, i.y_pred, labels=i.labels),
    "gmean": lambda i: geometric_mean_score(i.y_true, i.y_pred, labels=i.labels, average="multiclass"),
    "worst_class_recall": lambda i: np.min(
        skm.recall_score(i.y_true, i.y_pred, labels=i.labels, average=None)[np.unique(i.y_true)]
    ),
    "minority_f1": lambda i: skm.f1_score(i.y_true, i.y_pred, labels=i.labels, average=None)[i.minority],
    "minority_precision": lambda i: skm.precision_score(i.y_true, i.y_pred, labels=[i.minority], average=None)[0],
    "minority_recall": lambda i: skm.recall_score(i.y_true, i.y_pred, labels=[i.minority], average=None)[0],
    "minority_ap": lambda i: (skm.average_precision_score(i.y_true == i.minority, i.proba[:, i.minority])
                              if (i.y_true == i.minority).any() else math.nan),
    "roc_auc_ovr": lambda i: _roc_reference(i, "ovr"),
    "roc_auc_ovo": lambda i: _roc_reference(i, "ovo"),
    "pr_auc": lambda i: np.mean(
        [skm.average_precision_score(i.y_true == c, i.proba[:, c]) for c in np.unique(i.y_true)]
    ),
    "log_loss": lambda i: skm.log_loss(i.y_true, i.proba, labels=i.labels),
    "balanced_log_loss": _balanced_log_loss_reference,
    "brier": lambda i: skm.brier_score_loss(i.y_true, i.proba, labels=i.labels, scale_by_half=False),
    "ece": _ece_reference,
}


