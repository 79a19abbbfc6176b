"""`bench summary`: options refused before the store is read, every format through the real CLI,
hostile names, and on a real small store (bench run) agreement with mean ranks, Friedman and
Nemenyi recomputed independently from the `cells` table."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from bench.commands.summary import check_summary_options, metric_direction, summary_of_store
from bench.core.errors import CommandError, StoreError, UnknownName
from bench.report.summary import render_summary
from bench.store import Store

from report_helpers import EVIL_DATASET, EVIL_MODEL, EVIL_SAMPLER, hostile_store
from tests_helpers import suite_toml


def bench(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env={**os.environ, "COLUMNS": "200"})


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_store(tmp_path_factory.mktemp("summary") / "store")


def test_bad_options_are_refused_before_reading_the_store(tmp_path: Path) -> None:
    missing = tmp_path / "nothing"
    with pytest.raises(CommandError, match="allowed: table, markdown, csv, json"):
        summary_of_store(missing, fmt="html")
    with pytest.raises(CommandError, match="--top 0"):
        check_summary_options(top=0)
    with pytest.raises(CommandError, match="--alpha"):
        summary_of_store(missing, alpha=0)
    with pytest.raises(UnknownName, match="allowed: model, sampler"):
        summary_of_store(missing, contender="colour")
    with pytest.raises(StoreError, match="not a results store"):
        summary_of_store(missing)


def test_summary_of_a_store_defaults_and_errors(evil: Path) -> None:
    s = summary_of_store(evil, n_boot=50)
    assert s.metric == "macro_f1"  # the store's meta metric
    assert s.reference == "dnn + none"  # the DNN baseline without a sampler
    # the hostile model's sampler failed at ratio 10 fold 0 and is skipped at fold 1
    t = s.table.set_index("contender")
    assert t.loc[f"{EVIL_MODEL} + {EVIL_SAMPLER}", "n_failed"] == 1
    assert s.best == "dnn + none" or s.best.startswith("dnn")
    with pytest.raises(UnknownName, match="allowed: accuracy"):
        summary_of_store(evil, metric="no_such_metric")
    with pytest.raises(StoreError, match="rescore"):
        summary_of_store(evil, metric="mcc")
    with pytest.raises(UnknownName, match="--where"):
        summary_of_store(evil, where="colour=red")
    with pytest.raises(UnknownName, match="allowed: dnn"):
        summary_of_store(evil, reference="xgboost,none")


def test_the_summary_imports_no_metric_implementation(evil: Path) -> None:
    """The 2-second budget: with the direction in meta.json (bench run writes it), neither
    scipy.stats nor scikit-learn is imported; without it, the registry answers."""
    code = ("import sys; from bench.commands.summary import summary_of_store; "
            f"s = summary_of_store({str(evil)!r}, n_boot=20); "
            "print(s.direction, 'scipy.stats' in sys.modules, 'sklearn' in sys.modules)")
    meta = json.loads((evil / "meta.json").read_text())
    (evil / "meta.json").write_text(json.dumps({**meta, "direction": "max"}))
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, check=False)
        assert out.stdout.split() == ["max", "False", "False"], out.stderr
    finally:
        (evil / "meta.json").write_text(json.dumps(meta))
    assert metric_direction(evil, "macro_f1") == "max"  # from the registry
    assert metric_direction(evil, "log_loss") == "min"


def test_cli_formats_with_hostile_names(evil: Path) -> None:
    table = bench("summary", str(evil))
    assert table.returncode == 0, table.stderr
    assert EVIL_MODEL in table.stdout and EVIL_SAMPLER in table.stdout  # literal
    assert "Friedman" in table.stdout and "Best:" in table.stdout
    assert len(table.stdout.splitlines()) <= 40
    s = summary_of_store(evil, n_boot=20)
    md = render_summary(s, "markdown")
    assert "<script>" not in md and "&lt;script&gt;" in md
    frame = pd.read_csv(io.StringIO(render_summary(s, "csv")))
    assert set(frame["model"]) == {EVIL_MODEL, "dnn"}
    js = bench("summary", str(evil), "--format", "json", "--reference", f"{EVIL_MODEL},none")
    data = json.loads(js.stdout)
    elo = {c["contender"]: c["elo"] for c in data["contenders"]}
    assert elo[f"{EVIL_MODEL} + none"] == 1000
    assert EVIL_DATASET not in data["tasks"]  # one dataset: tasks are ratios
    bad = bench("summary", str(evil), "--format", "yaml")
    assert bad.returncode == 2 and bad.stderr.count("allowed: table, markdown, csv, json") == 1
    assert "Traceback" not in bad.stderr


SUITE = suite_toml("two-datasets", ["wine", {"name": "seed-overlap", "n_samples": 300}],
                   ["dummy", "logistic"])


@pytest.mark.slow
def test_real_store_agrees_with_an_independent_recomputation(tmp_path: Path) -> None:
    (tmp_path / "suite.toml").write_text(SUITE)
    run = bench("run", "suite.toml", "--results", "store", "--workers", "0", cwd=tmp_path,
                timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Summary — macro_f1" in run.stdout and "Best:" in run.stdout  # run ends with it
    meta = json.loads((tmp_path / "store" / "meta.json").read_text())
    assert (meta["metric"], meta["direction"]) == ("macro_f1", "max")
    assert len(run.stdout.splitlines()) <= 40
    out = bench("summary", "store", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)

    # independent: from the cells table, with pandas and scipy only
    cells = Store(tmp_path / "store").read("cells")
    assert (cells["status"] == "ok").all() and len(cells) == 2 * 2 * 2 * 2 * 3
    per_task = cells.groupby(["dataset", "ratio", "model", "sampler"])["macro_f1"].mean()
    wide = per_task.unstack(["model", "sampler"])
    wide.columns = [f"{m} + {s}" for m, s in wide.columns]
    ranks = wide.rank(axis=1, ascending=False, method="average").mean()
    got = {c["contender"]: c["mean_rank"] for c in data["contenders"]}
    assert got == pytest.approx(ranks.to_dict())
    assert data["n_tasks"] == len(wide) == 4 and data["n_folds"] == 3 and data["n_datasets"] == 2
    if wide.nunique(axis=1).eq(1).all():  # every task a full tie: scipy's statistic is undefined
        assert data["friedman_p"] == 1
    else:
        ref = sps.friedmanchisquare(*wide.to_numpy().T)
        assert data["friedman_stat"] == pytest.approx(ref.statistic)
        assert data["friedman_p"] == pytest.approx(ref.pvalue)
    k, n = wide.shape[1], len(wide)
    assert k == 4
    q_005_k4 = 2.569  # Demšar (2006), Table 5(a)
    assert data["critical_difference"] == pytest.approx(q_005_k4 * math.sqrt(k * (k + 1) / (6 * n)),
                                                        abs=1e-3)
    sp = pytest.importorskip("scikit_posthocs")
    nem = sp.posthoc_nemenyi_friedman(wide.to_numpy())
    nem.index = nem.columns = list(wide.columns)
    for a, row in data["nemenyi_p"].items():
        for b, p in row.items():
            assert p == pytest.approx(nem.loc[a, b], abs=1e-6)
    best = min(got, key=lambda c: (got[c], -wide[c].mean()))
    assert data["best"] == best
    assert data["contenders"][0]["contender"] == best
    np.testing.assert_allclose([c["mean"] for c in data["contenders"]],
                               wide[[c["contender"] for c in data["contenders"]]].mean().to_numpy())
