"""The store benchmarks (benchmarks/store_write.py, store_resume.py) still run: their helper
that copies a real result under new cell ids is what both measure with, and it broke once
silently when CellResult stopped being a dataclass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_renamed_results_are_stored_as_distinct_cells_with_every_table(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from store_write import real_result, renamed
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from bench.store import Store
    from bench.store.provenance import provenance

    base = real_result(True)
    store = Store(tmp_path / "s")
    copies = [renamed(base, i) for i in range(3)]
    for result in copies:
        store.write(result, provenance())
    store.compact()
    store.close()
    ids = {r.row["cell_id"] for r in copies}
    assert len(ids) == 3 and base.row["cell_id"] not in ids
    reader = Store(tmp_path / "s")
    cells = reader.read("cells")
    assert set(cells["cell_id"]) == ids
    for table in ("per_class", "confusion", "predictions"):
        got = reader.read(table)
        assert set(got["cell_id"]) == ids
        assert len(got) == 3 * len(getattr(base, table))


def test_store_write_benchmark_runs_end_to_end() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "store_write.py"), "--cells", "20"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "journal" in done.stdout
