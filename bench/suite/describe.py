"""`bench validate`: what a suite would run, without running anything."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.suite.grid import plan
from bench.suite.parse import Suite, load_suite


def describe(suite_path: str | Path) -> dict:
    """Cell count, per-axis values and the skip list (cell label, reason) of a suite."""
    suite: Suite = load_suite(suite_path)
    cells, skipped = plan(suite)
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
        "splits": [f"{suite.folds}-fold x {suite.repeats} repeat(s)" if suite.folds
                   else f"holdout {suite.holdout:g} x {suite.repeats} repeat(s)"],
    }
    reasons = Counter(reason for _, reason in skipped)
    return {"suite": suite.name, "n_cells": len(cells), "n_skipped": len(skipped),
            "axes": axes, "skip_reasons": dict(reasons)}
