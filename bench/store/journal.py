"""The append-only journal: one checksummed frame per finished cell, holding all its tables.

Why: writing four parquet files through pandas cost ~40 ms per cell. A frame is the cell's
`cells` row as JSON plus its child tables as Arrow IPC streams (exact dtypes), appended with one
`write` to `<store>/journal/<stamp>-<pid>-<tag>.journal`: well under a millisecond. A frame is
in the file (the kernel's page cache) when `write` returns, so SIGKILL of the driver loses no
finished cell. The file is fsync'd by the first append `FSYNC_EVERY_S` or more after the last
fsync, and when it is closed, which bounds what a power loss can take (docs/results-schema.md).
Compaction turns journals into parquet segments.

Frame: `b"BJ01"`, payload length (u32), CRC-32 of the payload (u32), payload = JSON head line
(`cell_id`, `status`, `row`, `tables` [[name, nbytes], ...]) + the IPC streams. A reader stops at
the first incomplete frame (the tail of a killed write: not an error) or the first frame whose
magic or checksum is wrong (damage: reported, the file is quarantined at the next compaction).
"""

from __future__ import annotations

import errno
import json
import math
import os
import struct
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

MAGIC = b"BJ01"
HEAD = struct.Struct("<4sII")
SUFFIX = ".journal"
FSYNC_EVERY_S = 1.0
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _jsonable(value: Any) -> Any:
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _ipc(df: pd.DataFrame) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def encode(row: dict[str, Any], tables: dict[str, pd.DataFrame | None]) -> bytes:
    """One frame: the `cells` row and the non-empty child tables of one cell."""
    blobs = [(name, _ipc(df)) for name, df in tables.items() if df is not None and not df.empty]
    row = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
    head = {"cell_id": row["cell_id"], "status": row["status"], "row": row,
            "tables": [[name, len(blob)] for name, blob in blobs]}
    payload = json.dumps(head, default=_jsonable).encode() + b"\n" + b"".join(b for _, b in blobs)
    return HEAD.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


@dataclass
class Frame:
    cell_id: str
    status: str
    row: dict[str, Any]
    blobs: dict[str, memoryview] = field(default_factory=dict)

    def arrow(self, name: str):  # type: ignore[no-untyped-def]
        """The child table `name` of this cell as an Arrow table, or None."""
        import pyarrow as pa

        blob = self.blobs.get(name)
        if blob is None:
            return None
        with pa.ipc.open_stream(pa.py_buffer(blob)) as reader:
            return reader.read_all()

    def table(self, name: str) -> pd.DataFrame | None:
        table = self.arrow(name)
        return None if table is None else table.to_pandas()


@dataclass
class Scan:
    frames: list[Frame]
    damaged: str = ""  # why reading stopped early, when it was damage (not a torn tail)


def scan(path: Path) -> Scan:
    """Every complete, intact frame of a journal file, in write order.

    FileNotFoundError propagates (a compaction removed the file: the caller lists again)."""
    data = memoryview(path.read_bytes())
    frames: list[Frame] = []
    pos = 0
    while len(data) - pos >= HEAD.size:
        magic, n, crc = HEAD.unpack_from(data, pos)
        if magic != MAGIC:
            return Scan(frames, f"bad frame marker at byte {pos}")
        start, end = pos + HEAD.size, pos + HEAD.size + n
        if end > len(data):
            break  # torn tail of a killed or still running write
        payload = data[start:end]
        if zlib.crc32(payload) != crc:
            return Scan(frames, f"checksum mismatch at byte {pos}")
        newline = bytes(payload[:min(n, 1 << 22)]).find(b"\n")
        try:
            head = json.loads(bytes(payload[:newline]))
            at = newline + 1
            blobs = {}
            for name, size in head["tables"]:
                blobs[name] = payload[at:at + size]
                at += size
            frames.append(Frame(head["cell_id"], head["status"], head["row"], blobs))
        except (ValueError, KeyError, TypeError):
            return Scan(frames, f"unreadable frame at byte {pos}")
        pos = end
    return Scan(frames)


def journal_files(directory: Path) -> list[Path]:
    """Journal files in creation order (the name starts with a fixed-width nanosecond stamp)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"*{SUFFIX}") if not p.name.startswith((".", "_")))


def stamp_of(path: Path) -> int:
    try:
        return int(path.name.split("-")[0])
    except ValueError:
        return 0


class JournalWriter:
    """Appends frames to one new journal file; only the driver holding the store lock writes."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        self.size = 0
        self.n_frames = 0
        self._synced = time.monotonic()
        self._lock = threading.Lock()

    def append(self, frame: bytes) -> None:
        with self._lock:  # an engine may deliver results from several threads
            self._append(frame)

    def _append(self, frame: bytes) -> None:
        try:
            view = memoryview(frame)
            while view:
                view = view[os.write(self.fd, view):]
        except BaseException:  # a full disk, or Ctrl-C / SIGTERM between two partial writes
            try:  # leave no partial frame behind: a later frame must start at a frame boundary
                os.ftruncate(self.fd, self.size)
            except OSError:
                pass
            raise
        self.size += len(frame)
        self.n_frames += 1
        if time.monotonic() - self._synced >= FSYNC_EVERY_S:
            self.sync()

    def sync(self) -> None:
        try:
            os.fsync(self.fd)
        except OSError:
            pass  # a later compaction re-reads the file; nothing is lost for a running process
        self._synced = time.monotonic()

    def close(self) -> None:
        if self.fd < 0:
            return
        self.sync()
        os.close(self.fd)
        self.fd = -1
        if self.n_frames == 0:
            self.path.unlink(missing_ok=True)
