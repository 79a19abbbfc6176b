"""Local executor: a pool of spawned, long-lived worker processes, one cell at a time each.

A cell that raises becomes a row with status error (in the worker); one that crashes its
process becomes `crashed` (or `oom` when the kernel's OOM killer is the likely cause); one that
passes its timeout becomes `timeout` and its worker's whole process group is killed. Dead workers
are replaced; only their cell is marked. The driver alone writes the store, one durable write
per finished cell, so Ctrl-C or a kill loses nothing that finished.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections.abc import Sequence
from multiprocessing.connection import wait
from typing import Any

from bench.core.cell import Cell, CellResult, RunOptions
from bench.core.vocab import CRASHED, OOM, TIMEOUT
from bench.execute.base import Executor, ResultHook, RunSummary, execute
from bench.execute.worker import worker_main
from bench.store import Store


def default_workers(threads_per_cell: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, threads_per_cell))


class _Worker:
    def __init__(self, ctx: Any, threads: int, device: str, options: RunOptions | None = None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child, threads, device, options),
                                daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.cell: Cell | None = None
        self.deadline = float("inf")
        self.n_done = 0

    def send(self, cell: Cell, timeout_s: float) -> None:
        self.cell = cell
        self.deadline = time.monotonic() + timeout_s
        self.conn.send(cell)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the worker leads its own group
        except (ProcessLookupError, PermissionError, OSError):
            pass
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.kill()


def _death_status(exitcode: int | None) -> tuple[str, str]:
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGKILL:
            return OOM, f"worker killed by {name} (most likely the kernel's out-of-memory killer)"
        return CRASHED, f"worker process died from signal {name}"
    return CRASHED, f"worker process exited with code {exitcode}"


def run_in_process(cells: Sequence[Cell], on_result: ResultHook, threads: int = 1,
                   device: str = "cpu", options: RunOptions | None = None) -> None:
    """No isolation (debugging, `--workers 0`): a crash or hang here stops the run."""
    from bench.execute.worker import limit_threads
    from bench.protocol import run_cell_safely

    limit_threads(threads)
    for cell in cells:
        on_result(run_cell_safely(cell, threads, device, options))


def run_pool(cells: Sequence[Cell], on_result: ResultHook, workers: int, threads: int = 1,
             timeout_s: float = 600.0, device: str = "cpu", recycle_after: int = 200,
             options: RunOptions | None = None) -> None:
    """Run cells in isolated worker processes; every cell produces exactly one result."""
    from bench.protocol import failure_result

    ctx = mp.get_context("spawn")
    pending = list(reversed(cells))
    pool = [_Worker(ctx, threads, device, options) for _ in range(min(workers, len(cells)))]
    start_failures = 0
    try:
        while pending or any(w.cell is not None for w in pool):
            for w in pool:
                if w.ready and w.cell is None and pending:
                    w.send(pending.pop(), timeout_s)
            now = time.monotonic()
            wait_s = max(0.0, min([w.deadline for w in pool] + [now + 1.0]) - now)
            ready = wait([w.conn for w in pool] + [w.proc.sentinel for w in pool], timeout=wait_s)
            replace: list[tuple[_Worker, CellResult | None]] = []
            for w in pool:
                if w.conn in ready:
                    try:
                        kind, payload = w.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "dead", None
                    if kind == "ready":
                        w.ready = True
                        continue
                    if kind == "result":
                        w.cell, w.deadline = None, float("inf")
                        on_result(payload)
                        w.n_done += 1
                        if w.n_done >= recycle_after:  # bound memory growth of long runs
                            w.stop()
                            replace.append((w, None))
                        continue
                if w in [r[0] for r in replace]:
                    continue
                if not w.proc.is_alive() and (w.conn in ready or w.proc.sentinel in ready):
                    w.proc.join(timeout=1)
                    status, message = _death_status(w.proc.exitcode)
                    result = failure_result(w.cell, status, message) if w.cell else None
                    if w.cell is None and not w.ready:
                        start_failures += 1
                        if start_failures > 3:
                            raise RuntimeError(f"worker processes fail to start: {message}")
                    w.kill()
                    replace.append((w, result))
                elif w.cell is not None and time.monotonic() > w.deadline:
                    w.kill()
                    replace.append((w, failure_result(
                        w.cell, TIMEOUT, f"exceeded the {timeout_s:g} s timeout; worker killed")))
            for w, result in replace:
                if result is not None:
                    on_result(result)
                pool[pool.index(w)] = _Worker(ctx, threads, device, options)
    finally:
        for w in pool:
            if w.cell is not None:
                w.kill()
            else:
                w.stop()


class LocalExecutor(Executor):
    """Spawned worker processes on this machine (`workers=0`: in-process, no isolation)."""

    name = "local"

    def __init__(self, workers: int | None = None, threads: int = 1, timeout_s: float = 600.0,
                 device: str = "cpu", options: RunOptions | None = None,
                 recycle_after: int = 200) -> None:
        self.workers = default_workers(threads) if workers is None else workers
        self.threads = threads
        self.timeout_s = timeout_s
        self.device = device
        self.options = options
        self.recycle_after = recycle_after

    def map(self, cells: Sequence[Cell], on_result: ResultHook) -> None:
        if self.workers == 0:
            run_in_process(cells, on_result, self.threads, self.device, self.options)
        else:
            run_pool(cells, on_result, self.workers, self.threads, self.timeout_s, self.device,
                     self.recycle_after, self.options)


def run_cells(cells: Sequence[Cell], store: Store, *, workers: int | None = None,
              threads: int = 1, timeout_s: float = 600.0, device: str = "cpu",
              on_result: ResultHook | None = None,
              options: RunOptions | None = None) -> RunSummary:
    """Run cells on the local executor, writing each result to the store as soon as it exists."""
    executor = LocalExecutor(workers, threads, timeout_s, device, options)
    return execute(cells, store, executor, on_result)
