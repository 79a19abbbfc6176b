"""Cell sandboxes for engines whose worker processes are not ours (the Dask executor).

Why: a Dask worker runs tasks in threads, and a thread cannot be killed: a hung cell would block
its worker forever, a segfault would kill the worker and every cell queued on it, and native
thread pools are sized when the libraries are first imported. So each task hands its cell to a
long-lived child process (the local engine's `worker_main`: same thread limits, same
`run_cell_safely`, datasets cached per process), waits with the cell's timeout, and kills the
child's process group when it passes. A sandbox serves one cell at a time and is reused (imports
cost ~1.5 s per process); it dies with its parent (a watchdog polls the parent pid), so killing a
Dask worker never leaves a cell running.

The child is started with `subprocess` rather than `multiprocessing`: a Dask worker under a nanny
is a daemonic process, which multiprocessing refuses to give children.
"""

from __future__ import annotations

import inspect
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.core.cell import Cell, CellResult, RunOptions
from bench.core.vocab import CRASHED, OOM, TIMEOUT
from bench.execute.worker import THREAD_VARS, result_of

START_TIMEOUT_S = 300.0  # importing the libraries on a cold, busy host
PARENT_POLL_S = 0.5
IDLE_S = 300.0  # an idle sandbox (~250 MB with the libraries loaded) is stopped after this


class SandboxStartError(RuntimeError):
    """The child process could not start (broken install, missing plugin module)."""


class _Gone(Exception):
    """The sandbox died while idle, before it took the cell: another one takes it."""


@dataclass(frozen=True)
class SandboxSpec:
    """How cells are run; sandboxes are shared by the tasks of one spec (one run)."""

    threads: int = 1
    device: str = "cpu"
    options: RunOptions | None = None
    plugins: str = ""  # the driver's BENCH_PLUGINS, so workers load the same entries
    timeout_s: float = 600.0
    recycle_after: int = 200
    memory_limit: int | None = None  # bytes per cell (its process and children); None: no cap

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.threads, self.device, self.options, self.plugins, self.timeout_s,
                self.memory_limit)


def death_status(returncode: int | None) -> tuple[str, str]:
    """(status, message) of a sandbox that died, worded as the local engine words it: the
    signal is named, and `crashed` (a SIGKILL is not guessed to be the OOM killer)."""
    from bench.execute.local import signal_name

    if returncode is not None and returncode < 0:
        return CRASHED, f"worker killed by {signal_name(-returncode)} (signal {-returncode})"
    return CRASHED, f"worker exited with code {returncode}"


class Sandbox:
    """One child process running cells one at a time (the driver side of `worker_main`)."""

    def __init__(self, spec: SandboxSpec) -> None:
        self.spec = spec
        parent, child = socket.socketpair()
        env = dict(os.environ)
        env.update({var: str(spec.threads) for var in THREAD_VARS})
        env["BENCH_PLUGINS"] = spec.plugins
        code = f"from bench.execute.sandbox import child_main; child_main({child.fileno()})"
        self.proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=(child.fileno(),),
                                     env=env, process_group=0)
        child.close()
        self.conn = Connection(parent.detach())
        self.conn.send((spec.threads, spec.device, spec.options,
                        {"timeout_s": spec.timeout_s, "memory_limit": spec.memory_limit,
                         "parent_pid": os.getpid()}))
        self.ready = False
        self.n_done = 0

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.ready:
            if self.conn.poll(min(1.0, max(0.0, deadline - time.monotonic()))):
                try:
                    kind, _ = self.conn.recv()
                except (EOFError, OSError):
                    kind = "dead"
                if kind == "ready":
                    self.ready = True
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                _, why = death_status(self.proc.returncode)
                raise SandboxStartError(f"the cell process failed to start on this worker ({why}); "
                                        "is bench (and every BENCH_PLUGINS module) installed here?")

    def run(self, cell: Cell) -> CellResult | bytes:
        """The cell's result, as the bytes the child sent (`bench.execute.worker.result_of`); a
        timeout or a death becomes a failure row (the sandbox is gone)."""
        from bench.protocol import failure_result

        self._wait_ready()
        try:
            self.conn.send(cell)
        except OSError:
            self.kill()
            raise _Gone from None
        deadline = time.monotonic() + self.spec.timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                return failure_result(cell, TIMEOUT,
                                      f"exceeded the {self.spec.timeout_s:g} s timeout; worker killed")
            if self.conn.poll(min(remaining, 1.0)):
                try:
                    kind, payload = self.conn.recv()
                except (EOFError, OSError):
                    kind, payload = "dead", None
                if kind == "result":
                    self.n_done += 1
                    return payload
                if kind == "oom":  # its memory cap: the child reports its peak, then dies
                    self.kill()
                    return _oom_result(cell, payload)
                if kind != "dead":
                    continue  # a message this engine does not need
            if not self.alive():
                self.kill()
                return failure_result(cell, *death_status(self.proc.returncode))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the child leads its own group
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            self.proc.kill()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class _Pool:
    """The sandboxes of this process: idle ones are reused, busy ones can be aborted by run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: list[Sandbox] = []
        self.busy: dict[Sandbox, str] = {}
        self.spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-sandboxes")
        self.idle_since: dict[Sandbox, float] = {}
        self.sweeper: threading.Thread | None = None

    def _sweep(self) -> None:
        """Stop sandboxes idle for IDLE_S: a worker shared by many runs gives their memory back."""
        while True:
            time.sleep(IDLE_S / 4)
            now = time.monotonic()
            with self.lock:
                old = [s for s in self.idle if now - self.idle_since.get(s, now) > IDLE_S]
                self.idle = [s for s in self.idle if s not in old]
            for s in old:
                self.idle_since.pop(s, None)
                s.stop()

    def acquire(self, spec: SandboxSpec, token: str) -> Sandbox:
        with self.lock:
            usable = [s for s in self.idle if s.spec.key == spec.key and s.alive()]
            stale = [s for s in self.idle if s not in usable]  # another run's settings, or dead
            self.idle = usable
            sandbox = self.idle.pop() if self.idle else None
        for s in stale:
            self.idle_since.pop(s, None)
            s.stop()
        # Started from one long-lived thread: the kernel's parent-death signal (set by the
        # child) follows the thread that forked it, and task threads may come and go.
        sandbox = sandbox or self.spawner.submit(Sandbox, spec).result()
        with self.lock:
            self.busy[sandbox] = token
        return sandbox

    def release(self, sandbox: Sandbox) -> None:
        with self.lock:
            self.busy.pop(sandbox, None)
            keep = sandbox.alive() and sandbox.n_done < sandbox.spec.recycle_after
            if keep:
                self.idle.append(sandbox)
                self.idle_since[sandbox] = time.monotonic()
                if self.sweeper is None:
                    self.sweeper = threading.Thread(target=self._sweep, daemon=True,
                                                    name="bench-sandbox-sweeper")
                    self.sweeper.start()
            else:
                self.idle_since.pop(sandbox, None)
        if not keep:
            sandbox.stop()

    def abort(self, token: str) -> int:
        """Kill the sandboxes running cells of run `token` (its driver was interrupted)."""
        with self.lock:
            doomed = [s for s, t in self.busy.items() if t == token]
        for s in doomed:
            s.kill()
        return len(doomed)

    def close(self) -> None:
        with self.lock:
            everything = self.idle + list(self.busy)
            self.idle, self.busy = [], {}
        for s in everything:
            s.kill()


POOL = _Pool()


def run_sandboxed(cell: Cell, spec: SandboxSpec, token: str = "",
                  raw: bool = False) -> CellResult | bytes:
    """Run one cell in a sandbox of this process (started on first use, then reused).

    `raw`: a finished cell's result stays the bytes its process sent (the Dask task returns them
    as they are, so only the driver unpickles them; `bench.execute.worker.result_of`)."""
    for _ in range(3):
        sandbox = POOL.acquire(spec, token)
        try:
            out = sandbox.run(cell)
            return out if raw else result_of(out)
        except _Gone:
            continue
        finally:
            POOL.release(sandbox)
    raise SandboxStartError("cell processes on this worker die as soon as they are ready")


def _oom_result(cell: Cell, info: dict[str, float]) -> CellResult:
    try:
        from bench.execute.local import oom_result  # the local engine's words for it
    except ImportError:
        from bench.protocol import failure_result

        return failure_result(cell, OOM, f"memory limit exceeded: {info['peak_mb']:.0f} MB "
                                         f"over the limit of {info['limit_mb']:.0f} MB")
    return oom_result(cell, info)


def _watch_parent(parent_pid: int) -> None:
    """Kill this sandbox's process group when its parent (the Dask worker) is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def child_main(fd: int) -> None:
    """Entry point of the child process: settings from the parent, then the local worker loop."""
    from bench.execute.worker import worker_main

    conn = Connection(fd)
    _watch_parent(os.getppid())
    try:
        threads, device, options, extra = conn.recv()
    except (EOFError, OSError):
        return
    accepted = inspect.signature(worker_main).parameters  # the settings this worker knows
    worker_main(conn, threads, device, options, **{k: v for k, v in extra.items() if k in accepted})
