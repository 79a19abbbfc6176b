"""Imbalance profiles and test priors: pure functions from available counts to per-class counts.

Why: sweeping the imbalance ratio on the *same* data is how users see where a model breaks;
the counts must be a documented, testable formula, not an accident of sampling.

Definitions (k classes, `available` counts n_c, ratio r with 1 <= r <= 1000):
- `natural`: the data as it is (targets = available; the ratio is ignored).
- `step`: the minority classes get weight 1/r, every other class weight 1 (the majority classes
  are made equal to each other).
- `linear`: weights evenly spaced from 1 down to 1/r, most frequent class first:
  w_i = 1 - (i / (k-1)) * (1 - 1/r) for rank i = 0..k-1.
- `longtail`: geometric decay from 1 down to 1/r, most frequent class first:
  w_i = r^(-i / (k-1)), as in long-tailed benchmarks.
Targets are the largest counts with exactly that shape that the data can supply:
`t_c = floor(m * w_c + 0.5)` with `m = min_c n_c / w_c`. So no target exceeds what a class has
(the binding class keeps all its rows), every target is within 0.5 of the exact shape, and the
ratio max/min equals r up to that rounding. A class whose exact share rounds to 0 rows is an
error naming the class and the counts (a class never vanishes silently).

Which classes are minority (`minority`):
- a list of class codes (the suite names labels; `bench.data.partition` maps them): the first is the
  rarest;
- `"rarest"` (the least frequent class) or `"rarest:N"` (the N least frequent classes, rarest
  first), ranked by `rank_counts` (the whole dataset's natural counts, so every fold and repeat
  picks the same classes; ties: the higher code counts as rarer).
Minority classes take the smallest weights; the others take the larger weights in order of their
natural frequency (most frequent first; ties: lower code first). For `step`, at least one class
must stay out of the minority.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bench.data.dataset import DatasetError

PROFILES = ("natural", "step", "linear", "longtail")
MAX_RATIO = 1000.0


def parse_rank(spec: str) -> int:
    """`"rarest"` -> 1, `"rarest:N"` -> N; anything else is a ValueError naming the syntax."""
    if spec == "rarest":
        return 1
    head, sep, tail = spec.partition(":")
    if head == "rarest" and sep and tail.isdigit() and int(tail) >= 1:
        return int(tail)
    raise ValueError(f"{spec!r}; allowed: a list of labels, 'rarest' or 'rarest:N' (N >= 1)")


def rarest(rank_counts: np.ndarray, n: int) -> list[int]:
    """The n least frequent class codes, rarest first (ties: the higher code is rarer)."""
    k = len(rank_counts)
    if not 1 <= n <= k:
        raise ValueError(f"minority 'rarest:{n}': the data has {k} classes")
    order = sorted(range(k), key=lambda c: (int(rank_counts[c]), -c))
    return order[:n]


def resolve_minority(rank_counts: np.ndarray, minority: Sequence[int] | str) -> list[int]:
    """Minority class codes (rarest first) from a list of codes or a `"rarest[:N]"` spec."""
    if isinstance(minority, str):
        return rarest(np.asarray(rank_counts), parse_rank(minority))
    codes = [int(c) for c in minority]
    if len(set(codes)) != len(codes):
        raise ValueError(f"minority classes {codes} are listed more than once")
    return codes


def frequency_order(rank_counts: np.ndarray, minority: Sequence[int]) -> list[int]:
    """Codes from most to least frequent, with the minority classes last (first-named rarest)."""
    skip = set(minority)
    rest = [int(c) for c in np.argsort(-np.asarray(rank_counts), kind="stable") if int(c) not in skip]
    return rest + [int(c) for c in reversed(list(minority))]


def shape_weights(
    k: int, ratio: float, profile: str, order: Sequence[int], n_minority: int
) -> np.ndarray:
    """Relative class weights (max 1) for a profile; `order` lists codes from most to least frequent."""
    w = np.ones(k)
    if profile == "step":
        for c in list(order)[k - n_minority:]:
            w[c] = 1.0 / ratio
        return w
    if profile in ("linear", "longtail"):
        steps = np.arange(k) / max(k - 1, 1)
        levels = 1 - steps * (1 - 1 / ratio) if profile == "linear" else ratio ** (-steps)
        for rank, c in enumerate(order):
            w[c] = levels[rank]
        return w
    raise ValueError(f"unknown profile {profile!r}; allowed: {', '.join(PROFILES)}")


def _names(k: int, labels: Sequence[str] | None) -> list[str]:
    return [str(x) for x in labels] if labels is not None else [str(c) for c in range(k)]


def _by_label(values: np.ndarray, names: list[str]) -> str:
    return "{" + ", ".join(f"{n!r}: {int(v)}" for n, v in zip(names, values)) + "}"


def profile_shape(
    available: Sequence[int] | np.ndarray,
    ratio: float,
    profile: str,
    minority: Sequence[int] | str = "rarest",
    rank_counts: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """The class proportions a profile asks for (sums to 1), before rounding to rows.

    This is what the `same` test prior follows: the imposed world itself, not the rounded
    training counts (at ratio 100 a 1.24-row minority rounds to 1, yet the world is 1:100).
    `natural` gives the proportions of `available`.
    """
    avail = np.asarray(available, dtype=float)
    if profile == "natural":
        return avail / avail.sum()
    ranks = avail if rank_counts is None else np.asarray(rank_counts)
    codes = resolve_minority(ranks, minority)
    w = shape_weights(len(avail), ratio, profile, frequency_order(ranks, codes), len(codes))
    return w / w.sum()


def class_counts(
    available: Sequence[int] | np.ndarray,
    ratio: float,
    profile: str,
    minority: Sequence[int] | str = "rarest",
    rank_counts: Sequence[int] | np.ndarray | None = None,
    labels: Sequence[str] | None = None,
) -> np.ndarray:
    """Per-class target counts for `profile` at `ratio`, never above `available`.

    `rank_counts` (default: `available`) ranks classes by frequency; `labels` name classes in
    error messages.

    >>> class_counts([100, 100, 100], 10, "step", [2]).tolist()
    [100, 100, 10]
    >>> class_counts([100, 80, 60], 4, "linear", "rarest").tolist()
    [100, 63, 25]
    """
    avail = np.asarray(available, dtype=np.int64)
    k = len(avail)
    names = _names(k, labels)
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; allowed: {', '.join(PROFILES)}")
    if not 1 <= ratio <= MAX_RATIO:
        raise ValueError(f"ratio must be from 1 to {MAX_RATIO:g}, got {ratio}")
    if k < 2:
        raise DatasetError(f"an imbalance profile needs at least two classes, got {k}")
    if (avail <= 0).any():
        empty = [names[c] for c in np.flatnonzero(avail <= 0)]
        raise DatasetError(f"class(es) {empty} have no rows to draw from; available counts are "
                           f"{_by_label(avail, names)}")
    if profile == "natural":
        return avail.copy()
    ranks = avail if rank_counts is None else np.asarray(rank_counts, dtype=np.int64)
    minority_codes = resolve_minority(ranks, minority)
    bad = [c for c in minority_codes if not 0 <= c < k]
    if bad:
        raise ValueError(f"minority class code(s) {bad} out of range for {k} classes")
    if profile == "step" and len(minority_codes) >= k:
        raise ValueError(f"the step profile needs at least one class outside the minority; "
                         f"minority is {[names[c] for c in minority_codes]} of {k} classes")
    order = frequency_order(ranks, minority_codes)
    w = shape_weights(k, ratio, profile, order, len(minority_codes))
    m = float(np.min(avail / w))
    exact = m * w
    targets = np.minimum(np.floor(exact + 0.5).astype(np.int64), avail)
    if (targets < 1).any():
        c = int(np.flatnonzero(targets < 1)[0])
        raise DatasetError(
            f"ratio {ratio:g} with profile {profile!r} leaves class {names[c]!r} with "
            f"{exact[c]:.2f} rows (rounds to 0): available counts {_by_label(avail, names)}, "
            f"targets {_by_label(targets, names)}; lower the ratio or give the class more rows"
        )
    return targets


def prior_counts(
    available: Sequence[int] | np.ndarray,
    prior: np.ndarray,
    labels: Sequence[str] | None = None,
) -> np.ndarray:
    """The largest counts with class proportions `prior` that `available` can supply.

    `t_c = floor(m * p_c + 0.5)` with `m = min over p_c > 0 of n_c / p_c`: never above
    `available`, within 0.5 row of the exact proportions, and the binding class keeps all its
    rows. Classes with p_c = 0 get no rows; a class with p_c > 0 that rounds to 0 rows is an
    error naming it (a test part that silently lacks a class it should have is a leak of sorts).
    """
    avail = np.asarray(available, dtype=np.int64)
    names = _names(len(avail), labels)
    p = np.asarray(prior, dtype=float)
    if len(p) != len(avail) or (p < 0).any() or not p.sum() > 0:
        raise ValueError(f"prior {p.tolist()} must have {len(avail)} non-negative shares, not all 0")
    p = p / p.sum()
    pos = p > 0
    missing = [names[c] for c in np.flatnonzero(pos & (avail <= 0))]
    if missing:
        raise DatasetError(f"the test prior asks for class(es) {missing} but the test part has no "
                           f"rows of them; available counts {_by_label(avail, names)}")
    m = float(np.min(avail[pos] / p[pos]))
    exact = m * p
    targets = np.minimum(np.floor(exact + 0.5).astype(np.int64), avail)
    short = np.flatnonzero(pos & (targets < 1))
    if len(short):
        c = int(short[0])
        raise DatasetError(
            f"the test prior gives class {names[c]!r} a share of {p[c]:.4g}, which is "
            f"{exact[c]:.2f} rows of the test part (rounds to 0): available test counts "
            f"{_by_label(avail, names)}; use more data, fewer folds or a milder prior"
        )
    return targets
