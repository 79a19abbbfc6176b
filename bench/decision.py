"""Decision rules: how class probabilities become a predicted class.

Why: the cheapest fix for a minority class is often not resampling but a different decision on
the same probabilities. A rule is fitted on the validation part only (never the test part).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DecisionContext:
    """What a rule may use: validation probabilities/labels and the priors (never test labels)."""

    proba_val: np.ndarray | None
    y_val: np.ndarray | None
    train_prior: np.ndarray  # class distribution the model was fitted on (after resampling)
    test_prior: np.ndarray  # class distribution of the deployment (test) part, as requested


def decide(rule: str, proba: np.ndarray, ctx: DecisionContext) -> tuple[np.ndarray, dict]:
    """Predicted codes for `proba` under `rule`, plus what was fitted (for the results row)."""
    if rule == "argmax":
        return np.argmax(proba, axis=1), {}
    raise NotImplementedError(f"decision rule {rule!r} is not implemented yet")
