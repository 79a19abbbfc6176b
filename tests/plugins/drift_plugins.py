"""Test plugin (loaded through BENCH_PLUGINS): a model whose *code* changes with an env variable.

`drifting` is a standardised logistic regression; BENCH_TEST_DRIFT=weak weakens its default
(C = 1e-4, so it predicts little but the prior) and BENCH_TEST_DRIFT=fail makes fit raise. The
suite file and the cell ids stay the same, exactly as after a change to a model's defaults.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from bench.models.registry import MODELS, ModelContext, model


class Drifting(ClassifierMixin, BaseEstimator):
    def __init__(self, C: float = 1.0, seed: int = 0) -> None:
        self.C = C
        self.seed = seed

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "Drifting":
        if os.environ.get("BENCH_TEST_DRIFT") == "fail":
            raise RuntimeError("drifting: fit failed on purpose")
        self.scaler_ = StandardScaler().fit(X)
        self.model_ = LogisticRegression(C=self.C, max_iter=1000, random_state=self.seed)
        self.model_.fit(self.scaler_.transform(X), y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.model_.predict_proba(self.scaler_.transform(X))

    def predict(self, X: Any) -> np.ndarray:
        return self.model_.predict(self.scaler_.transform(X))


if "drifting" not in MODELS:
    @model("drifting", "baseline", {},
           description="test plugin: logistic regression weakened or failing on demand")
    def drifting(params: dict[str, Any], ctx: ModelContext) -> Drifting:
        return Drifting(C=1e-4 if os.environ.get("BENCH_TEST_DRIFT") == "weak" else 1.0,
                        seed=ctx.seed)
