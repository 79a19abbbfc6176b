"""The rank tests' statistics and null distributions, vectorised, on numpy and scipy.special.

Why: `bench summary` must answer over 100,000 cells in under 2 seconds, end to end. Importing
`scipy.stats` alone costs about 0.6 s of that, and scipy computes these tests one value or one
pair at a time (an integral per Nemenyi pair, a permutation test per tied Wilcoxon pair: seconds
to minutes for 40-60 contenders). Each function here reproduces scipy.stats' result exactly as
its documentation defines it — `friedmanchisquare` (with the tie correction), `wilcoxon(...,
zero_method="zsplit")` with the method its "auto" picks for each pair, `studentized_range` with
infinite degrees of freedom, the F and chi-square tails — for many pairs at once; the tests
(tests/analysis/test_stats.py) compare every one with scipy.stats on random data with ties.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

EXACT_MAX_N = 50  # scipy's "auto": the exact null distribution up to 50 tasks without ties
PERMUTATION_MAX_N = 13  # with ties or zeros: all 2^n sign flips up to 13 tasks, then normal
_Z = np.linspace(-12.0, 12.0, 2401)  # integration grid of the studentized range (step 0.01)


# ---- ranks and ties -----------------------------------------------------------------------
def average_ranks(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Ranks 1..n along `axis`, ties sharing the average of their ranks (no NaN)."""
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    order = np.argsort(x, axis=-1, kind="mergesort")
    s = np.take_along_axis(x, order, axis=-1)
    n = s.shape[-1]
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    run = np.cumsum(new, axis=-1) - 1  # run id of each sorted value
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=float), s.shape)
    flat_run = (np.arange(int(np.prod(s.shape[:-1])))[:, None] * n + run.reshape(-1, n)).ravel()
    size = int(np.prod(s.shape[:-1])) * n
    total = np.bincount(flat_run, weights=pos.reshape(-1), minlength=size)
    count = np.bincount(flat_run, minlength=size)
    avg = (total / np.maximum(count, 1))[flat_run].reshape(s.shape)
    ranks = np.empty_like(avg)
    np.put_along_axis(ranks, order, avg, axis=-1)
    return np.moveaxis(ranks, -1, axis)


def tie_term(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Sum over groups of equal values of t^3 - t, along `axis` (0 without ties)."""
    s = np.sort(np.moveaxis(np.asarray(x, dtype=float), axis, -1), axis=-1)
    n = s.shape[-1]
    lead = int(np.prod(s.shape[:-1]))
    s = s.reshape(lead, n)
    new = np.ones(s.shape, dtype=bool)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    run = (np.arange(lead)[:, None] * n + np.cumsum(new, axis=1) - 1).ravel()
    t = np.bincount(run, minlength=lead * n).reshape(lead, n).astype(float)
    return (t ** 3 - t).sum(axis=1).reshape(np.moveaxis(np.asarray(x), axis, -1).shape[:-1])


# ---- Friedman ---------------------------------------------------------------------------------
def friedman_chi2(block: np.ndarray) -> tuple[float, float]:
    """Friedman's chi-square (tasks x contenders, no NaN) with scipy's tie correction, and its
    p-value from chi-square with k - 1 degrees of freedom (as `scipy.stats.friedmanchisquare`)."""
    n, k = block.shape
    ranks = average_ranks(block, axis=1)
    ties = tie_term(block, axis=1).sum()
    c = 1.0 - ties / (k * (k * k - 1) * n)
    ssbn = np.sum(ranks.sum(axis=0) ** 2)
    chi2 = (12.0 / (k * n * (k + 1)) * ssbn - 3.0 * n * (k + 1)) / c
    return float(chi2), float(special.chdtrc(k - 1, chi2))


def f_sf(x: float, dfn: float, dfd: float) -> float:
    """P(F > x) of the F distribution (Iman-Davenport's test)."""
    return float(special.fdtrc(dfn, dfd, x))


# ---- studentized range (Nemenyi) ------------------------------------------------------------
def studentized_range_sf(q: np.ndarray, k: int) -> np.ndarray:
    """P(Q > q) of the range of k standard normals (infinite degrees of freedom):
    1 - k ∫ φ(z) (Φ(z) - Φ(z - q))^(k-1) dz, by the trapezoid rule on a fine grid, vectorised
    over q. Agrees with scipy's `studentized_range.sf(q, k, inf)` to about 1e-14."""
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


def studentized_range_isf(p: float, k: int) -> float:
    """The q with P(Q > q) = p (infinite df), by bisection on `studentized_range_sf`."""
    lo, hi = 0.0, 50.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if studentized_range_sf(np.array([mid]), k)[0] > p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return 0.5 * (lo + hi)


# ---- Wilcoxon signed-rank ---------------------------------------------------------------------
@lru_cache(maxsize=64)
def _signed_rank_pmf(n: int) -> np.ndarray:
    """P(T = t), t = 0..n(n+1)/2, of the signed-rank statistic without ties: the coefficients of
    prod_i (1 + x^i) / 2^n (exact in float64 up to n = 50)."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    top = 0
    for i in range(1, n + 1):
        counts[i:top + i + 1] += counts[:top + 1].copy()
        top += i
    return counts / 2.0 ** n


def _exact_p(r_plus: np.ndarray, n: int) -> np.ndarray:
    """Two-sided exact p: 2 min(P(T >= r), P(T <= r)), clipped to 1 (scipy's "exact")."""
    cdf = np.cumsum(_signed_rank_pmf(n))
    r = np.asarray(r_plus)
    lo = cdf[np.clip(np.ceil(r).astype(int), 0, len(cdf) - 1)]  # P(T <= ceil r)
    k = np.floor(r).astype(int)
    hi = 1.0 - np.where(k > 0, cdf[np.clip(k - 1, 0, len(cdf) - 1)], 0.0)  # P(T >= floor r)
    return np.clip(2.0 * np.minimum(lo, hi), 0.0, 1.0)


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
    approximation with tie correction. Returns (min(R+, R-), p) per column."""
    n, m = d.shape
    stat, p = np.full(m, np.nan), np.full(m, np.nan)
    if n == 0 or m == 0:
        return stat, p
    ranks = average_ranks(np.abs(d), axis=0)
    zero_half = np.where(d == 0, ranks, 0.0).sum(axis=0) / 2.0
    r_plus = np.where(d > 0, ranks, 0.0).sum(axis=0) + zero_half
    r_minus = np.where(d < 0, ranks, 0.0).sum(axis=0) + zero_half
    stat = np.minimum(r_plus, r_minus)
    ties = tie_term(np.abs(d), axis=0)
    tied = (ties > 0) | (d == 0).any(axis=0)
    exact = ~tied & (n <= EXACT_MAX_N)
    perm = tied & (n <= PERMUTATION_MAX_N)
    approx = ~exact & ~perm
    if exact.any():
        p[exact] = _exact_p(r_plus[exact], n)
    if approx.any():
        mn = n * (n + 1) / 4.0
        se = np.sqrt((n * (n + 1) * (2 * n + 1) - ties[approx] / 2.0) / 24.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (r_plus[approx] - mn) / se
        p[approx] = np.clip(2.0 * special.ndtr(-np.abs(z)), 0.0, 1.0)
    if perm.any():
        p[perm] = _permutation_p(d[:, perm], ranks[:, perm], r_plus[perm])
    return stat, p


# ---- bootstrap --------------------------------------------------------------------------------
def bootstrap_weights(n_tasks: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """(n_boot, n_tasks) multinomial counts: how often each task is drawn in each resample."""
    rng = np.random.default_rng(seed)
    if n_tasks == 0:
        return np.zeros((n_boot, 0))
    return rng.multinomial(n_tasks, np.full(n_tasks, 1.0 / n_tasks), size=n_boot).astype(float)
