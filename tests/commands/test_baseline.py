"""`bench baseline update` and `bench compare` end to end on a tiny real suite (wine, 5 folds).

The `drifting` test plugin changes its code (not its suite parameters) through an environment
variable, exactly like a change to a model's defaults: same cell ids, different results.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bench.commands.compare import compare_stores
from bench.commands.baseline import BaselineError, swap_in, update_baseline
from bench.cli import app
from bench.commands.run import run_suite
from bench.store import TABLES
from tests_helpers import suite_toml

pytestmark = pytest.mark.slow  # end-to-end runs and fits (make test-fast skips them)

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
METRICS = ["macro_f1", "balanced_accuracy", "log_loss"]

SUITE = suite_toml("drift", ["wine"], ["dummy", "drifting"], folds=5, timeout_s=120,
                   samplers=("none",), ratios=(1,), metric="macro_f1")


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver registers the `drifting` plugin to validate the suite; other tests (the zoo's
    list of models) must not see it afterwards, so the registry is restored after each test."""
    import bench.core.plugins
    from bench.models.registry import MODELS

    monkeypatch.setattr(MODELS, "_entries", dict(MODELS._entries))
    monkeypatch.setattr(bench.core.plugins, "_loaded", set(bench.core.plugins._loaded) - {"drift_plugins"})
    monkeypatch.delitem(sys.modules, "drift_plugins", raising=False)  # re-registers on import


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.setenv("BENCH_PLUGINS", "drift_plugins")
    monkeypatch.setenv("PYTHONPATH", str(PLUGINS))  # spawned workers import the plugin too
    monkeypatch.delenv("BENCH_TEST_DRIFT", raising=False)
    path = tmp_path / "drift.toml"
    path.write_text(SUITE)
    return path


@pytest.fixture
def baseline(suite: Path, tmp_path: Path) -> Path:
    up = update_baseline(suite, tmp_path / "baselines", workers=0)
    assert up.path == tmp_path / "baselines" / "drift" and not up.replaced
    assert up.summary.statuses == {"ok": 10}
    return up.path


def current(suite: Path, path: Path, workers: int = 0) -> Path:
    _, summary = run_suite(suite, path, workers=workers, fresh=True)
    assert summary.done == 10
    return path


def test_update_writes_a_compacted_store_and_replaces_it_whole(suite: Path, baseline: Path) -> None:
    root = baseline.parent
    for table in TABLES:
        files = list((baseline / table).glob("*")) if (baseline / table).exists() else []
        assert len(files) <= 1, table
    assert len(list((baseline / "cells").glob("*.parquet"))) == 1
    assert (baseline / "meta.json").exists()
    first = pd.read_parquet(baseline / "cells")
    assert len(first) == 10 and (first["status"] == "ok").all()
    again = update_baseline(suite, root, workers=0)
    assert again.replaced and again.path == baseline
    assert sorted(p.name for p in root.iterdir()) == ["drift"]  # no temporary or old store left
    second = pd.read_parquet(baseline / "cells")
    assert (second["utc"] >= first["utc"].max()).all() and len(second) == 10


def test_a_rerun_reproduces_the_baseline_exactly_even_in_worker_processes(
        suite: Path, baseline: Path, tmp_path: Path) -> None:
    cmp = compare_stores(baseline, current(suite, tmp_path / "cur", workers=1), METRICS)
    assert cmp.exit_code == 0
    assert set(cmp.configs["mark"]) == {"unchanged"} and len(cmp.configs) == 2
    assert (cmp.metrics["max_abs_delta"] == 0).all() and (cmp.metrics["n_pairs"] == 5).all()


def test_a_weakened_default_is_worse_and_fails_the_gate(suite: Path, baseline: Path,
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_TEST_DRIFT", "weak")
    cur = current(suite, tmp_path / "cur")
    assert set(pd.read_parquet(cur / "cells")["cell_id"]) == \
        set(pd.read_parquet(baseline / "cells")["cell_id"])  # same cells, different code
    cmp = compare_stores(baseline, cur, METRICS)
    marks = cmp.configs.set_index("model")["mark"]
    assert marks["drifting"] == "worse" and marks["dummy"] == "unchanged"
    worse = cmp.metrics[cmp.metrics["mark"] == "worse"]
    assert set(worse["model"]) == {"drifting"} and "macro_f1" in set(worse["metric"])
    assert (worse["test"] == "wilcoxon").all() and (worse["p_value"] < 0.05).all()
    assert cmp.exit_code == 1
    out = CliRunner().invoke(app, ["compare", str(baseline), str(cur), "-m", "macro_f1"],
                             env={"COLUMNS": "250"})
    assert out.exit_code == 1 and "model=drifting: macro_f1" in out.output


def test_a_model_that_now_fails_is_a_new_failure(suite: Path, baseline: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_TEST_DRIFT", "fail")
    cmp = compare_stores(baseline, current(suite, tmp_path / "cur"), METRICS)
    row = cmp.configs.set_index("model").loc["drifting"]
    assert row["mark"] == "new failure" and row["n_new_failure"] == 5
    assert "drifting: fit failed on purpose" in row["note"]
    assert cmp.exit_code == 1


def test_failures_leave_the_old_baseline_unless_allowed(suite: Path, baseline: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    before = pd.read_parquet(baseline / "cells")
    monkeypatch.setenv("BENCH_TEST_DRIFT", "fail")
    with pytest.raises(BaselineError, match="5 error cell"):
        update_baseline(suite, baseline.parent, workers=0)
    assert pd.read_parquet(baseline / "cells").equals(before)
    assert sorted(p.name for p in baseline.parent.iterdir()) == ["drift"]
    up = update_baseline(suite, baseline.parent, workers=0, allow_failures=True)
    assert up.replaced and (pd.read_parquet(baseline / "cells")["status"] == "error").sum() == 5


def test_swap_in_puts_the_old_directory_back_when_the_new_one_cannot_move(tmp_path: Path) -> None:
    target = tmp_path / "quick"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(OSError):
        swap_in(tmp_path / "does-not-exist", target)
    assert (target / "old.txt").read_text() == "old"


def test_cli_baseline_update(suite: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["baseline", "update", str(suite), "--root",
                                   str(tmp_path / "b"), "--workers", "0"])
    assert out.exit_code == 0, out.output
    assert "baseline created" in out.output and (tmp_path / "b" / "drift" / "cells").is_dir()
    same = CliRunner().invoke(app, ["compare", str(tmp_path / "b" / "drift"),
                                    str(tmp_path / "b" / "drift")])
    assert same.exit_code == 0 and "unchanged 2" in same.output
