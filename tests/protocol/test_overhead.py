"""The protocol's per-process caches and fast paths change nothing a user sees.

A worker computes once what depends only on the dataset spec (fingerprint, labels) or on the
split key (the rows), and converts numeric-only frames to float64 once; these tests pin that the
results are those of the slow path.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.core.cell import Cell, Component
from bench.data.registry import load_dataset
from bench.protocol import evaluate
from bench.protocol.encode import Encoder, prepare
from bench.protocol.split import make_split
from bench.suite.grid import split_key as grid_split_key


def cell(**changes) -> Cell:
    base = Cell(dataset=Component.of("wine"), sampler=Component.of("none"), model=Component.of("dummy"),
                profile="step", ratio=5, minority=("2",), folds=3, fold=0, validation=0.2)
    return dataclasses.replace(base, **changes)


VARIANTS = [{}, {"fold": 1}, {"ratio": 10}, {"repeat": 1}, {"seed": 3}, {"validation": 0.0},
            {"test_prior": "balanced"}, {"profile": "natural", "ratio": 1}, {"minority": ("1",)},
            {"folds": None, "holdout": 0.3, "fold": 0}, {"model": Component.of("logistic")},
            {"sampler": Component.of("class_weight")}, {"decision": "prior"}]


def test_split_key_is_the_grids_and_ignores_model_sampler_decision() -> None:
    for changes in VARIANTS:
        c = cell(**changes)
        assert evaluate.split_key(c) == grid_split_key(c)
    same = {evaluate.split_key(cell(**ch)) for ch in ({}, {"model": Component.of("logistic")},
                                                      {"sampler": Component.of("class_weight")},
                                                      {"decision": "prior"})}
    assert len(same) == 1


def test_cached_split_is_make_split_and_read_only() -> None:
    ds = load_dataset(Component.of("wine"))
    for changes in VARIANTS:
        c = cell(**changes)
        cached, fresh = evaluate.cell_split(c), make_split(ds, c)
        for part in ("fit", "val", "test", "train_target", "test_prior"):
            np.testing.assert_array_equal(getattr(cached, part), getattr(fresh, part))
        assert cached.minority == fresh.minority
        assert evaluate.cell_split(c) is cached  # computed once per process
        with pytest.raises(ValueError, match="read-only"):
            cached.fit[0] = 0


def test_split_cache_is_bounded() -> None:
    for ratio in range(2, 2 + 2 * evaluate.SPLIT_CACHE_SIZE):
        evaluate.cell_split(cell(ratio=ratio))
    assert len(evaluate._SPLITS) <= evaluate.SPLIT_CACHE_SIZE


def test_loaded_data_is_the_datasets_fingerprint_and_labels() -> None:
    evaluate.loaded_data.cache_clear()  # earlier tests may have evicted wine from load_dataset's
    ds = load_dataset(Component.of("wine"))
    data = evaluate.loaded_data(Component.of("wine"))
    assert data.ds is ds and data.fingerprint == ds.fingerprint
    assert data.labels == [str(x) for x in ds.labels]
    row = evaluate.run_cell(cell()).row
    assert row["dataset_fp"] == ds.fingerprint and row["class_labels"] == data.labels_json


def _slow_prepare(X: pd.DataFrame, fit: np.ndarray, val: np.ndarray, test: np.ndarray,
                  impute: bool) -> list[np.ndarray]:
    """The frame path (fit on the fit rows' frame, transform each part's frame), and the fill values
    and missing count computed column by column."""
    enc = Encoder(list(X.columns), [], impute).fit(X.iloc[fit])
    codes = X.iloc[fit].to_numpy(dtype=np.float64, na_value=np.nan)
    fill = [float(np.nanmedian(col)) if np.isfinite(col).any() else 0.0 for col in codes.T]  # per column
    missing = int(X.iloc[fit].isna().to_numpy().sum())
    return [enc.transform(X.iloc[rows]) for rows in (fit, val, test)] + [np.array(fill), np.array([missing])]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_numeric_fast_path_equals_the_frame_path(data) -> None:
    n = data.draw(st.integers(3, 30))
    dtype = data.draw(st.sampled_from(["float64", "float32", "Float64", "Int64", "int64"]))
    holes = dtype != "int64"  # a plain int64 column cannot hold a missing value
    values = st.integers(-1000, 1000) if "nt" in dtype else st.floats(-1e6, 1e6, width=32)
    values = st.one_of(st.none(), values) if holes else values

    def column() -> pd.Series:
        drawn = data.draw(st.lists(values, min_size=n, max_size=n))
        if dtype in ("float64", "float32"):
            return pd.Series([np.nan if v is None else v for v in drawn], dtype=dtype)
        return pd.Series(pd.array(drawn, dtype=dtype))

    cols = {f"x{j}": column() for j in range(data.draw(st.integers(1, 4)))}
    X = pd.DataFrame(cols)
    rows = np.random.default_rng(data.draw(st.integers(0, 999))).permutation(n)
    fit, val, test = np.sort(rows[: n // 2]), np.sort(rows[n // 2: n // 2 + 1]), np.sort(rows[n // 2 + 1:])
    impute = data.draw(st.booleans())
    fast = prepare(X, [], fit, val, test, impute=impute, native_categorical=False)
    slow = _slow_prepare(X, fit, val, test, impute)
    got = [fast.X_fit, fast.X_val, fast.X_test, fast.encoder.fill_, np.array([fast.encoder.n_missing_fit_])]
    for a, b in zip(got, slow):
        np.testing.assert_array_equal(a, b)  # exact, NaN where NaN


def test_stored_tables_have_the_cell_id_first_and_original_labels() -> None:
    result = evaluate.run_cell(cell(model=Component.of("logistic")))
    cid = result.row["cell_id"]
    assert list(result.per_class.columns) == ["cell_id", "label", "precision", "recall", "f1", "support",
                                              "average_precision"]
    assert list(result.confusion.columns) == ["cell_id", "true_label", "pred_label", "count"]
    assert list(result.curves.columns) == ["cell_id", "step", "split", "metric", "value"]
    assert (result.per_class["cell_id"] == cid).all() and (result.confusion["cell_id"] == cid).all()
    labels = [str(x) for x in load_dataset(Component.of("wine")).labels]
    assert [str(x) for x in result.per_class["label"]] == labels
    assert len(result.confusion) == len(labels) ** 2
    assert result.confusion["count"].sum() == result.row["n_test"]
    # two cells' empty curves tables are distinct objects (a shared one could be mutated)
    other = evaluate.run_cell(cell(fold=1))
    assert other.curves is not result.curves and other.curves.empty


def test_split_cache_under_concurrent_threads() -> None:
    """Executors may run cells in threads of one process: evictions never break a lookup."""
    from concurrent.futures import ThreadPoolExecutor

    cells = [cell(ratio=2 + i % (3 * evaluate.SPLIT_CACHE_SIZE), fold=i % 3) for i in range(300)]
    with ThreadPoolExecutor(8) as pool:
        splits = list(pool.map(evaluate.cell_split, cells))
    ds = load_dataset(Component.of("wine"))
    for c, split in list(zip(cells, splits))[:: 25]:
        np.testing.assert_array_equal(split.test, make_split(ds, c).test)
    assert len(evaluate._SPLITS) <= evaluate.SPLIT_CACHE_SIZE


@pytest.mark.parametrize("decision", ["argmax+temperature", "prior+temperature", "tuned", "tuned+temperature"])
def test_rules_that_read_the_validation_part_get_its_probabilities(decision: str) -> None:
    """The validation part is predicted only when the rule needs it: never skipped for these."""
    row = evaluate.run_cell(cell(decision=decision, model=Component.of("logistic"))).row
    assert row["status"] == "ok"
