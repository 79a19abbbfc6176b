"""A suite with a tuning axis through the real CLI: it runs, the trials table holds every trial,
the summary compares tuned with default, and a rerun finds every cell finished."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests_helpers import bench_cmd, suite_toml, write_suite


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(bench_cmd(*args), capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "250"})


@pytest.mark.slow
def test_a_tuned_suite_runs_and_records_every_trial(tmp_path: Path) -> None:
    text = suite_toml("tuned", ["wine"], [{"name": "lightgbm", "n_estimators": 40},
                                          "logistic", "dummy"],
                      folds=2, samplers=["none"], ratios=[3])
    text = text.replace('samplers = ["none"]',
                        'samplers = ["none"]\ntuning = ["default", { name = "random", trials = 3 }]')
    suite = write_suite(tmp_path, text)
    store = tmp_path / "store"

    checked = bench("validate", str(suite))
    assert checked.returncode == 0, checked.stderr
    # dummy has nothing to search: its tuned cells (one per fold) are announced skips
    assert "tuned: 10 cells to run, 2 skipped by the skip rule" in checked.stdout
    first = bench("run", str(suite), "--results", str(store), "--workers", "1")
    assert first.returncode == 0, first.stderr
    cells = pd.read_parquet(store / "cells")
    trials = pd.read_parquet(store / "trials")
    # 3 models x 2 tunings x 2 folds; dummy's tuned cells are skips with their reason
    assert len(cells) == 12
    skipped = cells[cells["status"] == "skipped"]
    assert set(skipped["model"]) == {"dummy"} and set(skipped["tuning"]) == {"random(3)"}
    assert skipped["error"].str.contains("nothing to tune").all()
    ok = cells[cells["status"] == "ok"]
    assert len(ok) == 10
    tuned = ok[ok["tuning"] == "random(3)"]
    assert len(tuned) == 4 and (tuned["tune_trials"] == 3).all()
    # every trial of every tuned cell, and nothing else
    assert len(trials) == 12 and set(trials["cell_id"]) == set(tuned["cell_id"])
    assert (trials.groupby("cell_id")["trial"].apply(sorted) == pd.Series(
        [[0, 1, 2]] * 4, index=sorted(tuned["cell_id"]))).all()
    for _, row in tuned.iterrows():
        mine = trials[trials["cell_id"] == row["cell_id"]]
        assert row["tune_score"] == mine["value"].max()
        assert json.loads(row["tuned_params"]) == json.loads(
            mine.loc[mine["value"].idxmax(), "params"])
    default = ok[ok["tuning"] == "default"]
    assert (default["tuned_params"] == "{}").all() and (default["tune_trials"] == 0).all()
    # the summary ranks tuned against default
    summary = bench("summary", str(store), "--format", "csv")
    assert summary.returncode == 0, summary.stderr
    assert "lightgbm(n_estimators=40) + none + random(3)" in summary.stdout
    assert "lightgbm(n_estimators=40) + none + default" in summary.stdout

    again = bench("run", str(suite), "--results", str(store), "--no-summary")
    assert again.returncode == 0 and "0 to run" in again.stderr
