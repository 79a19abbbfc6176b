"""Inspect one dataset (optionally under an imbalance profile): the orchestration.

Steps: encode the features (`encode.py`), draw the stratified seeded sample (`sample.py`), the
k-NN overlap matrix and the random-forest recall ceiling on the sample (`overlap.py`,
`ceiling.py`), separability (`separability.py`: Fisher ratio on all rows, mutual information on
a sample), a 2-D projection of at most `projection.MAX_POINTS` rows (`projection.py`), and the
verdicts (`verdict.py`). Returns an `Inspection` (`result.py`).

Under a profile, the whole dataset is cut to the profile's class counts first
(`bench.data.profiles.class_counts` on the dataset's counts, the suite's minority classes,
rows drawn per class with a seed derived from the dataset, profile, ratio and seed): the
analogue of what each cell's training part sees, on all the rows at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from bench.core.errors import DataError
from bench.core.ids import derive_seed
from bench.core.vocab import PROJECTIONS
from bench.data.dataset import Dataset
from bench.data.partition import label_codes
from bench.data.profiles import class_counts
from bench.inspect.ceiling import METHOD, recall_ceiling
from bench.inspect.encode import encode
from bench.inspect.overlap import DEFAULT_K, neighbour_indices, overlap_matrix
from bench.inspect.projection import MAX_POINTS, project
from bench.inspect.result import ClassInspection, Inspection, Projection
from bench.inspect.sample import stratified_sample
from bench.inspect.separability import separability
from bench.inspect.verdict import verdict

DEFAULT_SAMPLE = 10_000


@dataclass(frozen=True)
class InspectOptions:
    sample: int = DEFAULT_SAMPLE  # rows the neighbours and the ceiling use (stratified, seeded)
    k: int = DEFAULT_K  # neighbours per row
    projection: str = "pca"  # bench.core.vocab.PROJECTIONS
    seed: int = 0
    threads: int = 1  # random-forest jobs

    def check(self) -> None:
        from bench.core.errors import CommandError
        from bench.inspect.projection import check_method

        if self.sample < 10:
            raise CommandError(f"--sample {self.sample}: allowed: at least 10 rows")
        if self.k < 1:
            raise CommandError(f"--neighbors {self.k}: allowed: at least 1")
        if self.threads < 1:
            raise CommandError(f"--threads {self.threads}: allowed: at least 1")
        if self.projection not in PROJECTIONS:
            raise CommandError(f"--projection {self.projection!r}: allowed: "
                               f"{', '.join(PROJECTIONS)}")
        check_method(self.projection)


def impose_profile(ds: Dataset, profile: str, ratio: float, minority: tuple | str,
                   seed: int, label: str = "") -> Dataset:
    """The dataset cut to a profile's class counts (the natural profile: unchanged)."""
    if profile == "natural":
        return ds
    try:
        codes = label_codes(ds, minority)
        targets = class_counts(ds.counts, ratio, profile, codes, rank_counts=ds.counts,
                               labels=ds.labels)
    except (DataError, ValueError) as exc:
        raise DataError(f"{label or ds.name}: profile {profile} ratio {ratio:g}: {exc}") from None
    rng = np.random.default_rng(derive_seed("inspect", label or ds.name, profile, ratio, seed))
    rows = np.sort(np.concatenate([rng.permutation(np.flatnonzero(ds.y == c))[:int(t)]
                                   for c, t in enumerate(targets)]))
    return dataclasses.replace(ds, X=ds.X.iloc[rows].reset_index(drop=True), y=ds.y[rows])


def inspect_dataset(ds: Dataset, options: InspectOptions = InspectOptions(), *,
                    label: str = "", profile: str = "natural", ratio: float = 1.0,
                    minority: str = "", dataset_fp: str = "") -> Inspection:
    """Counts, overlap, ceiling, separability, projection and verdicts of one table, with at
    most `options.threads` native threads (BLAS, OpenMP) and forest jobs."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(options.threads):
        return _inspect(ds, options, label, profile, ratio, minority, dataset_fp)


def _inspect(ds: Dataset, options: InspectOptions, label: str, profile: str, ratio: float,
             minority: str, dataset_fp: str) -> Inspection:
    K = ds.n_classes
    y = ds.y
    X, names = encode(ds.X, ds.categorical)
    sample = stratified_sample(y, options.sample, options.seed)
    Xs, ys = X[sample], y[sample]
    notes: list[str] = []
    if len(sample) < len(y):
        notes.append(f"neighbours and ceiling use a stratified sample of {len(sample):,} of "
                     f"{len(y):,} rows (seed {options.seed})")
    neighbours = neighbour_indices(Xs, options.k)
    M = overlap_matrix(ys, neighbours, K, options.k)
    ceil = recall_ceiling(Xs, ys, K, options.seed, options.threads)
    sep = separability(X, y, names, K, sample, options.seed)
    pick = stratified_sample(ys, MAX_POINTS, options.seed, floor=20)
    xy, axes = project(Xs[pick], options.projection, options.seed, options.threads)
    counts, sampled = ds.counts, np.bincount(ys, minlength=K)
    classes = []
    for c in range(K):
        own = float(M[c, c]) if np.isfinite(M[c, c]) else float("nan")
        overlaps = {ds.labels[d]: float(M[c, d]) for d in range(K)
                    if d != c and np.isfinite(M[c, d])}
        classes.append(ClassInspection(
            c, ds.labels[c], int(counts[c]), int(sampled[c]), own, overlaps,
            float(ceil.recall[c]), float(ceil.sd[c]), float(ceil.lo[c]), float(ceil.hi[c])))
    largest = int(counts.max())
    for ci in classes:
        ci.verdict, ci.message = verdict(ci, largest)
    return Inspection(
        dataset=label or ds.name, labels=list(ds.labels), classes=classes, overlap=M,
        bayes_error=ceil.bayes_error, bayes_error_lo=ceil.bayes_error_lo,
        bayes_error_hi=ceil.bayes_error_hi, separability=sep,
        projection=Projection(options.projection, xy, ys[pick], axes), n_rows=len(y),
        n_sample=len(sample), n_features=X.shape[1], k=min(options.k, len(sample) - 1),
        ceiling_method=METHOD, seed=options.seed, profile=profile, ratio=float(ratio),
        minority=minority, dataset_fp=dataset_fp, notes=notes)
