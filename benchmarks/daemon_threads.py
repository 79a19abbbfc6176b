"""A forest's predict_proba inside a daemon process, as in an executor worker: joblib's default
backend against the threading backend that every cell runs under (`bench.protocol.run_cell`).

Why: the local engine's workers (and the Dask sandboxes' children) are daemon processes, where
joblib's default, process-based backend gives up with "Loky-backed parallel loops cannot be
called in a multiprocessing, setting n_jobs=1": a random forest predicted on one thread whatever
the cell's thread budget (seed (c) on 16 threads: predict_s ~10 s a fit). This measures what the
threading backend gives back, both variants interleaved in one daemon process on one fitted
forest, and counts the fallback warnings.

    python benchmarks/daemon_threads.py                  # 2 threads, 300 trees, 30,000 rows
    python benchmarks/daemon_threads.py --threads 16     # on a bigger machine
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from others import Others  # noqa: E402  (benchmarks/others.py, beside this script)


def measure(queue: mp.Queue, threads: int, rows: int, trees: int, repeats: int) -> None:
    import warnings

    from joblib import parallel_config
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    X, y = make_classification(n_samples=2 * rows, n_features=20, n_informative=10,
                               random_state=0)
    forest = RandomForestClassifier(n_estimators=trees, n_jobs=threads, random_state=0)
    forest.fit(X[:rows], y[:rows])
    times: dict[str, list[float]] = {"default": [], "threading": []}
    fallbacks = {"default": 0, "threading": 0}
    for _ in range(repeats):
        for backend in times:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                t0 = time.perf_counter()
                if backend == "threading":
                    with parallel_config(backend="threading"):
                        forest.predict_proba(X[rows:])
                else:
                    forest.predict_proba(X[rows:])
                times[backend].append(time.perf_counter() - t0)
            fallbacks[backend] += sum("n_jobs=1" in str(w.message) for w in caught)
    queue.put((times, fallbacks))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rows", type=int, default=30_000, help="fit rows, and as many predicted")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    with Others() as others:
        proc = ctx.Process(target=measure, daemon=True,
                           args=(queue, args.threads, args.rows, args.trees, args.repeats))
        proc.start()
        times, fallbacks = queue.get()
        proc.join()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"predict_proba of {args.trees} trees on {args.rows:,} rows, n_jobs={args.threads}, "
          f"in a daemon process, median of {args.repeats}:")
    for k in times:
        print(f"  {k:9s} {med[k]:.3f} s  (tries {', '.join(f'{t:.3f}' for t in times[k])}; "
              f"n_jobs=1 fallbacks: {fallbacks[k]})")
    print(f"  threading is {med['default'] / med['threading']:.2f}x faster; {others}")


if __name__ == "__main__":
    main()
