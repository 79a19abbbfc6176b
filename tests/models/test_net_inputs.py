"""The fit-input and parameter helpers shared by the DNN baseline and the tabular networks."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone

from bench.models.estimators.fitting import fit_weights, standard_stats, standardize
from bench.models.estimators.param_checks import (
    check_choices,
    check_hidden,
    check_optional_ints,
    store_params,
)


def test_fit_weights_multiplies_sample_and_balanced_class_weights():
    classes = np.array(["a", "b"])
    y = np.array(["a", "a", "a", "b"])
    y_enc = np.array([0, 0, 0, 1])
    weights, sw, class_w = fit_weights([1.0, 2.0, 1.0, 3.0], "balanced", classes, y, y_enc)
    # balanced: n / (k * n_c) = 4 / (2 * 3) and 4 / (2 * 1)
    np.testing.assert_allclose(class_w, [2 / 3, 2.0])
    np.testing.assert_allclose(weights, [2 / 3, 4 / 3, 2 / 3, 6.0])
    np.testing.assert_array_equal(sw, [1.0, 2.0, 1.0, 3.0])
    assert weights.dtype == np.float64


def test_fit_weights_without_weights_is_ones_and_no_sample_weights():
    weights, sw, class_w = fit_weights(None, None, np.array([0, 1]), np.array([0, 1, 1]),
                                       np.array([0, 1, 1]))
    np.testing.assert_array_equal(weights, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(class_w, [1.0, 1.0])
    assert sw is None


@pytest.mark.parametrize(("sample_weight", "message"), [
    ([1.0, -1.0], "non-negative"),
    ([1.0], r"sample_weight.shape must be \(2,\)"),
    ([0.0, 0.0], "all zero"),
])
def test_fit_weights_refuses_bad_sample_weights(sample_weight, message):
    with pytest.raises(ValueError, match=message):
        fit_weights(sample_weight, None, np.array([0, 1]), np.array([0, 1]), np.array([0, 1]))


def test_standardize_uses_training_stats_and_scale_one_for_constant_columns():
    X = np.array([[1.0, 5.0], [3.0, 5.0]], dtype=np.float32)
    mean, scale = standard_stats(X)
    np.testing.assert_array_equal(mean, [2.0, 5.0])
    np.testing.assert_array_equal(scale, [1.0, 1.0])  # std 1; the constant column keeps 1
    out = standardize(X, mean, scale)
    np.testing.assert_array_equal(out, [[-1.0, 0.0], [1.0, 0.0]])
    assert out.dtype == np.float32 and out.flags.c_contiguous and out is not X


class _Net(BaseEstimator):
    def __init__(self, n_blocks=None, arch="a", hidden=(4,)):
        store_params(self, locals())


def test_store_params_keeps_the_sklearn_contract():
    net = _Net(n_blocks=2, hidden=(3, 2))
    assert net.get_params() == {"n_blocks": 2, "arch": "a", "hidden": (3, 2)}
    assert clone(net).get_params() == net.get_params()


def test_parameter_checks_name_the_parameter_rule_and_value():
    with pytest.raises(ValueError, match=r"n_blocks must be None or a positive int; got 0\."):
        check_optional_ints(_Net(n_blocks=0), ("n_blocks",), minimum=1)
    with pytest.raises(ValueError, match=r"n_blocks must be None or an int >= 0; got -1\."):
        check_optional_ints(_Net(n_blocks=-1), ("n_blocks",))
    check_optional_ints(_Net(n_blocks=None), ("n_blocks",), minimum=1)
    with pytest.raises(ValueError, match=r"arch must be one of \('a', 'b'\); got '<script>'\."):
        check_choices(_Net(arch="<script>"), [("arch", ("a", "b"))])
    with pytest.raises(ValueError, match="hidden must be a non-empty sequence"):
        check_hidden((), non_empty=True)
    check_hidden(())
    with pytest.raises(ValueError, match="hidden must be a sequence of positive ints"):
        check_hidden((4, 0))
