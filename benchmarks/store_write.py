"""Per-cell store write time: the journal (now) against four parquet files per cell (before).

Why: the driver writes every result as it arrives; at ~40 ms per cell through pandas and
parquet the driver became the bottleneck of fast cells and many workers. Both methods keep the
"SIGKILL loses no finished cell" guarantee (a journal frame is in the file when `write`
returns; a part file is renamed into place). One real cell result (wine, logistic regression,
predictions stored) is written N times under distinct cell ids, by each method, into fresh
temporary stores; the medians are per cell and include the provenance stamp.

    python benchmarks/store_write.py              # 300 cells per method
    python benchmarks/store_write.py --cells 50   # a quick check
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def real_result(store_predictions: bool):  # type: ignore[no-untyped-def]
    from bench.core.cell import Cell, Component, RunOptions
    from bench.protocol import run_cell_safely

    cell = Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("logistic"))
    result = run_cell_safely(cell, options=RunOptions(store_predictions=store_predictions))
    assert result.row["status"] == "ok", result.row["error"]
    return result


def renamed(result, i: int):  # type: ignore[no-untyped-def]
    """The same result under a distinct cell id (every table)."""
    cid = f"{i:016x}{uuid.uuid4().hex}"
    from bench.core.cell import CellResult

    tables = {}
    for t in ("per_class", "confusion", "curves", "predictions", "trials"):
        df = getattr(result, t)
        tables[t] = df.assign(cell_id=cid) if df is not None and not df.empty else df
    return CellResult({**result.row, "cell_id": cid}, **tables)


def write_before(path: Path, result, prov: dict) -> None:  # type: ignore[no-untyped-def]
    """The previous per-cell write: each child table, then the cells row, as its own parquet
    part file through pandas (temporary file, then rename)."""
    import pandas as pd

    from bench.store.schema import SCHEMA_VERSION, conform_cells

    cid = result.row["cell_id"]
    stamp = f"{time.time_ns():020d}"

    def atomic(df: pd.DataFrame, target: Path) -> None:
        tmp = target.with_name(f".tmp-{uuid.uuid4().hex}-{target.name}")
        df.to_parquet(tmp, index=False)
        os.replace(tmp, target)

    for table in ("per_class", "confusion", "curves", "predictions"):
        df = getattr(result, table)
        if df is None or df.empty:
            continue
        (path / table).mkdir(parents=True, exist_ok=True)
        atomic(df.reset_index(drop=True), path / table / f"part-{stamp}-{cid[:16]}.parquet")
    row = {**result.row, "schema_version": SCHEMA_VERSION, **prov}
    (path / "cells").mkdir(parents=True, exist_ok=True)
    atomic(conform_cells(pd.DataFrame([row])), path / "cells" / f"part-{stamp}-{cid[:16]}.parquet")


def measure(n: int, predictions: bool) -> dict[str, float]:
    from bench.store import Store
    from bench.store.provenance import provenance

    base = real_result(predictions)
    results = [renamed(base, i) for i in range(n)]
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("before", "journal"):
            path = Path(tmp) / name
            store = Store(path)
            times = []
            for r in results:
                t0 = time.perf_counter()
                if name == "before":
                    write_before(path, r, provenance())
                else:
                    store.write(r, provenance())
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            store.compact()
            out[f"{name}_compact_s"] = time.perf_counter() - t0
            assert len(store.read("cells")) == n
            out[f"{name}_ms"] = 1000 * statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=300, help="cells written per method")
    args = parser.parse_args()
    for predictions in (False, True):
        m = measure(args.cells, predictions)
        what = "with predictions" if predictions else "without predictions"
        print(f"{what:>22}: before {m['before_ms']:.2f} ms/cell, journal {m['journal_ms']:.2f} "
              f"ms/cell ({m['before_ms'] / m['journal_ms']:.0f}x); compacting {args.cells} cells "
              f"into a segment: from part files {m['before_compact_s']:.2f} s, from the journal "
              f"{m['journal_compact_s']:.2f} s")


if __name__ == "__main__":
    main()
