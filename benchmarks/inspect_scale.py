"""`bench inspect` at scale: one 600,000 x 80 table inspected end to end, timed.

Target (issue 13): under 2 minutes on 2 cores with the defaults (a stratified sample of
10,000 rows for the neighbours, the ceiling and the projection; Fisher ratios on all rows).
The table is `seed-overlap` (80 features) with `--rows` rows; the time to generate it is
reported apart, since a user's table is read, not generated.

    python benchmarks/inspect_scale.py                 # 600,000 rows, 2 threads
    python benchmarks/inspect_scale.py --rows 60000    # a quick check

Prints the seconds of each step and in all, and the class-2 verdict (it must stay
`overlapping` at any size). Exits 1 when the total is over `--target-s` (default 120).
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager


@contextmanager
def timed(name: str, times: dict[str, float]):  # noqa: ANN201
    start = time.perf_counter()
    yield
    times[name] = time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sample", type=int, default=None, help="default: bench's default")
    parser.add_argument("--projection", default="pca")
    parser.add_argument("--target-s", type=float, default=120.0)
    args = parser.parse_args(argv)

    import numpy as np
    from threadpoolctl import threadpool_limits

    from bench.data.sources.synthetic import seed_overlap
    from bench.inspect import analyze, ceiling, encode, overlap, projection, separability, sample
    from bench.inspect.analyze import DEFAULT_SAMPLE, InspectOptions

    size = args.sample or DEFAULT_SAMPLE
    opts = InspectOptions(sample=size, projection=args.projection, threads=args.threads)
    times: dict[str, float] = {}
    with threadpool_limits(args.threads):
        with timed("generate (not counted)", times):
            ds = seed_overlap(args.rows, 0.97, 2.0, 1.0, 0)
        start = time.perf_counter()
        with timed("encode", times):
            X, names = encode.encode(ds.X, ds.categorical)
        with timed("sample", times):
            rows = sample.stratified_sample(ds.y, size, opts.seed)
        with timed("k-NN overlap", times):
            nb = overlap.neighbour_indices(X[rows], opts.k)
            overlap.overlap_matrix(ds.y[rows], nb, ds.n_classes, opts.k)
        with timed("ceiling (forest)", times):
            ceiling.recall_ceiling(X[rows], ds.y[rows], ds.n_classes, opts.seed, opts.threads)
        with timed("separability", times):
            separability.separability(X, ds.y, names, ds.n_classes, rows, opts.seed)
        with timed("projection", times):
            pick = sample.stratified_sample(ds.y[rows], projection.MAX_POINTS, opts.seed, 20)
            projection.project(X[rows][pick], opts.projection, opts.seed)
        steps_s = time.perf_counter() - start
        with timed("inspect_dataset (all steps, as bench inspect runs them)", times):
            ins = analyze.inspect_dataset(ds, opts)
    for name, s in times.items():
        print(f"{name:<58} {s:8.1f} s")
    total = times["inspect_dataset (all steps, as bench inspect runs them)"]
    print(f"{args.rows:,} x {X.shape[1]} rows, sample {ins.n_sample:,}, {args.threads} threads: "
          f"{total:.1f} s (steps timed one by one: {steps_s:.1f} s); target {args.target_s:g} s")
    print(ins.classes[2].verdict, "|", ins.classes[2].message)
    ok = total <= args.target_s and ins.classes[2].verdict == "overlapping"
    print("OK" if ok else "OVER TARGET or wrong verdict")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
