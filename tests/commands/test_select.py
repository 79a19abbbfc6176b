"""`bench select` on real stores: the committed quick baseline (with its DNN baseline) and a
three-dataset store run here; the record agrees with the cells, and the same store gives the same
bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bench.analysis.summary import summarize
from bench.cli import app
from bench.commands.run import run_suite
from tests_helpers import suite_toml

ROOT = Path(__file__).resolve().parents[2]
QUICK = ROOT / "results" / "baselines" / "quick"

MULTI = suite_toml("multi", ["wine", {"name": "seed-overlap", "n_samples": 600},
                           {"name": "make-classification", "n_samples": 600}],
                   ["dummy", "logistic", {"name": "random_forest", "n_estimators": 20}],
                   folds=2, ratios=(1, 5), metric="macro_f1")


def bench(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, [*args])
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 datasets x 2 ratios = 6 tasks, 3 models x 2 samplers (72 cells, ~20 s on one core)."""
    tmp = tmp_path_factory.mktemp("select")
    (tmp / "multi.toml").write_text(MULTI)
    rp, summary = run_suite(tmp / "multi.toml", tmp / "multi", workers=0)
    assert summary.statuses == {"ok": 72}
    return rp.store.path


def mean_ranks_by_hand(cells: pd.DataFrame, metric: str) -> pd.Series:
    """Task = dataset x ratio, contender = model + sampler: mean over folds, rank per task
    (1 = best, ties averaged), mean over tasks. Independent of bench.analysis."""
    ok = cells[cells["status"] == "ok"].assign(
        contender=lambda d: d["model"].astype(str) + " + " + d["sampler"].astype(str))
    per_task = ok.groupby(["dataset", "ratio", "contender"])[metric].mean().unstack("contender")
    return per_task.rank(axis=1, ascending=False).mean()


def test_quick_baseline_store_gives_a_record_with_a_dnn_baseline(tmp_path: Path) -> None:
    md, js = tmp_path / "d.md", tmp_path / "d.json"
    out = bench("select", str(QUICK), "-o", str(md), "--json", str(js))
    doc = json.loads(js.read_text(encoding="utf-8"))
    cells = pd.read_parquet(QUICK / "cells")
    summary = summarize(cells, "macro_f1")
    assert doc["chosen"] == summary.best and f"decision: {summary.best}" in out
    assert doc["not_worse"] == summary.not_significantly_worse
    ranks = mean_ranks_by_hand(cells, "macro_f1")
    for c in doc["contenders"]:
        assert c["mean_rank"] == pytest.approx(ranks[c["contender"]])
    roles = {e["role"]: e for e in doc["effects"]}
    dnn = [c for c in ranks.index if c.startswith("dnn(") and c.endswith(" + none")]
    assert roles["DNN baseline"]["other"] == dnn[0]
    assert doc["data"]["datasets"] == sorted(cells["dataset"].unique().tolist())
    assert doc["data"]["n_cells"] == len(cells) and doc["data"]["store"] == "quick"
    assert {c["code"] for c in doc["caveats"]} >= {"few_tasks", "few_datasets", "small_test_class"}
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Decision record: ") and "## Caveats" in text


@pytest.mark.slow
def test_multi_dataset_store_agrees_with_the_cells_and_is_byte_identical(
        multi: Path, tmp_path: Path) -> None:
    paths = [(tmp_path / f"{i}.md", tmp_path / f"{i}.json") for i in range(2)]
    for md, js in paths:
        bench("select", str(multi), "-o", str(md), "--json", str(js))
    assert paths[0][0].read_bytes() == paths[1][0].read_bytes()
    assert paths[0][1].read_bytes() == paths[1][1].read_bytes()
    doc = json.loads(paths[0][1].read_text(encoding="utf-8"))
    cells = pd.read_parquet(multi / "cells")
    ranks = mean_ranks_by_hand(cells, "macro_f1")
    assert doc["chosen"] == ranks.idxmin() or ranks[doc["chosen"]] == ranks.min()
    assert {c["contender"]: c["mean_rank"] for c in doc["contenders"]} == pytest.approx(
        ranks.to_dict())
    assert doc["data"]["n_tasks"] == 6 and len(doc["data"]["datasets"]) == 3
    assert doc["data"]["ratios"] == [1.0, 5.0] and doc["data"]["folds_per_task"] == 2
    # the effect against the runner-up is the mean over tasks of the per-task differences
    eff = doc["effects"][0]
    ok = cells[cells["status"] == "ok"].assign(
        contender=lambda d: d["model"].astype(str) + " + " + d["sampler"].astype(str))
    per_task = ok.groupby(["dataset", "ratio", "contender"])["macro_f1"].mean().unstack()
    diff = per_task[doc["chosen"]] - per_task[eff["other"]]
    assert eff["mean_diff"] == pytest.approx(diff.mean())
    assert eff["wins"] == int((diff > 0).sum()) and eff["losses"] == int((diff < 0).sum())
    codes = {c["code"] for c in doc["caveats"]}
    assert "no_power" in codes and "few_tasks" not in codes  # 6 tasks, 15 pairs


@pytest.mark.slow
def test_where_contender_and_prefer_cost_on_the_multi_store(multi: Path, tmp_path: Path) -> None:
    js = tmp_path / "w.json"
    bench("select", str(multi), "-o", str(tmp_path / "w.md"), "--json", str(js),
          "--where", "dataset=wine", "--contender", "model")
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["data"]["datasets"] == ["wine"] and doc["question"]["where"] == {"dataset": ["wine"]}
    assert doc["question"]["task_axes"] == ["ratio", "sampler"]
    assert [c["model"] for c in doc["contenders"]][-1] == "dummy"
    bench("select", str(multi), "-o", str(tmp_path / "c.md"), "--json", str(js), "--prefer", "cost")
    doc = json.loads(js.read_text(encoding="utf-8"))
    table = {c["contender"]: c for c in doc["contenders"]}
    best = doc["test"]["against"]
    assert doc["chosen"] in doc["test"]["cost_candidates"]
    assert not doc["chosen"].startswith("dummy")  # never "not significantly worse" by default
    assert table[best]["mean"] - table[doc["chosen"]]["mean"] <= 0.01
    cost = {c: table[c]["fit_s"] + table[c]["predict_s"] for c in doc["test"]["cost_candidates"]}
    assert cost[doc["chosen"]] == min(cost.values())


@pytest.mark.parametrize("args, words", [
    (["--alpha", "2"], ["--alpha 2", "between 0 and 1"]),
    (["--prefer", "fast"], ["--prefer fast", "rank, cost"]),
    (["--tolerance", "-0.5"], ["--tolerance -0.5"]),
    (["--contender", "modle"], ["unknown axis", "model, sampler"]),
    (["--where", "dataset"], ["expected key=value"]),
])
def test_bad_options_fail_before_the_store_is_read(args: list[str], words: list[str],
                                                   tmp_path: Path) -> None:
    text = bench("select", str(tmp_path / "no-such-store"), *args, code=2)
    assert "not a results store" not in text and "Traceback" not in text
    for word in words:
        assert word in text, text


def test_store_and_where_errors_name_what_exists(tmp_path: Path) -> None:
    assert "not a results store" in bench("select", str(tmp_path / "none"), code=2)
    text = bench("select", str(QUICK), "-o", str(tmp_path / "d.md"), "--where", "dataset=iris",
                 code=2)
    assert "dataset=iris" in text and "wine" in text
    text = bench("select", str(QUICK), "-o", str(tmp_path / "d.md"), "--where",
                 "model=logistic,sampler=none", code=2)
    assert "at least two contenders" in text
    assert not (tmp_path / "d.md").exists()
