"""A tuned cell end to end (run_cell): the search never reads a test row, is reproducible, the
final model is the best trial's, and the row and the trials table say what happened.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from bench.core.cell import Cell, Component
from bench.core.space import Float, SearchSpace
from bench.data.dataset import from_arrays
from bench.data.registry import DATASETS, DatasetSource, load_dataset
from bench.models.registry import MODELS, ModelEntry
from bench.protocol import evaluate, fitting, pipeline
from bench.protocol.evaluate import run_cell, run_cell_safely
from bench.protocol.tune import TuneData, validation_score

# The probe dataset's content is read from here at load time, so one Component (one cell id,
# one set of seeds) can be loaded clean or with its test part poisoned.
_PROBE: dict[str, Any] = {}


def _probe() -> Any:
    return from_arrays("tune-probe", _PROBE["X"], _PROBE["y"])


def _clean() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [150, 100, 50])
    X = rng.normal(size=(len(y), 5)) + np.eye(3)[y] @ rng.normal(size=(3, 5)) * 1.5
    return X, y


def _forget() -> None:
    """Drop every per-process cache of a dataset's content (the probe changes under one name)."""
    load_dataset.cache_clear()
    evaluate.loaded_data.cache_clear()
    evaluate._SPLITS.clear()
    fitting._LAST_FIT.clear()


@pytest.fixture
def probe() -> Any:
    if "tune-probe" not in DATASETS:
        DATASETS.register(DatasetSource("tune-probe", _probe, {}, "test only"))
    _PROBE["X"], _PROBE["y"] = _clean()
    _forget()
    yield _PROBE
    _forget()


def tuned_cell(**kw: Any) -> Cell:
    base = dict(dataset=Component.of("tune-probe"), sampler=Component.of("none"),
                model=Component.of("lightgbm", {"n_estimators": 60}), profile="step", ratio=3,
                minority=("2",), folds=3, fold=1, tuning="tpe(6)")
    return Cell(**{**base, **kw})


def trials_of(result: Any) -> list[tuple[str, float, str]]:
    t = result.trials
    return list(zip(t["params"], t["value"], t["state"]))


def test_no_trial_reads_a_test_row(probe: Any) -> None:
    """Poison the test part (features, then labels too): the search is the same, trial by
    trial; only the test scores change."""
    cell = tuned_cell()
    clean = run_cell(cell)
    split = evaluate.cell_split(cell)
    assert len(clean.trials) == 6 and set(clean.trials["state"]) == {"complete"}

    rng = np.random.default_rng(1)
    X, y = _clean()
    X[split.test] = rng.normal(scale=50.0, size=(len(split.test), X.shape[1]))
    probe["X"] = X
    _forget()
    features = run_cell(cell)
    np.testing.assert_array_equal(evaluate.cell_split(cell).test, split.test)  # same rows
    assert trials_of(features) == trials_of(clean)
    assert features.row["tuned_params"] == clean.row["tuned_params"]
    assert features.row["tune_score"] == clean.row["tune_score"]
    assert features.row["macro_f1"] != clean.row["macro_f1"]  # the poison reached the test part

    # Labels too: a split is drawn from the labels, so the clean split is held fixed (as if the
    # deployment labels differed): the fit and validation rows are exactly the clean ones.
    y[split.test] = (y[split.test] + 1) % 3
    probe["y"] = y
    _forget()
    evaluate._SPLITS[evaluate.split_key(cell)] = split
    both = run_cell(cell)
    assert trials_of(both) == trials_of(clean)
    assert both.row["tuned_params"] == clean.row["tuned_params"]
    assert both.row["macro_f1"] < 0.5 < clean.row["macro_f1"]


def test_same_cell_same_search_and_the_final_model_is_the_best_trials(probe: Any) -> None:
    cell = tuned_cell()
    first = run_cell(cell)
    fitted = fitting._LAST_FIT[0]
    fitting._LAST_FIT.clear()  # no reuse: the second run searches again
    second = run_cell(cell)
    assert trials_of(second) == trials_of(first)
    assert second.row["tuned_params"] == first.row["tuned_params"]
    assert second.row["macro_f1"] == first.row["macro_f1"]

    # The chosen parameters are those of the best trial ...
    best = first.trials.loc[first.trials["value"].idxmax()]
    assert json.loads(first.row["tuned_params"]) == json.loads(best["params"])
    assert first.row["tune_score"] == best["value"] and first.row["tune_trials"] == 6
    # ... and the refit with them (same rows, same seed) scores the validation part as it did
    ds = load_dataset(cell.dataset)
    split = evaluate.cell_split(cell)
    prep = evaluate.prepare_features(ds, split, cell)
    data = TuneData(prep.X_fit, ds.y[split.fit], prep.X_val, ds.y[split.val], 3,
                    int(first.row["minority_class"]))
    proba = pipeline.full_proba(fitted.pipe, prep.X_val, 3)
    assert validation_score("macro_f1", proba, data) == first.row["tune_score"]
    assert fitted.pipe.steps[-1][1].get_params()["params"]["num_leaves"] == \
        json.loads(first.row["tuned_params"])["model.num_leaves"]


def test_another_cell_searches_other_values(probe: Any) -> None:
    a = run_cell(tuned_cell())
    b = run_cell(tuned_cell(tuning="random(6)"))
    assert [p for p, _, _ in trials_of(a)] != [p for p, _, _ in trials_of(b)]
    c = run_cell(tuned_cell(seed=1))
    assert [p for p, _, _ in trials_of(a)] != [p for p, _, _ in trials_of(c)]


def test_decision_rules_of_a_tuned_cell_share_its_search(probe: Any) -> None:
    argmax = run_cell(tuned_cell())
    prior = run_cell(tuned_cell(decision="prior"))
    assert prior.row["fit_shared"] and not argmax.row["fit_shared"]
    assert trials_of(prior) == trials_of(argmax)
    assert prior.row["tune_s"] == argmax.row["tune_s"]
    assert set(prior.trials["cell_id"]) == {prior.row["cell_id"]} != {argmax.row["cell_id"]}


def test_a_default_cell_records_no_search(probe: Any) -> None:
    r = run_cell(tuned_cell(tuning="default"))
    assert r.row["tuning"] == "default" and r.row["tuned_params"] == "{}"
    assert math.isnan(r.row["tune_score"]) and r.row["tune_trials"] == 0
    assert r.trials.empty


class _Fragile(ClassifierMixin, BaseEstimator):
    """A classifier whose fit fails for large C: some trials fail, the search goes on."""

    def __init__(self, C: float = 1.0, always: bool = False) -> None:
        self.C, self.always = C, always

    def fit(self, X: np.ndarray, y: np.ndarray, **kw: Any) -> _Fragile:
        from sklearn.linear_model import LogisticRegression

        if self.always or self.C > 1.0:
            raise RuntimeError(f"C={self.C:.3g} diverged")
        self.model_ = LogisticRegression(C=self.C, max_iter=500).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(X)


def _register_fragile() -> None:
    MODELS.register(ModelEntry(
        "tune-fragile", "baseline", lambda p, ctx: _Fragile(**p), {"C": 1.0, "always": False},
        sample_weight=False, space=SearchSpace({"C": Float(0.01, 100.0, log=True)}, "test")))


def test_failing_trials_are_recorded_and_an_all_failing_search_is_an_error_row(probe: Any) -> None:
    _register_fragile()
    model = Component.of("tune-fragile")
    r = run_cell(tuned_cell(model=model, tuning="random(8)"))
    states = r.trials["state"].tolist()
    assert "fail" in states and "complete" in states and r.row["tune_trials"] == 8
    failed = r.trials[r.trials["state"] == "fail"]
    assert failed["value"].isna().all()
    assert failed["error"].str.match(r"RuntimeError: C=\S+ diverged").all()
    assert json.loads(r.row["tuned_params"])["model.C"] <= 1.0

    broken = run_cell_safely(tuned_cell(model=Component.of("tune-fragile", {"always": True}),
                                        tuning="random(3)"))
    assert broken.row["status"] == "error"
    assert broken.row["error"].startswith(
        "TuningError: tuning random(3): all 3 trial(s) failed; the first: RuntimeError: C=")
    assert broken.row["tuning"] == "random(3)"


def test_a_cell_with_nothing_to_search_fails_clearly(probe: Any) -> None:
    bad = run_cell_safely(tuned_cell(model=Component.of("dummy")))
    assert bad.row["status"] == "error"
    assert "declare no search space" in bad.row["error"]
    assert replace(tuned_cell(), tuning="default").cell_id != tuned_cell().cell_id
