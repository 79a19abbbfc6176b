"""Small real cell results for the store tests (no fitting): a cells row and child tables."""

from __future__ import annotations

import pandas as pd

from bench.core.cell import Cell, CellResult, Component
from bench.protocol import identity_row


def make_cell(i: int) -> Cell:
    """Distinct cells: fold and repeat of wine / none / dummy."""
    return Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("dummy"), fold=i % 3, repeat=i // 3)


def ok_result(cell: Cell, f1: float) -> CellResult:
    row = {**identity_row(cell), "status": "ok", "error": "", "macro_f1": f1, "fit_s": 0.1,
           "n_train": 100, "degenerate": False, "train_counts": "[50, 30, 20]"}
    per_class = pd.DataFrame({"cell_id": cell.cell_id, "label": ["0", "1"], "recall": [f1, f1]})
    confusion = pd.DataFrame({"cell_id": cell.cell_id, "true_label": ["0", "0", "1", "1"],
                              "pred_label": ["0", "1", "0", "1"], "count": [3, 1, 0, 4]})
    return CellResult(row, per_class=per_class, confusion=confusion)


PROV = {"harness_version": "t", "protocol_version": "1", "host": "h", "utc": "2026-01-01T00:00:00"}
