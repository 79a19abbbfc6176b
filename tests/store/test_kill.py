"""SIGKILL of the writing process loses no finished cell: not while appending, not while
compacting (every row stays readable in at least one file, exactly once for readers)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from store_cells import make_cell

from bench.store import Store

WRITER = """
import sys
sys.path.insert(0, sys.argv[3])
from bench.store import Store
from store_cells import PROV, make_cell, ok_result
store, start = Store(sys.argv[1], segment_cells=7), int(sys.argv[2])
for i in range(start, start + 10_000):
    store.write(ok_result(make_cell(i), 0.5), PROV)
    print(i, flush=True)  # only once write() returned: the cell is finished
    if i % 5 == 4:
        store.compact()
"""


def run_and_kill(path: Path, start: int, after_s: float) -> int:
    """Start a writer at cell `start`, SIGKILL it after `after_s`; the last cell it finished."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(start),
                             str(Path(__file__).parent)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # started writing
    assert first.strip() == str(start)
    time.sleep(after_s)
    proc.send_signal(signal.SIGKILL)
    out = first + proc.stdout.read()
    proc.wait()
    return int(out.split()[-1])


def test_sigkill_while_appending_and_compacting_loses_no_finished_cell(tmp_path: Path) -> None:
    rng = random.Random(0)
    path, start = tmp_path / "store", 0
    for _ in range(4):
        last = run_and_kill(path, start, rng.uniform(0.2, 1.0))
        cells = Store(path).read("cells")  # as a reader sees it: journal, segments, leftovers
        assert cells["cell_id"].is_unique
        finished = {make_cell(i).cell_id for i in range(last + 1)}
        assert finished <= set(cells["cell_id"]) <= finished | {make_cell(last + 1).cell_id}
        start = len(cells)
    store = Store(path)
    store.compact()  # the next writer cleans up whatever the kills left
    assert not list(path.rglob(".tmp-*"))
    cells = store.read("cells")
    assert len(cells) == start and len(store.read("per_class")) == 2 * start
