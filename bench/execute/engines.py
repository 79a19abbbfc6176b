"""Choosing the executor of a run (`--executor local|dask`) and checking its options first.

Why: a wrong engine option must fail in seconds with one message, before the store is opened
or any cell runs (an unreachable scheduler used to mean a long hang, then a traceback).
"""

from __future__ import annotations

from bench.core.cell import RunOptions
from bench.core.errors import CommandError
from bench.core.vocab import DASK, EXECUTORS, LOCAL
from bench.execute.base import Executor


def check_executor(executor: str = LOCAL, scheduler: str | None = None, retries: int = 1,
                   workers: int | None = None, connect: bool = True) -> None:
    """Refuse engine options that cannot work; `connect` also checks the scheduler listens."""
    if executor not in EXECUTORS:
        raise CommandError(f"--executor {executor!r}: allowed: {', '.join(EXECUTORS)}")
    if retries < 0:
        raise CommandError(f"--retries {retries}: allowed: 0 or a positive number of new "
                           "attempts for a cell whose Dask worker died")
    if executor != DASK:
        if scheduler is not None:
            raise CommandError(f"--scheduler {scheduler}: only with --executor dask")
        return
    if workers == 0:
        raise CommandError("--workers 0 (in-process) is for --executor local; allowed with dask: "
                           "a positive number of worker processes")
    if scheduler is not None:
        from bench.execute.dask import check_reachable, parse_scheduler

        if workers is not None:
            raise CommandError(f"--workers {workers} with --scheduler: the scheduler's workers are "
                               "the ones started with `dask worker`; drop --workers")
        parse_scheduler(scheduler)
        if connect:
            check_reachable(scheduler)


def make_executor(executor: str = LOCAL, *, workers: int | None = None, threads: int = 1,
                  timeout_s: float = 600.0, device: str = "cpu",
                  options: RunOptions | None = None, scheduler: str | None = None,
                  retries: int = 1, memory_limit: int | None = None) -> Executor:
    """The executor named by `--executor`, built from the run's options."""
    if executor == DASK:
        from bench.execute.dask import DaskExecutor

        return DaskExecutor(scheduler, workers, threads, timeout_s, device, options, retries,
                            memory_limit=memory_limit)
    from bench.execute.local import LocalExecutor

    return LocalExecutor(workers, threads, timeout_s, device, options, memory_limit=memory_limit)
