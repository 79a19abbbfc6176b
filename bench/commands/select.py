"""`bench select`: read a store, write its decision record (markdown, optionally JSON).

Options are checked before the store is read; the record names its source by the store's
directory name and suite (never a machine path), so the same store gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.analysis.decision_record import PREFER, DecisionRecord, decision_record
from bench.analysis.tasks import parse_contender, resolve_contender
from bench.analysis.where import parse_where
from bench.core.errors import CommandError
from bench.core.plugins import load_plugins
from bench.report.decision import decision_json, decision_markdown
from bench.commands.report import read_inspect
from bench.store import read_cells, read_meta, store_metric


def select(store: str | Path, metric: str | None = None,
           contender: str | Sequence[str] | None = None, task: str | Sequence[str] | None = None,
           where: str | Sequence[str] | None = None, alpha: float = 0.05, prefer: str = "rank",
           tolerance: float = 0.01, n_boot: int = 1000, seed: int = 0) -> DecisionRecord:
    """The decision record of `metric` (default: the suite's) over the store's tasks."""
    if prefer not in PREFER:
        raise CommandError(f"--prefer {prefer}: allowed: {', '.join(PREFER)}")
    if not 0.0 < alpha < 1.0:
        raise CommandError(f"--alpha {alpha:g}: allowed: a level between 0 and 1 (e.g. 0.05)")
    if not tolerance >= 0:
        raise CommandError(f"--tolerance {tolerance:g}: allowed: 0 or a positive difference in "
                           "metric units (e.g. 0.01)")
    contender_axes = parse_contender(contender)
    conditions = parse_where(where)
    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) can decide
    metric = metric or store_metric(store)
    from bench.metrics import get_metric

    direction = get_metric(metric).direction  # unknown metric: UnknownName listing the metrics
    cells = read_cells(store)
    contender_axes = resolve_contender(contender, cells)  # + tuning when the store varies it
    inspect = read_inspect(store)  # None when the store has no inspection data (bench inspect)
    source = {"store": Path(store).name, "suite": str(read_meta(store).get("suite", ""))}
    return decision_record(cells, metric, contender_axes, task, conditions, alpha=alpha,
                           prefer=prefer, tolerance=tolerance, n_boot=n_boot, seed=seed,
                           inspect=inspect, source=source,
                           direction=direction)


def write_record(record: DecisionRecord, output: str | Path,
                 json_path: str | Path | None = None) -> None:
    """Write the markdown (and the JSON) record, creating parent folders."""
    for path, text in ((output, decision_markdown(record)),
                       (json_path, decision_json(record) if json_path else None)):
        if path is None or text is None:
            continue
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
