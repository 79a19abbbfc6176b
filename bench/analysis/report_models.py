"""The report's model views: contender scores, best sampler per model x ratio, confusion matrices,
learning curves, time vs quality with its Pareto front, critical-difference groups.

Why: "which model and which imbalance treatment" needs more than one ranking: where a sampler
helps (per model and ratio), how the chosen model errs (confusions by true class), whether it
learnt (train vs validation curves) and what it costs (fit time against score). Pure functions
over the store's tables; the report only draws their frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bench.analysis.report_views import DEFAULT_CONTENDER, TASK_AXES, with_keys
from bench.analysis.tasks import COST_COLUMNS, baseline_label
from bench.core.vocab import FAILED, NO_SAMPLER, OK, SKIPPED

CURVE_METRICS = ("loss", "macro_f1")  # what every curve-recording model logs per step / round


def _task_axes(cells: pd.DataFrame) -> list[str]:
    return [a for a in TASK_AXES if a in cells]


def task_means(cells: pd.DataFrame, metric: str,
               contender: Sequence[str] = DEFAULT_CONTENDER) -> pd.DataFrame:
    """Per task x contender: mean `metric` over the ok repeats x folds (`score`, NaN when none
    is ok), with the axes of both. A task is one combination of the task axes."""
    keyed = with_keys(cells, contender)
    keys = [*_task_axes(cells), *[a for a in contender if a not in TASK_AXES], "contender"]
    ok = keyed[keyed["status"] == OK]
    means = ok.groupby(keys, dropna=False, sort=True)[metric].mean().rename("score")
    every = keyed[keys].drop_duplicates().set_index(keys)
    return every.join(means).reset_index()


def contender_scores(cells: pd.DataFrame, metric: str, direction: str,
                     contender: Sequence[str] = DEFAULT_CONTENDER) -> pd.DataFrame:
    """One row per contender, best first: `score` (mean over the tasks it has a score on of its
    task means), `n_tasks`, mean `fit_s` / `tune_s` / `predict_s` / `peak_mb` over ok cells
    (`bench.analysis.tasks.COST_COLUMNS`), and counts of ok, failed and skipped cells."""
    cols = ["contender", "score", "n_tasks", *COST_COLUMNS, "n_ok", "n_failed", "n_skipped"]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    tm = task_means(cells, metric, contender)
    keyed = with_keys(cells, contender)
    rows = []
    for cont, g in keyed.groupby("contender", sort=True):
        ok = g[g["status"] == OK]
        scores = tm.loc[tm["contender"] == cont, "score"].dropna()
        rows.append({"contender": cont,
                     "score": float(scores.mean()) if len(scores) else np.nan,
                     "n_tasks": int(len(scores)),
                     **{c: float(ok[c].mean()) if len(ok) and c in ok else np.nan
                        for c in COST_COLUMNS},
                     "n_ok": int(len(ok)), "n_failed": int(g["status"].isin(FAILED).sum()),
                     "n_skipped": int((g["status"] == SKIPPED).sum())})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["score", "contender"], ascending=[direction == "min", True],
                           na_position="last", kind="stable").reset_index(drop=True)


def baseline_contender(cells: pd.DataFrame, contender: Sequence[str] = DEFAULT_CONTENDER) -> str | None:
    """The DNN baseline's label (`bench.analysis.tasks.baseline_label`: model `dnn`, no
    sampler), None when the store has none."""
    if cells.empty:
        return None
    keyed = with_keys(cells, contender)
    axes = [a for a in contender if a in keyed]
    return baseline_label(keyed.drop_duplicates("contender")[["contender", *axes]], axes)


def best_sampler(cells: pd.DataFrame, metric: str, direction: str) -> pd.DataFrame:
    """One row per model x ratio: the sampler with the best mean task score there
    (`best_sampler`, `score`), the no-sampler score (`none_score`), `gain` over it (positive =
    better, whatever the metric's direction) and `n_tasks`. A tie with no sampler goes to
    `none` (a treatment that does not help is not chosen), other ties to the first name."""
    cols = ["model", "ratio", "best_sampler", "score", "none_score", "gain", "n_tasks"]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    tm = task_means(cells, metric, ("model", "sampler"))
    sign = -1.0 if direction == "min" else 1.0
    rows = []
    for (model, ratio), g in tm.groupby(["model", "ratio"], sort=True):
        by_sampler = g.groupby("sampler", sort=True)["score"].mean().dropna()
        if by_sampler.empty:
            continue
        best = (by_sampler * sign).idxmax()
        none = float(by_sampler.get(NO_SAMPLER, np.nan))
        if none == float(by_sampler[best]):
            best = NO_SAMPLER
        rows.append({"model": model, "ratio": float(ratio), "best_sampler": best,
                     "score": float(by_sampler[best]), "none_score": none,
                     "gain": sign * (float(by_sampler[best]) - none),
                     "n_tasks": int(g.loc[g["sampler"] == best, "score"].notna().sum())})
    return pd.DataFrame(rows, columns=cols)


def _most_imbalanced(keyed: pd.DataFrame) -> pd.DataFrame:
    """The rows at the largest ratio of each panel (where the minority is rarest)."""
    top = keyed.groupby("panel")["ratio"].transform("max")
    return keyed[keyed["ratio"] == top]


def confusion_matrices(cells: pd.DataFrame, confusion: pd.DataFrame,
                       roles: Mapping[str, str | None],
                       contender: Sequence[str] = DEFAULT_CONTENDER) -> pd.DataFrame:
    """Confusion counts summed over the ok repeats x folds at each panel's largest ratio, for the
    contenders named in `roles` (e.g. {"best": label, "DNN baseline": label}); `share` is the
    count over its true class's total (each row of a matrix sums to 1)."""
    cols = ["role", "contender", "panel", "ratio", "true_label", "pred_label", "count", "share"]
    if confusion is None or confusion.empty or cells.empty:
        return pd.DataFrame(columns=cols)
    keyed = _most_imbalanced(with_keys(cells[cells["status"] == OK], contender))
    frames = []
    for role, label in roles.items():
        if label is None:
            continue
        mine = keyed.loc[keyed["contender"] == label, ["cell_id", "panel", "ratio"]]
        m = confusion.merge(mine, on="cell_id")
        if m.empty:
            continue
        m["true_label"] = m["true_label"].astype(str)
        m["pred_label"] = m["pred_label"].astype(str)
        order = {lab: i for i, lab in enumerate(pd.unique(m["true_label"]))}
        g = (m.groupby(["panel", "ratio", "true_label", "pred_label"], sort=False)["count"].sum()
             .reset_index())
        total = g.groupby(["panel", "true_label"])["count"].transform("sum")
        g["share"] = np.where(total > 0, g["count"] / total.where(total > 0, 1), np.nan)
        g = g.assign(role=role, contender=label, _t=g["true_label"].map(order),
                     _p=g["pred_label"].map(order))
        frames.append(g.sort_values(["panel", "_t", "_p"]).drop(columns=["_t", "_p"]))
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    out["count"] = out["count"].astype(np.int64)
    return out


def learning_curves(cells: pd.DataFrame, curves: pd.DataFrame, contenders: Sequence[str],
                    contender: Sequence[str] = DEFAULT_CONTENDER) -> pd.DataFrame:
    """Train and validation loss and macro-F1 per step (epoch or boosting round) of the given
    contenders at each panel's largest ratio: `value` is the mean over the ok repeats x folds that
    reached the step (`n_folds` of them: early stopping ends folds at different steps)."""
    cols = ["contender", "panel", "ratio", "metric", "split", "step", "value", "n_folds"]
    if curves is None or curves.empty or cells.empty:
        return pd.DataFrame(columns=cols)
    keyed = _most_imbalanced(with_keys(cells[cells["status"] == OK], contender))
    keyed = keyed[keyed["contender"].isin(list(contenders))]
    c = curves[curves["metric"].isin(CURVE_METRICS)]
    m = c.merge(keyed[["cell_id", "contender", "panel", "ratio"]], on="cell_id")
    if m.empty:
        return pd.DataFrame(columns=cols)
    g = (m.groupby(["contender", "panel", "ratio", "metric", "split", "step"], sort=True)["value"]
         .agg(value="mean", n_folds="count").reset_index())
    rank = {cont: i for i, cont in enumerate(contenders)}
    g = g.assign(_o=g["contender"].map(rank)).sort_values(
        ["_o", "panel", "metric", "split", "step"], kind="stable").drop(columns="_o")
    return g[cols].reset_index(drop=True)


def pareto_front(cost: Sequence[float], value: Sequence[float], direction: str = "max") -> list[bool]:
    """Whether each point is on the Pareto front: no other point costs at most as much and
    scores at least as well, one of the two strictly. Points with a NaN are never on it."""
    c = np.asarray(cost, dtype=float)
    v = np.asarray(value, dtype=float) * (-1.0 if direction == "min" else 1.0)
    finite = np.isfinite(c) & np.isfinite(v)
    out = []
    for i in range(len(c)):
        if not finite[i]:
            out.append(False)
            continue
        dominated = finite & (c <= c[i]) & (v >= v[i]) & ((c < c[i]) | (v > v[i]))
        out.append(not bool(dominated.any()))
    return out


def time_quality(scores: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Contender, mean training seconds (`train_s` = fit_s + tune_s: a tuned contender's fit_s
    is only its final refit, its search is the cost of getting there; a missing tune_s counts
    as no search), score and whether it is on the training-time / score Pareto front (from
    `contender_scores`)."""
    cols = ["contender", "train_s", "fit_s", "tune_s", "predict_s", "score", "pareto"]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    out = scores[["contender", "fit_s", "predict_s", "score"]].copy()
    out["tune_s"] = scores["tune_s"] if "tune_s" in scores.columns else np.nan
    out["train_s"] = out["fit_s"] + out["tune_s"].fillna(0.0)
    out["pareto"] = pareto_front(out["train_s"], out["score"], direction)
    return out[cols].reset_index(drop=True)


def cd_groups(ranks: Sequence[float], cd: float) -> list[tuple[int, int]]:
    """Groups of a critical-difference diagram: over ranks sorted ascending, the maximal runs
    (first, last index) whose rank spread is below `cd` (not significantly different by the
    Nemenyi test); runs of one contender are left out, as are runs inside a longer one."""
    r = sorted(float(x) for x in ranks)
    if not np.isfinite(cd):
        return []
    groups: list[tuple[int, int]] = []
    for i in range(len(r)):
        j = i
        while j + 1 < len(r) and r[j + 1] - r[i] < cd:
            j += 1
        if j > i and not any(a <= i and j <= b for a, b in groups):
            groups.append((i, j))
    return groups
