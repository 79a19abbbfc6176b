"""`bench leaderboard --format/--top/--where` through the CLI on a small hand-made store: the
formats agree with each other, hostile labels stay text, bad options are clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.store import Store
from bench.store.meta import write_meta

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 datasets x 2 ratios x 3 models x 2 folds; model `s` is skipped at ratio 10, `f` fails
    once; the dataset `[x]|y` and the model `<script>` are hostile labels."""
    rows, per_class, rng = [], [], np.random.default_rng(0)
    for dataset in ("wine", "[x]|y"):
        for ratio in (1.0, 10.0):
            for model in ("logistic", SCRIPT, "s"):
                for fold in range(2):
                    cid = f"{dataset}-{ratio}-{model}-{fold}"
                    status = "skipped" if model == "s" and ratio == 10 else "ok"
                    if model == SCRIPT and dataset == "wine" and ratio == 1 and fold == 1:
                        status = "error"
                    ok = status == "ok"
                    rows.append({"cell_id": cid, "status": status, "dataset": dataset,
                                 "profile": "step", "ratio": ratio, "minority": "2",
                                 "test_prior": "same", "sampler": "none", "model": model,
                                 "family": "baseline", "decomposition": "native",
                                 "decision": "argmax", "repeat": 0, "fold": fold,
                                 "macro_f1": rng.uniform(0.3, 0.9) if ok else np.nan,
                                 "fit_s": 0.5, "predict_s": 0.1, "peak_mb": 10.0,
                                 "min_test_count": 30 if ok else pd.NA,
                                 "degenerate": False if ok else pd.NA})
                    if ok:
                        per_class += [{"cell_id": cid, "label": label, "recall": rng.uniform(),
                                       "precision": rng.uniform()} for label in ("0", SCRIPT)]
    path = tmp_path_factory.mktemp("lb") / "store"
    st = Store(path)
    st.replace_table("cells", pd.DataFrame(rows))
    st.replace_table("per_class", pd.DataFrame(per_class))
    write_meta(path, {"metric": "macro_f1", "suite": "hand", "n_cells": len(rows)})
    return path


def bench(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, [*args])
    assert result.exit_code == code, result.output
    return result.output


def test_json_carries_every_row_and_csv_agrees(store: Path) -> None:
    doc = json.loads(bench("leaderboard", str(store), "--format", "json"))
    assert doc["metric"] == "macro_f1" and doc["by"] == ["dataset", "ratio"]
    rows = pd.DataFrame(doc["rows"])
    assert len(rows) == 12  # 2 datasets x 2 ratios x 3 models
    skipped = rows[rows["model"] == "s"].set_index("ratio")
    assert skipped.loc[10.0, "state"].tolist() == ["skipped"] * 2
    assert skipped.loc[10.0, "rank"].isna().all()  # null in JSON: never a rank
    csv = pd.read_csv(io.StringIO(bench("leaderboard", str(store), "--format", "csv")),
                      keep_default_na=False, na_values=[""])
    assert csv["model"].tolist() == rows["model"].tolist()
    assert np.allclose(csv["mean"].to_numpy(float), rows["mean"].to_numpy(float), equal_nan=True)


def test_the_means_are_the_cells_means(store: Path) -> None:
    cells = pd.read_parquet(store / "cells")
    doc = json.loads(bench("leaderboard", str(store), "--format", "json", "--where", "dataset=wine"))
    got = {(r["ratio"], r["model"]): r for r in doc["rows"]}
    ok = cells[(cells["status"] == "ok") & (cells["dataset"] == "wine")]
    expected = ok.groupby(["ratio", "model"])["macro_f1"].mean()
    for key, mean in expected.items():
        assert got[key]["mean"] == pytest.approx(mean)
    assert got[(1.0, SCRIPT)]["n"] == 1 and got[(1.0, SCRIPT)]["n_failed"] == 1
    assert doc["where"] == {"dataset": ["wine"]}


def test_top_and_where(store: Path) -> None:
    doc = json.loads(bench("leaderboard", str(store), "--format", "json", "--top", "1",
                           "--where", "ratio=10", "--where", "model=logistic|<script>alert(1)</script>"))
    assert doc["by"] == ["dataset"] and doc["top"] == 1 and doc["hidden"] == 2
    assert [r["rank"] for r in doc["rows"]] == [1.0, 1.0]
    text = bench("leaderboard", str(store), "--top", "1")
    assert "more configuration(s) below the top 1 of their slice" in text


def test_markdown_escapes_labels_and_keys_per_class_by_dataset(store: Path) -> None:
    md = bench("leaderboard", str(store), "--format", "markdown", "--per-class", "recall")
    assert SCRIPT not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "\\[x\\]\\|y" in md  # the dataset label cannot open a link or split a cell
    assert "| skipped |" in md
    per_class = md.split("### Per-class recall", 1)[1]
    head = per_class.strip().splitlines()[2]
    assert head.startswith("| dataset | ratio | model |")


def test_json_per_class_and_hostile_labels_raw(store: Path) -> None:
    doc = json.loads(bench("leaderboard", str(store), "--format", "json", "--per-class",
                           "recall,precision"))
    assert list(doc["per_class"]) == ["recall", "precision"]
    first = doc["per_class"]["recall"][0]
    assert {"dataset", "model", "recall[0]", f"recall[{SCRIPT}]"} <= set(first)
    assert SCRIPT in {r["model"] for r in doc["rows"]}


@pytest.mark.parametrize("args, words", [
    (["--format", "xml"], ["--format xml", "table, markdown, csv, json"]),
    (["--format", "csv", "--per-class", "recall"], ["csv holds one table"]),
    (["--top", "0"], ["--top 0"]),
    (["--where", "datset=wine"], ["unknown key 'datset'", "allowed: dataset, profile"]),
    (["--where", "dataset"], ["expected key=value"]),
    (["--where", "dataset=iris"], ["dataset=iris", "[x]|y, wine"]),
])
def test_bad_options_are_one_clear_error(store: Path, args: list[str], words: list[str]) -> None:
    text = bench("leaderboard", str(store), *args, code=2)
    assert "Traceback" not in text
    for word in words:
        assert word in text, text
