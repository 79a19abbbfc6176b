"""Sampling strategies. Importing this package registers the built-in samplers."""

from bench.core.errors import SamplerError
from bench.sampling import builtin  # noqa: F401  (registration)
from bench.sampling.registry import (
    INAPPLICABLE,
    KINDS,
    NOOP,
    NOTHING_TO_DO,
    OVER_STRATEGIES,
    SAMPLERS,
    UNDER_STRATEGIES,
    NotApplicable,
    SamplerContext,
    SamplerEntry,
    build_sampler,
    class_weights,
    sampler,
)
from bench.sampling.wrappers import CategoricalSpace, RecordingSampler

__all__ = ["INAPPLICABLE", "KINDS", "NOOP", "NOTHING_TO_DO", "OVER_STRATEGIES", "SAMPLERS",
           "UNDER_STRATEGIES", "CategoricalSpace", "NotApplicable", "RecordingSampler", "SamplerContext",
           "SamplerEntry", "SamplerError", "build_sampler", "class_weights", "sampler"]
