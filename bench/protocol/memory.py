"""Memory of a cell: its peak (the kernel's high-water mark, else sampled in a thread), the
resident memory of a process tree (the per-cell cap), and the kernel's out-of-memory kill counter
(to name `oom` only when it is known).

Why resident memory (RSS) sampled, not `RLIMIT_AS`/`RLIMIT_DATA`: those limit *virtual* memory,
which is reserved far beyond what is touched (CUDA maps many GB when it starts, glibc 64 MB per
thread arena), and a failed allocation under them surfaces as a segfault in native code as often
as a `MemoryError`. Resident memory is what `peak_mb` reports and what
the machine runs out of; sampling it every few milliseconds (the worker's own process and its
children) overshoots the cap by at most what a cell allocates between two samples.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes(pid: int | str = "self") -> int:
    """Resident bytes of one process (0 when it is gone). Linux reads /proc; elsewhere only the
    calling process is known, as its lifetime peak."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        if pid != "self" and pid != os.getpid():
            return 0
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes, Linux: KiB


def child_pids(pid: int | str = "self") -> list[int]:
    """Every descendant of `pid` (children of each of its threads, recursively); [] off Linux."""
    out: list[int] = []
    todo = [str(pid)]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{p}/task/{tid}/children", "rb") as f:
                    kids = f.read().split()
            except OSError:
                continue
            for k in kids:
                out.append(int(k))
                todo.append(k.decode())
    return out


def tree_rss_bytes(children: list[int]) -> int:
    """Resident bytes of this process plus the given descendants (shared pages count twice:
    an upper bound, which is the safe side of a cap)."""
    return rss_bytes() + sum(rss_bytes(c) for c in children)


def oom_kill_file(pid: int | str = "self") -> Path | None:
    """The file holding the kernel's OOM-kill counter of the memory cgroup of `pid`
    (cgroup v2 `memory.events`, v1 `memory.oom_control`), or None where there is none."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    root = Path("/sys/fs/cgroup")
    candidates: list[Path] = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        rel = path.lstrip("/")
        if controllers == "":  # v2 unified hierarchy
            candidates += [root / rel / "memory.events", root / "memory.events"]
        elif "memory" in controllers.split(","):
            candidates += [root / "memory" / rel / "memory.oom_control",
                           root / "memory" / "memory.oom_control"]
    for c in candidates:  # a container sees its own cgroup as the root: the second candidate
        if c.is_file() and oom_kills(c) is not None:
            return c
    return None


def oom_kills(path: Path | None) -> int | None:
    """The `oom_kill` counter in a cgroup memory file (None when unreadable)."""
    if path is None:
        return None
    try:
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
    except (OSError, ValueError):
        return None
    return None


def reset_peak() -> bool:
    """Reset this process's resident high-water mark (`VmHWM`) to its current resident memory:
    Linux >= 4.0 takes `5` in `/proc/self/clear_refs`. False where that is refused or absent."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return peak_bytes() is not None


def peak_bytes() -> int | None:
    """This process's resident high-water mark since its start or the last `reset_peak` (None
    off Linux)."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, IndexError, ValueError):
        return None
    return None


class PeakMemory:
    """Peak resident memory of this process over a block (native allocations included).

    Where the kernel keeps a resettable high-water mark (Linux), the peak is exact and costs two
    small reads: no thread, no sampling, no spike missed between samples. Elsewhere a thread
    samples the resident memory every `interval_s`."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self._kernel = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def rss_mb() -> float:
        return rss_bytes() / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.rss_mb())
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self.peak_mb = self.rss_mb()
        self._kernel = reset_peak()
        if not self._kernel:
            self._thread = threading.Thread(target=self._run, daemon=True, name="bench-peak-memory")
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        peak = peak_bytes() if self._kernel else None
        self.peak_mb = max(self.peak_mb, self.rss_mb(), (peak or 0) / 2**20)
