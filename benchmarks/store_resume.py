"""Resume time of a store holding 10,000 finished cells (target: < 2 s).

Why: `bench run` on an existing store first compacts it and asks which cells are finished;
with 10^5-cell studies that must not read whole tables. `finished_ids` reads only the `cell_id`
and `status` columns of the segments (and the heads of journal frames). Two cases, each timed
as `Store(path).resume()` (what `bench run` does before planning: compact the files, list the
finished cells, quarantine damaged files):

- after a finished run: everything is in parquet segments, compaction has nothing to do;
- after a killed run: every cell is still in the journal (it is compacted at the end of the
  resumed run, not before it starts).

The store is built from one real cell result (wine, logistic regression) written under N
distinct cell ids.

    python benchmarks/store_resume.py                # 10,000 cells
    python benchmarks/store_resume.py --cells 1000   # a quick check
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store_write import real_result, renamed


def resume_s(path: Path) -> tuple[float, int]:
    from bench.store import Store

    t0 = time.perf_counter()
    finished, _ = Store(path).resume()  # what `bench run` does before planning
    return time.perf_counter() - t0, len(finished)


def main() -> None:
    from bench.store import Store
    from bench.store.provenance import provenance

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10_000)
    args = parser.parse_args()
    base = real_result(store_predictions=False)
    with tempfile.TemporaryDirectory() as tmp:
        journaled, compacted = Path(tmp) / "killed", Path(tmp) / "finished"
        store = Store(journaled)
        t0 = time.perf_counter()
        for i in range(args.cells):
            store.write(renamed(base, i), provenance())
        store.close()
        write_s = time.perf_counter() - t0
        shutil.copytree(journaled, compacted)
        Store(compacted).compact()
        finished, n1 = resume_s(compacted)
        killed, n2 = resume_s(journaled)
        assert n1 == n2 == args.cells
        print(f"{args.cells} cells (written in {write_s:.1f} s): resume after a finished run "
              f"{finished:.2f} s; after a killed run (all in the journal) {killed:.2f} s")


if __name__ == "__main__":
    main()
