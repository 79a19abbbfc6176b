"""`bench summary`: the cross-dataset summary of a store (and the end of `bench run`).

Options are checked before the store is read, so a bad `--format`, `--top` or `--alpha` is a
message naming the allowed values, never a half-computed answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bench.analysis.summary import Summary, summarize
from bench.analysis.tasks import COST_COLUMNS, FOLD_COLUMNS, parse_contender, resolve_contender
from bench.analysis.where import WHERE_KEYS
from bench.core.errors import CommandError, StoreError
from bench.core.plugins import load_plugins
from bench.store import Store, store_metric
from bench.store.meta import read_meta

FORMATS = ("table", "markdown", "csv", "json")
DEFAULT_TOP = 20  # rows of the table by default: with the lines around it, at most 40 lines


def check_summary_options(fmt: str = "table", top: int | None = None, alpha: float = 0.05) -> None:
    """Refuse values that cannot be rendered or tested, before the store is read."""
    if fmt not in FORMATS:
        raise CommandError(f"--format {fmt!r}: allowed: {', '.join(FORMATS)}")
    if top is not None and top < 1:
        raise CommandError(f"--top {top}: allowed: a positive number of contenders")
    if not 0.0 < alpha < 1.0:
        raise CommandError(f"--alpha {alpha:g}: allowed: a level between 0 and 1 (e.g. 0.05)")


def summary_of_store(store: str | Path, metric: str | None = None,
                     contender: str | Sequence[str] | None = None,
                     task: str | Sequence[str] | None = None,
                     where: str | Sequence[str] | None = None, reference: str | None = None,
                     alpha: float = 0.05, fmt: str = "table", top: int | None = None,
                     n_boot: int = 1000, seed: int = 0) -> Summary:
    """The summary of `metric` (default: the suite's, from meta.json) over the store's tasks."""
    check_summary_options(fmt, top, alpha)
    contender_axes = parse_contender(contender)
    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) can be summarised
    metric = metric or store_metric(store)
    direction = metric_direction(store, metric)
    cells = read_summary_cells(store, metric)
    contender_axes = resolve_contender(contender, cells)  # + tuning when the store varies it
    return summarize(cells, metric, contender_axes, task, where, reference, alpha,
                     n_boot=n_boot, seed=seed, direction=direction)


def metric_direction(store: str | Path, metric: str) -> str:
    """"max" or "min": from the store's meta.json when it records the direction of this metric
    (`bench run` does), else from the metric registry (which imports every metric's
    implementation: scikit-learn and scipy.stats, a second of start-up). An unknown metric is an
    `UnknownName` listing the registered metrics."""
    meta = read_meta(store)
    if meta.get("metric") == metric and meta.get("direction") in ("max", "min"):
        return str(meta["direction"])
    from bench.metrics import get_metric

    return get_metric(metric).direction


def read_summary_cells(store: str | Path, metric: str) -> pd.DataFrame:
    """The columns of the `cells` table a summary reads (axes, status, the metric, cost): on a
    100,000-cell store the wide text columns (cell JSON, parameters, provenance) are most of
    the reading time."""
    st = Store(store)
    if not st.exists():
        raise StoreError(f"{store} is not a results store (no cells table)")
    columns = list(dict.fromkeys(["cell_id", *WHERE_KEYS, *FOLD_COLUMNS, metric, *COST_COLUMNS]))
    cells = st.read("cells", columns)
    if cells.empty:
        raise StoreError(f"no results in {store}")
    return cells
