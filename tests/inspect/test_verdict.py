"""Verdict rules on hand-made classes: the words and the numbers in the sentence."""

from __future__ import annotations

import math

from bench.core.vocab import (
    OVERLAPPING,
    PARTIAL_OVERLAP,
    RARE_SEPARABLE,
    SEPARABLE,
    TOO_FEW,
    UNKNOWN,
    VERDICTS,
)
from bench.inspect.result import ClassInspection
from bench.inspect.verdict import verdict


def cls(label: str = "2", count: int = 1000, own: float = 0.36, ceiling: float = 0.05,
        sd: float = 0.02, overlaps: dict | None = None) -> ClassInspection:
    overlaps = {"0": 0.31, "1": 0.30, "3": 0.03} if overlaps is None else overlaps
    return ClassInspection(2, label, count, count, own, overlaps, ceiling, sd, ceiling - 2 * sd,
                           ceiling + 2 * sd)


def test_overlapping_names_the_classes_and_the_lever() -> None:
    word, text = verdict(cls(), largest=1000)
    assert word == OVERLAPPING
    assert text == ("class 2 overlaps classes 0 and 1 (61% of its neighbours belong to them; "
                    "recall ceiling 0.05 ± 0.02): more or better features, not resampling, is "
                    "the lever")


def test_rare_but_separable() -> None:
    word, text = verdict(cls("3", count=40, own=0.95, ceiling=0.97, sd=0.01,
                             overlaps={"0": 0.05}), largest=1000)
    assert word == RARE_SEPARABLE
    assert text.startswith("class 3 is rare (40 rows, 1:25 to the largest class) but separable "
                           "(recall ceiling 0.97 ± 0.01)")
    assert "resampling or class weights can help" in text


def test_separable_partial_too_few_unknown() -> None:
    assert verdict(cls(own=0.98, ceiling=0.99, overlaps={"0": 0.02}), 1000)[0] == SEPARABLE
    word, text = verdict(cls(own=0.7, ceiling=0.7, overlaps={"0": 0.3}), 1000)
    assert word == PARTIAL_OVERLAP and "partly overlaps class 0 (30%" in text
    word, text = verdict(cls(count=8, own=0.8, ceiling=0.2, overlaps={"0": 0.2}), 1000)
    assert word == TOO_FEW and "only 8 rows" in text
    word, _ = verdict(cls(count=1, ceiling=math.nan, sd=math.nan), 1000)
    assert word == UNKNOWN
    assert {OVERLAPPING, PARTIAL_OVERLAP, RARE_SEPARABLE, SEPARABLE, TOO_FEW, UNKNOWN} == set(VERDICTS)


def test_hostile_label_is_kept_verbatim_in_the_sentence() -> None:
    word, text = verdict(cls("<script>", overlaps={"[/x]": 0.7}, own=0.3), 1000)
    assert word == OVERLAPPING and text.startswith("class <script> overlaps class [/x] (70%")
