"""What else ran during a measurement: CPU seconds used by processes outside this session.

Why: the scaling and overhead targets are ratios of wall times on a 2-core machine, and any job
of another login session takes its share of the cores whatever its nice value (the kernel's
autogroup scheduling shares CPU time between sessions first, then by nice within a session).
A ratio is only worth reading together with what others took meanwhile.

Counted from `/proc` (Linux; None elsewhere): for each process of another session, its CPU time
at the end minus at the start (all of it for one started meanwhile). A process that started and
ended between the two readings is missed, so the figure is a lower bound.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TICKS_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_by_process() -> dict[tuple[int, int], float] | None:
    """CPU seconds of every process of another session, keyed by (pid, start time)."""
    proc, mine = Path("/proc"), os.getsid(0)
    if not (proc / "self" / "stat").exists():
        return None
    out: dict[tuple[int, int], float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command: state ppid pgrp session ... utime(12) stime(13) ... starttime(20)
        if int(fields[3]) != mine:
            out[int(entry.name), int(fields[19])] = (int(fields[11]) + int(fields[12])) / TICKS_S
    return out


class Others:
    """`with Others() as others: ...`, then `others.cpu_s` (None off Linux) and `others.cores`
    (that time as a share of one core over the block's wall time)."""

    def __enter__(self) -> Others:
        self.before, self.t0 = _cpu_by_process(), time.monotonic()
        self.cpu_s: float | None = None
        self.cores: float | None = None
        return self

    def __exit__(self, *exc: object) -> None:
        after, wall = _cpu_by_process(), time.monotonic() - self.t0
        if self.before is None or after is None:
            return
        self.cpu_s = sum(max(0.0, cpu - self.before.get(key, 0.0)) for key, cpu in after.items())
        self.cores = self.cpu_s / wall if wall > 0 else 0.0

    def __str__(self) -> str:
        if self.cpu_s is None:
            return "other jobs: unknown (no /proc)"
        return f"other jobs took >= {self.cpu_s:.1f} CPU s ({self.cores:.2f} cores)"
