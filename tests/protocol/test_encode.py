"""Feature preparation: categorical codes and imputation are fitted on the fit rows only, and each
model gets the input its registry entry asks for (native codes or one-hot), NaN only if it takes it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.core.cell import Cell, Component
from bench.data.dataset import from_arrays
from bench.core.errors import DataError
from bench.protocol.encode import (
    MAX_ONEHOT_LEVELS,
    MISSING,
    Encoder,
    ModelInput,
    input_mode,
    needs_imputation,
    prepare,
)
from bench.models.registry import MODELS
from bench.protocol import run_cell, run_cell_safely
from bench.sampling import SAMPLERS


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "num": [1.0, 2.0, np.nan, 4.0, 1000.0, -1000.0],
        "colour": pd.Categorical(["red", "blue", "red", None, "green", "red"]),
    })


def test_encoder_learns_only_from_fit_rows() -> None:
    X = frame()
    fit, test = np.array([0, 1, 2, 3]), np.array([4, 5])
    enc = Encoder(list(X.columns), ["colour"], impute=True).fit(X.iloc[fit])
    assert enc.vocab_ == [["blue", "red"]]  # 'green' appears only in a test row
    assert enc.fill_[0] == 2.0  # median of 1, 2, 4 (test rows' +-1000 play no part)
    assert enc.fill_[1] == 1.0  # most frequent training code: 'red'
    out = enc.transform(X.iloc[test])
    assert out[:, 1].tolist() == [1.0, 1.0]  # unseen 'green' -> imputed 'red'
    raw = Encoder(list(X.columns), ["colour"], impute=False).fit(X.iloc[fit]).transform(X)
    assert np.isnan(raw[2, 0]) and np.isnan(raw[3, 1]) and np.isnan(raw[4, 1])
    assert raw[[0, 1, 5], 1].tolist() == [1.0, 0.0, 1.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(list("abcde"))), min_size=4, max_size=40),
       st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=4, max_size=40),
       st.data())
def test_transform_of_fit_rows_never_depends_on_other_rows(cats, nums, data) -> None:
    n = min(len(cats), len(nums))
    X = pd.DataFrame({"c": pd.Categorical(cats[:n]), "x": pd.array(nums[:n], dtype="Float64")})
    X["x"] = X["x"].astype(float)
    fit = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1))))
    other = np.setdiff1d(np.arange(n), fit)
    enc_all = Encoder(["c", "x"], ["c"], impute=True).fit(X.iloc[fit])
    # changing every non-fit row changes nothing the encoder learnt
    Y = X.copy()
    Y.loc[other, "c"] = None
    Y.loc[other, "x"] = 1e9
    enc_y = Encoder(["c", "x"], ["c"], impute=True).fit(Y.iloc[fit])
    assert enc_all.vocab_ == enc_y.vocab_
    np.testing.assert_array_equal(enc_all.fill_, enc_y.fill_)
    out = enc_all.transform(X.iloc[fit])
    assert not np.isnan(out).any()
    codes = out[:, 0]
    assert set(codes.astype(int)) <= set(range(len(enc_all.vocab_[0])))


def test_model_input_modes() -> None:
    enc = Encoder(["x", "c"], ["c"], impute=False).fit(
        pd.DataFrame({"x": [0.5, 1.5, 2.5], "c": pd.Categorical(["u", "v", "w"])}))
    X = np.array([[0.5, 0.0], [1.5, 2.0], [np.nan, np.nan]])
    onehot = enc.model_input("onehot").fit(X).transform(X)
    assert onehot.shape == (3, 4)
    np.testing.assert_array_equal(onehot[:, 1:], [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    assert np.isnan(onehot[2, 0])
    # native: the codes as they are (NaN for missing), for ModelContext.categorical
    np.testing.assert_array_equal(enc.model_input("native").transform(X), X)
    assert enc.model_input("onehot").n_features_out == 4
    assert MISSING == "(missing)"
    with pytest.raises(ValueError, match="mode"):
        ModelInput(mode="bogus").fit(X)


def test_decision_table() -> None:
    assert needs_imputation(True, True) is False
    assert needs_imputation(True, False) and needs_imputation(False, True)
    assert input_mode(False, True) == "numeric" and input_mode(True, True) == "native"
    assert input_mode(True, False) == "onehot"


def test_prepare_fits_on_fit_rows() -> None:
    X = frame()
    p = prepare(X, ["colour"], np.array([0, 1, 2, 3]), np.array([4]), np.array([5]),
                impute=True, native_categorical=False)
    assert p.mode == "onehot" and p.X_fit.shape == (4, 2) and p.X_test.shape == (1, 2)
    assert p.encoder.n_fit_ == 4


def test_one_hot_refuses_a_column_with_too_many_categories() -> None:
    """1,000 categories in the fit rows are one-hot encoded; 1,001 are a DataError naming the
    column and its count (the array would grow by a column per category); native input is fine."""
    rows = np.arange(2 * (MAX_ONEHOT_LEVELS + 1))
    for levels, ok in ((MAX_ONEHOT_LEVELS, True), (MAX_ONEHOT_LEVELS + 1, False)):
        X = pd.DataFrame({"x": rows * 1.0, "shop id": [f"s{i % levels}" for i in rows]})
        args = (X, ["shop id"], rows, np.array([], dtype=int), rows[:3])
        assert prepare(*args, impute=True, native_categorical=True).mode == "native"
        if ok:
            p = prepare(*args, impute=True, native_categorical=False)
            assert p.model_input.n_features_out == 1 + levels
            continue
        with pytest.raises(DataError) as exc:
            prepare(*args, impute=True, native_categorical=False)
        message = str(exc.value)
        assert "'shop id' has 1,001 categories in the fit rows (at most 1,000 per column" in message
        assert "(catboost, hist_gradient_boosting, lightgbm, xgboost)" in message
        assert message.endswith('drop = ["shop id"]')


def wide_dataset() -> object:
    rng = np.random.default_rng(0)
    y = np.repeat(["a", "b"], [1800, 1200])
    X = pd.DataFrame({"x": rng.normal(size=len(y)) + (y == "b"),
                      "code": [f"c{i}" for i in rng.permutation(len(y))]})
    return from_arrays("wide", X, y, categorical=["code"])


def test_a_too_wide_column_is_an_error_row_for_one_hot_models_only() -> None:
    from bench.data.registry import DATASETS, DatasetSource

    if "test-wide" not in DATASETS:
        DATASETS.register(DatasetSource("test-wide", wide_dataset, {}, "test only: 3,000 codes"))
    base = dict(dataset=Component.of("test-wide"), sampler=Component.of("none"), folds=None,
                holdout=0.3)
    row = run_cell_safely(Cell(model=Component.of("logistic"), **base)).row
    assert row["status"] == "error" and "fit_s" not in row
    assert row["error"].startswith("DataError: categorical column(s) too wide for one-hot input: "
                                   "'code' has 1,680 categories in the fit rows")
    native = run_cell_safely(Cell(model=Component.of("lightgbm", {"n_estimators": 5}), **base))
    assert native.row["status"] == "ok", native.row["error"]


def mixed_dataset() -> object:
    rng = np.random.default_rng(3)
    n = 300
    y = np.repeat(["lo", "mid", "hi"], [150, 100, 50])
    X = pd.DataFrame({"a": rng.normal(size=n) + (y == "hi") * 2,
                      "b": rng.normal(size=n),
                      "shop": rng.choice(["x", "y", "z"], n)})
    X.loc[rng.random(n) < 0.05, "a"] = np.nan
    X.loc[rng.random(n) < 0.05, "shop"] = None
    return from_arrays("mixed", X, y, categorical=["shop"])


@pytest.fixture(scope="module")
def mixed() -> str:
    from bench.data.registry import DATASETS, DatasetSource

    if "test-mixed" not in DATASETS:
        DATASETS.register(DatasetSource("test-mixed", mixed_dataset, {},
                                        "test only: numeric + categorical + NaN"))
    return "test-mixed"


@pytest.mark.parametrize("model,sampler", [
    ("logistic", "none"), ("logistic", "smote"), ("lightgbm", "none"), ("lightgbm", "smote"),
    ("lightgbm", "random_over"), ("random_forest", "tomek"),
])
def test_each_model_gets_its_input(mixed: str, model: str, sampler: str) -> None:
    params = {"n_estimators": 20} if model in ("lightgbm", "random_forest") else {}
    cell = Cell(dataset=Component.of(mixed), sampler=Component.of(sampler),
                model=Component.of(model, params), profile="step", ratio=2, minority=("hi",),
                folds=3, validation=0.2)
    result = run_cell(cell)
    assert result.row["status"] == "ok"
    pre = json.loads(result.row["preprocess"])
    entry, s_entry = MODELS.get(model), SAMPLERS.get(sampler)
    assert pre["categorical"] == ["shop"]
    assert pre["model_input"] == ("native" if entry.categorical else "onehot")
    assert pre["imputed"] == needs_imputation(entry.handles_missing, s_entry.handles_missing)
    assert pre["missing_in_fit"] > 0
    if pre["model_input"] == "onehot":
        assert pre["n_features_model"] == 2 + pre["n_categories"][0]
    if sampler == "smote":
        assert json.loads(result.row["sampler_params"])["algorithm"] == "SMOTENC"
    assert set(result.per_class["label"]) == {"lo", "mid", "hi"}
