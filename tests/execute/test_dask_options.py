"""Engine options are refused before anything runs: one clear message, no store, no hang.

Fast (no cluster): unknown engine, a scheduler without dask, malformed addresses, an address
where nothing listens, one where something that is not Dask listens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.commands.baseline import update_baseline
from bench.commands.run import run_suite
from bench.core.errors import CommandError
from bench.execute.dask import parse_scheduler


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says anything (like a stray proxy)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        yield server.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on exit: nothing listens there any more


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"executor": "ray"}, ["--executor 'ray'", "allowed: local, dask"]),
    ({"executor": "<script>"}, ["'<script>'", "allowed: local, dask"]),
    ({"scheduler": "tcp://127.0.0.1:8786"}, ["--scheduler", "only with --executor dask"]),
    ({"executor": "dask", "retries": -1}, ["--retries -1", "allowed: 0 or a positive"]),
    ({"executor": "dask", "workers": 0}, ["--workers 0", "--executor local"]),
    ({"executor": "dask", "workers": 2, "scheduler": "tcp://127.0.0.1:8786"},
     ["--workers 2 with --scheduler", "dask worker"]),
    ({"executor": "dask", "scheduler": "http://example.org"}, ["'http://example.org'",
                                                                "tcp://HOST:PORT"]),
    ({"executor": "dask", "scheduler": "tcp://host-without-port"}, ["tcp://HOST:PORT"]),
    ({"executor": "dask", "scheduler": "tcp://h:99999"}, ["tcp://HOST:PORT"]),
    ({"executor": "dask", "scheduler": "tcp://h:1/path"}, ["tcp://HOST:PORT"]),
])
def test_bad_engine_options_name_the_option(tiny_suite: Path, tmp_path: Path, kwargs: dict,
                                            words: list[str]) -> None:
    store = tmp_path / "store"
    with pytest.raises(CommandError) as err:
        run_suite(tiny_suite, store, **kwargs)
    for word in words:
        assert word in str(err.value)
    assert not store.exists()  # refused before the store was opened


def test_baseline_update_checks_the_engine_too(tiny_suite: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="allowed: local, dask"):
        update_baseline(tiny_suite, tmp_path / "baselines", executor="spark")
    assert not (tmp_path / "baselines").exists()


def test_nothing_listening_is_refused_in_seconds(tiny_suite: Path, tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{closed_port()}"
    t0 = time.monotonic()
    with pytest.raises(CommandError, match="cannot reach a Dask scheduler") as err:
        run_suite(tiny_suite, tmp_path / "store", executor="dask", scheduler=address)
    assert time.monotonic() - t0 < 10
    assert address in str(err.value) and "refused" in str(err.value).lower()
    assert not (tmp_path / "store").exists()


def test_a_silent_server_is_not_taken_for_a_scheduler(tiny_suite: Path, tmp_path: Path,
                                                      silent_port: int) -> None:
    t0 = time.monotonic()
    with pytest.raises(CommandError, match="not a Dask scheduler"):
        run_suite(tiny_suite, tmp_path / "store", executor="dask",
                  scheduler=f"tcp://127.0.0.1:{silent_port}")
    assert time.monotonic() - t0 < 10


def test_addresses_parse() -> None:
    assert parse_scheduler("tcp://10.0.0.5:8786") == ("tcp", "10.0.0.5", 8786)
    assert parse_scheduler("tls://sched.example.org:8786") == ("tls", "sched.example.org", 8786)
    assert parse_scheduler("127.0.0.1:8786") == ("tcp", "127.0.0.1", 8786)
    assert parse_scheduler("tcp://[::1]:8786") == ("tcp", "::1", 8786)


def test_cli_prints_the_error_once_without_traceback(tiny_suite: Path, tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{closed_port()}"
    for args, word in [(["--executor", "nope"], "allowed: local, dask"),
                       (["--executor", "dask", "--scheduler", address], "cannot reach")]:
        out = subprocess.run([sys.executable, "-m", "bench", "run", str(tiny_suite), "--results",
                              str(tmp_path / "s"), *args], capture_output=True, text=True,
                             timeout=60, env={**os.environ, "COLUMNS": "200"})
        assert out.returncode == 2
        assert out.stderr.count(word) == 1 and "Traceback" not in out.stderr + out.stdout


def test_a_task_carries_the_cell_not_its_data() -> None:
    """Datasets are loaded on the workers by reference: what is sent per cell is small,
    whatever the dataset's size."""
    import cloudpickle

    from bench.core.cell import Cell, Component
    from bench.execute.dask import DaskExecutor

    cell = Cell(dataset=Component.of("make-classification", {"n_samples": 1_000_000}),
                sampler=Component.of("none"), model=Component.of("logistic"))
    executor = DaskExecutor(workers=1)
    assert len(cloudpickle.dumps((cell, executor.spec, executor.token))) < 2_000
