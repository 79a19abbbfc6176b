"""`bench rescore`: compute metrics for every stored cell from its predictions, without refitting.

Why: a metric registered after a run (a plugin, a newer harness) or a store written before a
metric existed should not cost a re-run. What a cell needs is kept in its `predictions` rows
(suite key `store_predictions = true`): true and decided class codes and the probabilities the
cell was scored with; the minority class of the `minority_*` metrics is the row's
`minority_class` label. Rows written before that column existed fall back to the rarest class of
the row's `train_counts` (the fit rows before resampling; ties -> lowest code), and the summary
says how many did.

Behaviour: for every cell with status ok and stored predictions, each requested metric is
recomputed with the registry's own function (`bench.metrics.score_all`) and written to its
column of the `cells` table (created if missing); the cell's `warnings` gain the messages, if
any, prefixed ``rescore:``. Cells without stored predictions keep their current value (NaN when
the column is new) and are counted and reported. The `cells` table is rewritten atomically
(`Store.replace_table`); the other tables are not touched.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bench.metrics import ScoreInput, get_metric, score_all
from bench.core.errors import StoreError
from bench.core.vocab import OK
from bench.store import Store


class RescoreError(StoreError):
    """The store cannot be re-scored as asked (not a store, unknown metric)."""


@dataclass
class RescoreSummary:
    metrics: list[str]
    n_rescored: int = 0
    missing_predictions: list[str] = field(default_factory=list)  # ok cells without predictions
    n_not_ok: int = 0  # failed or skipped cells: nothing to score
    changed: dict[str, int] = field(default_factory=dict)  # metric -> cells whose value changed
    minority_fallback: int = 0  # rescored cells without a minority_class (older stores)

    def message(self) -> str:
        lines = [f"re-scored {self.n_rescored} cell(s) for {', '.join(self.metrics)}"]
        for m, n in self.changed.items():
            lines.append(f"  {m}: {n} value(s) new or changed")
        if self.missing_predictions:
            lines.append(f"{len(self.missing_predictions)} ok cell(s) have no stored predictions "
                         "(run the suite with store_predictions = true, --fresh): their value is "
                         "kept, NaN if the column is new")
        if self.minority_fallback:
            lines.append(f"{self.minority_fallback} cell(s) predate the minority_class column: "
                         "their minority class is the rarest class of their fit rows before "
                         "resampling (train_counts; ties -> lowest code)")
        if self.n_not_ok:
            lines.append(f"{self.n_not_ok} failed or skipped cell(s) left as they are")
        return "\n".join(lines)


def _label_codes(cell: pd.Series, preds: pd.DataFrame) -> list[str]:
    labels = cell.get("class_labels", "")
    if isinstance(labels, str) and labels:
        return list(json.loads(labels))
    # Older rows without class_labels: the probability columns this cell filled, in table order.
    return [c[2:] for c in preds.columns if c.startswith("p_") and preds[c].notna().all()]


def _stored_minority(cell: pd.Series) -> str:
    label = cell.get("minority_class", "")
    return label if isinstance(label, str) else ""  # NaN / NA: a row from an older store


def _minority_code(cell: pd.Series, labels: list[str]) -> int | None:
    """The code of the row's `minority_class` label; None for rows written before it existed."""
    label = _stored_minority(cell)
    if not label:
        return None
    if label not in labels:
        raise RescoreError(f"cell {cell['cell_id'][:12]}: minority_class {label!r} is not one of "
                           f"its class labels {labels}")
    return labels.index(label)


def score_input(cell: pd.Series, preds: pd.DataFrame) -> ScoreInput:
    """The ScoreInput a cell was scored with at run time, rebuilt from its stored rows."""
    labels = _label_codes(cell, preds)
    k = len(labels)
    missing = [f"p_{lab}" for lab in labels if f"p_{lab}" not in preds.columns]
    if missing:
        raise RescoreError(f"cell {cell['cell_id'][:12]}: predictions lack column(s) {missing}")
    proba = preds[[f"p_{lab}" for lab in labels]].to_numpy(dtype=np.float64)
    counts_json = cell.get("train_counts", "") or cell.get("resampled_counts", "")
    counts = np.asarray(json.loads(counts_json), dtype=np.int64) if counts_json else np.ones(k)
    counts = np.pad(counts, (0, max(0, k - len(counts))))[:k]
    return ScoreInput(y_true=preds["y_true"].to_numpy(dtype=np.int64),
                      y_pred=preds["y_pred"].to_numpy(dtype=np.int64),
                      proba=proba, n_classes=k, train_counts=counts,
                      minority=_minority_code(cell, labels))


def rescore(store: str | Path | Store, metrics: Sequence[str]) -> RescoreSummary:
    """Recompute `metrics` for every stored cell that has predictions; rewrite `cells`."""
    store = store if isinstance(store, Store) else Store(store)
    if not store.exists():
        raise RescoreError(f"{store.path} is not a results store (no cells table)")
    if not metrics:
        raise RescoreError("name at least one metric to compute")
    for m in metrics:
        try:
            get_metric(m)
        except KeyError as exc:
            raise RescoreError(str(exc)) from None
    metrics = list(dict.fromkeys(metrics))
    with store.locked():  # a writer: refused at once while a run writes this store
        return _rescore(store, metrics)


def _rescore(store: Store, metrics: list[str]) -> RescoreSummary:
    store.compact()
    cells = store.read("cells")
    preds = store.read("predictions")
    summary = RescoreSummary(metrics)
    groups = dict(tuple(preds.groupby("cell_id", sort=False))) if not preds.empty else {}
    for m in metrics:
        if m not in cells.columns:
            cells[m] = math.nan
    old = cells[metrics].copy()
    for i, cell in cells.iterrows():
        if cell["status"] != OK:
            summary.n_not_ok += 1
            continue
        rows = groups.get(cell["cell_id"])
        if rows is None or rows.empty:
            summary.missing_predictions.append(cell["cell_id"])
            continue
        values, messages = score_all(score_input(cell, rows.sort_values("row")), metrics)
        if not _stored_minority(cell):
            summary.minority_fallback += 1
        for m, v in values.items():
            cells.at[i, m] = v
        if messages:
            current = str(cell.get("warnings", "") or "")
            extra = [f"rescore: {msg}" for msg in messages if f"rescore: {msg}" not in current]
            cells.at[i, "warnings"] = "\n".join(([current] if current else []) + extra)
        summary.n_rescored += 1
    for m in metrics:
        before, after = old[m].to_numpy(dtype=float), cells[m].to_numpy(dtype=float)
        same = (before == after) | (np.isnan(before) & np.isnan(after))
        summary.changed[m] = int((~same).sum())
    store.replace_table("cells", cells)
    return summary
