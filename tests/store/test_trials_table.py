"""The `trials` table and the tuning columns in the store: written with their cell, newest wins,
and stores written before the tuning axis (schema 1, the committed CI baseline) still read."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd

from bench.core.cell import Cell, CellResult, Component
from bench.core.vocab import TuningSpec
from bench.protocol import identity_row
from bench.protocol.tune import TRIAL_COLUMNS, Trial, TuneResult, trials_table, tuning_columns
from bench.store import SCHEMA_VERSION, TABLES, Store, cells_columns
from bench.store.provenance import provenance

ROOT = Path(__file__).resolve().parents[2]


def tuned_result(fold: int, values: list[float]) -> CellResult:
    cell = Cell(Component.of("wine"), Component.of("none"), Component.of("lightgbm"),
                fold=fold, tuning="tpe(3)")
    trials = [Trial(i, {"model.learning_rate": 0.01 * (i + 1)}, v,
                    "complete" if v == v else "fail", 0.5, "" if v == v else "boom")
              for i, v in enumerate(values)]
    done = [t for t in trials if t.state == "complete"]
    best = max(done, key=lambda t: t.value)
    tuned = TuneResult(TuningSpec("tpe", 3), best.params, best.value, trials, tune_s=1.5)
    row = {**identity_row(cell), "status": "ok", "error": "", "macro_f1": 0.5,
           **tuning_columns(tuned)}
    return CellResult(row, trials=trials_table(cell.cell_id, tuned))


def test_trials_are_written_and_read_with_their_cell(tmp_path: Path) -> None:
    assert "trials" in TABLES and SCHEMA_VERSION == "3"
    store = Store(tmp_path)
    a = tuned_result(0, [0.4, float("nan"), 0.6])
    b = tuned_result(1, [0.3, 0.2, 0.1])
    for r in (a, b):
        store.write(r, provenance())
    journaled = store.read("trials")
    store.compact()
    trials = pd.read_parquet(tmp_path / "trials")  # plain pandas after a run
    pd.testing.assert_frame_equal(journaled.reset_index(drop=True),
                                  trials.reset_index(drop=True), check_dtype=False)
    assert list(trials.columns) == TRIAL_COLUMNS
    assert len(trials) == 6
    mine = trials[trials["cell_id"] == a.row["cell_id"]].sort_values("trial")
    assert mine["state"].tolist() == ["complete", "fail", "complete"]
    assert mine["error"].tolist() == ["", "boom", ""]
    assert [json.loads(p)["model.learning_rate"] for p in mine["params"]] == [0.01, 0.02, 0.03]
    cells = store.read("cells").set_index("cell_id")
    assert list(cells.reset_index().columns) == cells_columns()
    row = cells.loc[a.row["cell_id"]]
    assert row["tuning"] == "tpe(3)" and row["tune_score"] == 0.6 and row["tune_trials"] == 3
    assert json.loads(row["tuned_params"]) == {"model.learning_rate": 0.03}
    assert cells["tune_trials"].dtype == "Int64" and cells["tune_s"].dtype == "float64"


def test_a_recomputed_cell_replaces_its_trials(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write(tuned_result(0, [0.4, 0.5, 0.6]), provenance())
    store.compact()
    store.write(tuned_result(0, [0.1, 0.2, float("nan")]), provenance())  # e.g. --fresh
    store.compact()
    trials = store.read("trials")
    assert len(trials) == 3 and trials["value"].tolist()[:2] == [0.1, 0.2]


def test_a_store_written_before_the_tuning_axis_reads_as_default(tmp_path: Path) -> None:
    old = tmp_path / "quick"
    shutil.copytree(ROOT / "results/baselines/quick", old)
    assert not (old / "trials").exists()
    store = Store(old)
    cells = store.read("cells")
    assert len(cells) > 0 and (cells["tuning"] == "default").all()
    assert cells["tuned_params"].eq("").all() and cells["tune_score"].isna().all()
    # nor did it record its thread budget (schema 3): unknown, never a guessed 1
    assert cells["n_threads"].isna().all() and cells["n_threads"].dtype == "Int64"
    assert store.read("trials").empty
    # and a default cell's row today carries the same identity as there
    cell = Cell(Component.of("wine"), Component.of("none"), Component.of("dummy"))
    assert identity_row(cell)["tuning"] == "default"
    assert replace(cell, tuning="tpe(3)").to_json()["tuning"] == "tpe(3)"
