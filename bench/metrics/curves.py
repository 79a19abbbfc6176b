"""One-vs-rest ranking curves: average precision and ROC AUC from presorted scores.

Why: scikit-learn's ``average_precision_score`` and ``roc_auc_score`` validate their input and
re-sort the scores on every call (once per class, and twice per pair of classes for one-vs-one
AUC); a cell's `ScoreInput` sorts each probability column once and hands the sorted view here.
The arithmetic is scikit-learn's (1.9), operation for operation, so the values are the same
floats: cumulative true/false positives at each distinct score (descending), precision weighted
by the change in recall for AP, and the trapezoid rule over the ROC curve with its collinear
points dropped for AUC. Callers guarantee that both classes occur (AP and AUC are undefined
otherwise and the callers say so).
"""

from __future__ import annotations

import numpy as np


def threshold_counts(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives (float64) at each distinct score, scores sorted descending.

    `positive` (bool) and `score` are already ordered by descending score; ties form one
    threshold, so the order within a tie does not matter.
    """
    distinct = np.flatnonzero(score[1:] != score[:-1])  # = np.diff(score) != 0, without the wrapper
    thresholds = np.concatenate([distinct, [score.size - 1]])
    tps = np.cumsum(positive, dtype=np.float64)[thresholds]
    fps = 1 + thresholds.astype(np.float64) - tps
    return tps, fps


def average_precision(tps: np.ndarray, fps: np.ndarray) -> float:
    """Step-function area under the precision-recall curve (sklearn's uninterpolated AP)."""
    precision = np.concatenate((np.flip(tps / (tps + fps)), [1.0]))
    recall = np.concatenate((np.flip(tps / tps[-1]), [0.0]))
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def roc_auc(tps: np.ndarray, fps: np.ndarray) -> float:
    """Trapezoid area under the ROC curve (sklearn's ``roc_curve`` + ``auc``)."""
    if fps.shape[0] > 2:  # drop_intermediate: the same points sklearn keeps, so the same sum
        dfps, dtps = fps[1:] - fps[:-1], tps[1:] - tps[:-1]  # integer-valued: exact
        corner = (dfps[1:] != dfps[:-1]) | (dtps[1:] != dtps[:-1])  # np.diff(., 2) != 0
        keep = np.concatenate([[True], corner, [True]])
        tps, fps = tps[keep], fps[keep]
    tps = np.concatenate([[0.0], tps])
    fps = np.concatenate([[0.0], fps])
    fpr, tpr = fps / fps[-1], tps / tps[-1]
    return float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2.0))
