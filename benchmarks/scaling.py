"""Scaling: cells per second with 2 workers against 1, on the local and the Dask executor.

Why: more workers are only worth it when the harness keeps them busy; with single-threaded cells
two workers should finish close to twice as many cells per second as one (targets: local >= 1.85x,
Dask on loopback >= 1.8x). The same cells (random forest, one thread, distinct seeds) run through
each engine and worker count into a fresh temporary store, written by the driver as usual.

Two numbers per run: the wall time including the engine's start-up (worker processes, library
imports, the embedded Dask cluster), and the steady rate, cells per second between the first and
the last result, which is what a long run sees. Ratios compare steady rates from this one run.
`others` is the CPU that processes of other login sessions took meanwhile, in cores (a lower
bound, benchmarks/others.py): on 2 cores, a ratio taken while others took a good part of a core
says little.

    python benchmarks/scaling.py                       # 24 cells of ~0.4 s, local and dask
    python benchmarks/scaling.py --cells 8 --trees 50  # a quick check
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from others import Others  # benchmarks/others.py, beside this script


@dataclass
class Measure:
    executor: str
    workers: int
    cells: int
    wall_s: float
    steady_per_s: float
    fit_s_median: float
    ok: int
    others_cores: float | None  # CPU other sessions took meanwhile, in cores (benchmarks/others.py)


def load_line() -> str:
    """The machine's load average: two workers on two cores get twice the work done only when
    nothing else runs, so ratios taken under load say little."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def make_cells(n: int, dataset: str, trees: int) -> list:
    from bench.core.cell import Cell, Component

    return [Cell(dataset=Component.of(dataset), sampler=Component.of("none"),
                 model=Component.of("random_forest", {"n_estimators": trees}), seed=i)
            for i in range(n)]


def measure(engine: str, workers: int, cells: list, timeout_s: float) -> Measure:
    from bench.core.vocab import OK
    from bench.execute import execute
    from bench.execute.engines import make_executor
    from bench.store import Store

    stamps: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store")
        executor = make_executor(engine, workers=workers, threads=1, timeout_s=timeout_s)
        with Others() as others:
            t0 = time.perf_counter()
            summary = execute(cells, store, executor, lambda _: stamps.append(time.perf_counter()))
            wall = time.perf_counter() - t0
        rows = store.read("cells")
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    fit = (rows["fit_s"] + rows["predict_s"]).dropna()
    return Measure(engine, workers, len(cells), wall, (len(stamps) - 1) / span,
                   statistics.median(fit) if len(fit) else float("nan"), summary.statuses[OK],
                   others.cores)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=24, help="cells per run (distinct seeds)")
    ap.add_argument("--trees", type=int, default=300, help="random forest size (cell length)")
    ap.add_argument("--dataset", default="breast_cancer")
    ap.add_argument("--executors", default="local,dask", help="comma-separated: local, dask")
    ap.add_argument("--timeout", type=float, default=600.0, help="per-cell timeout, seconds")
    args = ap.parse_args()

    cells = make_cells(args.cells, args.dataset, args.trees)
    print(load_line())
    print(f"{args.cells} cells: random_forest(n_estimators={args.trees}) on {args.dataset}, "
          "1 thread per cell")
    print(f"{'executor':<8} {'workers':>7} {'wall s':>8} {'cells/s':>8} {'fit+predict s':>14} "
          f"{'ok':>4} {'others':>7}")
    results: dict[tuple[str, int], Measure] = {}
    for engine in [e.strip() for e in args.executors.split(",") if e.strip()]:
        for workers in (1, 2):
            m = results[engine, workers] = measure(engine, workers, cells, args.timeout)
            others = "?" if m.others_cores is None else f"{m.others_cores:.2f}"
            print(f"{m.executor:<8} {m.workers:>7} {m.wall_s:>8.1f} {m.steady_per_s:>8.3f} "
                  f"{m.fit_s_median:>14.3f} {m.ok:>4} {others:>7}", flush=True)
    for engine in dict.fromkeys(e for e, _ in results):
        one, two = results[engine, 1], results[engine, 2]
        print(f"{engine}: 2 workers / 1 worker = {two.steady_per_s / one.steady_per_s:.2f}x "
              f"steady (wall incl. start-up {one.wall_s / two.wall_s:.2f}x)")
    print(load_line())


if __name__ == "__main__":
    main()
