"""Parquet results store: a journal of finished cells, sealed segments, a writer lock.

Layout: `<store>/journal/*.journal` (one checksummed frame per finished cell, appended by the
driver: `journal.py`), `<store>/<table>/seg-*.parquet` (segment groups made by `compact()`:
`compact.py`), `<store>/.lock` (the writer lock: `lock.py`), `<store>/quarantine/` (damaged
files, moved aside). A cell counts as finished once its frame is in the journal (SIGKILL loses
no finished cell); `compact()` turns the journal into parquet at the end of every run and when a
run starts, so `pandas.read_parquet(store / "cells")` reads a table whole after a run. Newer rows
of a cell_id replace older ones (a recomputed failure, `--fresh`). Stores written by older
versions (`part-*` / `data-*` files) are read as they are and merged at the next compaction.

Readers take no lock: they list the files and read them, and list again if a compaction removed
one under them (it deletes sources only after the merged files are on disk and verified, so a
fresh listing holds every row). A damaged file is skipped, named in `Store.damaged` and in a
warning, and quarantined by the next writer; its cells re-run.
"""

from __future__ import annotations

import atexit
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from bench.core.cell import CellResult
from bench.core.errors import StoreError
from bench.core.vocab import FINISHED
from bench.store import journal, lock
from bench.store.compact import compact as _compact
from bench.store.compact import quarantine, write_groups
from bench.store.files import (Damaged, disk_full_error, read_file, remove_on_failure, table_files,
                               write_sealed)
from bench.store.schema import SCHEMA_VERSION, TABLES, conform_cells, fill_added
from bench.store.sources import ORDER, all_keys, load, newest_cells, newest_children

CHILD_TABLES = tuple(t for t in TABLES if t != "cells")
SEGMENT_CELLS = 20_000  # cells per segment group; a full segment is sealed
JOURNAL_MAX_BYTES = 256 << 20  # a journal this big (or of SEGMENT_CELLS cells) is compacted
READ_TRIES = 20

_WRITERS: dict[str, journal.JournalWriter] = {}  # one open journal per store and process
_WARNED: set[str] = set()


def _close_writer(path: Path) -> None:
    writer = _WRITERS.pop(lock._key(path), None)
    if writer is None:
        return
    try:
        writer.close()
    finally:
        lock.release(path)


@atexit.register
def _close_all() -> None:
    for key in list(_WRITERS):
        _close_writer(Path(key))


class Store:
    """A results directory; only the process holding its lock writes to it."""

    def __init__(self, path: str | Path, segment_cells: int = SEGMENT_CELLS) -> None:
        self.path = Path(path)
        self.segment_cells = segment_cells
        self.damaged: dict[str, str] = {}  # files a read skipped -> why

    def table_dir(self, table: str) -> Path:
        return self.path / table

    @property
    def journal_dir(self) -> Path:
        return self.path / "journal"

    def exists(self) -> bool:
        return (self.path / "cells").is_dir() or bool(journal.journal_files(self.journal_dir))

    # ---- the writer lock ------------------------------------------------------------------
    def acquire(self, wait_s: float = 0.0) -> None:
        """Take the writer lock (StoreError naming the holder when another process has it)."""
        lock.acquire(self.path, wait_s)

    def release(self) -> None:
        """Close this process's journal if the lock goes with it, and give the lock back."""
        if lock._key(self.path) in _WRITERS and _held_depth(self.path) <= 2:
            _close_writer(self.path)
        lock.release(self.path)

    @contextmanager
    def locked(self, wait_s: float = 0.0) -> Iterator[Store]:
        self.acquire(wait_s)
        try:
            yield self
        finally:
            self.release()

    # ---- writing -------------------------------------------------------------------------
    def write(self, result: CellResult, provenance: dict[str, str]) -> None:
        """Append one finished cell (its cells row and child tables) to the journal."""
        row = {**result.row, "schema_version": SCHEMA_VERSION, **provenance}
        frame = journal.encode(row, {t: getattr(result, t) for t in CHILD_TABLES})
        key = lock._key(self.path)
        try:
            writer = _WRITERS.get(key)
            if writer is None:
                lock.acquire(self.path)
                try:
                    writer = _WRITERS[key] = journal.JournalWriter(self.journal_dir)
                except BaseException:
                    lock.release(self.path)
                    raise
            writer.append(frame)
        except OSError as exc:
            if exc.errno not in journal.DISK_FULL:
                raise StoreError(f"cannot write to store {self.path}: {exc}") from None
            where = _WRITERS[key].path if key in _WRITERS else self.journal_dir
            self.close()
            n = len(self.finished_ids())
            raise disk_full_error(f"writing cell {row['cell_id'][:16]} to {where}",
                                  f"{n} finished cells are kept") from None
        if writer.n_frames >= self.segment_cells or writer.size >= JOURNAL_MAX_BYTES:
            self.compact()  # a long run keeps its journal (what readers scan) bounded

    def close(self) -> None:
        """Close this process's journal of the store (fsync) and release the lock it held."""
        _close_writer(self.path)

    def compact(self) -> list[str]:
        """Merge the journal and small files into sealed segments; returns the files moved to
        quarantine (damaged), as `table/name (why)`, for the caller to report."""
        with self.locked():
            _close_writer(self.path)
            moved = _compact(self.path, self.segment_cells)
            moved += self.quarantine_damaged()
        return moved

    def resume(self) -> tuple[set[str], list[str]]:
        """What `bench run` does on opening a store: compact its files (not the journal of a
        killed run: that waits for the end of this run), then the finished cells and the
        damaged files moved to quarantine. Takes the lock."""
        with self.locked():
            moved = _compact(self.path, self.segment_cells, journals=False)
            finished = self.finished_ids()
            moved += self.quarantine_damaged()
            if any(name.startswith("journal/") for name in moved):
                finished = self.finished_ids()
        return finished, moved

    def quarantine_damaged(self) -> list[str]:
        """Move the damaged files that reads of this Store met to quarantine (takes the lock).
        A damaged journal is compacted first: its intact frames before the damage are kept."""
        moved: list[str] = []
        if not self.damaged:
            return moved
        with self.locked():
            if any(name.startswith("journal/") for name in self.damaged):
                _close_writer(self.path)
                moved += _compact(self.path, self.segment_cells)
            for name, why in list(self.damaged.items()):
                path = self.path / name
                if path.exists() and not name.startswith("journal/"):
                    moved += quarantine(self.path, path, why)
                del self.damaged[name]
        return moved

    def replace_table(self, table: str, df: pd.DataFrame) -> None:
        """Replace a whole table by `df`: the store is rewritten as new segment groups (written
        and verified), then the old files go. Takes the lock."""
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}; allowed: {', '.join(TABLES)}")
        import time

        with self.locked():
            self.compact()
            tables = {t: (df if t == table else self.read(t)) for t in TABLES}
            tables["cells"] = conform_cells(tables["cells"])
            old = [f for t in TABLES for f in table_files(self.table_dir(t))]
            created: list[Path] = []
            remove_on_failure(created, lambda: write_groups(
                self.path, tables, time.time_ns(), self.segment_cells, created),
                f"replacing table {table} of store {self.path}", "the old table is kept")
            for f in old:
                if f not in created:
                    f.unlink(missing_ok=True)

    # ---- whole tables: written at once, not per cell (`bench inspect`'s `inspect`) ---------
    def write_whole(self, table: str, df: pd.DataFrame) -> Path:
        """Replace a table that is not kept per cell by `df`: one sealed file (temporary file,
        fsync, rename), then the previous files go, so a reader sees the old table or the new."""
        import time

        if table in TABLES:
            raise StoreError(f"table {table!r} is kept per cell; write it through Store.write")
        d = self.table_dir(table)
        old = table_files(d)
        path = d / f"data-{time.time_ns():020d}-all.parquet"
        write_sealed(df, path, [])
        for f in old:
            f.unlink(missing_ok=True)
        return path

    def read_whole(self, table: str) -> pd.DataFrame | None:
        """The newest file of a table written by `write_whole`, None when there is none."""
        for _ in range(READ_TRIES):
            files = table_files(self.table_dir(table))
            if not files:
                return None
            try:
                return read_file(files[-1])
            except FileNotFoundError:  # replaced meanwhile: list again
                continue
            except Damaged as exc:
                raise StoreError(f"{exc.path}: the {table} table cannot be read ({exc.why}); "
                                 "write it again or remove it") from None
        raise StoreError(f"store {self.path} kept changing while reading {table}; try again")

    def clear(self) -> None:
        """Remove every result (not the quarantine). Takes the lock."""
        with self.locked():
            _close_writer(self.path)
            for f in journal.journal_files(self.journal_dir):
                f.unlink()
            for table in TABLES:
                for f in table_files(self.table_dir(table)):
                    f.unlink()

    # ---- reading -------------------------------------------------------------------------
    def _read_once(self, table: str, columns: list[str] | None) -> pd.DataFrame:
        cols = None if columns is None else list(dict.fromkeys(["cell_id", *columns]))
        cells = load(self.path, "cells", cols if table == "cells" else ["cell_id"])
        child = load(self.path, table, cols) if table != "cells" else None
        self._note_damage([*cells.damaged, *(child.damaged if child else [])])
        ranks = all_keys(cells, *([child] if child else []))
        winners = newest_cells(cells, ranks)
        if table == "cells":
            if not cells.pieces:
                empty = conform_cells(pd.DataFrame())
                return empty if columns is None else empty[cols]
            return fill_added(winners.drop(columns=ORDER), columns)  # older stores: schema.py
        assert child is not None
        return newest_children(child, winners, ranks).drop(columns=ORDER, errors="ignore")

    def read(self, table: str = "cells", columns: list[str] | None = None) -> pd.DataFrame:
        """The whole table (or some columns), newest row of each cell_id; never fails because
        a compaction removed a file meanwhile (it lists again)."""
        for _ in range(READ_TRIES):
            try:
                return self._read_once(table, columns)
            except FileNotFoundError:
                continue
        raise StoreError(f"store {self.path} kept changing while reading {table}; try again")

    def finished_ids(self) -> set[str]:
        """Cells that need no re-run; reads only the cell_id and status columns."""
        cells = self.read("cells", ["cell_id", "status"])
        if cells.empty:
            return set()
        return set(cells.loc[cells["status"].isin(FINISHED), "cell_id"])

    def _note_damage(self, damaged: list[tuple[Path, str]]) -> None:
        for path, why in damaged:
            name = str(path.relative_to(self.path)) if path.is_relative_to(self.path) else str(path)
            self.damaged[name] = why
            if name not in _WARNED:
                _WARNED.add(name)
                warnings.warn(f"store {self.path}: {name} is damaged ({why}); it is skipped, its "
                              "cells re-run at the next `bench run`", stacklevel=3)

    def write_meta(self, meta: dict) -> None:
        from bench.store.meta import write_meta

        write_meta(self.path, meta)


def _held_depth(path: Path) -> int:
    held = lock._HELD.get(lock._key(path))
    return held[1] if held else 0


def read_cells(path: str | Path) -> pd.DataFrame:
    """The `cells` table of a store; StoreError when it is not a store or holds nothing."""
    store = Store(path)
    if not store.exists():
        raise StoreError(f"{path} is not a results store (no cells table)")
    cells = store.read("cells")
    if cells.empty:
        raise StoreError(f"no results in {path}")
    return cells
