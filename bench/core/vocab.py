"""The vocabulary: every fixed word a suite, a cell or a result row may use, defined once.

Why: statuses, decompositions, decision rules, profiles and test priors are read by the suite
parser, the cell, the protocol, the store, the analysis and the CLI; each word is spelled here and
imported everywhere else, so a new status or rule cannot be known in one place and unknown in
another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.core.errors import DecisionError, TuningError

# ---- cell statuses (the `status` column of the cells table) ---------------------------------
OK = "ok"
ERROR = "error"  # the cell raised (the message and where are in `error`)
TIMEOUT = "timeout"  # the cell ran past its timeout; its worker was killed
OOM = "oom"  # out of memory: the memory cap, a MemoryError, or the kernel's OOM killer (known)
CRASHED = "crashed"  # the worker process died (segfault, exit)
SKIPPED = "skipped"  # the skip rule, or a sampler that does not apply to the data
STATUSES = (OK, ERROR, TIMEOUT, OOM, CRASHED, SKIPPED)
FINISHED = (OK, SKIPPED)  # resume never recomputes these
FAILED = (ERROR, TIMEOUT, OOM, CRASHED)  # a failure: counted, recomputed on resume

# ---- grid axes ------------------------------------------------------------------------------
DECOMPOSITIONS = ("native", "ovr", "ovo")
PROFILES = ("natural", "step", "linear", "longtail")
TEST_PRIORS = ("same", "natural", "balanced")  # or explicit shares {label = share, "*" = rest}
FAMILIES = ("dnn", "bagging", "boosting", "baseline")
# The reference every answer is measured against: the Keras-style MLP (`dnn`, any parameters)
# trained on the data as it is (no sampler). Summary (Elo anchor), select and report use it.
BASELINE_MODEL = "dnn"
NO_SAMPLER = "none"
SAMPLER_KINDS = ("none", "weight", "over", "under", "clean", "combine")

# ---- executors (`bench run --executor`) -------------------------------------------------------
LOCAL, DASK = "local", "dask"
EXECUTORS = (LOCAL, DASK)

# ---- decision rules -------------------------------------------------------------------------
ARGMAX, TUNED, PRIOR = "argmax", "tuned", "prior"
DECISIONS = (ARGMAX, TUNED, PRIOR)
DEFAULT_TUNED_METRIC = "macro_f1"
# A calibration step fitted on the validation part before the rule: ``<rule>+<calibration>``
# (``prior+temperature``, ``tuned:mcc+isotonic``). Without a suffix a decision string (and so
# its cell id) is what it was before calibration existed.
TEMPERATURE, ISOTONIC = "temperature", "isotonic"
CALIBRATIONS = (TEMPERATURE, ISOTONIC)


def split_calibration(rule: str) -> tuple[str, str | None]:
    """``"prior+temperature"`` -> ``("prior", "temperature")``; no suffix -> ``(rule, None)``."""
    base, sep, calibration = str(rule).rpartition("+")
    if not sep:
        return str(rule), None
    if calibration not in CALIBRATIONS:
        raise DecisionError(f"decision {rule!r}: unknown calibration {calibration!r}; allowed: "
                            f"{', '.join(CALIBRATIONS)} (as <rule>+<calibration>)")
    return base, calibration


def parse_decision(rule: str) -> tuple[str, str | None]:
    """A cell's decision string -> (rule, metric): ``"tuned:mcc"`` -> ``("tuned", "mcc")``,
    ``"tuned"`` -> ``("tuned", DEFAULT_TUNED_METRIC)``, ``"argmax"`` -> ``("argmax", None)``;
    a calibration suffix is checked and set aside (``split_calibration`` reads it).

    The one parser of the ``tuned:<metric>`` syntax. It checks the syntax only; whether the metric
    exists and can be tuned for is the metric registry's business (`check_tunable`).
    """
    base, _ = split_calibration(rule)
    name, sep, metric = base.partition(":")
    if name not in DECISIONS:
        raise DecisionError(f"decision {rule!r}: unknown rule; allowed: {', '.join(DECISIONS)} "
                            "(tuned takes a metric: tuned:<metric>; a calibration: "
                            f"<rule>+{'|'.join(CALIBRATIONS)})")
    if name != TUNED:
        if sep:
            raise DecisionError(f"decision {rule!r}: rule {name!r} takes no parameter")
        return name, None
    if sep and not metric:
        raise DecisionError(f"decision {rule!r}: tuned:<metric> needs a metric name")
    return name, metric if sep else DEFAULT_TUNED_METRIC


def decision_string(name: str, metric: str | None = None, calibration: str | None = None) -> str:
    """The canonical cell string: ``tuned`` for the default metric, else ``tuned:<metric>``, then
    ``+<calibration>`` if any (one spelling per experiment, so one cell id)."""
    if metric is not None and name != TUNED:
        raise DecisionError(f"decision {name!r} takes no metric")
    parse_decision(name)
    if calibration is not None and calibration not in CALIBRATIONS:
        raise DecisionError(f"calibration {calibration!r}; allowed: {', '.join(CALIBRATIONS)}")
    out = name
    if name == TUNED and metric is not None and metric != DEFAULT_TUNED_METRIC:
        out = f"{TUNED}:{metric}"
    return out if calibration is None else f"{out}+{calibration}"


def decision_needs_validation(decision: str) -> bool:
    """A tuned rule and every calibration are fitted on the validation part."""
    return parse_decision(decision)[0] == TUNED or split_calibration(decision)[1] is not None


def decision_rule(decision: str) -> str:
    """The rule part of a decision string (``"tuned:mcc"`` -> ``"tuned"``)."""
    return parse_decision(decision)[0]


# ---- inspection verdicts (the `verdict` column of the store's inspect table, bench.inspect) ---
SEPARABLE = "separable"  # recall ceiling >= 0.9 and not rare
RARE_SEPARABLE = "rare_separable"  # rare but separable: resampling or class weights can help
PARTIAL_OVERLAP = "partial_overlap"  # ceiling from 0.5 to 0.9: a decision rule trades, features lift
OVERLAPPING = "overlapping"  # ceiling below 0.5, neighbours mostly other classes: features, not resampling
TOO_FEW = "too_few"  # ceiling below 0.5, neighbours mostly its own: too few rows to learn it
UNKNOWN = "unknown"  # too few rows to estimate anything
VERDICTS = (SEPARABLE, RARE_SEPARABLE, PARTIAL_OVERLAP, OVERLAPPING, TOO_FEW, UNKNOWN)
PROJECTIONS = ("pca", "tsne", "umap")  # 2-D projections of `bench inspect --projection`


# ---- the tuning axis (bench.protocol.tune; docs/tuning.md) ---------------------------------
# A cell's `tuning` is "default" (the entry's parameters as given) or a search, written
# canonically as ``<tuner>(<trials>[,budget_s=<s>][,metric=<m>])``: ``tpe(30)``,
# ``random(10,budget_s=600)``, ``tpe(30,metric=mcc)``. One spelling per experiment, so one cell id.
DEFAULT_TUNING = "default"
TPE, RANDOM = "tpe", "random"
TUNERS = (TPE, RANDOM)
TUNING_KEYS = ("name", "trials", "budget_s", "metric")
DEFAULT_TRIALS = 30
DEFAULT_TUNING_METRIC = "macro_f1"  # the suite's default `metric`: left out of the spelling


@dataclass(frozen=True)
class TuningSpec:
    """A parsed tuning string: the tuner, its number of trials, an optional time budget for the
    whole search (seconds; Optuna's timeout) and the validation metric it optimises."""

    name: str
    trials: int
    budget_s: float | None = None
    metric: str = DEFAULT_TUNING_METRIC

    def __post_init__(self) -> None:
        if self.name not in TUNERS:
            raise TuningError(f"tuning {self.name!r}: unknown tuner; allowed: "
                              f"{', '.join((DEFAULT_TUNING, *TUNERS))}")
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or self.trials < 1:
            raise TuningError(f"tuning {self.name}: trials {self.trials!r} must be an integer >= 1")
        if self.budget_s is not None and (isinstance(self.budget_s, bool)
                                          or not isinstance(self.budget_s, (int, float))
                                          or not 0 < self.budget_s < float("inf")):
            raise TuningError(f"tuning {self.name}: budget_s {self.budget_s!r} must be a "
                              "positive number of seconds")
        if not isinstance(self.metric, str) or not self.metric:
            raise TuningError(f"tuning {self.name}: metric {self.metric!r} must be a metric name")

    def __str__(self) -> str:
        parts = [str(self.trials)]
        if self.budget_s is not None:
            b = float(self.budget_s)
            parts.append(f"budget_s={b:g}" if float(f"{b:g}") == b else f"budget_s={b!r}")
        if self.metric != DEFAULT_TUNING_METRIC:
            parts.append(f"metric={self.metric}")
        return f"{self.name}({','.join(parts)})"


_TUNING_RE = re.compile(r"^([a-z_]+)\((\d+)(?:,budget_s=([0-9.e+-]+))?(?:,metric=([A-Za-z0-9_]+))?\)$")


def parse_tuning(text: str) -> TuningSpec | None:
    """A cell's tuning string -> its `TuningSpec`, None for "default"; TuningError otherwise.

    The one parser of the canonical spelling (the suite parser builds it with `str(TuningSpec)`).
    """
    if text == DEFAULT_TUNING:
        return None
    m = _TUNING_RE.match(str(text))
    if m is None:
        raise TuningError(f"tuning {text!r}: not a tuning; allowed: {DEFAULT_TUNING}, or "
                          f"<tuner>(<trials>[,budget_s=<s>][,metric=<m>]) with tuner one of "
                          f"{', '.join(TUNERS)}")
    name, trials, budget, metric = m.groups()
    try:
        budget_s = float(budget) if budget is not None else None
    except ValueError:
        raise TuningError(f"tuning {text!r}: budget_s {budget!r} is not a number") from None
    spec = TuningSpec(name, int(trials), budget_s, metric or DEFAULT_TUNING_METRIC)
    if str(spec) != text:
        raise TuningError(f"tuning {text!r}: not in canonical form; write {str(spec)!r}")
    return spec
