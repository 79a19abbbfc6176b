"""Registry entry of the DNN baseline (the estimator itself lives in `bench.models.estimators.dnn`).

Defaults are the classic Keras baseline: Dense 1024-1024-512 (ReLU) + softmax, Adam at 1e-3,
batch 1024, at most 50 epochs, early stopping after 5 epochs without validation-loss improvement
(best weights restored), learning rate halved after 2 such epochs. Features are standardized
with training statistics; categorical codes are used as numbers (no embedding).

Search spaces (the `tuning` axis, docs/models.md#search-spaces) leave the architecture (`hidden`)
at each entry's default: a dimension holds scalars only, and the Keras-style 1024-1024-512 is
the baseline's point. Epoch caps and patience stay the equal-terms defaults. Where TALENT
searches weight decay as "0 or log-uniform", the space keeps the log-uniform part.
"""

from __future__ import annotations

from typing import Any

from bench.core.space import Choice, Float, Int, SearchSpace
from bench.models.registry import ModelContext, model

_TALENT = "TALENT (Ye et al., 2024), LAMDA-Tabular/TALENT TALENT/configs/opt_space/{}.json"
_TABARENA = "TabArena (Erickson et al., 2025), autogluon/tabrepo tabarena/models/{}/generate.py"

DNN_SPACE = SearchSpace({
    "learning_rate": Float(1e-5, 1e-2, log=True),
    "dropout": Float(0.0, 0.5),
    "weight_decay": Float(1e-6, 1e-3, log=True),
    "batch_size": Choice((256, 512, 1024)),
}, _TALENT.format("mlp") + " (lr, dropout, weight_decay; d_layers not searched: the width "
   "stays 1024-1024-512); batch_size: ours, powers of two up to the Keras default 1024")

REALMLP_SPACE = SearchSpace({
    "learning_rate": Float(2e-2, 0.3, log=True),
    "weight_decay": Float(1e-3, 5e-2, log=True),
    "dropout": Float(0.0, 0.5),
    "label_smoothing": Float(5e-3, 0.1, log=True),
    "plr_sigma": Float(1e-2, 50.0, log=True),
    "plr_hidden_1": Choice((8, 16, 32, 64)),
    "plr_hidden_2": Choice((4, 8, 16, 32, 64)),
    "activation": Choice(("selu", "mish", "relu")),
}, _TABARENA.format("realmlp") + " (Holzmüller et al., 2024: lr, wd, p_drop, ls_eps, "
   "plr_sigma, plr_hidden_1/2 with the default 4 kept for the second); activation from "
   + _TALENT.format("realmlp") + "; without width/depth, n_ens, the lr factors and sq_mom "
   "(not parameters of our single-network RealMLP)")

TABM_SPACE = SearchSpace({
    "learning_rate": Float(1e-4, 3e-3, log=True),
    "weight_decay": Float(1e-4, 0.1, log=True),
    "n_blocks": Int(2, 5),
    "d_block": Int(128, 1024),
    "dropout": Float(0.0, 0.5),
    "num_embeddings": Choice(("none", "piecewise")),
    "d_embedding": Int(8, 32),
    "n_bins": Int(2, 128),
}, _TABARENA.format("tabm") + " (Gorishniy et al., 2024; taken there from the TabM "
   "repository's tabm-mini-piecewiselinear tuning config); d_block integer instead of multiples "
   "of 16; num_embeddings a choice (TabArena fixes piecewise, our default is none); arch_type "
   "stays tabm")

MLP_PLR_SPACE = SearchSpace({
    "learning_rate": Float(1e-5, 1e-2, log=True),
    "weight_decay": Float(1e-6, 1e-3, log=True),
    "dropout": Float(0.0, 0.5),
    "n_frequencies": Int(16, 96),
    "frequency_init_scale": Float(1e-2, 100.0, log=True),
    "d_embedding": Int(16, 64),
}, _TALENT.format("mlp_plr") + " (Gorishniy et al., 2022: n_frequencies, frequency_scale, "
   "d_embedding, dropout, lr, weight_decay; d_layers not searched)")


@model("dnn", "dnn",
       {"hidden": [1024, 1024, 512], "dropout": 0.0, "learning_rate": 1e-3, "batch_size": 1024,
        "max_epochs": 50, "patience": 5, "lr_patience": 2, "lr_factor": 0.5,
        "weight_decay": 0.0, "loss": "cross_entropy", "focal_gamma": 2.0},
       eval_set=True, library="PyTorch", gpu="device='cuda'",
       description="PyTorch MLP (Keras-style Dense 1024-1024-512 + softmax), early stopping",
       space=DNN_SPACE)
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


def _network(name: str, params: dict[str, Any], *, library: str, description: str,
             space: SearchSpace):
    """The registration every modern network shares: family ``dnn`` (compared with the
    baseline), validation rows for early stopping, cuda, and the suite-time choice check."""
    return model(name, "dnn", params, eval_set=True, library=library, gpu="device='cuda'",
                 check=_choice_check(name), description=description, space=space)


@_network("realmlp",
          {"hidden": [256, 256, 256], "activation": "selu", "parametric_activation": True,
           "embedding": "pbld", "plr_sigma": 0.1, "plr_hidden_1": 16, "plr_hidden_2": 4,
           "dropout": 0.15, "dropout_schedule": "flat_cos", "label_smoothing": 0.1,
           "lr_schedule": "coslog4", "wd_schedule": "flat_cos", "learning_rate": 0.04,
           "weight_decay": 0.02, "batch_size": 256, "max_epochs": 256, "patience": None},
          library="PyTorch (RealMLP-TD recipe)",
          description="RealMLP-TD (Holzmüller et al. 2024): robust scaling + smooth clipping, "
                      "PBLD embeddings, NTK layers, label smoothing, coslog4 schedule",
          space=REALMLP_SPACE)
def realmlp(params: dict[str, Any], ctx: ModelContext) -> Any:
    from bench.models.estimators.realmlp import RealMLPClassifier

    return RealMLPClassifier(**_net_kwargs(params, ctx))


@_network("tabm",
          {"k": 32, "arch_type": "tabm", "n_blocks": None, "d_block": 512, "dropout": 0.1,
           "num_embeddings": "none", "d_embedding": 16, "n_bins": 48, "preprocessing": "quantile",
           "learning_rate": 2e-3, "weight_decay": 3e-4, "batch_size": 256, "max_epochs": 200,
           "patience": 16},
          library="tabm (PyTorch)",
          description="TabM (Gorishniy et al. 2024): k=32 weight-sharing MLPs trained at once",
          space=TABM_SPACE)
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
                      "(Gorishniy et al. 2022)", space=MLP_PLR_SPACE)
def mlp_plr(params: dict[str, Any], ctx: ModelContext) -> Any:
    from bench.models.estimators.embed_mlp import EmbeddingMLPClassifier

    return EmbeddingMLPClassifier(**_net_kwargs(params, ctx))
