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
from bench.core.errors import BenchError, SuiteError
from bench.core.vocab import (
    CALIBRATIONS,
    DECISIONS,
    DECOMPOSITIONS,
    PROFILES,
    TEST_PRIORS,
    DEFAULT_TRIALS,
    DEFAULT_TUNING,
    TUNED,
    TUNERS,
    TUNING_KEYS,
    TuningSpec,
    decision_string,
    parse_decision,
    split_calibration,
)
from bench.core.params import check_params, with_defaults
from bench.core.plugins import load_plugins
from bench.core.registry import Registry
from bench.core.units import parse_bytes
from bench.data.profiles import parse_rank
from bench.data.registry import DATASETS
from bench.models.registry import MODELS
from bench.sampling import SAMPLERS

TOP_KEYS = {
    "name": str, "description": str, "folds": int, "holdout": float, "repeats": int,
    "validation": float, "timeout_s": float, "seed": int, "samplers": list,
    "decompositions": list, "decisions": list, "tuning": list, "store_predictions": bool,
    "metric": str,
    "bootstrap": int, "memory_limit": object,  # a size ("4GB") or bytes: parse_bytes checks it
    "imbalance": dict, "datasets": list, "models": list,
}
IMBALANCE_KEYS = {"profile", "ratios", "minority", "test_prior"}


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


def _type_name(t: type) -> str:
    return {str: "string", int: "integer", float: "number", list: "list", dict: "table",
            bool: "boolean"}[t]


def _is(value: Any, t: type) -> bool:
    if t is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, t)


def default_label(name: str, params: dict[str, Any], declared: dict[str, Any]) -> str:
    """A dataset's label when the suite gives none: a file's stem for the `file` source (what a
    person calls it), else the source name plus the parameters that differ from the defaults."""
    if name == "file" and isinstance(params.get("path"), str):
        return Path(params["path"]).stem or params["path"]
    changed = {k: v for k, v in params.items() if k not in declared or declared[k] != v}
    return Component.of(name, changed).label


def _label(item: dict[str, Any], p: str, errors: list[str]) -> str | None:
    """The reserved `label` key of a dataset entry (never passed to the loader)."""
    if "label" not in item:
        return None
    label = item["label"]
    if not isinstance(label, str) or not label.strip():
        errors.append(f"{p}.label: expected a non-empty string, got {label!r}")
        return None
    if any(not ch.isprintable() for ch in label):
        errors.append(f"{p}.label: {label!r} holds control characters (newlines, tabs, escapes); "
                      "a label is one printable line")
        return None
    return label


def _unique_labels(out: list[tuple[str, Component]], path: str, errors: list[str]) -> None:
    """Two entries with one label would merge in every table: name both, ask for a `label`."""
    seen: dict[str, str] = {}
    for p, comp in out:
        if comp.label in seen:
            errors.append(f"{p}: label {comp.label!r} is also the label of {seen[comp.label]}; "
                          f"labels must be unique in a suite: give one of them a different "
                          f"`label = \"...\"`")
        else:
            seen[comp.label] = p


def _components(raw: Any, path: str, registry: Registry, declared: Any,
                errors: list[str], labelled: bool = False) -> tuple[Component, ...]:
    """Parse an axis of plugin entries (a name, or a table with `name` and parameters).

    `labelled` (datasets): a table may carry a `label`; every entry gets one (`default_label`
    otherwise) and labels must be unique.
    """
    if not isinstance(raw, list) or not raw:
        errors.append(f"{path}: must be a non-empty list; allowed names: {', '.join(registry.names())}")
        return ()
    out: list[tuple[str, Component]] = []
    reserved = {"name", "label"} if labelled else {"name"}
    for i, item in enumerate(raw):
        p = f"{path}[{i}]"
        label = None
        if isinstance(item, str):
            name, params = item, {}
        elif isinstance(item, dict):
            if "name" not in item:
                errors.append(f"{p}.name: missing; allowed: {', '.join(registry.names())}")
                continue
            name, params = item["name"], {k: v for k, v in item.items() if k not in reserved}
            label = _label(item, p, errors) if labelled else None
        else:
            errors.append(f"{p}: expected a name or a table with `name`, got {item!r}")
            continue
        if not isinstance(name, str) or name not in registry:
            errors.append(f"{p}.name: unknown {registry.kind} {name!r}; allowed: "
                          f"{', '.join(registry.names())}")
            continue
        entry = registry.get(name)
        param_errors = check_params(p, params, declared(entry))
        errors.extend(param_errors)
        check = getattr(entry, "check", None)  # cheap value checks (e.g. a dataset file's header)
        if check is not None and not param_errors:
            errors.extend(f"{p}.{msg}" for msg in check(with_defaults(params, declared(entry))))
        if labelled:
            label = label or default_label(name, params, declared(entry))
        try:
            out.append((p, Component.of(name, params, label or "")))
        except TypeError as exc:  # e.g. a TOML date: not a JSON-like parameter value
            errors.append(f"{p}: {exc}")
    comps = [c for _, c in out]
    if len(set(comps)) != len(comps):
        errors.append(f"{path}: duplicate entries")
    elif labelled:
        _unique_labels(out, path, errors)
    return tuple(comps)


def _choices(raw: Any, path: str, allowed: tuple[str, ...], errors: list[str]) -> tuple[str, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        errors.append(f"{path}: must not be empty; allowed: {', '.join(allowed)}")
    for i, v in enumerate(values):
        if v not in allowed:
            errors.append(f"{path}[{i}]: {v!r} is not allowed; allowed: {', '.join(allowed)}")
    return tuple(values)


def _decisions(raw: Any, errors: list[str]) -> tuple[str, ...]:
    """Decision rules: a name (argmax | tuned | prior), or {name = "tuned", metric = M}; a string
    may add a calibration, "<rule>+temperature" or "<rule>+isotonic" ("tuned:mcc+temperature").

    Each becomes the cell's decision string: "tuned" (default metric) or "tuned:<metric>", then
    "+<calibration>" if any.
    """
    from bench.metrics import check_tunable

    values = raw if isinstance(raw, list) else [raw]
    if not values:
        errors.append(f"decisions: must not be empty; allowed: {', '.join(DECISIONS)}")
    out: list[str] = []
    for i, v in enumerate(values):
        path = f"decisions[{i}]"
        if isinstance(v, dict):
            extra = sorted(set(v) - {"name", "metric"})
            if extra or v.get("name") != "tuned" or not isinstance(v.get("metric"), str):
                errors.append(f"{path}: {v!r}; a table must be {{name = \"tuned\", metric = "
                              "\"<metric>\"}")
                continue
            v = f"{TUNED}:{v['metric']}"
        try:
            name, metric = parse_decision(v) if isinstance(v, str) else parse_decision(repr(v))
        except BenchError:
            errors.append(f"{path}: {v!r} is not allowed; allowed: {', '.join(DECISIONS)} "
                          "(tuned for a metric: {name = \"tuned\", metric = \"<metric>\"}; "
                          f"a calibration: \"<rule>+{'|'.join(CALIBRATIONS)}\")")
            continue
        try:
            if metric is not None:
                check_tunable(metric, f"decision {name!r}")
            calibration = split_calibration(v)[1] if isinstance(v, str) else None
            out.append(decision_string(name, metric, calibration))
        except BenchError as exc:
            errors.append(f"{path}: {exc}")
    if len(set(out)) != len(out):
        errors.append("decisions: duplicate entries")
    return tuple(out)


def _tunings(raw: list[Any], suite_metric: str, errors: list[str]) -> tuple[str, ...]:
    """The `tuning` axis: "default", a tuner's name (DEFAULT_TRIALS trials) or a table
    {name = "tpe", trials = 30, budget_s = 600, metric = "mcc"}; `metric` defaults to the suite's.

    Each becomes the cell's canonical tuning string (`TuningSpec.__str__`): ``tpe(30)``.
    """
    from bench.metrics import metric_names

    allowed = f"{DEFAULT_TUNING}, {', '.join(TUNERS)} or {{name = \"tpe\", trials = 30}}"
    if not raw:
        errors.append(f"tuning: must not be empty; allowed: {allowed}")
    out: list[str] = []
    for i, v in enumerate(raw):
        path = f"tuning[{i}]"
        if v == DEFAULT_TUNING:
            out.append(DEFAULT_TUNING)
            continue
        if isinstance(v, str):
            v = {"name": v}
        if not isinstance(v, dict):
            errors.append(f"{path}: {v!r} is not allowed; allowed: {allowed}")
            continue
        bad = [k for k in v if k not in TUNING_KEYS]
        for key in bad:
            errors.append(f"{path}.{key}: unknown key; allowed: {', '.join(TUNING_KEYS)}")
        name = v.get("name")
        if name not in TUNERS:
            errors.append(f"{path}.name: {name!r} is not allowed; allowed: "
                          f"{', '.join(TUNERS)} (or the string {DEFAULT_TUNING!r})")
            continue
        trials = v.get("trials", DEFAULT_TRIALS)
        if not _is(trials, int) or trials < 1:
            errors.append(f"{path}.trials: {trials!r} must be an integer >= 1")
            continue
        budget = v.get("budget_s")
        if budget is not None and (not _is(budget, float) or not 0 < budget < float("inf")):
            errors.append(f"{path}.budget_s: {budget!r} must be a positive number of seconds "
                          "(the search's time budget per cell; leave it out for none)")
            continue
        metric = v.get("metric", suite_metric)
        if metric not in metric_names():
            errors.append(f"{path}.metric: unknown metric {metric!r}; allowed: "
                          f"{', '.join(metric_names())}")
            continue
        if not bad:
            out.append(str(TuningSpec(name, trials, None if budget is None else float(budget),
                                      metric)))
    if len(set(out)) != len(out):
        errors.append("tuning: duplicate entries")
    return tuple(out)


def _imbalance(raw: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in raw:
        if key not in IMBALANCE_KEYS:
            errors.append(f"imbalance.{key}: unknown key; allowed: {', '.join(sorted(IMBALANCE_KEYS))}")
    if "profile" in raw:
        out["profiles"] = _choices(raw["profile"], "imbalance.profile", PROFILES, errors)
    if "ratios" in raw:
        ratios = raw["ratios"] if isinstance(raw["ratios"], list) else [raw["ratios"]]
        if not ratios:
            errors.append("imbalance.ratios: must not be empty")
        for i, r in enumerate(ratios):
            if not _is(r, float) or r < 1 or r > 1000:
                errors.append(f"imbalance.ratios[{i}]: {r!r} must be a number from 1 to 1000")
        out["ratios"] = tuple(float(r) for r in ratios if _is(r, float))
    if "minority" in raw:
        m = raw["minority"]  # labels, "rarest" or "rarest:N" (bench.data.profiles)
        if isinstance(m, str):
            try:
                parse_rank(m)
                out["minority"] = m
            except ValueError as exc:
                errors.append(f"imbalance.minority: {exc}")
        elif (isinstance(m, list) and m and all(isinstance(v, (int, str)) for v in m)
              and len({str(v) for v in m}) == len(m)):
            out["minority"] = tuple(str(v) for v in m)
        else:
            errors.append(f"imbalance.minority: {m!r}; allowed: a non-empty list of distinct "
                          "labels, 'rarest' or 'rarest:N' (the N least frequent classes)")
    if "test_prior" in raw:
        tp = raw["test_prior"]
        priors = tp if isinstance(tp, list) else [tp]
        parsed = []
        for i, p in enumerate(priors):
            path = f"imbalance.test_prior[{i}]" if isinstance(tp, list) else "imbalance.test_prior"
            if isinstance(p, str) and p in TEST_PRIORS:
                parsed.append(p)
            elif isinstance(p, dict) and p and all(_is(v, float) and v > 0 for v in p.values()):
                parsed.append(tuple(sorted((str(k), float(v)) for k, v in p.items())))
            else:  # explicit shares: bench.protocol.split (a "*" key shares the rest)
                errors.append(f"{path}: {p!r}; allowed: {', '.join(TEST_PRIORS)} or a table "
                              '{label = share, ...} of positive shares ("*" = share of the '
                              "classes not listed), e.g. { 1 = 1, \"*\" = 11 }")
        out["test_priors"] = tuple(parsed)
    return out


def parse_suite(raw: dict[str, Any], source: str = "suite") -> Suite:
    """Validate a suite mapping (as read from TOML) into a Suite, or raise SuiteError."""
    load_plugins()
    errors: list[str] = []
    for key, value in raw.items():
        if key not in TOP_KEYS:
            errors.append(f"{key}: unknown key; allowed: {', '.join(sorted(TOP_KEYS))}")
        elif not _is(value, TOP_KEYS[key]):
            errors.append(f"{key}: expected {_type_name(TOP_KEYS[key])}, got {value!r}")
    # Every problem at once: keys of the wrong type are reported above and left out below.
    raw = {k: v for k, v in raw.items() if k in TOP_KEYS and _is(v, TOP_KEYS[k])}
    kw: dict[str, Any] = {}
    for key in ("name", "datasets", "models"):
        if key not in raw and not any(e.startswith(f"{key}: expected") for e in errors):
            errors.append(f"{key}: required key is missing")
    kw["name"] = raw.get("name", "")
    if "name" in raw and not raw["name"].strip():
        errors.append("name: must not be empty")
    kw["datasets"] = _components(raw.get("datasets", []), "datasets", DATASETS,
                                 lambda e: e.params, errors, labelled=True) if "datasets" in raw else ()
    kw["models"] = _components(raw.get("models", []), "models", MODELS,
                               lambda e: e.params, errors) if "models" in raw else ()
    if "samplers" in raw:
        kw["samplers"] = _components(raw["samplers"], "samplers", SAMPLERS,
                                     lambda e: e.params, errors)
    if "decompositions" in raw:
        kw["decompositions"] = _choices(raw["decompositions"], "decompositions", DECOMPOSITIONS, errors)
    if "decisions" in raw:
        kw["decisions"] = _decisions(raw["decisions"], errors)
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
        kw["tunings"] = _tunings(raw["tuning"], kw.get("metric", Suite.metric), errors)
    for key in ("description", "seed", "store_predictions"):
        if key in raw:
            kw[key] = raw[key]
    if "imbalance" in raw:
        kw.update(_imbalance(raw["imbalance"], errors))
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
