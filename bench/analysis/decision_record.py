"""The decision record of `bench select`: which contender to use, how sure we are, what it costs
and what could make the answer wrong.

Why: a leaderboard is evidence, not a decision. The record writes the decision down with the
question it answers, the data it rests on, the test that separates the choice from the rest, the
effect sizes a reader can weigh (a "significant" 0.002 is not worth a 10x slower model) and the
caveats that apply to *this* store, so a reviewer can check it and a later run can overturn it.

Built on `bench.analysis.summary.summarize` (mean ranks, Wilcoxon-Holm, Friedman, costs) and
`bench.analysis.tasks.task_matrix` (the tasks x contenders scores), so `bench summary` and
`bench select` never disagree on a number. Everything is deterministic: fixed bootstrap seed,
sorted lists, no clock.

The chosen contender (`prefer="rank"`, the default) is the summary's best: the lowest mean rank over
the complete tasks (ties: the better mean task score, then the label's text order). With
`prefer="cost"` it is the cheapest (mean fit + search + predict seconds per ok cell; ties: rank
order) of the *candidates*: the contenders not significantly worse than the best whose mean task
score is within `tolerance` (metric units, default 0.01) of the best's. The tolerance matters: with
few tasks and many pairs no test can reject, and "not significantly worse" alone would let a dummy
model win on cost. A contender is not significantly worse (the summary's set) unless the two-sided
Wilcoxon signed-rank test over the complete tasks against the best, Holm-corrected over all pairs,
rejects at `alpha` with the best ahead. Effect sizes use the same complete tasks, so they describe
exactly the evidence the test saw.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from bench.analysis.leaderboard import MIN_TEST_ROWS, degenerate_cells, min_test_counts
from bench.analysis.stats import bootstrap_weights
from bench.analysis.summary import MIN_WILCOXON_TASKS, summarize_matrix
from bench.analysis.tasks import TaskMatrix, baseline_label, task_matrix
from bench.analysis.where import WHERE_KEYS, filter_where, parse_where, where_text
from bench.core.errors import CommandError
from bench.core.vocab import FAILED, OK, SKIPPED

PREFER = ("rank", "cost")
FEW_TASKS = MIN_WILCOXON_TASKS  # fewer complete tasks: no pairwise test can reject at 0.05
FEW_DATASETS = 5  # fewer datasets: the answer is about these datasets, not "tabular data"
CEILING_COLUMNS = ("ceiling", "recall_ceiling")  # the inspect table's per-class ceiling
LABEL_COLUMNS = ("class_label", "label")  # ... and its class label (docs/inspect.md)
LOW_CEILING = 0.9  # a class whose estimated recall ceiling is below this gets a caveat
DATA_AXES = ("dataset", "profile", "ratio", "test_prior", "minority")


@dataclass
class Effect:
    """The chosen contender against another over the tasks both have (positive = chosen better
    in the metric's direction for `wins`/`r`; `mean_diff` is chosen - other in metric units)."""

    role: str  # "runner-up", "best-ranked" (when --prefer cost chose another) or "DNN baseline"
    other: str
    n_tasks: int
    mean_diff: float
    diff_lo: float
    diff_hi: float
    wins: int
    ties: int
    losses: int
    win_rate: float  # (wins + ties / 2) / n_tasks
    rank_biserial: float  # matched-pairs rank-biserial r in [-1, 1]
    p: float  # two-sided Wilcoxon signed-rank over tasks (uncorrected)
    p_holm: float  # the same, Holm-corrected over all pairs (from the summary)


@dataclass
class Caveat:
    code: str  # few_tasks, few_datasets, small_test_class, degenerate, failed, not_applicable,
    #            no_difference, no_baseline, overlap_ceiling
    text: str


@dataclass
class DecisionRecord:
    """Everything `bench select` writes (markdown and JSON render this, compute nothing)."""

    question: dict[str, object]
    data: dict[str, object]
    chosen: str
    rule: str
    contenders: list[dict[str, object]]  # one per contender, in rank order
    not_worse: list[str]
    test: dict[str, object]
    effects: list[Effect]
    caveats: list[Caveat]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return _json_ready(asdict(self))


def _json_ready(v: object) -> object:
    """NaN -> None, numpy scalars -> Python, recursively (JSON with allow_nan=False)."""
    if isinstance(v, dict):
        return {str(k): _json_ready(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_ready(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()  # type: ignore[union-attr]
    if v is pd.NA or (isinstance(v, float) and not math.isfinite(v)):
        return None
    return v


def rank_biserial(d: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation of differences `d` (Kerby 2014): the share of the
    rank sum of |d| on the positive side minus the share on the negative side; zeros dropped.
    1: every task favours the first, -1: every task the second, 0: balanced (or no non-zero d)."""
    d = np.asarray(d, dtype=float)
    d = d[~np.isnan(d) & (d != 0)]
    if len(d) == 0:
        return 0.0
    ranks = sps.rankdata(np.abs(d))
    total = ranks.sum()
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / total)


def _effect(block: pd.DataFrame, direction: str, chosen: str, other: str, role: str,
            pairwise: pd.DataFrame, n_boot: int, seed: int) -> Effect:
    """Effect sizes over the complete tasks; the p-values are the summary's (the same test on
    the same tasks, not recomputed)."""
    pair = block[[chosen, other]].dropna()
    d = (pair[chosen] - pair[other]).to_numpy(dtype=float)
    signed = d if direction == "max" else -d
    n = len(d)
    if n:
        boot = _weights(n, n_boot, seed) @ d / n
        lo, hi = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
    else:
        lo = hi = float("nan")
    wins, ties, losses = int((signed > 0).sum()), int((signed == 0).sum()), int((signed < 0).sum())
    return Effect(role=role, other=other, n_tasks=n, mean_diff=float(d.mean()) if n else math.nan,
                  diff_lo=lo, diff_hi=hi, wins=wins, ties=ties, losses=losses,
                  win_rate=(wins + ties / 2) / n if n else math.nan,
                  rank_biserial=rank_biserial(signed),
                  p=_pair(pairwise, chosen, other, "p"),
                  p_holm=_pair(pairwise, chosen, other, "p_holm"))


@functools.lru_cache(maxsize=4)
def _weights(n: int, n_boot: int, seed: int) -> np.ndarray:
    """The task resamples (the same for every effect of a record: the tasks are the same)."""
    return bootstrap_weights(n, n_boot, seed)


def _pair(pairwise: pd.DataFrame, a: str, b: str, column: str) -> float:
    """A column of the summary's pairwise table for the unordered pair (a, b)."""
    if pairwise is None or pairwise.empty or column not in pairwise:
        return math.nan
    hit = pairwise[((pairwise["a"] == a) & (pairwise["b"] == b))
                   | ((pairwise["a"] == b) & (pairwise["b"] == a))]
    return float(hit[column].iloc[0]) if len(hit) else math.nan


def baseline_contender(contenders: pd.DataFrame, axes: Sequence[str]) -> str | None:
    """The DNN baseline (`bench.analysis.tasks.baseline_label`)."""
    return baseline_label(contenders, axes)


def _values(cells: pd.DataFrame, col: str) -> list[object]:
    if col not in cells:
        return []
    vals = cells[col].dropna().unique().tolist()
    return sorted(vals, key=lambda v: (isinstance(v, str), v))


def _describe_data(cells: pd.DataFrame, tm: TaskMatrix, source: Mapping[str, object]) -> dict:
    status = cells["status"].astype(str)
    folds = cells[[c for c in ("repeat", "fold") if c in cells]].drop_duplicates()
    data: dict[str, object] = {**source}
    data.update({
        "n_cells": int(len(cells)), "n_ok": int((status == OK).sum()),
        "n_failed": int(status.isin(FAILED).sum()), "n_skipped": int((status == SKIPPED).sum()),
        "n_tasks": int(len(tm.scores)),
        "n_contenders": int(tm.scores.shape[1]), "folds_per_task": int(len(folds)),
        "task_axes": list(tm.task_axes), "pooled_axes": list(tm.pooled_axes),
    })
    for axis in DATA_AXES:
        data[f"{axis}s" if axis not in ("minority",) else "minorities"] = _values(cells, axis)
    for col in ("harness_version", "protocol_version", "git_sha"):
        vals = [v for v in _values(cells, col) if v != ""]
        if vals:
            data[col] = vals
    return data


def caveats(cells: pd.DataFrame, tm: TaskMatrix, chosen: str, n_tasks: int, friedman_p: float,
            alpha: float, inspect: pd.DataFrame | None = None,
            baseline: str | None = None) -> list[Caveat]:
    """The caveats that apply to this record (each with the numbers that trigger it); `n_tasks`
    is the number of complete tasks the tests ran on."""
    out: list[Caveat] = []
    datasets = _values(cells, "dataset")
    k = int(tm.scores.notna().any().sum())  # contenders ranked (some score somewhere)
    if n_tasks < FEW_TASKS:
        out.append(Caveat("few_tasks", f"only {n_tasks} complete task(s): a two-sided Wilcoxon "
                          f"signed-rank test cannot reach p < 0.05 with fewer than {FEW_TASKS}, so "
                          "no contender can be shown worse than the chosen one; add datasets, "
                          "ratios or test priors"))
    elif min_holm_p(n_tasks, k) >= alpha:
        out.append(Caveat("no_power", f"with {n_tasks} complete tasks and {k * (k - 1) // 2} pairs "
                          "of contenders the smallest Holm-corrected p-value possible is "
                          f"{min_holm_p(n_tasks, k):.3g} ≥ α = {alpha:g}: no "
                          "contender can be shown significantly worse; add tasks or narrow "
                          "--contender / --where"))
    if len(datasets) < FEW_DATASETS:
        out.append(Caveat("few_datasets", f"only {len(datasets)} dataset(s): the choice is about "
                          "these datasets, not about tabular data in general"))
    if not (isinstance(friedman_p, float) and math.isnan(friedman_p)) and friedman_p >= alpha:
        out.append(Caveat("no_difference", f"the Friedman test does not reject that every "
                          f"contender performs alike (p = {friedman_p:.3g} ≥ α = {alpha:g})"))
    row = tm.contenders.set_index("contender").loc[chosen]
    mask = _contender_mask(cells, tm, chosen)
    mine = cells[mask]
    ok = mine[mine["status"].astype(str) == OK]
    if int(row["n_failed"]):
        out.append(Caveat("failed", f"{chosen} failed in {int(row['n_failed'])} of {len(mine)} "
                          "cell(s); each failure counts as its task's worst score"))
    n_na = int(tm.scores[chosen].isna().sum())
    if n_na:
        out.append(Caveat("not_applicable", f"{chosen} has no score on {n_na} of {len(tm.scores)} "
                          "task(s) (every cell skipped): it is ranked on the others only"))
    ok_all = cells[cells["status"].astype(str) == OK]
    if len(ok_all):
        small = ok_all.assign(_m=min_test_counts(ok_all))
        small = small[small["_m"] < MIN_TEST_ROWS]
        if len(small):
            keys = [c for c in ("dataset", "ratio") if c in small]
            pairs = small[keys].drop_duplicates().itertuples(index=False)
            where = sorted({f"{p[0]} at ratio {float(p[1]):g}" if len(p) > 1 else str(p[0])
                            for p in pairs})
            out.append(Caveat("small_test_class", f"{len(small)} of {len(ok_all)} ok cell(s) have "
                              f"a test class with fewer than {MIN_TEST_ROWS} rows (smallest "
                              f"{int(small['_m'].min())}): {_few(where)}; their minority scores "
                              "rest on a few rows"))
    if len(ok):
        n_deg = int(degenerate_cells(ok).sum())
        if n_deg:
            out.append(Caveat("degenerate", f"{n_deg} of {len(ok)} ok cell(s) of {chosen} are "
                              "degenerate fits (one predicted class, or a test class never "
                              "predicted)"))
    if baseline is None and "model" in tm.contender_axes:
        out.append(Caveat("no_baseline", "no DNN baseline (model dnn without a sampler) among the "
                          "contenders: no effect size against it"))
    out += _ceiling_caveats(cells, inspect)
    return out


def min_holm_p(n_tasks: int, k: int) -> float:
    """The smallest p-value the Wilcoxon-Holm family can give: the exact two-sided Wilcoxon p of
    n tasks all on one side, 2 / 2**n, times the k(k-1)/2 pairs Holm multiplies the first by."""
    if n_tasks <= 0 or k < 2:
        return 1.0
    return min(1.0, 2.0 ** (1 - n_tasks) * (k * (k - 1) / 2))  # underflows to 0, never overflows


def _few(items: list[str], limit: int = 5) -> str:
    more = f", … ({len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _contender_mask(cells: pd.DataFrame, tm: TaskMatrix, label: str) -> pd.Series:
    row = tm.contenders.set_index("contender").loc[label]
    mask = pd.Series(True, index=cells.index)
    for axis in tm.contender_axes:
        value = row[axis]
        col = cells[axis]
        mask &= (col.astype(float) == float(value)) if isinstance(value, float) else (
            col.astype(str) == str(value))
    return mask


def _ceiling_caveats(cells: pd.DataFrame, inspect: pd.DataFrame | None) -> list[Caveat]:
    """Classes whose estimated recall ceiling (the store's `inspect` table, when present) is low:
    overlap, not imbalance, limits them, and no model or sampler lifts them past it."""
    if inspect is None or inspect.empty:
        return []
    col = next((c for c in CEILING_COLUMNS if c in inspect.columns), None)
    label = next((c for c in LABEL_COLUMNS if c in inspect.columns), None)
    if col is None or label is None or "dataset" not in inspect.columns:
        return [Caveat("overlap_ceiling", "the store has inspection data, but without a per-class "
                       f"{' / '.join(CEILING_COLUMNS)} column (dataset, class_label): not read")]
    datasets = set(cells["dataset"].astype(str))
    low = inspect[inspect["dataset"].astype(str).isin(datasets)
                  & (pd.to_numeric(inspect[col], errors="coerce") < LOW_CEILING)]
    low = low.groupby(["dataset", label], sort=True)[col].min()
    if low.empty:
        return []
    items = [f"class {label} of {dataset}: {value:.2f}" for (dataset, label), value in low.items()]
    return [Caveat("overlap_ceiling", "estimated recall ceiling below "
                   f"{LOW_CEILING:g} (class overlap, not imbalance; no model or sampler goes past "
                   f"it): {_few(items, 10)}")]


def decision_record(cells: pd.DataFrame, metric: str,
                    contender: str | Sequence[str] | None = None,
                    task: str | Sequence[str] | None = None,
                    where: Mapping[str, Sequence[str]] | str | Sequence[str] | None = None,
                    alpha: float = 0.05, prefer: str = "rank", tolerance: float = 0.01,
                    n_boot: int = 1000, seed: int = 0,
                    inspect: pd.DataFrame | None = None,
                    source: Mapping[str, object] | None = None,
                    direction: str | None = None) -> DecisionRecord:
    """Choose a contender by `metric` over the cells `where` selects and write down why.

    `inspect`: the store's inspection table when it has one (overlap ceilings); `source`: what
    the record names as its data source (store, suite), copied into `data` as given.
    """
    if prefer not in PREFER:
        raise CommandError(f"--prefer {prefer}: allowed: {', '.join(PREFER)}")
    if not 0 < alpha < 1:
        raise CommandError(f"--alpha {alpha:g}: allowed: a level between 0 and 1 (e.g. 0.05)")
    if not (tolerance >= 0 and math.isfinite(tolerance)):
        raise CommandError(f"--tolerance {tolerance:g}: allowed: 0 or a positive difference in "
                           "metric units (e.g. 0.01)")
    conditions = dict(where) if isinstance(where, Mapping) else parse_where(where)
    tm = task_matrix(cells, metric, contender=contender, task=task, where=conditions,
                     direction=direction)
    summary = summarize_matrix(tm, alpha=alpha, n_boot=n_boot, seed=seed)
    table = summary.table.set_index("contender")
    order = table.index.astype(str).tolist()
    if len(order) < 2 or summary.n_tasks == 0:
        what = where_text(conditions) or "the store"
        raise CommandError(f"bench select needs at least two contenders scored on a common task; "
                           f"{what} gives {len(order)} contender(s) and {summary.n_tasks} complete "
                           "task(s); widen --where or change --contender")
    best, not_worse = summary.best, list(summary.not_significantly_worse)
    if prefer == "cost" and summary.n_tasks < MIN_WILCOXON_TASKS:
        raise CommandError(f"--prefer cost needs at least {MIN_WILCOXON_TASKS} complete tasks: "
                           f"with {summary.n_tasks} the test cannot reject any contender, so the "
                           "cheapest would be chosen whatever it scores; use --prefer rank or "
                           "add datasets, ratios or test priors")
    # Training includes the search: a tuned contender's fit_s is only its final refit.
    search = table["tune_s"].fillna(0.0)
    cost = table["fit_s"].fillna(np.inf) + search + table["predict_s"].fillna(0.0)
    sign = 1.0 if tm.direction == "max" else -1.0
    behind = {c: sign * (table.at[best, "mean"] - table.at[c, "mean"]) for c in not_worse}
    candidates = [c for c in not_worse if c == best or behind[c] <= tolerance]
    cheapest = min(candidates, key=lambda c: (cost[c], order.index(c)))
    if prefer == "rank":
        chosen = best
        rule = ("best mean rank over the complete tasks (ties: better mean task score, then label "
                "order), as in bench summary")
    else:
        chosen = cheapest
        rule = (f"the cheapest (mean fit + search + predict seconds per cell) of the "
                f"{len(candidates)} "
                f"contender(s) not significantly worse than the best-ranked, {best}, and within "
                f"{tolerance:g} of its mean {tm.metric}")
    block = tm.scores.loc[summary.tasks, order]
    pairwise = summary.pairwise
    # Against the best-ranked when cost chose another one, else against the next in rank order.
    runner_up, role = (best, "best-ranked") if chosen != best else (order[1], "runner-up")
    baseline = baseline_contender(tm.contenders, tm.contender_axes)
    effects = [_effect(block, tm.direction, chosen, runner_up, role, pairwise, n_boot, seed)]
    if baseline is not None and baseline != chosen and baseline in block.columns:
        effects.append(_effect(block, tm.direction, chosen, baseline, "DNN baseline", pairwise,
                               n_boot, seed))
    columns = ["position", *tm.contender_axes, "mean_rank", "mean", "ci_lo", "ci_hi", "win_rate",
               "n_tasks", "n_ok", "n_failed", "n_skipped", "fit_s", "tune_s", "predict_s",
               "peak_mb", "not_worse"]
    contenders = []
    for label in order:
        row = {"contender": label, **{c: table.at[label, c] for c in columns if c in table.columns}}
        row["p_vs_best"] = math.nan if label == best else _pair(pairwise, best, label, "p")
        row["p_holm_vs_best"] = (math.nan if label == best
                                 else _pair(pairwise, best, label, "p_holm"))
        contenders.append(row)
    slim = [c for c in dict.fromkeys((*WHERE_KEYS, *DATA_AXES, *tm.contender_axes,
                        "min_test_count", "test_counts", "degenerate", "predicted_classes",
                        "harness_version", "protocol_version", "git_sha")) if c in cells.columns]
    filtered = filter_where(cells[slim], conditions)  # the columns the record reads, no copies
    question = {"metric": tm.metric, "direction": tm.direction,
                "contender_axes": list(tm.contender_axes), "task_axes": list(tm.task_axes),
                "where": {k: list(v) for k, v in conditions.items()}, "alpha": alpha,
                "prefer": prefer, "tolerance": tolerance, "n_boot": n_boot, "seed": seed}
    test = {"name": "two-sided Wilcoxon signed-rank test over the complete tasks, "
                    "Holm-corrected over all pairs",
            "against": best, "alpha": alpha, "n_tasks": summary.n_tasks,
            "friedman_stat": summary.friedman_stat, "friedman_p": summary.friedman_p,
            "critical_difference": summary.critical_difference,
            "min_p_holm": min_holm_p(summary.n_tasks, len(order)),
            "cost_candidates": candidates, "cheapest_not_worse": cheapest}
    data = _describe_data(filtered, tm, dict(source or {}))
    data["n_complete_tasks"] = summary.n_tasks
    return DecisionRecord(
        question=question, data=data, chosen=chosen, rule=rule, contenders=contenders,
        not_worse=not_worse, test=test, effects=effects,
        caveats=caveats(filtered, tm, chosen, summary.n_tasks, summary.friedman_p, alpha, inspect,
                        baseline),
        notes=[n for n in summary.notes  # the few-tasks caveat says it with its consequence
               if not n.startswith(f"only {summary.n_tasks} complete task")])
