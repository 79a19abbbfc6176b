"""`prior` corrects from the distribution the model was fitted under: class weights and the
imbalanced-learn ensembles' own resampling count (the second one used to be missed)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.core.cell import Cell, Component, RunOptions
from bench.models.registry import MODELS, ModelEntry
from bench.protocol import run_cell
from bench.protocol.decision import prior_correct
from bench.protocol.fitted_prior import fitted_prior

STRATEGIES = ["auto", "all", "majority", "not minority", "not majority"]


def test_plain_counts_are_the_prior_and_class_weights_are_uniform_over_present_classes() -> None:
    assert fitted_prior(np.array([30, 10, 60])).tolist() == [0.3, 0.1, 0.6]
    assert fitted_prior(np.array([30, 0, 60]), class_weight=True).tolist() == [0.5, 0.0, 0.5]


def test_an_ensemble_undersampling_all_classes_was_fitted_on_a_uniform_prior() -> None:
    # seed (c)'s training part: class 1 at 1:11 against each other class
    counts = np.array([176_000, 16_000, 176_000])
    for strategy in ("auto", "all", "not minority"):
        shares = fitted_prior(counts, internal_sampling="under-sampling",
                              sampling_strategy=strategy)
        assert np.allclose(shares, 1 / 3, rtol=0, atol=1e-15)
    # 'majority' only cuts the largest class (class 2 here) down to the smallest class's count
    shares = fitted_prior(np.array([50, 10, 90]), internal_sampling="under-sampling",
                          sampling_strategy="majority")
    assert np.allclose(shares, np.array([50, 10, 10]) / 70)


# imbalanced-learn's own random sampler of each internal type, and the strategies it takes
RESAMPLERS = {"under-sampling": ("imblearn.under_sampling", "RandomUnderSampler", STRATEGIES),
              "over-sampling": ("imblearn.over_sampling", "RandomOverSampler",
                                ["auto", "all", "minority", "not minority", "not majority"])}


@pytest.mark.parametrize("internal", sorted(RESAMPLERS))
@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(2, 60), min_size=2, max_size=4), data=st.data())
def test_the_internal_counts_are_what_imbalanced_learn_resamples_to(
        internal: str, counts: list[int], data: st.DataObject) -> None:
    """Reference: imbalanced-learn's random sampler of that type on labels with those counts
    (the registry allows "over-sampling" too, though no built-in model uses it yet)."""
    import importlib

    module, name, strategies = RESAMPLERS[internal]
    strategy = data.draw(st.sampled_from(strategies), label="strategy")
    sampler = getattr(importlib.import_module(module), name)
    y = np.repeat(np.arange(len(counts)), counts)
    _, y_res = sampler(sampling_strategy=strategy, random_state=0).fit_resample(
        y.reshape(-1, 1), y)
    expected = np.bincount(y_res, minlength=len(counts))
    shares = fitted_prior(np.array(counts), internal_sampling=internal,
                          sampling_strategy=strategy)
    assert np.allclose(shares, expected / expected.sum(), rtol=0, atol=1e-12)


def test_a_class_absent_from_training_keeps_a_zero_share() -> None:
    shares = fitted_prior(np.array([40, 0, 8]), internal_sampling="under-sampling",
                          sampling_strategy="all")
    assert shares.tolist() == [0.5, 0.0, 0.5]


def test_the_registry_declares_internal_resampling_for_exactly_the_imbalanced_ensembles() -> None:
    declared = {e.name for e in MODELS if e.internal_sampling}
    assert declared == {"balanced_random_forest", "balanced_bagging", "easy_ensemble", "rus_boost"}
    with pytest.raises(ValueError, match="internal_sampling 'sideways'; allowed"):
        ModelEntry("x", "bagging", lambda p, c: None, {"sampling_strategy": "auto"},
                   internal_sampling="sideways")
    with pytest.raises(ValueError, match="needs a declared 'sampling_strategy'"):
        ModelEntry("x", "bagging", lambda p, c: None, {}, internal_sampling="under-sampling")


def imbalanced_cell(model: Component, decision: str) -> Cell:
    """Class 1 at 1:6 in training and test alike (the deployment world is the training one)."""
    return Cell(dataset=Component.of("seed-overlap", {"n_samples": 2400}),
                sampler=Component.of("none"), model=model, profile="step", ratio=6,
                minority=("1",), test_prior="same", decision=decision)


@pytest.mark.parametrize("model", [
    Component.of("balanced_random_forest", {"n_estimators": 20}),
    Component.of("rus_boost", {"n_estimators": 20}),
], ids=["balanced_random_forest", "rus_boost"])
def test_prior_on_a_rebalancing_ensemble_moves_predictions_back_toward_the_real_prior(
        model: Component) -> None:
    """With sampler none the ensemble still learnt on balanced data, so `prior` must divide by
    a uniform pi_train: fewer class-1 predictions than argmax, and the recorded factor says so."""
    opts = RunOptions(store_predictions=True)
    plain = run_cell(imbalanced_cell(model, "argmax"), options=opts)
    corrected = run_cell(imbalanced_cell(model, "prior"), options=opts)
    prior = corrected.row
    params = json.loads(prior["decision_params"])
    assert np.allclose(params["train_prior"], 1 / 3, rtol=0, atol=1e-12)
    counts = json.loads(prior["resampled_counts"])  # what fit was handed: imbalanced
    assert counts[1] * 5 < counts[0]
    test_share = np.array(params["test_prior"])
    assert test_share[1] * 5 < test_share[0]
    assert np.allclose(params["factor"], 3 * test_share)  # pi_test / (1/3)
    cols = ["p_0", "p_1", "p_2"]
    expected, _ = prior_correct(plain.predictions[cols].to_numpy(), np.full(3, 1 / 3), test_share)
    assert np.allclose(corrected.predictions[cols].to_numpy(), expected, rtol=0, atol=1e-12)
    # the balanced ensemble over-predicts class 1 at its real 1:6 share; the correction takes
    # that back (on seed-overlap, whose class 1 is a minority in its own region, all the way)
    n_argmax = int((plain.predictions["y_pred"] == 1).sum())
    n_prior = int((corrected.predictions["y_pred"] == 1).sum())
    assert n_prior < n_argmax / 2
    assert prior["minority_recall"] < plain.row["minority_recall"]
