"""Result rows of a cell: identity columns, failure rows, the predictions table.

Why: every row (failures included) starts with the same identity columns, so the store, resume,
the analysis and the CI gate can match and group rows without knowing how the cell ended.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from bench.core.cell import Cell, CellResult
from bench.core.columns import Columns
from bench.core.vocab import STATUSES
from bench.models.registry import MODELS


def identity_row(cell: Cell) -> dict[str, Any]:
    """The columns that identify a cell; every row (failures included) starts with them."""
    family = MODELS.get(cell.model.name).family if cell.model.name in MODELS else ""
    return {
        "cell_id": cell.cell_id,
        "dataset": cell.dataset.label,
        "profile": cell.profile,
        "ratio": float(cell.ratio),
        "minority": cell.minority_label,
        "test_prior": cell.test_prior_label,
        "sampler": cell.sampler.label,
        "model": cell.model.label,
        "family": family,
        "decomposition": cell.decomposition,
        "decision": cell.decision,
        "tuning": cell.tuning,
        "repeat": cell.repeat,
        "fold": cell.fold,
        "cell_json": json.dumps(cell.to_json(), sort_keys=True),
    }


def failure_result(cell: Cell, status: str, message: str) -> CellResult:
    if status not in STATUSES:
        raise ValueError(f"status {status!r}; allowed: {', '.join(STATUSES)}")
    return CellResult({**identity_row(cell), "status": status, "error": message})


def predictions_table(cell_id: str, rows: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray,
                      proba: np.ndarray, labels: list[Any]) -> Columns:
    """The optional `predictions` table: one row per test row, enough to re-score the cell.

    Columns: cell_id, row (index of the row in the dataset), true_label and pred_label (original
    labels), y_true and y_pred (class codes; y_pred is the decision rule's, not always the
    argmax), then p_<label> per class: the probabilities the cell was scored with.
    """
    return Columns({
        "cell_id": cell_id,
        "row": np.asarray(rows, dtype=np.int64),
        "true_label": [labels[c] for c in y_true],
        "pred_label": [labels[c] for c in y_pred],
        "y_true": np.asarray(y_true, dtype=np.int64),
        "y_pred": np.asarray(y_pred, dtype=np.int64),
        **{f"p_{label}": np.asarray(proba[:, c], dtype=np.float64) for c, label in enumerate(labels)},
    })


CURVE_COLUMNS = ["step", "split", "metric", "value"]


def per_class_table(cell_id: str, columns: dict[str, np.ndarray], labels: list[Any]) -> Columns:
    """The store's `per_class` table: `per_class_columns` with the cell id first and the original
    labels instead of class codes."""
    return Columns({"cell_id": cell_id, "label": [labels[c] for c in columns["label"]],
                    **{name: v for name, v in columns.items() if name != "label"}})


def confusion_table(cell_id: str, columns: dict[str, np.ndarray], labels: list[Any]) -> Columns:
    """The store's `confusion` table: cell id, original true / predicted labels, count."""
    return Columns({"cell_id": cell_id,
                    "true_label": [labels[c] for c in columns["true_label"]],
                    "pred_label": [labels[c] for c in columns["pred_label"]],
                    "count": columns["count"]})


def curves_table(cell_id: str, curves: list[dict[str, Any]] | None) -> Columns:
    """The store's `curves` table: the learning curves a model recorded in ``curves_`` (rows of
    step / split / metric / value). Most models record none: then no rows, with the dtypes
    `pd.DataFrame([], columns=...)` plus an inserted cell id give (str, then object)."""
    rows = curves or []
    if not rows:
        return Columns({name: [] for name in ["cell_id", *CURVE_COLUMNS]},
                       {"cell_id": "str", **{name: "object" for name in CURVE_COLUMNS}})
    return Columns({"cell_id": cell_id,
                    **{name: [r.get(name, math.nan) for r in rows] for name in CURVE_COLUMNS}})


def shares_json(values: np.ndarray, labels: list[str]) -> str:
    """Class proportions as JSON {label: share}, in class order (train / test priors)."""
    v = np.asarray(values, dtype=float)
    v = v / v.sum()
    return json.dumps({str(lab): round(float(x), 6) for lab, x in zip(labels, v)})
