"""The report's per-ratio and per-class views: pure functions over the store's tables.

Why: an imbalanced-data benchmark is judged where the imbalance bites; these frames show a metric
and each class's recall and precision as the imbalance ratio grows, keyed by dataset (a class
label means something only within its dataset), with intervals over repeats x folds.

Shared vocabulary: a *panel* is one combination of the task axes that vary in the store other
than the ratio (at least the dataset; profile, test prior, minority when they vary), drawn as one
small chart; `contender` is the label of the contender axes (default model and sampler).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


from bench.analysis.leaderboard import t_half_widths
from bench.analysis.tasks import DEFAULT_CONTENDER, LABEL_SEP, TASK_AXES
from bench.core.vocab import FAILED, OK

# The hook for inspection data: the `inspect` table `bench inspect` writes (one row per dataset x
# profile x ratio x class; bench.inspect.result.TABLE_COLUMNS) gives each class's recall ceiling,
# the best recall an accuracy-maximising model can reach given the class overlap.
CEILING_COLUMNS = ("dataset", "class_label", "ceiling")


def contender_labels(cells: pd.DataFrame, contender: Sequence[str] = DEFAULT_CONTENDER) -> pd.Series:
    """`model + sampler` per row: the contender axes' values joined as `tasks.contender_label`
    joins them, so the labels match the summary's."""
    if cells.empty:
        return pd.Series([], index=cells.index, dtype=object)
    parts = [cells[a].map(lambda v: f"{v:g}" if isinstance(v, float) else str(v))
             for a in contender]
    out = parts[0]
    for p in parts[1:]:
        out = out + LABEL_SEP + p
    return out.astype(object)


def panel_axes(cells: pd.DataFrame) -> list[str]:
    """The task axes other than the ratio that take more than one value (dataset always)."""
    return ["dataset"] + [a for a in TASK_AXES if a not in ("dataset", "ratio") and a in cells
                          and cells[a].nunique(dropna=False) > 1]


def panel_labels(cells: pd.DataFrame, axes: Sequence[str]) -> pd.Series:
    """`wine` or `wine · profile=step · minority=2`: the panel a row belongs to."""
    if cells.empty:
        return pd.Series([], index=cells.index, dtype=object)
    out = cells[axes[0]].astype(str)
    for a in axes[1:]:
        out = out + f" · {a}=" + cells[a].astype(str)
    return out.astype(object)


def with_keys(cells: pd.DataFrame, contender: Sequence[str] = DEFAULT_CONTENDER) -> pd.DataFrame:
    """The cells plus `contender` and `panel` columns."""
    return cells.assign(contender=contender_labels(cells, contender),
                        panel=panel_labels(cells, panel_axes(cells)))


def mean_ci(frame: pd.DataFrame, keys: list[str], value: str, prefix: str = "") -> pd.DataFrame:
    """Per group of `keys`: mean of `value` over its non-NaN rows and the 95% Student-t interval
    (`<prefix>lo`, `<prefix>hi`; NaN below two values), as `leaderboard.t_interval` computes it,
    in one vectorised pass (a store has thousands of groups)."""
    g = frame.groupby(keys, sort=True, dropna=False)[value]
    agg = g.agg(["mean", "std", "count"])
    hw = t_half_widths(agg["std"].to_numpy(dtype=float), agg["count"].to_numpy(dtype=float))
    mean = agg["mean"].to_numpy(dtype=float)
    name = prefix.rstrip("_") if prefix else "mean"
    return pd.DataFrame({name: mean, f"{prefix or 'ci_'}lo": mean - hw,
                         f"{prefix or 'ci_'}hi": mean + hw}, index=agg.index)


def metric_by_ratio(cells: pd.DataFrame, metric: str,
                    contender: Sequence[str] = DEFAULT_CONTENDER,
                    contenders: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per panel x contender x ratio: mean of `metric` over the ok repeats x folds with
    its 95% t-interval (`ci_lo`, `ci_hi`; NaN below two values), `n` ok and `n_failed` cells.
    `contenders` restricts the rows to those labels (in that order)."""
    cols = ["panel", "contender", "ratio", "mean", "ci_lo", "ci_hi", "n", "n_failed"]
    keyed = with_keys(cells, contender)
    if contenders is not None:
        keyed = keyed[keyed["contender"].isin(list(contenders))]
    if keyed.empty:
        return pd.DataFrame(columns=cols)
    keys = ["panel", "contender", "ratio"]
    ok = keyed["status"] == OK
    values = pd.to_numeric(keyed[metric], errors="coerce") if metric in keyed else np.nan
    keyed = keyed.assign(_v=np.where(ok, values, np.nan), _ok=ok,
                         _failed=keyed["status"].isin(FAILED))
    counts = keyed.groupby(keys, sort=True, dropna=False)[["_ok", "_failed"]].sum()
    out = mean_ci(keyed, keys, "_v").join(counts).reset_index()
    out = out.rename(columns={"_ok": "n", "_failed": "n_failed"})
    out["ratio"] = out["ratio"].astype(float)
    out[["n", "n_failed"]] = out[["n", "n_failed"]].astype(int)
    return _ordered(out[cols], contenders)


def _ordered(df: pd.DataFrame, contenders: Sequence[str] | None) -> pd.DataFrame:
    """Rows in the order of `contenders` (when given), then panel and ratio."""
    if df.empty or contenders is None:
        return df.reset_index(drop=True)
    rank = {c: i for i, c in enumerate(contenders)}
    key = df["contender"].map(rank)
    return (df.assign(_o=key).sort_values(["panel", "_o", "ratio"], kind="stable")
            .drop(columns="_o").reset_index(drop=True))


def per_class_by_ratio(cells: pd.DataFrame, per_class: pd.DataFrame,
                       contender: Sequence[str] = DEFAULT_CONTENDER,
                       contenders: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per panel x class label x contender x ratio: mean recall and precision of that
    class over the ok repeats x folds with 95% t-intervals, its mean test `support`, `n` cells.
    Labels keep the store's order within each panel (the dataset's class order)."""
    cols = ["panel", "label", "contender", "ratio", "recall", "recall_lo", "recall_hi",
            "precision", "precision_lo", "precision_hi", "support", "n"]
    if per_class is None or per_class.empty or cells.empty:
        return pd.DataFrame(columns=cols)
    keyed = with_keys(cells[cells["status"] == OK], contender)
    if contenders is not None:
        keyed = keyed[keyed["contender"].isin(list(contenders))]
    merged = per_class.merge(keyed[["cell_id", "panel", "contender", "ratio"]], on="cell_id")
    if merged.empty:
        return pd.DataFrame(columns=cols)
    merged["label"] = merged["label"].astype(str)
    label_order = {(p, lab): i for i, (p, lab) in enumerate(
        merged[["panel", "label"]].drop_duplicates().itertuples(index=False))}
    keys = ["panel", "label", "contender", "ratio"]
    out = (mean_ci(merged, keys, "recall", "recall_")
           .join(mean_ci(merged, keys, "precision", "precision_"))
           .join(merged.groupby(keys, sort=True)["support"].mean())
           .join(merged.groupby(keys, sort=True).size().rename("n")).reset_index())
    out["ratio"] = out["ratio"].astype(float)
    out = out[cols]
    rank = {c: i for i, c in enumerate(contenders or [])}
    out = out.assign(_l=[label_order[(p, lab)] for p, lab in zip(out["panel"], out["label"])],
                     _c=out["contender"].map(rank).fillna(0))
    return (out.sort_values(["panel", "_l", "_c", "contender", "ratio"], kind="stable")
            .drop(columns=["_l", "_c"]).reset_index(drop=True))


def recall_ceiling(inspect: pd.DataFrame | None, cells: pd.DataFrame) -> pd.DataFrame:
    """The hook for inspection data: each panel's per-class recall ceiling at each ratio that ran
    (with its 95% interval when given), drawn on the per-class recall plots. Reads only what the
    `inspect` table provides (`CEILING_COLUMNS`, and profile, minority, ratio, ceiling_lo,
    ceiling_hi when present); empty when the store has none."""
    cols = ["panel", "label", "ratio", "recall_ceiling", "ceiling_lo", "ceiling_hi"]
    if (inspect is None or inspect.empty or cells.empty
            or not set(CEILING_COLUMNS) <= set(inspect.columns)):
        return pd.DataFrame(columns=cols)
    axes = panel_axes(cells)
    keys = cells[[*axes, "ratio"]].drop_duplicates()
    keys = keys.assign(panel=panel_labels(keys, axes))
    ins = inspect.rename(columns={"class_label": "label", "ceiling": "recall_ceiling"})
    # Joined on what the inspection is keyed by; without a ratio its ceiling holds at every ratio.
    on = [a for a in (*axes, "ratio") if a in ins.columns]
    for a in on:
        if a == "ratio":
            ins[a] = pd.to_numeric(ins[a], errors="coerce").astype(float)
            keys[a] = keys[a].astype(float)
        else:
            ins[a], keys[a] = ins[a].astype(str), keys[a].astype(str)
    merged = ins.drop(columns=[c for c in ins.columns if c in keys.columns and c not in on])
    merged = merged.merge(keys, on=on)
    for c in ("ceiling_lo", "ceiling_hi"):
        if c not in merged:
            merged[c] = np.nan
    merged["label"] = merged["label"].astype(str)
    out = merged[cols].drop_duplicates(["panel", "label", "ratio"])
    return out.sort_values(["panel", "label", "ratio"], kind="stable").reset_index(drop=True)
