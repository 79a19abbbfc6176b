"""Test plugin (loaded through BENCH_PLUGINS): a model that fails the way native code does.

`hazard` modes:
- `nullptr`: reads address 0 through ctypes (a real segfault, not a signal sent by hand);
- `sigkill`: SIGKILLs its own process (what an outside killer does, not the memory cap);
- `alloc`: allocates `mb` MB of touched memory in 16 MB steps, then holds it `seconds`;
- `spawn_hang`: starts a child process (as fitting libraries do), writes the worker's and the
  child's pids to `pid_file`, then sleeps `seconds` (a hung cell with a helper process);
- `ok` after sleeping `seconds`.
They are real estimators in real worker processes: the engine must turn each into a row.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from typing import Any

import numpy as np
from prior_model import PriorClassifier

from bench.models.registry import MODELS, ModelContext, model


class Hazard(PriorClassifier):
    def __init__(self, mode: str = "ok", seconds: float = 0.0, mb: int = 0,
                 pid_file: str = "") -> None:
        self.mode = mode
        self.seconds = seconds
        self.mb = mb
        self.pid_file = pid_file

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "Hazard":
        if self.mode == "nullptr":
            ctypes.string_at(0)
        if self.mode == "sigkill":
            os.kill(os.getpid(), signal.SIGKILL)
        if self.mode == "alloc":
            blocks = [np.ones(2**21) for _ in range(max(1, self.mb // 16))]  # 16 MB each
            time.sleep(self.seconds)
            del blocks
        if self.mode == "spawn_hang":
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
            tmp = f"{self.pid_file}.tmp"
            with open(tmp, "w") as f:
                f.write(f"{os.getpid()} {child.pid}\n")
            os.replace(tmp, self.pid_file)
        if self.mode in ("spawn_hang", "ok"):
            time.sleep(self.seconds)
        return self.learn_prior(y)


if "hazard" not in MODELS:
    @model("hazard", "baseline", {"mode": "ok", "seconds": 0.0, "mb": 0, "pid_file": ""},
           description="test plugin: segfaults, kills itself, allocates or hangs with a child")
    def hazard(params: dict[str, Any], ctx: ModelContext) -> Hazard:
        return Hazard(params["mode"], params["seconds"], params["mb"], params["pid_file"])
