"""`bench compare`: two stores in, a comparison (marks per configuration, the gate) out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.analysis.compare import DEFAULT_TOLERANCE, Comparison, compare
from bench.core.errors import CommandError
from bench.core.plugins import load_plugins
from bench.store import read_cells, store_metric


def parse_tolerances(values: Sequence[str] | None) -> dict[str, float]:
    """`--tolerance 0.02` (every metric, key "*") and/or `--tolerance log_loss=0.05`."""
    out = {"*": DEFAULT_TOLERANCE}
    for v in values or []:
        name, sep, num = v.rpartition("=")
        try:
            out[name if sep else "*"] = float(num)
        except ValueError:
            raise CommandError(f"--tolerance {v!r}: expected T or METRIC=T with a number T") from None
    return out


def compare_stores(baseline: str | Path, current: str | Path, metrics: Sequence[str] | None = None,
                   **kwargs: object) -> Comparison:
    """`compare` over two store directories; metrics default to the baseline suite's metric."""
    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) have directions too
    metrics = list(metrics or [store_metric(baseline)])
    result = compare(read_cells(baseline), read_cells(current), metrics, **kwargs)  # type: ignore[arg-type]
    result.baseline_name, result.current_name = str(baseline), str(current)
    return result
