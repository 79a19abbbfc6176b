"""`bench list`: the registered plugins of one kind, for humans."""

from __future__ import annotations

from bench.core.errors import UnknownName
from bench.core.plugins import load_plugins

KINDS = ("datasets", "samplers", "models", "metrics")


def listing(kind: str) -> list[tuple[str, str]]:
    """(name, description with parameters) per entry of one registry, sorted by name."""
    from bench.data import DATASETS
    from bench.metrics import METRICS
    from bench.models import MODELS
    from bench.sampling import SAMPLERS

    load_plugins()

    def params(p: dict) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in p.items())

    if kind == "datasets":
        return [(e.name, f"{e.description}  [{params(e.params)}]") for e in DATASETS]
    if kind == "samplers":
        return [(e.name, f"{e.description}  [{params(e.params)}]") for e in SAMPLERS]
    if kind == "models":
        return [(e.name, f"({e.family}) {e.description}  [{params(e.params)}]") for e in MODELS]
    if kind == "metrics":
        return [(m.name, f"({'higher' if m.direction == 'max' else 'lower'} is better"
                 f"{', needs probabilities' if m.needs_proba else ''}) {m.description}")
                for m in METRICS]
    raise UnknownName(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")


SET_LISTINGS = ("keel",)


def source_sets(source: str, cache: str = "") -> list[dict]:
    """The sets one dataset source offers, one row each (for `bench list datasets --source`):
    KEEL's rows, features, classes and imbalance ratio, computed from its files (cached)."""
    if source not in SET_LISTINGS:
        raise UnknownName(f"--source {source!r} has no set listing; allowed: "
                          f"{', '.join(SET_LISTINGS)}")
    from bench.data.sources import keel

    return keel.set_index(cache)
