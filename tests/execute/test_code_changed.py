"""bench upgraded or edited under a running run: the run stops with one message, keeps its cells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bench
from bench.store import Store

pytestmark = pytest.mark.slow  # two real runs with worker processes

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
SUITE = """
name = "changed"
holdout = 0.25
repeats = 1
timeout_s = 120
samplers = ["none"]

[[datasets]]
name = "wine"

[[models]]
name = "faulty"
mode = "ok"

[[models]]
name = "faulty"
mode = "sleep"
seconds = 6

[[models]]
name = "faulty"
mode = "exit"

[[models]]
name = "faulty"
mode = "sleep"
seconds = 0.1
"""


def run(copy: Path, suite: Path, store: Path) -> subprocess.Popen:
    # `python -m` from the copy's directory imports the copy's bench (workers inherit sys.path)
    env = {**os.environ, "BENCH_PLUGINS": "faulty_plugins", "PYTHONPATH": str(PLUGINS)}
    return subprocess.Popen([sys.executable, "-m", "bench", "run", str(suite), "--results",
                             str(store), "--workers", "1", "--no-summary"], cwd=copy, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_worker_with_other_code_stops_the_run_and_the_same_command_goes_on(tmp_path: Path) -> None:
    copy = tmp_path / "install"
    shutil.copytree(Path(bench.__file__).resolve().parent, copy / "bench",
                    ignore=shutil.ignore_patterns("__pycache__"))
    suite, store = tmp_path / "suite.toml", tmp_path / "store"
    suite.write_text(SUITE)
    proc = run(copy, suite, store)
    log = store / "run.log"
    deadline = time.monotonic() + 120
    while not (log.exists() and "status=ok" in log.read_text()):  # the first worker is running
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    # an upgrade lands while the 6-second cell runs; the next cell kills its worker, and the
    # replacement imports the new code
    with (copy / "bench" / "core" / "vocab.py").open("a") as f:
        f.write("\n# a new release\n")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "bench's code changed while this run was going" in err, err
    assert "Traceback" not in err and "Traceback" not in out, err
    rows = Store(store).read("cells")
    kept = sorted(zip(rows["status"], rows["model"]))
    assert [s for s, _ in kept] == ["crashed", "ok", "ok"]  # finished before the change: kept

    proc = run(copy, suite, store)  # the same command, with the new code: goes on
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    rows = Store(store).read("cells")
    assert len(rows) == 4 and sorted(rows["status"]) == ["crashed", "ok", "ok", "ok"]
