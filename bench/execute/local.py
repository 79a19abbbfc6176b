"""Local executor: a pool of spawned, long-lived worker processes, one cell at a time each.

A cell that raises becomes a row with status error (in the worker); one whose process dies
becomes `crashed`, its message naming the signal or exit code; one that passes its timeout
becomes `timeout`; one past the memory cap becomes `oom` with its peak. `oom` is also used when a
worker is SIGKILLed while the kernel's OOM-kill counter of its memory cgroup rises; a SIGKILL of
unknown origin stays `crashed`. A dead or killed worker's whole process group is killed and the
worker replaced; only its cell is marked. The driver alone writes the store, one durable write
per finished cell, so Ctrl-C, SIGTERM or a kill loses nothing that finished; workers die with
the driver (see `bench.execute.worker`).

The dispatch loop hands a worker its next cell as soon as its result arrives, before the result
is unpickled (`bench.execute.worker.result_of`) and written, so that workers never wait for the
driver's unpickling or the store.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import selectors
import signal
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.core.cell import Cell, CellResult, RunOptions
from bench.core.errors import CodeChanged
from bench.core.vocab import CRASHED, OOM, TIMEOUT
from bench.execute.base import Executor, ResultHook, RunSummary, execute, fit_groups
from bench.execute.worker import code_fingerprint, result_of, worker_main
from bench.store import Store


def default_workers(threads_per_cell: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, threads_per_cell))


def signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return "an unknown signal"


class _Worker:
    def __init__(self, ctx: Any, threads: int, device: str, options: RunOptions | None,
                 timeout_s: float | None, memory_limit: int | None,
                 oom_file: Path | None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, daemon=True,
                                args=(child, threads, device, options, timeout_s, memory_limit,
                                      os.getpid()))
        _start_ignoring_sigint(self.proc)
        child.close()
        self.ready = False
        self.cell: Cell | None = None
        self.group: deque[Cell] = deque()  # the rest of its fit group (bench.execute.base)
        self.deadline = float("inf")
        self.n_done = 0
        self.timeout_s = timeout_s
        self.oom_file = oom_file
        self.oom_kills: int | None = None

    def send(self, cell: Cell, timeout_s: float) -> None:
        from bench.protocol.memory import oom_kills

        self.cell = cell
        self.deadline = time.monotonic() + timeout_s
        self.oom_kills = oom_kills(self.oom_file)
        self.conn.send(cell)

    def recv(self) -> tuple[str, Any]:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return "dead", None

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the worker leads its own group
        except (ProcessLookupError, PermissionError, OSError):
            pass
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()

    def retire(self) -> None:
        """Ask an idle worker to exit (joined at the end of the run, or collected when dead)."""
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass

    def death(self) -> tuple[str, str]:
        """(status, message) for a worker that died while running its cell."""
        from bench.protocol.memory import oom_kills

        self.proc.join(timeout=1)
        return death_status(self.proc.exitcode, time.monotonic() > self.deadline, self.timeout_s,
                            self.oom_kills, oom_kills(self.oom_file))


def death_status(exitcode: int | None, past_deadline: bool = False,
                 timeout_s: float | None = None, oom_before: int | None = None,
                 oom_after: int | None = None) -> tuple[str, str]:
    """(status, message) of a worker that died during its cell: `timeout` past its deadline (its
    own watchdog acted), `oom` for a SIGKILL while the cgroup's OOM-kill count rose, otherwise
    `crashed` naming the signal or the exit code."""
    if past_deadline:
        return TIMEOUT, f"exceeded the {timeout_s:g} s timeout; worker killed"
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        what = f"worker killed by {signal_name(sig)} (signal {sig})"
        if (sig == signal.SIGKILL and oom_before is not None and oom_after is not None
                and oom_after > oom_before):
            return OOM, (f"{what}: the kernel's out-of-memory killer (the oom_kill count of its "
                         f"memory cgroup rose from {oom_before} to {oom_after})")
        return CRASHED, what
    return CRASHED, f"worker exited with code {exitcode}"


def _start_ignoring_sigint(proc: Any) -> None:
    """Start a worker with SIGINT ignored from its first instruction (an ignored signal survives
    exec): Ctrl-C during its start-up would otherwise print a traceback from the worker."""
    if threading.current_thread() is not threading.main_thread():
        proc.start()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def oom_result(cell: Cell, info: dict[str, float]) -> CellResult:
    from bench.protocol import failure_result

    result = failure_result(cell, OOM, f"memory limit exceeded: {info['peak_mb']:.0f} MB resident "
                                       f"(worker and its child processes) over the limit of "
                                       f"{info['limit_mb']:.0f} MB; worker killed")
    result.row["peak_mb"] = float(info["peak_mb"])
    return result


def run_in_process(cells: Sequence[Cell], on_result: ResultHook, threads: int = 1,
                   device: str = "cpu", options: RunOptions | None = None) -> None:
    """No isolation (debugging, `--workers 0`): a crash or hang here stops the run, and neither
    the timeout nor the memory cap applies."""
    from bench.execute.worker import limit_threads
    from bench.protocol import run_cell_safely

    limit_threads(threads)
    for group in fit_groups(cells):
        for cell in group:
            on_result(run_cell_safely(cell, threads, device, options))


def check_code(ready: Any) -> None:
    """Refuse a worker whose bench code differs from the driver's (see `code_fingerprint`)."""
    theirs = ready[1] if isinstance(ready, tuple) and len(ready) == 2 else None
    if theirs != code_fingerprint():
        raise CodeChanged(
            "bench's code changed while this run was going: a new worker process imports other "
            "bench source files than this run started with (an upgrade or an edit). Every "
            "finished cell is kept; run the same command again to go on with the new code.")


def run_pool(cells: Sequence[Cell], on_result: ResultHook, workers: int, threads: int = 1,
             timeout_s: float = 600.0, device: str = "cpu", recycle_after: int = 200,
             options: RunOptions | None = None, memory_limit: int | None = None) -> None:
    """Run cells in isolated worker processes; every cell produces exactly one result.

    Call it from the main thread: on Linux workers die with the thread that started them.
    """
    from bench.protocol import failure_result
    from bench.protocol.memory import oom_kill_file

    ctx = mp.get_context("spawn")
    oom_file = oom_kill_file()
    code_fingerprint()  # what the workers must match: the code this run started with
    # A worker takes a whole fit group, one cell at a time: the decision rules of a fit run
    # back to back where that fit is kept (bench.protocol.fitting.fit_cell).
    pending = deque(deque(group) for group in fit_groups(cells))

    def new_worker() -> _Worker:
        return _Worker(ctx, threads, device, options, timeout_s, memory_limit, oom_file)

    def dispatch(w: _Worker) -> None:
        if not (w.ready and w.cell is None):
            return
        if not w.group and pending:
            w.group = pending.popleft()
        if w.group:
            w.send(w.group.popleft(), timeout_s)

    # One selector for the whole run (epoll on Linux): a wait costs the same with 2 or 200
    # workers, where building the wait set anew each time cost ~0.4 ms per wait at 64 workers.
    selector = selectors.DefaultSelector()

    def add(w: _Worker) -> _Worker:
        selector.register(w.conn, selectors.EVENT_READ, (w, "conn"))
        selector.register(w.proc.sentinel, selectors.EVENT_READ, (w, "sentinel"))
        return w

    def replace(i: int, kill: bool = True) -> None:
        old = pool[i]
        for obj in (old.conn, old.proc.sentinel):
            try:
                selector.unregister(obj)
            except (KeyError, ValueError):
                pass
        if kill:
            old.kill()
        pool[i] = add(new_worker())
        pool[i].group = old.group  # the rest of its fit group goes on there (a new fit)

    pool = [add(new_worker()) for _ in range(min(workers, len(pending)))]
    retired: list[_Worker] = []
    results: deque[CellResult | bytes] = deque()  # received, not yet handed to on_result
    start_failures = 0
    try:
        while pending or any(w.cell is not None or w.group for w in pool):
            now = time.monotonic()
            wait_s = min(1.0, max(0.0, min(w.deadline for w in pool) - now))
            conn_ready: set[int] = set()
            gone: set[int] = set()
            for key, _ in selector.select(timeout=wait_s):
                w, what = key.data
                (conn_ready if what == "conn" else gone).add(id(w))
            for i, w in enumerate(pool):
                if id(w) in conn_ready:
                    kind, payload = w.recv()
                    if kind == "ready":
                        check_code(payload)
                        w.ready = True
                        dispatch(w)
                        continue
                    if kind == "result":
                        w.cell, w.deadline = None, float("inf")
                        results.append(payload)
                        w.n_done += 1
                        if w.n_done >= recycle_after:  # bound memory growth of long runs
                            w.retire()
                            retired.append(w)
                            replace(i, kill=False)
                        else:
                            dispatch(w)  # before the result is written: no idle worker
                        continue
                    if kind == "oom" and w.cell is not None:
                        results.append(oom_result(w.cell, payload))
                        replace(i)
                        continue
                if (id(w) in conn_ready or id(w) in gone) and not w.proc.is_alive():
                    if w.cell is not None:
                        results.append(failure_result(w.cell, *w.death()))
                    elif not w.ready:
                        start_failures += 1
                        if start_failures > 3:
                            raise RuntimeError("worker processes fail to start: exit code "
                                               f"{w.proc.exitcode}")
                    replace(i)
                elif w.cell is not None and time.monotonic() > w.deadline:
                    results.append(failure_result(
                        w.cell, TIMEOUT, f"exceeded the {timeout_s:g} s timeout; worker killed"))
                    replace(i)
            while results:
                on_result(result_of(results.popleft()))
            if retired:
                retired = [w for w in retired if w.proc.is_alive()]
    finally:
        try:  # interrupted between receiving results and writing them: write them still
            while results:
                on_result(result_of(results.popleft()))
        except BaseException:  # noqa: BLE001 — a second interrupt: the kill below comes first
            pass
        for w in pool:
            if w.cell is not None or not w.ready:
                w.kill()
            else:
                w.retire()
        for w in pool + retired:
            w.proc.join(timeout=2)
            if w.proc.is_alive():
                w.kill()
        selector.close()


class LocalExecutor(Executor):
    """Spawned worker processes on this machine (`workers=0`: in-process, no isolation)."""

    name = "local"

    def __init__(self, workers: int | None = None, threads: int = 1, timeout_s: float = 600.0,
                 device: str = "cpu", options: RunOptions | None = None,
                 recycle_after: int = 200, memory_limit: int | None = None) -> None:
        self.workers = default_workers(threads) if workers is None else workers
        self.threads = threads
        self.timeout_s = timeout_s
        self.device = device
        self.options = options
        self.recycle_after = recycle_after
        self.memory_limit = memory_limit

    def map(self, cells: Sequence[Cell], on_result: ResultHook) -> None:
        if self.workers == 0:
            run_in_process(cells, on_result, self.threads, self.device, self.options)
        else:
            run_pool(cells, on_result, self.workers, self.threads, self.timeout_s, self.device,
                     self.recycle_after, self.options, self.memory_limit)


def run_cells(cells: Sequence[Cell], store: Store, *, workers: int | None = None,
              threads: int = 1, timeout_s: float = 600.0, device: str = "cpu",
              on_result: ResultHook | None = None,
              options: RunOptions | None = None,
              memory_limit: int | None = None) -> RunSummary:
    """Run cells on the local executor, writing each result to the store as soon as it exists."""
    executor = LocalExecutor(workers, threads, timeout_s, device, options,
                             memory_limit=memory_limit)
    return execute(cells, store, executor, on_result)
