"""Which rows train, validate and test a cell: outer split, imposed imbalance, test prior.

It lives in `bench.data` (not in `bench.protocol`) because two layers need the very same rows:
the protocol (`bench.protocol.split` re-exports it) and the grid's data-aware skip rule
(`bench.suite.grid`), which computes every cell's counts before a run, so a cell the data cannot
supply is announced and skipped with the message the run would have given.

Why: this is where leaks happen. The outer split is made on the natural data first; the
imbalance profile is then imposed on the training part only, and the test part is subsampled to
the requested deployment prior from rows the training part never sees. Everything here depends
only on the cell's split seeds (dataset, imbalance, test prior, repeat, fold), so every model
and sampler gets the same rows, and nothing here ever looks at a model or a sampler.

Order: (1) stratified outer split of the natural data (k-fold or holdout, `partition_seed`);
(2) training pool -> `class_counts` of the profile (random rows per class, `split_seed`);
(3) test pool -> `prior_counts` of the test prior (random rows per class, same generator);
(4) stratified validation carve-out of the training rows. Rows are sorted indices into the
dataset; fit, validation and test are disjoint by construction.

Test priors (`cell.test_prior`):
- `same` (default): the imposed profile's proportions (`profile_shape`: the imbalanced world
  itself, before the training counts are rounded to rows);
- `natural`: the dataset's natural class proportions;
- `balanced`: equal shares;
- explicit `{label = share, ...}`: shares are normalised to sum to 1. Every class must be
  listed, or the key `"*"` gives the share of all classes not listed, split among them in
  proportion to their natural frequency. "1:11 on class 1" is `{ 1 = 1, "*" = 11 }`: class 1 is
  1/12 of the test part, the other classes 11/12 together.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from bench.core.cell import Cell
from bench.core.lru import LRU
from bench.data.dataset import Dataset, DatasetError
from bench.data.profiles import class_counts, prior_counts, profile_shape, resolve_minority

REST = "*"  # key of an explicit test prior: the share of every class not listed


@dataclass(frozen=True)
class Split:
    fit: np.ndarray  # row indices the model is fitted on (after the validation carve-out)
    val: np.ndarray  # validation rows (early stopping, threshold tuning); may be empty
    test: np.ndarray  # untouched test rows following the test prior
    train_target: np.ndarray  # per-class counts imposed on the training part (fit + val)
    test_prior: np.ndarray  # class proportions requested for the test part
    minority: tuple[int, ...] = ()  # resolved minority class codes (rarest first)

    def counts(self, y: np.ndarray, n_classes: int) -> dict[str, np.ndarray]:
        """Per-class row counts of the fit, validation and test parts."""
        return {part: np.bincount(y[rows], minlength=n_classes).astype(np.int64)
                for part, rows in (("fit", self.fit), ("val", self.val), ("test", self.test))}


def label_codes(ds: Dataset, labels: tuple | list | str) -> list[int] | str:
    """Map suite labels (as written in TOML) to class codes, with a clear error if unknown.

    A string (`"rarest"`, `"rarest:N"`) is passed through; `class_counts` resolves it.
    """
    if isinstance(labels, str):
        return labels
    lookup = {lab: i for i, lab in enumerate(ds.labels)}
    codes = []
    for lab in labels:
        if str(lab) not in lookup:
            raise DatasetError(f"{ds.name}: class label {lab!r} not found; labels are {ds.labels}")
        codes.append(lookup[str(lab)])
    return codes


def _subsample(idx: np.ndarray, y: np.ndarray, targets: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    keep = [rng.permutation(idx[y[idx] == c])[: int(t)] for c, t in enumerate(targets)]
    return np.sort(np.concatenate(keep)).astype(np.int64)


def _require(ds: Dataset, counts: np.ndarray, need: int, what: str) -> None:
    short = [(ds.labels[c], int(n)) for c, n in enumerate(counts) if n < need]
    if short:
        detail = ", ".join(f"class {lab!r} has {n} row(s)" for lab, n in short)
        raise DatasetError(f"{ds.name}: {detail}; {what} needs at least {need} per class")


def deployment_prior(ds: Dataset, cell: Cell, shape: np.ndarray) -> np.ndarray:
    """The class proportions the test part must follow (sums to 1); `shape` is the profile's."""
    prior = cell.test_prior
    if prior == "same":
        return np.asarray(shape, dtype=float) / np.sum(shape)
    if prior == "natural":
        return ds.counts / ds.counts.sum()
    if prior == "balanced":
        return np.full(ds.n_classes, 1.0 / ds.n_classes)
    if isinstance(prior, str):
        raise ValueError(f"test prior {prior!r}; allowed: same, natural, balanced or a table")
    shares = dict(prior)
    p = np.zeros(ds.n_classes)
    listed = np.zeros(ds.n_classes, dtype=bool)
    for lab, share in shares.items():
        if lab == REST:
            continue
        code = label_codes(ds, (lab,))[0]  # type: ignore[index]
        p[code] = float(share)
        listed[code] = True
    if (p < 0).any():
        raise DatasetError(f"{ds.name}: test prior {cell.test_prior_label} has a negative share")
    rest = ~listed
    if REST in shares:
        if not rest.any():
            raise DatasetError(f"{ds.name}: test prior {cell.test_prior_label} lists every class, "
                               f"so '{REST}' has no class left to share")
        natural = ds.counts[rest].astype(float)
        p[rest] = float(shares[REST]) * natural / natural.sum()
    elif rest.any():
        missing = [ds.labels[c] for c in np.flatnonzero(rest)]
        raise DatasetError(f"{ds.name}: test prior {cell.test_prior_label} gives no share to "
                           f"class(es) {missing}; list them or add \"{REST}\" = share for the rest")
    if not p.sum() > 0:
        raise DatasetError(f"{ds.name}: test prior {cell.test_prior_label} has no positive share")
    return p / p.sum()


POOL_CACHE_SIZE = 8  # outer partitions (every fold of a repeat) kept per process
_POOLS = LRU(POOL_CACHE_SIZE)  # key -> (weak reference to the dataset, pools)


def outer_pools(ds: Dataset, cell: Cell) -> list[tuple[np.ndarray, np.ndarray]]:
    """The outer (train pool, test pool) pairs of the cell's repeat: every fold, or the holdout.

    Why cached: all folds of a repeat come from one `StratifiedKFold` partition, which the
    uncached code computed again (all k folds) for each fold's cell and for each cell of the
    grid's plan. Keyed by the dataset object itself (a weak reference, checked on a hit) and the
    partition's parameters; the arrays are read-only, shared by every cell of the repeat.
    """
    key = (id(ds), len(ds.y), cell.folds, cell.holdout, cell.partition_seed)
    hit = _POOLS.lookup(key)
    if hit is not None and hit[0]() is ds:
        return hit[1]
    y = ds.y
    if cell.folds is not None:
        _require(ds, ds.counts, cell.folds, f"a {cell.folds}-fold stratified split")
        skf = StratifiedKFold(n_splits=cell.folds, shuffle=True, random_state=cell.partition_seed)
        pools = list(skf.split(np.zeros(len(y)), y))
    else:
        _require(ds, ds.counts, 2, f"a holdout split of {cell.holdout:g}")
        pools = [tuple(train_test_split(np.arange(len(y)), test_size=cell.holdout, stratify=y,
                                        random_state=cell.partition_seed))]
    for pair in pools:
        for rows in pair:
            rows.setflags(write=False)
    _POOLS.keep(key, (weakref.ref(ds), pools))
    return pools


def make_split(ds: Dataset, cell: Cell) -> Split:
    y = ds.y
    train_pool, test_pool = outer_pools(ds, cell)[cell.fold if cell.folds is not None else 0]
    rng = np.random.default_rng(cell.split_seed)
    avail_train = np.bincount(y[train_pool], minlength=ds.n_classes)
    minority = label_codes(ds, cell.minority)
    try:
        target = class_counts(avail_train, cell.ratio, cell.profile, minority,
                              rank_counts=ds.counts, labels=ds.labels)
        codes = tuple(resolve_minority(ds.counts, minority))
        shape = profile_shape(avail_train, cell.ratio, cell.profile, minority, ds.counts)
    except (DatasetError, ValueError) as exc:
        raise DatasetError(f"{ds.name}: training part: {exc}") from None
    train = _subsample(np.asarray(train_pool), y, target, rng)
    prior = deployment_prior(ds, cell, shape)
    avail_test = np.bincount(y[test_pool], minlength=ds.n_classes)
    if cell.profile == "natural" and cell.test_prior in ("same", "natural"):
        test = np.sort(np.asarray(test_pool)).astype(np.int64)
    else:
        try:
            wanted = prior_counts(avail_test, prior, labels=ds.labels)
        except DatasetError as exc:
            raise DatasetError(f"{ds.name}: test part: {exc}") from None
        test = _subsample(np.asarray(test_pool), y, wanted, rng)
    if cell.validation > 0:
        _require(ds, target, 2, f"a validation share of {cell.validation:g} (after imbalance)")
        fit, val = train_test_split(train, test_size=cell.validation, stratify=y[train],
                                    random_state=cell.split_seed)
        fit, val = np.sort(fit), np.sort(val)
    else:
        fit, val = train, np.array([], dtype=np.int64)
    return Split(fit, val, test, target, prior, codes)
