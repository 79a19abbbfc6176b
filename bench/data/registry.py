"""Dataset sources: declarative entries with declared parameters and a loader.

Why: suites name datasets; the registry validates their parameters before anything runs and
keeps loading (possibly slow or heavy) behind a factory, cached once per worker process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bench.core.cell import Component
from bench.core.params import with_defaults
from bench.core.registry import Registry
from bench.data.dataset import Dataset


@dataclass(frozen=True)
class DatasetSource:
    name: str
    factory: Callable[..., Dataset]  # loader(**params) -> Dataset
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    # Cheap checks run when a suite is validated (file exists, columns named, ...): parameters
    # (with defaults) -> problems, each starting with the parameter name. Loading checks the rest.
    check: Callable[[dict[str, Any]], list[str]] | None = None


DATASETS: Registry[DatasetSource] = Registry("dataset")


def dataset(name: str, params: dict[str, Any] | None = None, description: str = "",
            check: Callable[[dict[str, Any]], list[str]] | None = None):
    """Decorator registering a loader function `(**params) -> Dataset` as a dataset source."""
    return DATASETS.decorator(
        lambda fn: DatasetSource(name, fn, dict(params or {}), description, check))


@lru_cache(maxsize=8)
def load_dataset(component: Component) -> Dataset:
    """Load (and cache per process) the dataset a cell names."""
    source = DATASETS.get(component.name)
    return source.factory(**with_defaults(component.kwargs, source.params))
