"""The protocol: the motivating failure is reproduced, and samplers only ever see training rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bench.core.cell import Cell, Component
from bench.data.registry import load_dataset
from bench.protocol import run_cell, run_cell_safely
from bench.sampling import SAMPLERS, SamplerEntry
from bench.protocol.split import make_split


def overlap_cell(model: Component, fold: int = 0) -> Cell:
    return Cell(dataset=Component.of("seed-overlap", {"n_samples": 3000}),
                sampler=Component.of("none"), model=model, profile="natural", folds=3, fold=fold)


@pytest.mark.parametrize("model", [
    Component.of("lightgbm", {"n_estimators": 200}),
    Component.of("dnn", {"hidden": [256, 256], "max_epochs": 30, "batch_size": 128}),
], ids=["lightgbm", "dnn"])
def test_seed_overlap_reproduces_the_motivating_failure(model: Component) -> None:
    """Balanced classes, no sampler, argmax: classes 0/1 near-perfect recall, class 2 ~ 0.03."""
    result = run_cell(overlap_cell(model))
    assert result.row["status"] == "ok"
    recall = dict(zip(result.per_class["label"], result.per_class["recall"]))
    assert recall["0"] > 0.9 and recall["1"] > 0.9
    assert recall["2"] < 0.15


class SpySampler:
    """Records the exact rows it is given (feature 0 carries the dataset row index)."""

    seen: list[np.ndarray] = []

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        SpySampler.seen.append(np.asarray(X)[:, 0].copy())
        rng = np.random.default_rng(self.seed)
        idx = rng.choice(len(y), size=len(y), replace=True)
        return np.asarray(X)[idx], np.asarray(y)[idx]


if "spy" not in SAMPLERS:
    SAMPLERS.register(SamplerEntry("spy", lambda params, ctx: SpySampler(ctx.seed),
                                   description="test only: records the rows it sees"))


def test_the_sampler_sees_exactly_the_fit_rows_never_validation_or_test() -> None:
    from bench.data.dataset import from_arrays
    from bench.data.registry import DATASETS, DatasetSource

    if "indexed" not in DATASETS:
        def indexed() -> Any:
            rng = np.random.default_rng(0)
            n = 600
            X = np.column_stack([np.arange(n), rng.normal(size=(n, 3))])
            y = np.repeat([0, 1, 2], n // 3)
            return from_arrays("indexed", X, y)

        DATASETS.register(DatasetSource("indexed", indexed, {}))
    for fold in range(3):
        cell = Cell(dataset=Component.of("indexed"), sampler=Component.of("spy"),
                    model=Component.of("logistic"), profile="step", ratio=5,
                    minority=("2",), folds=3, fold=fold)
        SpySampler.seen.clear()
        result = run_cell(cell)
        split = make_split(load_dataset(cell.dataset), cell)
        assert len(SpySampler.seen) == 1
        seen = SpySampler.seen[0].astype(int)
        np.testing.assert_array_equal(np.sort(seen), split.fit)
        assert not set(seen) & set(split.test)
        assert not set(seen) & set(split.val)
        assert result.row["n_test"] == len(split.test)


def test_test_rows_are_the_same_for_every_model_and_sampler() -> None:
    ds = load_dataset(Component.of("wine"))
    base = dict(dataset=Component.of("wine"), profile="step", ratio=4, minority=("2",),
                folds=3, fold=1)
    splits = [make_split(ds, Cell(**base, sampler=Component.of(s), model=Component.of(m)))
              for s in ("none", "smote") for m in ("dummy", "lightgbm")]
    for s in splits[1:]:
        np.testing.assert_array_equal(s.test, splits[0].test)
        np.testing.assert_array_equal(s.fit, splits[0].fit)


def test_folds_of_a_repeat_have_disjoint_test_parts() -> None:
    ds = load_dataset(Component.of("wine"))
    tests = [make_split(ds, Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                                 model=Component.of("dummy"), folds=3, fold=f)).test
             for f in range(3)]
    assert sum(len(t) for t in tests) == len(ds.y)
    assert len(np.unique(np.concatenate(tests))) == len(ds.y)


def test_a_class_too_small_for_the_split_fails_with_its_name_and_count() -> None:
    from bench.data.dataset import from_arrays
    from bench.data.registry import DATASETS, DatasetSource

    if "tiny-class" not in DATASETS:
        def tiny() -> Any:
            X = np.arange(46, dtype=float).reshape(-1, 1)
            y = np.array(["a"] * 22 + ["b"] * 22 + ["c"] * 2)
            return from_arrays("tiny-class", X, y)

        DATASETS.register(DatasetSource("tiny-class", tiny, {}))
    cell = Cell(dataset=Component.of("tiny-class"), sampler=Component.of("none"),
                model=Component.of("dummy"), folds=3)
    result = run_cell_safely(cell)
    assert result.row["status"] == "error"
    assert "class 'c' has 2 row(s)" in result.row["error"]
    assert "3-fold" in result.row["error"]
