"""`bench list`: the registered plugins of one kind, for humans and as JSON.

Why: a user choosing what to put on a suite's `tuning` axis must see which models and samplers
have a search space and what it spans (parameter, range, default, the source it was taken from)
without opening the code; the same data feeds the terminal lines and `--format json`.
"""

from __future__ import annotations

from typing import Any

from bench.core.errors import CommandError, UnknownName
from bench.core.params import REQUIRED
from bench.core.plugins import load_plugins
from bench.core.space import Choice, Dimension, Float, SearchSpace

KINDS = ("datasets", "samplers", "models", "metrics")
SPACE_KINDS = ("models", "samplers")  # the kinds that declare search spaces
FORMATS = ("table", "json")
NO_SPACE_MARK = "—"


def _registry(kind: str) -> Any:
    from bench.data import DATASETS
    from bench.metrics import METRICS
    from bench.models import MODELS
    from bench.sampling import SAMPLERS

    load_plugins()
    registries = {"datasets": DATASETS, "samplers": SAMPLERS, "models": MODELS,
                  "metrics": METRICS}
    if kind not in registries:
        raise UnknownName(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    return registries[kind]


def _jsonable(value: Any) -> Any:
    """A parameter value as JSON can hold it (tuples as lists; anything else as its repr)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)


def _dimension(name: str, dim: Dimension, default: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "range": dim.describe(), "default": _jsonable(default)}
    if isinstance(dim, Choice):
        return {**out, "type": "choice", "values": _jsonable(dim.values)}
    return {**out, "type": "float" if isinstance(dim, Float) else "int", "low": dim.low,
            "high": dim.high, "log": dim.log}


def space_info(space: SearchSpace, params: dict[str, Any]) -> dict[str, Any] | None:
    """A search space as data: its parameters in declaration order (range as `bench list` and
    the docs print it, the entry's default, the bounds or values) and its source; None when the
    entry has no space (the `tuning` axis never changes its parameters)."""
    if not space:
        return None
    return {"n_parameters": len(space.dims), "source": space.source,
            "parameters": [_dimension(k, d, params.get(k)) for k, d in space.dims.items()]}


def _params(params: dict[str, Any]) -> dict[str, Any]:
    return {"params": {k: _jsonable(v) for k, v in params.items() if v is not REQUIRED},
            "required": [k for k, v in params.items() if v is REQUIRED]}


def entries(kind: str) -> list[dict[str, Any]]:
    """One dict per entry of one registry, sorted by name: everything `bench list` shows
    (models and samplers with their `space`, see `space_info`), JSON-ready."""
    return [row for _, row in _rows(kind)]


def _rows(kind: str) -> list[tuple[Any, dict[str, Any]]]:
    out = []
    for e in _registry(kind):
        if kind == "metrics":
            out.append((e, {"name": e.name, "direction": e.direction,
                            "needs_proba": e.needs_proba, "description": e.description}))
            continue
        row: dict[str, Any] = {"name": e.name}
        if kind == "models":
            row["family"] = e.family
        elif kind == "samplers":
            row["kind"] = e.kind
        row["description"] = e.description
        row.update(_params(e.params))
        if kind in SPACE_KINDS:
            row["space"] = space_info(e.space, e.params)
        out.append((e, row))
    return out


def _param_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())  # REQUIRED reads <required>


def space_count(row: dict[str, Any]) -> str:
    """The `space` column: how many parameters the tuner may vary, or a dash."""
    space = row.get("space")
    if not space:
        return NO_SPACE_MARK
    n = space["n_parameters"]
    return f"{n} parameter{'s' if n != 1 else ''}"


def listing(kind: str) -> list[tuple[str, str, str | None]]:
    """(name, description with parameters, space column) per entry, sorted by name; the space
    column is None for kinds without search spaces (datasets, metrics)."""
    rows = _rows(kind)
    if kind == "metrics":
        return [(m["name"], (f"({'higher' if m['direction'] == 'max' else 'lower'} is better"
                             f"{', needs probabilities' if m['needs_proba'] else ''}) "
                             f"{m['description']}"), None) for _, m in rows]
    return [(r["name"], f"{_heading(r)}  [{_param_text(e.params)}]",
             space_count(r) if kind in SPACE_KINDS else None) for e, r in rows]


def _heading(row: dict[str, Any]) -> str:
    """What an entry is: `(family) description` for a model, the description otherwise."""
    return (f"({row['family']}) " if "family" in row else "") + row["description"]


def spaces(kind: str) -> list[dict[str, Any]]:
    """The entries of a kind with search spaces, for `bench list KIND --spaces`: name, heading
    (family and description) and `space` (None: no space)."""
    if kind not in SPACE_KINDS:
        raise CommandError(f"--spaces: only with `bench list models` or `bench list samplers`, "
                           f"not {kind!r}")
    return [{"name": r["name"], "heading": _heading(r), "space": r["space"]}
            for r in entries(kind)]


SET_LISTINGS = ("keel",)


def source_sets(source: str, cache: str = "") -> list[dict]:
    """The sets one dataset source offers, one row each (for `bench list datasets --source`):
    KEEL's rows, features, classes and imbalance ratio, computed from its files (cached)."""
    if source not in SET_LISTINGS:
        raise UnknownName(f"--source {source!r} has no set listing; allowed: "
                          f"{', '.join(SET_LISTINGS)}")
    from bench.data.sources import keel

    return keel.set_index(cache)
