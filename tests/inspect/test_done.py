"""Issue 13's done-when checks on the real datasets: overlap found where the generator put it,
none where there is none."""

from __future__ import annotations

import pytest

from bench.core.cell import Component
from bench.core.vocab import OVERLAPPING, SEPARABLE
from bench.data import load_dataset
from bench.data.registry import DATASETS
from bench.inspect.analyze import InspectOptions, inspect_dataset


@pytest.mark.slow
def test_seed_overlap_class_2_overlaps_0_and_1_at_its_true_ceiling() -> None:
    ds = load_dataset(Component.of("seed-overlap"))
    truth = 1 - DATASETS.get("seed-overlap").params["overlap"]  # argmax recall of class 2
    ins = inspect_dataset(ds, InspectOptions(threads=2))
    c0, c1, c2 = ins.classes
    assert c2.verdict == OVERLAPPING
    assert c2.message.startswith("class 2 overlaps classes 0 and 1 (")
    assert abs(c2.ceiling - truth) <= 0.1
    assert c0.ceiling >= 0.9 and c1.ceiling >= 0.9
    assert c0.verdict == c1.verdict == SEPARABLE
    assert ins.overlap[2, 0] + ins.overlap[2, 1] > 0.5  # most of class 2's neighbours


@pytest.mark.slow
@pytest.mark.parametrize("component", [
    Component.of("wine"),
    Component.of("make-classification", {"class_sep": 3.0}),
], ids=["wine", "make-classification-sep3"])
def test_no_heavy_overlap_where_classes_are_apart(component: Component) -> None:
    ins = inspect_dataset(load_dataset(component), InspectOptions(threads=2))
    assert [c.verdict for c in ins.classes if c.verdict == OVERLAPPING] == []
    assert min(c.ceiling for c in ins.classes) >= 0.9
    assert ins.bayes_error < 0.06
