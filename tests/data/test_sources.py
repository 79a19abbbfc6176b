"""Downloaded sources through a prepared local cache (offline), and the synthetic generators.

The caches are written in the layout the libraries read: `fetch_openml`'s gzip-compressed API
responses and ARFF file, `fetch_datasets`' `zenodo/x<ID>data.npz`. Live downloads are marked
`network` (skipped by default).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from bench.core.cell import Cell, Component
from bench.data.dataset import DatasetError
from bench.data.sources.imblearn_sets import SETS, cache_file, imblearn_dataset
from bench.data.sources.openml import API, cached_path, openml_dataset
from bench.data.registry import load_dataset
from bench.data.sources.synthetic import longtail_counts
from bench.protocol import run_cell

DATA_ID, FILE_ID, TASK_ID = 990001, 4242, 77001


def arff_text(n: int = 60) -> str:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        cls = "abc"[i % 3] if i % 10 else "c"
        x = "?" if i == 7 else f"{rng.normal() + 'abc'.index(cls):.3f}"
        colour = ["red", "green", "blue"][rng.integers(0, 3)]
        rows.append(f"{i},{x},{colour},{cls}")
    return ("@RELATION toy\n@ATTRIBUTE row_id NUMERIC\n@ATTRIBUTE x NUMERIC\n"
            "@ATTRIBUTE colour {red,green,blue}\n@ATTRIBUTE class {a,b,c}\n@DATA\n"
            + "\n".join(rows) + "\n")


def feature(index: int, name: str, kind: str, **kw: str) -> dict:
    return {"index": str(index), "name": name, "data_type": kind, "is_target": "false",
            "is_ignore": "false", "is_row_identifier": "false", "number_of_missing_values": "0",
            **kw}


def put(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as f:
        f.write(payload)


def prepare_openml_cache(cache: Path) -> None:
    """What fetch_openml(data_id=DATA_ID, data_home=cache) would have downloaded."""
    home = cache / "openml"
    arff = arff_text().encode()
    url = f"https://api.openml.org/data/v1/download/{FILE_ID}/toy.arff"
    desc = {"data_set_description": {
        "id": str(DATA_ID), "name": "toy", "version": "1", "format": "ARFF", "url": url,
        "file_id": str(FILE_ID), "default_target_attribute": "class", "status": "active",
        "md5_checksum": hashlib.md5(arff).hexdigest(), "description": "a prepared test cache"}}
    feats = {"data_features": {"feature": [
        feature(0, "row_id", "numeric", is_row_identifier="true"),
        feature(1, "x", "numeric", number_of_missing_values="1"),
        feature(2, "colour", "nominal", nominal_value=["red", "green", "blue"]),
        feature(3, "class", "nominal", nominal_value=["a", "b", "c"], is_target="true"),
    ]}}
    quals = {"data_qualities": {"quality": [{"name": "NumberOfInstances", "value": "60.0"}]}}
    put(cached_path(home, f"{API}/data/{DATA_ID}"), json.dumps(desc).encode())
    put(cached_path(home, f"{API}/data/features/{DATA_ID}"), json.dumps(feats).encode())
    put(cached_path(home, f"{API}/data/qualities/{DATA_ID}"), json.dumps(quals).encode())
    put(cached_path(home, url), arff)
    task = {"task": {"task_id": str(TASK_ID), "task_type": "Supervised Classification",
                     "input": [{"name": "source_data",
                                "data_set": {"data_set_id": str(DATA_ID),
                                             "target_feature": "class"}},
                               {"name": "estimation_procedure", "estimation_procedure": {}}]}}
    put(cached_path(home, f"{API}/task/{TASK_ID}"), json.dumps(task).encode())


def openml(cache: Path, **kw: object) -> object:
    params = {"data_id": 0, "task_id": 0, "target": "", "cache": str(cache), "download": False,
              "categorical": "auto", "features": [], "drop": [], **kw}
    return openml_dataset(**params)


def test_openml_from_a_prepared_cache_offline(tmp_path: Path) -> None:
    prepare_openml_cache(tmp_path)
    ds = openml(tmp_path, data_id=DATA_ID)
    assert ds.name == f"openml-{DATA_ID}-toy"
    assert ds.labels == ["a", "b", "c"]
    assert list(ds.X.columns) == ["x", "colour"]  # the row identifier is not a feature
    assert ds.categorical == ["colour"]  # nominal attribute -> categorical
    assert ds.X["x"].isna().sum() == 1
    by_task = openml(tmp_path, task_id=TASK_ID)
    assert by_task.fingerprint == ds.fingerprint


def test_openml_cache_runs_a_cell(tmp_path: Path) -> None:
    prepare_openml_cache(tmp_path)
    cell = Cell(dataset=Component.of("openml", {"data_id": DATA_ID, "cache": str(tmp_path),
                                                "download": False}),
                sampler=Component.of("smote"), model=Component.of("logistic"), folds=3,
                validation=0.0)
    row = run_cell(cell).row
    assert row["status"] == "ok" and len(row["dataset_fp"]) == 16
    assert json.loads(row["sampler_params"])["algorithm"] == "SMOTENC"


def test_openml_missing_cache_offline_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"download = false and the cache lacks .*data/123\.gz"):
        openml(tmp_path, data_id=123)
    with pytest.raises(DatasetError, match=r"not in the OpenML cache: .*task/5\.gz"):
        openml(tmp_path, task_id=5)
    with pytest.raises(DatasetError, match="exactly one of data_id and task_id"):
        openml(tmp_path)


def test_imblearn_from_a_prepared_cache_offline(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 7))
    y = np.r_[np.full(36, -1), np.full(4, 1)]
    path = cache_file(tmp_path, "ecoli")
    assert path == tmp_path / "zenodo" / "x1data.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, data=X, label=y)
    ds = imblearn_dataset("ecoli", str(tmp_path), False)
    assert ds.labels == ["-1", "1"] and ds.counts.tolist() == [36, 4]
    np.testing.assert_array_equal(ds.X.to_numpy(), X)
    with pytest.raises(DatasetError, match=r"cache lacks .*x27data\.npz"):
        imblearn_dataset("abalone_19", str(tmp_path), False)
    assert len(SETS) == 27


def test_synthetic_generators() -> None:
    assert longtail_counts(10, 500, 100).tolist() == [500, 300, 180, 108, 65, 39, 23, 14, 8, 5]
    ds = load_dataset(Component.of("longtail", {"n_classes": 4, "n_max": 200, "imbalance": 10.0}))
    assert ds.counts.tolist() == [200, 93, 43, 20]
    with pytest.raises(DatasetError, match=r"rarest class 0 row\(s\)"):
        load_dataset(Component.of("longtail", {"n_max": 100, "imbalance": 1000.0}))
    mk = load_dataset(Component.of("make-classification",
                                   {"n_samples": 1000, "weights": [0.7, 0.2, 0.1],
                                    "flip_y": 0.0}))
    assert mk.counts.tolist() == pytest.approx([700, 200, 100], abs=5)
    with pytest.raises(DatasetError, match="weights"):
        load_dataset(Component.of("make-classification", {"weights": [0.5, -1.0, 0.5]}))


@pytest.mark.network
def test_openml_live_download(tmp_path: Path) -> None:
    ds = openml(tmp_path, data_id=61, download=True)  # iris
    assert ds.counts.tolist() == [50, 50, 50]
    again = openml(tmp_path, data_id=61, download=False)  # now from the cache
    assert again.fingerprint == ds.fingerprint


@pytest.mark.network
def test_imblearn_live_download(tmp_path: Path) -> None:
    ds = imblearn_dataset("ecoli", str(tmp_path), True)
    assert ds.counts.sum() == 336
