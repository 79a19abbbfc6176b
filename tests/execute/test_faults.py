"""Fault injection on the local engine, with real worker processes and test plugins.

A cell that segfaults, kills itself, exits or passes the memory cap is a row naming what
happened; other cells go on. A driver killed with SIGKILL leaves no process behind (workers,
their reapers, processes the cell started); SIGTERM and Ctrl-C stop the run, keep every finished
cell and exit 143 / 130 without tracebacks. A cell's timeout holds even when no driver acts on it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests_helpers import as_typed_in_a_terminal

from bench.core.cell import Cell, Component
from bench.execute.local import run_cells
from bench.execute.worker import grace_s, worker_main
from bench.store import Store

pytestmark = pytest.mark.slow  # real worker processes (a few seconds each to start)

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
ENV = {"BENCH_PLUGINS": "hazard_plugins,faulty_plugins", "PYTHONPATH": str(PLUGINS)}


@pytest.fixture(autouse=True)
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS))
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


def hazard(mode: str, fold: int = 0, **params: object) -> Cell:
    return Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("hazard", {"mode": mode, **params}), fold=fold)


def alive(pid: int) -> bool:
    """Whether `pid` is a live (not zombie) process."""
    try:
        import psutil
    except ImportError:
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def descendants(pid: int) -> list[int]:
    try:
        import psutil
    except ImportError:
        from bench.protocol.memory import child_pids

        return child_pids(pid)
    return [p.pid for p in psutil.Process(pid).children(recursive=True)]


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    """The pids still alive after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


def test_native_crashes_and_the_memory_cap_become_rows(tmp_path: Path) -> None:
    cells = [hazard("ok"), hazard("nullptr"), hazard("sigkill"),
             hazard("alloc", mb=1200, seconds=2.0), hazard("alloc", mb=32), hazard("ok", fold=1)]
    store = Store(tmp_path / "s")
    limit = 700 * 2**20  # a worker with the libraries loaded holds ~250 MB
    summary = run_cells(cells, store, workers=2, timeout_s=30, memory_limit=limit)
    rows = store.read("cells").set_index("cell_id")
    row = {i: rows.loc[c.cell_id] for i, c in enumerate(cells)}
    assert [row[i]["status"] for i in range(len(cells))] == \
        ["ok", "crashed", "crashed", "oom", "ok", "ok"]
    assert row[1]["error"] == "worker killed by SIGSEGV (signal 11)"
    # SIGKILL from outside with no OOM-kill recorded by the kernel: not called `oom`
    assert row[2]["error"] == "worker killed by SIGKILL (signal 9)"
    assert "memory limit exceeded" in row[3]["error"] and "700 MB" in row[3]["error"]
    assert 700 <= row[3]["peak_mb"] < 700 + 200  # sampled: overshoot of a few 16 MB steps
    assert row[4]["peak_mb"] < 700  # a cell under the cap is untouched
    assert summary.done == len(cells)


def test_exit_code_is_named(tmp_path: Path) -> None:
    cell = Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("faulty", {"mode": "exit"}))
    store = Store(tmp_path / "s")
    run_cells([cell], store, workers=1, timeout_s=30)
    row = store.read("cells").iloc[0]
    assert (row["status"], row["error"]) == ("crashed", "worker exited with code 3")


def test_timeout_holds_when_no_driver_acts() -> None:
    """The worker's own watchdog ends a hung cell (and its group) past timeout + grace."""
    ctx = mp.get_context("spawn")
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=worker_main, args=(theirs, 1, "cpu", None, 1.0, None, os.getpid()),
                       daemon=True)
    proc.start()
    theirs.close()
    assert ours.poll(120), "the worker did not start"
    assert ours.recv()[0] == "ready"
    ours.send(hazard("ok", seconds=60))  # hangs; this "driver" never kills it
    t0 = time.monotonic()
    proc.join(timeout=30)
    elapsed = time.monotonic() - t0
    assert proc.exitcode == -signal.SIGKILL
    assert 1.0 <= elapsed < 1.0 + grace_s(1.0) + 5


SUITE = """
name = "hazards"
holdout = 0.3
validation = 0.0
timeout_s = 60
[[datasets]]
name = "wine"
[[models]]
name = "hazard"
mode = "spawn_hang"
seconds = 120
pid_file = {pid_file}
[[models]]
name = "hazard"
mode = "ok"
[[models]]
name = "hazard"
mode = "ok"
seconds = 0.01
[[models]]
name = "hazard"
mode = "ok"
seconds = 0.02
"""


def bench_run(suite: Path, store: Path, workers: int) -> subprocess.Popen:
    """`bench run` as a user starts it from a terminal, in its own session (signals go to it)."""
    return subprocess.Popen([sys.executable, "-m", "bench", "run", str(suite), "--results",
                             str(store), "--workers", str(workers), "--no-summary"],
                            env={**os.environ, **ENV}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=as_typed_in_a_terminal)


def start_run(tmp_path: Path) -> tuple[subprocess.Popen, Path, list[int]]:
    """`bench run` of 3 quick cells and one that hangs with a child process, until the quick
    ones are finished and the hung one runs; returns the driver, the store, and every process
    below the driver (workers, reapers, the cell's child)."""
    pid_file = tmp_path / "pids"
    suite = tmp_path / "hazards.toml"
    suite.write_text(SUITE.format(pid_file=f'"{pid_file.as_posix()}"'))
    store = tmp_path / "store"
    proc = bench_run(suite, store, workers=2)
    deadline = time.monotonic() + 120
    log = store / "run.log"
    while time.monotonic() < deadline:
        done = log.read_text().count("status=ok") if log.exists() else 0
        if done >= 3 and pid_file.exists():
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the run did not reach its hung cell in time")
    worker, child = (int(p) for p in pid_file.read_text().split())
    pids = descendants(proc.pid)
    assert worker in pids and child in pids
    return proc, store, pids


def test_sigkill_of_the_driver_leaves_no_process(tmp_path: Path) -> None:
    proc, store, pids = start_run(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert wait_gone(pids) == []
    rows = Store(store).read("cells")
    assert (rows["status"] == "ok").sum() == 3  # what finished was kept


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_stop_keep_and_exit_nonzero(tmp_path: Path, sig: int,
                                                        code: int) -> None:
    proc, store, pids = start_run(tmp_path)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # a terminal's Ctrl-C reaches the whole foreground group
    else:
        proc.send_signal(sig)  # a process manager signals the driver only
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert f"stopped by signal {int(sig)}, finished cells kept" in err
    assert wait_gone(pids) == []
    rows = Store(store).read("cells")
    assert (rows["status"] == "ok").sum() == 3 and len(rows) == 3  # the hung cell: not recorded
    last = (store / "run.log").read_text().splitlines()[-1]
    assert " end " in last and "interrupted=True" in last and f"signal={int(sig)}" in last


def test_a_stop_before_any_cell_ends_says_none_finished(tmp_path: Path) -> None:
    """Stopped while its only cell hangs, the run says 0 of 1 cells finished, not "nothing to
    run" (which a user reads as: the store was already complete)."""
    pid_file = tmp_path / "pids"
    suite = tmp_path / "hang.toml"
    only_hang = SUITE.split('[[models]]\nname = "hazard"\nmode = "ok"')[0]
    suite.write_text(only_hang.format(pid_file=f'"{pid_file.as_posix()}"'))
    proc = bench_run(suite, tmp_path / "store", workers=1)
    deadline = time.monotonic() + 120
    while not pid_file.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "0 of 1 cells finished; stopped by signal 15, finished cells kept" in out + err
    assert "nothing to run" not in out + err
