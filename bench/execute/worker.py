"""A long-lived worker process: takes one cell at a time, returns its result.

Why long-lived: importing the libraries costs ~1.5 s and ~220 MB per process, which would dominate
small cells. Why a process: a segfault, an OOM kill or a hang in a native library must cost only
that cell, so the driver can kill the worker's whole process group and start a new one.

A worker never outlives its driver, and its cell never outlives its timeout, even when the driver
is gone (SIGKILL leaves no time to clean up):
- Linux: the kernel sends the worker SIGKILL when the driver dies (`PR_SET_PDEATHSIG`); a tiny
  forked *reaper* (in the worker's process group) then kills the whole group, so processes that
  fitting libraries started die too. Elsewhere a watchdog thread notices the driver is gone
  (`getppid` changed) and kills the group.
- The watchdog thread also kills the group when a cell runs past its timeout plus a grace
  period, and a kernel timer (`SIGALRM`, default action) ends the worker a little later still,
  should a native call hold the interpreter so that no thread can run.
- With a memory cap, the watchdog samples the resident memory of the worker and its children;
  past the cap it reports `("oom", peak)` to the driver and kills the group.
The worker ignores SIGINT (Ctrl-C is the driver's to handle) and exits quietly when the driver
closes the pipe. This module imports nothing heavy at import time: thread limits must be set first.

A result travels as the bytes of its pickle (`("result", bytes)`, read back with `result_of`):
the driver then hands the worker its next cell before it unpickles the result's tables. On an
otherwise idle machine the driver's pandas code is cold after a second of waiting, and
unpickling a result took it 20-30 ms, which the worker spent idle when it came first.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
PR_SET_PDEATHSIG = 1
PARENT_POLL_S = 0.2  # how often the watchdog and the reaper check that the parent still lives
MEMORY_POLL_S = 0.01  # resident-memory sampling under a cap (overshoot: what a cell allocates in it)
CHILDREN_POLL_S = 0.25  # how often the list of the worker's child processes is refreshed


def result_of(payload: Any) -> Any:
    """The `CellResult` a worker sent as bytes (anything else, e.g. a failure row the driver
    made itself, is returned as it is)."""
    return pickle.loads(payload) if isinstance(payload, bytes) else payload


def grace_s(timeout_s: float) -> float:
    """Slack of the in-worker timeout over the driver's: the driver, when alive, acts first."""
    return 2.0 + 0.05 * timeout_s


def limit_threads(n_threads: int) -> None:
    """Cap every native thread pool before the libraries start their pools."""
    for var in THREAD_VARS:
        os.environ[var] = str(n_threads)


def leads_group() -> bool:
    """Whether this process leads its own group (never kill a group this process only joined:
    that would be the driver's)."""
    return os.getpgrp() == os.getpid()


def kill_group() -> None:
    """SIGKILL this worker's process group (itself, its reaper, whatever libraries started)."""
    try:
        if leads_group():
            os.killpg(os.getpgrp(), signal.SIGKILL)
    finally:
        os._exit(1)  # not reached when the group kill succeeded


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; no-op elsewhere),
    then leave at once if the parent already died before that request."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(0)


def start_reaper(conn: Connection) -> int | None:
    """Fork a small process that kills the worker's group once the worker is gone (so children
    of a worker killed with its driver do not live on). Returns its pid (None when unavailable).

    Forked before any thread or heavy import exists, it costs a few MB (shared pages)."""
    if not hasattr(os, "fork") or not leads_group():
        return None
    worker_pid, group = os.getpid(), os.getpgrp()
    pid = os.fork()
    if pid:
        return pid
    try:  # the reaper: hold nothing of the worker's, wait for it to go, kill what is left
        conn.close()
        os.closerange(3, 256)

        def reap(*_: Any) -> None:
            os.killpg(group, signal.SIGKILL)
            os._exit(0)

        signal.signal(signal.SIGTERM, reap)
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        while os.getppid() == worker_pid:
            time.sleep(PARENT_POLL_S)
        reap()
    finally:
        os._exit(0)


class Watchdog(threading.Thread):
    """One thread per worker: parent alive? cell past timeout + grace? memory past the cap?"""

    def __init__(self, send: Any, lock: threading.Lock, parent_pid: int, timeout_s: float | None,
                 memory_limit: int | None, reaper_pid: int | None) -> None:
        super().__init__(daemon=True, name="bench-watchdog")
        self.send, self.lock, self.parent_pid = send, lock, parent_pid
        self.timeout_s, self.memory_limit, self.reaper_pid = timeout_s, memory_limit, reaper_pid
        self.active = False
        self.deadline = float("inf")
        self.peak_bytes = 0

    def begin(self) -> None:
        """A cell starts: arm the timeout (thread and kernel timer) and reset the peak."""
        self.peak_bytes = 0
        if self.timeout_s is not None:
            grace = grace_s(self.timeout_s)
            self.deadline = time.monotonic() + self.timeout_s + grace
            if hasattr(signal, "setitimer"):  # SIGALRM's default action ends the process
                signal.setitimer(signal.ITIMER_REAL, self.timeout_s + 2 * grace)
        self.active = True

    def end(self) -> None:
        self.active = False
        self.deadline = float("inf")
        if self.timeout_s is not None and hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)

    def run(self) -> None:
        from bench.protocol.memory import child_pids, tree_rss_bytes

        interval = MEMORY_POLL_S if self.memory_limit else PARENT_POLL_S
        children: list[int] = []
        next_parent = next_children = 0.0
        while True:
            time.sleep(interval)
            now = time.monotonic()
            if now >= next_parent:
                next_parent = now + PARENT_POLL_S
                if os.getppid() != self.parent_pid:  # the driver is gone: so is everything
                    kill_group()
            if not self.active:
                continue
            if now > self.deadline:
                kill_group()
            if self.memory_limit:
                if now >= next_children:
                    next_children = now + CHILDREN_POLL_S
                    children = [c for c in child_pids() if c != self.reaper_pid]
                rss = tree_rss_bytes(children)
                self.peak_bytes = max(self.peak_bytes, rss)
                if rss > self.memory_limit and self.lock.acquire(timeout=1.0):
                    if self.active:  # still the same cell: report it, then end the group
                        try:
                            self.send(("oom", {"peak_mb": self.peak_bytes / 2**20,
                                               "limit_mb": self.memory_limit / 2**20}))
                        finally:
                            kill_group()
                    self.lock.release()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of bench's own source files (relative names and contents), once per process.

    Why: a worker started later in a long run (a replacement after a crash or a timeout, a
    recycled one) imports whatever bench is installed by then; if that code changed (an
    upgrade, an edit of an editable install), driver and worker would exchange cells and results
    they read differently. The worker says its fingerprint when ready; the driver compares.
    """
    import hashlib

    import bench

    root = Path(bench.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def worker_main(conn: Connection, n_threads: int, device: str, options: object = None,
                timeout_s: float | None = None, memory_limit: int | None = None,
                parent_pid: int | None = None) -> None:
    """The worker's life: ready, then one cell per message until None or a closed pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the driver stops, then kills us
    try:
        os.setpgrp()  # own process group: a timeout kills native helper processes too
    except OSError:
        pass
    parent_pid = os.getppid() if parent_pid is None else parent_pid
    die_with_parent(parent_pid)
    reaper = start_reaper(conn)
    limit_threads(n_threads)  # torch, numpy's BLAS, LightGBM & co read these when imported
    from bench.core.plugins import load_plugins  # noqa: PLC0415
    from bench.protocol import run_cell_safely  # noqa: PLC0415

    load_plugins()
    lock = threading.Lock()

    def send(msg: object) -> None:
        try:
            conn.send(msg)
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
            os._exit(0)  # the driver is gone or stopping: nothing to report to, no traceback

    watchdog = Watchdog(send, lock, parent_pid, timeout_s, memory_limit, reaper)
    watchdog.start()
    send(("ready", (os.getpid(), code_fingerprint())))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if msg is None:
            return
        watchdog.begin()
        result = run_cell_safely(msg, n_threads, device, options)  # type: ignore[arg-type]
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)  # see result_of
        with lock:
            watchdog.end()
            send(("result", payload))
