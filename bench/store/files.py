"""Parquet files of a store's tables: listing in write order, safe reading, sealed writing.

Why: a reader must never fail because a compaction removed a file it listed (the caller lists
again: compaction writes and verifies the new segment before it deletes anything, so a fresh
listing always holds every row), a damaged file must be named instead of making the whole
store unreadable, and a full disk must leave no temporary file behind.

File names: `<kind>-<stamp>-<tag>.parquet`. `stamp` (20 digits, nanoseconds) orders the files:
for a segment it is one more than the newest stamp of what was merged into it: newer than its
sources (which may survive an interrupted compaction), never newer than rows written after them
(a journal's stamp is its creation time, and a new journal is created after each compaction). Files of different tables with the same name form a
group (the same cells): a segment group, or a per-cell part of older stores.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bench.core.errors import StoreError
from bench.store.journal import DISK_FULL

SEGMENT = "seg"


def stamp_of(path: Path) -> int:
    try:
        return int(path.name.split("-")[1])
    except (IndexError, ValueError):
        return 0


def table_files(directory: Path) -> list[Path]:
    """Data files of a table in write order (hidden temporary files are never data)."""
    if not directory.is_dir():
        return []
    files = [p for p in directory.glob("*.parquet") if not p.name.startswith((".", "_"))]
    return sorted(files, key=lambda p: (stamp_of(p), p.name))


class Damaged(Exception):
    """A file that exists but cannot be read as parquet (truncated, garbled)."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path, self.why = path, why


def read_file(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """One parquet file; FileNotFoundError when it is gone, Damaged when it is unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if columns is not None:
            names = pq.ParquetFile(path).schema_arrow.names
            columns = [c for c in columns if c in names]
        return pq.read_table(path, columns=columns).to_pandas()
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        if not path.exists():
            raise FileNotFoundError(str(path)) from None
        raise Damaged(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def num_rows(path: Path) -> int:
    """Rows of a parquet file from its footer (no data read); Damaged when unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise Damaged(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def disk_full_error(what: str, kept: str) -> StoreError:
    return StoreError(f"disk full while {what}; {kept}; free space and re-run to resume")


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_sealed(df: pd.DataFrame, path: Path, created: list[Path]) -> None:
    """Write `df` to `path` durably: temporary file, fsync, rename (the temporary file is removed
    on any failure). `path` is appended to `created` once it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        df.reset_index(drop=True).to_parquet(tmp, index=False)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        created.append(path)
    finally:
        tmp.unlink(missing_ok=True)


def verify(path: Path, cell_ids: set[str], n_rows: int) -> None:
    """Read a new file back: it must hold exactly `n_rows` rows of exactly `cell_ids`."""
    try:
        back = read_file(path, ["cell_id"])
    except (Damaged, FileNotFoundError) as exc:
        raise StoreError(f"compaction wrote {path} but cannot read it back ({exc}); nothing "
                         "was deleted") from None
    if len(back) != n_rows or set(back["cell_id"]) != cell_ids:
        raise StoreError(f"compaction wrote {path} but it reads back {len(back)} rows of "
                         f"{back['cell_id'].nunique()} cells instead of {n_rows} rows of "
                         f"{len(cell_ids)}; nothing was deleted")


def remove_on_failure(created: list[Path], action: Callable[[], None], what: str,
                      kept: str) -> None:
    """Run `action`; on any failure remove the files it created (the sources stay), and turn a
    full disk into one StoreError."""
    try:
        action()
    except BaseException as exc:
        for p in created:
            p.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            raise disk_full_error(what, kept) from None
        raise
