"""Cell sandboxes (the Dask workers' cell processes), without Dask: same results as in-process,
a hung cell is killed at its timeout with its process group, idle sandboxes are given back."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import bench.execute.sandbox as sandbox
from bench.core.cell import Cell, Component
from bench.core.vocab import OK, TIMEOUT
from bench.execute.worker import result_of
from bench.protocol import run_cell_safely

pytestmark = pytest.mark.slow  # starts real cell processes (library imports: seconds each)

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"


@pytest.fixture(autouse=True)
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PLUGINS))  # the sandbox imports the plugin module


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_same_result_as_in_process_and_reused() -> None:
    pool = sandbox._Pool()
    cells = [Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                  model=Component.of("logistic"), fold=f) for f in range(2)]
    spec = sandbox.SandboxSpec(timeout_s=120)
    pids = []
    try:
        for cell in cells:
            box = pool.acquire(spec, "run")
            raw = box.run(cell)
            assert isinstance(raw, bytes)  # unpickled once, by whoever needs the tables
            result = result_of(raw)
            pids.append(box.proc.pid)
            pool.release(box)
            here = run_cell_safely(cell)
            assert result.row["status"] == OK
            assert result.row["macro_f1"] == here.row["macro_f1"]
            assert result.row["log_loss"] == here.row["log_loss"]
        assert pids[0] == pids[1]  # one process served both cells (imports paid once)
    finally:
        pool.close()


def test_timeout_kills_the_cell_process() -> None:
    pool = sandbox._Pool()
    spec = sandbox.SandboxSpec(timeout_s=3, plugins="faulty_plugins")
    hang = Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("faulty", {"mode": "hang", "seconds": 120}))
    box = pool.acquire(spec, "run")
    try:
        t0 = time.monotonic()
        result = box.run(hang)
        assert time.monotonic() - t0 < 60
        assert result.row["status"] == TIMEOUT
        assert result.row["error"] == "exceeded the 3 s timeout; worker killed"
        assert not alive(box.proc.pid)
        pool.release(box)
        assert pool.idle == []  # a killed sandbox is not reused
    finally:
        pool.close()


def test_idle_sandboxes_are_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "IDLE_S", 1.0)
    pool = sandbox._Pool()
    spec = sandbox.SandboxSpec(timeout_s=120)
    box = pool.acquire(spec, "run")
    try:
        box.run(Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                     model=Component.of("dummy")))
        pool.release(box)
        assert pool.idle == [box] and box.alive()
        deadline = time.monotonic() + 30
        while box.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not box.alive() and pool.idle == []
    finally:
        pool.close()
