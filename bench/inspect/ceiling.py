"""Recall ceiling and Bayes error: what an accuracy-maximizing model can reach on these data.

Estimator: a random forest (`N_TREES` trees, scikit-learn defaults otherwise, seeded) is fitted
on the sample once; each row is predicted by the trees that did not see it (out-of-bag), and the
argmax of that posterior is the row's prediction. The recall ceiling of class c is the share of
its rows predicted c; the Bayes error estimate is the share of all rows predicted wrongly. Why a
forest: it adapts its neighbourhoods (a rare, separable class keeps its own leaves, where a large
fixed k-NN would drown it) and out-of-bag prediction gives held-out estimates without refitting.

What it is and is not: an estimate of the recall a well-fitted argmax model reaches at the
inspected class prior. The prior matters: where classes overlap, the Bayes rule hands the shared
region to the more frequent class, so an overlapping class's ceiling falls as it gets rarer.
It is not a hard bound: a decision rule that favours a class (a lower threshold, class weights)
raises its recall and pays in other classes' precision; a stronger model or more rows may beat
the forest a little. Uncertainty: `sd` is the bootstrap standard error of the share over the
class's rows (`N_BOOT` resamples, seeded), `lo`/`hi` the 95% percentile interval; it measures
how many rows the estimate rests on, not the forest's own bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_TREES = 200
N_BOOT = 500
METHOD = f"random_forest_oob({N_TREES})"


@dataclass
class Ceiling:
    recall: np.ndarray  # per class; NaN for a class with fewer than 2 rows predicted out of bag
    sd: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    bayes_error: float
    bayes_error_lo: float
    bayes_error_hi: float
    predicted: np.ndarray  # out-of-bag argmax per row (-1: no out-of-bag tree)


def oob_predictions(X: np.ndarray, y: np.ndarray, n_classes: int, seed: int,
                    threads: int = 1, n_trees: int = N_TREES) -> np.ndarray:
    """Out-of-bag argmax prediction per row (-1 where no tree left the row out)."""
    import warnings

    from sklearn.ensemble import RandomForestClassifier

    rf = RandomForestClassifier(n_estimators=n_trees, oob_score=True, random_state=seed,
                                n_jobs=threads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "some inputs do not have OOB scores": handled below
        rf.fit(X, y)
    proba = rf.oob_decision_function_
    pred = np.full(len(y), -1, dtype=np.int64)
    ok = np.isfinite(proba).all(axis=1) & (proba.sum(axis=1) > 0)
    pred[ok] = rf.classes_[np.argmax(proba[ok], axis=1)]
    return pred


def _share_interval(hits: int, n: int, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """(share, bootstrap sd, 2.5%, 97.5%) of `hits` out of `n` Bernoulli outcomes.

    A bootstrap resample of n outcomes with `hits` successes has Binomial(n, hits/n) successes,
    so the resamples are drawn from that directly (identical distribution, no index arrays).
    """
    if n < 2:
        return (float("nan"),) * 4
    p = hits / n
    boot = rng.binomial(n, p, size=N_BOOT) / n
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return p, float(boot.std(ddof=1)), float(lo), float(hi)


def recall_ceiling(X: np.ndarray, y: np.ndarray, n_classes: int, seed: int,
                   threads: int = 1) -> Ceiling:
    pred = oob_predictions(X, y, n_classes, seed, threads)
    rng = np.random.default_rng(seed)
    seen = pred >= 0
    stats = [_share_interval(int(np.sum(pred[seen & (y == c)] == c)),
                             int(np.sum(seen & (y == c))), rng) for c in range(n_classes)]
    arr = np.array(stats, dtype=float).reshape(n_classes, 4)
    n_seen = int(seen.sum())
    err = _share_interval(int(np.sum(pred[seen] != y[seen])), n_seen, rng)
    return Ceiling(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], err[0], err[2], err[3], pred)
