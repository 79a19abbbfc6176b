"""The grid: `expand(suite)` is the one enumerator of cells; `plan` applies the skip rule.

Why: every consumer (validate, run, baseline) must see exactly the same list of cells, in a
stable order, and a combination that makes no sense must be a skipped row with its reason, never
a silent gap.

The skip rule has two parts:

- **static** (`skip_reason`): combinations that make no sense whatever the data (a class-weight
  strategy for a model without per-sample weights, a tuned decision without a validation part);
- **data-aware** (`survey` + `data_skip_reason`): cells the data cannot supply. `plan` loads each
  dataset once (`bench.data.load_dataset`, cached per process) and computes every cell's split
  with the run's own function (`bench.data.partition.make_split`: exactly, for every repeat and
  fold, since it only draws row indices). A split that fails (a class with 1 training row where
  a validation part needs 2, a test prior the test part cannot supply, fewer rows than folds) and
  a sampler that declares itself inapplicable to the fit counts (its own check, e.g. SMOTE-family
  samplers on a class with a single training row) make the cell a skip, with exactly the message
  the run would have given. A dataset that cannot be loaded at plan time (an uncached download,
  a broken file) is listed in `Survey.problems` and its cells are left to the run, which reports
  the failure per cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.core.cell import Cell, Component
from bench.core.errors import DataError
from bench.core.space import NO_SPACE, cell_space
from bench.core.vocab import DEFAULT_TUNING, TUNED, decision_needs_validation, decision_rule
from bench.data import load_dataset
from bench.data.dataset import Dataset
from bench.data.partition import make_split
from bench.models import MODELS
from bench.sampling import SAMPLERS, NotApplicable, SamplerContext, build_sampler
from bench.suite.parse import Suite

NOT_APPLICABLE = "not applicable: "  # prefix of a sampler's inapplicability, as the run words it


def skip_reason(cell: Cell) -> str | None:
    """The explicit skip rule: combinations that make no sense get a reason, never a silent gap."""
    model = MODELS.get(cell.model.name)
    if SAMPLERS.get(cell.sampler.name).class_weight and not model.sample_weight:
        return (f"model {cell.model.name!r} cannot take per-sample weights (its "
                f"{model.library or 'library'} fit has no sample_weight), so the class_weight "
                "strategy does not apply")
    if decision_needs_validation(cell.decision) and cell.validation <= 0:
        what = "'tuned'" if decision_rule(cell.decision) == TUNED else f"{cell.decision!r}"
        return f"decision {what} needs a validation part (validation > 0)"
    if cell.tuning != DEFAULT_TUNING:
        return tuning_skip_reason(cell)
    return None


def tuning_skip_reason(cell: Cell) -> str | None:
    """A tuned cell needs a validation part to score its trials on and something to search: the
    model's and the sampler's declared spaces minus the parameters the suite fixes."""
    if cell.validation <= 0:
        return f"tuning {cell.tuning!r} needs a validation part (validation > 0)"
    model, sampler = MODELS.get(cell.model.name), SAMPLERS.get(cell.sampler.name)
    space = cell_space(getattr(model, "space", NO_SPACE), getattr(sampler, "space", NO_SPACE),
                       cell.model.kwargs, cell.sampler.kwargs)
    if not space:
        return (f"tuning {cell.tuning!r}: model {cell.model.name!r} and sampler "
                f"{cell.sampler.name!r} declare no search space (or the suite fixes every "
                "parameter in it), so there is nothing to tune; its default cell runs")
    return None


def expand(suite: Suite) -> list[Cell]:
    """Every cell of the grid, in a stable order (dataset outermost, so workers reuse caches).

    The `natural` profile ignores the ratio axis (one ratio-1 cell per combination).
    """
    cells: list[Cell] = []
    n_folds = suite.folds if suite.folds is not None else 1
    for ds in suite.datasets:
        for profile in suite.profiles:
            ratios = (1.0,) if profile == "natural" else suite.ratios
            for ratio in ratios:
                for prior in suite.test_priors:
                    for repeat in range(suite.repeats):
                        for fold in range(n_folds):
                            for sampler in suite.samplers:
                                for model in suite.models:
                                    for dec in suite.decompositions:
                                        for tuning in suite.tunings:
                                            for rule in suite.decisions:
                                                cells.append(Cell(
                                                    dataset=ds, sampler=sampler, model=model,
                                                    profile=profile, ratio=ratio,
                                                    minority=suite.minority, test_prior=prior,
                                                    decomposition=dec, decision=rule,
                                                    folds=suite.folds, holdout=suite.holdout,
                                                    validation=suite.validation, repeat=repeat,
                                                    fold=fold, seed=suite.seed, tuning=tuning))
    return cells


def split_key(cell: Cell) -> tuple[Any, ...]:
    """The fields `make_split` depends on: cells with equal keys share their rows exactly."""
    return (cell.dataset, cell.profile, cell.ratio, cell.minority, cell.test_prior, cell.folds,
            cell.holdout, cell.validation, cell.seed, cell.repeat, cell.fold)


@dataclass
class Survey:
    """What the data says about a grid before anything runs.

    `datasets`: the loaded dataset per suite entry (None where loading failed);
    `splits`: per `split_key`, the split's per-class counts (`Split.counts`: fit, val, test; the
    row indices are not kept) or the message of its failure;
    `problems`: one line per dataset that could not be loaded at plan time.
    """

    datasets: dict[Component, Dataset | None] = field(default_factory=dict)
    splits: dict[tuple[Any, ...], dict[str, np.ndarray] | str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _sampler_checks: dict[tuple[Any, ...], str | None] = field(default_factory=dict)

    def dataset(self, cell: Cell) -> Dataset | None:
        return self.datasets.get(cell.dataset)

    def counts(self, cell: Cell) -> dict[str, np.ndarray] | str | None:
        """The cell's per-class fit / val / test counts, the message of its split's failure, or
        None (dataset not loaded)."""
        ds = self.dataset(cell)
        if ds is None:
            return None
        key = split_key(cell)
        if key not in self.splits:
            try:
                self.splits[key] = make_split(ds, cell).counts(ds.y, ds.n_classes)
            except ValueError as exc:  # DataError, or scikit-learn refusing a stratified split
                self.splits[key] = (str(exc) if isinstance(exc, DataError)
                                    else f"{type(exc).__name__}: {exc}")
        return self.splits[key]

    def sampler_check(self, cell: Cell, ds: Dataset, fit_counts: np.ndarray) -> str | None:
        """The sampler's own verdict on the fit counts (its factory's checks), as the run would
        word it; None if it applies or fails for another reason (left to the run)."""
        entry = SAMPLERS.get(cell.sampler.name)
        if not entry.resamples:
            return None
        key = (cell.sampler, tuple(int(c) for c in fit_counts), tuple(ds.labels))
        if key not in self._sampler_checks:
            ctx = SamplerContext(cell.model_seed, np.asarray(fit_counts), 1,
                                 n_features=ds.X.shape[1], labels=tuple(map(str, ds.labels)))
            verdict = None
            try:
                build_sampler(entry, cell.sampler.kwargs, ctx)
            except NotApplicable as exc:
                verdict = f"{NOT_APPLICABLE}{exc}"
            except Exception:  # noqa: BLE001 — any other failure is the run's to report
                verdict = None
            self._sampler_checks[key] = verdict
        return self._sampler_checks[key]


def survey(datasets: Iterable[Component]) -> Survey:
    """Load every dataset once; a dataset that fails to load becomes a problem line."""
    out = Survey()
    for comp in datasets:
        if comp in out.datasets:
            continue
        try:
            out.datasets[comp] = load_dataset(comp)
        except Exception as exc:  # noqa: BLE001 — the run reports it per cell; planning goes on
            out.datasets[comp] = None
            out.problems.append(f"dataset {comp.label}: cannot be loaded before the run "
                                f"({type(exc).__name__}: {exc}); its cells are left to the run, "
                                "which reports the failure per cell")
    return out


def data_skip_reason(cell: Cell, data: Survey) -> str | None:
    """The data-aware skip rule: the message the run would give for a cell the data cannot
    supply (a failing split, an inapplicable sampler); None if the cell can run."""
    counts = data.counts(cell)
    if counts is None or isinstance(counts, str):
        return counts
    ds = data.dataset(cell)
    assert ds is not None
    return data.sampler_check(cell, ds, counts["fit"])


def plan(suite: Suite, data: Survey | bool = True) -> tuple[list[Cell], list[tuple[Cell, str]]]:
    """Split the grid into cells to run and (cell, reason) pairs the skip rule removes.

    `data`: a `Survey` of the suite's datasets, True (survey them here) or False (static rule
    only: nothing is loaded).
    """
    survey_ = survey(suite.datasets) if data is True else data if isinstance(data, Survey) else None
    run, skipped = [], []
    for cell in expand(suite):
        reason = skip_reason(cell)
        if reason is None and survey_ is not None:
            reason = data_skip_reason(cell, survey_)
        (skipped.append((cell, reason)) if reason else run.append(cell))
    return run, skipped
