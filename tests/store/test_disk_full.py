"""A full disk (a small tmpfs mounted by the test): one clear StoreError, every committed cell
kept, no temporary file left; freeing space and running again resumes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from store_cells import PROV, make_cell, ok_result

from bench.core.errors import StoreError
from bench.store import Store
from bench.store.journal import journal_files, scan


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs; skipped (with the reason) where this process may not mount one."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {out.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(disk: Path, leave_bytes: int) -> Path:
    """A filler file taking all but `leave_bytes` of the disk."""
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    filler = disk / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))
    return filler


def leftovers(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.name.startswith(".tmp-")]


def test_disk_full_while_writing_keeps_every_committed_cell(disk: Path) -> None:
    store = Store(disk / "store")
    filler = fill(disk, 48 * 1024)
    written = []
    with pytest.raises(StoreError) as info:
        for i in range(10_000):
            store.write(ok_result(make_cell(i), 0.5), PROV)
            written.append(make_cell(i).cell_id)
    message = str(info.value)
    assert message.startswith("disk full while writing cell")
    assert f"{len(written)} finished cells are kept; free space and re-run to resume" in message
    assert info.value.__suppress_context__  # one error, not a chain of tracebacks
    assert len(written) > 3 and not leftovers(disk)
    (journal,) = journal_files(disk / "store" / "journal")
    frames = scan(journal)
    assert not frames.damaged and [f.cell_id for f in frames.frames] == written  # no partial frame
    assert sum(len(f.row) > 0 for f in frames.frames) == len(written)
    filler.unlink()  # space freed: compaction and new writes go on
    store.write(ok_result(make_cell(len(written)), 0.5), PROV)
    store.compact()
    assert len(pd.read_parquet(disk / "store" / "cells")) == len(written) + 1


def test_disk_full_while_compacting_deletes_nothing_and_leaves_no_temporary_file(disk: Path) -> None:
    store = Store(disk / "store")
    for i in range(40):
        store.write(ok_result(make_cell(i), 0.5), PROV)
    store.close()
    filler = fill(disk, 4 * 1024)
    with pytest.raises(StoreError, match="disk full while compacting .* nothing was lost"):
        store.compact()
    assert not leftovers(disk) and not list((disk / "store").rglob("seg-*"))
    assert len(store.read("cells")) == 40  # still in the journal
    filler.unlink()
    store.compact()
    assert len(pd.read_parquet(disk / "store" / "cells")) == 40


def test_bench_run_on_a_full_disk_prints_one_error_and_resumes(disk: Path, tiny_suite: Path) -> None:
    store = disk / "store"
    filler = fill(disk, 64 * 1024)
    cmd = [sys.executable, "-m", "bench", "run", str(tiny_suite), "--results", str(store),
           "--workers", "0", "--no-leaderboard"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr and out.stderr.count("disk full") == 1, out.stderr
    assert "free space and re-run to resume" in out.stderr
    kept = len(Store(store).read("cells"))
    assert kept > 0 and not leftovers(disk)
    filler.unlink()
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "COLUMNS": "200"})
    assert again.returncode == 0, again.stderr
    assert f"{kept} already finished" in again.stderr + again.stdout
