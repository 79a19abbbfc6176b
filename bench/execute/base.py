"""The one executor interface: cells in, exactly one result per cell out, written by the driver.

Why: the local process pool and a distributed engine must be interchangeable behind `bench run`,
and neither may write the store itself: `execute` writes each result durably as soon as it
arrives (the `cells` row last), counts statuses, and compacts the store at the end, whatever
happened (Ctrl-C keeps everything finished).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.core.cell import Cell, CellResult
from bench.execute.signals import sigterm_as_interrupt, stop_signal
from bench.core.errors import StoreError
from bench.store import Store

ResultHook = Callable[[CellResult], None]


@dataclass
class RunSummary:
    total: int = 0
    statuses: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0
    interrupted: bool = False
    stop_signal: int = 0  # the signal that interrupted the run (SIGINT, SIGTERM), 0 if none

    @property
    def exit_code(self) -> int:
        """0, or 128 + the signal for an interrupted run (130 Ctrl-C, 143 SIGTERM)."""
        return 128 + self.stop_signal if self.interrupted else 0

    @property
    def done(self) -> int:
        return sum(self.statuses.values())


def fit_groups(cells: Sequence[Cell]) -> list[list[Cell]]:
    """Cells grouped by their fit (`Cell.fit_id`: every field but the decision rule), in
    first-seen order.

    Why: the decision rules of one fit share it (`bench.protocol.fitting.fit_cell` keeps the
    last fit of a worker process), so an executor runs a group back to back on one worker.
    """
    groups: dict[tuple[object, ...], list[Cell]] = {}
    for cell in cells:
        groups.setdefault(cell.fit_id, []).append(cell)
    return list(groups.values())


class Executor(ABC):
    """Runs cells somewhere; calls `on_result` in the driver once per cell, failures included.

    A new engine (e.g. a distributed one) subclasses this and implements `map`; it must turn
    every failure (exception, crash, timeout) into a result row (`bench.protocol.failure_result`)
    rather than raise, and it never touches the store.
    """

    name: str = ""

    @abstractmethod
    def map(self, cells: Sequence[Cell], on_result: ResultHook) -> None:
        """Run every cell; `on_result(result)` for each as soon as it exists."""


def execute(cells: Sequence[Cell], store: Store, executor: Executor,
            on_result: ResultHook | None = None) -> RunSummary:
    """Run cells with `executor`, writing each result to the store as soon as it exists."""
    from bench.store.provenance import provenance

    summary = RunSummary(total=len(cells))
    t0 = time.monotonic()

    def record(result: CellResult) -> None:
        store.write(result, provenance())
        summary.statuses[result.row["status"]] += 1
        if on_result is not None:
            on_result(result)

    failed = False
    with sigterm_as_interrupt():  # SIGTERM: stop, keep, compact, like Ctrl-C
        try:
            if cells:
                executor.map(cells, record)
        except KeyboardInterrupt as exc:
            summary.interrupted = True
            summary.stop_signal = stop_signal(exc)
        except BaseException:
            failed = True
            raise
        finally:
            summary.elapsed_s = time.monotonic() - t0
            try:
                store.compact()
            except StoreError:
                if not failed:  # a run already failing (a full disk) reports its one error
                    raise
    return summary
