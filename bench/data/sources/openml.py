"""`openml`: an OpenML dataset (by data id) or a task's dataset and target (by task id).

Suite entry:

    [[datasets]]
    name = "openml"
    data_id = 40975          # or: task_id = 146821 (the task's dataset and target)
    target = ""              # default: the task's target, else the dataset's default target
    cache = ""               # default: $BENCH_DATA_HOME, else scikit-learn's data home
    download = true          # false: only the cache is used (offline); missing files are an error
    categorical = "auto"     # nominal attributes are categorical; or a list, or "auto"
    drop = []

Loading goes through `sklearn.datasets.fetch_openml(data_id=..., data_home=<cache>)`
and its cache layout, so a cache filled on a machine with internet works offline:

    <cache>/openml/openml.org/api/v1/json/data/<id>.gz            dataset description (JSON)
    <cache>/openml/openml.org/api/v1/json/data/features/<id>.gz   feature list (JSON)
    <cache>/openml/openml.org/api/v1/json/data/qualities/<id>.gz  qualities (JSON)
    <cache>/openml/openml.org/<path of the description's url>.gz  the ARFF data
    <cache>/openml/openml.org/api/v1/json/task/<id>.gz            task description (task_id only)

All files are gzip-compressed. The task description is read by this module (same layout as the
others; the OpenML JSON task format: `task.input[name = source_data].data_set` with
`data_set_id` and `target_feature`).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.data.cache import data_home
from bench.data.dataset import Dataset, DatasetError
from bench.data.sources.file import load_frame
from bench.data.registry import dataset

API = "https://www.openml.org/api/v1/json"
PARAMS = {"data_id": 0, "task_id": 0, "target": "", "cache": "", "download": True,
          "categorical": "auto", "features": [], "drop": []}


def openml_home(cache: str) -> Path:
    """The root of the OpenML files: fetch_openml(data_home=<cache>) appends `openml` itself."""
    return data_home(cache) / "openml"


def cached_path(home: Path, url: str) -> Path:
    """Where fetch_openml caches `url` under `home` (the URL path, gzip-compressed)."""
    return home / "openml.org" / (urlparse(url).path.lstrip("/") + ".gz")


def _read_json(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def _fetch_json(url: str, home: Path, download: bool) -> dict[str, Any]:
    path = cached_path(home, url)
    if not path.exists():
        if not download:
            raise DatasetError(f"not in the OpenML cache: {path} (download = false)")
        from urllib.request import urlopen

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{path.name}")
        try:
            with urlopen(url, timeout=60) as src, gzip.open(tmp, "wb") as dst:  # noqa: S310
                shutil.copyfileobj(src, dst)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DatasetError(f"cannot download {url}: {exc}") from None
        tmp.replace(path)
    return _read_json(path)


def task_source(task_id: int, home: Path, download: bool) -> tuple[int, str]:
    """(data_id, target) of an OpenML classification task."""
    doc = _fetch_json(f"{API}/task/{task_id}", home, download)
    task = doc.get("task", doc)
    inputs = task.get("input", [])
    inputs = inputs if isinstance(inputs, list) else [inputs]
    for item in inputs:
        if item.get("name") == "source_data":
            ds = item["data_set"]
            return int(ds["data_set_id"]), str(ds.get("target_feature", ""))
    raise DatasetError(f"OpenML task {task_id}: no source_data input in its description")


def missing_cache_files(data_id: int, home: Path) -> list[Path]:
    """Files fetch_openml would have to download for `data_id` (empty: works offline)."""
    desc_path = cached_path(home, f"{API}/data/{data_id}")
    need = [desc_path, cached_path(home, f"{API}/data/features/{data_id}")]
    if desc_path.exists():
        desc = _read_json(desc_path)["data_set_description"]
        if desc.get("format", "").lower() != "sparse_arff":
            need.append(cached_path(home, f"{API}/data/qualities/{data_id}"))
        need.append(cached_path(home, desc["url"]))
    return [p for p in need if not p.exists()]


def check(params: dict[str, Any]) -> list[str]:
    if (params["data_id"] > 0) == (params["task_id"] > 0):
        return ["data_id: give exactly one of data_id and task_id (a positive OpenML id)"]
    return []


@dataset("openml", PARAMS, "an OpenML dataset by data_id, or a task's dataset by task_id "
         "(through a local cache; download = false works offline)", check=check)
def openml_dataset(data_id: int, task_id: int, target: str, cache: str, download: bool,
                   categorical: Any, features: list[str], drop: list[str]) -> Dataset:
    if (data_id > 0) == (task_id > 0):
        raise DatasetError("openml: give exactly one of data_id and task_id")
    home = openml_home(cache)
    if task_id > 0:
        data_id, task_target = task_source(task_id, home, download)
        target = target or task_target
    if not download:
        missing = missing_cache_files(data_id, home)
        if missing:
            raise DatasetError(f"openml {data_id}: download = false and the cache lacks "
                               + ", ".join(str(p) for p in missing))
    from sklearn.datasets import fetch_openml

    try:
        bunch = fetch_openml(data_id=data_id, data_home=str(home.parent), target_column=None,
                             as_frame=True, parser="pandas")
    except OSError as exc:  # URLError included: no network and no cache
        raise DatasetError(f"openml {data_id}: cannot load ({exc}); fill the cache at {home} or "
                           "run where openml.org is reachable") from None
    details = bunch.get("details", {}) or {}
    target = target or str(details.get("default_target_attribute", "")).split(",")[0]
    if not target:
        raise DatasetError(f"openml {data_id}: no default target; set `target`")
    name = f"openml-{data_id}-{details.get('name', '')}".rstrip("-")
    return load_frame(name, bunch.frame.copy(), target, list(features), list(drop), categorical,
                      description=f"OpenML data id {data_id}"
                      + (f" (task {task_id})" if task_id else ""))
