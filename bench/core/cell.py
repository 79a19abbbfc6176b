"""The unit of work: a frozen, validated benchmark cell with a stable id.

Why: resume, paired comparisons and CI baselines all match results by `cell_id`, so the id must
depend only on what defines the experiment (never on Python's `hash()`, dict order or the process),
and it must change when the protocol changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bench.core.columns import Columns
from bench.core.errors import DecisionError, TuningError
from bench.core.ids import derive_seed, digest
from bench.core.vocab import (
    DECOMPOSITIONS,
    DEFAULT_TUNING,
    PROFILES,
    TEST_PRIORS,
    TuningSpec,
    parse_decision,
    parse_tuning,
)

PROTOCOL_VERSION = "1"

JSONScalar = str | int | float | bool | None


def _freeze(value: Any) -> Any:
    """Make a JSON-like value hashable (lists -> tuples, dicts -> sorted item tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"parameter value {value!r} is not JSON-like")


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Component:
    """A named plugin with parameters (a dataset, sampler or model entry of a suite).

    `display` is the human label a suite may give (datasets' `label`); it is not part of the
    identity: equality, hashing, `to_json` and so every cell id ignore it, so naming an entry
    never invalidates stored results.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()
    display: str = field(default="", compare=False)

    @classmethod
    def of(cls, name: str, params: dict[str, Any] | None = None, display: str = "") -> Component:
        return cls(name, tuple(sorted((k, _freeze(v)) for k, v in (params or {}).items())), display)

    @property
    def kwargs(self) -> dict[str, Any]:
        return {k: _thaw(v) for k, v in self.params}

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "params": self.kwargs}

    @property
    def label(self) -> str:
        """Human label: `display` when given, else the name plus parameters when there are any."""
        if self.display:
            return self.display
        if not self.params:
            return self.name
        inner = ",".join(f"{k}={_thaw(v)}" for k, v in self.params)
        return f"{self.name}({inner})".replace(" ", "")


@dataclass(frozen=True)
class Cell:
    """One fit-and-score experiment; every field is part of its identity.

    `tuning` is "default" (the entry's parameters as given) or a search
    (``tpe(30)``: `bench.core.vocab.parse_tuning`); "default" is left out of `to_json`, so every
    cell id and seed written before the tuning axis existed stays what it was.
    """

    dataset: Component
    sampler: Component
    model: Component
    profile: str = "natural"
    ratio: float = 1.0
    minority: tuple[str, ...] | str = "rarest"
    test_prior: str | tuple[tuple[str, float], ...] = "same"
    decomposition: str = "native"
    decision: str = "argmax"
    folds: int | None = 3
    holdout: float | None = None
    validation: float = 0.2
    repeat: int = 0
    fold: int = 0
    seed: int = 0
    tuning: str = DEFAULT_TUNING

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile {self.profile!r}; allowed: {', '.join(PROFILES)}")
        if not self.ratio >= 1:
            raise ValueError(f"ratio must be >= 1, got {self.ratio}")
        if self.decomposition not in DECOMPOSITIONS:
            raise ValueError(
                f"decomposition {self.decomposition!r}; allowed: {', '.join(DECOMPOSITIONS)}"
            )
        try:
            parse_decision(self.decision)  # "tuned:<metric>" names its metric
        except DecisionError as exc:
            raise ValueError(str(exc)) from None
        if isinstance(self.test_prior, str) and self.test_prior not in TEST_PRIORS:
            raise ValueError(f"test_prior {self.test_prior!r}; allowed: {', '.join(TEST_PRIORS)}")
        if (self.folds is None) == (self.holdout is None):
            raise ValueError("exactly one of folds and holdout must be set")
        if self.folds is not None and not (self.folds >= 2 and 0 <= self.fold < self.folds):
            raise ValueError(f"fold {self.fold} out of range for folds={self.folds}")
        if self.holdout is not None and not (0 < self.holdout < 1 and self.fold == 0):
            raise ValueError("holdout must be in (0, 1) with fold 0")
        if not 0 <= self.validation < 1:
            raise ValueError(f"validation must be in [0, 1), got {self.validation}")
        try:
            parse_tuning(self.tuning)
        except TuningError as exc:
            raise ValueError(str(exc)) from None

    # ---- identity -------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset.to_json(),
            "sampler": self.sampler.to_json(),
            "model": self.model.to_json(),
            "profile": self.profile,
            "ratio": float(self.ratio),
            "minority": _thaw(self.minority),
            "test_prior": self.test_prior if isinstance(self.test_prior, str)
            else {k: float(v) for k, v in self.test_prior},
            "decomposition": self.decomposition,
            "decision": self.decision,
            "folds": self.folds,
            "holdout": self.holdout,
            "validation": self.validation,
            "repeat": self.repeat,
            "fold": self.fold,
            "seed": self.seed,
        }
        if self.tuning != DEFAULT_TUNING:  # absent when default: older ids and seeds unchanged
            out["tuning"] = self.tuning
        return out

    @property
    def cell_id(self) -> str:
        return digest({"protocol": PROTOCOL_VERSION, **self.to_json()})

    # ---- derived randomness -----------------------------------------------------------------
    @property
    def partition_seed(self) -> int:
        """Seed of the outer fold assignment: shared by all folds of a repeat (disjoint tests)."""
        return derive_seed(
            "partition", self.dataset.to_json(), self.folds, self.holdout, self.seed, self.repeat
        )

    @property
    def split_seed(self) -> int:
        """Seed of imbalance subsampling and the validation carve-out.

        Depends only on dataset, imbalance, test prior, repeat and fold: every model and sampler
        is scored on the same rows, which makes comparisons paired.
        """
        j = self.to_json()
        keys = ("dataset", "profile", "ratio", "minority", "test_prior", "folds", "holdout",
                "validation", "seed", "repeat", "fold")
        return derive_seed("split", {k: j[k] for k in keys})

    @property
    def model_seed(self) -> int:
        """Seed of the sampler and model; the decision rule is excluded so rules share a fit."""
        j = self.to_json()
        j.pop("decision")
        return derive_seed("model", j)

    @property
    def fit_id(self) -> str:
        """What one fit is: every field but the decision rule (a full sha256, unlike the 31-bit
        `model_seed`). The one definition behind the executors' fit groups and the protocol's
        reuse of a worker's last fit: cells with equal `fit_id` fit the same pipeline."""
        j = self.to_json()
        j.pop("decision")
        return digest({"fit": j})

    @property
    def tuning_spec(self) -> TuningSpec | None:
        """The parsed search of a tuned cell; None for "default"."""
        return parse_tuning(self.tuning)

    @property
    def test_prior_label(self) -> str:
        if isinstance(self.test_prior, str):
            return self.test_prior
        return ",".join(f"{k}:{v:g}" for k, v in self.test_prior)

    @property
    def minority_label(self) -> str:
        return self.minority if isinstance(self.minority, str) else ",".join(map(str, self.minority))


Table = pd.DataFrame | Columns


class _Table:
    """A child table of a `CellResult`: given as a DataFrame or as `Columns`, read as a DataFrame,
    built on first read and kept (so a reader's in-place edits stay)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, result: CellResult | None, owner: type) -> Any:
        if result is None:
            return self
        table = result._tables.get(self.name)
        if table is None:
            if self.name == "predictions":
                return None  # recorded only on request (RunOptions.store_predictions)
            table = pd.DataFrame()
        elif isinstance(table, Columns):
            table = table.frame()
        result._tables[self.name] = table
        return table

    def __set__(self, result: CellResult, table: Table | None) -> None:
        result._tables[self.name] = table


class CellResult:
    """What the protocol returns for one cell: the `cells` row and its child tables.

    The tables read as DataFrames; the protocol gives them as `Columns`, which become DataFrames
    only when read (by the store, in the driver). A pickled result carries each table as it is
    held (plain attribute pickling): a table nobody read travels as columns, never as a frame.
    """

    per_class = _Table()
    confusion = _Table()
    curves = _Table()
    predictions = _Table()
    trials = _Table()  # a tuned cell's search

    def __init__(self, row: dict[str, Any], per_class: Table | None = None,
                 confusion: Table | None = None, curves: Table | None = None,
                 predictions: Table | None = None, trials: Table | None = None) -> None:
        self.row = row
        self._tables: dict[str, Table | None] = {
            "per_class": per_class, "confusion": confusion, "curves": curves,
            "predictions": predictions, "trials": trials}

    def built(self, name: str) -> bool:
        """Whether table `name` is held as a DataFrame (given as one, or read)."""
        return isinstance(self._tables.get(name), pd.DataFrame)

    def __repr__(self) -> str:
        held = ", ".join(f"{k}={type(v).__name__}" for k, v in self._tables.items() if v is not None)
        return f"CellResult(cell_id={self.row.get('cell_id', '')!r}, status={self.row.get('status')!r}, {held})"


@dataclass(frozen=True)
class RunOptions:
    """What a run records besides the cell's own results; never part of a cell's identity.

    store_predictions: return the per-row `predictions` table (re-scoring without refitting).
    bootstrap: resamples of the test part for per-cell percentile CIs of the headline metrics
    (0: off).
    """

    store_predictions: bool = False
    bootstrap: int = 0
