"""Sampler search spaces (the `tuning` axis): keys are declared parameters, every value passes
the suite checks, and each sampler resamples at every value of its space."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bench.core.params import check_params
from bench.core.space import Choice, Float, Int, SearchSpace
from bench.sampling import SAMPLERS, SamplerContext, build_sampler

# Built-in samplers only: test modules register their own (e.g. a recording `spy` sampler).
BUILTIN = [n for n in SAMPLERS.names() if SAMPLERS.get(n).factory is None
           or SAMPLERS.get(n).factory.__module__.startswith("bench.")]
SPACED = [n for n in BUILTIN if SAMPLERS.get(n).space]
# no parameters (none, class_weight) or none worth tuning (tomek: which classes to clean;
# cluster_centroids: how centroids are turned into rows)
UNSPACED = {"none", "class_weight", "tomek", "cluster_centroids"}


def grid(space: SearchSpace) -> list[dict[str, Any]]:
    """Each dimension's ends and middle, the others at their first value: one config per value."""
    def points(dim: Float | Int | Choice) -> list[Any]:
        if isinstance(dim, Choice):
            return list(dim.values)
        mid = (dim.low + dim.high) / 2
        return [dim.low, round(mid) if isinstance(dim, Int) else mid, dim.high]

    first = {k: points(d)[0] for k, d in space.dims.items()}
    return [{**first, k: v} for k, d in space.dims.items() for v in points(d)]


def blobs(counts: list[int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    return rng.normal(size=(len(y), 4)) + 1.5 * y[:, None], y


def resample(name: str, params: dict[str, Any], X: np.ndarray, y: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    ctx = SamplerContext(seed=0, counts=np.bincount(y), labels=("a", "b", "c"),
                         n_features=X.shape[1])
    Xr, yr = build_sampler(SAMPLERS.get(name), params, ctx).fit_resample(X, y)
    return np.asarray(Xr), np.asarray(yr), ctx.notes


def test_which_samplers_have_a_space() -> None:
    assert set(BUILTIN) - set(SPACED) == UNSPACED
    for name in SPACED:
        assert SAMPLERS.get(name).space.source.strip(), f"{name}: a space must cite its source"


@pytest.mark.parametrize("name", SPACED)
def test_space_keys_are_declared_and_values_pass_the_suite_checks(name: str) -> None:
    entry = SAMPLERS.get(name)
    assert set(entry.space.dims) <= set(entry.params)
    for values in grid(entry.space):
        assert check_params(f"samplers.{name}", values, entry.params) == []
        assert entry.check({**entry.params, **values}) == []
    for dim in entry.space.dims.values():
        if isinstance(dim, (Float, Int)) and dim.log:
            assert dim.low > 0


@pytest.mark.parametrize("name", SPACED)
def test_sampler_resamples_at_every_value_of_its_space(name: str) -> None:
    X, y = blobs([60, 30, 20])
    for values in grid(SAMPLERS.get(name).space):
        Xr, yr, notes = resample(name, values, X, y)
        assert len(Xr) == len(yr) and Xr.shape[1] == 4
        assert set(np.unique(yr)) == {0, 1, 2}, (values, np.bincount(yr))
        for key in ("k_neighbors", "n_neighbors"):
            if key in values and key in notes:  # the largest k fits these class sizes as is
                assert notes[key] == values[key]


def test_random_strategies_in_the_space_do_what_they_say() -> None:
    """Hand-computed counts for 60 / 30 / 20 rows."""
    X, y = blobs([60, 30, 20])
    expected = {("random_over", "not majority"): [60, 60, 60],
                ("random_over", "minority"): [60, 30, 60],
                ("random_under", "not minority"): [20, 20, 20],
                ("random_under", "majority"): [20, 30, 20]}
    for name in ("random_over", "random_under"):
        for strategy in SAMPLERS.get(name).space.dims["sampling_strategy"].values:
            _, yr, _ = resample(name, {"sampling_strategy": strategy}, X, y)
            assert np.bincount(yr).tolist() == expected[name, strategy]


def test_neighbours_shrink_below_a_small_class_at_the_top_of_the_space() -> None:
    """k = 17 on a class of 8 rows: SMOTE uses 7 neighbours and says so."""
    X, y = blobs([60, 30, 8])
    k = max(SAMPLERS.get("smote").space.dims["k_neighbors"].values)
    assert k == 17
    _, yr, notes = resample("smote", {"k_neighbors": k}, X, y)
    assert notes["k_neighbors"] == 7 and "17 -> 7" in notes["adjusted"]
    assert np.bincount(yr).tolist() == [60, 60, 60]
