"""Degenerate-fit checks: hand-computable fixtures for predicted classes, test counts, leaf sizes."""

from __future__ import annotations

import numpy as np

from bench.protocol.diagnostics import check_predictions, leaf_size_warnings

LABELS = ["cat", "dog", "eel"]


def test_a_constant_prediction_is_degenerate_and_names_the_missed_classes() -> None:
    check = check_predictions(np.array([0, 0, 0, 1, 1, 2]), np.zeros(6, dtype=int), LABELS)
    assert (check.predicted_classes, check.min_test_count, check.degenerate) == (1, 1, True)
    assert check.warnings == ["degenerate fit: predicted the single class 'cat' for all 6 test "
                              "rows; never predicted 'dog' (2 test rows), 'eel' (1 test row)"]


def test_a_missed_present_class_is_degenerate_an_absent_one_is_not() -> None:
    y_true = np.array([0, 0, 1, 1, 2])
    missed = check_predictions(y_true, np.array([0, 1, 1, 1, 0]), LABELS)
    assert missed.predicted_classes == 2 and missed.degenerate
    assert missed.warnings == ["degenerate fit: never predicted 'eel' (1 test row), present in "
                               "the test part"]
    # class 2 absent from the test part: predicting classes 0 and 1 only is fine, min count 0
    fine = check_predictions(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 0]), LABELS)
    assert (fine.predicted_classes, fine.min_test_count, fine.degenerate) == (2, 0, False)
    assert fine.warnings == []
    # predicting a class that is absent does not hide a present class that is never predicted
    hidden = check_predictions(np.array([0, 0, 1]), np.array([0, 2, 0]), LABELS)
    assert hidden.predicted_classes == 2 and hidden.degenerate and "'dog'" in hidden.warnings[0]


def test_leaf_sizes_compared_with_the_fitted_class_counts() -> None:
    counts = np.array([40, 12, 0])  # class 'eel' not fitted at all: nothing to say about it
    assert leaf_size_warnings({"min_child_samples": 20}, counts, LABELS) == [
        "leaf size: min_child_samples=20 exceeds the rows the model is fitted on of class "
        "'dog' (12): no leaf can hold that class alone; lower min_child_samples or give the cell "
        "more rows"]
    assert leaf_size_warnings({"min_child_samples": 12}, counts, LABELS) == []  # equal is fine
    # a fractional scikit-learn min_samples_leaf is a share of all rows: ceil(0.3 * 52) = 16
    assert "min_samples_leaf=0.3" in leaf_size_warnings({"min_samples_leaf": 0.3}, counts, LABELS)[0]
    assert leaf_size_warnings({"min_samples_leaf": 0.2}, counts, LABELS) == []  # 11 rows
    # every known parameter is checked; other and non-numeric values are ignored
    both = leaf_size_warnings({"min_child_weight": 50.0, "min_data_in_leaf": 13, "depth": 99,
                               "min_samples_leaf": True}, counts, LABELS)
    assert [w.split("=")[0] for w in both] == ["leaf size: min_data_in_leaf",
                                               "leaf size: min_child_weight"]
    assert "'cat' (40), 'dog' (12)" in both[1]
