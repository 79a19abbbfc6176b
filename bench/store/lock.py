"""The store's writer lock: one writing process per store, refused at once with who holds it.

Why: two `bench run` on one store both computed every cell, duplicated rows and crashed in
compaction. Every writer (run, rescore, baseline update, compaction, clear) holds an exclusive
`flock` on `<store>/.lock` while it writes; readers never take it. The kernel drops a `flock`
when its holder dies (even by SIGKILL), so a stale lock never blocks. The file also records the
holder's pid, host and start time for the refusal message (informative only: the `flock` is the
lock). Within one process the lock is re-entrant per store directory, so nested writers (a run
that compacts, a rescore that replaces a table) share it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.core.errors import StoreError

LOCK_NAME = ".lock"

_HELD: dict[str, list] = {}  # resolved store path -> [fd, depth]
_GUARD = threading.Lock()


def _key(path: Path) -> str:
    return str(path.resolve())


def holder(path: str | Path) -> dict:
    """What the lock file says about its (last) holder; {} when unreadable."""
    try:
        info = json.loads((Path(path) / LOCK_NAME).read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _refusal(path: Path) -> StoreError:
    info = holder(path)
    who = (f"pid {info.get('pid', '?')} on {info.get('host', '?')}, since {info.get('start_utc', '?')}"
           f" ({info.get('command', 'bench')})") if info else "another bench process"
    return StoreError(f"store {path} is in use by {who}; wait for that run to finish (or stop "
                      "it), then run again (`bench run --wait SECONDS` waits): finished cells "
                      "are kept and skipped")


def acquire(path: str | Path, wait_s: float = 0.0) -> None:
    """Take the writer lock of store `path` (created if needed), waiting up to `wait_s` seconds;
    StoreError naming the holder when another process holds it."""
    path = Path(path)
    with _GUARD:
        held = _HELD.get(_key(path)) if path.exists() else None
        if held is not None:
            held[1] += 1
            return
        try:
            path.mkdir(parents=True, exist_ok=True)
            fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open the lock of store {path}: {exc.strerror or exc}") from None
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise _refusal(path) from None
                time.sleep(0.2)
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "start_utc": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(["bench", *sys.argv[1:2]])}
        try:  # informative only; a full disk must not stop the lock from working
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        except OSError:
            pass
        _HELD[_key(path)] = [fd, 1]


def release(path: str | Path) -> None:
    """Give back one level of the lock; the flock goes when the outermost holder releases."""
    with _GUARD:
        key = _key(Path(path))
        held = _HELD.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        del _HELD[key]
        fd = held[0]
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def is_held(path: str | Path) -> bool:
    """Whether this process holds the lock of store `path`."""
    with _GUARD:
        return Path(path).exists() and _key(Path(path)) in _HELD
