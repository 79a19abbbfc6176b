"""The `tuning` axis: a seeded Optuna search inside one cell, on its fit and validation parts.

Why: "LightGBM tuned vs LightGBM default" is only a fair question if the search never sees the
test part, is reproducible, and costs what it says. So `search` takes the fit and validation
arrays and nothing else (the caller's `fit_predict` gets the same arrays from it and returns
validation probabilities), every trial is scored on the validation part under argmax with the
cell's metric, the tuner is seeded from the cell, and every trial is recorded (the `trials`
table). The protocol then refits once with the best parameters and scores the test part once
(`bench.protocol.evaluate`). Optuna is imported here only, when a tuned cell runs.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.core.columns import Columns
from bench.core.errors import TuningError
from bench.core.ids import derive_seed
from bench.core.space import MODEL_PREFIX, SAMPLER_PREFIX, Choice, Dimension, Float, Int
from bench.core.vocab import RANDOM, TPE, TuningSpec

# (model params, sampler params, X_fit, y_fit, X_val, y_val) -> validation probabilities (n_val, k)
FitPredict = Callable[[dict[str, Any], dict[str, Any], np.ndarray, np.ndarray, np.ndarray,
                       np.ndarray], np.ndarray]

TRIAL_COLUMNS = ["cell_id", "trial", "params", "value", "state", "duration_s", "error"]
COMPLETE, FAIL = "complete", "fail"
MAX_TPE_STARTUP = 10  # Optuna's default number of random trials before TPE models the results


@dataclass(frozen=True)
class TuneData:
    """The only rows a search ever gets: the fit part and the validation part of the cell."""

    X_fit: np.ndarray
    y_fit: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    n_classes: int
    minority: int  # the cell's minority class code (minority_* metrics)


@dataclass(frozen=True)
class Trial:
    number: int
    params: dict[str, Any]  # prefixed names: model.<param>, sampler.<param>
    value: float  # the validation metric; NaN for a failed trial
    state: str  # complete | fail
    duration_s: float
    error: str = ""


@dataclass
class TuneResult:
    """The search's outcome: the best parameters, their validation score, every trial."""

    spec: TuningSpec
    params: dict[str, Any]
    score: float
    trials: list[Trial] = field(default_factory=list)
    tune_s: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def model_params(self) -> dict[str, Any]:
        return split_params(self.params)[0]

    @property
    def sampler_params(self) -> dict[str, Any]:
        return split_params(self.params)[1]


def split_params(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Prefixed search parameters -> (model params, sampler params)."""
    model = {k[len(MODEL_PREFIX):]: v for k, v in params.items() if k.startswith(MODEL_PREFIX)}
    sampler = {k[len(SAMPLER_PREFIX):]: v for k, v in params.items()
               if k.startswith(SAMPLER_PREFIX)}
    return model, sampler


def tune_seed(model_seed: int) -> int:
    """The tuner's seed: from the cell's model seed, so the decision rules of one tuned cell
    (which share its fit) share its search, and a rerun draws the same trials."""
    return derive_seed("tune", model_seed) % (2**32)


def _sampler(spec: TuningSpec, seed: int) -> Any:
    import optuna

    if spec.name == TPE:
        # TPE models the results after its random start-up trials: a third of a small budget
        # (3 of 10), at most Optuna's default of 10, so a 10-trial search is not pure random.
        startup = max(1, min(MAX_TPE_STARTUP, spec.trials // 3))
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)
    if spec.name == RANDOM:
        return optuna.samplers.RandomSampler(seed=seed)
    raise TuningError(f"tuner {spec.name!r}; allowed: {TPE}, {RANDOM}")


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _suggest(trial: Any, name: str, dim: Dimension) -> Any:
    """One Optuna suggestion; Choice values that are not scalars (lists) travel as JSON."""
    if isinstance(dim, Float):
        return trial.suggest_float(name, dim.low, dim.high, log=dim.log)
    if isinstance(dim, Int):
        return trial.suggest_int(name, dim.low, dim.high, log=dim.log)
    if isinstance(dim, Choice):
        if all(_scalar(v) for v in dim.values):
            return trial.suggest_categorical(name, list(dim.values))
        return json.loads(trial.suggest_categorical(name, [json.dumps(v) for v in dim.values]))
    raise TuningError(f"search dimension {name}: {dim!r} is not a Float, Int or Choice")


def validation_score(metric: str, proba: np.ndarray, data: TuneData) -> float:
    """The trial's score: `metric` of the argmax decision on the validation part."""
    from bench.metrics import ScoreInput, get_metric

    proba = np.asarray(proba, dtype=float)
    inp = ScoreInput(y_true=data.y_val, y_pred=proba.argmax(axis=1), proba=proba,
                     n_classes=data.n_classes,
                     train_counts=np.bincount(data.y_fit, minlength=data.n_classes),
                     minority=data.minority)
    return float(get_metric(metric).fn(inp))


class _TrialFailed(Exception):
    """A trial's fit or score raised: recorded as a failed trial, the search goes on."""


def search(spec: TuningSpec, space: dict[str, Dimension], data: TuneData,
           fit_predict: FitPredict, seed: int) -> TuneResult:
    """Run `spec.trials` trials (or fewer when `spec.budget_s` runs out) of `spec.name` over
    `space`, each fitting on the fit part and scoring the validation part; the best complete
    trial wins (ties: the earliest). TuningError when the space is empty or every trial failed;
    MemoryError is never swallowed (the cell is then `oom`)."""
    import optuna
    from bench.metrics import get_metric

    if not space:
        raise TuningError(f"tuning {spec}: the search space is empty")
    if len(data.y_val) == 0:
        raise TuningError(f"tuning {spec}: needs a validation part (validation > 0)")
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # trials are recorded, not logged
    direction = "maximize" if get_metric(spec.metric).direction == "max" else "minimize"
    study = optuna.create_study(direction=direction, sampler=_sampler(spec, seed))
    caught_all: set[str] = set()

    def objective(trial: Any) -> float:
        params = {name: _suggest(trial, name, dim) for name, dim in space.items()}
        trial.set_user_attr("params", params)
        model_params, sampler_params = split_params(params)
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                proba = fit_predict(model_params, sampler_params, data.X_fit, data.y_fit,
                                    data.X_val, data.y_val)
                value = validation_score(spec.metric, proba, data)
            caught_all.update(f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught)
            if not math.isfinite(value):
                raise ValueError(f"{spec.metric} on the validation part is {value}")
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 — a failing trial is recorded, never fatal
            trial.set_user_attr("error", f"{type(exc).__name__}: {str(exc)[:500]}")
            raise _TrialFailed(str(exc)) from exc
        finally:
            trial.set_user_attr("duration_s", time.perf_counter() - t0)
        return value

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=spec.trials, timeout=spec.budget_s, catch=(_TrialFailed,))
    tune_s = time.perf_counter() - t0
    trials = [Trial(number=t.number, params=t.user_attrs.get("params", {}),
                    value=float(t.value) if t.value is not None else math.nan,
                    state=COMPLETE if t.state == optuna.trial.TrialState.COMPLETE else FAIL,
                    duration_s=float(t.user_attrs.get("duration_s", math.nan)),
                    error=str(t.user_attrs.get("error", "")))
              for t in study.trials]
    done = [t for t in trials if t.state == COMPLETE]
    if not done:
        first = trials[0].error if trials else "no trial ran"
        raise TuningError(f"tuning {spec}: all {len(trials)} trial(s) failed; the first: {first}")
    sign = 1.0 if direction == "maximize" else -1.0
    best = max(done, key=lambda t: (sign * t.value, -t.number))
    return TuneResult(spec, dict(best.params), best.value, trials, tune_s, sorted(caught_all))


def trials_table(cell_id: str, result: TuneResult | None) -> Columns:
    """The store's `trials` table for one cell: one row per trial (empty for a default cell)."""
    rows = [] if result is None else result.trials
    return Columns({
        "cell_id": [cell_id] * len(rows),
        "trial": [t.number for t in rows],
        "params": [json.dumps(t.params, sort_keys=True) for t in rows],
        "value": [t.value for t in rows],
        "state": [t.state for t in rows],
        "duration_s": [t.duration_s for t in rows],
        "error": [t.error for t in rows],
    }, {"cell_id": "string", "trial": "int64", "params": "string", "value": "float64",
        "state": "string", "duration_s": "float64", "error": "string"})


def tuning_columns(result: TuneResult | None) -> dict[str, Any]:
    """The `cells` row's search columns (the `tuning` label itself is an identity column);
    a default cell: "{}", NaN, 0 trials, 0 s."""
    if result is None:
        return {"tuned_params": "{}", "tune_score": math.nan, "tune_trials": 0, "tune_s": 0.0}
    return {"tuned_params": json.dumps(result.params, sort_keys=True),
            "tune_score": result.score, "tune_trials": len(result.trials),
            "tune_s": result.tune_s}


def search_cell(cell: Any, data: TuneData, fit_predict: FitPredict) -> TuneResult:
    """The search of a tuned cell: its spec, the model's and sampler's registered spaces minus
    the parameters its suite entry sets (`bench.core.space.cell_space`), a seed from the cell."""
    from bench.core.space import NO_SPACE, cell_space
    from bench.models.registry import MODELS
    from bench.sampling.registry import SAMPLERS

    spec = cell.tuning_spec
    if spec is None:
        raise TuningError(f"cell {cell.cell_id[:12]} is not tuned (tuning = {cell.tuning!r})")
    space = cell_space(getattr(MODELS.get(cell.model.name), "space", NO_SPACE),
                       getattr(SAMPLERS.get(cell.sampler.name), "space", NO_SPACE),
                       cell.model.kwargs, cell.sampler.kwargs)
    if not space:
        raise TuningError(f"tuning {spec}: model {cell.model.name!r} and sampler "
                          f"{cell.sampler.name!r} declare no search space (or the suite fixes "
                          "every parameter in it)")
    return search(spec, space, data, fit_predict, tune_seed(cell.model_seed))
