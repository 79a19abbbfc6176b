"""`imblearn`: a dataset of imbalanced-learn's benchmark collection (`fetch_datasets`).

Suite entry:

    [[datasets]]
    name = "imblearn"
    set = "ecoli"            # one of the 27 names (bench list datasets shows them)
    cache = ""               # default: $BENCH_DATA_HOME, else scikit-learn's data home
    download = true          # false: only the cache is used (offline); a missing file is an error

Loading goes through `imblearn.datasets.fetch_datasets(data_home=<cache>, filter_data=(set,))`,
which reads `<cache>/zenodo/x<ID>data.npz` (arrays `data` and `label`, ID = the set's 1-based
position in the collection) and downloads the whole collection once when a file is missing.
The sets are binary with labels -1 (majority) and 1 (minority).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bench.data.cache import data_home
from bench.data.dataset import Dataset, DatasetError, from_arrays
from bench.data.registry import dataset
from bench.core.params import REQUIRED

SETS = ("ecoli", "optical_digits", "satimage", "pen_digits", "abalone", "sick_euthyroid",
        "spectrometer", "car_eval_34", "isolet", "us_crime", "yeast_ml8", "scene", "libras_move",
        "thyroid_sick", "coil_2000", "arrhythmia", "solar_flare_m0", "oil", "car_eval_4",
        "wine_quality", "letter_img", "yeast_me2", "webpage", "ozone_level", "mammography",
        "protein_homo", "abalone_19")


def cache_file(home: Path, name: str) -> Path:
    """Where fetch_datasets reads set `name` (its ID is the 1-based position in SETS)."""
    return home / "zenodo" / f"x{SETS.index(name) + 1}data.npz"


def check(params: dict[str, Any]) -> list[str]:
    if params["set"] not in SETS:
        return [f"set: {params['set']!r} is not in imbalanced-learn's collection; allowed: "
                + ", ".join(SETS)]
    return []


@dataset("imblearn", {"set": REQUIRED, "cache": "", "download": True},
         "imbalanced-learn's benchmark collection (fetch_datasets; 27 binary sets)", check=check)
def imblearn_dataset(set: str, cache: str, download: bool) -> Dataset:  # noqa: A002 — suite key
    if set not in SETS:
        raise DatasetError(f"imblearn: unknown set {set!r}; allowed: {', '.join(SETS)}")
    home = data_home(cache)
    if not download and not cache_file(home, set).exists():
        raise DatasetError(f"imblearn {set}: download = false and the cache lacks "
                           f"{cache_file(home, set)}")
    from imblearn.datasets import fetch_datasets

    try:
        bunch = fetch_datasets(data_home=str(home), filter_data=(set,),
                               download_if_missing=download)[set]
    except OSError as exc:
        raise DatasetError(f"imblearn {set}: cannot load ({exc}); fill the cache at {home} or run "
                           "where zenodo.org is reachable") from None
    X = np.asarray(bunch.data, dtype=np.float64)
    return from_arrays(f"imblearn-{set}", X, np.asarray(bunch.target),
                       description=f"imbalanced-learn benchmark set {set}")
