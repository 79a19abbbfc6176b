"""The Dask executor on a real cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1, started here (random free port, one thread each) and killed at the end.

What a user relies on: the same cells and metrics as the local engine; a worker that dies
mid-cell costs the run nothing (the cell is retried and stored ok); a cell that kills its worker
every time is stored `crashed` after the retries, while the other cells go on; a hung cell is a
`timeout` and a segfault a `crashed` row, as locally.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from bench.commands.run import run_suite
from bench.core.cell import Cell, Component
from bench.core.vocab import CRASHED, OK, OOM, TIMEOUT
from bench.execute import execute
from bench.execute.dask import DaskExecutor
from bench.metrics import metric_names
from bench.store import Store
from bench.store.schema import IDENTITY

pytestmark = pytest.mark.slow  # real scheduler, workers and fits (make test-fast skips them)

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
START_S = 120.0  # a scheduler and two workers on a loaded machine

SUITE = """
name = "dask_tiny"
folds = 2
timeout_s = 120
samplers = ["none"]

[[datasets]]
name = "wine"

[[models]]
name = "dummy"

[[models]]
name = "logistic"
"""


def _dask_cli() -> str:
    beside = Path(sys.executable).with_name("dask")
    return str(beside) if beside.exists() else (shutil.which("dask") or "dask")


@contextmanager
def dask_cluster(home: Path, workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler with `workers` single-threaded workers (nanny-restarted) on 127.0.0.1:
    (address, [scheduler process, worker processes]); all killed on exit."""
    from distributed import Client

    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(p for p in (str(PLUGINS), os.environ.get("PYTHONPATH"))
                                         if p),
           # as docs/scale-out.md says: the driver counts the attempts (--retries)
           "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "2.0"}
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


def comparable(store: Store) -> pd.DataFrame:
    """What must not depend on the engine: identity and every metric (not timings, host)."""
    cells = store.read("cells")
    cols = [c for c in IDENTITY + metric_names() + ["n_train", "n_test", "test_counts", "cell_json"]
            if c in cells.columns]
    return cells[cols].sort_values("cell_id").reset_index(drop=True)


def test_same_cells_and_metrics_as_local(scheduler: str, tmp_path: Path) -> None:
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE)
    stores = {}
    for name, kw in {"local": {"workers": 1},
                     "dask": {"executor": "dask", "scheduler": scheduler}}.items():
        rp, summary = run_suite(suite, tmp_path / name, **kw)
        assert summary.statuses == {OK: 4} and not summary.interrupted
        stores[name] = comparable(rp.store)
    assert len(stores["dask"]) == 4
    pd.testing.assert_frame_equal(stores["local"], stores["dask"], check_exact=True)


def test_embedded_cluster_same_metrics(tmp_path: Path) -> None:
    """No --scheduler: a local cluster of worker processes on 127.0.0.1, closed at the end."""
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE)
    rp_l, _ = run_suite(suite, tmp_path / "local", workers=1)
    rp_d, summary = run_suite(suite, tmp_path / "dask", executor="dask", workers=2)
    assert summary.statuses == {OK: 4}
    pd.testing.assert_frame_equal(comparable(rp_l.store), comparable(rp_d.store), check_exact=True)


def test_futures_in_flight_are_bounded(scheduler: str, tmp_path: Path) -> None:
    """A long suite is fed to the scheduler a window at a time, never all at once."""
    cells = [Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                  model=Component.of("dummy"), seed=s) for s in range(6)]
    executor = DaskExecutor(scheduler, max_in_flight=2)
    seen: list[int] = []
    summary = execute(cells, Store(tmp_path / "s"), executor,
                      lambda _: seen.append(len(executor._in_flight)))
    assert summary.statuses == {OK: 6}
    assert len(seen) == 6 and max(seen) <= 2  # (the one just finished is no longer counted)

def test_threads_per_cell_hold_on_the_workers(scheduler: str, plugins: None,
                                              tmp_path: Path) -> None:
    """--threads T reaches the cell's process: every native pool is sized T, whatever the
    Dask worker's own thread count."""
    for threads in (1, 3):
        marker = tmp_path / f"marks{threads}"
        marker.mkdir()
        execute([marking("sleep", 0.0, marker)], Store(tmp_path / f"s{threads}"),
                DaskExecutor(scheduler, threads=threads))
        (mark,) = marker.iterdir()
        pools = json.loads(mark.read_text())
        assert pools.pop("OMP_NUM_THREADS") == str(threads)
        assert pools["openmp"] == threads
        # OpenBLAS never uses more threads than cores
        assert pools["blas"] == min(threads, os.cpu_count() or 1)

def test_worker_killed_mid_cell_is_retried(scheduler: str, plugins: None, tmp_path: Path) -> None:
    two_workers(scheduler)
    marker = tmp_path / "marks"
    marker.mkdir()
    slow = marking("sleep", 2.0, marker)
    cells = [slow, logistic(1), logistic(2)]
    store = Store(tmp_path / "s")
    out: dict = {}
    run = threading.Thread(target=lambda: out.update(
        summary=execute(cells, store, DaskExecutor(scheduler, retries=1, timeout_s=120))))
    run.start()
    deadline = time.monotonic() + START_S
    while not any(marker.iterdir()):  # the slow cell has started on some worker: kill it
        assert time.monotonic() < deadline and run.is_alive(), "the slow cell never started"
        time.sleep(0.05)
    victim = attempts(marker)[0]
    os.kill(victim, signal.SIGKILL)
    run.join(timeout=START_S)
    assert not run.is_alive(), "the run did not finish after a worker died"
    rows = store.read("cells").set_index("cell_id")
    assert (rows.loc[[c.cell_id for c in cells], "status"] == OK).all()
    assert len(rows) == 3  # one row per cell: the first attempt left nothing behind
    tries = attempts(marker)
    assert len(tries) == 2 and tries[0] == victim and tries[1] != victim
    assert out["summary"].statuses == {OK: 3}


def test_cell_that_kills_its_worker_every_time_is_crashed(scheduler: str, plugins: None,
                                                          tmp_path: Path) -> None:
    two_workers(scheduler)
    marker = tmp_path / "marks"
    marker.mkdir()
    killer = marking("kill_worker", 0.0, marker)
    hang = Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("faulty", {"mode": "hang", "seconds": 120}))
    segfault = Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                    model=Component.of("faulty", {"mode": "segfault"}))
    cells = [killer, hang, segfault, logistic(1)]
    store = Store(tmp_path / "s")
    t0 = time.monotonic()
    summary = execute(cells, store, DaskExecutor(scheduler, retries=2, timeout_s=8))
    rows = store.read("cells").set_index("cell_id")
    assert len(rows) == 4
    assert rows.loc[killer.cell_id, "status"] == CRASHED
    assert "died on each of 3 attempt(s)" in rows.loc[killer.cell_id, "error"]
    assert len(attempts(marker)) == 3  # the first try and --retries 2
    assert rows.loc[hang.cell_id, "status"] == TIMEOUT
    assert "8 s timeout" in rows.loc[hang.cell_id, "error"]
    # its own process died, not the worker: no retry, the local engine's words
    assert rows.loc[segfault.cell_id, "status"] == CRASHED
    assert rows.loc[segfault.cell_id, "error"] == "worker killed by SIGSEGV (signal 11)"
    assert rows.loc[logistic(1).cell_id, "status"] == OK
    assert summary.statuses == {OK: 1, CRASHED: 2, TIMEOUT: 1}
    assert time.monotonic() - t0 < 100  # the hung cell did not hold its worker for 120 s



def test_cells_queued_on_a_dying_worker_lose_no_attempt(scheduler: str, plugins: None,
                                                        tmp_path: Path) -> None:
    """Each worker holds a running cell and a waiting one; the waiting ones behind a cell that
    kills its worker are sent again for free: with --retries 0 they all end ok."""
    two_workers(scheduler)
    marker = tmp_path / "marks"
    marker.mkdir()
    killer = marking("kill_worker", 0.0, marker)
    (tmp_path / "others").mkdir()
    others = [logistic(f) for f in range(3)] + [marking("sleep", 1.0, tmp_path / "others", fold=f)
                                                for f in range(3)]
    store = Store(tmp_path / "s")
    summary = execute([killer, *others], store, DaskExecutor(scheduler, retries=0))
    rows = store.read("cells").set_index("cell_id")
    assert rows.loc[killer.cell_id, "status"] == CRASHED
    assert "died on each of 1 attempt(s)" in rows.loc[killer.cell_id, "error"]
    assert (rows.loc[[c.cell_id for c in others], "status"] == OK).all()
    assert summary.statuses == {OK: 6, CRASHED: 1}

def test_memory_cap_holds_on_the_workers(scheduler: str, plugins: None, tmp_path: Path) -> None:
    def hazard(mb: int, fold: int = 0) -> Cell:
        return Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                    model=Component.of("hazard", {"mode": "alloc", "mb": mb, "seconds": 2.0}),
                    fold=fold)

    two_workers(scheduler)
    big, small = hazard(1200), hazard(32, fold=1)
    store = Store(tmp_path / "s")
    limit = 700 * 2**20  # a cell process with the libraries loaded holds ~250 MB
    execute([big, small], store, DaskExecutor(scheduler, timeout_s=60, memory_limit=limit))
    rows = store.read("cells").set_index("cell_id")
    assert rows.loc[big.cell_id, "status"] == OOM
    assert "memory limit exceeded" in rows.loc[big.cell_id, "error"]
    assert 700 <= rows.loc[big.cell_id, "peak_mb"] < 900
    assert rows.loc[small.cell_id, "status"] == OK

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


def test_ctrl_c_stops_the_embedded_cluster_and_its_cells(tmp_path: Path) -> None:
    """Ctrl-C mid-cell: the run stops (130), the finished cells are kept, and no worker or cell
    process of the embedded cluster is left behind."""
    marker = tmp_path / "marks"
    marker.mkdir()
    suite = tmp_path / "hanging.toml"
    suite.write_text(HANGING.format(marker=marker))
    env = {**os.environ, "BENCH_PLUGINS": "dask_plugins", "COLUMNS": "200",
           "PYTHONPATH": os.pathsep.join(p for p in (str(PLUGINS), os.environ.get("PYTHONPATH"))
                                         if p)}
    proc = subprocess.Popen([sys.executable, "-m", "bench", "run", str(suite), "--executor",
                             "dask", "--workers", "2", "--results", str(tmp_path / "s"),
                             "--no-leaderboard"], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + START_S
        while len(list(marker.iterdir())) < 2:  # both cells are running on their workers
            assert time.monotonic() < deadline and proc.poll() is None, proc.stdout.read()
            time.sleep(0.1)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 130, out
        assert time.monotonic() - t0 < 30
        assert "Traceback" not in out
        deadline = time.monotonic() + 10
        while session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session_processes(proc.pid) == []
    finally:
        for pid in session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ctrl_c_kills_the_runs_cells_on_a_scheduler(scheduler: str, tmp_path: Path) -> None:
    """The workers outlive the driver, its cells do not: Ctrl-C kills them on the workers."""
    import psutil

    two_workers(scheduler)
    marker = tmp_path / "marks"
    marker.mkdir()
    suite = tmp_path / "hanging.toml"
    suite.write_text(HANGING.format(marker=marker))
    env = {**os.environ, "BENCH_PLUGINS": "dask_plugins", "COLUMNS": "200",
           "PYTHONPATH": os.pathsep.join(p for p in (str(PLUGINS), os.environ.get("PYTHONPATH"))
                                         if p)}
    proc = subprocess.Popen([sys.executable, "-m", "bench", "run", str(suite), "--executor",
                             "dask", "--scheduler", scheduler, "--results", str(tmp_path / "s"),
                             "--no-leaderboard"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + START_S
        while len(list(marker.iterdir())) < 2:
            assert time.monotonic() < deadline and proc.poll() is None, proc.stdout.read()
            time.sleep(0.1)
        cells = [int(p.name.split("-")[2]) for p in marker.iterdir()]
        assert all(psutil.pid_exists(pid) for pid in cells)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 130, out
        deadline = time.monotonic() + 10
        while any(psutil.pid_exists(pid) for pid in cells) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(psutil.pid_exists(pid) for pid in cells)
        two_workers(scheduler)  # the workers themselves live on
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_losing_the_scheduler_stops_the_run_with_one_message(tmp_path: Path) -> None:
    """The scheduler dies mid-run: the run ends in seconds with one message (exit 2), the
    finished cells are stored and a later run resumes from them."""
    marker = tmp_path / "marks"
    marker.mkdir()
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE + MARKING.format(marker=marker))  # 4 quick cells, then 2 hanging
    env = {**os.environ, "BENCH_PLUGINS": "dask_plugins", "COLUMNS": "200",
           "PYTHONPATH": os.pathsep.join(p for p in (str(PLUGINS), os.environ.get("PYTHONPATH"))
                                         if p)}
    with dask_cluster(tmp_path, workers=1) as (address, procs):
        proc = subprocess.Popen([sys.executable, "-m", "bench", "run", str(suite), "--executor",
                                 "dask", "--scheduler", address, "--results", str(tmp_path / "s"),
                                 "--no-leaderboard"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + START_S
            while not any(marker.iterdir()):  # the hanging cell holds the only worker
                assert time.monotonic() < deadline and proc.poll() is None, proc.stdout.read()
                time.sleep(0.1)
            os.killpg(procs[0].pid, signal.SIGKILL)
            t0 = time.monotonic()
            out, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert time.monotonic() - t0 < 60
    assert proc.returncode == 2, out
    assert out.count(f"lost the Dask scheduler at {address}: it stopped") == 1
    assert "Traceback" not in out
    rows = Store(tmp_path / "s").read("cells")
    # what finished before the loss is kept (the quick cells ran first), nothing else
    assert len(rows) >= 1 and set(rows["status"]) == {OK} and "marking" not in set(rows["model"])
