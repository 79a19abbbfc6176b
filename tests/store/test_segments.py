"""Journal and sealed segments: exact round trip, several segments, newest wins, interrupted
compaction leaves every row readable once."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from store_cells import PROV, make_cell, ok_result

from bench.store import Store
from bench.store.journal import journal_files, scan


def test_journal_rows_and_child_tables_read_back_exactly_as_after_compaction(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for i in range(5):
        r = ok_result(make_cell(i), 0.1 * i)
        r.row["log_loss"] = np.float64(np.nan) if i == 2 else np.float32(0.25)  # numpy scalars
        r.row["warnings"] = "<script>x</script>\n[/x]"  # hostile text survives as is
        store.write(r, PROV)
    before = {t: store.read(t) for t in ("cells", "per_class", "confusion")}
    assert journal_files(tmp_path / "journal") and not (tmp_path / "cells").exists()
    store.compact()
    assert not journal_files(tmp_path / "journal")
    for table, df in before.items():
        after = pd.read_parquet(tmp_path / table)  # what a user reads with pandas
        pd.testing.assert_frame_equal(df.reset_index(drop=True), after.reset_index(drop=True))
    cells = before["cells"].set_index("cell_id")
    assert np.isnan(cells.loc[make_cell(2).cell_id, "log_loss"])
    assert cells.loc[make_cell(3).cell_id, "log_loss"] == 0.25
    assert (cells["warnings"] == "<script>x</script>\n[/x]").all()
    assert cells["n_train"].dtype == "Int64" and cells["degenerate"].dtype == "boolean"
    assert before["confusion"]["count"].tolist() == [3, 1, 0, 4] * 5


def test_segments_hold_at_most_segment_cells_and_sealed_ones_are_left_alone(tmp_path: Path) -> None:
    store = Store(tmp_path, segment_cells=4)
    for i in range(10):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.compact()
    segs = sorted((tmp_path / "cells").glob("seg-*.parquet"))
    assert [len(pd.read_parquet(f)) for f in segs] == [4, 4, 2]
    # each segment's child file holds exactly the same cells (a group)
    for f in segs:
        assert set(pd.read_parquet(f)["cell_id"]) == \
            set(pd.read_parquet(tmp_path / "per_class" / f.name)["cell_id"])
    mtimes = {f.name: f.stat().st_mtime_ns for f in segs}
    for i in range(10, 13):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.compact()
    now = {f.name: f.stat().st_mtime_ns for f in (tmp_path / "cells").glob("seg-*.parquet")}
    sealed = [n for n in mtimes if mtimes[n] == now.get(n)]
    assert len(sealed) == 2  # the two full segments were not rewritten
    # the small segment (2) and the 3 new cells: merged and cut at 4
    assert sorted(len(pd.read_parquet(tmp_path / "cells" / n)) for n in now) == [1, 4, 4, 4]
    assert len(pd.read_parquet(tmp_path / "cells")) == 13


def test_a_newer_row_of_a_sealed_cell_rewrites_its_segment_no_duplicates(tmp_path: Path) -> None:
    store = Store(tmp_path, segment_cells=3)
    for i in range(6):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.compact()
    store.write(ok_result(make_cell(1), 0.9), PROV)  # cell 1 recomputed
    assert store.read("cells").set_index("cell_id").loc[make_cell(1).cell_id, "macro_f1"] == 0.9
    store.compact()
    cells = pd.read_parquet(tmp_path / "cells")
    assert len(cells) == 6 and cells["cell_id"].is_unique
    assert cells.set_index("cell_id").loc[make_cell(1).cell_id, "macro_f1"] == 0.9
    per_class = pd.read_parquet(tmp_path / "per_class")
    assert len(per_class) == 12 and set(per_class.loc[per_class["cell_id"] == make_cell(1).cell_id,
                                                      "recall"]) == {0.9}


def test_an_interrupted_compaction_leaves_every_row_once(tmp_path: Path) -> None:
    """Killed after the new segment was written, before its sources were deleted: both exist;
    readers see each cell once, and the next compaction cleans up."""
    store = Store(tmp_path)
    for i in range(4):
        store.write(ok_result(make_cell(i), 0.1 * i), PROV)
    store.close()
    saved = tmp_path.parent / f"{tmp_path.name}-journal-copy"
    shutil.copytree(tmp_path / "journal", saved)
    store.compact()
    shutil.copytree(saved, tmp_path / "journal", dirs_exist_ok=True)  # the sources are back
    cells = store.read("cells")
    assert len(cells) == 4 and cells["cell_id"].is_unique
    assert len(store.read("per_class")) == 8
    store.write(ok_result(make_cell(0), 0.99), PROV)  # a newer row still wins
    store.compact()
    cells = pd.read_parquet(tmp_path / "cells").set_index("cell_id")
    assert len(cells) == 4 and cells.loc[make_cell(0).cell_id, "macro_f1"] == 0.99
    assert not journal_files(tmp_path / "journal")


def test_a_failed_recompute_drops_the_old_child_rows(tmp_path: Path) -> None:
    from bench.protocol import failure_result

    store = Store(tmp_path)
    c = make_cell(0)
    store.write(ok_result(c, 0.5), PROV)
    store.compact()
    store.write(failure_result(c, "error", "boom"), PROV)
    assert store.read("per_class").empty  # the newest result of the cell has no child rows
    store.compact()
    assert store.read("per_class").empty and store.read("cells")["status"].tolist() == ["error"]


def test_stores_of_older_versions_are_read_and_merged(tmp_path: Path) -> None:
    """Per-cell part files and one compacted data file per table (the earlier layout)."""
    from bench.store import conform_cells

    a, b = ok_result(make_cell(0), 0.1), ok_result(make_cell(1), 0.2)
    for table in ("cells", "per_class"):
        (tmp_path / table).mkdir()
    conform_cells(pd.DataFrame([{**a.row, **PROV}])).to_parquet(
        tmp_path / "cells" / "data-00000000000000000010-all.parquet")
    a.per_class.to_parquet(tmp_path / "per_class" / "data-00000000000000000011-all.parquet")
    conform_cells(pd.DataFrame([{**b.row, **PROV}])).to_parquet(
        tmp_path / "cells" / "part-00000000000000000020-x.parquet")
    b.per_class.to_parquet(tmp_path / "per_class" / "part-00000000000000000020-x.parquet")
    store = Store(tmp_path)
    assert len(store.read("cells")) == 2 and len(store.read("per_class")) == 4
    store.compact()
    assert [p.name[:4] for p in (tmp_path / "cells").glob("*.parquet")] == ["seg-"]
    assert len(pd.read_parquet(tmp_path / "per_class")) == 4


def test_a_long_run_compacts_its_journal_every_segment_of_cells(tmp_path: Path) -> None:
    store = Store(tmp_path, segment_cells=5)
    for i in range(12):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    assert sorted(len(pd.read_parquet(f)) for f in (tmp_path / "cells").glob("seg-*")) == [5, 5]
    (journal,) = journal_files(tmp_path / "journal")
    assert len(scan(journal).frames) == 2  # only the cells since the last compaction
    assert len(store.read("cells")) == 12
    store.compact()
    assert len(pd.read_parquet(tmp_path / "cells")) == 12


def test_a_compaction_killed_before_its_cells_file_loses_no_child_row(tmp_path: Path) -> None:
    """Within a group the cells file is written last: killed before it, the group's child files
    exist without it, next to the sources; every row is read once, the cells win nowhere alone."""
    store = Store(tmp_path)
    for i in range(4):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.close()
    saved = tmp_path.parent / f"{tmp_path.name}-journal-copy"
    shutil.copytree(tmp_path / "journal", saved)
    store.compact()
    (seg,) = (tmp_path / "cells").glob("seg-*.parquet")
    seg.unlink()  # never renamed into place
    shutil.copytree(saved, tmp_path / "journal", dirs_exist_ok=True)  # sources not deleted
    assert len(store.read("cells")) == 4 and len(store.read("per_class")) == 8
    store.compact()
    assert len(pd.read_parquet(tmp_path / "cells")) == 4
    assert len(pd.read_parquet(tmp_path / "per_class")) == 8


def test_a_compaction_killed_while_deleting_a_rewritten_segment_loses_nothing(tmp_path: Path) -> None:
    """Sources are deleted child tables first: killed after a rewritten segment's per_class file
    went but before its cells file did, the new group (a newer stamp) still wins."""
    store = Store(tmp_path, segment_cells=3)
    for i in range(6):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.compact()
    old = next(f for f in (tmp_path / "cells").glob("seg-*.parquet")
               if make_cell(1).cell_id in set(pd.read_parquet(f)["cell_id"]))
    kept = old.read_bytes()
    store.write(ok_result(make_cell(1), 0.9), PROV)
    store.compact()
    old.write_bytes(kept)  # its cells file survived, its per_class file did not
    cells = store.read("cells").set_index("cell_id")
    assert len(cells) == 6 and cells.loc[make_cell(1).cell_id, "macro_f1"] == 0.9
    per_class = store.read("per_class")
    assert len(per_class) == 12 and per_class["cell_id"].value_counts().eq(2).all()
    store.compact()
    assert len(pd.read_parquet(tmp_path / "cells")) == 6
    assert len(pd.read_parquet(tmp_path / "per_class")) == 12
