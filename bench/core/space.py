"""Search spaces: declarative, library-free descriptions of what a tuner may vary.

Why: a model's or a sampler's search space is part of its registry entry, so it must be declared
without importing the tuning library (listing models and validating suites never import Optuna),
it must be printable in docs and checkable against the entry's declared parameters, and a tuner
turns it into its own distributions in one place (`bench.protocol.tune`).

A space maps a parameter name to one of `Float`, `Int` or `Choice`. `source` cites where the
space was taken from (a published benchmark's space, or "ours" with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Float:
    """A real parameter in [low, high]; `log` samples its logarithm uniformly."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if not self.low < self.high or (self.log and self.low <= 0):
            raise ValueError(f"Float({self.low}, {self.high}, log={self.log}): need "
                             f"low < high{' and low > 0' if self.log else ''}")

    def describe(self) -> str:
        return f"{self.low:g} .. {self.high:g}{' (log)' if self.log else ''}"


@dataclass(frozen=True)
class Int:
    """An integer parameter in [low, high] (both included); `log` samples its logarithm."""

    low: int
    high: int
    log: bool = False

    def __post_init__(self) -> None:
        if not self.low < self.high or (self.log and self.low <= 0):
            raise ValueError(f"Int({self.low}, {self.high}, log={self.log}): need "
                             f"low < high{' and low > 0' if self.log else ''}")

    def describe(self) -> str:
        return f"{self.low} .. {self.high} (integer{', log' if self.log else ''})"


@dataclass(frozen=True)
class Choice:
    """One of a few values (JSON scalars)."""

    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        if len(self.values) < 2:
            raise ValueError(f"Choice{self.values!r}: needs at least two values")

    def describe(self) -> str:
        return "{" + ", ".join(map(repr, self.values)) + "}"


Dimension = Float | Int | Choice


@dataclass(frozen=True)
class SearchSpace:
    """Parameter name -> dimension, plus where the space comes from."""

    dims: dict[str, Dimension] = field(default_factory=dict)
    source: str = ""  # a citation: "TabArena (Erickson et al., 2025) LightGBM space", ...

    def __bool__(self) -> bool:
        return bool(self.dims)

    def describe(self) -> list[tuple[str, str]]:
        """(parameter, range) pairs in declaration order, for docs and `bench list`."""
        return [(name, dim.describe()) for name, dim in self.dims.items()]


NO_SPACE = SearchSpace()


MODEL_PREFIX, SAMPLER_PREFIX = "model.", "sampler."


def cell_space(model: SearchSpace, sampler: SearchSpace, model_fixed: Any = (),
               sampler_fixed: Any = ()) -> dict[str, Dimension]:
    """What a tuned cell searches: the model's and the sampler's spaces, names prefixed
    ``model.`` / ``sampler.``, minus the parameters the suite entry sets itself (a value the
    suite writes is a decision the user made, so the tuner never overrides it)."""
    out = {MODEL_PREFIX + k: d for k, d in model.dims.items() if k not in set(model_fixed)}
    out.update({SAMPLER_PREFIX + k: d for k, d in sampler.dims.items()
                if k not in set(sampler_fixed)})
    return out
