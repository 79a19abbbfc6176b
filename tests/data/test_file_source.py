"""The `file` source: real tables in, with documented handling and one clear error per bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.core.cell import Cell, Component
from bench.data.dataset import DatasetError
from bench.data.sources.file import file_dataset
from bench.protocol import run_cell_safely
from bench.commands.run import run_suite
from bench.store import Store
from bench.suite import SuiteError, parse_suite


def messy_csv(path: Path) -> Path:
    """String labels, a categorical column, missing values and a class with 3 rows."""
    rng = np.random.default_rng(0)
    labels = ["cat"] * 40 + ["dog"] * 30 + ["bird"] * 20 + ["rare"] * 3
    n = len(labels)
    df = pd.DataFrame({
        "id": np.arange(n),
        "weight": rng.normal(size=n) + np.array([{"cat": 0, "dog": 2, "bird": 4, "rare": 6}[v]
                                                 for v in labels]),
        "height": rng.normal(size=n),
        "colour": rng.choice(["red", "green", "blue"], n).astype(object),
        "animal": labels,
    })
    df.loc[[3, 10, 50], "weight"] = np.nan
    df.loc[[5, 60], "colour"] = None
    df.to_csv(path, index=False)
    return path


def load(path: Path, **kw) -> object:
    params = {"path": str(path), "target": "animal", "features": [], "drop": ["id"],
              "categorical": ["colour"], "sep": ",", "format": "auto", **kw}
    return file_dataset(**params)


def test_messy_csv_loads_with_documented_handling(tmp_path: Path) -> None:
    ds = load(messy_csv(tmp_path / "messy.csv"))
    assert ds.labels == ["bird", "cat", "dog", "rare"]  # original names, sorted
    assert ds.counts.tolist() == [20, 40, 30, 3]
    assert list(ds.X.columns) == ["weight", "height", "colour"]
    assert ds.categorical == ["colour"]
    assert isinstance(ds.X["colour"].dtype, pd.CategoricalDtype)
    assert len(ds.X) == 93 and ds.X["weight"].isna().sum() == 3  # no row dropped
    assert len(ds.fingerprint) == 16


def test_messy_csv_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A relative path: the dataset entry (and so every split seed) is the same in every test
    # run, so which rows land in the fit part does not depend on the temporary directory.
    monkeypatch.chdir(tmp_path)
    csv = messy_csv(Path("messy.csv"))
    suite = tmp_path / "messy.toml"
    suite.write_text(f"""
name = "messy"
folds = 3
validation = 0.2
samplers = ["none", "smote", "random_over"]

[imbalance]
profile = "natural"

[[datasets]]
name = "file"
path = "{csv.as_posix()}"
target = "animal"
drop = ["id"]
categorical = ["colour"]

[[models]]
name = "logistic"

[[models]]
name = "lightgbm"
n_estimators = 20
""")
    _, summary = run_suite(suite, tmp_path / "store", workers=0)
    cells = Store(tmp_path / "store").read("cells")
    assert len(cells) == 18
    assert set(cells["status"]) <= {"ok", "skipped"}, cells["error"].tolist()
    ok = cells[cells["status"] == "ok"]
    assert len(ok) >= 12
    for _, row in ok.iterrows():
        pre = json.loads(row["preprocess"])
        assert pre["categorical"] == ["colour"] and pre["missing_in_fit"] > 0
        assert json.loads(row["class_labels"]) == ["bird", "cat", "dog", "rare"]
    skipped = cells[cells["status"] == "skipped"]
    for msg in skipped["error"]:  # SMOTE cannot interpolate a 1-row class: named precisely
        assert "class 'rare' has 1 training row(s)" in msg
    assert (ok["dataset_fp"] == ok["dataset_fp"].iloc[0]).all()
    per_class = Store(tmp_path / "store").read("per_class")
    assert set(per_class["label"]) == {"bird", "cat", "dog", "rare"}


def test_class_that_cannot_be_split_is_named(tmp_path: Path) -> None:
    csv = messy_csv(tmp_path / "messy.csv")
    cell = Cell(dataset=Component.of("file", {"path": str(csv), "target": "animal",
                                              "drop": ["id"], "categorical": ["colour"]}),
                sampler=Component.of("none"), model=Component.of("logistic"), folds=5)
    row = run_cell_safely(cell).row
    assert row["status"] == "error"
    assert ("class 'rare' has 3 row(s); a 5-fold stratified split needs at least 5 per class"
            in row["error"])


# ---- one clear error per bad input, before any fitting -------------------------------------
def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


BAD = {
    "missing target": ("x,y\n1,a\n2,b\n", {"target": "label"},
                       "target: column 'label' not found; columns are ['x', 'y']"),
    "empty file": ("", {}, "the file is empty"),
    "header only": ("x,label\n", {}, "the table has a header but no rows"),
    "single class": ("x,label\n1,a\n2,a\n3,a\n", {},
                     "only one class ('a', 3 rows); a classification benchmark needs at least two"),
    "non-numeric": ("x,shop,label\n1,north,a\n2,south,b\n", {},
                    "column 'shop' is not numeric (dtype"),
    "infinite": ("x,label\n1,a\ninf,b\n3,a\n", {},
                 "column 'x' has 1 infinite value(s) (first at row 1)"),
    "missing label": ("x,label\n1,a\n2,\n3,b\n", {}, "1 row(s) have a missing label"),
    "duplicate columns": ("x,x,w,w,label\n1,2,3,4,a\n3,4,5,6,b\n", {},
                          "duplicate column name(s) ['w', 'x'] in the header"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_one_clear_error(tmp_path: Path, case: str) -> None:
    text, kw, message = BAD[case]
    path = write(tmp_path, "bad.csv", text)
    params = {"path": str(path), "target": "label", **kw}
    with pytest.raises(DatasetError) as exc:
        file_dataset(**{"features": [], "drop": [], "categorical": None, "sep": ",",
                        "format": "auto", **params})
    assert message in str(exc.value)
    # in a run it is the cell's status and message, with nothing fitted
    cell = Cell(dataset=Component.of("file", params), sampler=Component.of("none"),
                model=Component.of("logistic"))
    row = run_cell_safely(cell).row
    assert row["status"] == "error" and message in row["error"]
    assert "fit_s" not in row


def test_non_numeric_message_says_how_to_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "x,shop,label\n1,north,a\n2,south,b\n")
    with pytest.raises(DatasetError) as exc:
        file_dataset(str(path), "label", [], [], None, ",", "auto")
    assert 'categorical = ["shop"]' in str(exc.value) and 'drop = ["shop"]' in str(exc.value)
    ds = file_dataset(str(path), "label", [], [], "auto", ",", "auto")
    assert ds.categorical == ["shop"]


def test_header_problems_fail_at_suite_validation(tmp_path: Path) -> None:
    good = write(tmp_path, "ok.csv", "x,label\n1,a\n2,b\n")
    empty = write(tmp_path, "empty.csv", "")
    suite = {"name": "t", "models": ["dummy"], "datasets": [
        {"name": "file", "path": str(good), "target": "nope"},
        {"name": "file", "path": str(empty), "target": "label"},
        {"name": "file", "path": str(tmp_path / "missing.csv"), "target": "label"},
        {"name": "file", "path": str(good), "target": "label", "categorical": ["zz"]},
        {"name": "file", "path": str(good), "target": "label", "drop": ["q"]},
        {"name": "file", "path": str(good), "target": "label", "format": "xlsx"},
        {"name": "file", "path": str(good)},
    ]}
    with pytest.raises(SuiteError) as exc:
        parse_suite(suite)
    errors = exc.value.errors
    assert errors[0].startswith("datasets[0].target: column 'nope' not found")
    assert errors[1].startswith("datasets[1].path:") and "empty" in errors[1]
    assert errors[2].startswith("datasets[2].path: file not found")
    assert errors[3].startswith("datasets[3].categorical: column(s) ['zz']")
    assert errors[4].startswith("datasets[4].drop: column(s) ['q'] not found")
    assert errors[5].startswith("datasets[5].format: 'xlsx'")
    assert errors[6] == "datasets[6].target: required parameter is missing"


def test_duplicate_column_names_are_an_error_not_a_rename(tmp_path: Path) -> None:
    """pandas would read `x,x` as columns x and x.1; the suite check and the loader refuse it,
    for CSV and for parquet (pyarrow can write repeated names)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv = write(tmp_path, "dup.csv", "x,x,label\n1,2,a\n3,4,b\n")
    assert list(pd.read_csv(csv).columns) == ["x", "x.1", "label"]  # the silent rename
    pq.write_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array([3, 4]), pa.array(["a", "b"])],
                                        names=["x", "x", "label"]), tmp_path / "dup.parquet")
    for path in (csv, tmp_path / "dup.parquet"):
        with pytest.raises(DatasetError, match=r"duplicate column name\(s\) \['x'\]"):
            file_dataset(str(path), "label", [], [], None, ",", "auto")
        with pytest.raises(SuiteError, match=r"datasets\[0\]\.path: .*duplicate column"):
            parse_suite({"name": "t", "models": ["dummy"],
                         "datasets": [{"name": "file", "path": str(path), "target": "label"}]})


def test_parquet_categories_and_integer_labels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "a": rng.normal(size=60),
        "kind": pd.Categorical(rng.choice(["p", "q"], 60)),  # typed categorical in the file
        "zone": rng.choice(["n", "s"], 60),
        "y": np.repeat([10, 2, 7], 20),
    })
    path = tmp_path / "t.parquet"
    df.to_parquet(path)
    ds = file_dataset(str(path), "y", [], [], ["zone"], ",", "auto")
    assert ds.labels == ["2", "7", "10"]  # integer labels, numeric order
    assert ds.categorical == ["kind", "zone"]
    only = file_dataset(str(path), "y", ["a", "kind"], [], None, ",", "auto")
    assert list(only.X.columns) == ["a", "kind"] and only.categorical == ["kind"]
