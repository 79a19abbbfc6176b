"""The cross-dataset summary: which contender is best over the tasks, and how sure are we.

Why: a per-slice leaderboard of hundreds of rows answers nothing; the question is one ranking of
contenders over tasks with its evidence (mean rank, win rate, Elo, normalized score,
improvability, Friedman + Nemenyi, Wilcoxon-Holm) and the set of contenders the data cannot tell
apart from the best. `summarize` computes it from the `cells` table; rendering is `bench.report`.

Rules (docs/summary.md):

* ranks, means, win rates, Elo and the tests use the *complete* tasks: those on which every
  contender has a score; tasks where some contender is n/a (all its cells skipped) are dropped
  from them and counted in `n_tasks_dropped` (a note names the contenders responsible);
* the best contender has the lowest mean rank (ties: higher mean score, then the label);
* a contender is *not significantly worse than the best* unless its two-sided Wilcoxon
  signed-rank test against the best over the complete tasks, Holm-corrected over all pairs, has
  p_holm < alpha with the best ahead; `within_cd` additionally says whether its mean rank is within
  the Nemenyi critical difference of the best's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bench.analysis import stats
from bench.analysis.tasks import (COST_COLUMNS, TaskMatrix, default_reference,
                                  find_contender, task_matrix)
from bench.store.meta import DEFAULT_METRIC

MIN_WILCOXON_TASKS = 6  # below this the exact two-sided Wilcoxon p cannot reach 0.05
# Bootstrap resamples of the Elo interval: each is a Bradley-Terry fit (Newton steps on k x k
# matrices), so 1,000 of them cost most of a 100,000-cell summary; 200 resamples give the 95%
# percentile interval to a few Elo points (TabArena also bootstraps Elo over tasks).
ELO_BOOT = 200


@dataclass
class Summary:
    """One row per contender (`table`, sorted by mean rank) and the tests behind it."""

    table: pd.DataFrame
    metric: str
    direction: str
    alpha: float
    n_tasks: int  # complete tasks: those every statistic is computed on
    n_tasks_total: int
    n_folds: int  # distinct repeat x fold units per task
    n_datasets: int
    n_cells: int
    friedman: stats.FriedmanResult
    critical_difference: float
    best: str
    not_significantly_worse: list[str]
    pairwise: pd.DataFrame
    reference: str
    win_rate: pd.DataFrame
    nemenyi: pd.DataFrame  # all-pairs Nemenyi p-values over the complete tasks
    vs_reference: stats.PairedComparison | None
    task_axes: list[str]
    contender_axes: list[str]
    pooled_axes: list[str]
    tasks: list[str] = field(default_factory=list)
    dropped_tasks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    n_boot: int = 1000
    seed: int = 0
    n_boot_elo: int = ELO_BOOT

    @property
    def friedman_stat(self) -> float:
        return self.friedman.statistic

    @property
    def friedman_p(self) -> float:
        return self.friedman.p

    @property
    def n_tasks_dropped(self) -> int:
        return len(self.dropped_tasks)

    def to_dict(self) -> dict[str, Any]:
        """Every number, JSON-ready (NaN and infinities become null)."""
        return _clean({
            "metric": self.metric, "direction": self.direction, "alpha": self.alpha,
            "n_tasks": self.n_tasks, "n_tasks_total": self.n_tasks_total,
            "n_tasks_dropped": self.n_tasks_dropped, "n_folds": self.n_folds,
            "n_datasets": self.n_datasets, "n_cells": self.n_cells,
            "n_contenders": len(self.table),
            "friedman_stat": self.friedman_stat, "friedman_p": self.friedman_p,
            "friedman": self.friedman.to_dict(),
            "critical_difference": self.critical_difference,
            "best": self.best, "not_significantly_worse": self.not_significantly_worse,
            "reference": self.reference,
            "vs_reference": self.vs_reference.to_dict() if self.vs_reference else None,
            "task_axes": self.task_axes, "contender_axes": self.contender_axes,
            "pooled_axes": self.pooled_axes, "tasks": self.tasks,
            "dropped_tasks": self.dropped_tasks, "notes": self.notes,
            "n_boot": self.n_boot, "n_boot_elo": self.n_boot_elo, "seed": self.seed,
            "contenders": self.table.to_dict(orient="records"),
            "pairwise": self.pairwise.to_dict(orient="records"),
            "win_rate": {a: row for a, row in self.win_rate.to_dict(orient="index").items()},
            "nemenyi_p": {a: row for a, row in self.nemenyi.to_dict(orient="index").items()},
        })


def _clean(obj: Any) -> Any:
    """numpy scalars -> Python, NaN/inf -> None, recursively (strict JSON)."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if obj is pd.NA or obj is None:
        return None
    return obj


def _order(ranks: pd.Series, means: pd.Series, direction: str) -> list[str]:
    """Contenders by mean rank, then better mean, then label (deterministic)."""
    sign = -1.0 if direction == "max" else 1.0
    frame = pd.DataFrame({"rank": ranks, "mean": means * sign, "label": ranks.index})
    frame = frame.sort_values(["rank", "mean", "label"], na_position="last")
    return frame["label"].tolist()


def _dropped_note(scores: pd.DataFrame, dropped: list[str]) -> str:
    na = scores.loc[dropped].isna().sum(axis=0)
    who = ", ".join(f"{c} ({int(n)})" for c, n in na[na > 0].sort_values(ascending=False)
                    .head(5).items())
    return (f"{len(dropped)} of {len(scores)} task(s) left out of ranks, means and tests because "
            f"some contender has no score there (its cells skipped, or not run yet in a partial "
            f"store): {who}; narrow with --where or "
            "--contender to keep them")


def summarize(cells: pd.DataFrame, metric: str | None = None,
              contender: str | Sequence[str] | None = None,
              task: str | Sequence[str] | None = None,
              where: Mapping[str, Sequence[str]] | str | Sequence[str] | None = None,
              reference: str | None = None, alpha: float = 0.05, n_boot: int = 1000,
              seed: int = 0, direction: str | None = None,
              n_boot_elo: int = ELO_BOOT) -> Summary:
    """The summary of `metric` over tasks (see the module docstring for the rules)."""
    from bench.core.errors import CommandError

    if not 0.0 < alpha < 1.0:
        raise CommandError(f"--alpha {alpha:g}: allowed: a level between 0 and 1 (e.g. 0.05)")
    if n_boot < 0:
        raise CommandError(f"n_boot {n_boot}: allowed: 0 or a positive number of resamples")
    metric = metric or DEFAULT_METRIC
    tm = task_matrix(cells, metric, contender, task, where, direction)
    return summarize_matrix(tm, reference=reference, alpha=alpha, n_boot=n_boot, seed=seed,
                            n_boot_elo=n_boot_elo)


def summarize_matrix(tm: TaskMatrix, reference: str | None = None, alpha: float = 0.05,
                     n_boot: int = 1000, seed: int = 0, n_boot_elo: int = ELO_BOOT) -> Summary:
    """`n_boot` resamples of tasks for the mean's interval (and the paired comparison),
    `n_boot_elo` for Elo's (see `ELO_BOOT`)."""
    """The summary of an already built task matrix (`bench select` and the report reuse it)."""
    direction, notes = tm.direction, []
    ref = (find_contender(tm.contenders, reference, tm.contender_axes) if reference
           else default_reference(tm.contenders, tm.contender_axes))
    scores = tm.scores
    never = [c for c in scores.columns if scores[c].isna().all()]
    if never:
        notes.append(f"{len(never)} contender(s) have no score on any task (every cell skipped "
                     f"or without a value) and are not ranked: {', '.join(never[:5])}")
        scores = scores.drop(columns=never)
    block = stats.complete(scores)
    dropped = [t for t in scores.index if t not in set(block.index)]
    if dropped:
        notes.append(_dropped_note(scores, dropped))
    n, k = block.shape
    ranks = stats.mean_ranks(block, direction) if n else pd.Series(np.nan, index=scores.columns)
    boot = stats.bootstrap_mean_ci(block, n_boot=n_boot, seed=seed)
    order = _order(ranks, boot["mean"], direction)
    fr = stats.friedman(block, direction)
    cd = stats.nemenyi_cd(k, n, alpha) if n else float("nan")
    pairwise = stats.wilcoxon_holm(block, direction, alpha, order)
    wins = stats.win_matrix(block, direction)
    elo_ref = ref if ref in block.columns else (order[0] if order else None)
    ratings = stats.elo(block, direction, elo_ref, n_boot=min(n_boot, n_boot_elo), seed=seed)
    best = order[0] if order else ""

    worse = set()
    sign = 1.0 if direction == "max" else -1.0
    for row in pairwise.itertuples(index=False):
        if best in (row.a, row.b) and row.significant:
            other = row.b if row.a == best else row.a
            diff = row.mean_diff if row.a == best else -row.mean_diff  # best - other
            if diff * sign > 0:
                worse.add(other)
    not_worse = [c for c in order if c not in worse]

    info = tm.contenders.set_index("contender")
    table = pd.DataFrame({"contender": order})
    for axis in tm.contender_axes:
        table[axis] = info.loc[order, axis].to_numpy()
    best_rank = ranks.get(best, np.nan)
    table["mean_rank"] = ranks.reindex(order).to_numpy()
    table["mean"] = boot["mean"].reindex(order).to_numpy()
    table["ci_lo"] = boot["ci_lo"].reindex(order).to_numpy()
    table["ci_hi"] = boot["ci_hi"].reindex(order).to_numpy()
    table["normalized"] = stats.normalized(block, direction).mean().reindex(order).to_numpy()
    table["improvability"] = stats.improvability(block, direction).mean().reindex(order).to_numpy()
    table["win_rate"] = wins.win_rate().reindex(order).to_numpy()
    for col in ("elo", "elo_lo", "elo_hi"):
        table[col] = ratings[col].reindex(order).to_numpy()
    for col in ("n_tasks", "n_ok", "n_failed", "n_skipped", *COST_COLUMNS):
        table[col] = info.loc[order, col].to_numpy()
    table["not_worse"] = [c in not_worse for c in order]
    table["within_cd"] = (table["mean_rank"] - best_rank <= cd).to_numpy() \
        if not math.isnan(cd) else False
    table.insert(1, "position", np.arange(1, len(order) + 1))

    n_failed = int(tm.contenders["n_failed"].sum())
    if n_failed:
        notes.append(f"{n_failed} failed cell(s) count as their task's worst {tm.metric}")
    if tm.pooled_axes:
        notes.append(f"averaged into each task: {', '.join(tm.pooled_axes)} (not task axes; "
                     "--task sets them)")
    if 0 < n < MIN_WILCOXON_TASKS and k >= 2:
        notes.append(f"only {n} complete task(s): a Wilcoxon test needs at least "
                     f"{MIN_WILCOXON_TASKS} to reach p < 0.05, so every contender is 'not "
                     "significantly worse'; add datasets, ratios or test priors")
    if k < 2:
        notes.append("only one contender: nothing to compare (--contender or --where)")
    elif k < 3:
        notes.append("Friedman and Nemenyi need at least 3 contenders; see the pairwise test")
    elif n and not (fr.p < alpha):
        notes.append(f"Friedman p = {fr.p:.3g} >= {alpha:g}: the ranks do not differ "
                     "significantly overall; the pairwise tests are shown for reference")
    if n == 0:
        notes.append("no task has a score for every contender: nothing can be ranked; "
                     "narrow with --where or --contender")
    if elo_ref != ref and elo_ref is not None:
        notes.append(f"Elo reference {ref} is not ranked; Elo anchored at {elo_ref} instead")

    vs_ref = None
    if best and elo_ref and best != elo_ref:
        vs_ref = stats.paired_comparison(tm.folds, best, elo_ref, direction, n_boot=n_boot,
                                         seed=seed)
    n_folds = (len(tm.folds[["repeat", "fold"]].drop_duplicates())
               if {"repeat", "fold"} <= set(tm.folds.columns) else 0)
    return Summary(
        table=table, metric=tm.metric, direction=direction, alpha=alpha, n_tasks=n,
        n_tasks_total=len(tm.scores), n_folds=n_folds, n_datasets=len(tm.datasets),
        n_cells=tm.n_cells, friedman=fr, critical_difference=cd, best=best,
        not_significantly_worse=not_worse, pairwise=pairwise, reference=elo_ref or "",
        win_rate=wins.rate.reindex(index=order, columns=order),
        nemenyi=stats.nemenyi_pvalues(block, direction).reindex(index=order, columns=order),
        vs_reference=vs_ref,
        task_axes=tm.task_axes, contender_axes=tm.contender_axes, pooled_axes=tm.pooled_axes,
        tasks=list(block.index), dropped_tasks=dropped, notes=notes, n_boot=n_boot, seed=seed,
        n_boot_elo=min(n_boot, n_boot_elo))
