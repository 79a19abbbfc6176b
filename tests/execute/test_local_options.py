"""`--memory-limit` and the suite key through `bench run` / `run_suite`: checked before anything
runs, the option overriding the suite, both reaching the workers; the run's log in the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.commands.run import run_suite
from bench.store import Store

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"

SUITE = """
name = "capped"
holdout = 0.3
validation = 0.0
memory_limit = "600MB"
[[datasets]]
name = "wine"
[[models]]
name = "hazard"
mode = "alloc"
mb = 800
"""


def test_a_bad_memory_limit_is_refused_before_anything_runs(tmp_path: Path) -> None:
    suite = tmp_path / "capped.toml"
    suite.write_text(SUITE)
    out = subprocess.run([sys.executable, "-m", "bench", "run", str(suite), "--results",
                          str(tmp_path / "store"), "--memory-limit", "4 parsecs"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COLUMNS": "200", "BENCH_PLUGINS": "hazard_plugins",
                              "PYTHONPATH": str(PLUGINS)})
    assert out.returncode == 2
    assert "error: --memory-limit '4 parsecs': allowed: a size such as 512MB, 4GB, 1.5GiB" \
        in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "store").exists()


@pytest.mark.slow
def test_the_option_overrides_the_suite_key(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.setenv("BENCH_PLUGINS", "hazard_plugins")
    monkeypatch.setenv("PYTHONPATH", str(PLUGINS))
    suite = tmp_path / "capped.toml"
    suite.write_text(SUITE)
    store = tmp_path / "store"
    _, capped = run_suite(suite, store, workers=1)
    row = Store(store).read("cells").iloc[0]
    assert dict(capped.statuses) == {"oom": 1} and row["peak_mb"] >= 600 * 10**6 / 2**20
    _, freed = run_suite(suite, store, workers=1, memory_limit="2GB")
    assert dict(freed.statuses) == {"ok": 1}
    log = (store / "run.log").read_text().splitlines()
    assert [line.split()[1] for line in log] == ["start", "cell", "end"] * 2
    assert "memory_limit=600000000" in log[0] and "memory_limit=2000000000" in log[3]
    assert "status=oom" in log[1] and "status=ok" in log[4]
