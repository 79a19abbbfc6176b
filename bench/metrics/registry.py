"""Metric registry: named scores with a direction, and the metrics a decision rule can tune for.

Why: suites, leaderboards, the CI gate and decision rules all name metrics; one registry (the
core `Registry`, registration order = column order of the cells table) gives each its direction
and whether it needs probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bench.core.errors import MetricError
from bench.core.registry import Registry

if TYPE_CHECKING:
    from bench.metrics.inputs import ScoreInput

Direction = Literal["max", "min"]
DIRECTIONS = ("max", "min")


@dataclass(frozen=True)
class Metric:
    """A named score plus what leaderboards need to rank by it."""

    name: str
    direction: Direction
    needs_proba: bool
    fn: Callable[[ScoreInput], float]
    description: str

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"metric {self.name!r}: direction must be 'max' or 'min'")


METRICS: Registry[Metric] = Registry("metric")


def register(metric: Metric) -> Metric:
    """Add ``metric`` to the registry; a second metric under the same name raises."""
    return METRICS.register(metric)


def get_metric(name: str) -> Metric:
    """The registered metric ``name``; `UnknownName` (a KeyError) naming the allowed names."""
    return METRICS.get(name)


def metric_names() -> list[str]:
    """All metric names, in registration order (the column order of the cells table)."""
    return METRICS.ordered()


def metric(name: str, direction: Direction = "max", needs_proba: bool = False,
           description: str = ""):
    """Decorator registering `fn(inp: ScoreInput) -> float` as a metric."""
    return METRICS.decorator(lambda fn: Metric(name, direction, needs_proba, fn, description))


def tunable_metrics() -> list[str]:
    """Metrics a `tuned` decision rule can maximise: those computed from predicted labels alone."""
    return [n for n in metric_names() if not METRICS.get(n).needs_proba]


def check_tunable(name: str, where: str = "decision") -> None:
    allowed = tunable_metrics()
    if name not in allowed:
        raise MetricError(f"{where}: metric {name!r} cannot be tuned for; allowed (metrics of "
                          f"predicted labels): {', '.join(allowed)}")
