"""The search of a tuned cell (bench.protocol.tune.search), on a real scikit-learn model.

What a user relies on: the search is reproducible from its seed, optimises the metric in the
right direction, keeps the best trial, records failing trials without dying, honours its time
budget, and gets nothing but the fit and validation parts.
"""

from __future__ import annotations

import inspect
import json
import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bench.core.errors import TuningError
from bench.core.space import Choice, Float
from bench.core.vocab import TuningSpec
from bench.protocol.tune import (
    TRIAL_COLUMNS,
    TuneData,
    search,
    split_params,
    trials_table,
    tuning_columns,
    validation_score,
)


def blobs(seed: int = 0) -> TuneData:
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], [60, 40, 20])
    X = rng.normal(size=(len(y), 4)) + y[:, None] * 0.8
    val = np.arange(len(y)) % 4 == 0
    return TuneData(X[~val], y[~val], X[val], y[val], n_classes=3, minority=2)


SPACE = {"model.C": Float(1e-4, 10.0, log=True), "model.fit_intercept": Choice((True, False))}


def logistic(model: dict, sampler: dict, X_fit: np.ndarray, y_fit: np.ndarray,
             X_val: np.ndarray, y_val: np.ndarray) -> np.ndarray:
    assert sampler == {}
    return LogisticRegression(max_iter=500, **model).fit(X_fit, y_fit).predict_proba(X_val)


def test_same_seed_same_trials_and_best_other_seed_other_trials() -> None:
    data = blobs()
    a = search(TuningSpec("tpe", 8), SPACE, data, logistic, seed=7)
    b = search(TuningSpec("tpe", 8), SPACE, data, logistic, seed=7)
    c = search(TuningSpec("tpe", 8), SPACE, data, logistic, seed=8)
    assert [(t.params, t.value) for t in a.trials] == [(t.params, t.value) for t in b.trials]
    assert a.params == b.params and a.score == b.score
    assert [t.params for t in a.trials] != [t.params for t in c.trials]
    assert len(a.trials) == 8 and all(t.state == "complete" for t in a.trials)


@pytest.mark.parametrize("tuner", ["tpe", "random"])
def test_the_best_trial_is_the_best_validation_score_and_reproduces(tuner: str) -> None:
    data = blobs()
    result = search(TuningSpec(tuner, 6), SPACE, data, logistic, seed=1)
    values = [t.value for t in result.trials]
    assert result.score == max(values)
    best = result.trials[values.index(max(values))]  # the earliest of ties
    assert result.params == best.params
    # refitting with the chosen parameters gives the recorded validation score back
    proba = logistic(result.model_params, result.sampler_params, data.X_fit, data.y_fit,
                     data.X_val, data.y_val)
    assert validation_score("macro_f1", proba, data) == result.score
    assert set(result.params) == set(SPACE)


def test_a_lower_is_better_metric_is_minimised() -> None:
    data = blobs()
    result = search(TuningSpec("random", 6, metric="log_loss"), SPACE, data, logistic, seed=3)
    values = [t.value for t in result.trials]
    assert result.score == min(values) < max(values)
    # by hand: the log loss of the chosen model on the validation part
    proba = logistic(result.model_params, {}, data.X_fit, data.y_fit, data.X_val, data.y_val)
    by_hand = -np.mean(np.log(np.clip(proba[np.arange(len(data.y_val)), data.y_val], 1e-15, 1)))
    assert result.score == pytest.approx(by_hand, rel=1e-9)


def test_failing_trials_are_recorded_and_the_search_goes_on() -> None:
    data = blobs()

    def half_broken(model: dict, sampler: dict, *arrays: np.ndarray) -> np.ndarray:
        if model["C"] > 0.1:
            raise RuntimeError("diverged")
        return logistic(model, sampler, *arrays)

    result = search(TuningSpec("random", 12), SPACE, data, half_broken, seed=0)
    failed = [t for t in result.trials if t.state == "fail"]
    ok = [t for t in result.trials if t.state == "complete"]
    assert failed and ok and len(result.trials) == 12
    assert all(math.isnan(t.value) and t.error == "RuntimeError: diverged" for t in failed)
    assert all(t.params["model.C"] > 0.1 for t in failed)
    assert result.params["model.C"] <= 0.1

    def broken(*args: object) -> np.ndarray:
        raise ValueError("bad input")

    with pytest.raises(TuningError, match=r"tuning random\(3\): all 3 trial\(s\) failed; the "
                                          r"first: ValueError: bad input"):
        search(TuningSpec("random", 3), SPACE, data, broken, seed=0)


def test_memory_errors_are_not_swallowed() -> None:
    def oom(*args: object) -> np.ndarray:
        raise MemoryError("cap")

    with pytest.raises(MemoryError):
        search(TuningSpec("random", 3), SPACE, blobs(), oom, seed=0)


def test_the_budget_stops_the_search() -> None:
    import time

    def slow(*args: object) -> np.ndarray:
        time.sleep(0.2)
        return logistic(*args)  # type: ignore[arg-type]

    result = search(TuningSpec("random", 50, budget_s=0.5), SPACE, blobs(), slow, seed=0)
    assert 1 <= len(result.trials) <= 4
    assert result.tune_s < 2.0


def test_an_empty_space_or_no_validation_part_is_refused() -> None:
    data = blobs()
    with pytest.raises(TuningError, match="search space is empty"):
        search(TuningSpec("tpe", 3), {}, data, logistic, seed=0)
    no_val = TuneData(data.X_fit, data.y_fit, data.X_val[:0], data.y_val[:0], 3, 2)
    with pytest.raises(TuningError, match="needs a validation part"):
        search(TuningSpec("tpe", 3), SPACE, no_val, logistic, seed=0)


def test_list_valued_choices_travel_as_values() -> None:
    seen = []

    def record(model: dict, sampler: dict, *arrays: np.ndarray) -> np.ndarray:
        seen.append((model["hidden"], sampler["k"]))
        return logistic({}, {}, *arrays)

    space = {"model.hidden": Choice(([8], [8, 8])), "sampler.k": Choice((3, 5))}
    result = search(TuningSpec("random", 4), space, blobs(), record, seed=0)
    assert all(isinstance(h, list) and k in (3, 5) for h, k in seen)
    assert result.model_params["hidden"] in ([8], [8, 8])
    assert split_params({"model.a": 1, "sampler.b": 2}) == ({"a": 1}, {"b": 2})


def test_the_search_takes_only_fit_and_validation_parts() -> None:
    """Structural: nothing in the search's inputs can hold a test row."""
    assert list(inspect.signature(search).parameters) == [
        "spec", "space", "data", "fit_predict", "seed"]
    assert [f for f in TuneData.__dataclass_fields__] == [
        "X_fit", "y_fit", "X_val", "y_val", "n_classes", "minority"]


def test_trials_table_and_row_columns() -> None:
    result = search(TuningSpec("random", 3), SPACE, blobs(), logistic, seed=0)
    frame = trials_table("abc", result).frame()
    assert list(frame.columns) == TRIAL_COLUMNS
    assert frame["trial"].tolist() == [0, 1, 2] and set(frame["cell_id"]) == {"abc"}
    assert [json.loads(p) for p in frame["params"]] == [t.params for t in result.trials]
    assert frame["value"].tolist() == [t.value for t in result.trials]
    assert trials_table("abc", None).frame().empty
    cols = tuning_columns(result)
    assert cols["tune_trials"] == 3 and cols["tune_s"] == result.tune_s > 0
    assert json.loads(cols["tuned_params"]) == result.params and cols["tune_score"] == result.score
    default = tuning_columns(None)
    assert default["tuned_params"] == "{}" and math.isnan(default["tune_score"])
    assert default["tune_trials"] == 0
