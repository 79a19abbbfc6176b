"""SIGTERM handled like Ctrl-C while a run executes: stop dispatching, kill the workers, keep
every finished cell, compact, and leave with a non-zero status (128 + the signal: 130 for
SIGINT, 143 for SIGTERM, the shell convention).

Why: a scheduler, `timeout`, `docker stop` or systemd ends jobs with SIGTERM; Python's default
for it is to die on the spot, skipping the compaction and leaving workers to print BrokenPipe
tracebacks. A second SIGTERM during that clean-up is ignored (it is short; SIGKILL still loses
no finished cell), while a second Ctrl-C still interrupts, as people expect of Ctrl-C.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Terminated(KeyboardInterrupt):
    """Raised in the driver's main thread by SIGTERM; a KeyboardInterrupt, so every clean-up
    written for Ctrl-C runs for it too."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def stop_signal(exc: BaseException) -> int:
    """The signal behind an interrupt: SIGTERM for `Terminated`, SIGINT for Ctrl-C."""
    return getattr(exc, "signum", signal.SIGINT)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, the first SIGTERM raises `Terminated`; later ones are ignored.
    Outside the main thread (where Python cannot install handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if not fired:
            fired.append(signum)
            raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
