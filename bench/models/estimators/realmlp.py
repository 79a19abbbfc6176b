"""RealMLP-TD (Holzmüller, Grinsztajn, Steinwart 2024, "Better by Default: Strong Pre-Tuned MLPs
and Boosted Trees on Tabular Data"), re-implemented in plain PyTorch on the shared loop.

Why not ``pytabkit``: its scikit-learn interface takes no sample or class weights (the
class_weight strategy needs them), records no learning curves the harness can read, and pulls
PyTorch Lightning with its HTTP stack (aiohttp, ...) into every worker. The published recipe is
small; this file follows pytabkit's standalone implementation (``pytabkit.models.realmlp``,
Apache-2.0) for one network (no vectorized ensemble):

- preprocessing: robust scaling (median, 1 / IQR; 2 / range if the IQR is 0) and smooth
  clipping x / sqrt(1 + x^2 / 9) to (-3, 3);
- PBLD numerical embeddings: per feature cos(2 pi w1 x + b1) (16) -> linear (3), concatenated
  with the feature itself;
- a learnable front scale (lr factor 6), NTK-parametrized linear layers with data-dependent
  "std" weight and "he+5" bias initialization, parametric SELU x + w (selu(x) - x);
- AdamW betas (0.9, 0.95), lr 0.04 on the "coslog4" schedule, weight decay 0.02 and dropout
  0.15 on "flat_cos", per-parameter lr / wd factors, label smoothing 0.1 (RealMLP-TD for
  classification);
- 256 epochs and the best validation epoch kept (the paper's best-epoch selection);
  ``patience`` adds early stopping.

``torch`` is imported inside methods only.
"""

from __future__ import annotations

import math
from itertools import pairwise
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.models.estimators.param_checks import (
    check_choices,
    check_hidden,
    check_rules,
    store_params,
)
from bench.models.estimators.tabular_net import TabularNetClassifier

if TYPE_CHECKING:
    import torch

ACTIVATIONS = ("selu", "mish", "relu", "silu", "gelu", "elu")
SCHEDULES = ("coslog4", "flat_cos", "constant")


def schedule(name: str, t: float) -> float:
    """The schedules of RealMLP (``t`` = training progress in [0, 1])."""
    if name == "coslog4":
        return 0.5 * (1.0 - math.cos(2 * math.pi * math.log2(1.0 + 15.0 * t)))
    if name == "flat_cos":
        return 1.0 if t <= 0.5 else 0.5 * (1.0 + math.cos(math.pi * (2.0 * t - 1.0)))
    return 1.0


def robust_scale(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and 1 / IQR per column (1 / (range / 2) when the IQR is 0; 0 for a constant)."""
    q25, q50, q75 = np.quantile(np.asarray(X, dtype=np.float64), [0.25, 0.5, 0.75], axis=0)
    iqr = q75 - q25
    iqr = np.where(iqr == 0.0, 0.5 * (X.max(axis=0) - X.min(axis=0)), iqr)
    valid = np.isfinite(iqr) & (iqr != 0.0)
    scale = np.where(valid, 1.0 / np.where(valid, iqr, 1.0), 0.0)
    return q50.astype(np.float32), scale.astype(np.float32)


class RealMLPClassifier(TabularNetClassifier):
    """RealMLP-TD for classification (defaults of the paper's classification recipe).

    - ``hidden``: widths (3 x 256); ``activation`` (``selu``) made parametric by
      ``parametric_activation``; ``dropout`` (0.15, on ``dropout_schedule``).
    - ``embedding``: ``"pbld"`` (``plr_sigma``, ``plr_hidden_1``, ``plr_hidden_2``) or ``"none"``.
    - ``learning_rate`` (0.04) on ``lr_schedule`` (``coslog4``), ``weight_decay`` (0.02) on
      ``wd_schedule`` (``flat_cos``), ``label_smoothing`` (0.1).
    - the shared training parameters: see ``TabularNetClassifier``; ``patience=None`` keeps
      the best validation epoch of all ``max_epochs`` (RealMLP's best-epoch selection).
    """

    _betas = (0.9, 0.95)

    def __init__(
        self,
        hidden: tuple[int, ...] = (256, 256, 256),
        activation: str = "selu",
        parametric_activation: bool = True,
        embedding: str = "pbld",
        plr_sigma: float = 0.1,
        plr_hidden_1: int = 16,
        plr_hidden_2: int = 4,
        dropout: float = 0.15,
        dropout_schedule: str = "flat_cos",
        label_smoothing: float = 0.1,
        lr_schedule: str = "coslog4",
        wd_schedule: str = "flat_cos",
        learning_rate: float = 0.04,
        weight_decay: float = 0.02,
        batch_size: int = 256,
        max_epochs: int = 256,
        patience: int | None = None,
        class_weight: str | dict[Any, float] | None = None,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = 0,
        n_threads: int | None = None,
        verbose: bool = False,
    ) -> None:
        store_params(self, locals())

    def _check_own_params(self) -> None:
        check_hidden(self.hidden, non_empty=True)
        check_choices(self, [("activation", ACTIVATIONS), ("embedding", ("pbld", "none")),
                             ("dropout_schedule", SCHEDULES), ("lr_schedule", SCHEDULES),
                             ("wd_schedule", SCHEDULES)])
        for name in ("plr_hidden_1", "plr_hidden_2"):
            value = getattr(self, name)
            if not isinstance(value, Integral) or value < (2 if name == "plr_hidden_2" else 1):
                raise ValueError(f"{name} must be an int >= "
                                 f"{2 if name == 'plr_hidden_2' else 1}; got {value!r}.")
        check_rules(self, [("dropout", 0.0 <= self.dropout < 1.0, "in [0, 1)"),
                           ("label_smoothing", 0.0 <= self.label_smoothing < 1.0, "in [0, 1)"),
                           ("plr_sigma", self.plr_sigma > 0, "> 0")])

    def _fit_preprocessing(self, X: np.ndarray, seed: int) -> None:
        self.median_, self.scale_ = robust_scale(X)

    def _preprocess(self, X: np.ndarray) -> np.ndarray:
        Xs = (np.asarray(X, dtype=np.float32) - self.median_) * self.scale_
        return np.ascontiguousarray(Xs / np.sqrt(1.0 + np.square(Xs) / 9.0), dtype=np.float32)

    def _build(self, X: np.ndarray, n_classes: int) -> torch.nn.Module:
        from torch import nn

        from bench.models.estimators import realmlp_layers as m
        n = X.shape[1]
        layers: list[nn.Module] = []
        d = n
        if self.embedding == "pbld":
            layers.append(m.PBLD(n, float(self.plr_sigma), int(self.plr_hidden_1),
                                    int(self.plr_hidden_2) - 1))
            d = n * int(self.plr_hidden_2)
        layers.append(m.Scale(d, 6.0, 6.0))
        dropouts = []
        sizes = [d, *map(int, self.hidden), n_classes]
        for i, (n_in, n_out) in enumerate(pairwise(sizes)):
            layers += [m.Weight(n_in, n_out, 1.0, 1.0), m.Bias(n_out, 0.1, 0.0)]
            if i < len(self.hidden):
                dropouts.append(nn.Dropout(float(self.dropout)))
                layers += [m.Activation(self.activation, n_out, bool(self.parametric_activation)),
                           dropouts[-1]]
        return m.Net(layers, dropouts)

    def _param_groups(self, model: torch.nn.Module) -> list[dict[str, Any]]:
        groups: dict[tuple[float, float], list[Any]] = {}
        for p in model.parameters():
            groups.setdefault((p.lr_factor, p.wd_factor), []).append(p)
        return [{"params": ps, "lr_factor": lr_f, "wd_factor": wd_f}
                for (lr_f, wd_f), ps in groups.items()]

    def _initialize(self, model: torch.nn.Module, xb: torch.Tensor) -> None:
        model(xb, init=True)

    def _set_progress(self, model: torch.nn.Module, opt: Any, t: float) -> float:
        lr = float(self.learning_rate) * schedule(self.lr_schedule, t)
        wd = float(self.weight_decay) * schedule(self.wd_schedule, t)
        for g in opt.param_groups:
            g["lr"] = lr * g["lr_factor"]
            g["weight_decay"] = wd * g["wd_factor"]
        p_drop = float(self.dropout) * schedule(self.dropout_schedule, t)
        for d in model.dropouts:
            d.p = p_drop
        return float(self.label_smoothing)
