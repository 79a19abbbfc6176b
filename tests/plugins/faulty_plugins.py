"""Test plugins (loaded through BENCH_PLUGINS): models that raise, crash, hang or sleep.

They are real estimators run in real worker processes: the executor must turn each failure into
a row and go on.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from prior_model import PriorClassifier

from bench.models.registry import MODELS, ModelContext, model


class Faulty(PriorClassifier):
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
        return self.learn_prior(y)


if "faulty" not in MODELS:
    @model("faulty", "baseline", {"mode": "ok", "seconds": 0.0},
           description="test plugin: raises, crashes, hangs or sleeps on demand")
    def faulty(params: dict[str, Any], ctx: ModelContext) -> Faulty:
        return Faulty(params["mode"], params["seconds"])
