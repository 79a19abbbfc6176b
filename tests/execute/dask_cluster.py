"""A real Dask cluster for the tests: a `dask scheduler` and `dask worker` processes on
127.0.0.1 (random free port, one thread each, nanny-restarted), killed at the end; and the cells
and plugin settings the Dask tests share."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.core.cell import Cell, Component
from tests_helpers import plugin_env as _plugin_env, suite_toml
START_S = 120.0  # a scheduler and two workers on a loaded machine

SUITE = suite_toml("dask_tiny", ["wine"], ["dummy", "logistic"], folds=2, validation=None,
                   timeout_s=120, samplers=("none",), ratios=None)


def _dask_cli() -> str:
    beside = Path(sys.executable).with_name("dask")
    return str(beside) if beside.exists() else (shutil.which("dask") or "dask")


@contextmanager
def dask_cluster(home: Path, workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler with `workers` single-threaded workers (nanny-restarted) on 127.0.0.1:
    (address, [scheduler process, worker processes]); all killed on exit."""
    from distributed import Client

    env = _plugin_env(None,
                      # as docs/scale-out.md says: the driver counts the attempts (--retries)
                      DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0",
                      DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="2.0")
    procs: list[subprocess.Popen] = []
    log = (home / "cluster.log").open("w")

    def start(*args: str) -> None:
        procs.append(subprocess.Popen([_dask_cli(), *args], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True,
                                      cwd=home))

    try:
        file = home / "scheduler.json"
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(file))
        deadline = time.monotonic() + START_S
        while not file.exists() or not file.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            assert procs[0].poll() is None, (home / "cluster.log").read_text()
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        for i in range(workers):
            start("worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                  "--no-dashboard", "--name", f"w{i + 1}")
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=START_S)
        yield address, procs
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a scheduler with two single-threaded workers, for the whole module."""
    with dask_cluster(tmp_path_factory.mktemp("dask")) as (address, _):
        yield address


def two_workers(address: str) -> None:
    """Wait until both workers are up again (a killed one is restarted by its nanny)."""
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=START_S)


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    # the driver forwards BENCH_PLUGINS; the workers import the modules from their PYTHONPATH
    monkeypatch.setenv("BENCH_PLUGINS", "dask_plugins,faulty_plugins,hazard_plugins")


def marking(mode: str, seconds: float, marker: Path, fold: int = 0) -> Cell:
    return Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("marking", {"mode": mode, "seconds": seconds,
                                               "marker": str(marker)}), fold=fold)


def logistic(fold: int) -> Cell:
    return Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("logistic"), fold=fold)


def attempts(marker: Path) -> list[int]:
    """The Dask worker pid of each attempt, in order."""
    marks = sorted(marker.iterdir(), key=lambda p: int(p.name.split("-")[1]))
    return [int(p.name.split("-")[0]) for p in marks]


def plugin_env() -> dict[str, str]:
    """The environment of a `bench` subprocess that names the test plugins."""
    return _plugin_env("dask_plugins", COLUMNS="200")


MARKING = """
[[models]]
name = "marking"
mode = "sleep"
seconds = 200
marker = "{marker}"
"""
HANGING = """
name = "hanging"
folds = 2
timeout_s = 300
samplers = ["none"]

[[datasets]]
name = "wine"
""" + MARKING


def session_processes(sid: int) -> list[int]:
    import psutil

    out = []
    for p in psutil.process_iter():
        try:
            if os.getsid(p.pid) == sid:
                out.append(p.pid)
        except (ProcessLookupError, PermissionError, psutil.Error):
            pass
    return out

