"""Metrics. Importing this package registers the built-in metrics (bench.metrics.scores)."""

from bench.metrics.inputs import ScoreInput, minority_class
from bench.metrics.registry import (
    METRICS,
    Direction,
    Metric,
    check_tunable,
    get_metric,
    metric,
    metric_names,
    register,
    tunable_metrics,
)
from bench.metrics.scores import ECE_BINS, score_all
from bench.metrics.tables import (
    confusion_columns,
    confusion_table,
    per_class_columns,
    per_class_table,
)

__all__ = ["ECE_BINS", "METRICS", "Direction", "Metric", "ScoreInput", "check_tunable",
           "confusion_columns", "confusion_table", "get_metric", "metric", "metric_names", "minority_class", "per_class_columns", "per_class_table",
           "register", "score_all", "tunable_metrics"]
