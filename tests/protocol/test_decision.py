"""Decision rules on hand-computable fixtures, their suite syntax, and their place in the protocol."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn.metrics import log_loss

from bench.core.cell import Cell, Component, RunOptions
from bench.protocol.decision import GRID, DecisionContext, decide, fit_weights, parse_rule, prior_correct
from bench.protocol import run_cell
from bench.suite import SuiteError, parse_suite, skip_reason

G = 10.0 ** 0.1  # one grid step


def ctx(proba_val=None, y_val=None, train=(0.5, 0.5), test=(0.5, 0.5)) -> DecisionContext:
    return DecisionContext(None if proba_val is None else np.asarray(proba_val, dtype=float),
                           None if y_val is None else np.asarray(y_val),
                           np.asarray(train, dtype=float), np.asarray(test, dtype=float))


# ---- argmax ------------------------------------------------------------------------------------


def test_argmax_keeps_the_probabilities() -> None:
    proba = np.array([[0.2, 0.8], [0.6, 0.4]])
    d = decide("argmax", proba, ctx())
    assert d.y_pred.tolist() == [1, 0]
    assert d.proba is not None and np.array_equal(d.proba, proba)
    assert d.params == {}


# ---- prior -------------------------------------------------------------------------------------


def test_prior_two_classes_by_hand() -> None:
    # factor = pi_test / pi_train = (0.9 / 0.5, 0.1 / 0.5) = (1.8, 0.2)
    # row [0.5, 0.5] -> [0.9, 0.1] (sum 1.0); row [0.2, 0.8] -> [0.36, 0.16] / 0.52 = [9/13, 4/13]
    proba = np.array([[0.5, 0.5], [0.2, 0.8]])
    d = decide("prior", proba, ctx(train=(0.5, 0.5), test=(0.9, 0.1)))
    assert np.allclose(d.proba, [[0.9, 0.1], [9 / 13, 4 / 13]], rtol=0, atol=1e-15)
    assert d.y_pred.tolist() == [0, 0]  # argmax said [0 (tie -> first), 1]
    assert np.allclose(d.params["factor"], [1.8, 0.2])
    assert d.params["train_prior"] == [0.5, 0.5] and d.params["test_prior"] == [0.9, 0.1]


def test_prior_three_classes_flips_the_decision() -> None:
    # pi_train (0.25, 0.25, 0.5), pi_test (0.5, 0.25, 0.25): factor (2, 1, 0.5)
    # [0.2, 0.3, 0.5] -> [0.4, 0.3, 0.25] / 0.95: argmax moves from class 2 to class 0
    proba = np.array([[0.2, 0.3, 0.5]])
    d = decide("prior", proba, ctx(train=(1, 1, 2), test=(2, 1, 1)))  # shares are normalised
    assert np.allclose(d.proba, [[0.4 / 0.95, 0.3 / 0.95, 0.25 / 0.95]], rtol=0, atol=1e-15)
    assert d.y_pred.tolist() == [0]
    assert np.allclose(d.proba.sum(axis=1), 1.0)


def test_prior_is_the_identity_when_priors_agree() -> None:
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(4), size=50)
    prior = np.array([0.1, 0.2, 0.3, 0.4])
    corrected, _ = prior_correct(proba, prior, prior)
    assert np.allclose(corrected, proba, rtol=0, atol=1e-15)


def test_prior_class_never_trained_gets_factor_zero_and_empty_rows_are_kept() -> None:
    # class 2 absent from training (pi_train 0): factor 0, never predicted;
    # a row with all its mass on class 2 has corrected mass 0 and keeps its probabilities.
    proba = np.array([[0.1, 0.3, 0.6], [0.0, 0.0, 1.0]])
    d = decide("prior", proba, ctx(train=(0.5, 0.5, 0.0), test=(0.25, 0.25, 0.5)))
    assert d.params["factor"] == [0.5, 0.5, 0.0]
    assert np.allclose(d.proba[0], [0.25, 0.75, 0.0])
    assert np.array_equal(d.proba[1], proba[1]) and d.params["rows_kept"] == 1
    assert np.isfinite(d.proba).all()


def test_prior_rejects_a_bad_prior() -> None:
    with pytest.raises(ValueError, match="train prior"):
        decide("prior", np.array([[0.5, 0.5]]), ctx(train=(0.0, 0.0)))
    with pytest.raises(ValueError, match="test prior"):
        decide("prior", np.array([[0.5, 0.5]]), ctx(test=(0.5, 0.5, 0.0)))


# ---- tuned -------------------------------------------------------------------------------------


def test_tuned_two_classes_by_hand() -> None:
    # true class 1 rows have p1 = 0.4, true class 0 rows p1 = 0.2. With w = (1, w1):
    # class-1 rows right iff 0.4 w1 > 0.6 (w1 > 1.5); class-0 rows right iff 0.2 w1 < 0.8 (w1 < 4).
    # Grid values in (1.5, 4): 10^0.2 .. 10^0.6; the one closest to 1 is 10^0.2 = 1.585.
    proba_val = np.array([[0.6, 0.4]] * 3 + [[0.8, 0.2]] * 5)
    y_val = np.array([1] * 3 + [0] * 5)
    w, info = fit_weights(proba_val, y_val, "macro_f1", np.array([0.5, 0.5]))
    assert w.tolist() == [1.0, GRID[22]] and math.isclose(GRID[22], 10 ** 0.2)
    assert info["val_score_tuned"] == 1.0
    # argmax predicts class 0 only: F1_0 = 2 * (5/8) / (5/8 + 1) = 10/13, F1_1 = 0
    assert math.isclose(info["val_score_argmax"], (10 / 13) / 2, rel_tol=0, abs_tol=1e-15)
    # the weights are applied to the test probabilities
    # to the test probabilities: 0.45 * 1.585 = 0.713 > 0.55 -> 1; 0.3 * 1.585 = 0.475 < 0.7 -> 0
    test = np.array([[0.55, 0.45], [0.7, 0.3]])
    d = decide("tuned", test, ctx(proba_val, y_val, train=(0.5, 0.5)))
    assert d.y_pred.tolist() == [1, 0] and np.argmax(test, axis=1).tolist() == [0, 0]
    assert np.array_equal(d.proba, test) and d.params["weights"] == w.tolist()


def test_tuned_three_classes_coordinate_ascent_by_hand() -> None:
    # rows (3 of each class):   class 0: [0.8, 0.1, 0.1]  class 1: [0.6, 0.3, 0.1]
    #                           class 2: [0.5, 0.1, 0.4]
    # argmax predicts 0 everywhere. Round 1, class 1 (w2 = 1): class-1 rows need w1 > 2, class-0
    # rows need w1 < 8; class-2 rows go to class 0 for w1 < 5 and to class 1 above: either way
    # macro-F1 = (2/3 + 1 + 0) / 3, a tie on (2, 8): closest to 1 is 10^0.4 = 2.512.
    # Then class 2 (w1 = 2.512): class-2 rows need 0.4 w2 > 0.5 (w2 > 1.25) -> 10^0.1 = 1.259,
    # which keeps class-0 and class-1 rows right: macro-F1 = 1. Round 2 cannot improve: stop.
    proba_val = np.array([[0.8, 0.1, 0.1]] * 3 + [[0.6, 0.3, 0.1]] * 3 + [[0.5, 0.1, 0.4]] * 3)
    y_val = np.repeat([0, 1, 2], 3)
    w, info = fit_weights(proba_val, y_val, "macro_f1", np.ones(3) / 3)
    assert np.allclose(w, [1.0, 10 ** 0.4, 10 ** 0.1], rtol=1e-15)
    assert info["rounds"] == 2 and info["val_score_tuned"] == 1.0
    assert math.isclose(info["val_score_argmax"], (2 * (1 / 3) / (1 / 3 + 1)) / 3)
    assert np.argmax(proba_val * w, axis=1).tolist() == y_val.tolist()


def test_tuned_keeps_argmax_when_nothing_improves() -> None:
    proba_val = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    w, info = fit_weights(proba_val, np.array([0, 1, 2]), "macro_f1", np.ones(3))
    assert w.tolist() == [1.0, 1.0, 1.0] and info["rounds"] == 1


def test_tuned_metric_is_a_parameter() -> None:
    # 1 row of class 1 (p1 = 0.3) among 9 of class 0 (p1 = 0.25, 0.1 x8): balanced accuracy
    # rewards catching the class-1 row even at the cost of the 0.25 row; accuracy does not.
    proba_val = np.array([[0.7, 0.3], [0.75, 0.25]] + [[0.9, 0.1]] * 8)
    y_val = np.array([1, 0] + [0] * 8)
    w_acc, info_acc = fit_weights(proba_val, y_val, "accuracy", np.ones(2))
    w_ba, info_ba = fit_weights(proba_val, y_val, "balanced_accuracy", np.ones(2))
    # balanced accuracy: w1 with 0.3 w1 > 0.7 (w1 > 2.33) and 0.25 w1 < 0.75 (w1 < 3): 10^0.4
    assert w_ba.tolist() == [1.0, GRID[24]] and info_ba["val_score_tuned"] == 1.0
    assert info_ba["metric"] == "balanced_accuracy"
    # accuracy reaches 1.0 with the same window: both find it; the record names each metric
    assert w_acc.tolist() == [1.0, GRID[24]] and info_acc["metric"] == "accuracy"
    d = decide("tuned:balanced_accuracy", proba_val, ctx(proba_val, y_val))
    assert d.params["metric"] == "balanced_accuracy" and d.y_pred.tolist() == y_val.tolist()


def test_tuned_for_a_minority_metric_tunes_the_cells_minority() -> None:
    # class 2 rows [0.5, 0.1, 0.4] are found once w2 > 1.25: 10^0.1. The fitted counts tie (as
    # after random_under), so without the cell's minority the rarest-count rule names class 0,
    # whose recall argmax already maximises: nothing would be tuned.
    proba_val = np.array([[0.8, 0.1, 0.1]] * 3 + [[0.6, 0.3, 0.1]] * 3 + [[0.5, 0.1, 0.4]] * 3)
    y_val = np.repeat([0, 1, 2], 3)
    tied = np.array([30, 30, 30])
    w, info = fit_weights(proba_val, y_val, "minority_recall", tied, minority=2)
    assert w.tolist() == [1.0, 1.0, G] and info["val_score_tuned"] == 1.0
    assert fit_weights(proba_val, y_val, "minority_recall", tied)[0].tolist() == [1.0, 1.0, 1.0]
    context = DecisionContext(proba_val, y_val, np.ones(3) / 3, np.ones(3) / 3, tied, minority=2)
    d = decide("tuned:minority_recall", proba_val, context)
    assert d.params["weights"] == [1.0, 1.0, G] and (d.y_pred[y_val == 2] == 2).all()


def test_tuned_is_deterministic_and_never_worse_on_validation() -> None:
    rng = np.random.default_rng(7)
    for _ in range(8):
        k = int(rng.integers(2, 5))
        y = rng.integers(0, k, size=60)
        proba = rng.dirichlet(np.ones(k), size=60)
        proba[np.arange(60), y] += rng.uniform(0, 0.5, size=60)  # somewhat informative
        proba /= proba.sum(axis=1, keepdims=True)
        w1, i1 = fit_weights(proba, y, "macro_f1", np.ones(k))
        w2, i2 = fit_weights(proba.copy(), y.copy(), "macro_f1", np.ones(k))
        assert np.array_equal(w1, w2) and i1 == i2
        assert w1[0] == 1.0 and set(w1[1:]) <= set(GRID)
        assert i1["val_score_tuned"] >= i1["val_score_argmax"]


def test_tuned_needs_a_validation_part_and_a_label_metric() -> None:
    with pytest.raises(ValueError, match="validation part"):
        decide("tuned", np.array([[0.5, 0.5]]), ctx())
    with pytest.raises(ValueError, match="cannot be tuned for"):
        parse_rule("tuned:log_loss")
    with pytest.raises(ValueError, match="unknown rule"):
        parse_rule("vote")
    with pytest.raises(ValueError, match="takes no parameter"):
        parse_rule("prior:macro_f1")
    assert parse_rule("tuned") == ("tuned", {"metric": "macro_f1"})


# ---- suite syntax and cells --------------------------------------------------------------------

BASE = {"name": "d", "datasets": [{"name": "wine"}], "models": [{"name": "logistic"}]}


def test_suite_decisions_names_and_tables() -> None:
    suite = parse_suite({**BASE, "decisions": [
        "argmax", "tuned", "prior", {"name": "tuned", "metric": "balanced_accuracy"}]})
    assert suite.decisions == ("argmax", "tuned", "prior", "tuned:balanced_accuracy")
    # the default metric is spelled "tuned" whatever the form (one cell id per experiment)
    assert parse_suite({**BASE, "decisions": [{"name": "tuned", "metric": "macro_f1"}]}
                       ).decisions == ("tuned",)


@pytest.mark.parametrize("decisions,expected", [
    ([{"name": "tuned", "metric": "log_loss"}], "cannot be tuned for"),
    ([{"name": "tuned", "metric": "nope"}], "cannot be tuned for"),
    ([{"name": "prior", "metric": "mcc"}], "a table must be"),
    ([{"name": "tuned", "metric": "mcc", "extra": 1}], "a table must be"),
    (["tuned", {"name": "tuned", "metric": "macro_f1"}], "duplicate"),
    (["vote"], "'vote' is not allowed"),
])
def test_suite_decisions_errors(decisions: list, expected: str) -> None:
    with pytest.raises(SuiteError, match=expected):
        parse_suite({**BASE, "decisions": decisions})


def test_cell_accepts_a_tuned_metric_and_the_skip_rule_sees_it() -> None:
    base = dict(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("logistic"))
    cell = Cell(**base, decision="tuned:mcc", validation=0.0)
    assert skip_reason(cell) is not None and "validation" in skip_reason(cell)
    assert Cell(**base, decision="tuned:mcc").cell_id != Cell(**base, decision="tuned").cell_id
    for bad in ("prior:mcc", "argmax:", "tuned:", "vote"):
        with pytest.raises(ValueError, match="decision"):
            Cell(**base, decision=bad)


# ---- in the protocol ---------------------------------------------------------------------------

SHIFT = (("0", 0.4583), ("1", 0.0833), ("2", 0.4583))


def shift_cell(decision: str, **kw) -> Cell:
    return Cell(dataset=Component.of("seed-overlap", {"n_samples": 900}),
                sampler=Component.of("none"), model=Component.of("logistic"), profile="step",
                ratio=1, minority=("1",), test_prior=kw.pop("test_prior", SHIFT),
                decision=decision, **kw)


def test_prior_in_the_protocol_scores_the_corrected_probabilities() -> None:
    opts = RunOptions(store_predictions=True)
    plain = run_cell(shift_cell("argmax"), options=opts)
    prior = run_cell(shift_cell("prior"), options=opts)
    assert plain.row["status"] == prior.row["status"] == "ok"
    cols = ["p_0", "p_1", "p_2"]
    # same fit and test rows (the decision is not part of the model or split seed)
    assert plain.predictions["row"].tolist() == prior.predictions["row"].tolist()
    params = json.loads(prior.row["decision_params"])
    # the model was trained balanced (ratio 1, no sampler) and is scored at the 1:11 prior
    assert np.allclose(params["test_prior"], np.array([0.4583, 0.0833, 0.4583]) / 0.9999)
    assert max(params["train_prior"]) - min(params["train_prior"]) < 0.01
    expected, _ = prior_correct(plain.predictions[cols].to_numpy(), np.array(params["train_prior"]),
                                np.array(params["test_prior"]))
    assert np.allclose(prior.predictions[cols].to_numpy(), expected, rtol=0, atol=1e-12)
    assert prior.predictions["y_pred"].tolist() == np.argmax(expected, axis=1).tolist()
    y = prior.predictions["y_true"].to_numpy()
    assert math.isclose(prior.row["log_loss"], log_loss(y, expected, labels=[0, 1, 2]),
                        rel_tol=0, abs_tol=1e-12)
    assert math.isclose(plain.row["log_loss"],
                        log_loss(y, plain.predictions[cols].to_numpy(), labels=[0, 1, 2]),
                        rel_tol=0, abs_tol=1e-12)


def test_tuned_in_the_protocol_keeps_the_model_probabilities() -> None:
    opts = RunOptions(store_predictions=True)
    plain = run_cell(shift_cell("argmax"), options=opts)
    tuned = run_cell(shift_cell("tuned"), options=opts)
    cols = ["p_0", "p_1", "p_2"]
    assert np.array_equal(plain.predictions[cols].to_numpy(), tuned.predictions[cols].to_numpy())
    assert plain.row["log_loss"] == tuned.row["log_loss"]
    w = json.loads(tuned.row["decision_params"])["weights"]
    assert tuned.predictions["y_pred"].tolist() == np.argmax(
        tuned.predictions[cols].to_numpy() * np.array(w), axis=1).tolist()


def test_undefined_metrics_are_recorded_in_the_row_never_a_crash() -> None:
    # The dummy model predicts one class (precision of the others undefined), and class 2 is
    # absent from the test part (ROC AUC one-vs-rest undefined): the row is ok, values are
    # sklearn's, the warnings are in the row.
    cell = Cell(dataset=Component.of("seed-overlap", {"n_samples": 900}),
                sampler=Component.of("none"), model=Component.of("dummy"), profile="step",
                ratio=1, minority=("2",), test_prior=(("0", 0.5), ("1", 0.5), ("2", 0.0)),
                decision="prior")
    result = run_cell(cell)
    row = result.row
    assert row["status"] == "ok"
    assert json.loads(row["test_counts"])[2] == 0
    assert "macro_precision: Precision is ill-defined" in row["warnings"]
    assert "roc_auc_ovr:" in row["warnings"] and math.isnan(row["roc_auc_ovr"])
    assert 0.0 <= row["macro_f1"] <= 1.0


def test_prior_under_class_weights_uses_the_weighted_training_distribution() -> None:
    # class weights n / (k n_c) give every class the same total weight: pi_train is uniform,
    # although the resampled_counts column (what the model saw, row by row) is imbalanced
    cell = Cell(dataset=Component.of("seed-overlap", {"n_samples": 900}),
                sampler=Component.of("class_weight"), model=Component.of("logistic"),
                profile="step", ratio=4, minority=("2",), test_prior="natural", decision="prior")
    row = run_cell(cell).row
    params = json.loads(row["decision_params"])
    assert np.allclose(params["train_prior"], [1 / 3] * 3)
    counts = json.loads(row["resampled_counts"])
    assert counts[2] * 3 < counts[0]
    assert np.allclose(params["test_prior"], [1 / 3] * 3, atol=1e-3)  # natural: balanced
