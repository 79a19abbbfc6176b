"""Sampler registry: entries, the context a factory sees, class weights.

Why: samplers are plugins like datasets and models (one `Registry`, one decorator style); the
protocol builds a cell's sampler through `build_sampler` and never imports a library itself.
The built-in samplers and their semantics are documented in `bench.sampling.builtin`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.core.registry import Registry
from bench.core.space import NO_SPACE, SearchSpace
from bench.core.vocab import SAMPLER_KINDS

OVER_STRATEGIES = ("auto", "not majority", "not minority", "minority", "all")
UNDER_STRATEGIES = ("auto", "majority", "not minority", "not majority", "all")
KINDS = SAMPLER_KINDS


class NotApplicable(Exception):
    """The sampler cannot run on this cell's training data at all (status `skipped`)."""


# imbalanced-learn's own verdicts that an algorithm does not apply to the data (ADASYN when no
# row of a class has a neighbour of another class; SVM-SMOTE when every support vector is noise)
INAPPLICABLE = ("not suited for this specific dataset", "not adapted to your dataset")
# imbalanced-learn's words for "there is nothing to resample" (ADASYN when the few rows a class
# lacks round to 0 synthetic rows, e.g. 40 vs 39 rows): a no-op, the training part passes through
NOTHING_TO_DO = ("No samples will be generated",)
NOOP = "noop"  # the `sampler_params` key of a sampler that had nothing to resample


@dataclass(frozen=True)
class SamplerContext:
    """What a sampler factory may know: the seed and the training part's shape (never test data)."""

    seed: int
    counts: np.ndarray  # class counts of the part the sampler will see
    n_threads: int = 1
    categorical: tuple[int, ...] = ()  # column positions holding ordinal category codes
    n_categories: tuple[int, ...] = ()  # size of each categorical column's training vocabulary
    n_features: int = 0
    labels: tuple[str, ...] = ()  # original class names, for messages
    notes: dict[str, Any] = field(default_factory=dict)  # effective parameters, for the row

    def label(self, code: int) -> str:
        return self.labels[code] if code < len(self.labels) else str(code)


@dataclass(frozen=True)
class SamplerEntry:
    name: str
    factory: Callable[[dict[str, Any], SamplerContext], Any] | None  # returns None: no step
    params: dict[str, Any] = field(default_factory=dict)
    class_weight: bool = False  # strategy = per-sample weights instead of resampling
    description: str = ""
    handles_missing: bool = False  # the sampler takes NaN (else the encoder imputes first)
    kind: str = "over"
    choices: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # allowed parameter values
    space: SearchSpace = NO_SPACE  # what the `tuning` axis may vary (docs/samplers.md)

    @property
    def resamples(self) -> bool:
        """Whether the strategy adds a resampling step (not `none`, not class weights)."""
        return self.kind not in ("none", "weight")

    def check(self, params: dict[str, Any]) -> list[str]:
        """Suite-time checks of parameter values (types are checked by `bench.core.params`)."""
        return [f"{key}: {params[key]!r}; allowed: {', '.join(map(str, allowed))}"
                for key, allowed in self.choices.items()
                if key in params and params[key] not in allowed]


SAMPLERS: Registry[SamplerEntry] = Registry("sampler")


def class_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-sample weights w_c = n / (k * n_c): every class carries the same total weight."""
    counts = np.bincount(y, minlength=n_classes).astype(float)
    present = counts > 0
    k = int(present.sum())
    w = np.zeros(n_classes)
    w[present] = len(y) / (k * counts[present])
    return w[y]



def sampler(name: str, params: dict[str, Any] | None = None, *, kind: str = "over",
            description: str = "", handles_missing: bool = False, class_weight: bool = False,
            choices: dict[str, tuple[Any, ...]] | None = None, space: SearchSpace = NO_SPACE):
    """Decorator registering a factory `(params, ctx) -> sampler or None` as a sampler entry
    (None: the strategy has no resampling step, e.g. `none` and `class_weight`)."""
    if kind not in KINDS:
        raise ValueError(f"sampler {name}: kind {kind!r}; allowed: {', '.join(KINDS)}")
    return SAMPLERS.decorator(lambda fn: SamplerEntry(
        name, fn, dict(params or {}), class_weight, description, handles_missing, kind,
        dict(choices or {}), space))


def build_sampler(entry: SamplerEntry, params: dict[str, Any], ctx: SamplerContext) -> Any | None:
    """The sampler of a cell (None for strategies without a resampling step); effective
    parameters and adjustments land in `ctx.notes`."""
    if entry.factory is None:
        return None
    return entry.factory({**entry.params, **params}, ctx)
