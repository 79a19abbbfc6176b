"""A tuned contender shows what its search cost: `tune_s` next to `fit_s` in every answer.

What a user relies on: a tuned cell's fit_s is only its final refit, so "lightgbm + tpe(3)" must
not look as cheap as "lightgbm + default". The summary, the decision record and the report carry
the mean search seconds (tune_s) of each contender; the terminal and markdown tables show a
"search s" column only when some contender searched (a store without tuned cells reads as
before); the decision record's × ratio and the report's time axis / Pareto front use training
time = fit + search.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from bench.analysis.decision_record import decision_record
from bench.analysis.report_models import pareto_front, time_quality
from bench.commands.report import build_report
from bench.commands.select import select
from bench.commands.summary import summary_of_store
from bench.report.decision import decision_markdown
from bench.report.summary import print_summary, summary_json, summary_markdown
from bench.store import read_cells
from tests_helpers import bench_cmd, suite_toml, write_suite

TUNED, DEFAULT = "logistic + none + tpe(3)", "logistic + none + default"
TODAY = ["#", "model", "sampler", "tuning", "mean rank", "mean [95% CI]", "norm.", "improv.",
         "win rate", "Elo [95% CI]", "tasks", "failed", "fit s", "predict s", "peak MB",
         "≈ best"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store: logistic and a small lightgbm on wine, two folds, default and tpe(3)."""
    root = tmp_path_factory.mktemp("search_cost")
    text = suite_toml("searched", ["wine"], ["logistic", {"name": "lightgbm", "n_estimators": 20}],
                      folds=2, samplers=["none"], ratios=[3])
    text = text.replace('samplers = ["none"]',
                        'samplers = ["none"]\ntuning = ["default", { name = "tpe", trials = 3 }]')
    suite = write_suite(root, text)
    out = root / "store"
    done = subprocess.run(bench_cmd("run", str(suite), "--results", str(out), "--workers", "1",
                                    "--no-summary"),
                          capture_output=True, text=True, timeout=600, env={**os.environ})
    assert done.returncode == 0, done.stderr
    return out


def by_hand(store: Path) -> pd.DataFrame:
    """Mean fit_s and tune_s over each contender's ok cells, from the stored rows."""
    cells = read_cells(store)
    ok = cells[cells["status"] == "ok"].copy()
    assert len(ok) == 8  # 2 models x 2 tunings x 2 folds, all ok
    ok["contender"] = ok["model"].str.split("(").str[0] + " + none + " + ok["tuning"]
    return ok.groupby("contender")[["fit_s", "tune_s"]].mean()


def header(markdown: str, first: str = "\\#") -> list[str]:
    """The cells of the first table line that starts with `first`, markdown escapes removed."""
    line = next(x for x in markdown.splitlines() if x.startswith(f"| {first} "))
    return [c.strip().replace("\\", "") for c in line.strip("|").split("|")]


def test_the_summary_carries_each_contenders_mean_search_seconds(store: Path) -> None:
    hand = by_hand(store)
    s = summary_of_store(store, n_boot=50)
    table = s.table.set_index("contender")
    tuned = [c for c in table.index if c.endswith("tpe(3)")]
    assert len(tuned) == 2
    for label in table.index:
        key = re.sub(r"\(n_estimators=20\)", "", label)
        assert table.at[label, "tune_s"] == pytest.approx(hand.at[key, "tune_s"])
        assert table.at[label, "fit_s"] == pytest.approx(hand.at[key, "fit_s"])
    assert (hand.loc[[TUNED, "lightgbm + none + tpe(3)"], "tune_s"] > 0).all()
    assert (table.loc[[c for c in table.index if c.endswith("default")], "tune_s"] == 0).all()
    # JSON always carries tune_s
    rows = {c["contender"]: c for c in json.loads(summary_json(s))["contenders"]}
    assert rows[TUNED]["tune_s"] == pytest.approx(hand.at[TUNED, "tune_s"])
    assert rows[DEFAULT]["tune_s"] == 0.0


def test_search_s_is_shown_right_after_fit_s_only_when_some_contender_searched(store: Path) -> None:
    s = summary_of_store(store, n_boot=50)
    searched = header(summary_markdown(s))
    assert searched == [*TODAY[:13], "search s", *TODAY[13:]]
    md_row = next(x for x in summary_markdown(s).splitlines() if TUNED.split(" + ")[0] in x
                  and "tpe(3)" in x)
    cells = [c.strip() for c in md_row.strip("|").split("|")]
    tune = s.table.set_index("contender").at[TUNED, "tune_s"]
    assert cells[searched.index("search s")] == f"{tune:.2f}"
    out = io.StringIO()
    print_summary(s, console=Console(file=out, width=250, emoji=False, highlight=False))
    assert "search s" in out.getvalue()

    plain = summary_of_store(store, where=["tuning=default"], n_boot=50)
    assert header(summary_markdown(plain)) == TODAY  # no tuned cells: the table of today
    out = io.StringIO()
    print_summary(plain, console=Console(file=out, width=250, emoji=False, highlight=False))
    assert "search s" not in out.getvalue() and "fit s" in out.getvalue()
    assert "tune_s" in json.loads(summary_json(plain))["contenders"][0]


def test_the_decision_records_cost_ratio_is_training_time_fit_plus_search(store: Path) -> None:
    rec = select(store, n_boot=50)
    md = decision_markdown(rec)
    cost = md[md.index("## Cost"):md.index("## Data")]
    assert "training time (fit + search)" in cost
    head = header(cost, "contender")
    assert head[:5] == ["contender", "role", "fit s", "search s", "fit + search"]
    rows = {c["contender"]: c for c in rec.contenders}
    hand = by_hand(store)
    chosen = rows[rec.chosen]
    train_chosen = chosen["fit_s"] + chosen["tune_s"]
    checked = 0
    for line in cost.splitlines():
        label = line.strip("|").split("|")[0].strip().replace("\\", "")
        if label not in rows or label == rec.chosen:
            continue
        checked += 1
        c = rows[label]
        key = re.sub(r"\(n_estimators=20\)", "", label)
        assert c["tune_s"] == pytest.approx(hand.at[key, "tune_s"])
        train = c["fit_s"] + c["tune_s"]
        assert f"{train:.3f} (×{train / train_chosen:.2g})" in line
    assert checked >= 1


def test_the_time_axis_and_pareto_front_use_fit_plus_search() -> None:
    """By hand: the tuned contender refits in 0.5 s after a 5 s search and scores 0.9; the
    default one fits in 1 s and scores 0.8. On fit_s alone the tuned one would dominate; on
    training time both are on the front."""
    scores = pd.DataFrame({"contender": ["lgbm + default", "lgbm + tpe(10)"],
                           "score": [0.8, 0.9], "n_tasks": [1, 1], "fit_s": [1.0, 0.5],
                           "tune_s": [0.0, 5.0], "predict_s": [0.1, 0.1],
                           "peak_mb": [10.0, 10.0]})
    t = time_quality(scores, "max")
    assert t["train_s"].tolist() == [1.0, 5.5]
    assert t["pareto"].tolist() == [True, True]
    assert pareto_front(scores["fit_s"], scores["score"], "max") == [False, True]
    # a store without tune_s: no search, training time is fit time
    old = time_quality(scores.drop(columns="tune_s"), "max")
    assert old["train_s"].tolist() == [1.0, 0.5] and old["pareto"].tolist() == [False, True]


def test_the_report_plots_training_time_and_lists_search_seconds(store: Path,
                                                                tmp_path: Path) -> None:
    result = build_report(store, tmp_path / "report.html")
    t = result.data.time_quality.set_index("contender")
    hand = by_hand(store)
    for label in t.index:
        key = re.sub(r"\(n_estimators=20\)", "", label)
        assert t.at[label, "train_s"] == pytest.approx(hand.at[key, "fit_s"]
                                                       + hand.at[key, "tune_s"])
    assert t["pareto"].tolist() == pareto_front(t["train_s"], t["score"], "max")
    assert np.isfinite(t["train_s"]).all()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "mean training seconds per cell (fit + search)" in page
    assert "tune_s" in page


def test_prefer_cost_counts_the_search() -> None:
    """Eight tasks, a and b score the same (neither is worse); b refits in 1 s but searched for
    20 s, a fits in 10 s: by training cost a (10 s) is cheaper than b (21 s), by fit_s alone b
    would be chosen."""
    rows = []
    for model, fit_s, tune_s in (("a", 10.0, 0.0), ("b", 1.0, 20.0)):
        for t in range(8):
            for fold in range(2):
                rows.append({"cell_id": f"{model}-{t}-{fold}", "status": "ok", "dataset": f"d{t}",
                             "profile": "step", "ratio": 1.0, "test_prior": "same",
                             "minority": "1", "model": model, "sampler": "none",
                             "decomposition": "native", "decision": "argmax", "repeat": 0,
                             "fold": fold, "macro_f1": 0.5 + t / 20, "fit_s": fit_s,
                             "tune_s": tune_s, "predict_s": 0.01, "peak_mb": 100.0,
                             "min_test_count": 50, "degenerate": False})
    cells = pd.DataFrame(rows)
    rec = decision_record(cells, "macro_f1", contender="model", prefer="cost", n_boot=50)
    assert rec.chosen == "a" and "fit + search + predict" in rec.rule
    assert decision_record(cells.drop(columns="tune_s"), "macro_f1", contender="model",
                           prefer="cost", n_boot=50).chosen == "b"
