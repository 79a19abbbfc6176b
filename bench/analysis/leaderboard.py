"""Leaderboard: mean +- 95% CI of a metric per configuration over repeats x folds.

Why: with few samples per class, single numbers lie; every score is shown with its interval and
with how many cells failed, so a model that crashed on half the folds does not look like a winner.
Two more things make a score untrustworthy and are flagged per configuration (`flags`):

* a tiny test class: `min_test_count` is the smallest class count of any ok cell's test part;
  below `MIN_TEST_ROWS` the flag is ``test class n<10`` (a few rows decide the minority scores,
  whatever the interval looks like);
* degenerate fits: `n_degenerate` ok cells predicted a single class or never predicted a class
  present in their test part (the row's `degenerate`; stores written before that column existed:
  one predicted class, or fewer predicted classes than test classes); flag ``degenerate k/n``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from bench.core.errors import StoreError, UnknownName
from bench.core.vocab import FAILED, OK, SKIPPED

RANKED, FAILED_STATE, NO_SCORE = "ranked", "failed", "no score"  # a row's `state` (or SKIPPED)
MIN_TEST_ROWS = 10  # a test class below this many rows gets the "test class n<10" flag
AXES = ["dataset", "profile", "ratio", "minority", "test_prior", "sampler", "decomposition",
        "decision"]


def t_interval(values: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the Student-t confidence interval of the mean (NaN with fewer than 2)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < 2:
        return float("nan")
    sem = v.std(ddof=1) / np.sqrt(len(v))
    return float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * sem)


def t_half_widths(std: np.ndarray, count: np.ndarray) -> np.ndarray:
    """`t_interval` for many groups at once, from their standard deviations and counts (NaN
    below two values): one vectorised pass over thousands of groups."""
    count = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.975, count - 1) * np.asarray(std, dtype=float) / np.sqrt(count)
    return np.where(count >= 2, half, np.nan)


def varying_axes(cells: pd.DataFrame) -> list[str]:
    """The axes that take more than one value in the store: the default slices."""
    return [a for a in AXES if a in cells and cells[a].nunique(dropna=False) > 1]


def leaderboard(cells: pd.DataFrame, metric: str, by: Sequence[str] | None = None,
                direction: str | None = None) -> pd.DataFrame:
    """One row per (slice, model): n, n_failed, n_skipped, mean, ci95, std, fit_s,
    min_test_count, n_degenerate, flags, rank within the slice and state: ``ranked``, or why
    not: ``skipped`` (every cell skipped), ``failed`` (no ok cell) or ``no score`` (ok cells
    without a value of the metric)."""
    if direction is None:
        from bench.metrics import get_metric

        direction = get_metric(metric).direction
    by = list(varying_axes(cells) if by is None else by)
    unknown = [b for b in by if b not in cells.columns]
    if unknown:
        raise UnknownName(f"unknown column(s) {unknown}; allowed: {', '.join(AXES)}")
    if metric not in cells.columns:
        raise StoreError(f"metric {metric!r} is not in this store; run `bench rescore` to add it")
    keys = [*by, "model"]
    if cells.empty:
        return pd.DataFrame()
    # One vectorised groupby (no Python loop over configurations: 100,000 cells in ~1 s). Every
    # per-configuration number is over the ok cells only; the other statuses are counted.
    status = cells["status"].astype(str).to_numpy()
    ok = status == OK

    def numbers(col: str) -> np.ndarray:
        values = pd.to_numeric(cells[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.where(ok, values, np.nan)

    frame = cells[keys].reset_index(drop=True)  # positional from here on (any index works)
    frame["_ok"] = ok
    frame["_failed"] = np.isin(status, FAILED)
    frame["_skipped"] = status == SKIPPED
    frame["_v"] = numbers(metric)
    frame["_fit"] = numbers("fit_s") if "fit_s" in cells else np.nan
    frame["_min_test"] = np.where(ok, min_test_counts(cells).to_numpy(dtype=float), np.nan)
    frame["_degenerate"] = degenerate_cells(cells).to_numpy(dtype=bool) & ok
    frame["_family"] = (cells["family"].astype("string").fillna("").to_numpy(dtype=object)
                        if "family" in cells else "")
    g = frame.groupby(keys, dropna=False, sort=True)
    agg = g.agg(n=("_ok", "sum"), n_failed=("_failed", "sum"), n_skipped=("_skipped", "sum"),
                mean=("_v", "mean"), std=("_v", "std"), count=("_v", "count"),
                fit_s=("_fit", "mean"), min_test_count=("_min_test", "min"),
                n_degenerate=("_degenerate", "sum"))
    agg.insert(0, "family", g["_family"].first().to_numpy())
    count = agg.pop("count").to_numpy(dtype=float)
    std = agg["std"].to_numpy(dtype=float)
    agg.insert(agg.columns.get_loc("std"), "ci95", t_half_widths(std, count))
    agg["std"] = np.where(count >= 2, std, np.nan)
    for col in ("n", "n_failed", "n_skipped", "n_degenerate"):
        agg[col] = agg[col].astype(int)
    agg["fit_s"] = agg["fit_s"].astype(float)
    agg["min_test_count"] = agg["min_test_count"].astype(float)
    agg["flags"] = [flags(m, d, n) for m, d, n in
                    zip(agg["min_test_count"], agg["n_degenerate"], agg["n"])]
    out = agg.reset_index()
    if out.empty:
        return out
    ascending = direction == "min"
    if by:
        out["rank"] = out.groupby(by, dropna=False)["mean"].rank(ascending=ascending, method="min")
    else:
        out["rank"] = out["mean"].rank(ascending=ascending, method="min")
    # An unranked row says why: every cell skipped (the configuration does not apply there) or
    # failed; a rank is never given to a configuration without an ok score.
    out["state"] = np.where(out["mean"].notna(), RANKED,
                            np.where((out["n"] == 0) & (out["n_failed"] == 0), SKIPPED,
                                     np.where(out["n"] == 0, FAILED_STATE, NO_SCORE)))
    out = out.sort_values([*by, "rank", "model"], na_position="last").reset_index(drop=True)
    out.attrs.update(metric=metric, direction=direction, by=by)
    return out


def top_per_slice(board: pd.DataFrame, n: int | None) -> pd.DataFrame:
    """The rows ranked `n` or better in each slice (ties kept, so a slice may show more than
    `n`); unranked rows (skipped, failed) are dropped. `attrs["hidden"]` counts the rest."""
    if n is None or board.empty:
        return board
    keep = board["rank"].le(n)
    out = board[keep].reset_index(drop=True)
    out.attrs.update(board.attrs, hidden=int((~keep).sum()))
    return out


def flags(min_test: float, n_degenerate: int, n_ok: int) -> str:
    """The configuration's warnings as short words (see the module docstring)."""
    out = []
    if not np.isnan(min_test) and min_test < MIN_TEST_ROWS:
        out.append(f"test class n<{MIN_TEST_ROWS}")
    if n_degenerate:
        out.append(f"degenerate {n_degenerate}/{n_ok}")
    return ", ".join(out)


def _test_counts(cells: pd.DataFrame) -> list[list[int] | None]:
    """The `test_counts` JSON lists of the rows (None where absent: failures, older stores)."""
    if "test_counts" not in cells:
        return [None] * len(cells)
    return [json.loads(v) if isinstance(v, str) and v else None for v in cells["test_counts"]]


def min_test_counts(cells: pd.DataFrame) -> pd.Series:
    """Smallest test class count per row: `min_test_count`, else from `test_counts` (older
    stores); the JSON is parsed only for the rows that lack the column's value."""
    values = (pd.to_numeric(cells["min_test_count"], errors="coerce").astype(float)
              if "min_test_count" in cells else pd.Series(np.nan, index=cells.index))
    missing = values.isna()
    if missing.any():
        values[missing] = [float(min(c)) if c else np.nan for c in _test_counts(cells[missing])]
    return values


def degenerate_cells(cells: pd.DataFrame) -> pd.Series:
    """Whether each row is a degenerate fit: `degenerate`, else what `predicted_classes` shows
    (computed only for the rows that lack `degenerate`)."""
    flag = (cells["degenerate"].astype("boolean") if "degenerate" in cells
            else pd.Series(pd.NA, index=cells.index, dtype="boolean"))
    missing = flag.isna()
    if missing.any():
        flag[missing] = False
        if "predicted_classes" in cells:
            old = cells[missing]
            predicted = pd.to_numeric(old["predicted_classes"], errors="coerce")
            present = pd.Series([sum(1 for n in c if n > 0) if c else np.nan
                                 for c in _test_counts(old)], index=old.index, dtype=float)
            flag[missing] = ((predicted == 1) | (predicted < present)).fillna(False).astype(bool)
    return flag.astype(bool)


def per_class_recall(cells: pd.DataFrame, per_class: pd.DataFrame, by: Sequence[str] | None = None,
                     value: str = "recall") -> pd.DataFrame:
    """Mean per-class `value` (recall, precision, f1) per configuration: wide, one column per label.

    Always keyed by dataset (first), whatever `by` says: class `2` of one dataset has nothing to
    do with class `2` of another, so a mean over datasets per label would be meaningless.
    """
    by = list(varying_axes(cells) if by is None else by)
    if "dataset" in cells.columns:
        by = ["dataset", *[b for b in by if b != "dataset"]]
    ok = cells.loc[cells["status"] == OK, ["cell_id", *by, "model"]]
    merged = per_class.merge(ok, on="cell_id")
    if merged.empty:
        return pd.DataFrame()
    wide = merged.pivot_table(index=[*by, "model"], columns="label", values=value, aggfunc="mean")
    wide.columns = [f"{value}[{c}]" for c in wide.columns]
    return wide.reset_index()
