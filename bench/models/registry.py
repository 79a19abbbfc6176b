"""Model registry: declarative entries; heavy libraries are imported inside factories only.

Why: listing models or validating a suite must not import torch or catboost, and every model
(the DNN included) must be a scikit-learn classifier built the same way from suite parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.registry import Registry

FAMILIES = ("dnn", "bagging", "boosting", "baseline")


@dataclass(frozen=True)
class ModelContext:
    """What the executor decides for a model: its seed, thread budget and device."""

    seed: int
    n_threads: int = 1
    device: str = "cpu"
    n_classes: int = 2


@dataclass(frozen=True)
class ModelEntry:
    name: str
    family: str
    factory: Callable[[dict[str, Any], ModelContext], Any]
    defaults: dict[str, Any] = field(default_factory=dict)
    sample_weight: bool = True  # fit accepts sample_weight (needed by the class_weight strategy)
    eval_set: bool = False  # fit accepts eval_set=(X_val, y_val) for early stopping / curves
    description: str = ""

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"model {self.name}: family {self.family!r}; allowed: {FAMILIES}")

    def build(self, params: dict[str, Any], ctx: ModelContext) -> Any:
        return self.factory({**self.defaults, **params}, ctx)


MODELS: Registry[ModelEntry] = Registry("model")


def model(name: str, family: str, defaults: dict[str, Any] | None = None, *,
          sample_weight: bool = True, eval_set: bool = False, description: str = ""):
    """Decorator registering a factory `(params, ctx) -> estimator` as a model entry."""

    def wrap(fn: Callable[[dict[str, Any], ModelContext], Any]) -> Callable[..., Any]:
        MODELS.register(ModelEntry(name, family, fn, dict(defaults or {}),
                                   sample_weight, eval_set, description))
        return fn

    return wrap
