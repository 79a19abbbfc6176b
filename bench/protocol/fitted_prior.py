"""The class distribution a model was fitted on, as the `prior` decision rule must see it.

Why: `prior` rescales probabilities by ``pi_test / pi_train``; `pi_train` has to be the
distribution the model's probabilities were learnt under, which is not always the counts handed
to `fit`:
- class weights give every present class the same total weight: uniform over present classes;
- imbalanced-learn's ensembles (balanced random forest, balanced bagging, EasyEnsemble,
  RUSBoost) resample each estimator's data themselves with their `sampling_strategy`: the
  distribution is what that resampling makes of the counts (uniform for the defaults). Taking
  the counts handed to `fit` made `prior` equal `argmax` for them under sampler `none`
  (seed (c): class-1 recall 0.94 at precision 0.16 where every other model stopped predicting it).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def fitted_prior(trained_counts: np.ndarray, *, class_weight: bool = False,
                 internal_sampling: str = "", sampling_strategy: Any = None) -> np.ndarray:
    """Class shares the model was fitted under (sums to 1), from the counts handed to `fit`.

    `class_weight`: the sampler weights classes to equal totals. `internal_sampling`: the
    model's imbalanced-learn sampling type ("" = none) applied with `sampling_strategy`
    (imbalanced-learn's own `check_sampling_strategy` computes the target counts, so every
    strategy it accepts means here what it means inside the model).
    """
    counts = np.asarray(trained_counts, dtype=np.int64)
    if counts.ndim != 1 or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError(f"trained counts must be non-negative with a positive sum, got {counts}")
    if class_weight:
        shares = (counts > 0).astype(np.float64)
    elif internal_sampling:
        shares = internal_counts(counts, internal_sampling, sampling_strategy).astype(np.float64)
    else:
        shares = counts.astype(np.float64)
    return shares / shares.sum()


def internal_counts(counts: np.ndarray, sampling_type: str, sampling_strategy: Any) -> np.ndarray:
    """The class counts imbalanced-learn's resampling of `sampling_type` makes of `counts`."""
    from imblearn.utils import check_sampling_strategy

    present = np.flatnonzero(counts)
    if len(present) < 2:  # nothing to rebalance (imbalanced-learn refuses a single class)
        return counts.copy()
    y = np.repeat(present, counts[present])
    targets = check_sampling_strategy(sampling_strategy, y, sampling_type)
    out = counts.copy()
    for cls, n in targets.items():
        # under-sampling: the number kept; over-sampling: the number added
        out[int(cls)] = n if sampling_type == "under-sampling" else counts[int(cls)] + n
    return out
