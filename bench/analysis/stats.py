"""Statistics over a tasks x contenders score matrix (rows = tasks, columns = contenders).

Why: a choice between classifiers is a claim about problems, so every statistic here treats a
task as the unit (Demšar 2006, "Statistical Comparisons of Classifiers over Multiple Data Sets",
JMLR 7): mean rank, the Friedman test, the Nemenyi critical difference, pairwise Wilcoxon
signed-rank tests with Holm's correction, win rates, normalized scores, improvability and Elo
(TabArena, Erickson et al. 2025). The tests are scipy's (`friedmanchisquare`, `wilcoxon`,
`studentized_range`); the tests of this module check them against Demšar's worked example and
against scikit-posthocs. Every function is direction-aware ("max": higher is better) and
vectorised: the bootstrap draws multinomial task weights once and uses matrix products.

Functions take a DataFrame `scores` (NaN = not applicable) and return frames or small dataclasses;
nothing here reads a store or draws anything.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy import special
from scipy.special import expit

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

    `statistic`/`p`: scipy's chi-square statistic (with its tie correction) and p-value;
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
        res = stats.friedmanchisquare(*block.to_numpy(dtype=float).T)
        stat, p = float(res.statistic), float(res.pvalue)
    denom = n * (k - 1) - chi2
    if denom > 0:
        f_stat = (n - 1) * chi2 / denom
        f_p = float(stats.f.sf(f_stat, k - 1, (k - 1) * (n - 1)))
    else:  # every task ranks the contenders the same way
        f_stat, f_p = float("inf"), 0.0
    return FriedmanResult(stat, p, chi2, float(f_stat), f_p, n, k)


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Demšar's q_alpha: the studentized range quantile (infinite df) divided by sqrt(2)."""
    return float(stats.studentized_range.ppf(1.0 - alpha, k, np.inf) / math.sqrt(2.0))


def nemenyi_cd(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference CD = q_alpha sqrt(k(k+1)/(6N)): two mean ranks further apart
    than this differ significantly (Demšar 2006, sec. 3.2.2; CD = 1.25 for k=4, N=14)."""
    if k < 2 or n < 1:
        return float("nan")
    return nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n))


_Z = np.linspace(-12.0, 12.0, 2401)  # integration grid of the studentized range (step 0.01)


def studentized_range_sf(q: np.ndarray, k: int) -> np.ndarray:
    """P(Q > q) of the range of k standard normals (infinite degrees of freedom):
    1 - k ∫ φ(z) (Φ(z) - Φ(z - q))^(k-1) dz, by the trapezoid rule on a fine grid, vectorised
    over q (scipy's `studentized_range.sf` integrates once per value: 0.4 s for 40 contenders'
    pairs). Agrees with scipy to about 1e-9 (tests)."""
    q = np.asarray(q, dtype=float)
    flat = q.ravel()
    out = np.empty_like(flat)
    phi = np.exp(-0.5 * _Z ** 2) / math.sqrt(2.0 * math.pi)
    cdf_z = special.ndtr(_Z)
    dz = _Z[1] - _Z[0]
    for start in range(0, len(flat), 256):
        qs = flat[start:start + 256, None]
        inner = np.clip(cdf_z[None, :] - special.ndtr(_Z[None, :] - qs), 0.0, 1.0) ** (k - 1)
        f = phi[None, :] * inner
        integral = dz * (f.sum(axis=1) - 0.5 * (f[:, 0] + f[:, -1]))
        out[start:start + 256] = 1.0 - k * integral
    return np.clip(out, 0.0, 1.0).reshape(q.shape)


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


EXACT_MAX_N = 50  # scipy's "auto": the exact null distribution up to 50 tasks without ties
PERMUTATION_MAX_N = 13  # with ties or zeros: all 2^n sign flips up to 13 tasks, then normal


def _permutation_p(d: np.ndarray, ranks: np.ndarray, r_plus: np.ndarray) -> np.ndarray:
    """Two-sided p of the signed-rank statistic over all 2^n sign flips (columns of `d`), the
    test scipy runs for n <= 13 with ties or zeros, in chunks of matrix products."""
    n = d.shape[0]
    signs = ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1).astype(float)  # 1 = +
    nonzero_ranks = np.where(d != 0, ranks, 0.0)
    zero_half = np.where(d == 0, ranks, 0.0).sum(axis=0) / 2.0
    out = np.empty(d.shape[1])
    chunk = max(1, 2 ** 22 // 2 ** n)
    for start in range(0, d.shape[1], chunk):
        sl = slice(start, start + chunk)
        null = signs @ nonzero_ranks[:, sl] + zero_half[sl]  # (2^n, pairs)
        obs = r_plus[sl]
        gamma = np.abs(np.finfo(float).eps * 100 * obs)
        less = (null <= obs + gamma).mean(axis=0)
        greater = (null >= obs - gamma).mean(axis=0)
        out[sl] = np.clip(2 * np.minimum(less, greater), 0.0, 1.0)
    return out


def wilcoxon_columns(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Wilcoxon signed-rank test of every column of differences `d` (tasks x pairs),
    zero differences split between the rank sums (Demšar 2006). Each column gets the method
    `scipy.stats.wilcoxon(..., zero_method="zsplit")` chooses for it alone: exact without ties
    or zeros up to 50 tasks, all sign flips with ties or zeros up to 13, else the normal
    approximation with tie correction. Vectorised: one call per method, not one per pair."""
    n, m = d.shape
    stat, p = np.full(m, np.nan), np.full(m, np.nan)
    if n == 0 or m == 0:
        return stat, p
    ranks = stats.rankdata(np.abs(d), axis=0)
    zero_half = np.where(d == 0, ranks, 0.0).sum(axis=0) / 2.0
    r_plus = np.where(d > 0, ranks, 0.0).sum(axis=0) + zero_half
    r_minus = np.where(d < 0, ranks, 0.0).sum(axis=0) + zero_half
    stat = np.minimum(r_plus, r_minus)
    srt = np.sort(np.abs(d), axis=0)
    tied = (srt[1:] == srt[:-1]).any(axis=0) | (d == 0).any(axis=0)
    exact = ~tied & (n <= EXACT_MAX_N)
    perm = tied & (n <= PERMUTATION_MAX_N)
    approx = ~exact & ~perm
    if exact.any():
        p[exact] = stats.wilcoxon(d[:, exact], zero_method="zsplit", method="exact", axis=0).pvalue
    if approx.any():
        p[approx] = stats.wilcoxon(d[:, approx], zero_method="zsplit", method="asymptotic",
                                   axis=0).pvalue
    if perm.any():
        p[perm] = _permutation_p(d[:, perm], ranks[:, perm], r_plus[perm])
    return stat, p


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


def bootstrap_weights(n_tasks: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """(n_boot, n_tasks) multinomial counts: how often each task is drawn in each resample."""
    rng = np.random.default_rng(seed)
    if n_tasks == 0:
        return np.zeros((n_boot, 0))
    return rng.multinomial(n_tasks, np.full(n_tasks, 1.0 / n_tasks), size=n_boot).astype(float)


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
