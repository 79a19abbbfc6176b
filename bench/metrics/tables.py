"""Per-class and confusion tables of one cell (tidy frames for the store).

The ``*_columns`` functions return the columns as numpy arrays, so the protocol builds each
stored frame once (with the cell id and original labels) instead of rewriting a frame.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from bench.metrics.inputs import ScoreInput
from bench.metrics.scores import per_class_scores


def per_class_table(inp: ScoreInput) -> pd.DataFrame:
    """One row per class 0..k-1: precision, recall, f1, support, average_precision (see
    `per_class_columns`)."""
    return pd.DataFrame(per_class_columns(inp))


def confusion_table(inp: ScoreInput) -> pd.DataFrame:
    """Confusion matrix in long (tidy) form: all k*k (true_label, pred_label) pairs, zeros included."""
    return pd.DataFrame(confusion_columns(inp))


def per_class_columns(inp: ScoreInput) -> dict[str, np.ndarray]:
    """One row per class 0..k-1: precision, recall, f1, support, average_precision.

    Undefined precision/recall/F1 are 0 (sklearn's ``zero_division="warn"`` value); the warnings
    are silenced here because ``score_all`` already reports the same conditions. AP is NaN
    without probabilities or for a class absent from y_true.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1 = per_class_scores(inp)  # all 0 on empty input
    ap = np.full(inp.n_classes, np.nan)
    if inp.proba is not None:
        for c in inp.present:
            ap[c] = inp.average_precision(int(c))
    return {
        "label": inp.labels.astype(np.int64),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": inp.true_counts.astype(np.int64),
        "average_precision": ap,
    }


def confusion_columns(inp: ScoreInput) -> dict[str, np.ndarray]:
    """The confusion table's columns (numpy arrays; the protocol builds one frame from them)."""
    k = inp.n_classes
    counts = inp.confusion.ravel().astype(np.int64)
    true_label, pred_label = np.divmod(np.arange(k * k, dtype=np.int64), k)
    return {"true_label": true_label, "pred_label": pred_label, "count": counts}
