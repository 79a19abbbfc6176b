"""`--where`: the one filter syntax of summary, leaderboard, select and report; hostile input is a
clear error naming the key and what is allowed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.analysis.where import WHERE_KEYS, filter_where, parse_where, where_text
from bench.core.errors import BenchError, CommandError, UnknownName

DNN = "dnn(batch_size=128,hidden=[256,256],max_epochs=30)"


@pytest.fixture
def cells() -> pd.DataFrame:
    return pd.DataFrame({
        "cell_id": [f"c{i}" for i in range(6)],
        "dataset": pd.array(["wine", "wine", "iris", "iris", "a,b", "wine"], dtype="string"),
        "ratio": [1.0, 10.0, 1.0, 10.0, 2.5, 10.0],
        "model": pd.array(["dummy", DNN, "random_forest(n_estimators=20)", "random_forest_x",
                           "dummy", "<script>"], dtype="string"),
        "sampler": pd.array(["none"] * 6, dtype="string"),
        "repeat": pd.array([0, 0, 1, 1, 0, pd.NA], dtype="Int64"),
        "status": pd.array(["ok"] * 6, dtype="string"),
    })


def test_pairs_alternatives_and_repeated_options() -> None:
    assert parse_where(None) == {} and parse_where("") == {} and parse_where([]) == {}
    assert parse_where("dataset=wine, ratio=10|20") == {"dataset": ["wine"], "ratio": ["10", "20"]}
    assert parse_where(["dataset=wine", "ratio=10"]) == {"dataset": ["wine"], "ratio": ["10"]}
    assert parse_where("model=a|a|b") == {"model": ["a", "b"]}  # duplicates once, order kept


def test_commas_inside_brackets_belong_to_the_value() -> None:
    assert parse_where(f"model={DNN},ratio=1") == {"model": [DNN], "ratio": ["1"]}
    assert parse_where("sampler=none|smote(k_neighbors=5)") == {
        "sampler": ["none", "smote(k_neighbors=5)"]}


def test_escapes_give_literal_commas_bars_and_backslashes() -> None:
    assert parse_where(r"dataset=a\,b") == {"dataset": ["a,b"]}
    assert parse_where(r"dataset=a\|b|c") == {"dataset": ["a|b", "c"]}
    assert parse_where(r"dataset=a\\") == {"dataset": ["a\\"]}


@pytest.mark.parametrize("spec, words", [
    ("ratio", ["expected key=value", "dataset"]),          # '=' missing
    ("dataset=wine,oops", ["'oops'", "expected key=value"]),
    ("=wine", ["key before '=' is missing"]),
    ("dataset=", ["dataset needs a value"]),
    ("dataset=wine|", ["dataset needs a value"]),
    ("dataset=wine,dataset=iris", ["dataset is given twice", "dataset=a|b"]),
])
def test_malformed_filters_are_command_errors(spec: str, words: list[str]) -> None:
    with pytest.raises(CommandError) as err:
        parse_where(spec)
    for word in words:
        assert word in str(err.value)


@given(st.dictionaries(st.sampled_from(WHERE_KEYS),
                       st.lists(st.text(st.characters(blacklist_characters=",|\\=()[]{}",
                                                      blacklist_categories=("Cs", "Z", "Cc")),
                                        min_size=1), min_size=1, max_size=3, unique=True),
                       max_size=4))
def test_where_text_round_trips(where: dict[str, list[str]]) -> None:
    assert parse_where(where_text(where).replace(", ", ",")) == where


def test_filter_by_text_numbers_and_alternatives(cells: pd.DataFrame) -> None:
    assert filter_where(cells, "dataset=wine")["cell_id"].tolist() == ["c0", "c1", "c5"]
    assert filter_where(cells, "ratio=10")["cell_id"].tolist() == ["c1", "c3", "c5"]  # 10 == 10.0
    assert filter_where(cells, "ratio=10.0,dataset=iris")["cell_id"].tolist() == ["c3"]
    assert filter_where(cells, "ratio=1|2.5")["cell_id"].tolist() == ["c0", "c2", "c4"]
    assert filter_where(cells, r"dataset=a\,b")["cell_id"].tolist() == ["c4"]
    assert filter_where(cells, "repeat=1")["cell_id"].tolist() == ["c2", "c3"]  # NA never matches
    assert filter_where(cells, {"model": ["<script>"]})["cell_id"].tolist() == ["c5"]
    assert filter_where(cells, None) is cells and filter_where(cells, {}) is cells


def test_a_bare_name_matches_its_parameterised_labels_only(cells: pd.DataFrame) -> None:
    assert filter_where(cells, "model=random_forest")["cell_id"].tolist() == ["c2"]  # not _x
    assert filter_where(cells, "model=dnn")["cell_id"].tolist() == ["c1"]
    assert filter_where(cells, f"model={DNN}")["cell_id"].tolist() == ["c1"]
    assert filter_where(cells, "model=random_forest(n_estimators=20)")["cell_id"].tolist() == ["c2"]
    with pytest.raises(UnknownName):  # with parameters the label must match exactly
        filter_where(cells, "model=random_forest(n_estimators=2)")


def test_unknown_key_lists_the_allowed_keys(cells: pd.DataFrame) -> None:
    with pytest.raises(UnknownName) as err:
        filter_where(cells, "datset=wine")
    message = str(err.value)
    assert "'datset'" in message and "allowed: dataset, ratio, sampler, model, status, repeat" in message
    assert isinstance(err.value, KeyError) and isinstance(err.value, BenchError)


def test_a_value_no_cell_has_lists_the_values_present(cells: pd.DataFrame) -> None:
    with pytest.raises(UnknownName) as err:
        filter_where(cells, "dataset=wnie")
    assert "dataset=wnie" in str(err.value) and "a,b, iris, wine" in str(err.value)
    with pytest.raises(UnknownName) as err:
        filter_where(cells, "ratio=3")
    assert "1, 2.5, 10" in str(err.value)


def test_a_number_key_refuses_text_and_an_empty_intersection_is_an_error(cells: pd.DataFrame) -> None:
    with pytest.raises(CommandError, match="ratio takes a number"):
        filter_where(cells, "ratio=ten")
    with pytest.raises(CommandError, match="no cell satisfies every condition"):
        filter_where(cells, "dataset=iris,ratio=2.5")


def test_the_index_is_kept_for_joins(cells: pd.DataFrame) -> None:
    shifted = cells.set_index(np.arange(10, 16))
    assert filter_where(shifted, "dataset=iris").index.tolist() == [12, 13]
