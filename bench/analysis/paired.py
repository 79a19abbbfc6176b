"""Paired statistics over (repeat, fold) pairs: the one-sided Wilcoxon gate and its helpers.

Why: the CI gate (and any A-vs-B comparison) must not call noise a regression; a mean change
beyond a practical tolerance counts only when a paired test supports it, and with too few pairs
the tolerance alone decides (and the output says so).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def min_pairs(alpha: float) -> int:
    """Fewest pairs for which a one-sided exact Wilcoxon test can reach p < alpha (2**-n < alpha)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return int(math.floor(math.log2(1 / alpha))) + 1


def paired_test(change: np.ndarray, tol: float, alpha: float, need: int) -> tuple[str, float, str]:
    """(mark, one-sided p in the direction of the mean change, test label) for one metric."""
    n = len(change)
    if n == 0:
        return "no data", float("nan"), "no pairs"
    mean = float(change.mean())
    if n < need:
        test, p = f"tolerance only ({n} < {need} pairs)", float("nan")
        supported = True
    else:
        test = "wilcoxon"
        if np.all(change == 0):
            p = 1.0
        else:
            alt = "less" if mean < 0 else "greater"
            p = float(stats.wilcoxon(change, alternative=alt, zero_method="zsplit").pvalue)
        supported = p < alpha
    if mean < -tol and supported:
        return "worse", p, test
    if mean > tol and supported:
        return "better", p, test
    return "unchanged", p, test


def mean_ratio(b: pd.Series, c: pd.Series) -> tuple[float, float, float]:
    """(baseline mean, current mean, ratio) of a timing column over pairs."""
    bm = float(np.nanmean(b)) if len(b) and not b.isna().all() else float("nan")
    cm = float(np.nanmean(c)) if len(c) and not c.isna().all() else float("nan")
    ratio = cm / bm if bm and bm > 0 and not math.isnan(cm) else float("nan")
    return bm, cm, ratio
