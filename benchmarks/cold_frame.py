"""Cold code: the CPU time of a tiny pandas frame right after a second of something else.

Why: on the 2-core development machine (a virtual machine) the per-cell harness work around a
fit costs 3-5x more CPU time when nothing else runs than while other jobs run
(docs/benchmarks.md, "Figures on a quiet machine"). This isolates the effect from the harness:
it builds the same small frame a cell's `per_class` table is (3 rows, 7 columns) right after one
second of a random-forest fit, of a pure-Python loop, of streaming through 64 MB, or of sleeping,
three times each, then once more at once (warm). Compare a run on an idle machine with one while
other jobs run.

    python benchmarks/cold_frame.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.execute.worker import limit_threads  # noqa: E402  (imports nothing heavy)

limit_threads(1)  # one thread, as a worker runs a cell

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402

from others import Others  # noqa: E402  (benchmarks/others.py, beside this script)

RNG = np.random.default_rng(0)
X, Y = RNG.random((1000, 80)), RNG.integers(0, 3, 1000)


def frame_ms() -> float:
    """CPU milliseconds of one `per_class`-shaped frame."""
    t = time.thread_time()
    pd.DataFrame({"cell_id": "c" * 64, "label": ["a", "b", "c"], "precision": np.ones(3),
                  "recall": np.ones(3), "f1": np.ones(3), "support": np.arange(3),
                  "average_precision": np.ones(3)})
    return 1000 * (time.thread_time() - t)


def fit() -> None:
    RandomForestClassifier(330, n_jobs=1, random_state=0).fit(X, Y)  # ~1 s


def spin() -> None:
    t = time.perf_counter()
    while time.perf_counter() - t < 1.0:
        pass


def stream() -> None:
    a, t = np.zeros(64 * 2**20 // 8), time.perf_counter()
    while time.perf_counter() - t < 1.0:
        a += 1.0


def main() -> None:
    frame_ms()  # imports and first-call work out of the way
    before: list[tuple[str, Callable[[], None]]] = [
        ("a random-forest fit", fit), ("a pure-Python loop", spin),
        ("streaming through 64 MB", stream), ("sleeping", lambda: time.sleep(1.0))]
    with Others() as others:
        for name, work in before:
            cold = []
            for _ in range(3):
                work()
                cold.append(frame_ms())
            print(f"after 1 s of {name:<24} {' '.join(f'{ms:6.2f}' for ms in cold)} ms;"
                  f" at once again {frame_ms():5.2f} ms", flush=True)
    print(others)


if __name__ == "__main__":
    main()
