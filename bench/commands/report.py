"""`bench report`: a store in, one self-contained HTML file out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bench.analysis.report_data import ReportData, report_data
from bench.core.errors import CommandError, StoreError
from bench.core.plugins import load_plugins
from bench.store import Store, read_cells, read_meta, store_metric
from bench.store.schema import INSPECT_TABLE

CHILD_TABLES = ("per_class", "confusion", "curves")


def read_inspect(store: str | Path) -> pd.DataFrame | None:
    """The store's `inspect` table (`bench inspect`), None when it has none."""
    return Store(store).read_whole(INSPECT_TABLE)


@dataclass
class ReportResult:
    path: Path
    n_bytes: int
    data: ReportData


def build_report(store: str | Path, output: str | Path, metric: str | None = None,
                 contender: str | None = None, where: str | list[str] | None = None) -> ReportResult:
    """Read the store, compute every section (`bench.analysis.report_data`), draw the page
    (`bench.report.html`) and write it to `output` (its directory is created)."""
    from bench.analysis.tasks import metric_direction, parse_contender, resolve_contender
    from bench.analysis.where import filter_where, parse_where, where_text
    from bench.report.html import render

    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) can be reported
    out = Path(output)
    if out.exists() and out.is_dir():
        raise CommandError(f"-o {output}: is a directory; allowed: an HTML file path")
    axes = parse_contender(contender)
    cells = read_cells(store)
    axes = resolve_contender(contender, cells)  # + tuning when the store varies it
    metric = metric or store_metric(store)
    if metric not in cells.columns:
        raise StoreError(f"metric {metric!r} is not in this store; run `bench rescore` to add it")
    direction = metric_direction(metric)
    missing = [a for a in axes if a not in cells.columns]
    if missing:
        raise CommandError(f"--contender {','.join(missing)}: not a column of this store")
    parsed = parse_where(where)
    cells = filter_where(cells, parsed)
    s = Store(store)
    tables = {"cells": cells, **{t: s.read(t) for t in CHILD_TABLES},
              INSPECT_TABLE: read_inspect(store)}
    data = report_data(tables, read_meta(store), metric, direction, axes, where_text(parsed))
    page = render(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return ReportResult(out, len(page.encode("utf-8")), data)
