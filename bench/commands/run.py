"""`bench run`: a suite file in, a results store out (resumable)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from bench.core.cell import Cell, CellResult, RunOptions
from bench.commands.stores import check_results, store_dir
from bench.core.errors import CommandError
from bench.core.units import parse_bytes
from bench.core.vocab import DASK, LOCAL, SKIPPED
from bench.execute import RunSummary, execute
from bench.execute.engines import check_executor, make_executor
from bench.execute.local import run_cells
from bench.execute.progress import LOG_NAME, RunLog
from bench.protocol import failure_result
from bench.protocol.rows import identity_row
from bench.store import Store
from bench.suite import Suite, load_suite, plan


@dataclass
class RunPlan:
    suite: Suite
    store: Store
    todo: list
    n_cells: int
    n_finished: int
    n_skipped: int
    quarantined: list = field(default_factory=list)  # damaged files moved aside (their cells re-run)
    n_left_out: int = 0  # unfinished cells a `--where` filter leaves for another run
    where: str = ""  # the filter, in its canonical form ("" for none)


DEVICE = re.compile(r"cpu|cuda(:\d+)?")


def check_run_options(workers: int | None = None, threads: int = 1,
                      timeout_s: float | None = None, device: str = "cpu",
                      results: str | Path | None = None,
                      memory_limit: str | int | None = None) -> int | None:
    """Refuse command-line values that cannot work, before anything runs (a negative worker
    count used to hang the pool; a zero timeout kills every cell). Returns the memory limit in
    bytes (None: none given)."""
    limit = None
    if memory_limit is not None:
        try:
            limit = parse_bytes(memory_limit)
        except ValueError as exc:
            raise CommandError(f"--memory-limit {exc}") from None
    if workers is not None and workers < 0:
        raise CommandError(f"--workers {workers}: allowed: 0 (in-process, no isolation) or a "
                           "positive number of worker processes")
    if threads < 1:
        raise CommandError(f"--threads {threads}: allowed: a positive number of threads per cell")
    if timeout_s is not None and not timeout_s > 0:
        raise CommandError(f"--timeout {timeout_s:g}: allowed: a positive number of seconds")
    if not DEVICE.fullmatch(device):
        raise CommandError(f"--device {device!r}: allowed: cpu, cuda, cuda:N (N a GPU index)")
    check_results(results)
    return limit


def default_store(suite: Suite, results: str | Path | None) -> Store:
    return Store(store_dir(suite.name, results))


def select_cells(cells: list[Cell], where: Mapping[str, Sequence[str]]) -> set[str]:
    """The ids of the cells a `--where` filter keeps (every id when there is none).

    Why: one suite, several machines: `--where model=dnn --device cuda` on a GPU machine, the
    rest on CPUs, into one store (the resume of each run skips what the other finished). The
    filter is the answers' (`bench.analysis.where`: same syntax, same errors) applied to the
    identity columns the cells' rows will have, so a key or value the suite lacks is refused
    with the allowed ones before anything runs. `where` is parsed (`parse_where`).
    """
    if not where or not cells:
        return {c.cell_id for c in cells}
    import pandas as pd

    from bench.analysis.where import filter_where

    frame = pd.DataFrame([identity_row(c) for c in cells])
    return set(filter_where(frame, where, scope="this suite")["cell_id"])


def prepare(suite_path: str | Path, results: str | Path | None = None, fresh: bool = False,
            wait_s: float = 0.0, where: str | list[str] | None = None) -> RunPlan:
    """Validate the suite, open the store, record skips, and list the cells still to run (those
    `where` selects; see `select_cells`). `fresh` empties the store; with `where`, it recomputes
    only the selected cells and keeps every other row."""
    from bench.analysis.where import parse_where, where_text

    suite = load_suite(suite_path)
    parsed = parse_where(where)  # a malformed filter is refused before the suite is planned
    where_line = where_text(parsed)
    cells, skipped = plan(suite)
    kept = select_cells(cells + [c for c, _ in skipped], parsed)  # refused before any write
    store = default_store(suite, results)
    store.acquire(wait_s)  # the writer lock, held until run_suite ends: a second run is refused
    try:
        if fresh and not where_line:
            store.clear()
        finished, quarantined = store.resume()  # damaged files moved aside: their cells re-run
        if fresh and where_line:
            # recompute what the filter selects, keep the rest: the new rows replace the old
            # ones of the same cells (the store's newest-wins rule), as after a fix to one model
            finished -= kept
        from bench.store.provenance import provenance

        for cell, reason in skipped:
            if cell.cell_id not in finished and cell.cell_id in kept:
                store.write(failure_result(cell, SKIPPED, reason), provenance())
        left = [c for c in cells if c.cell_id not in finished]
        todo = [c for c in left if c.cell_id in kept]
        from bench.metrics import get_metric

        # direction: lets `bench summary` rank by the suite's metric without importing the
        # metric implementations (scikit-learn, scipy.stats: most of its 2-second budget)
        store.write_meta({"suite": suite.name, "metric": suite.metric,
                          "direction": get_metric(suite.metric).direction,
                          "n_cells": len(cells) + len(skipped)})
    except BaseException:
        store.release()
        raise
    return RunPlan(suite, store, todo, len(cells) + len(skipped), len(cells) - len(left),
                   len(skipped), quarantined, len(left) - len(todo), where_line)


def run_options(suite: Suite) -> RunOptions:
    """The suite's output options (not part of any cell's identity)."""
    return RunOptions(store_predictions=suite.store_predictions, bootstrap=suite.bootstrap)


def run_suite(suite_path: str | Path, results: str | Path | None = None, *,
              workers: int | None = None, threads: int = 1, timeout_s: float | None = None,
              fresh: bool = False, device: str = "cpu",
              on_start: Callable[[RunPlan], None] | None = None,
              on_result: Callable[[CellResult], None] | None = None,
              executor: str = LOCAL, scheduler: str | None = None,
              retries: int = 1, memory_limit: str | int | None = None,
              log: bool = True, wait_s: float = 0.0,
              where: str | list[str] | None = None) -> tuple[RunPlan, RunSummary]:
    """Check the options, prepare the store and run what is left; on_start sees the plan.

    `executor` local (this machine's process pool) or dask (`scheduler` an address, or None for
    an embedded local cluster; `retries`: new attempts for a cell whose Dask worker died).
    `memory_limit` (e.g. "4GB"; default: the suite's `memory_limit`) caps each cell's resident
    memory. `log`: append to `<store>/run.log` (start, options, one line per cell, end).
    `where`: run only the cells this filter selects (`select_cells`).
    """
    limit = check_run_options(workers, threads, timeout_s, device, results, memory_limit)
    check_executor(executor, scheduler, retries, workers)
    if not wait_s >= 0:
        raise CommandError(f"--wait {wait_s:g}: allowed: 0 (refuse at once when another run "
                           "writes the store) or a positive number of seconds")
    rp = prepare(suite_path, results, fresh, wait_s, where)  # holds the store's writer lock
    try:
        if on_start is not None:
            on_start(rp)
        limit = limit if limit is not None else rp.suite.memory_limit
        with RunLog(rp.store.path / LOG_NAME) if log else nullcontext() as run_log:
            if run_log is not None:
                run_log.start(suite=rp.suite.name, store=str(rp.store.path), cells=rp.n_cells,
                              finished=rp.n_finished, skipped=rp.n_skipped, todo=len(rp.todo),
                              executor=executor, scheduler=scheduler, workers=workers,
                              threads=threads, timeout_s=timeout_s or rp.suite.timeout_s,
                              memory_limit=limit, device=device, fresh=fresh,
                              **({"where": rp.where, "left_out": rp.n_left_out} if rp.where else {}))

                def logged(result: CellResult, then: Callable[[CellResult], None] | None = on_result) -> None:
                    run_log.cell(result.row)
                    if then is not None:
                        then(result)

                hook: Callable[[CellResult], None] | None = logged
            else:
                hook = on_result
            rp, summary = _execute(rp, hook, workers=workers, threads=threads, timeout_s=timeout_s,
                                   device=device, executor=executor, scheduler=scheduler,
                                   retries=retries, memory_limit=limit)
            if run_log is not None:
                run_log.end(summary.statuses, summary.elapsed_s, summary.interrupted,
                            summary.stop_signal)
        return rp, summary
    finally:
        rp.store.release()


def _execute(rp: RunPlan, on_result: Callable[[CellResult], None] | None, *,
             workers: int | None, threads: int, timeout_s: float | None, device: str,
             executor: str, scheduler: str | None, retries: int,
             memory_limit: int | None) -> tuple[RunPlan, RunSummary]:
    if executor == DASK:
        engine = make_executor(DASK, workers=workers, threads=threads,
                               timeout_s=timeout_s or rp.suite.timeout_s, device=device,
                               options=run_options(rp.suite), scheduler=scheduler, retries=retries,
                               memory_limit=memory_limit)
        return rp, execute(rp.todo, rp.store, engine, on_result)
    summary = run_cells(rp.todo, rp.store, workers=workers, threads=threads,
                        timeout_s=timeout_s or rp.suite.timeout_s, device=device,
                        on_result=on_result, options=run_options(rp.suite),
                        memory_limit=memory_limit)
    return rp, summary
