"""Compaction into sealed segments, and quarantine of damaged files. Caller holds the lock.

Why: one ever-growing compacted file was a single point of total loss, and deleting parts before
the merged file was known good lost data on a crash. Here the journal, the part files of older
stores and the segments not yet full are merged into new segment groups of at most
`segment_cells` cells (one file per table, the same name in each table directory); every new file
is written to a temporary name, fsync'd, renamed, then read back and checked (row count and cell
ids) before any source is deleted. Full segments are sealed: left alone unless a newer row of one
of their cells arrives (then that segment is rewritten without the stale rows, so reading the
directory with pandas never sees a cell twice). A crash at any point leaves every row readable
in at least one file; duplicates from an interrupted compaction are identical and resolved by
the newest-wins order.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from bench.store import journal
from bench.store.files import (SEGMENT, Damaged, fsync_dir, num_rows, read_file,
                               remove_on_failure, stamp_of, table_files, verify, write_sealed)
from bench.store.schema import TABLES, conform_cells
from bench.store.sources import ORDER, all_keys, load, newest_cells, newest_children

QUARANTINE = "quarantine"


def quarantine(store: Path, path: Path, why: str) -> list[str]:
    """Move a damaged file (and the other files of its group, the same cells) to
    `<store>/quarantine/`; returns what moved, as `table/name (why)`."""
    group = [path]
    if path.suffix == ".parquet" and path.parent.parent == store:
        group = [store / t / path.name for t in TABLES]
    moved = []
    for f in group:
        if not f.exists():
            continue
        dest = store / QUARANTINE / f.parent.name / f.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        f.replace(dest)
        moved.append(f"{f.parent.name}/{f.name} ({why})" if f == path
                     else f"{f.parent.name}/{f.name} (same cells as {path.parent.name}/{path.name})")
    if moved:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        try:  # the record of why; the move itself is what keeps the store readable
            with open(store / QUARANTINE / "log.txt", "a") as log:
                log.writelines(f"{stamp} {m}\n" for m in moved)
        except OSError:
            pass
    return moved


def write_groups(store: Path, tables: dict[str, pd.DataFrame], stamp: int, segment_cells: int,
                 created: list[Path]) -> None:
    """Write `tables` (cells in write order, child rows) as segment groups and verify each file."""
    cells = tables["cells"]
    ids = list(dict.fromkeys(cells["cell_id"]))
    children = {t: df for t, df in tables.items() if t != "cells" and not df.empty}
    for start in range(0, len(ids), segment_cells):
        chunk = set(ids[start:start + segment_cells])
        name = f"{SEGMENT}-{stamp:020d}-{start // segment_cells:05d}{uuid.uuid4().hex[:8]}.parquet"
        for table, df in [*children.items(), ("cells", cells)]:  # the cells file last: a group
            # whose cells file exists is complete, so its cells never win without their rows
            part = df[df["cell_id"].isin(chunk)].drop(columns=ORDER, errors="ignore")
            if part.empty:
                continue
            if table == "cells":
                part = conform_cells(part)
            path = store / table / name
            write_sealed(part, path, created)
            verify(path, set(part["cell_id"]), len(part))
    for table in {p.parent.name for p in created}:
        fsync_dir(store / table)


def _segment_rows(f: Path) -> int:
    return num_rows(f) if f.name.startswith(SEGMENT + "-") else 0


def compact(store: Path, segment_cells: int, journals: bool = True) -> list[str]:
    """Merge the journal, parts and small segments into sealed segments; returns what was
    quarantined. Sources are deleted only once every new file has been read back.
    `journals=False`: leave the journal as it is (resuming a killed run need not wait for it)."""
    quarantined: list[str] = []
    for d in [store, *(store / t for t in TABLES)]:  # left by a killed writer (we hold the lock)
        for tmp in d.glob(".tmp-*") if d.is_dir() else []:
            tmp.unlink(missing_ok=True)
    journals = journal.journal_files(store / "journal") if journals else []  # type: ignore[assignment]
    files = {t: table_files(store / t) for t in TABLES}
    sealed: list[Path] = []
    for f in list(files["cells"]):
        try:
            if _segment_rows(f) >= segment_cells:
                sealed.append(f)
        except Damaged as d:
            quarantined += quarantine(store, d.path, d.why)
    for t in TABLES:  # a truncated file of any table (its footer is gone)
        for f in table_files(store / t):
            if f.name.startswith(SEGMENT + "-") and t != "cells":
                try:
                    num_rows(f)
                except Damaged as d:
                    quarantined += quarantine(store, d.path, d.why)
    files = {t: table_files(store / t) for t in TABLES}
    sealed_ids: dict[str, set[str]] = {}
    for f in sealed:
        try:
            sealed_ids[f.name] = set(read_file(f, ["cell_id"])["cell_id"])
        except FileNotFoundError:
            continue
        except Damaged as d:
            quarantined += quarantine(store, d.path, d.why)
    inputs = {t: [f for f in files[t] if f.name not in sealed_ids] for t in TABLES}
    # a cell in two sealed segments (a compaction killed while deleting): every holder is merged
    counts = Counter(i for ids in sealed_ids.values() for i in ids)
    touched = {n for n, ids in sealed_ids.items() if any(counts[i] > 1 for i in ids)}
    if not journals and not touched and all(len(v) <= 1 for v in inputs.values()):
        return quarantined

    scans = {j: journal.scan(j) for j in journals}
    probe = load(store, "cells", ["cell_id"], files=inputs["cells"], journals=journals, scans=scans)
    new_ids = set().union(*(set(df["cell_id"]) for _, df in probe.pieces)) if probe.pieces else set()
    touched |= {n for n, ids in sealed_ids.items() if ids & new_ids}  # a newer row arrived
    for name in sorted(touched):  # rewritten without the stale rows
        for t in TABLES:
            if (store / t / name).exists():
                inputs[t].append(store / t / name)
    cells = load(store, "cells", files=sorted(inputs["cells"], key=_order), journals=journals,
                 scans=scans)
    children = {t: load(store, t, files=sorted(inputs[t], key=_order), journals=journals, scans=scans)
                for t in TABLES if t != "cells"}
    damaged = {p: why for ld in (cells, *children.values()) for p, why in ld.damaged}
    if any(p.suffix == ".parquet" for p in damaged):  # reread without them: consistent groups
        for p, why in damaged.items():
            if p.suffix == ".parquet":
                quarantined += quarantine(store, p, why)
        inputs = {t: [f for f in inputs[t] if f.exists()] for t in TABLES}
        cells = load(store, "cells", files=sorted(inputs["cells"], key=_order), journals=journals,
                 scans=scans)
        children = {t: load(store, t, files=sorted(inputs[t], key=_order), journals=journals, scans=scans)
                    for t in children}
    ranks = all_keys(cells, *children.values())
    winners = newest_cells(cells, ranks)
    tables = {"cells": winners, **{t: newest_children(ld, winners, ranks)
                                   for t, ld in children.items()}}
    stamps = [k[0] for ld in (cells, *children.values()) for k, _ in ld.pieces]
    stamp = max(stamps) + 1 if stamps else time.time_ns()  # newer than every source it merges
    created: list[Path] = []
    n = len(winners)
    remove_on_failure(created, lambda: write_groups(store, tables, stamp, segment_cells, created),
                      f"compacting store {store}",
                      f"nothing was lost: the {n} cells stay in the journal and part files")
    _remove_sources(store, inputs, journals, damaged, set(created), quarantined)
    return quarantined


def _order(f: Path) -> tuple:
    return (stamp_of(f), f.name)


def _remove_sources(store: Path, inputs: dict[str, list[Path]], journals: list[Path],
                    damaged: dict[Path, str], created: set[Path], quarantined: list[str]) -> None:
    for t in reversed(TABLES):  # child tables first, the cells rows (commit marks) last
        for f in inputs[t]:
            if f not in created:
                f.unlink(missing_ok=True)
    for j in journals:
        if j in damaged:
            quarantined += quarantine(store, j, damaged[j])
        else:
            j.unlink(missing_ok=True)
    for d in [*TABLES, "journal"]:
        if (store / d).is_dir():
            fsync_dir(store / d)

