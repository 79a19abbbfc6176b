"""`bench baseline update SUITE`: refresh the committed CI baseline deliberately.

Why: `bench compare` gates CI against `results/baselines/<suite name>/`. That store must only
change on purpose (a protocol change, an accepted quality change, a library upgrade), and must
never be left half-written: the suite is run from scratch into a fresh temporary store next to
the baseline, compacted to one file per table, and only then swapped in place of the old one
(two renames on the same filesystem). A run that is interrupted, or that has failed cells
(unless allowed), leaves the old baseline untouched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.core.cell import CellResult
from bench.core.errors import BenchError, CommandError
from bench.core.vocab import FINISHED, LOCAL
from bench.execute import RunSummary
from bench.execute.engines import check_executor
from bench.commands.run import RunPlan, check_run_options, run_suite
from bench.commands.stores import store_dir_name
from bench.store import TABLES, Store
from bench.suite import load_suite

DEFAULT_ROOT = Path("results") / "baselines"


class BaselineError(BenchError):
    """The baseline was not replaced (the message says why)."""

    exit_code = 1


@dataclass
class BaselineUpdate:
    path: Path
    summary: RunSummary
    replaced: bool  # an older baseline existed and was replaced


def baseline_path(suite_path: str | Path, root: str | Path = DEFAULT_ROOT) -> Path:
    return Path(root) / store_dir_name(load_suite(suite_path).name)


def _check_compact(store: Store) -> None:
    for table in TABLES:
        d = store.table_dir(table)
        files = list(d.glob("*.parquet")) if d.is_dir() else []
        if len(files) > 1:
            raise BaselineError(f"{d} still holds {len(files)} files after compaction")


def swap_in(new: Path, target: Path) -> bool:
    """Put directory `new` at `target`, replacing what is there; returns whether it replaced."""
    old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
    replaced = target.exists()
    if replaced:
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if replaced:
            os.replace(old, target)  # put the previous baseline back
        raise
    if replaced:
        shutil.rmtree(old, ignore_errors=True)
    return replaced


def update_baseline(suite_path: str | Path, root: str | Path = DEFAULT_ROOT, *,
                    workers: int | None = None, threads: int = 1,
                    timeout_s: float | None = None, allow_failures: bool = False,
                    on_start: Callable[[RunPlan], None] | None = None,
                    on_result: Callable[[CellResult], None] | None = None,
                    executor: str = LOCAL, scheduler: str | None = None,
                    retries: int = 1, memory_limit: str | int | None = None) -> BaselineUpdate:
    """Run the suite (on CPU) into a temporary store and swap it in as `<root>/<suite name>`
    (without a run.log: the committed baseline holds results only)."""
    check_run_options(workers, threads, timeout_s, memory_limit=memory_limit)
    check_executor(executor, scheduler, retries, workers)
    suite = load_suite(suite_path)
    if Path(root).exists() and not Path(root).is_dir():
        raise CommandError(f"--root {root}: is a file; allowed: a directory of baselines")
    root = Path(root)
    target = root / store_dir_name(suite.name)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{suite.name}-{uuid.uuid4().hex[:8]}"
    try:
        _, summary = run_suite(suite_path, tmp, workers=workers, threads=threads,
                               timeout_s=timeout_s, fresh=True, device="cpu",
                               on_start=on_start, on_result=on_result,
                               executor=executor, scheduler=scheduler, retries=retries,
                               memory_limit=memory_limit, log=False)
        if summary.interrupted:
            raise BaselineError("the run was interrupted; the baseline was left unchanged")
        failed = {k: v for k, v in summary.statuses.items() if k not in FINISHED}
        if failed and not allow_failures:
            what = ", ".join(f"{v} {k}" for k, v in sorted(failed.items()))
            raise BaselineError(f"{what} cell(s); the baseline was left unchanged "
                                "(use --allow-failures to record failures in the baseline)")
        store = Store(tmp)
        store.compact()
        _check_compact(store)
        if target.exists():  # refused while a run writes the current baseline store
            with Store(target).locked():
                replaced = swap_in(tmp, target)
        else:
            replaced = swap_in(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return BaselineUpdate(target, summary, replaced)
