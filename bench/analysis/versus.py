"""A against B: a paired comparison of two contenders over matched task x repeat x fold units.

Why: "is the best really better than the DNN baseline?" is asked of two named contenders; the
answer pairs their cells unit by unit (same task, repeat and fold) and tests over tasks, the
independent units (Demšar 2006), reporting the fold-level test only as description.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from bench.analysis.distributions import bootstrap_weights, wilcoxon_columns


def _sign(direction: str) -> float:
    return 1.0 if direction == "max" else -1.0


@dataclass
class PairedComparison:
    """Contender a against b over matched task x repeat x fold units (failed cells at the task's
    worst). `mean_a`, `mean_b`, `mean_diff` (a - b, metric units): means over tasks of the per-task
    means of the matched units, `diff_lo`/`diff_hi` its bootstrap CI over tasks; wins/ties/losses
    count matched units;
    `p_folds`: Wilcoxon over all matched folds (folds of one task are not independent: read it
    as descriptive); `p_tasks`: Wilcoxon over the per-task means (the test to rely on)."""

    a: str
    b: str
    direction: str
    n_pairs: int
    n_tasks: int
    mean_a: float
    mean_b: float
    mean_diff: float
    diff_lo: float
    diff_hi: float
    wins: int
    ties: int
    losses: int
    p_folds: float
    p_tasks: float
    better: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _wilcoxon_p(d: np.ndarray) -> float:
    d = d[~np.isnan(d)]
    if len(d) == 0:
        return float("nan")
    if np.all(d == 0):
        return 1.0
    return float(wilcoxon_columns(d[:, None])[1][0])


def paired_comparison(folds: pd.DataFrame, a: str, b: str, direction: str = "max",
                      n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> PairedComparison:
    """A vs B on the units both have (`folds` of a `TaskMatrix`: task, contender, unit columns,
    value). Units are matched on every column but contender and value."""
    keys = [c for c in folds.columns if c not in ("contender", "value")]
    fa = folds.loc[folds["contender"] == a, [*keys, "value"]]
    fb = folds.loc[folds["contender"] == b, [*keys, "value"]]
    m = fa.merge(fb, on=keys, suffixes=("_a", "_b"), how="inner")
    va, vb = m["value_a"].to_numpy(dtype=float), m["value_b"].to_numpy(dtype=float)
    d = va - vb
    signed = d * _sign(direction)
    per_task = m.assign(d=d).groupby("task", observed=True)[["value_a", "value_b", "d"]].mean()
    pt = per_task["d"].to_numpy(dtype=float)
    if len(pt):
        C = bootstrap_weights(len(pt), n_boot, seed)
        boot = C @ pt / len(pt)
        lo, hi = np.percentile(boot, [50 * (1 - level), 50 * (1 + level)])
    else:
        lo = hi = float("nan")
    mean_diff = float(pt.mean()) if len(pt) else float("nan")
    better = "" if not len(pt) or mean_diff == 0 else (a if mean_diff * _sign(direction) > 0 else b)
    return PairedComparison(
        a=a, b=b, direction=direction, n_pairs=int(len(m)), n_tasks=int(len(pt)),
        mean_a=float(per_task["value_a"].mean()) if len(pt) else float("nan"),
        mean_b=float(per_task["value_b"].mean()) if len(pt) else float("nan"),
        mean_diff=mean_diff, diff_lo=float(lo), diff_hi=float(hi),
        wins=int((signed > 0).sum()), ties=int((signed == 0).sum()),
        losses=int((signed < 0).sum()), p_folds=_wilcoxon_p(d), p_tasks=_wilcoxon_p(pt),
        better=better)
