"""Stopping a Dask run: Ctrl-C (embedded cluster or a scheduler) and a lost scheduler. The
run ends in seconds with its exit code and one message; no cell keeps running anywhere; what
finished is kept."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from dask_cluster import (
    HANGING,
    MARKING,
    START_S,
    SUITE,
    dask_cluster,
    plugin_env,
    scheduler,  # noqa: F401 (fixture)
    session_processes,
    two_workers,
)
from tests_helpers import as_typed_in_a_terminal, bench_cmd, write_suite

from bench.core.vocab import OK
from bench.store import Store

pytestmark = pytest.mark.slow  # real clusters and runs (make test-fast skips them)


def marked_suite(tmp_path: Path, text: str = HANGING) -> tuple[Path, Path]:
    """(the marker directory, the suite file): `text` with its `{marker}` set to the directory
    where each attempt of the `marking` model leaves a mark."""
    marker = tmp_path / "marks"
    marker.mkdir()
    return marker, write_suite(tmp_path, text.format(marker=marker))


def start_dask_run(suite: Path, results: Path, *options: str,
                   **popen: object) -> subprocess.Popen:
    """`bench run SUITE --executor dask OPTIONS` with the test plugins, output in one pipe."""
    return subprocess.Popen(bench_cmd("run", str(suite), "--executor", "dask", *options,
                                      "--results", str(results), "--no-leaderboard"),
                            env=plugin_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, preexec_fn=as_typed_in_a_terminal, **popen)


def wait_for_marks(marker: Path, proc: subprocess.Popen, n: int) -> None:
    """Until `n` attempts have started (each leaves a mark); fails if the run ends first."""
    deadline = time.monotonic() + START_S
    while len(list(marker.iterdir())) < n:
        assert time.monotonic() < deadline and proc.poll() is None, proc.stdout.read()
        time.sleep(0.1)


def test_ctrl_c_stops_the_embedded_cluster_and_its_cells(tmp_path: Path) -> None:
    """Ctrl-C mid-cell: the run stops (130), the finished cells are kept, and no worker or cell
    process of the embedded cluster is left behind."""
    marker, suite = marked_suite(tmp_path)
    proc = start_dask_run(suite, tmp_path / "s", "--workers", "2", start_new_session=True)
    try:
        wait_for_marks(marker, proc, 2)  # both cells are running on their workers
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
    marker, suite = marked_suite(tmp_path)
    proc = start_dask_run(suite, tmp_path / "s", "--scheduler", scheduler)
    try:
        wait_for_marks(marker, proc, 2)
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
    marker, suite = marked_suite(tmp_path, SUITE + MARKING)  # 4 quick cells, then 2 hanging
    with dask_cluster(tmp_path, workers=1) as (address, procs):
        proc = start_dask_run(suite, tmp_path / "s", "--scheduler", address)
        try:
            wait_for_marks(marker, proc, 1)  # the hanging cell holds the only worker
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
