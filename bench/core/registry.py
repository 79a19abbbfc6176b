"""The one registry: plugins are declarative entries, duplicates are errors.

Why: every axis of a suite (datasets, samplers, models, metrics) names an entry; a typo must fail
before anything runs with the list of allowed names, and two plugins must never silently shadow
each other. Every registry is this class, and every kind registers the same way: a decorator on a
factory function (`@dataset`, `@sampler`, `@model`, `@metric`) that builds the kind's entry from
keyword fields named alike everywhere (`params`, `check`, `description`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from bench.core.errors import UnknownName


class Named(Protocol):
    name: str


T = TypeVar("T", bound=Named)
F = TypeVar("F", bound=Callable[..., Any])


class Registry(Generic[T]):
    """Name -> entry, in registration order; refuses duplicates and explains unknown names."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        if entry.name in self._entries:
            raise ValueError(f"duplicate {self.kind} {entry.name!r}: already registered")
        self._entries[entry.name] = entry
        return entry

    def decorator(self, make_entry: Callable[[Callable[..., Any]], T]) -> Callable[[F], F]:
        """A decorator that registers `make_entry(fn)` and returns `fn` unchanged."""

        def wrap(fn: F) -> F:
            self.register(make_entry(fn))
            return fn

        return wrap

    def unregister(self, name: str) -> T:
        """Remove an entry (tests and plugin reloads); unknown names raise like `get`."""
        entry = self.get(name)
        del self._entries[name]
        return entry

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownName(
                f"unknown {self.kind} {name!r}; allowed: {', '.join(self.names())}"
            ) from None

    def names(self) -> list[str]:
        """Sorted names (for messages and listings)."""
        return sorted(self._entries)

    def ordered(self) -> list[str]:
        """Names in registration order (e.g. the metric columns of the cells table)."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        """Entries sorted by name."""
        return iter(self._entries[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._entries)
