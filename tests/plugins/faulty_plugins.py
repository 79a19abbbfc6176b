"""Test plugins (loaded through BENCH_PLUGINS): models that raise, crash, hang or sleep.

They are real estimators run in real worker processes: the executor must turn each failure into
a row and go on.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from bench.models.registry import MODELS, ModelContext, model


class Faulty(ClassifierMixin, BaseEstimator):
    def __init__(self, mode: str = "ok", seconds: float = 0.0) -> None:
        self.mode = mode
        self.seconds = seconds

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "Faulty":
        if self.mode == "raise":
            raise ValueError("boom: this model always fails")
        if self.mode == "segfault":
            os.kill(os.getpid(), signal.SIGSEGV)
        if self.mode == "exit":
            os._exit(3)
        if self.mode in ("hang", "sleep"):
            time.sleep(self.seconds)
        self.classes_ = np.unique(y)
        self.prior_ = np.bincount(np.searchsorted(self.classes_, y)) / len(y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.tile(self.prior_, (len(X), 1))

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


if "faulty" not in MODELS:
    @model("faulty", "baseline", {"mode": "ok", "seconds": 0.0},
           description="test plugin: raises, crashes, hangs or sleeps on demand")
    def faulty(params: dict[str, Any], ctx: ModelContext) -> Faulty:
        return Faulty(params["mode"], params["seconds"])
