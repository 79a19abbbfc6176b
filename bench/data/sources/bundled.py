"""scikit-learn's bundled datasets: real data that works offline."""

from __future__ import annotations

from bench.data.dataset import Dataset, from_arrays
from bench.data.registry import dataset


def _bundled(name: str, loader_name: str) -> Dataset:
    import sklearn.datasets as skd

    bunch = getattr(skd, loader_name)(as_frame=True)
    # Labels stay the integer targets, so suites name minority classes as `minority = [2]`.
    return from_arrays(name, bunch.data, bunch.target.to_numpy())


@dataset("wine", {}, "scikit-learn wine: 178 rows, 13 features, 3 classes (59/71/48)")
def wine() -> Dataset:
    return _bundled("wine", "load_wine")


@dataset("digits", {}, "scikit-learn digits: 1797 rows, 64 features, 10 classes")
def digits() -> Dataset:
    return _bundled("digits", "load_digits")


@dataset("breast_cancer", {}, "scikit-learn breast cancer: 569 rows, 30 features, 2 classes")
def breast_cancer() -> Dataset:
    return _bundled("breast_cancer", "load_breast_cancer")
