"""The parquet store: durable per-cell writes, newest-wins, bounded files, readable by pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.core.cell import Cell, CellResult, Component
from bench.protocol import failure_result, identity_row
from bench.store import Store, cells_columns
from bench.store.provenance import provenance


def make_cell(fold: int) -> Cell:
    return Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("dummy"), fold=fold)


def ok_result(cell: Cell, f1: float) -> CellResult:
    row = {**identity_row(cell), "status": "ok", "error": "", "macro_f1": f1, "fit_s": 0.1}
    per_class = pd.DataFrame({"cell_id": cell.cell_id, "label": ["0", "1"], "recall": [f1, f1]})
    return CellResult(row, per_class=per_class)


def test_rows_have_the_fixed_schema_and_provenance(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write(ok_result(make_cell(0), 0.5), provenance())
    journaled = store.read("cells")  # from the journal, before any compaction
    store.compact()
    cells = pd.read_parquet(tmp_path / "cells")
    pd.testing.assert_frame_equal(journaled, cells)  # same values and dtypes either way
    assert list(cells.columns[:3]) == ["cell_id", "status", "error"]
    assert list(cells.columns) == cells_columns()
    row = cells.iloc[0]
    assert row["protocol_version"] == "1" and row["sklearn_version"] and row["utc"]
    assert cells["macro_f1"].dtype == "float64"


def test_newest_row_of_a_cell_wins_and_compaction_bounds_files(tmp_path: Path) -> None:
    store = Store(tmp_path)
    c0, c1 = make_cell(0), make_cell(1)
    store.write(failure_result(c0, "error", "boom"), provenance())
    store.write(ok_result(c1, 0.4), provenance())
    assert store.finished_ids() == {c1.cell_id}
    store.write(ok_result(c0, 0.7), provenance())  # the failed cell recomputed
    assert store.finished_ids() == {c0.cell_id, c1.cell_id}
    store.compact()
    assert len(list((tmp_path / "cells").glob("*.parquet"))) == 1
    assert len(list((tmp_path / "per_class").glob("*.parquet"))) == 1
    cells = pd.read_parquet(tmp_path / "cells").set_index("cell_id")
    assert len(cells) == 2 and cells.loc[c0.cell_id, "macro_f1"] == 0.7
    per_class = pd.read_parquet(tmp_path / "per_class")
    assert len(per_class) == 4  # two labels x two cells, no stale rows


def test_a_leftover_temporary_file_is_never_data(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write(ok_result(make_cell(0), 0.5), provenance())
    store.compact()
    leftover = tmp_path / "cells" / ".tmp-deadbeef-part-1-x.parquet"
    leftover.write_bytes(b"PAR1 half written")
    assert len(store.read("cells")) == 1
    assert len(pd.read_parquet(tmp_path / "cells")) == 1  # pandas skips hidden files too
    store.compact()  # the writer (holding the lock) removes what a killed writer left
    assert len(store.read("cells")) == 1 and not leftover.exists()


def test_a_cell_without_its_cells_row_is_not_finished(tmp_path: Path) -> None:
    """Child tables are written first: a crash before the cells row leaves the cell unfinished,
    and its rewrite replaces the orphan child rows."""
    store = Store(tmp_path)
    c = make_cell(0)
    result = ok_result(c, 0.5)
    (tmp_path / "per_class").mkdir(parents=True)
    result.per_class.to_parquet(tmp_path / "per_class" / "part-00000000000000000001-x.parquet")
    assert store.finished_ids() == set()
    store.write(result, provenance())
    store.compact()
    assert len(store.read("per_class")) == 2


def test_clear_removes_results(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write(ok_result(make_cell(0), 0.5), provenance())
    store.clear()
    assert store.read("cells").empty
