"""Plain-language verdicts: rare, or inseparable? With the numbers that say so.

Rules, for each class (ceiling c from `ceiling.py`, own share and per-class neighbour shares
from `overlap.py`, counts from the inspected table):
- no ceiling (fewer than 2 rows in the sample): `unknown`;
- c >= `HIGH` (0.9): `rare_separable` when the class is rare (at most `RARE` = 0.2 of the
  largest class's rows), else `separable`; resampling or class weights can help a rare one;
- c < `LOW` (0.5) and most of its rows' neighbours (>= 50%) belong to other classes:
  `overlapping`: more or better features, not resampling, is the lever;
- c < `LOW`, neighbours mostly its own, and rare: `too_few`: too few rows to learn it;
- otherwise `partial_overlap`: a decision rule trades its recall against the named classes'
  precision; better features raise the ceiling.
The classes a verdict names are those holding at least `NAMED` (10%) of its rows' neighbours.
"""

from __future__ import annotations

import math

from bench.core.vocab import (
    OVERLAPPING,
    PARTIAL_OVERLAP,
    RARE_SEPARABLE,
    SEPARABLE,
    TOO_FEW,
    UNKNOWN,
)
from bench.inspect.result import ClassInspection

HIGH, LOW, RARE, NAMED, MOSTLY_OTHERS = 0.9, 0.5, 0.2, 0.10, 0.5


def _names(labels: list[str]) -> str:
    word = "class" if len(labels) == 1 else "classes"
    if len(labels) <= 1:
        return f"{word} {''.join(labels)}"
    return f"{word} {', '.join(labels[:-1])} and {labels[-1]}"


def _ceiling(c: ClassInspection) -> str:
    return f"recall ceiling {c.ceiling:.2f} ± {c.ceiling_sd:.2f}"


def verdict(c: ClassInspection, largest: int) -> tuple[str, str]:
    """(verdict word of bench.core.vocab.VERDICTS, sentence) for one class."""
    name = f"class {c.label}"
    if not math.isfinite(c.ceiling):
        return UNKNOWN, (f"{name} has {c.n_sampled} row(s) in the sample: too few to estimate "
                         "its overlap or recall ceiling")
    rare = c.count <= RARE * largest
    named = sorted(((share, lab) for lab, share in c.overlaps.items() if share >= NAMED),
                   reverse=True)
    named_labels = [lab for _, lab in named]
    named_share = sum(share for share, _ in named)
    ratio = f"1:{largest / max(c.count, 1):.3g} to the largest class"
    if c.ceiling >= HIGH:
        if rare:
            return RARE_SEPARABLE, (f"{name} is rare ({c.count} rows, {ratio}) but separable "
                                    f"({_ceiling(c)}): resampling or class weights can help")
        if named_labels:
            return SEPARABLE, (f"{name} is separable ({_ceiling(c)}; {named_share:.0%} of its "
                               f"neighbours belong to {_names(named_labels)})")
        return SEPARABLE, (f"{name} is separable ({_ceiling(c)}; {c.own_share:.0%} of its "
                           "neighbours are its own)")
    if c.ceiling < LOW and c.overlap_share >= MOSTLY_OTHERS and named_labels:
        extra = f"; it is rare too ({c.count} rows, {ratio})" if rare else ""
        return OVERLAPPING, (f"{name} overlaps {_names(named_labels)} ({named_share:.0%} of its "
                             f"neighbours belong to {'it' if len(named) == 1 else 'them'}; "
                             f"{_ceiling(c)}{extra}): more or better features, not resampling, "
                             "is the lever")
    if c.ceiling < LOW and rare:
        return TOO_FEW, (f"{name} has only {c.count} rows ({ratio}) and {c.own_share:.0%} of its "
                         f"neighbours are its own, yet the {_ceiling(c)}: too few rows to learn "
                         "it; more rows of it help most, then resampling or class weights")
    if named_labels:
        return PARTIAL_OVERLAP, (f"{name} partly overlaps {_names(named_labels)} "
                                 f"({named_share:.0%} of its neighbours belong to "
                                 f"{'it' if len(named) == 1 else 'them'}; {_ceiling(c)}): a "
                                 "decision rule (threshold, class weights) trades its recall "
                                 f"against the precision of {_names(named_labels)}; better "
                                 "features raise the ceiling")
    return PARTIAL_OVERLAP, (f"{name} is partly confused with other classes ({_ceiling(c)}; "
                             f"{c.own_share:.0%} of its neighbours are its own): a decision rule "
                             "trades its recall against other classes' precision")
