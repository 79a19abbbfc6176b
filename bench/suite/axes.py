"""The axes of a suite: components (datasets, models, samplers), decisions, tuning and
imbalance, each parsed and checked on its own.

Why a module of its own: each parser collects every mistake of its axis (naming the key path
and the allowed values) so that `bench.suite.parse.parse_suite` reports all of them at once,
before anything runs; the suite-level checks and the frozen `Suite` stay in `parse.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.core.cell import Component
from bench.core.errors import BenchError
from bench.core.params import check_params, with_defaults
from bench.core.registry import Registry
from bench.core.vocab import (
    CALIBRATIONS,
    DECISIONS,
    DEFAULT_TRIALS,
    DEFAULT_TUNING,
    PROFILES,
    TEST_PRIORS,
    TUNED,
    TUNERS,
    TUNING_KEYS,
    TuningSpec,
    decision_string,
    parse_decision,
    split_calibration,
)
from bench.data.profiles import parse_rank

IMBALANCE_KEYS = {"profile", "ratios", "minority", "test_prior"}


def type_name(t: type) -> str:
    return {str: "string", int: "integer", float: "number", list: "list", dict: "table",
            bool: "boolean"}[t]


def is_type(value: Any, t: type) -> bool:
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


def components(raw: Any, path: str, registry: Registry, declared: Any,
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


def choices(raw: Any, path: str, allowed: tuple[str, ...], errors: list[str]) -> tuple[str, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        errors.append(f"{path}: must not be empty; allowed: {', '.join(allowed)}")
    for i, v in enumerate(values):
        if v not in allowed:
            errors.append(f"{path}[{i}]: {v!r} is not allowed; allowed: {', '.join(allowed)}")
    return tuple(values)


def decisions(raw: Any, errors: list[str]) -> tuple[str, ...]:
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


def tunings(raw: list[Any], suite_metric: str, errors: list[str]) -> tuple[str, ...]:
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
        if not is_type(trials, int) or trials < 1:
            errors.append(f"{path}.trials: {trials!r} must be an integer >= 1")
            continue
        budget = v.get("budget_s")
        if budget is not None and (not is_type(budget, float) or not 0 < budget < float("inf")):
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


def imbalance(raw: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in raw:
        if key not in IMBALANCE_KEYS:
            errors.append(f"imbalance.{key}: unknown key; allowed: {', '.join(sorted(IMBALANCE_KEYS))}")
    if "profile" in raw:
        out["profiles"] = choices(raw["profile"], "imbalance.profile", PROFILES, errors)
    if "ratios" in raw:
        ratios = raw["ratios"] if isinstance(raw["ratios"], list) else [raw["ratios"]]
        if not ratios:
            errors.append("imbalance.ratios: must not be empty")
        for i, r in enumerate(ratios):
            if not is_type(r, float) or r < 1 or r > 1000:
                errors.append(f"imbalance.ratios[{i}]: {r!r} must be a number from 1 to 1000")
        out["ratios"] = tuple(float(r) for r in ratios if is_type(r, float))
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
            elif isinstance(p, dict) and p and all(is_type(v, float) and v > 0 for v in p.values()):
                parsed.append(tuple(sorted((str(k), float(v)) for k, v in p.items())))
            else:  # explicit shares: bench.protocol.split (a "*" key shares the rest)
                errors.append(f"{path}: {p!r}; allowed: {', '.join(TEST_PRIORS)} or a table "
                              '{label = share, ...} of positive shares ("*" = share of the '
                              "classes not listed), e.g. { 1 = 1, \"*\" = 11 }")
        out["test_priors"] = tuple(parsed)
    return out
