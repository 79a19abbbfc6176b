"""`bench summary` over 100,000 cells, end to end: target under 2 seconds.

Why: the summary is the answer users read after every run and in CI; it must stay interactive on
the largest stores (100,000 cells: 100 tasks x 40 contenders x 25 repeats x folds). A synthetic
`cells` table with the full schema is written to a real store on disk (every row a copy of one
real cell of the bundled quick baseline, so string columns such as `cell_json` have their real
widths), then `python -m bench summary STORE` runs as a user would run it, several times; the
median wall time is compared with the target. In-process timings of the steps (read, task
matrix, statistics) say where the time goes.

    python benchmarks/summary_100k.py                  # 100,000 cells, 3 runs
    python benchmarks/summary_100k.py --cells 10000    # a quick check that it runs
    python benchmarks/summary_100k.py --keep /tmp/s    # keep the store (else a temporary one)

Layout: 10 datasets x 5 ratios x 2 test priors = 100 tasks; 8 models x 5 samplers = 40
contenders; repeats x folds fill the rest (5 x 5 at 100,000 cells). 1% of cells fail and SMOTE
is skipped on one dataset at ratio 100, so the failure and n/a rules are exercised. Exit 1 when
the median is over the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 2.0
DATASETS = [f"dataset{i}" for i in range(10)]
RATIOS = [1.0, 5.0, 10.0, 50.0, 100.0]
PRIORS = ["same", "balanced"]
MODELS = ["dnn(hidden=[256,256])", "logistic", "random_forest(n_estimators=100)",
          "extra_trees", "lightgbm(n_estimators=200)", "xgboost", "catboost", "balanced_bagging"]
SAMPLERS = ["none", "class_weight", "smote(k_neighbors=5)", "random_under", "adasyn"]


def template_row() -> dict:
    """One real ok cell of the committed quick baseline (realistic column widths)."""
    from bench.store import read_cells

    cells = read_cells(ROOT / "results" / "baselines" / "quick")
    return cells[cells["status"] == "ok"].iloc[0].to_dict()


def synthetic_cells(n_cells: int, seed: int = 0) -> pd.DataFrame:
    """`n_cells` rows over 100 tasks x 40 contenders (repeats x folds as many as fit)."""
    from bench.core.vocab import ERROR, OK, SKIPPED

    rng = np.random.default_rng(seed)
    grid = pd.MultiIndex.from_product([DATASETS, RATIOS, PRIORS, MODELS, SAMPLERS],
                                      names=["dataset", "ratio", "test_prior", "model", "sampler"])
    units = max(1, int(np.ceil(n_cells / len(grid))))
    folds = 5
    frame = grid.to_frame(index=False)
    frame = frame.loc[frame.index.repeat(units)].reset_index(drop=True)
    unit = np.tile(np.arange(units), len(grid))
    frame["repeat"], frame["fold"] = unit // folds, unit % folds
    frame = frame.iloc[:n_cells].reset_index(drop=True)
    n = len(frame)
    skill = (frame["model"].map({m: i for i, m in enumerate(MODELS)}).to_numpy() * 0.004
             + frame["sampler"].map({s: i for i, s in enumerate(SAMPLERS)}).to_numpy() * 0.002)
    hardness = frame["dataset"].map({d: i for i, d in enumerate(DATASETS)}).to_numpy() * 0.03
    score = np.clip(0.6 + skill - hardness - np.log10(frame["ratio"].to_numpy()) * 0.05
                    + rng.normal(0, 0.03, n), 0, 1)
    status = np.where(rng.random(n) < 0.01, ERROR, OK).astype(object)
    skip = (frame["sampler"].str.startswith("smote") & (frame["ratio"] == 100.0)
            & (frame["dataset"] == DATASETS[0])).to_numpy()
    status[skip] = SKIPPED
    base = template_row()
    out = pd.DataFrame({k: [v] * n for k, v in base.items() if k not in frame.columns})
    for col in frame.columns:
        out[col] = frame[col].to_numpy()
    out["cell_id"] = [f"{i:016x}" for i in range(n)]
    out["status"] = status
    out["error"] = np.where(status == ERROR, "ValueError: synthetic failure", "")
    metric = "macro_f1"
    out[metric] = np.where(status == OK, score, np.nan)
    out["fit_s"] = np.where(status == OK, rng.gamma(2.0, 0.5, n), np.nan)
    return out


def write_store(path: Path, n_cells: int) -> None:
    from bench.store import Store
    from bench.store.schema import conform_cells

    cells = conform_cells(synthetic_cells(n_cells))
    store = Store(path)
    store.replace_table("cells", cells)
    # as `bench run` writes it (the direction spares the summary the metric implementations)
    store.write_meta({"suite": "summary-100k", "metric": "macro_f1", "direction": "max",
                      "n_cells": len(cells)})


def in_process(path: Path) -> dict[str, float]:
    """Seconds of each step as `bench summary` runs them (one process, imports already paid)."""
    from bench.analysis.summary import summarize_matrix
    from bench.analysis.tasks import task_matrix
    from bench.store import read_cells

    t0 = time.perf_counter()
    cells = read_cells(path)
    t1 = time.perf_counter()
    tm = task_matrix(cells, "macro_f1")
    t2 = time.perf_counter()
    summary = summarize_matrix(tm)
    t3 = time.perf_counter()
    return {"read": t1 - t0, "task_matrix": t2 - t1, "statistics": t3 - t2,
            "tasks": summary.n_tasks_total, "contenders": len(summary.table)}


def end_to_end(path: Path) -> tuple[float, str]:
    """Wall seconds of `python -m bench summary STORE` (interpreter start and imports included)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "bench", "summary", str(path)], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"})
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"bench summary failed:\n{out.stderr}")
    return wall, out.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the store here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "store"
        t0 = time.perf_counter()
        write_store(path, args.cells)
        print(f"store: {args.cells:,} cells written in {time.perf_counter() - t0:.1f} s → {path}")
        steps = in_process(path)
        print("in-process: " + ", ".join(f"{k} {v:.3f} s" if isinstance(v, float) else f"{k} {v}"
                                          for k, v in steps.items()))
        walls, text = [], ""
        for _ in range(args.runs):
            wall, text = end_to_end(path)
            walls.append(wall)
        lines = text.splitlines()
        median = statistics.median(walls)
        print(f"bench summary end to end: median {median:.2f} s over {args.runs} run(s) "
              f"({', '.join(f'{w:.2f}' for w in walls)}); output {len(lines)} lines; "
              f"target < {TARGET_S:.0f} s: {'ok' if median < TARGET_S else 'OVER'}")
        print("\n".join(line.rstrip() for line in lines[-4:]))
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
