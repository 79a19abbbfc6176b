"""`bench validate`: what a suite would run, without running anything.

It loads the data (once per dataset) and computes every split with the run's own function, so
it can show the per-class counts a cell will see and announce the cells the data cannot supply
(see `bench.suite.grid`) before any fitting.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench.core.cell import Cell
from bench.suite.grid import Survey, expand, plan, split_key, survey
from bench.suite.parse import Suite, load_suite


def class_count_rows(suite: Suite, data: Survey) -> list[dict[str, Any]]:
    """Per dataset x profile x ratio x test prior: each class's fit / validation / test counts.

    Counts are computed exactly for every repeat x fold (with the run's split); a row shows the
    smallest count of each class over them (the binding case), `min_test` the smallest test
    count of any class, and `problem` the first failing split's message (then the counts cover
    the splits that succeed, and may be empty).
    """
    groups: dict[tuple[Any, ...], dict[tuple[Any, ...], Cell]] = {}
    for cell in expand(suite):  # one representative cell per split
        group = (cell.dataset, cell.profile, cell.ratio, cell.test_prior)
        groups.setdefault(group, {}).setdefault(split_key(cell), cell)
    rows: list[dict[str, Any]] = []
    for (component, profile, ratio, _), by_split in groups.items():
        ds = data.datasets.get(component)
        if ds is None:
            continue
        cells = list(by_split.values())
        low: dict[str, np.ndarray] = {}
        problem = ""
        for cell in cells:
            split = data.counts(cell)
            if isinstance(split, str):
                problem = problem or split
                continue
            for part, counts in (split or {}).items():
                low[part] = counts if part not in low else np.minimum(low[part], counts)
        classes = [{"label": str(lab), **{part: int(low[part][c]) for part in ("fit", "val", "test")}}
                   for c, lab in enumerate(ds.labels)] if low else []
        rows.append({
            "dataset": component.label, "profile": profile, "ratio": f"{ratio:g}",
            "test_prior": cells[0].test_prior_label, "classes": classes,
            "min_test": min((c["test"] for c in classes), default=0), "problem": problem,
        })
    return rows


def describe(suite_path: str | Path) -> dict:
    """Cell count, per-axis values, the skip list (reason -> number of cells), the per-class
    counts table (`class_counts`, see `class_count_rows`) and the datasets that could not be
    loaded before the run (`data_problems`)."""
    suite: Suite = load_suite(suite_path)
    data = survey(suite.datasets)
    cells, skipped = plan(suite, data)
    axes = {
        "datasets": [d.label for d in suite.datasets],
        "profiles": list(suite.profiles),
        "ratios": [f"{r:g}" for r in suite.ratios],
        "test_priors": [p if isinstance(p, str) else ",".join(f"{k}:{v:g}" for k, v in p)
                        for p in suite.test_priors],
        "samplers": [s.label for s in suite.samplers],
        "models": [m.label for m in suite.models],
        "decompositions": list(suite.decompositions),
        "decisions": list(suite.decisions),
        "tuning": list(suite.tunings),
        "splits": [f"{suite.folds}-fold x {suite.repeats} repeat(s)" if suite.folds
                   else f"holdout {suite.holdout:g} x {suite.repeats} repeat(s)"],
    }
    reasons = Counter(reason for _, reason in skipped)
    return {"suite": suite.name, "n_cells": len(cells), "n_skipped": len(skipped),
            "axes": axes, "skip_reasons": dict(reasons),
            "class_counts": class_count_rows(suite, data), "data_problems": list(data.problems)}
