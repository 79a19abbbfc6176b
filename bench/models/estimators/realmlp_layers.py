"""The layers of RealMLP (see ``bench.models.estimators.realmlp``); imports torch at import time,
so only ``RealMLPClassifier._build`` imports this module. Module-level classes keep a fitted
model picklable."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def param(data: torch.Tensor, lr_factor: float, wd_factor: float) -> nn.Parameter:
    p = nn.Parameter(data)
    p.lr_factor, p.wd_factor = lr_factor, wd_factor  # read by _param_groups
    return p


class Weight(nn.Module):
    """NTK parametrization x @ W / sqrt(n_in); "std" init: unit output std on a batch."""

    def __init__(self, n_in: int, n_out: int, lr_factor: float, wd_factor: float) -> None:
        super().__init__()
        self.weight = param(torch.randn(n_in, n_out), lr_factor, wd_factor)

    def initialize(self, x: torch.Tensor) -> None:
        w = torch.randn_like(self.weight)
        std = (x @ (w / math.sqrt(w.shape[0]))).std(dim=0, correction=0, keepdim=True)
        self.weight.copy_(w / std.clamp(min=1e-30))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ (self.weight / math.sqrt(self.weight.shape[0]))


class Bias(nn.Module):
    """"he+5" init: minus a random convex combination of 5 batch values per unit."""

    def __init__(self, n: int, lr_factor: float, wd_factor: float) -> None:
        super().__init__()
        self.bias = param(torch.zeros(1, n), lr_factor, wd_factor)

    def initialize(self, x: torch.Tensor) -> None:
        n_batch, n = x.shape
        idx = torch.randint(0, n_batch, (n, 5), device=x.device)
        w = -torch.log(torch.rand(n, 5, device=x.device).clamp_min(1e-12))  # Exp(1)
        picked = torch.gather(x.T, 1, idx)
        self.bias.copy_(-(picked * w / w.sum(dim=1, keepdim=True)).sum(dim=1)[None])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.bias


class Scale(nn.Module):
    def __init__(self, n: int, lr_factor: float, wd_factor: float) -> None:
        super().__init__()
        self.scale = param(torch.ones(1, n), lr_factor, wd_factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale


class Activation(nn.Module):
    """x + w (f(x) - x), w initialized to 1 (parametric) or f(x)."""

    def __init__(self, act: str, n: int, parametric: bool) -> None:
        super().__init__()
        self.f = getattr(F, act)
        self.weight = param(torch.ones(1, n), 0.1, 0.1) if parametric else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.f(x) if self.weight is None else x + (self.f(x) - x) * self.weight


class PBLD(nn.Module):
    """Periodic-bias-linear-densenet embedding: (batch, n) -> (batch, n * (h2 + 1))."""

    def __init__(self, n: int, sigma: float, h1: int, h2: int) -> None:
        super().__init__()
        self.w1 = param(sigma * torch.randn(n, 1, h1), 0.1, 0.1)
        self.b1 = param(math.pi * (2 * torch.rand(n, 1, h1) - 1), 0.1, 0.1)
        self.w2 = param((2 * torch.rand(n, h1, h2) - 1) / math.sqrt(h1), 0.1, 0.1)
        self.b2 = param((2 * torch.rand(n, 1, h2) - 1) / math.sqrt(h1), 0.1, 0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.T.unsqueeze(-1)  # (n, batch, 1)
        z = torch.cos(2 * math.pi * z @ self.w1 + self.b1) @ self.w2 + self.b2
        return torch.cat([z.transpose(0, 1).flatten(1), x], dim=1)


class Net(nn.Module):
    def __init__(self, layers: list[nn.Module], dropouts: list[nn.Dropout]) -> None:
        super().__init__()
        self.layers = nn.Sequential(*layers)
        self.dropouts = dropouts  # plain list: the same modules, not registered twice

    def forward(self, x: torch.Tensor, init: bool = False) -> torch.Tensor:
        for layer in self.layers:
            if init and hasattr(layer, "initialize"):
                layer.initialize(x)
            x = layer(x)
        return x

