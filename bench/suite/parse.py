"""TOML suite -> validated, frozen Suite (the grid itself is `bench.suite.grid`).

Why: a suite is data. Every mistake in it (unknown key, unknown plugin, bad type, ratio below 1,
empty axis) must fail before anything runs, naming the key path and the allowed values, and
every consumer (validate, run, baseline) must see exactly the same list of cells.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import data as _data  # noqa: F401  (registers datasets)
from bench import models as _models  # noqa: F401  (registers models)
from bench.core.cell import Component
from bench.core.errors import SuiteError
from bench.core.plugins import load_plugins
from bench.core.units import parse_bytes
from bench.core.vocab import (
    DECOMPOSITIONS,
    DEFAULT_TUNING,
)
from bench.data.registry import DATASETS
from bench.models.registry import MODELS
from bench.sampling import SAMPLERS
from bench.suite.axes import choices, components, decisions, imbalance, is_type, tunings, type_name

TOP_KEYS = {
    "name": str, "description": str, "folds": int, "holdout": float, "repeats": int,
    "validation": float, "timeout_s": float, "seed": int, "samplers": list,
    "decompositions": list, "decisions": list, "tuning": list, "store_predictions": bool,
    "metric": str,
    "bootstrap": int, "memory_limit": object,  # a size ("4GB") or bytes: parse_bytes checks it
    "imbalance": dict, "datasets": list, "models": list,
}


@dataclass(frozen=True)
class Suite:
    name: str
    datasets: tuple[Component, ...]
    models: tuple[Component, ...]
    samplers: tuple[Component, ...] = (Component("none"),)
    description: str = ""
    folds: int | None = 3
    holdout: float | None = None
    repeats: int = 1
    validation: float = 0.2
    timeout_s: float = 600.0
    seed: int = 0
    decompositions: tuple[str, ...] = ("native",)
    decisions: tuple[str, ...] = ("argmax",)
    tunings: tuple[str, ...] = (DEFAULT_TUNING,)  # the `tuning` axis, canonical strings
    store_predictions: bool = False
    bootstrap: int = 0  # resamples of the test part for per-cell CIs (0: off); an output option
    metric: str = "macro_f1"
    memory_limit: int | None = None  # bytes of resident memory per cell (None: no cap); run option
    profiles: tuple[str, ...] = ("natural",)
    ratios: tuple[float, ...] = (1.0,)
    minority: tuple[Any, ...] | str = "rarest"
    test_priors: tuple[Any, ...] = ("same",)


def parse_suite(raw: dict[str, Any], source: str = "suite") -> Suite:
    """Validate a suite mapping (as read from TOML) into a Suite, or raise SuiteError."""
    load_plugins()
    errors: list[str] = []
    for key, value in raw.items():
        if key not in TOP_KEYS:
            errors.append(f"{key}: unknown key; allowed: {', '.join(sorted(TOP_KEYS))}")
        elif not is_type(value, TOP_KEYS[key]):
            errors.append(f"{key}: expected {type_name(TOP_KEYS[key])}, got {value!r}")
    # Every problem at once: keys of the wrong type are reported above and left out below.
    raw = {k: v for k, v in raw.items() if k in TOP_KEYS and is_type(v, TOP_KEYS[k])}
    kw: dict[str, Any] = {}
    for key in ("name", "datasets", "models"):
        if key not in raw and not any(e.startswith(f"{key}: expected") for e in errors):
            errors.append(f"{key}: required key is missing")
    kw["name"] = raw.get("name", "")
    if "name" in raw and not raw["name"].strip():
        errors.append("name: must not be empty")
    kw["datasets"] = components(raw.get("datasets", []), "datasets", DATASETS,
                                 lambda e: e.params, errors, labelled=True) if "datasets" in raw else ()
    kw["models"] = components(raw.get("models", []), "models", MODELS,
                               lambda e: e.params, errors) if "models" in raw else ()
    if "samplers" in raw:
        kw["samplers"] = components(raw["samplers"], "samplers", SAMPLERS,
                                     lambda e: e.params, errors)
    if "decompositions" in raw:
        kw["decompositions"] = choices(raw["decompositions"], "decompositions", DECOMPOSITIONS, errors)
    if "decisions" in raw:
        kw["decisions"] = decisions(raw["decisions"], errors)
    if "folds" in raw and "holdout" in raw:
        errors.append("folds, holdout: give one of them, not both")
    if "holdout" in raw:
        if not 0 < raw["holdout"] < 1:
            errors.append(f"holdout: {raw['holdout']!r} must be in (0, 1)")
        kw["holdout"], kw["folds"] = float(raw["holdout"]), None
    if "folds" in raw:
        if raw["folds"] < 2:
            errors.append(f"folds: {raw['folds']!r} must be at least 2")
        kw["folds"] = raw["folds"]
    if "repeats" in raw:
        if raw["repeats"] < 1:
            errors.append(f"repeats: {raw['repeats']!r} must be at least 1")
        kw["repeats"] = raw["repeats"]
    if "validation" in raw:
        if not 0 <= raw["validation"] < 1:
            errors.append(f"validation: {raw['validation']!r} must be in [0, 1)")
        kw["validation"] = float(raw["validation"])
    if "timeout_s" in raw:
        if raw["timeout_s"] <= 0:
            errors.append(f"timeout_s: {raw['timeout_s']!r} must be positive")
        kw["timeout_s"] = float(raw["timeout_s"])
    if "metric" in raw:
        from bench.metrics import metric_names

        if raw["metric"] not in metric_names():
            errors.append(f"metric: unknown metric {raw['metric']!r}; allowed: {', '.join(metric_names())}")
        kw["metric"] = raw["metric"]
    if "bootstrap" in raw:
        if not (raw["bootstrap"] == 0 or 20 <= raw["bootstrap"] <= 10000):
            errors.append(f"bootstrap: {raw['bootstrap']!r} must be 0 (off) or from 20 to 10000")
        kw["bootstrap"] = raw["bootstrap"]
    if "memory_limit" in raw:
        try:
            kw["memory_limit"] = parse_bytes(raw["memory_limit"])
        except ValueError as exc:
            errors.append(f"memory_limit: {exc}")
    if "tuning" in raw:
        kw["tunings"] = tunings(raw["tuning"], kw.get("metric", Suite.metric), errors)
    for key in ("description", "seed", "store_predictions"):
        if key in raw:
            kw[key] = raw[key]
    if "imbalance" in raw:
        kw.update(imbalance(raw["imbalance"], errors))
    if errors:
        raise SuiteError(errors, source)
    return Suite(**kw)


def load_suite(path: str | Path) -> Suite:
    """Read and validate a suite file; TOML syntax errors are reported with the file name."""
    path = Path(path)
    if not path.exists():
        raise SuiteError([f"file not found: {path}"], str(path))
    if path.is_dir():
        raise SuiteError([f"{path} is a directory; give a suite file (TOML), e.g. "
                          "suites/quick.toml"], str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError([f"invalid TOML: {exc}"], str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError([f"cannot read the file: {exc}"], str(path)) from None
    return parse_suite(raw, str(path))
