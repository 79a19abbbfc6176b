"""Parquet results store: atomic per-cell writes, resume by cell_id, bounded file count.

Layout: `<store>/<table>/*.parquet` for tables cells, per_class, confusion, curves (and
predictions). Each finished cell is written at once as one small part file per table (temporary
file, then `os.replace`), so a killed run loses nothing it finished; `compact()` merges parts into
one file per table (run at the end of every run and on open), so `pandas.read_parquet(store /
"cells")` reads a table whole and the file count stays bounded. The `cells` part is written
last: a cell counts as finished only once its `cells` row exists. Newer rows of a cell_id replace
older ones (a recomputed failure, `--fresh`).
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pandas as pd

from bench.core.cell import CellResult
from bench.core.errors import StoreError
from bench.core.vocab import FINISHED

from bench.store.schema import SCHEMA_VERSION, TABLES, conform_cells  # noqa: F401


def _parts(d: Path) -> list[Path]:
    """Data files of a table in write order (hidden temporary files are never data)."""
    if not d.is_dir():
        return []
    files = [p for p in d.glob("*.parquet") if not p.name.startswith((".", "_"))]
    return sorted(files, key=lambda p: p.name.split("-")[1])


def _atomic_write(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


class Store:
    """A results directory; only the driver process writes to it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def table_dir(self, table: str) -> Path:
        return self.path / table

    def exists(self) -> bool:
        return (self.path / "cells").is_dir()

    # ---- writing -------------------------------------------------------------------------
    def write(self, result: CellResult, provenance: dict[str, str]) -> None:
        """Write one cell durably: child tables first, the `cells` row last (the commit mark)."""
        cid = result.row["cell_id"]
        stamp = f"{time.time_ns():020d}"
        for table in ("per_class", "confusion", "curves", "predictions"):
            df = getattr(result, table)
            if df is None or df.empty:
                continue
            d = self.table_dir(table)
            d.mkdir(parents=True, exist_ok=True)
            _atomic_write(df.reset_index(drop=True), d / f"part-{stamp}-{cid[:16]}.parquet")
        row = {**result.row, "schema_version": SCHEMA_VERSION, **provenance}
        d = self.table_dir("cells")
        d.mkdir(parents=True, exist_ok=True)
        _atomic_write(conform_cells(pd.DataFrame([row])), d / f"part-{stamp}-{cid[:16]}.parquet")

    def compact(self) -> None:
        """Merge each table's files into one; newest rows of a cell_id win."""
        for table in TABLES:
            d = self.table_dir(table)
            files = _parts(d)
            if len(files) <= 1:
                continue
            frames = []
            for order, f in enumerate(files):
                df = pd.read_parquet(f)
                df["__order"] = order
                frames.append(df)
            df = pd.concat(frames, ignore_index=True)
            newest = df.groupby("cell_id")["__order"].transform("max")
            df = df[df["__order"] == newest].drop(columns="__order")
            if table == "cells":
                df = conform_cells(df)
            stamp = f"{time.time_ns():020d}"
            _atomic_write(df.reset_index(drop=True), d / f"data-{stamp}-all.parquet")
            for f in files:
                f.unlink()

    def replace_table(self, table: str, df: pd.DataFrame) -> None:
        """Replace a whole table by `df` atomically (one new file, then the old files go).

        A reader in between sees old and new files; the new one is newest, so `read` already
        returns `df`. Only the files present when the call started are removed; still, do not
        replace a table while a run is writing to the store.
        """
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}; allowed: {', '.join(TABLES)}")
        d = self.table_dir(table)
        old = _parts(d)
        d.mkdir(parents=True, exist_ok=True)
        if table == "cells":
            df = conform_cells(df)
        _atomic_write(df.reset_index(drop=True), d / f"data-{time.time_ns():020d}-all.parquet")
        for f in old:
            f.unlink()

    def clear(self) -> None:
        for table in TABLES:
            d = self.table_dir(table)
            for f in _parts(d):
                f.unlink()

    # ---- reading -------------------------------------------------------------------------
    def read(self, table: str = "cells") -> pd.DataFrame:
        """The whole table, deduplicated by cell_id (newest wins) even before compaction."""
        d = self.table_dir(table)
        files = _parts(d)
        if not files:
            return conform_cells(pd.DataFrame()) if table == "cells" else pd.DataFrame()
        frames = [pd.read_parquet(f).assign(__order=i) for i, f in enumerate(files)]
        df = pd.concat(frames, ignore_index=True)
        newest = df.groupby("cell_id")["__order"].transform("max")
        return df[df["__order"] == newest].drop(columns="__order").reset_index(drop=True)

    def finished_ids(self) -> set[str]:
        cells = self.read("cells")
        if cells.empty:
            return set()
        return set(cells.loc[cells["status"].isin(FINISHED), "cell_id"])

    def write_meta(self, meta: dict) -> None:
        from bench.store.meta import write_meta

        write_meta(self.path, meta)


def read_cells(path: str | Path) -> pd.DataFrame:
    """The `cells` table of a store; StoreError when it is not a store or holds nothing."""
    store = Store(path)
    if not store.exists():
        raise StoreError(f"{path} is not a results store (no cells table)")
    cells = store.read("cells")
    if cells.empty:
        raise StoreError(f"no results in {path}")
    return cells
