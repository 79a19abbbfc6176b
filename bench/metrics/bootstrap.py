"""Per-cell bootstrap confidence intervals of the headline metrics.

Why: a single fold's score on a few dozen minority rows is noisy; the interval says how much of a
difference between two cells the test part alone could produce.

Semantics: ``n`` resamples of the test part, drawn with replacement *within each true class*
(stratified: the protocol fixes the test part's class counts, so a resample keeps them), from a
generator seeded by the cell (``derive_seed("bootstrap", cell_id)``: the same cell always gets
the same interval). Each resample is scored with the registry's own metric functions on the
cell's decided labels and scored probabilities (the decision rule is not refitted: the interval
covers the sampling of the test rows, not of the training or validation part). The bounds are
the 2.5th and 97.5th percentiles (percentile method, numpy's linear interpolation) of the values
defined on a resample; resamples where a metric is undefined (NaN) are left out and counted in
the row's warnings. Columns: ``<metric>_lo`` and ``<metric>_hi`` for each HEADLINE metric, and
``bootstrap_n``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from bench.core.ids import derive_seed
from bench.metrics import ScoreInput, get_metric

HEADLINE = ("macro_f1", "balanced_accuracy", "mcc", "pr_auc")
LEVEL = 0.95


def ci_columns(names: Sequence[str] = HEADLINE) -> list[str]:
    """The cells-table columns a bootstrap fills, in order."""
    return [f"{m}_{side}" for m in names for side in ("lo", "hi")] + ["bootstrap_n"]


def bootstrap_seed(cell_id: str) -> int:
    return derive_seed("bootstrap", cell_id)


def stratified_indices(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` rows of resampled row indices (shape (n, len(y))), class counts preserved."""
    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    out = np.empty((n, len(y)), dtype=np.int64)
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        out[:, rows] = rows[rng.integers(0, len(rows), size=(n, len(rows)))]
    return out


def bootstrap_ci(inp: ScoreInput, n: int, seed: int, names: Sequence[str] = HEADLINE,
                 level: float = LEVEL) -> tuple[dict[str, float], list[str]]:
    """Percentile interval of each metric over ``n`` stratified resamples, plus warnings."""
    if n < 1:
        raise ValueError(f"bootstrap needs at least one resample, got {n}")
    metrics = [get_metric(m) for m in names]
    values = np.full((len(metrics), n), np.nan)
    for b, idx in enumerate(stratified_indices(inp.y_true, n, seed)):
        sample = ScoreInput(inp.y_true[idx], inp.y_pred[idx],
                            None if inp.proba is None else inp.proba[idx],
                            inp.n_classes, inp.train_counts, inp.minority)
        for j, m in enumerate(metrics):
            if m.needs_proba and sample.proba is None:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the point estimate already reports them
                try:
                    values[j, b] = float(m.fn(sample))
                except Exception:  # noqa: BLE001 — undefined on this resample
                    values[j, b] = math.nan
    tail = 100 * (1 - level) / 2
    out: dict[str, float] = {}
    messages: list[str] = []
    for j, m in enumerate(metrics):
        v = values[j][np.isfinite(values[j])]
        lo, hi = (np.percentile(v, [tail, 100 - tail]) if len(v) else (math.nan, math.nan))
        out[f"{m.name}_lo"], out[f"{m.name}_hi"] = float(lo), float(hi)
        undefined = n - len(v)
        if undefined and not (m.needs_proba and inp.proba is None):
            messages.append(f"bootstrap: {m.name} undefined on {undefined} of {n} resamples")
    out["bootstrap_n"] = n
    return out, messages
