"""One table end to end: profiles imposed, the sample, the table rows and the JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bench.core.errors import CommandError, DataError
from bench.core.vocab import RARE_SEPARABLE, SEPARABLE, VERDICTS
from bench.inspect.analyze import InspectOptions, impose_profile, inspect_dataset
from bench.inspect.result import (
    INT_COLUMNS,
    STRING_COLUMNS,
    TABLE_COLUMNS,
    inspect_table,
    to_json_text,
)
from inspect_helpers import blobs

HOSTILE = ("<script>alert(1)</script>", "[/x]", 'a"b&c')


def test_a_rare_separable_class_is_told_apart_from_overlap() -> None:
    ds = blobs((200, 200, 12))
    ins = inspect_dataset(ds, InspectOptions())
    assert [c.verdict for c in ins.classes] == [SEPARABLE, SEPARABLE, RARE_SEPARABLE]
    assert ins.counts == [200, 200, 12] and ins.imbalance_ratio == pytest.approx(200 / 12)
    assert ins.classes[2].own_share == 1.0
    assert ins.projection is not None and ins.projection.xy.shape == (412, 2)
    assert ins.projection.axis_names[0].startswith("PC1 (")


def test_profile_cuts_the_counts_like_a_cell() -> None:
    ds = blobs((100, 100, 100))
    cut = impose_profile(ds, "step", 10, ("2",), seed=0, label="blobs")
    assert cut.counts.tolist() == [100, 100, 10]
    again = impose_profile(ds, "step", 10, ("2",), seed=0, label="blobs")
    assert cut.X.equals(again.X)  # seeded
    assert impose_profile(ds, "natural", 10, ("2",), seed=0) is ds
    with pytest.raises(DataError, match="class label '9' not found"):
        impose_profile(ds, "step", 10, ("9",), seed=0)


def test_sample_is_used_above_its_size() -> None:
    ds = blobs((300, 300, 30))
    ins = inspect_dataset(ds, InspectOptions(sample=100))
    # proportional 47.6 -> 48 lifted to the floor of 50 rows; 4.8 -> 5 lifted to all 30 rows
    assert ins.n_rows == 630 and ins.n_sample == 130
    assert [c.n_sampled for c in ins.classes] == [50, 50, 30]
    assert [c.count for c in ins.classes] == [300, 300, 30]
    assert "stratified sample of 130 of 630 rows" in ins.notes[0]


def test_table_rows_and_json_are_safe_with_hostile_labels() -> None:
    ds = blobs((40, 40, 40), labels=HOSTILE)
    ins = inspect_dataset(ds, InspectOptions(), label="<b>ds</b>", profile="natural",
                          minority="[/x]")
    ins.classes[0].ceiling_sd = math.nan  # a NaN must become null, not an invalid token
    df = inspect_table([ins])
    assert list(df.columns) == TABLE_COLUMNS and len(df) == 3
    assert {c for c in TABLE_COLUMNS if str(df[c].dtype) == "int64"} == INT_COLUMNS
    assert {c for c in TABLE_COLUMNS if str(df[c].dtype) == "string"} == STRING_COLUMNS
    assert sorted(df["class_label"]) == sorted(HOSTILE)
    assert set(df["verdict"]) <= set(VERDICTS)
    assert [set(json.loads(s)) for s in df["overlaps"]] == [
        set(HOSTILE) - {lab} for lab in df["class_label"]]
    text = to_json_text([ins])
    data = json.loads(text)  # strict JSON: no NaN token
    assert "NaN" not in text
    got = data["inspections"][0]
    assert got["dataset"] == "<b>ds</b>" and sorted(got["labels"]) == sorted(HOSTILE)
    assert got["classes"][0]["ceiling_sd"] is None
    assert set(got["projection"]["class"]) == set(HOSTILE)
    assert np.allclose(np.array(got["overlap"]).sum(axis=1), 1.0)


def test_options_are_checked_first() -> None:
    with pytest.raises(CommandError, match="--projection 'lda': allowed: pca, tsne, umap"):
        InspectOptions(projection="lda").check()
    with pytest.raises(CommandError, match="--sample 3"):
        InspectOptions(sample=3).check()
    with pytest.raises(CommandError, match="--neighbors 0"):
        InspectOptions(k=0).check()


def test_a_one_row_class_is_unknown_not_a_crash() -> None:
    from bench.core.vocab import UNKNOWN

    ins = inspect_dataset(blobs((30, 30, 1)), InspectOptions())
    c = ins.classes[2]
    assert c.count == 1 and math.isnan(c.ceiling) and c.verdict == UNKNOWN
    assert "1 row(s) in the sample: too few" in c.message
    assert [x.verdict for x in ins.classes[:2]] == [SEPARABLE, SEPARABLE]
