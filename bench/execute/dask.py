"""Dask executor: cells as `distributed` futures, on a scheduler or an embedded local cluster.

Why: an imbalance study easily reaches 10^5 cells, more than one machine runs in a day. The
cells go to Dask workers on any number of hosts; the driver keeps what only it may do: it writes
the store (through `execute`), so results stay exactly those of the local engine (same cells,
same ids, same `run_cell_safely` in a child process of each worker, see `sandbox.py`).

- A cell carries its dataset by reference (the `Component`); each worker's cell process loads
  and caches it. Nothing heavier than a cell is shipped.
- Results stream back as they finish (`as_completed`) and are written one by one; at most
  `max_in_flight` futures exist at a time, so 10^5 cells never sit in the scheduler at once.
- A worker that dies while running a cell (Dask's `KilledWorker`) costs that cell one attempt:
  it is resubmitted up to `retries` times, then stored `crashed` with the reason. Cells only
  queued on that worker are resubmitted at no cost (each task reports when it starts). A cell that
  crashes, raises or times out in its own process is a row at once, as on the local engine.
- No address: an embedded `LocalCluster` of worker processes bound to 127.0.0.1. Dask's own
  re-running of tasks whose worker died is switched off there (`allowed-failures` 0), so
  `retries` counts every attempt; a scheduler started by hand should be configured the same
  way (docs/scale-out.md).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from bench.core.cell import Cell, CellResult, RunOptions
from bench.core.errors import CommandError
from bench.core.vocab import CRASHED, ERROR
from bench.execute.base import Executor, ResultHook
from bench.execute.sandbox import SandboxSpec, SandboxStartError, run_sandboxed
from bench.execute.worker import result_of

CONNECT_TIMEOUT_S = 5.0
ABORT_WAIT_S = 10.0  # Ctrl-C: how long the workers get to kill the run's cells
CLOSE_TIMEOUT_S = 20.0
HANDSHAKE_TIMEOUT_S = 2.0  # a Dask server sends its handshake at once
SCHEMES = ("tcp", "tls")
# What the embedded cluster's scheduler is told (a scheduler started by hand: docs/scale-out.md).
SCHEDULER_CONFIG = {
    "distributed.scheduler.allowed-failures": 0,  # the driver counts attempts (--retries)
    # a next cell waits on each worker thread: no idle round trip between short cells
    "distributed.scheduler.worker-saturation": 2.0,
}
# Housekeeping of the embedded cluster's servers, made rare: on one machine it takes CPU from the
# cells (with Dask's defaults the idle scheduler, nannies and two workers used 9% of a core, 1.8%
# with these). A worker's task only waits on its cell process, so its statistical profiler (100
# stack samples a second) has nothing to show; the event-loop health tick (every 20 ms) and the
# system monitor (every 0.5 s) feed the dashboard, which nobody watches here.
HOUSEKEEPING_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "5s",  # no memory limit is set here anyway
}


def parse_scheduler(address: str) -> tuple[str, str, int]:
    """`tcp://HOST:PORT` (or `tls://`, or plain `HOST:PORT`) -> (scheme, host, port)."""
    text = address.strip()
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None or parts.path:
        raise CommandError(f"--scheduler {address!r}: allowed: tcp://HOST:PORT or tls://HOST:PORT "
                           "(the address `dask scheduler` prints)")
    return parts.scheme, parts.hostname, port


def check_reachable(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Refuse an address where no Dask scheduler answers, in seconds and before anything runs.

    A Dask server speaks first: its handshake frame starts with the frame's size (8 bytes,
    little-endian). Something else listening there (a proxy, a web server) stays silent or says
    something else, which the Dask client would otherwise read as a size of exabytes."""
    import socket
    import struct

    scheme, host, port = parse_scheduler(address)
    try:
        sock = socket.create_connection((host, port), timeout=timeout_s)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise CommandError(f"--scheduler {address}: cannot reach a Dask scheduler there ({why}); "
                           "start one with `dask scheduler` or check the address") from None
    head = b""
    with sock:
        if scheme == "tls":  # the TLS handshake comes first: the client checks the rest
            return
        try:
            sock.settimeout(HANDSHAKE_TIMEOUT_S)
            while len(head) < 8:
                chunk = sock.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
        except OSError:
            pass
    if len(head) < 8 or not 0 < struct.unpack("<Q", head)[0] < 2**24:
        raise CommandError(f"--scheduler {address}: something listens there but it is not a Dask "
                           "scheduler (no Dask handshake); check the address and port")


def _topic(token: str) -> str:
    return f"bench-started-{token}"


def _run_cell_task(cell: Cell, spec: SandboxSpec, token: str, key: str) -> CellResult | bytes:
    """The task a Dask worker runs: the cell in this worker's sandbox (never raises for the cell).

    It first tells the driver it started (an event): a worker that dies costs an attempt only
    to the cell it was running, not to the ones waiting in its queue. A finished cell's result
    goes back as the bytes its cell process sent: the Dask worker neither unpickles nor pickles
    its tables again, the driver unpickles them once (`result_of`)."""
    from distributed import get_worker

    get_worker().log_event(_topic(token), key)
    return run_sandboxed(cell, spec, token, raw=True)


def _abort_run(token: str) -> int:
    """Run on every worker after Ctrl-C: kill the cells of run `token` still running there."""
    from bench.execute.sandbox import POOL

    return POOL.abort(token)


@contextmanager
def _quiet_distributed(level: int = logging.CRITICAL) -> Iterator[None]:
    """Dask logs every worker death, restart and reconnection attempt (with tracebacks); the run
    reports them as rows or as one message instead. Dask configures its loggers one by one, so
    each is quieted (and restored after). A lost scheduler also leaves the client's event loop
    with futures whose exception nobody retrieved: asyncio logs each, with a tornado traceback
    ("Future exception was never retrieved"), when it is garbage-collected, so the asyncio and
    tornado loggers are quieted too and those futures are collected before the levels return."""
    import distributed  # noqa: F401 — configures its loggers on import

    names = ["distributed", "asyncio", "tornado",
             *(n for n in logging.root.manager.loggerDict
               if n.startswith(("distributed.", "tornado.")))]
    before = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(level)
    try:
        yield
    finally:
        gc.collect()  # the unretrieved futures log as they are collected: here, while quiet
        for n, lvl in before.items():
            logging.getLogger(n).setLevel(lvl)


def _close(client: Any, cluster: Any) -> None:
    """Close the client, then the embedded cluster (its workers and their cells), whatever
    state the connection is in: a failure here must not hide why the run stopped."""
    for thing in (client, cluster):
        if thing is None:
            continue
        try:
            thing.close(timeout=CLOSE_TIMEOUT_S)
        except Exception:  # noqa: BLE001 — a lost scheduler cannot be said goodbye to
            pass


class DaskExecutor(Executor):
    """Cells on Dask workers: `scheduler` an address, or None for an embedded local cluster."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 threads: int = 1, timeout_s: float = 600.0, device: str = "cpu",
                 options: RunOptions | None = None, retries: int = 1,
                 recycle_after: int = 200, host: str = "127.0.0.1",
                 max_in_flight: int | None = None, memory_limit: int | None = None) -> None:
        from bench.execute.local import default_workers

        self.scheduler = scheduler
        self.workers = default_workers(threads) if workers is None else workers
        self.threads = threads
        self.host = host
        self.retries = retries
        self.max_in_flight = max_in_flight
        self.spec = SandboxSpec(threads, device, options, os.environ.get("BENCH_PLUGINS", ""),
                                timeout_s, recycle_after, memory_limit)
        self.token = uuid.uuid4().hex[:12]  # task keys of this run (a shared scheduler)
        self._in_flight: dict[Any, Cell] = {}

    # ---- cluster ----------------------------------------------------------------------------
    def _connect(self) -> tuple[Any, Any]:
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            parse_scheduler(self.scheduler)
            try:
                client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            except Exception as exc:  # noqa: BLE001 — any failure to connect is the address's
                raise CommandError(f"--scheduler {self.scheduler}: cannot connect to a Dask "
                                   f"scheduler ({type(exc).__name__}: {exc})") from None
            return client, None
        with dask.config.set({**SCHEDULER_CONFIG, **HOUSEKEEPING_CONFIG}):
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   host=self.host, dashboard_address=f"{self.host}:0", memory_limit=0,
                                   silence_logs=logging.CRITICAL)
            client = Client(cluster, set_as_default=False)
        return client, cluster

    def _window(self, client: Any) -> int:
        if self.max_in_flight is not None:
            return max(1, self.max_in_flight)
        slots = sum(client.nthreads().values())
        return max(16, 4 * slots)

    # ---- the run ----------------------------------------------------------------------------
    def map(self, cells: Sequence[Cell], on_result: ResultHook) -> None:
        with _quiet_distributed():
            client, cluster = self._connect()
            try:
                self._run(client, cells, on_result)
            except BaseException:
                self._abort(client)
                raise
            finally:
                _close(client, cluster)

    def _abort(self, client: Any) -> None:
        """Cancel this run's futures and kill its cells still running on the workers."""
        def abort() -> None:
            try:
                client.cancel(list(self._in_flight), force=True)
                if self.scheduler is not None:  # an embedded cluster dies with the driver anyway
                    client.run(_abort_run, self.token, on_error="return")
            except Exception:  # noqa: BLE001 — best effort on the way out
                pass

        # bounded: an unresponsive worker must not hold the driver's exit
        helper = threading.Thread(target=abort, name="bench-dask-abort", daemon=True)
        helper.start()
        helper.join(ABORT_WAIT_S)

    def _run(self, client: Any, cells: Sequence[Cell], on_result: ResultHook) -> None:
        from distributed import KilledWorker, as_completed

        from bench.protocol import failure_result

        pending = list(reversed(cells))
        submitted: dict[str, int] = {}  # per cell: tasks sent (each its own key)
        died: dict[str, int] = {}  # per cell: attempts that its worker died running
        started: set[str] = set()  # task keys that began running (events from the workers)
        client.subscribe_topic(_topic(self.token), lambda event: started.add(event[1]))
        start_failures = 0
        window, window_at = self._window(client), time.monotonic()
        ac = as_completed(loop=client.loop, with_results=True, raise_errors=False)

        def submit(cell: Cell) -> None:
            n = submitted[cell.cell_id] = submitted.get(cell.cell_id, 0) + 1
            key = f"bench-{self.token}-{cell.cell_id}-{n}"
            fut = client.submit(_run_cell_task, cell, self.spec, self.token, key, pure=False,
                                key=key)
            self._in_flight[fut] = cell
            ac.add(fut)

        def fill() -> None:
            while pending and len(self._in_flight) < window:
                submit(pending.pop())

        fill()
        while self._in_flight:
            for fut, value in ac.next_batch(block=True):
                cell = self._in_flight.pop(fut)
                result = None
                if fut.status == "finished":
                    result = result_of(value)
                elif fut.status == "cancelled":
                    where = f" at {self.scheduler}" if self.scheduler else ""
                    raise CommandError(f"lost the Dask scheduler{where}: it stopped, restarted or "
                                       f"cancelled cell {cell.cell_id}; the finished cells are "
                                       "stored, run again to resume")
                else:
                    exc = value[1]
                    if isinstance(exc, KilledWorker):
                        # Not started: it only waited on that worker, no attempt is charged.
                        # (A worker dying within milliseconds of starting a cell may not have
                        # reported the start yet: that attempt is free too, within a bound.)
                        ran = fut.key in started or submitted[cell.cell_id] > 4 * (self.retries + 2)
                        n = died[cell.cell_id] = died.get(cell.cell_id, 0) + int(ran)
                        if n <= self.retries:
                            submit(cell)
                            continue
                        result = failure_result(
                            cell, CRASHED, f"its Dask worker died on each of {n} attempt(s) "
                            f"(--retries {self.retries}); last: {exc}")
                    elif isinstance(exc, SandboxStartError):
                        start_failures += 1
                        if start_failures > 3:
                            raise CommandError(f"Dask workers cannot run cells: {exc}") from None
                        submit(cell)
                        continue
                    else:
                        result = failure_result(cell, ERROR, f"{type(exc).__name__} on the Dask "
                                                f"worker: {exc}")
                fut.release()
                on_result(result)
            if time.monotonic() - window_at > 5.0:  # workers may join or leave
                window, window_at = self._window(client), time.monotonic()
            fill()
