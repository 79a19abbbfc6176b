"""Small real results stores for the `bench compare` tests (no fitting: rows written directly).

Importable from every test because pytest puts tests/ on sys.path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bench.core.cell import Cell, CellResult, Component
from bench.store import SCHEMA_VERSION, Store, conform_cells

PROV = {"harness_version": "0.1.0", "protocol_version": "1", "python_version": "3.11.0",
        "git_sha": "abc", "host": "test", "numpy_version": "2.0.0",
        "sklearn_version": "1.5.0", "lightgbm_version": "4.5.0", "torch_version": "2.4.0",
        "utc": "2024-01-01T00:00:00+00:00"}
MODELS = {"logistic": "baseline", "lightgbm": "boosting", "dnn": "dnn"}


def make_cell(model: str = "logistic", fold: int = 0, folds: int = 6, sampler: str = "none",
              ratio: float = 1.0) -> Cell:
    return Cell(Component.of("wine"), Component.of(sampler), Component.of(model),
                profile="step", ratio=ratio, minority=("2",), folds=folds, fold=fold)


def result(cell: Cell, status: str = "ok", error: str = "", fit_s: float = 1.0,
           predict_s: float = 0.1, dataset_fp: str = "fp-wine", **metrics: float) -> CellResult:
    row = {"cell_id": cell.cell_id, "status": status, "error": error,
           "dataset": cell.dataset.label, "profile": cell.profile, "ratio": cell.ratio,
           "minority": cell.minority_label, "test_prior": cell.test_prior_label,
           "sampler": cell.sampler.label, "model": cell.model.label,
           "family": MODELS.get(cell.model.name, "baseline"), "decomposition": "native",
           "decision": "argmax", "repeat": cell.repeat, "fold": cell.fold,
           "cell_json": json.dumps(cell.to_json(), sort_keys=True)}
    if status == "ok":
        row.update(fit_s=fit_s, predict_s=predict_s, dataset_fp=dataset_fp, **metrics)
    return CellResult(row)


def write(path: Path, results: Sequence[CellResult], per_cell: bool = False, **prov: str) -> Path:
    """A store holding `results`: written cell by cell with Store.write (as a run does), or,
    faster, as the one compacted file that Store.compact leaves (same rows, same schema)."""
    store = Store(path)
    if per_cell:
        for r in results:
            store.write(r, {**PROV, **prov})
        store.compact()
        return path
    rows = [{**r.row, "schema_version": SCHEMA_VERSION, **PROV, **prov} for r in results]
    d = store.table_dir("cells")
    d.mkdir(parents=True, exist_ok=True)
    n = len(list(d.glob("*.parquet")))
    conform_cells(pd.DataFrame(rows)).to_parquet(d / f"part-{n:020d}-x.parquet", index=False)
    return path


def config(model: str, f1: Sequence[float], loss: Sequence[float] | None = None,
           folds: int | None = None, **kw: object) -> list[CellResult]:
    """One configuration: a result per fold with the given macro_f1 (and log_loss) values."""
    folds = folds or len(f1)
    loss = loss if loss is not None else [0.5] * len(f1)
    return [result(make_cell(model, i, folds), macro_f1=f, log_loss=ll, **kw)  # type: ignore[arg-type]
            for i, (f, ll) in enumerate(zip(f1, loss))]


BASE_F1 = [0.80, 0.82, 0.78, 0.81, 0.79, 0.83]
