"""Damaged files: named, skipped by readers, quarantined by the next writer, their cells re-run;
a torn journal tail (a killed write) is not damage."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from store_cells import PROV, make_cell, ok_result

from bench.store import Store
from bench.store.journal import journal_files


def two_segments(path: Path) -> tuple[Store, list[Path]]:
    store = Store(path, segment_cells=3)
    for i in range(6):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.compact()
    return store, sorted((path / "cells").glob("seg-*.parquet"))


def ids_of(f: Path) -> set[str]:
    return set(pd.read_parquet(f)["cell_id"])


def test_a_truncated_segment_is_skipped_then_quarantined_and_its_cells_rerun(tmp_path: Path) -> None:
    store, (good, bad) = two_segments(tmp_path)
    lost, kept = ids_of(bad), ids_of(good)
    bad.write_bytes(bad.read_bytes()[:100])  # truncated
    with pytest.warns(UserWarning, match=f"cells/{bad.name} is damaged"):
        cells = Store(tmp_path).read("cells")
    assert set(cells["cell_id"]) == kept  # the rest stays readable
    assert store.finished_ids() == kept  # so the lost cells re-run
    moved = store.compact()
    assert moved and f"cells/{bad.name}" in moved[0]
    assert f"per_class/{bad.name} (same cells as cells/{bad.name})" in moved  # the whole group
    assert (tmp_path / "quarantine" / "cells" / bad.name).exists()
    assert bad.name in (tmp_path / "quarantine" / "log.txt").read_text()
    assert not (tmp_path / "per_class" / bad.name).exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing damaged is left: no warning
        assert set(pd.read_parquet(tmp_path / "cells")["cell_id"]) == kept
        assert set(Store(tmp_path).read("per_class")["cell_id"]) == kept
    for i in range(6):  # the re-run
        if make_cell(i).cell_id in lost:
            store.write(ok_result(make_cell(i), 0.7), PROV)
    store.compact()
    assert len(store.read("cells")) == 6 and len(store.read("per_class")) == 12


def test_a_garbled_child_file_quarantines_its_group(tmp_path: Path) -> None:
    store, (good, bad) = two_segments(tmp_path)
    child = tmp_path / "per_class" / bad.name
    data = bytearray(child.read_bytes())
    data[4:len(data) - 12] = b"\x07" * (len(data) - 16)  # magic and footer length intact
    child.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match=f"per_class/{bad.name} is damaged"):
        assert set(Store(tmp_path).read("per_class")["cell_id"]) == ids_of(good)
    reader = Store(tmp_path)
    reader.read("per_class")  # warned once per process; named in reader.damaged every time
    assert list(reader.damaged) == [f"per_class/{bad.name}"]
    moved = reader.quarantine_damaged() + store.compact()
    assert any(m.startswith(f"per_class/{bad.name}") for m in moved)
    assert store.finished_ids() == ids_of(good)  # the cells of the damaged group re-run


def test_a_torn_journal_tail_is_not_damage_but_a_bad_checksum_is(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for i in range(3):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.close()
    (journal,) = journal_files(tmp_path / "journal")
    data = journal.read_bytes()
    journal.write_bytes(data[:-10])  # a write killed half way
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(Store(tmp_path).read("cells")) == 2
    frame = len(data) // 3
    garbled = bytearray(data)
    garbled[frame + 40] ^= 0xFF  # inside the second frame
    journal.write_bytes(bytes(garbled))
    with pytest.warns(UserWarning, match="checksum mismatch"):
        assert store.finished_ids() == {make_cell(0).cell_id}
    moved = store.compact()
    assert moved and moved[0].startswith(f"journal/{journal.name} (checksum mismatch")
    assert set(pd.read_parquet(tmp_path / "cells")["cell_id"]) == {make_cell(0).cell_id}


def test_bench_run_reports_the_damaged_file_once_and_reruns_its_cells(tmp_path: Path,
                                                                      tiny_suite: Path) -> None:
    from bench.commands.run import prepare, run_suite

    store = tmp_path / "store"
    _, summary = run_suite(tiny_suite, store, workers=0, log=False)
    n = summary.total
    (seg,) = (store / "cells").glob("seg-*.parquet")
    seg.write_bytes(seg.read_bytes()[:-30])
    rp = prepare(tiny_suite, store)
    rp.store.release()
    assert [m for m in rp.quarantined if m.startswith(f"cells/{seg.name}")]
    assert rp.n_finished == 0 and len(rp.todo) == n
    assert prepare(tiny_suite, store).quarantined == []  # reported once
    Store(store).release()
    _, summary = run_suite(tiny_suite, store, workers=0, log=False)
    assert summary.total == n and len(Store(store).read("cells")) == n


def test_resume_keeps_a_damaged_journal_up_to_the_damage(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for i in range(3):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.close()
    (journal,) = journal_files(tmp_path / "journal")
    data = bytearray(journal.read_bytes())
    data[len(data) // 3 + 40] ^= 0xFF  # inside the second frame
    journal.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="checksum mismatch"):
        finished, moved = Store(tmp_path).resume()
    assert finished == {make_cell(0).cell_id}  # cells 1 and 2 re-run
    assert moved and moved[0].startswith(f"journal/{journal.name} (checksum mismatch")
    assert (tmp_path / "quarantine" / "journal" / journal.name).exists()
    assert set(pd.read_parquet(tmp_path / "cells")["cell_id"]) == {make_cell(0).cell_id}
