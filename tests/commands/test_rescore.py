"""`bench rescore`: metrics recomputed from stored predictions equal the run's, and fill gaps."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.analysis.leaderboard import leaderboard
from bench.metrics import METRICS, Metric, metric_names, register
from bench.commands.rescore import RescoreError, rescore
from bench.commands.run import run_suite
from bench.store import Store

SUITE = """
name = "rescore"
folds = 2
validation = 0.25
store_predictions = true
decisions = ["argmax", "tuned", "prior"]
samplers = ["none", "random_under"]

[imbalance]
profile = "step"
ratios = [3]
minority = [2]

[[datasets]]
name = "seed-overlap"
n_samples = 600

[[models]]
name = "logistic"
"""


def make_store(tmp: Path) -> Store:
    suite = tmp / "suite.toml"
    suite.write_text(SUITE)
    rp, summary = run_suite(suite, tmp / "store", workers=0)
    assert summary.statuses == {"ok": 12}
    return rp.store


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with predictions (12 cells); tests copy it before changing it."""
    return make_store(tmp_path_factory.mktemp("rescore")).path


def copy_of(src: Path, tmp: Path) -> Store:
    import shutil

    shutil.copytree(src, tmp / "copy")
    return Store(tmp / "copy")


def test_predictions_table_schema(stored: Path) -> None:
    store = Store(stored)
    cells, preds = store.read("cells"), store.read("predictions")
    assert list(preds.columns) == ["cell_id", "row", "true_label", "pred_label", "y_true", "y_pred",
                                   "p_0", "p_1", "p_2"]
    assert set(preds["cell_id"]) == set(cells["cell_id"])
    for _, cell in cells.iterrows():
        p = preds[preds["cell_id"] == cell["cell_id"]]
        assert len(p) == cell["n_test"] and p["row"].is_unique
        assert json.loads(cell["class_labels"]) == ["0", "1", "2"]
        assert np.allclose(p[["p_0", "p_1", "p_2"]].sum(axis=1), 1.0)
        assert (p["true_label"] == p["y_true"].astype(str)).all()
    # the paired protocol: every cell of a fold is scored on the same dataset rows
    rows = preds.merge(cells[["cell_id", "fold"]], on="cell_id").groupby(["fold", "cell_id"])["row"]
    per_fold = rows.apply(lambda r: tuple(sorted(r))).groupby(level=0).nunique()
    assert (per_fold == 1).all()


def test_rescoring_reproduces_every_stored_metric(stored: Path, tmp_path: Path) -> None:
    store = copy_of(stored, tmp_path)
    before = store.read("cells").set_index("cell_id")
    summary = rescore(store, metric_names())
    after = store.read("cells").set_index("cell_id").loc[before.index]
    assert summary.n_rescored == 12 and not summary.missing_predictions
    for m in metric_names():
        a, b = before[m].to_numpy(float), after[m].to_numpy(float)
        assert np.allclose(a, b, rtol=0, atol=1e-12, equal_nan=True), m
    assert set(summary.changed.values()) == {0}
    assert list(Path(store.path / "cells").glob("*.parquet")).__len__() == 1


def test_a_dropped_column_comes_back(stored: Path, tmp_path: Path) -> None:
    store = copy_of(stored, tmp_path)
    full = store.read("cells")
    store.replace_table("cells", full.drop(columns=["mcc"]))
    # conform_cells re-creates registry columns as NaN: the store "lost" mcc
    assert store.read("cells")["mcc"].isna().all()
    summary = rescore(store, ["mcc"])
    again = store.read("cells").set_index("cell_id").loc[full["cell_id"]]
    assert np.allclose(again["mcc"].to_numpy(), full["mcc"].to_numpy(), rtol=0, atol=1e-12)
    assert summary.changed == {"mcc": 12}
    board = leaderboard(again.reset_index(), "mcc", by=["sampler", "decision"])
    assert board["mean"].notna().all() and len(board) == 6


@pytest.fixture
def class2_recall():
    """A metric registered after the run (as a plugin would), removed afterwards."""
    name = "recall_of_class_2"
    metric = register(Metric(name, "max", False,
                             lambda inp: float(np.mean(inp.y_pred[inp.y_true == 2] == 2)),
                             "test only: recall of class code 2"))
    yield metric
    METRICS.unregister(name)  # keep the global registry as the other tests expect it


def test_a_metric_registered_after_the_run(stored: Path, tmp_path: Path, class2_recall: Metric) -> None:
    store = copy_of(stored, tmp_path)
    summary = rescore(store, [class2_recall.name])
    assert summary.n_rescored == 12
    cells = store.read("cells")
    per_class = store.read("per_class")
    recall2 = per_class[per_class["label"] == "2"].set_index("cell_id")["recall"]
    got = cells.set_index("cell_id")[class2_recall.name]
    assert np.allclose(got, recall2.loc[got.index], rtol=0, atol=1e-12)
    board = leaderboard(cells, class2_recall.name, by=["sampler", "decision"])
    assert board["mean"].notna().all()
    # the rank follows the new metric: within each slice, rank 1 has the highest mean
    best = board.sort_values("mean", ascending=False).iloc[0]
    assert board.loc[board["rank"] == 1, "mean"].max() == best["mean"]


def test_cells_without_predictions_are_reported_and_keep_their_value(stored: Path,
                                                                   tmp_path: Path) -> None:
    import shutil

    store = copy_of(stored, tmp_path)
    shutil.rmtree(store.table_dir("predictions"))  # a store run without store_predictions
    assert store.read("predictions").empty
    summary = rescore(store, ["mcc", "gmean"])
    assert summary.n_rescored == 0 and len(summary.missing_predictions) == 12
    assert "no stored predictions" in summary.message()
    assert store.read("cells")["mcc"].notna().all()  # kept, not wiped


def test_partial_predictions(stored: Path, tmp_path: Path, class2_recall: Metric) -> None:
    store = copy_of(stored, tmp_path)
    preds = store.read("predictions")
    gone = preds["cell_id"].iloc[0]
    store.replace_table("predictions", preds[preds["cell_id"] != gone])
    summary = rescore(store, [class2_recall.name])
    assert summary.n_rescored == 11 and summary.missing_predictions == [gone]
    values = store.read("cells").set_index("cell_id")[class2_recall.name]
    assert math.isnan(values[gone]) and values.drop(gone).notna().all()


def test_bad_requests(tmp_path: Path) -> None:
    with pytest.raises(RescoreError, match="not a results store"):
        rescore(tmp_path / "nothing", ["mcc"])
    (tmp_path / "s" / "cells").mkdir(parents=True)
    pd.DataFrame({"cell_id": ["x"], "status": ["ok"]}).to_parquet(tmp_path / "s/cells/part-1-x.parquet")
    with pytest.raises(RescoreError, match="unknown metric"):
        rescore(tmp_path / "s", ["no_such_metric"])


PLUGIN = '''
import numpy as np
from bench.metrics import Metric, register

register(Metric("recall_of_class_1", "max", False,
                lambda inp: float(np.mean(inp.y_pred[inp.y_true == 1] == 1)),
                "plugin: recall of class code 1"))
'''


@pytest.mark.slow
def test_cli_rescore_then_rank_by_a_plugin_metric(stored: Path, tmp_path: Path) -> None:
    store = copy_of(stored, tmp_path)
    (tmp_path / "myplugin_metrics.py").write_text(PLUGIN)
    env = {**os.environ, "BENCH_PLUGINS": "myplugin_metrics",
           "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    bench = [sys.executable, "-m", "bench"]
    out = subprocess.run([*bench, "rescore", str(store.path), "--metric", "recall_of_class_1",
                          "--metric", "mcc"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "re-scored 12 cell(s) for recall_of_class_1, mcc" in out.stdout
    board = subprocess.run([*bench, "leaderboard", str(store.path), "--metric", "recall_of_class_1",
                            "--by", "decision", "--per-class", "recall,precision"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert board.returncode == 0, board.stderr
    assert "recall_of_class_1" in board.stdout and "Per-class recall" in board.stdout
    assert "Per-class precision" in board.stdout and "recall[2]" in board.stdout
    bad = subprocess.run([*bench, "leaderboard", str(store.path), "--per-class", "nope"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "allowed: recall" in bad.stderr


MINORITY = ["minority_f1", "minority_precision", "minority_recall", "minority_ap"]


def test_minority_metrics_are_rescored_for_the_rows_minority_class(stored: Path, tmp_path: Path) -> None:
    store = copy_of(stored, tmp_path)
    cells = store.read("cells")
    assert (cells["minority_class"] == "2").all()  # the suite's designated minority
    cells["minority_class"] = "0"  # as if the cell had designated class 0
    store.replace_table("cells", cells)
    summary = rescore(store, MINORITY)
    assert summary.minority_fallback == 0 and "predate" not in summary.message()
    after = store.read("cells").set_index("cell_id")
    per_class = store.read("per_class")
    f1_of_0 = per_class[per_class["label"] == "0"].set_index("cell_id")["f1"]
    assert np.allclose(after["minority_f1"], f1_of_0.loc[after.index], rtol=0, atol=1e-12)
    ap_of_0 = per_class[per_class["label"] == "0"].set_index("cell_id")["average_precision"]
    assert np.allclose(after["minority_ap"], ap_of_0.loc[after.index], rtol=0, atol=1e-12)


def test_rows_without_minority_class_fall_back_to_the_rarest_fit_class(stored: Path,
                                                                     tmp_path: Path) -> None:
    store = copy_of(stored, tmp_path)
    cells = store.read("cells")
    # a store written before the column: the fit rows' rarest class (here the designated 2)
    store.replace_table("cells", cells.drop(columns=["minority_class"]))
    summary = rescore(store, MINORITY)
    assert summary.minority_fallback == 12 and "12 cell(s) predate the minority_class" in summary.message()
    after = store.read("cells").set_index("cell_id").loc[cells["cell_id"]]
    for m in MINORITY:
        assert np.allclose(after[m].to_numpy(float), cells[m].to_numpy(float), rtol=0, atol=1e-12)
