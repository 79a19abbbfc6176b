"""Reading a table from every source of a store: parquet files and journal frames, newest wins.

Why: rows of one cell can exist in several places at once (a recomputed failure, a segment and
the journal it was merged from when a compaction was interrupted). Every source has an order key
`(stamp, name, frame)`; for each cell_id the newest `cells` row wins, and child rows are kept only
from a source at least as new as that winner (never stale rows of an older result, never rows of
a cell whose `cells` row was not written: the cells row is the commit mark).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.store import journal
from bench.store.files import Damaged, read_file, stamp_of, table_files
from bench.store.schema import conform_cells

Key = tuple[int, str, int]
ORDER = "__order"


@dataclass
class Loaded:
    """Pieces of one table with their order keys, and what could not be read."""

    pieces: list[tuple[Key, pd.DataFrame]] = field(default_factory=list)
    damaged: list[tuple[Path, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    journals: list[Path] = field(default_factory=list)


def load(store: Path, table: str, columns: list[str] | None = None,
         files: list[Path] | None = None, journals: list[Path] | None = None,
         scans: dict[Path, journal.Scan] | None = None) -> Loaded:
    """Every piece of `table` (FileNotFoundError propagates: the caller lists again);
    `scans`: journal files already read (compaction reads each once for all tables)."""
    out = Loaded()
    out.files = table_files(store / table) if files is None else files
    out.journals = journal.journal_files(store / "journal") if journals is None else journals
    for f in out.files:
        try:
            out.pieces.append(((stamp_of(f), f.name, 0), read_file(f, columns)))
        except Damaged as d:
            out.damaged.append((d.path, d.why))
    for j in out.journals:
        scan = scans[j] if scans is not None and j in scans else journal.scan(j)
        if scan.damaged:
            out.damaged.append((j, scan.damaged))
        stamp = journal.stamp_of(j)
        if table == "cells":
            if not scan.frames:
                continue
            rows = ([{"cell_id": fr.cell_id, "status": fr.status} for fr in scan.frames]
                    if columns is not None and set(columns) <= {"cell_id", "status"}
                    else [fr.row for fr in scan.frames])
            df = pd.DataFrame(rows)
            df = df[[c for c in columns if c in df]] if columns is not None else conform_cells(df)
            df[ORDER] = range(1, len(df) + 1)  # frame index, turned into a rank below
            out.pieces.append(((stamp, j.name, -1), df))
        else:
            out.pieces += _journal_children(scan, table, (stamp, j.name, -1))
    return out


def _journal_children(scan: journal.Scan, table: str, key: Key) -> list[tuple[Key, pd.DataFrame]]:
    """A journal's rows of a child table: frames with the same columns are converted together
    (one Arrow-to-pandas conversion per schema, not per cell); ORDER holds the frame index."""
    import pyarrow as pa

    groups: dict[str, list] = {}
    for i, fr in enumerate(scan.frames):
        t = fr.arrow(table)
        if t is not None and t.num_rows:
            t = t.append_column(ORDER, pa.array([i + 1] * t.num_rows, pa.int64()))
            groups.setdefault(t.schema.remove_metadata().to_string(), []).append(t)
    return [(key, pa.concat_tables(ts).to_pandas()) for ts in groups.values()]


def _ranked(pieces: list[tuple[Key, pd.DataFrame]], ranks: dict[Key, int]) -> pd.DataFrame:
    frames = []
    for key, df in pieces:
        df = df.copy(deep=False)
        if key[2] == -1:  # rows of a journal: one rank per frame
            df[ORDER] = [ranks[(key[0], key[1], int(i))] for i in df[ORDER]]
        else:
            df[ORDER] = ranks[key]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def all_keys(*loaded: Loaded) -> dict[Key, int]:
    keys: set[Key] = set()
    for ld in loaded:
        for key, df in ld.pieces:
            if key[2] == -1:
                keys.update((key[0], key[1], int(i)) for i in df[ORDER])
            else:
                keys.add(key)
    return {k: i for i, k in enumerate(sorted(keys))}


def newest_cells(cells: Loaded, ranks: dict[Key, int]) -> pd.DataFrame:
    """The winning `cells` row of every cell_id, with its rank in ORDER, in write order."""
    if not cells.pieces:
        return pd.DataFrame(columns=["cell_id", ORDER])
    df = _ranked(cells.pieces, ranks)
    df = df.sort_values(ORDER, kind="stable")
    return df.drop_duplicates("cell_id", keep="last").reset_index(drop=True)


def newest_children(child: Loaded, winners: pd.DataFrame, ranks: dict[Key, int]) -> pd.DataFrame:
    """Child rows from the newest source of each cell, if at least as new as its cells row."""
    if not child.pieces or winners.empty:
        return pd.DataFrame()
    df = _ranked(child.pieces, ranks)
    newest = df.groupby("cell_id")[ORDER].transform("max")
    df = df[df[ORDER] == newest]
    floor = df["cell_id"].map(winners.set_index("cell_id")[ORDER])
    return df[floor.notna() & (df[ORDER] >= floor)].reset_index(drop=True)
