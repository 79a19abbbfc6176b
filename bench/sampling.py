"""Sampling strategies: imbalanced-learn samplers, and class weights as a strategy of its own.

Why: a sampler must only ever touch the training part, so it lives inside an
`imblearn.pipeline.Pipeline` (samplers act in `fit` only, never in `predict`). Class weights are
one strategy with one meaning in every library: per-sample weights w_c = n / (k * n_c) passed to
`fit`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.registry import Registry


@dataclass(frozen=True)
class SamplerContext:
    """What a sampler factory may know: the seed and the training class counts (never test data)."""

    seed: int
    counts: np.ndarray  # class counts of the part the sampler will see
    n_threads: int = 1


@dataclass(frozen=True)
class SamplerEntry:
    name: str
    factory: Callable[[dict[str, Any], SamplerContext], Any] | None  # None: no resampling step
    params: dict[str, Any] = field(default_factory=dict)
    class_weight: bool = False  # strategy = per-sample weights instead of resampling
    description: str = ""


SAMPLERS: Registry[SamplerEntry] = Registry("sampler")


def class_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-sample weights w_c = n / (k * n_c): every class carries the same total weight."""
    counts = np.bincount(y, minlength=n_classes).astype(float)
    present = counts > 0
    k = int(present.sum())
    w = np.zeros(n_classes)
    w[present] = len(y) / (k * counts[present])
    return w[y]


class RecordingSampler:
    """Wraps a sampler to record what it saw and produced (counts, time) for the results row.

    It is still a pipeline step: it only runs in `fit`, so test rows can never reach it.
    """

    def __init__(self, sampler: Any) -> None:
        self.sampler = sampler

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"sampler": self.sampler}

    def set_params(self, **params: Any) -> RecordingSampler:
        self.sampler = params.get("sampler", self.sampler)
        return self

    def fit(self, X: Any, y: Any) -> RecordingSampler:
        return self

    def fit_resample(self, X: Any, y: Any, **params: Any) -> tuple[Any, Any]:
        t0 = time.perf_counter()
        Xr, yr = self.sampler.fit_resample(X, y, **params)
        self.resample_s_ = time.perf_counter() - t0
        self.n_in_ = len(y)
        self.counts_out_ = np.bincount(np.asarray(yr))
        return Xr, yr


def _smote(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.over_sampling import SMOTE

    smallest = int(ctx.counts[ctx.counts > 0].min())
    if smallest < 2:
        raise ValueError(
            f"smote: the smallest training class has {smallest} row(s); "
            "SMOTE needs at least 2 to interpolate"
        )
    k = min(int(params["k_neighbors"]), smallest - 1)
    return SMOTE(k_neighbors=k, random_state=ctx.seed)


def _random_over(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.over_sampling import RandomOverSampler

    return RandomOverSampler(random_state=ctx.seed)


def _random_under(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.under_sampling import RandomUnderSampler

    return RandomUnderSampler(random_state=ctx.seed)


for _entry in (
    SamplerEntry("none", None, description="no treatment: train on the imbalanced data as is"),
    SamplerEntry("class_weight", None, class_weight=True,
                 description="per-sample weights n / (k * n_c) passed to fit"),
    SamplerEntry("random_over", _random_over, description="duplicate minority rows up to the majority count"),
    SamplerEntry("random_under", _random_under, description="drop majority rows down to the minority count"),
    SamplerEntry("smote", _smote, {"k_neighbors": 5},
                 description="SMOTE; k shrinks to (smallest class - 1) when a class is small"),
):
    SAMPLERS.register(_entry)
