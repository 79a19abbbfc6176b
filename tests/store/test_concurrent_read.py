"""Readers during compaction: a reader process hammering the store while the writer appends and
compacts (merging, cutting and rewriting segments) never fails and never sees a cell twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from store_cells import PROV, make_cell, ok_result

from bench.store import Store

READER = """
import sys
from pathlib import Path
from bench.store import Store
path, stop = Path(sys.argv[1]), Path(sys.argv[2])
reads, last = 0, 0
while not stop.exists() or reads < 20:
    store = Store(path)
    cells = store.read("cells")
    assert cells["cell_id"].is_unique, "a cell seen twice"
    assert len(cells) >= last, f"rows went from {last} to {len(cells)}"
    last = len(cells)
    per_class = store.read("per_class")
    assert set(per_class["cell_id"]) <= set(store.read("cells", ["cell_id"])["cell_id"]) | set(cells["cell_id"])
    store.finished_ids()
    reads += 1
print(reads, last)
"""


def test_a_reader_during_repeated_compactions_never_fails(tmp_path: Path) -> None:
    path, stop = tmp_path / "store", tmp_path / "stop"
    store = Store(path, segment_cells=5)
    store.write(ok_result(make_cell(0), 0.5), PROV)
    store.compact()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    n = 1
    for round_ in range(15):
        for _ in range(3):
            store.write(ok_result(make_cell(n), 0.5), PROV)
            n += 1
        store.write(ok_result(make_cell(round_ % n), 0.9), PROV)  # rewrites a sealed segment
        store.compact()
    stop.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    reads, last = map(int, out.split())
    assert reads >= 20 and last == n == len(store.read("cells"))
