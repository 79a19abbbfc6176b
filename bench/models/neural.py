"""Registry entry of the DNN baseline (the estimator itself lives in `bench.models.estimators.dnn`).

Defaults are the classic Keras baseline: Dense 1024-1024-512 (ReLU) + softmax, Adam at 1e-3,
batch 1024, at most 50 epochs, early stopping after 5 epochs without validation-loss improvement
(best weights restored), learning rate halved after 2 such epochs. Features are standardized
with training statistics; categorical codes are used as numbers (no embedding).
"""

from __future__ import annotations

from typing import Any

from bench.models.registry import ModelContext, model


@model("dnn", "dnn",
       {"hidden": [1024, 1024, 512], "dropout": 0.0, "learning_rate": 1e-3, "batch_size": 1024,
        "max_epochs": 50, "patience": 5, "lr_patience": 2, "lr_factor": 0.5,
        "weight_decay": 0.0, "loss": "cross_entropy", "focal_gamma": 2.0},
       eval_set=True, library="PyTorch", gpu="device='cuda'",
       description="PyTorch MLP (Keras-style Dense 1024-1024-512 + softmax), early stopping")
def dnn(params: dict[str, Any], ctx: ModelContext) -> Any:
    from bench.models.estimators.dnn import DNNClassifier

    p = dict(params)
    p["hidden"] = tuple(p["hidden"])
    return DNNClassifier(**p, device=ctx.device, random_state=ctx.seed, n_threads=ctx.n_threads)
