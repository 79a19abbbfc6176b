"""A real small store for the report tests (run once per test session, in a subprocess) and a
hand-made store whose every name is hostile.

The small suite has what every report section needs: two ratios, a DNN baseline with learning
curves, a failing model (the `faulty` test plugin, loaded only in the subprocess) and a model
that cannot take class weights (its class_weight cells are planned skips).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd

from bench.store import Store, conform_cells
from tests_helpers import bench_cmd, plugin_env, suite_toml, write_suite

SMALL = suite_toml("report-small", ["wine"], [
    "dummy", "logistic", {"name": "dnn", "hidden": [16], "max_epochs": 4, "batch_size": 32},
    {"name": "easy_ensemble", "n_estimators": 2}, {"name": "faulty", "mode": "raise"}],
    folds=2, validation=0.25, timeout_s=120, ratios=(1, 5))
_CACHE: dict[str, Path] = {}


def small_store(root: Path) -> Path:
    """Run SMALL once into `root` (later calls return the same store)."""
    if "small" in _CACHE:
        return _CACHE["small"]
    suite = write_suite(root, SMALL, "small.toml")
    store = root / "store"
    out = subprocess.run(bench_cmd("run", str(suite), "--results", str(store), "--workers", "0",
                                   "--no-leaderboard"), env=plugin_env("faulty_plugins"),
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    _CACHE["small"] = store
    return store


# ---- a hand-made store with hostile names ------------------------------------------------------
EVIL_DATASET = "<script>alert('d')</script>[/x]&"
EVIL_MODEL = "m<script>alert(1)</script>"
EVIL_SAMPLER = "[/x]&<b>s</b>"
EVIL_LABELS = ["<script>", "[/x]", "a&b"]
EVIL_ERROR = "<img src=x onerror=alert(1)> & [/x] failed"


def hostile_store(path: Path, with_inspect: bool = True) -> Path:
    """A store written with `Store.replace_table`: 2 models (one the DNN baseline) x 2 samplers
    x 2 ratios x 2 folds, hostile dataset / model / sampler / class labels / error messages, one
    failed and one skipped cell, per-class, confusion and curves rows, and an `inspect` table."""
    rows, per_class, confusion, curves = [], [], [], []
    n = 0
    for model, family in ((EVIL_MODEL, "boosting"), ("dnn", "dnn")):
        for sampler in ("none", EVIL_SAMPLER):
            for ratio in (1.0, 10.0):
                for fold in (0, 1):
                    n += 1
                    cid = f"c{n:03d}"
                    status, error = "ok", ""
                    if model == EVIL_MODEL and sampler == EVIL_SAMPLER and ratio == 10.0:
                        status, error = ("error", EVIL_ERROR) if fold == 0 else (
                            "skipped", "not applicable: <b>skip</b> & [/x]")
                    score = 0.5 + 0.1 * fold + (0.2 if model == "dnn" else 0.0) - 0.01 * ratio
                    rows.append({"cell_id": cid, "status": status, "error": error,
                                 "dataset": EVIL_DATASET, "profile": "step", "ratio": ratio,
                                 "minority": "2", "test_prior": "same", "sampler": sampler,
                                 "model": model, "family": family, "decomposition": "native",
                                 "decision": "argmax", "repeat": 0, "fold": fold,
                                 "macro_f1": score if status == "ok" else None,
                                 "fit_s": 0.1 * n if status == "ok" else None,
                                 "predict_s": 0.01, "peak_mb": 100.0,
                                 "class_labels": json.dumps(EVIL_LABELS), "utc": "2026-01-01"})
                    if status != "ok":
                        continue
                    for i, label in enumerate(EVIL_LABELS):
                        per_class.append({"cell_id": cid, "label": label, "precision": 0.5,
                                          "recall": 0.25 * (i + 1), "f1": 0.4, "support": 10,
                                          "average_precision": 0.5})
                        for j, pred in enumerate(EVIL_LABELS):
                            confusion.append({"cell_id": cid, "true_label": label,
                                              "pred_label": pred, "count": 8 if i == j else 1})
                    if family == "dnn":
                        for step in (1, 2, 3):
                            for split in ("train", "validation"):
                                curves.append({"cell_id": cid, "step": step, "split": split,
                                               "metric": "loss", "value": 1.0 / step})
                                curves.append({"cell_id": cid, "step": step, "split": split,
                                               "metric": "macro_f1", "value": 0.2 * step})
    store = Store(path)
    store.replace_table("cells", conform_cells(pd.DataFrame(rows)))
    store.replace_table("per_class", pd.DataFrame(per_class))
    store.replace_table("confusion", pd.DataFrame(confusion))
    store.replace_table("curves", pd.DataFrame(curves))
    store.write_meta({"suite": "<script>suite</script>", "metric": "macro_f1", "n_cells": n})
    if with_inspect:  # as `bench inspect` writes it: one parquet file, one row per class
        d = path / "inspect"
        d.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"dataset": EVIL_DATASET, "profile": "step", "ratio": [1.0, 10.0] * 3,
                      "minority": "2", "class_label": [lab for lab in EVIL_LABELS for _ in "ab"],
                      "ceiling": [0.9, 0.4] * 3, "ceiling_lo": [0.8, 0.3] * 3,
                      "ceiling_hi": [1.0, 0.5] * 3}).to_parquet(d / "data-1-all.parquet")
    return path
