"""Per-cell harness overhead: worker time outside fit, predict and resample.

Why: a study is 10^4-10^5 cells, most of them small; whatever the harness spends around the
model (loading, splitting, encoding, deciding, scoring, building the result tables) is paid by
every cell. Targets: median overhead <= 10 ms on small cells; total <= 1.05 x
(fit + predict + resample) on ~1-second cells.

What is measured, per cell: `overhead = cell time - fit_s - predict_s - resample_s`, where
`fit_s`, `predict_s` and `resample_s` are the row's own timings.
- in-process: cell time = wall time of `run_cell_safely` (the worker's own work). The store
  write (`Store.write`, the driver's in a real run) is timed separately, and the overhead is
  also reported with it added.
- 1 worker (`LocalExecutor(workers=1)`, a spawned worker process, as `bench run --workers 1`):
  cell time = time between consecutive results at the driver, so it adds pickling and the pipe;
  the driver writes each result to a store while the worker runs the next cell.
Small cells: `dummy` and `logistic` on wine and breast_cancer (step imbalance, 3 folds, samplers
none / class_weight / smote, argmax and prior decisions). ~1-second cells: a random forest on
seed-overlap (`--long`). Warm-up cells (imports, dataset loading, the worker's start) are
excluded. Results are medians and 90th percentiles over cells; compare figures from one run
only (the machine's load moves them); each line says how much CPU processes of other login
sessions took meanwhile (benchmarks/others.py).

    python benchmarks/overhead.py                    # 120 small cells, in-process and 1 worker
    python benchmarks/overhead.py --cells 400 --long 8
    python benchmarks/overhead.py --before ../before  # the same, first on an older source tree

`--before DIR` runs the same measurement on the `bench` package of another source tree (e.g. a
`git worktree` of an older commit) in a subprocess, then on this one, and prints both: before /
after figures from one run of one command.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# `--tree DIR` (set by `--before`): import `bench` from that source tree; spawned workers inherit it
sys.path.insert(0, sys.argv[sys.argv.index("--tree") + 1] if "--tree" in sys.argv[:-1] else str(REPO))

from bench.execute.worker import limit_threads  # imports nothing heavy

limit_threads(1)  # one thread per cell, as a worker does: before numpy starts its thread pools

import numpy as np
from others import Others  # benchmarks/others.py, beside this script

WARMUP = 12  # cells run first and not counted: one per dataset x model x sampler (imports, caches)


def small_cells(n: int, seed: int = 0) -> list[Any]:
    """12 warm-up cells, then `n` distinct small cells in a shuffled order (datasets x models x
    samplers x decisions x folds, repeated with new seeds)."""
    from bench.core.cell import Cell, Component

    def make(rep: int, dataset: str, model: str, sampler: tuple[str, dict], decision: str, fold: int) -> Cell:
        minority = ("2",) if dataset == "wine" else ("0",)
        return Cell(dataset=Component.of(dataset), sampler=Component.of(*sampler), model=Component.of(model),
                    profile="step", ratio=5, minority=minority, folds=3, fold=fold, validation=0.2,
                    decision=decision, seed=seed + rep)

    datasets, models = ["wine", "breast_cancer"], ["dummy", "logistic"]
    samplers = [("none", {}), ("class_weight", {}), ("smote", {"k_neighbors": 3})]
    warmup = [make(10**6, d, m, s, "argmax", 0) for d, m, s in itertools.product(datasets, models, samplers)]
    counted = [make(*key) for key in itertools.islice(
        itertools.product(range(10**6), datasets, models, samplers, ["argmax", "prior"], range(3)), n)]
    order = np.random.default_rng(seed).permutation(len(counted))
    return warmup + [counted[i] for i in order]


LONG_WARMUP = 1


def long_cells(n: int, n_estimators: int) -> list[Any]:
    """~1-second cells: a random forest on seed-overlap (1,500 rows, 80 features); the first
    `LONG_WARMUP` is not counted."""
    from bench.core.cell import Cell, Component

    return [Cell(dataset=Component.of("seed-overlap", {"n_samples": 1500}), sampler=Component.of("none"),
                 model=Component.of("random_forest", {"n_estimators": n_estimators}), profile="step",
                 ratio=5, minority=("2",), folds=3, fold=i % 3, seed=i // 3) for i in range(n)]


def load_line() -> str:
    """The machine's load average: figures taken while other jobs ran say little."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def model_s(row: dict[str, Any]) -> float:
    return float(row.get("fit_s") or 0.0) + float(row.get("predict_s") or 0.0) + float(row.get("resample_s") or 0.0)


def in_process(cells: list[Any], store_dir: Path, warmup: int = WARMUP) -> dict[str, np.ndarray]:
    """Run the cells in this process; per cell: overhead, store-write time, model time (seconds)."""
    from bench.protocol import run_cell_safely
    from bench.store import Store
    from bench.store.provenance import provenance

    store, prov = Store(store_dir), provenance()
    out: dict[str, list[float]] = {"overhead": [], "write": [], "model": [], "total": []}
    try:
        for i, cell in enumerate(cells):
            t0 = time.perf_counter()
            result = run_cell_safely(cell)
            t1 = time.perf_counter()
            store.write(result, prov)
            t2 = time.perf_counter()
            if result.row["status"] != "ok":
                raise SystemExit(f"cell {cell.cell_id[:12]} failed: {result.row['error']}")
            if i >= warmup:
                m = model_s(result.row)
                out["overhead"].append(t1 - t0 - m)
                out["write"].append(t2 - t1)
                out["model"].append(m)
                out["total"].append(t1 - t0)
    finally:
        store.close()
    return {k: np.asarray(v) for k, v in out.items()}


def one_worker(cells: list[Any], store_dir: Path, warmup: int = WARMUP) -> dict[str, np.ndarray]:
    """Run the cells in one spawned worker; per cell: time between results minus model time."""
    from bench.execute.local import LocalExecutor
    from bench.store import Store
    from bench.store.provenance import provenance

    store, prov = Store(store_dir), provenance()
    arrivals: list[float] = []
    models: list[float] = []
    failed: list[str] = []

    def on_result(result: Any) -> None:
        arrivals.append(time.perf_counter())
        models.append(model_s(result.row))
        if result.row["status"] != "ok":
            failed.append(str(result.row.get("error")))
        store.write(result, prov)

    try:
        LocalExecutor(workers=1, threads=1, timeout_s=600).map(cells, on_result)
    finally:
        store.close()
    if failed:
        raise SystemExit(f"{len(failed)} cells failed, first: {failed[0]}")
    gaps = np.diff(np.asarray(arrivals))[warmup - 1:]  # gap i-1 -> i: the time of cell i
    model = np.asarray(models)[warmup:]
    return {"overhead": gaps - model, "model": model, "total": gaps}


def ms(a: np.ndarray, q: float) -> str:
    return f"{1000 * float(np.percentile(a, q)):8.2f}"


def report(name: str, r: dict[str, np.ndarray], others: Others) -> None:
    line = f"{name:12s} {len(r['overhead']):5d} cells  overhead median {ms(r['overhead'], 50)} ms  p90 {ms(r['overhead'], 90)} ms"
    if "write" in r:
        with_write = r["overhead"] + r["write"]
        line += (f"  | store write median {ms(r['write'], 50)} ms  | overhead + write median"
                 f" {ms(with_write, 50)} ms  p90 {ms(with_write, 90)} ms")
    line += f"  | model time median {ms(r['model'], 50)} ms  | {others}"
    print(line, flush=True)


def ratio(name: str, r: dict[str, np.ndarray], others: Others) -> None:
    total, model = float(r["total"].sum()), float(r["model"].sum())
    print(f"{name:12s} {len(r['total']):5d} cells  mean model time {model / len(r['total']):.3f} s/cell,"
          f" total / (fit + predict + resample) = {total / model:.4f}"
          f"  (median overhead {ms(r['overhead'], 50)} ms)  | {others}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=120, help="small cells per mode (default 120)")
    ap.add_argument("--mode", choices=["in-process", "worker", "both"], default="both")
    ap.add_argument("--long", type=int, default=0, metavar="N",
                    help="also run N ~1-second cells (random forest) for the total/model ratio")
    ap.add_argument("--trees", type=int, default=150, help="trees of the ~1-second cells (default 150)")
    ap.add_argument("--before", metavar="DIR", help="first run the same on the source tree DIR")
    ap.add_argument("--tree", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.before:
        rest = list(sys.argv[1:] if argv is None else argv)
        i = rest.index("--before")
        rest = rest[:i] + rest[i + 2:]
        for label, tree in (("before", Path(args.before).resolve()), ("after", REPO)):
            print(f"== {label}: {tree}", flush=True)
            done = subprocess.run([sys.executable, __file__, *rest, "--tree", str(tree)], check=False)
            if done.returncode:
                return done.returncode
        return 0
    cells = small_cells(args.cells)
    print(load_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        print(f"small cells: dummy/logistic on wine/breast_cancer; {args.cells} counted, {WARMUP} warm-up")
        if args.mode in ("in-process", "both"):
            with Others() as others:
                r = in_process(cells, Path(tmp) / "a")
            report("in-process", r, others)
        if args.mode in ("worker", "both"):
            with Others() as others:
                r = one_worker(cells, Path(tmp) / "b")
            report("1 worker", r, others)
        if args.long:
            longs = long_cells(args.long + LONG_WARMUP, args.trees)
            print(f"~1-second cells: random_forest ({args.trees} trees) on seed-overlap; {args.long} counted")
            if args.mode in ("in-process", "both"):
                with Others() as others:
                    r = in_process(longs, Path(tmp) / "c", LONG_WARMUP)
                ratio("in-process", r, others)
            if args.mode in ("worker", "both"):
                with Others() as others:
                    r = one_worker(longs, Path(tmp) / "d", LONG_WARMUP)
                ratio("1 worker", r, others)
    print(load_line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
