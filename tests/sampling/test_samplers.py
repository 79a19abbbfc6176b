"""Sampling strategies: every registered sampler, multiclass-safe strategies, neighbour shrinking,
categorical data, clear statuses, and the leak property (samplers see the fit rows only)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.core.cell import Cell, Component
from bench.data.registry import load_dataset
from bench.core.ids import array_digest
from bench.protocol import build_pipeline, prepare_features, run_cell, run_cell_safely
from bench.sampling import (
    NOOP,
    SAMPLERS,
    CategoricalSpace,
    NotApplicable,
    RecordingSampler,
    SamplerContext,
    SamplerError,
    build_sampler,
)
from bench.protocol.split import make_split
from bench.suite import SuiteError, parse_suite

ALL = ["none", "class_weight", "random_over", "random_under", "smote", "borderline_smote",
       "svm_smote", "adasyn", "smotenc", "tomek", "enn", "near_miss", "smote_tomek", "smote_enn",
       "cluster_centroids"]


def blobs(counts: list[int], seed: int = 0, sep: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(len(y), 4)) + sep * y[:, None]
    return X, y


def resample(name: str, X: np.ndarray, y: np.ndarray, **ctx_kw) -> tuple[np.ndarray, np.ndarray, dict]:
    ctx = SamplerContext(seed=0, counts=np.bincount(y), labels=("a", "b", "c", "d")[: len(set(y))],
                         n_features=X.shape[1], **ctx_kw)
    sampler = build_sampler(SAMPLERS.get(name), {}, ctx)
    Xr, yr = RecordingSampler(sampler, name).fit_resample(X, y)
    return np.asarray(Xr), np.asarray(yr), ctx.notes


def test_the_full_set_is_registered() -> None:
    assert set(ALL) <= set(SAMPLERS.names())
    for name in ALL:
        entry = SAMPLERS.get(name)
        assert entry.description
        assert entry.handles_missing == (name in ("none", "class_weight", "random_over",
                                                   "random_under"))


@pytest.mark.parametrize("name", [n for n in ALL if SAMPLERS.get(n).resamples])
def test_multiclass_strategies(name: str) -> None:
    X, y = blobs([60, 40, 12])
    Xr, yr, notes = resample(name, X, y)
    before, after = np.bincount(y), np.bincount(yr, minlength=3)
    kind = SAMPLERS.get(name).kind
    assert (after > 0).all(), "no class may vanish"
    if kind == "over":
        assert after[0] == 60 and (after >= before).all()
        if name in ("random_over", "smote", "smotenc", "borderline_smote"):
            assert after.tolist() == [60, 60, 60]
    elif kind == "under":
        assert after.tolist() == [12, 12, 12]
    elif kind == "clean":
        # only the majority side (count >= mean 37.3) is cleaned
        assert notes["cleaned_classes"] == ["a", "b"] and after[2] == 12
        assert (after <= before).all()
    elif kind == "combine":
        assert after[2] > 12
    assert Xr.shape[1] == X.shape[1] and not np.isnan(Xr).any()


def test_neighbours_shrink_for_small_classes_and_are_recorded() -> None:
    X, y = blobs([60, 40, 3], sep=0.5)
    for name, key in (("smote", "k_neighbors"), ("borderline_smote", "k_neighbors"),
                      ("adasyn", "n_neighbors"), ("smote_tomek", "k_neighbors"),
                      ("smote_enn", "k_neighbors"), ("smotenc", "k_neighbors")):
        _, _, notes = resample(name, X, y)
        assert notes[key] == 2, name
        assert notes["adjusted"] == f"{key} 5 -> 2: class 'c' has 3 training rows"
    _, _, notes = resample("near_miss", *blobs([60, 40, 2]))
    assert notes["n_neighbors"] == 2 and "minority class has 2" in notes["adjusted"]
    _, _, notes = resample("smote", *blobs([60, 40, 30]))
    assert notes["k_neighbors"] == 5 and "adjusted" not in notes


def test_one_row_class_cannot_be_oversampled() -> None:
    X, y = blobs([60, 40, 1])
    for name in ("smote", "smotenc", "borderline_smote", "svm_smote", "adasyn", "smote_tomek",
                 "smote_enn"):
        with pytest.raises(NotApplicable, match=r"class 'c' has 1 training row\(s\)"):
            resample(name, X, y)
    for name in ("random_over", "random_under", "tomek", "near_miss", "cluster_centroids"):
        resample(name, X, y)  # these need no interpolation partner


def test_too_small_class_is_a_skipped_cell_with_a_clear_message() -> None:
    """digits at step ratio 100: the minority keeps 1 training row (1.26 rounds to 1)."""
    base = dict(dataset=Component.of("digits"), model=Component.of("dummy"), profile="step",
                ratio=100, minority="rarest", folds=None, holdout=0.3, validation=0.0)
    row = run_cell_safely(Cell(sampler=Component.of("smote"), **base)).row
    assert row["status"] == "skipped"
    assert row["error"].startswith("not applicable: smote: class '8' has 1 training row(s)")
    ok = run_cell_safely(Cell(sampler=Component.of("random_over"), **base)).row
    assert ok["status"] == "ok"
    fit = json.loads(ok["train_counts"])
    assert fit[8] == 1 and json.loads(ok["resampled_counts"]) == [max(fit)] * 10


def test_library_verdicts_and_failures_name_the_sampler() -> None:
    # perfectly separated classes: ADASYN finds no neighbour of another class and refuses
    X, y = blobs([50, 10], sep=100.0)
    with pytest.raises(NotApplicable, match="adasyn: Not any neigbours .* not suited"):
        resample("adasyn", X, y)
    X, y = blobs([50, 10])
    X[3, 1] = np.nan  # a sampler that cannot take NaN (the encoder imputes in a real cell)
    with pytest.raises(SamplerError, match="smote failed on the training part: ValueError"):
        resample("smote", X, y)


def test_nothing_to_resample_is_a_noop_not_an_error() -> None:
    """ADASYN on 40 vs 39 rows: the one missing row rounds to 0 synthetic rows and
    imbalanced-learn raises "No samples will be generated"; that is a no-op, not a failure."""
    X, y = blobs([40, 39], sep=0.5)
    recorder = RecordingSampler(build_sampler(SAMPLERS.get("adasyn"), {}, SamplerContext(
        seed=0, counts=np.bincount(y), n_features=4)), "adasyn")
    Xr, yr = recorder.fit_resample(X, y)
    assert Xr is X and yr is y and recorder.counts_out_.tolist() == [40, 39]
    assert recorder.notes_ == {NOOP: "nothing to resample: adasyn: No samples will be generated "
                                     "with the provided ratio settings."}
    _, _, notes = resample("smote", X, y)
    assert NOOP not in notes  # one row to add is something to do for SMOTE


@pytest.mark.parametrize("name", [n for n in ALL if SAMPLERS.get(n).kind in ("over", "under")])
def test_balanced_training_counts_are_a_recorded_noop(name: str) -> None:
    X, y = blobs([30, 30, 30])
    Xr, yr, notes = resample(name, X, y)
    assert np.bincount(yr).tolist() == [30, 30, 30]
    side = "majority" if SAMPLERS.get(name).kind == "over" else "minority"
    assert notes[NOOP].startswith("nothing to resample: the classes sampling_strategy")
    assert notes[NOOP].endswith(f"already have the {side} count (30 rows)")
    _, _, imbalanced = resample(name, *blobs([30, 30, 12]))
    assert NOOP not in imbalanced


def test_adasyn_on_balanced_data_runs_in_every_fold() -> None:
    """wine at step ratio 1: with a validation part the fit counts are 26/25/25 (ADASYN has
    nothing to generate), without one they are equal; every cell is ok and trains on its rows."""
    for validation in (0.0, 0.2):
        for fold in range(3):
            row = run_cell_safely(Cell(
                dataset=Component.of("wine"), model=Component.of("logistic"),
                sampler=Component.of("adasyn"), profile="step", ratio=1, minority="rarest",
                folds=3, fold=fold, validation=validation)).row
            assert row["status"] == "ok", row["error"]
            assert row["resampled_counts"] == row["train_counts"]
            assert json.loads(row["sampler_params"])[NOOP].startswith("nothing to resample")


def test_categorical_columns_keep_valid_codes() -> None:
    rng = np.random.default_rng(1)
    X, y = blobs([60, 30, 8])
    cats = np.column_stack([rng.integers(0, 3, len(y)), rng.integers(0, 5, len(y))])
    Xc = np.column_stack([X, cats]).astype(float)
    kw = dict(categorical=(4, 5), n_categories=(3, 5))
    for name in [n for n in ALL if SAMPLERS.get(n).resamples]:
        Xr, yr, notes = resample(name, Xc, y, **kw)
        for col, n in ((4, 3), (5, 5)):
            assert set(np.unique(Xr[:, col])) <= set(range(n)), name
        if name in ("smote", "smotenc"):
            assert notes["algorithm"] == "SMOTENC"
        elif name not in ("random_over", "random_under"):
            assert notes["space"] == "one-hot categorical blocks", name
    # all-categorical data: SMOTE-N
    _, _, notes = resample("smote", cats.astype(float), y, categorical=(0, 1), n_categories=(3, 5))
    assert notes["algorithm"] == "SMOTEN"


def test_categorical_space_round_trips_rows() -> None:
    class Identity:
        def fit_resample(self, X, y):
            return X, y

    X = np.array([[0.5, 2.0, 1.0], [1.5, 0.0, 0.0], [2.5, 1.0, 1.0]])
    out, _ = CategoricalSpace(Identity(), (1, 2), (3, 2)).fit_resample(X, np.array([0, 1, 0]))
    np.testing.assert_array_equal(out, X)


def test_strategy_values_are_checked_before_running() -> None:
    suite = {"name": "t", "datasets": ["wine"], "models": ["dummy"],
             "samplers": [{"name": "enn", "sampling_strategy": 0.5},
                          {"name": "near_miss", "version": 4},
                          {"name": "smote", "sampling_strategy": "majority"}]}
    with pytest.raises(SuiteError) as exc:
        parse_suite(suite)
    text = str(exc.value)
    assert "samplers[0].sampling_strategy: expected str" in text
    assert "samplers[1].version: 4; allowed: 1, 2, 3" in text
    assert "samplers[2].sampling_strategy: 'majority'; allowed: auto, not majority" in text


def test_counts_and_time_are_recorded_per_cell() -> None:
    base = dict(dataset=Component.of("wine"), model=Component.of("logistic"), profile="step",
                ratio=4, minority=("2",), folds=3, validation=0.2)
    row = run_cell(Cell(sampler=Component.of("smote"), **base)).row
    fit = json.loads(row["train_counts"])
    assert json.loads(row["resampled_counts"]) == [max(fit)] * 3
    assert row["n_resampled"] == 3 * max(fit) and row["resample_s"] >= 0.0
    assert json.loads(row["sampler_params"]) == {"algorithm": "SMOTE", "k_neighbors": 5}
    none = run_cell(Cell(sampler=Component.of("none"), **base)).row
    assert none["resample_s"] == 0.0 and none["resampled_counts"] == none["train_counts"]
    assert json.loads(none["train_prior"]).keys() == {"0", "1", "2"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sampler=st.sampled_from([n for n in ALL if SAMPLERS.get(n).resamples]),
       fold=st.integers(0, 2), ratio=st.sampled_from([1.0, 3.0, 6.0]),
       profile=st.sampled_from(["step", "longtail"]), validation=st.sampled_from([0.0, 0.25]))
def test_samplers_only_ever_see_the_fit_rows(sampler, fold, ratio, profile, validation) -> None:
    """The protocol's own pipeline: the sampler receives exactly the encoded fit rows, once;
    predicting validation and test rows never reaches it."""
    cell = Cell(dataset=Component.of("wine"), sampler=Component.of(sampler),
                model=Component.of("logistic"), profile=profile, ratio=ratio, minority="rarest",
                folds=3, fold=fold, validation=validation)
    ds = load_dataset(cell.dataset)
    split = make_split(ds, cell)
    prep = prepare_features(ds, split, cell)
    counts = np.bincount(ds.y[split.fit], minlength=ds.n_classes)
    try:
        pipe, _ = build_pipeline(cell, counts, 1, "cpu", prep=prep, labels=ds.labels)
    except NotApplicable:
        return
    pipe.fit(prep.X_fit, ds.y[split.fit])
    rec = pipe.named_steps["sampler"]
    assert rec.n_calls_ == 1 and rec.n_in_ == len(split.fit)
    assert rec.digest_in_ == array_digest(prep.X_fit)
    pipe.predict_proba(prep.X_test)
    if len(split.val):
        pipe.predict_proba(prep.X_val)
    assert rec.n_calls_ == 1
    assert not set(split.fit) & (set(split.test) | set(split.val))
