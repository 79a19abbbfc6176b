"""The writer lock with real processes: a second writer is refused at once naming the holder,
readers never need it, a killed holder never blocks, two `bench run` never double the rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_cells import PROV, make_cell, ok_result

from bench.core.errors import StoreError
from bench.store import Store
from tests_helpers import bench_cmd, plugin_env, suite_toml, write_suite

HOLDER = """
import sys, time
from bench.store import Store
s = Store(sys.argv[1]); s.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold(path: Path, seconds: float = 60) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_refused_naming_the_holder_and_readers_go_on(tmp_path: Path) -> None:
    from bench.commands.rescore import rescore

    store = Store(tmp_path)
    store.write(ok_result(make_cell(0), 0.5), PROV)
    store.compact()
    proc = hold(tmp_path)
    try:
        for write in (store.acquire, store.compact, store.clear,
                      lambda: store.write(ok_result(make_cell(1), 0.5), PROV),
                      lambda: rescore(tmp_path, ["mcc"])):
            with pytest.raises(StoreError, match=f"is in use by pid {proc.pid} on .*wait for"):
                write()
        assert len(store.read("cells")) == 1 and store.finished_ids() == {make_cell(0).cell_id}
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_holder_never_blocks_and_waiting_works(tmp_path: Path) -> None:
    proc = hold(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = Store(tmp_path)
    with store.locked():  # the kernel dropped the dead process's lock
        store.write(ok_result(make_cell(0), 0.5), PROV)
    store.compact()
    proc = hold(tmp_path, seconds=1.0)
    t0 = time.monotonic()
    store.acquire(wait_s=30)  # returns once the holder exits
    store.release()
    assert time.monotonic() - t0 < 20
    proc.wait()


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    a, b = Store(tmp_path), Store(tmp_path)
    with a.locked():
        b.write(ok_result(make_cell(0), 0.5), PROV)  # another Store object, same process
        b.compact()
    assert len(a.read("cells")) == 1


SUITE = suite_toml("locked", ["wine"], [{"name": "faulty", "mode": "sleep", "seconds": 1.5}],
                   validation=0.0, timeout_s=None, samplers=None, ratios=None)


@pytest.mark.slow
def test_two_runs_on_one_store_second_refused_rows_not_doubled(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, SUITE)
    store = tmp_path / "store"
    env = plugin_env("faulty_plugins", COLUMNS="200")
    cmd = bench_cmd("run", str(suite), "--results", str(store), "--workers", "1",
                    "--no-leaderboard")
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (store / ".lock").exists() or not (store / ".lock").read_text():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    waiting = subprocess.Popen([*cmd, "--wait", "120"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert f"is in use by pid {first.pid}" in second.stderr and "--wait SECONDS" in second.stderr
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "3 already finished" in out + err and "0 to run" in out + err  # ran after the first
    cells = Store(store).read("cells")
    assert len(cells) == 3 and cells["cell_id"].is_unique and (cells["status"] == "ok").all()


def test_a_negative_wait_is_refused_before_anything(tiny_suite: Path, tmp_path: Path) -> None:
    from bench.commands.run import run_suite
    from bench.core.errors import CommandError

    with pytest.raises(CommandError, match="--wait -1: allowed: 0"):
        run_suite(tiny_suite, tmp_path / "s", wait_s=-1)
    assert not (tmp_path / "s").exists()
