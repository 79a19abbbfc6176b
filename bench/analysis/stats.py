"""Statistics over a tasks x contenders score matrix (rows = tasks, columns = contenders).

Why: a choice between classifiers is a claim about problems, so every statistic here treats a
task as the unit (Demšar 2006, "Statistical Comparisons of Classifiers over Multiple Data Sets",
JMLR 7): mean rank, the Friedman test, the Nemenyi critical difference, pairwise Wilcoxon
signed-rank tests with Holm's correction, win rates, normalized scores, improvability and Elo
(TabArena, Erickson et al. 2025). The tests compute what scipy.stats' `friedmanchisquare`,
`wilcoxon` and `studentized_range` compute, vectorised over pairs and without importing
scipy.stats (`bench.analysis.distributions` says why); the tests of this module check them
against scipy.stats, Demšar's worked example and scikit-posthocs. Every function is
direction-aware ("max": higher is better) and vectorised: the bootstrap draws multinomial task
weights once and uses matrix products.

Functions take a DataFrame `scores` (NaN = not applicable) and return frames or small dataclasses;
nothing here reads a store or draws anything.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from bench.analysis.distributions import (EXACT_MAX_N, PERMUTATION_MAX_N,  # noqa: F401
                                          bootstrap_weights, f_sf, friedman_chi2,
                                          studentized_range_isf, studentized_range_sf,
                                          wilcoxon_columns)
from bench.analysis.versus import PairedComparison, paired_comparison  # noqa: F401

ELO_ANCHOR = 1000.0
ELO_SCALE = 400.0 / math.log(10.0)  # Elo points per natural-log unit of the Bradley-Terry strength
ELO_PRIOR_TIES = 1.0  # virtual ties per pair: keeps a contender that wins every battle finite


def _sign(direction: str) -> float:
    return 1.0 if direction == "max" else -1.0


def complete(scores: pd.DataFrame) -> pd.DataFrame:
    """The tasks on which every contender has a score (the complete blocks of Friedman)."""
    return scores.dropna(axis=0, how="any")


def rank_matrix(scores: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Per task, rank 1 = best; ties share the average rank; NaN stays NaN."""
    return scores.rank(axis=1, ascending=direction == "min", method="average")


def mean_ranks(scores: pd.DataFrame, direction: str) -> pd.Series:
    """Mean rank per contender over the tasks given (pass complete blocks for Friedman/CD)."""
    return rank_matrix(scores, direction).mean(axis=0)


@dataclass
class FriedmanResult:
    """Friedman's test over complete blocks.

    `statistic`/`p`: the chi-square statistic with scipy's tie correction and its p-value;
    `chi2_demsar`: the statistic of Demšar's eq. (from mean ranks, no tie correction);
    `f_stat`/`f_p`: Iman and Davenport's F_F = (N-1) chi2 / (N(k-1) - chi2), F(k-1, (k-1)(N-1)).
    """

    statistic: float
    p: float
    chi2_demsar: float
    f_stat: float
    f_p: float
    n: int
    k: int

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def friedman(scores: pd.DataFrame, direction: str = "max") -> FriedmanResult:
    """Friedman's test on the complete blocks of `scores` (NaN when k < 3 or N < 2)."""
    block = complete(scores)
    n, k = block.shape
    nan = float("nan")
    if k < 3 or n < 2:
        return FriedmanResult(nan, nan, nan, nan, nan, n, k)
    ranks = mean_ranks(block, direction).to_numpy()
    chi2 = 12.0 * n / (k * (k + 1)) * (np.sum(ranks ** 2) - k * (k + 1) ** 2 / 4.0)
    chi2 = max(float(chi2), 0.0)
    if np.all(block.to_numpy() == block.to_numpy()[:, :1]):  # every task a full tie
        stat, p = 0.0, 1.0
    else:
        stat, p = friedman_chi2(block.to_numpy(dtype=float))
    denom = n * (k - 1) - chi2
    if denom > 0:
        f_stat = (n - 1) * chi2 / denom
        f_p = f_sf(f_stat, k - 1, (k - 1) * (n - 1))
    else:  # every task ranks the contenders the same way
        f_stat, f_p = float("inf"), 0.0
    return FriedmanResult(stat, p, chi2, float(f_stat), f_p, n, k)


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Demšar's q_alpha: the studentized range quantile (infinite df) divided by sqrt(2)."""
    return studentized_range_isf(alpha, k) / math.sqrt(2.0)


def nemenyi_cd(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference CD = q_alpha sqrt(k(k+1)/(6N)): two mean ranks further apart
    than this differ significantly (Demšar 2006, sec. 3.2.2; CD = 1.25 for k=4, N=14)."""
    if k < 2 or n < 1:
        return float("nan")
    return nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n))



def nemenyi_pvalues(scores: pd.DataFrame, direction: str = "max") -> pd.DataFrame:
    """All-pairs Nemenyi p-values on the complete blocks (symmetric, 1 on the diagonal):
    P(Q > |R_i - R_j| sqrt(2) / sqrt(k(k+1)/(6N))), as scikit-posthocs computes them."""
    block = complete(scores)
    n, k = block.shape
    ranks = mean_ranks(block, direction).to_numpy()
    if k < 2 or n < 1:
        return pd.DataFrame(np.nan, index=scores.columns, columns=scores.columns)
    se = math.sqrt(k * (k + 1) / (6.0 * n))
    q = np.abs(ranks[:, None] - ranks[None, :]) / se * math.sqrt(2.0)
    iu = np.triu_indices(k, 1)
    p = np.ones((k, k))
    p[iu] = studentized_range_sf(q[iu], k)
    p[(iu[1], iu[0])] = p[iu]
    return pd.DataFrame(p, index=block.columns, columns=block.columns)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN kept out of the family)."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    vals = p[ok]
    order = np.argsort(vals, kind="mergesort")
    adj = np.maximum.accumulate((m - np.arange(m)) * vals[order])
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def _pair_outcomes(x: np.ndarray, y: np.ndarray, direction: str
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Wins, ties, losses of x against y and the number of paired tasks (column-wise)."""
    both = ~np.isnan(x) & ~np.isnan(y)
    d = np.where(both, (x - y) * _sign(direction), 0.0)
    wins = ((d > 0) & both).sum(axis=0)
    ties = ((d == 0) & both).sum(axis=0)
    losses = ((d < 0) & both).sum(axis=0)
    return wins, ties, losses, both.sum(axis=0)



def wilcoxon_holm(scores: pd.DataFrame, direction: str = "max", alpha: float = 0.05,
                  order: list[str] | None = None) -> pd.DataFrame:
    """Two-sided Wilcoxon signed-rank test for every pair of contenders over the tasks both have
    a score on, Holm-corrected over all pairs (Demšar 2006, sec. 3.1.3: zero differences are
    split between the rank sums, scipy's ``zero_method="zsplit"``).

    One row per pair (a before b in `order`, default the columns): n, wins/ties/losses of a,
    mean_diff (a - b in metric units), statistic, p, p_holm, significant (p_holm < alpha).
    """
    cols = list(order or scores.columns)
    k = len(cols)
    columns = ["a", "b", "n", "wins", "ties", "losses", "mean_diff", "statistic", "p", "p_holm",
               "significant"]
    if k < 2:
        return pd.DataFrame(columns=columns)
    X = scores[cols].to_numpy(dtype=float)
    ia, ib = np.triu_indices(k, 1)
    x, y = X[:, ia], X[:, ib]
    wins, ties, losses, n = _pair_outcomes(x, y, direction)
    diff = x - y
    with np.errstate(invalid="ignore"):
        mean_diff = np.nanmean(np.where(np.isnan(diff), np.nan, diff), axis=0) \
            if len(X) else np.full(len(ia), np.nan)
    stat = np.full(len(ia), np.nan)
    p = np.full(len(ia), np.nan)
    nonzero = (wins + losses) > 0
    all_zero = (n > 0) & ~nonzero
    stat[all_zero], p[all_zero] = 0.0, 1.0
    complete_pairs = ~np.isnan(diff).any(axis=0)
    fast = nonzero & complete_pairs
    if fast.any():  # every pair without missing tasks at once
        stat[fast], p[fast] = wilcoxon_columns(diff[:, fast])
    for j in np.flatnonzero(nonzero & ~complete_pairs):  # pairs with n/a tasks: their own tasks
        keep = ~np.isnan(diff[:, j])
        sj, pj = wilcoxon_columns(diff[keep, j][:, None])
        stat[j], p[j] = sj[0], pj[0]
    p_holm = holm(p)
    return pd.DataFrame({
        "a": [cols[i] for i in ia], "b": [cols[j] for j in ib], "n": n, "wins": wins,
        "ties": ties, "losses": losses, "mean_diff": mean_diff, "statistic": stat, "p": p,
        "p_holm": p_holm, "significant": np.nan_to_num(p_holm, nan=1.0) < alpha,
    }, columns=columns)


@dataclass
class WinMatrix:
    """Pairwise outcomes over tasks: wins[i, j] = tasks where i beats j (both applicable)."""

    wins: pd.DataFrame
    ties: pd.DataFrame
    losses: pd.DataFrame

    @property
    def rate(self) -> pd.DataFrame:
        """Win rate of row against column, a tie counting half (NaN without shared tasks)."""
        n = self.wins + self.ties + self.losses
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.wins + 0.5 * self.ties) / n.where(n > 0)

    def win_rate(self) -> pd.Series:
        """Per contender: (wins + ties/2) / battles over every opponent and task."""
        n = (self.wins + self.ties + self.losses).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.wins.sum(axis=1) + 0.5 * self.ties.sum(axis=1)) / n.where(n > 0)


def _outcome_tensor(X: np.ndarray, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """Per task: win[t, i, j] (i beats j) and tie[t, i, j] (both applicable, equal)."""
    d = (X[:, :, None] - X[:, None, :]) * _sign(direction)
    valid = ~np.isnan(d)
    eye = np.eye(X.shape[1], dtype=bool)[None]
    win = (d > 0) & valid
    tie = (d == 0) & valid & ~eye
    return win, tie


def win_matrix(scores: pd.DataFrame, direction: str = "max") -> WinMatrix:
    """Wins, ties and losses of every contender against every other over the tasks."""
    X = scores.to_numpy(dtype=float)
    win, tie = _outcome_tensor(X, direction)
    cols = scores.columns
    w = win.sum(axis=0)
    return WinMatrix(pd.DataFrame(w, index=cols, columns=cols),
                     pd.DataFrame(tie.sum(axis=0), index=cols, columns=cols),
                     pd.DataFrame(w.T, index=cols, columns=cols))


def normalized(scores: pd.DataFrame, direction: str = "max") -> pd.DataFrame:
    """Per task: 0 = the worst contender, 1 = the best, linear between (all equal: 1)."""
    X = scores.to_numpy(dtype=float) * _sign(direction)
    with np.errstate(invalid="ignore"):
        lo = np.nanmin(np.where(np.isnan(X), np.inf, X), axis=1, keepdims=True)
        hi = np.nanmax(np.where(np.isnan(X), -np.inf, X), axis=1, keepdims=True)
        span = hi - lo
        out = np.where(span > 0, (X - lo) / np.where(span > 0, span, 1.0), 1.0)
    out = np.where(np.isnan(X), np.nan, out)
    return pd.DataFrame(out, index=scores.index, columns=scores.columns)


def improvability(scores: pd.DataFrame, direction: str = "max") -> pd.DataFrame:
    """Per task: how much better the best contender is, relative (TabArena). For "min" metrics
    (errors, losses) (score - best) / score: the share of the error the best removes; for "max"
    metrics (best - score) / best. 0 = the best; absolute values in the denominator."""
    X = scores.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if direction == "max":
            best = np.nanmax(np.where(np.isnan(X), -np.inf, X), axis=1, keepdims=True)
            gap, denom = best - X, np.abs(np.broadcast_to(best, X.shape))
        else:
            best = np.nanmin(np.where(np.isnan(X), np.inf, X), axis=1, keepdims=True)
            gap, denom = X - best, np.abs(X)
        out = np.where(denom > 0, gap / np.where(denom > 0, denom, 1.0),
                       np.where(gap == 0, 0.0, np.nan))
    out = np.where(np.isnan(X), np.nan, out)
    return pd.DataFrame(out, index=scores.index, columns=scores.columns)



def bootstrap_mean_ci(scores: pd.DataFrame, n_boot: int = 1000, seed: int = 0,
                      level: float = 0.95) -> pd.DataFrame:
    """Mean over tasks per contender with a percentile bootstrap CI (tasks resampled, the same
    resamples for every contender; NaN tasks left out of a contender's mean)."""
    X = scores.to_numpy(dtype=float)
    have = ~np.isnan(X)
    Z = np.where(have, X, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = Z.sum(axis=0) / have.sum(axis=0)
        C = bootstrap_weights(len(X), n_boot, seed)
        boot = (C @ Z) / (C @ have)
        if len(X) and X.shape[1]:
            lo, hi = np.nanpercentile(boot, [50 * (1 - level), 50 * (1 + level)], axis=0)
        else:
            lo = hi = np.full(X.shape[1], np.nan)
    return pd.DataFrame({"mean": mean, "ci_lo": lo, "ci_hi": hi}, index=scores.columns)


def _bradley_terry(W: np.ndarray, ref: int, start: np.ndarray | None = None,
                   iters: int = 100, tol: float = 1e-9) -> np.ndarray:
    """Batched Bradley-Terry MLE by Newton's method: W (B, k, k) wins of i over j (ties as
    halves, plus the prior), strengths (B, k) in natural-log units with strength[ref] = 0.
    `start` (k,) warm-starts every problem (the bootstrap starts from the point estimate)."""
    B, k, _ = W.shape
    N = W + np.transpose(W, (0, 2, 1))
    theta = np.zeros((B, k)) if start is None else np.tile(start, (B, 1))
    wins = W.sum(axis=2)
    diag = np.arange(k)
    for _ in range(iters):
        s = expit(theta[:, :, None] - theta[:, None, :])  # P(i beats j)
        Ns = N * s
        grad = wins - Ns.sum(axis=2)
        Ns -= Ns * s  # N s (1 - s): minus the off-diagonal Hessian
        H = np.negative(Ns, out=Ns)
        H[:, diag, diag] = 0.0
        H[:, diag, diag] = -H.sum(axis=2)  # negative Hessian of the log-likelihood
        # strength[ref] stays 0: its row and column become the identity, its gradient 0
        H[:, ref, :] = 0.0
        H[:, :, ref] = 0.0
        H[:, ref, ref] = 1.0
        grad[:, ref] = 0.0
        step = np.clip(np.linalg.solve(H, grad[:, :, None])[:, :, 0], -3.0, 3.0)
        theta += step
        if np.max(np.abs(step)) < tol:
            break
    return theta


def elo(scores: pd.DataFrame, direction: str = "max", reference: str | None = None,
        n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """Elo ratings (Bradley-Terry fit of the per-task battles, every pair of contenders meets
    once per task, a tie counts half) anchored so that `reference` has `ELO_ANCHOR` = 1000;
    percentile bootstrap CI over resampled tasks. Columns: elo, elo_lo, elo_hi."""
    cols = list(scores.columns)
    k = len(cols)
    if k == 0 or len(scores) == 0:  # no battles: no rating
        return pd.DataFrame(np.nan, index=cols, columns=["elo", "elo_lo", "elo_hi"])
    ref = cols.index(reference) if reference in cols else 0
    X = scores.to_numpy(dtype=float)
    win, tie = _outcome_tensor(X, direction)
    per_task = (win + 0.5 * tie).reshape(len(X), k * k).astype(float)
    prior = 0.5 * ELO_PRIOR_TIES * (1.0 - np.eye(k)).reshape(1, k * k)
    point = (per_task.sum(axis=0, keepdims=True) + prior).reshape(1, k, k)
    C = bootstrap_weights(len(X), max(n_boot, 0), seed)
    boots = (C @ per_task + prior).reshape(max(n_boot, 0), k, k)
    theta = _bradley_terry(point, ref)[0]
    ratings = ELO_ANCHOR + ELO_SCALE * theta
    if n_boot > 0:
        boot = ELO_ANCHOR + ELO_SCALE * _bradley_terry(boots, ref, start=theta, tol=1e-6)
        lo, hi = np.percentile(boot, [50 * (1 - level), 50 * (1 + level)], axis=0)
    else:
        lo = hi = np.full(k, np.nan)
    return pd.DataFrame({"elo": ratings, "elo_lo": lo, "elo_hi": hi}, index=cols)
