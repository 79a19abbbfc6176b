"""End to end through the real CLI: run, resume, SIGKILL mid-way, leaderboard, validate, list."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from bench.store import Store
from tests_helpers import bench_cmd, plugin_env, suite_toml, write_suite


def bench(*args: str, env: dict | None = None, timeout: float = 300,
          cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(bench_cmd(*args), capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "200", **(env or {})},
                          cwd=cwd)


@pytest.mark.slow
def test_run_then_resume_fits_nothing(tiny_suite: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = bench("run", str(tiny_suite), "--results", str(store), "--workers", "2")
    assert first.returncode == 0, first.stderr
    assert "ok 24" in first.stderr
    assert "Summary" in first.stdout and "logistic" in first.stdout  # run ends with the summary
    cells = pd.read_parquet(store / "cells")
    assert len(cells) == 24 and (cells["status"] == "ok").all()
    for table in ("per_class", "confusion"):
        assert set(pd.read_parquet(store / table)["cell_id"]) == set(cells["cell_id"])
    second = bench("run", str(tiny_suite), "--results", str(store), "--no-leaderboard")
    assert second.returncode == 0
    assert "24 already finished" in second.stderr and "0 to run" in second.stderr
    again = pd.read_parquet(store / "cells").set_index("cell_id")
    assert again["utc"].equals(cells.set_index("cell_id")["utc"])  # nothing rewritten
    board = bench("leaderboard", str(store), "--metric", "balanced_accuracy", "--by", "ratio")
    assert board.returncode == 0 and "balanced_accuracy" in board.stdout


SLOW_SUITE = suite_toml("slow", ["wine"], [{"name": "faulty", "mode": "sleep", "seconds": 0.8}],
                        validation=0.0, timeout_s=None, samplers=None, ratios=None, repeats=3)


@pytest.mark.slow
def test_sigkill_mid_run_loses_and_recomputes_nothing(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, SLOW_SUITE)
    store = tmp_path / "store"
    env = plugin_env("faulty_plugins", COLUMNS="200")
    proc = subprocess.Popen(bench_cmd("run", str(suite), "--results", str(store), "--workers", "1"),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(Store(store).read("cells")) >= 3:  # finished cells in the journal
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = Store(store).read("cells")  # the killed run never compacted: read its journal
    n_before = len(before)
    assert 3 <= n_before < 9
    rerun = bench("run", str(suite), "--results", str(store), "--workers", "1",
                  "--no-leaderboard", env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{n_before} already finished" in rerun.stderr
    assert f"{9 - n_before} to run" in rerun.stderr
    after = pd.read_parquet(store / "cells").set_index("cell_id")
    assert len(after) == 9 and (after["status"] == "ok").all()
    kept = before.set_index("cell_id")["utc"]
    assert after.loc[kept.index, "utc"].equals(kept)  # finished cells were not recomputed


def test_validate_prints_the_grid_without_running(tiny_suite: Path) -> None:
    out = bench("validate", str(tiny_suite))
    assert out.returncode == 0
    assert "24 cells to run" in out.stdout
    assert "models          (2) dummy, logistic" in out.stdout


def test_a_bad_suite_fails_before_running(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "b"\n[[datasets]]\nname = "wine"\n[[models]]\nname = "xgbost"\n')
    out = bench("run", str(bad), "--results", str(tmp_path / "s"))
    assert out.returncode == 2
    assert "models[0].name: unknown model 'xgbost'" in out.stderr
    assert not (tmp_path / "s").exists()


def test_list_models_shows_families() -> None:
    out = bench("list", "models")
    assert out.returncode == 0
    assert "lightgbm" in out.stdout and "(boosting)" in out.stdout and "(dnn)" in out.stdout


@pytest.mark.parametrize("args,message", [
    (["--workers", "-1"], "--workers -1: allowed: 0 (in-process, no isolation) or a positive"),
    (["--timeout", "0"], "--timeout 0: allowed: a positive number of seconds"),
    (["--timeout", "-5"], "--timeout -5: allowed: a positive number of seconds"),
    (["--threads", "0"], "--threads 0: allowed: a positive number of threads per cell"),
    (["--device", "gpu"], "--device 'gpu': allowed: cpu, cuda, cuda:N"),
])
def test_bad_run_options_fail_at_once(tiny_suite: Path, tmp_path: Path, args: list[str],
                                      message: str) -> None:
    store = tmp_path / "store"
    out = bench("run", str(tiny_suite), "--results", str(store), *args, timeout=60)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
    assert not store.exists()  # refused before anything ran or was written


def test_results_pointing_at_a_file_and_suites_that_are_not_files(tiny_suite: Path,
                                                                    tmp_path: Path) -> None:
    a_file = tmp_path / "store.txt"
    a_file.write_text("not a store")
    out = bench("run", str(tiny_suite), "--results", str(a_file), timeout=60)
    assert out.returncode == 2 and f"--results {a_file}: is a file" in out.stderr
    assert a_file.read_text() == "not a store"
    for suite, message in ((tmp_path, "is a directory; give a suite file"),
                           (tmp_path / "missing.toml", "file not found")):
        for verb in ("run", "validate"):
            out = bench(verb, str(suite), timeout=60)
            assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_a_suite_name_that_is_no_directory_name_needs_results(tmp_path: Path) -> None:
    suite = tmp_path / "s.toml"
    suite.write_text('name = "../escape"\n[[datasets]]\nname = "wine"\n[[models]]\nname = "dummy"\n')
    out = bench("run", str(suite), timeout=60, cwd=tmp_path)
    assert out.returncode == 2 and "suite name '../escape' cannot be a directory name" in out.stderr
    assert not (tmp_path / "escape").exists() and not (tmp_path / "results").exists()
