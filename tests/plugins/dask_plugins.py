"""Test plugin (loaded through BENCH_PLUGINS) for the Dask executor: a model that leaves a mark
of every attempt, then sleeps, or kills the Dask worker running it.

Each fit writes a file `<marker>/<worker pid>-<ns>-<cell process pid>` first (holding the
cell process's thread limits): the test learns which worker runs the cell (to kill it
mid-cell), counts the attempts and checks the threads. The cell runs in a sandbox process whose
parent is the Dask worker, so `mode = "kill_worker"` kills that worker, not just the cell.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from prior_model import PriorClassifier

from bench.models.registry import MODELS, ModelContext, model


class Marking(PriorClassifier):
    def __init__(self, mode: str = "sleep", seconds: float = 0.0, marker: str = "") -> None:
        self.mode = mode
        self.seconds = seconds
        self.marker = marker

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "Marking":
        if self.marker:  # also what the cell process was given: its thread limits
            from threadpoolctl import threadpool_info

            pools = {p["user_api"]: p["num_threads"] for p in threadpool_info()}
            Path(self.marker, f"{os.getppid()}-{time.time_ns()}-{os.getpid()}").write_text(
                json.dumps({"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"), **pools}))
        time.sleep(self.seconds)  # kill_worker: after running that long, as a real death would
        if self.mode == "kill_worker":
            os.kill(os.getppid(), signal.SIGKILL)
        return self.learn_prior(y)


if "marking" not in MODELS:
    @model("marking", "baseline", {"mode": "sleep", "seconds": 0.0, "marker": ""},
           description="test plugin: marks each attempt, then sleeps or kills its Dask worker")
    def marking(params: dict[str, Any], ctx: ModelContext) -> Marking:
        return Marking(params["mode"], params["seconds"], params["marker"])
