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


# ---------------------------------------------------------------- the modern tabular networks
# Beside the baseline, the networks the published tabular benchmarks (TabArena, TALENT) rank
# with or above the boosted trees; defaults are each paper's defaults (docs/models.md). The
# allowed values below are those of the estimators (tests/models/test_modern_networks.py checks
# they agree); they are repeated here so a suite is checked without importing the estimators.
_CHOICES = {
    "realmlp": {"activation": ("selu", "mish", "relu", "silu", "gelu", "elu"),
                "embedding": ("pbld", "none"),
                "lr_schedule": ("coslog4", "flat_cos", "constant"),
                "wd_schedule": ("coslog4", "flat_cos", "constant"),
                "dropout_schedule": ("coslog4", "flat_cos", "constant")},
    "tabm": {"arch_type": ("tabm", "tabm-mini", "tabm-packed"),
             "num_embeddings": ("none", "piecewise", "periodic"),
             "preprocessing": ("quantile", "standard")},
    "mlp_plr": {"embedding": ("periodic", "piecewise"),
                "preprocessing": ("quantile", "standard")},
}


def _choice_check(model_name: str):
    """Suite-time check of a network's string parameters (a typo fails before anything runs)."""
    choices = _CHOICES[model_name]

    def check(params: dict[str, Any]) -> list[str]:
        return [f"{key}: {params[key]!r} is not allowed; allowed: {', '.join(allowed)}"
                for key, allowed in choices.items() if params.get(key) not in allowed]
    return check


def _net_kwargs(params: dict[str, Any], ctx: ModelContext) -> dict[str, Any]:
    p = dict(params)
    if "hidden" in p:
        p["hidden"] = tuple(p["hidden"])
    return {**p, "device": ctx.device, "random_state": ctx.seed, "n_threads": ctx.n_threads}


def _network(name: str, params: dict[str, Any], *, library: str, description: str):
    """The registration every modern network shares: family ``dnn`` (compared with the
    baseline), validation rows for early stopping, cuda, and the suite-time choice check."""
    return model(name, "dnn", params, eval_set=True, library=library, gpu="device='cuda'",
                 check=_choice_check(name), description=description)


@_network("realmlp",
          {"hidden": [256, 256, 256], "activation": "selu", "parametric_activation": True,
           "embedding": "pbld", "plr_sigma": 0.1, "plr_hidden_1": 16, "plr_hidden_2": 4,
           "dropout": 0.15, "dropout_schedule": "flat_cos", "label_smoothing": 0.1,
           "lr_schedule": "coslog4", "wd_schedule": "flat_cos", "learning_rate": 0.04,
           "weight_decay": 0.02, "batch_size": 256, "max_epochs": 256, "patience": None},
          library="PyTorch (RealMLP-TD recipe)",
          description="RealMLP-TD (Holzmüller et al. 2024): robust scaling + smooth clipping, "
                      "PBLD embeddings, NTK layers, label smoothing, coslog4 schedule")
def realmlp(params: dict[str, Any], ctx: ModelContext) -> Any:
    from bench.models.estimators.realmlp import RealMLPClassifier

    return RealMLPClassifier(**_net_kwargs(params, ctx))


@_network("tabm",
          {"k": 32, "arch_type": "tabm", "n_blocks": None, "d_block": 512, "dropout": 0.1,
           "num_embeddings": "none", "d_embedding": 16, "n_bins": 48, "preprocessing": "quantile",
           "learning_rate": 2e-3, "weight_decay": 3e-4, "batch_size": 256, "max_epochs": 200,
           "patience": 16},
          library="tabm (PyTorch)",
          description="TabM (Gorishniy et al. 2024): k=32 weight-sharing MLPs trained at once")
def tabm(params: dict[str, Any], ctx: ModelContext) -> Any:
    from bench.models.estimators.tabm import TabMClassifier

    return TabMClassifier(**_net_kwargs(params, ctx))


@_network("mlp_plr",
          {"embedding": "periodic", "d_embedding": 24, "n_frequencies": 48,
           "frequency_init_scale": 0.01, "lite": False, "n_bins": 48, "hidden": [256, 256, 256],
           "dropout": 0.1, "preprocessing": "quantile", "learning_rate": 1e-3,
           "weight_decay": 1e-5, "batch_size": 256, "max_epochs": 200, "patience": 16},
          library="rtdl-num-embeddings (PyTorch)",
          description="MLP on periodic (PLR) or piecewise-linear numerical embeddings "
                      "(Gorishniy et al. 2022)")
def mlp_plr(params: dict[str, Any], ctx: ModelContext) -> Any:
    from bench.models.estimators.embed_mlp import EmbeddingMLPClassifier

    return EmbeddingMLPClassifier(**_net_kwargs(params, ctx))
