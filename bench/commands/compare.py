"""`bench compare`: two stores in, a comparison (marks per configuration, the gate) out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.analysis.compare import DEFAULT_TOLERANCE, Comparison, compare
from bench.core.errors import CommandError
from bench.core.plugins import load_plugins
from bench.store import read_cells, read_meta, store_metric

ALLOW_FLAG = "--allow-different-suites"


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


def check_same_suite(baseline: str | Path, current: str | Path) -> None:
    """Stores of two different suites share no configuration: every baseline cell would read
    "missing" and every current one "new", a verdict about nothing. Refuse it as a usage error."""
    a, b = read_meta(baseline).get("suite"), read_meta(current).get("suite")
    if a is not None and b is not None and a != b:
        raise CommandError(f"{baseline} holds suite {a!r} but {current} holds suite {b!r}: "
                           f"compare stores of one suite, or pass {ALLOW_FLAG}")


def check_overlap(result: Comparison) -> None:
    """At least one configuration has cells in both stores (else nothing was compared)."""
    configs = result.configs
    if configs.empty:
        return
    both = (configs["n_baseline"] > 0) & (configs["n_current"] > 0)
    if not both.any():
        raise CommandError(f"no cell of {result.current_name} matches a cell of "
                           f"{result.baseline_name} (different suites or grids?): compare stores "
                           f"of one suite, or pass {ALLOW_FLAG}")


def compare_stores(baseline: str | Path, current: str | Path, metrics: Sequence[str] | None = None,
                   *, allow_different_suites: bool = False, **kwargs: object) -> Comparison:
    """`compare` over two store directories; metrics default to the baseline suite's metric.

    Unless `allow_different_suites`, stores of different suites (meta.json) or without a single
    matching cell are a `CommandError` (exit 2), not a wall of "missing" and "new".
    """
    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) have directions too
    if not allow_different_suites:
        check_same_suite(baseline, current)
    metrics = list(metrics or [store_metric(baseline)])
    result = compare(read_cells(baseline), read_cells(current), metrics, **kwargs)  # type: ignore[arg-type]
    result.baseline_name, result.current_name = str(baseline), str(current)
    if not allow_different_suites:
        check_overlap(result)
    return result
