"""Per-cell bootstrap CIs: stratified resamples, the registry's metrics, percentile bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from bench.commands.run import run_options
from bench.core.cell import Cell, Component, RunOptions
from bench.metrics import ScoreInput
from bench.metrics.bootstrap import (
    HEADLINE,
    bootstrap_ci,
    ci_columns,
    stratified_indices,
)
from bench.protocol import run_cell
from bench.store import Store, cells_columns
from bench.suite import SuiteError, parse_suite


def random_input(seed: int, n: int = 120, k: int = 3) -> ScoreInput:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, size=n)
    proba = rng.dirichlet(np.ones(k), size=n)
    proba[np.arange(n), y] += 0.3
    proba /= proba.sum(axis=1, keepdims=True)
    y_pred = np.where(rng.random(n) < 0.7, y, rng.integers(0, k, size=n))
    return ScoreInput(y, y_pred, proba, k, np.bincount(y, minlength=k))


def test_stratified_indices_keep_class_counts_and_are_seeded() -> None:
    y = np.array([0] * 10 + [1] * 3 + [2] * 7)
    idx = stratified_indices(y, 50, seed=3)
    assert idx.shape == (50, 20)
    for row in idx:
        assert np.array_equal(np.bincount(y[row], minlength=3), [10, 3, 7])
        assert (y[row] == y).all()  # each position draws from its own class
    assert np.array_equal(idx, stratified_indices(y, 50, seed=3))
    assert not np.array_equal(idx, stratified_indices(y, 50, seed=4))


def reference(inp: ScoreInput, n: int, seed: int) -> dict[str, float]:
    """The same interval, computed straight from scikit-learn."""
    fns = {
        "macro_f1": lambda t, p, q: skm.f1_score(t, p, labels=[0, 1, 2], average="macro"),
        "balanced_accuracy": lambda t, p, q: skm.balanced_accuracy_score(t, p),
        "mcc": lambda t, p, q: skm.matthews_corrcoef(t, p),
        "pr_auc": lambda t, p, q: np.mean([skm.average_precision_score(t == c, q[:, c])
                                           for c in np.unique(t)]),
    }
    out = {}
    idx = stratified_indices(inp.y_true, n, seed)
    for name, fn in fns.items():
        v = [fn(inp.y_true[i], inp.y_pred[i], inp.proba[i]) for i in idx]
        out[f"{name}_lo"], out[f"{name}_hi"] = np.percentile(v, [2.5, 97.5])
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_interval_equals_a_direct_reference(seed: int) -> None:
    inp = random_input(seed)
    got, messages = bootstrap_ci(inp, 40, seed=11 + seed)
    want = reference(inp, 40, seed=11 + seed)
    assert messages == [] and got["bootstrap_n"] == 40
    for key, value in want.items():
        assert abs(got[key] - value) <= 1e-12, key
    for m in HEADLINE:
        assert got[f"{m}_lo"] <= got[f"{m}_hi"]


def test_perfect_predictions_give_a_degenerate_interval() -> None:
    y = np.repeat([0, 1, 2], 10)
    proba = np.eye(3)[y]
    got, _ = bootstrap_ci(ScoreInput(y, y, proba, 3, np.ones(3)), 30, seed=0)
    for m in HEADLINE:
        assert got[f"{m}_lo"] == got[f"{m}_hi"] == 1.0


def test_undefined_resamples_are_left_out_and_counted() -> None:
    # MCC is 0 with a warning when only one class is predicted, and never NaN; pr_auc without
    # probabilities is NaN (the model's nature, no message)
    y = np.repeat([0, 1], 10)
    got, messages = bootstrap_ci(ScoreInput(y, np.zeros(20, dtype=int), None, 2, np.ones(2)), 25, 0)
    assert np.isnan(got["pr_auc_lo"]) and np.isnan(got["pr_auc_hi"])
    assert got["mcc_lo"] == got["mcc_hi"] == 0.0 and messages == []


def test_in_the_protocol_and_the_store(tmp_path) -> None:
    cell = Cell(dataset=Component.of("seed-overlap", {"n_samples": 600}),
                sampler=Component.of("none"), model=Component.of("logistic"), profile="step",
                ratio=3, minority=("2",))
    a = run_cell(cell, options=RunOptions(bootstrap=40))
    b = run_cell(cell, options=RunOptions(bootstrap=40))
    plain = run_cell(cell)
    for m in HEADLINE:
        assert a.row[f"{m}_lo"] <= a.row[f"{m}_hi"]
        assert a.row[f"{m}_lo"] == b.row[f"{m}_lo"] and a.row[f"{m}_hi"] == b.row[f"{m}_hi"]
        assert a.row[m] == plain.row[m]  # the option changes what is recorded, not the results
        assert f"{m}_lo" not in plain.row
    store = Store(tmp_path / "s")
    store.write(a, {})
    row = store.read("cells").iloc[0]
    assert row["bootstrap_n"] == 40 and row["macro_f1_lo"] == a.row["macro_f1_lo"]
    assert set(ci_columns()) <= set(cells_columns())
    store.write(plain, {})  # the same cell without the option: NaN bounds, no bootstrap_n
    row = store.read("cells").iloc[0]
    assert np.isnan(row["macro_f1_lo"]) and pd.isna(row["bootstrap_n"])


def test_suite_key() -> None:
    base = {"name": "b", "datasets": [{"name": "wine"}], "models": [{"name": "logistic"}]}
    suite = parse_suite({**base, "bootstrap": 200, "store_predictions": True})
    assert run_options(suite) == RunOptions(store_predictions=True, bootstrap=200)
    assert run_options(parse_suite(base)) == RunOptions()
    for bad in (5, -1, 20000):
        with pytest.raises(SuiteError, match="bootstrap"):
            parse_suite({**base, "bootstrap": bad})
    with pytest.raises(SuiteError, match="bootstrap: expected integer"):
        parse_suite({**base, "bootstrap": 1.5})
