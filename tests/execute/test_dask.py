"""The Dask executor on a real cluster (`dask_cluster.py`: a scheduler and two workers on
127.0.0.1, started here and killed at the end).

What a user relies on: the same cells and metrics as the local engine; a worker that dies
mid-cell costs the run nothing (the cell is retried and stored ok); a cell that kills its worker
every time is stored `crashed` after the retries, while the other cells go on; a hung cell is a
`timeout`, a segfault a `crashed` row and a cell over the memory cap `oom`, as locally.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from dask_cluster import plugins, scheduler  # noqa: F401 (fixtures)
from dask_cluster import START_S, SUITE, attempts, logistic, marking, two_workers

from bench.commands.run import run_suite
from bench.core.cell import Cell, Component
from bench.core.vocab import CRASHED, OK, OOM, TIMEOUT
from bench.execute import execute
from bench.execute.dask import DaskExecutor
from bench.metrics import metric_names
from bench.store import Store
from bench.store.schema import IDENTITY

pytestmark = pytest.mark.slow  # real scheduler, workers and fits (make test-fast skips them)


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
    killer = marking("kill_worker", 1.0, marker)
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
    killer = marking("kill_worker", 1.0, marker)
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
