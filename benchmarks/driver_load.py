"""How busy the local engine's driver is per finished cell: is it the bottleneck?

Why: with many workers and small cells, every result passes through one driver process
(receive, write to the store, progress, run.log, hand out the next cell). If the driver needs
more CPU per cell than the workers deliver cells, adding workers stops helping. This runs N
small cells (`dummy` on wine, every repeat x fold) on W workers and reports the driver's own CPU
time per cell, split into the store write + progress (`on_result`) and the rest (the dispatch
loop, unpickling results), and its busy share (driver CPU / wall time): near 1.0 the driver is the
limit; the cells per second the driver alone could sustain is 1 / (driver CPU per cell).

    python benchmarks/driver_load.py --cells 200 --workers 2
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    import bench.protocol  # noqa: F401  (the driver's one-time imports, outside the measurement)
    from bench.core.cell import Cell, Component
    from bench.execute.local import run_cells
    from bench.execute.progress import RunLog, RunProgress
    from bench.store import Store
    from rich.console import Console

    folds = 5
    cells = [Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                  model=Component.of("dummy"), folds=folds, fold=k % folds, repeat=k // folds)
             for k in range(args.cells)]
    hook_s = [0.0]
    compact_cpu = [0.0]
    with tempfile.TemporaryDirectory() as tmp:
        progress = RunProgress(Console(stderr=True), bar=False, interval_s=5.0)
        log = RunLog(Path(tmp) / "run.log")

        def on_result(result) -> None:  # type: ignore[no-untyped-def]
            log.cell(result.row)
            progress.result(result.row)

        store = Store(Path(tmp) / "s")
        original = store.write

        def timed_write(*a, **kw):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                hook_s[0] += time.perf_counter() - t

        store.write = timed_write  # type: ignore[method-assign]
        compact = store.compact

        def timed_compact(*a, **kw):  # type: ignore[no-untyped-def]
            c = cpu_s()
            try:
                return compact(*a, **kw)
            finally:
                compact_cpu[0] += cpu_s() - c

        store.compact = timed_compact  # type: ignore[method-assign]
        progress.start(len(cells))
        c0, t0 = cpu_s(), time.perf_counter()
        summary = run_cells(cells, store, workers=args.workers, timeout_s=600, on_result=on_result)
        wall, cpu = time.perf_counter() - t0, cpu_s() - c0 - compact_cpu[0]
        progress.stop()
        log.close()
    n = summary.done
    print(f"{n} cells, {args.workers} workers: wall {wall:.1f} s (worker start-up included), "
          f"{summary.statuses}")
    print(f"driver CPU {1000 * cpu / n:.2f} ms/cell without the final compaction "
          f"({compact_cpu[0]:.2f} s CPU); store write {1000 * hook_s[0] / n:.2f} ms/cell (wall); "
          f"busy share {cpu / wall:.2f}; the driver alone could sustain {n / cpu:.0f} cells/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
