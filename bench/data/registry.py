"""Dataset sources: declarative entries with declared parameters and a loader.

Why: suites name datasets; the registry validates their parameters before anything runs and
keeps loading (possibly slow or heavy) behind a factory, cached once per worker process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bench.cell import Component
from bench.data.dataset import Dataset
from bench.params import with_defaults
from bench.registry import Registry


@dataclass(frozen=True)
class DatasetSource:
    name: str
    loader: Callable[..., Dataset]
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    # Cheap checks run when a suite is validated (file exists, columns named, ...): parameters
    # (with defaults) -> problems, each starting with the parameter name. Loading checks the rest.
    check: Callable[[dict[str, Any]], list[str]] | None = None


DATASETS: Registry[DatasetSource] = Registry("dataset")


def dataset(name: str, params: dict[str, Any] | None = None, description: str = "",
            check: Callable[[dict[str, Any]], list[str]] | None = None):
    """Decorator registering a loader function as a dataset source."""

    def wrap(fn: Callable[..., Dataset]) -> Callable[..., Dataset]:
        DATASETS.register(DatasetSource(name, fn, dict(params or {}), description, check))
        return fn

    return wrap


@lru_cache(maxsize=8)
def load_dataset(component: Component) -> Dataset:
    """Load (and cache per process) the dataset a cell names."""
    source = DATASETS.get(component.name)
    return source.loader(**with_defaults(component.kwargs, source.params))
