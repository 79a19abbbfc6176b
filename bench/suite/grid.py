"""The grid: `expand(suite)` is the one enumerator of cells; `plan` applies the skip rule.

Why: every consumer (validate, run, baseline) must see exactly the same list of cells, in a
stable order, and a combination that makes no sense must be a skipped row with its reason, never
a silent gap.
"""

from __future__ import annotations

from bench.core.cell import Cell
from bench.core.vocab import TUNED, decision_rule
from bench.models import MODELS
from bench.sampling import SAMPLERS
from bench.suite.parse import Suite


def skip_reason(cell: Cell) -> str | None:
    """The explicit skip rule: combinations that make no sense get a reason, never a silent gap."""
    model = MODELS.get(cell.model.name)
    if SAMPLERS.get(cell.sampler.name).class_weight and not model.sample_weight:
        return (f"model {cell.model.name!r} cannot take per-sample weights (its "
                f"{model.library or 'library'} fit has no sample_weight), so the class_weight "
                "strategy does not apply")
    if decision_rule(cell.decision) == TUNED and cell.validation <= 0:
        return "decision 'tuned' needs a validation part (validation > 0)"
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
                                        for rule in suite.decisions:
                                            cells.append(Cell(
                                                dataset=ds, sampler=sampler, model=model,
                                                profile=profile, ratio=ratio,
                                                minority=suite.minority, test_prior=prior,
                                                decomposition=dec, decision=rule,
                                                folds=suite.folds, holdout=suite.holdout,
                                                validation=suite.validation, repeat=repeat,
                                                fold=fold, seed=suite.seed))
    return cells


def plan(suite: Suite) -> tuple[list[Cell], list[tuple[Cell, str]]]:
    """Split the grid into cells to run and (cell, reason) pairs the skip rule removes."""
    run, skipped = [], []
    for cell in expand(suite):
        reason = skip_reason(cell)
        (skipped.append((cell, reason)) if reason else run.append(cell))
    return run, skipped
