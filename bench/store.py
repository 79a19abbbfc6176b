"""Parquet results store: atomic per-cell writes, resume by cell_id, bounded file count.

Layout: `<store>/<table>/*.parquet` for tables cells, per_class, confusion, curves (and
predictions). Each finished cell is written at once as one small part file per table (temporary
file, then `os.replace`), so a killed run loses nothing it finished; `compact()` merges parts into
one file per table (run at the end of every run and on open), so `pandas.read_parquet(store /
"cells")` reads a table whole and the file count stays bounded. The `cells` part is written
last: a cell counts as finished only once its `cells` row exists. Newer rows of a cell_id replace
older ones (a recomputed failure, `--fresh`).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pandas as pd

from bench.cell import CellResult

SCHEMA_VERSION = "1"
TABLES = ("cells", "per_class", "confusion", "curves", "predictions")
FINISHED = ("ok", "skipped")

# Identity columns come first; metric columns follow in registry order; then measures, provenance.
IDENTITY = ["cell_id", "status", "error", "dataset", "profile", "ratio", "minority", "test_prior",
            "sampler", "model", "family", "decomposition", "decision", "repeat", "fold"]
MEASURES = ["fit_s", "predict_s", "resample_s", "peak_mb", "n_train", "n_fit", "n_val", "n_test",
            "n_resampled", "train_counts", "resampled_counts", "test_counts", "dataset_fp",
            "decision_params", "class_labels", "train_prior", "test_prior_shares",
            "sampler_params", "preprocess", "device", "warnings", "cell_json"]
# device: cpu / cuda the cell ran on (not part of the cell id: keep cpu and cuda runs in
# separate stores). train_prior / test_prior_shares: JSON {label: share} of the imposed training distribution and
# of the requested test distribution; sampler_params: the sampler's effective parameters (e.g. a
# shrunk k_neighbors); preprocess: categorical encoding / imputation of the cell (bench.encode).
STRING_MEASURES = {"train_counts", "resampled_counts", "test_counts", "dataset_fp",
                   "decision_params", "class_labels", "train_prior", "test_prior_shares",
                   "sampler_params", "preprocess", "device", "warnings", "cell_json"}
INT_COLUMNS = {"repeat", "fold", "n_train", "n_fit", "n_val", "n_test", "n_resampled",
               "bootstrap_n"}
FLOAT_IDENTITY = {"ratio"}


def cells_columns() -> list[str]:
    from bench.bootstrap import ci_columns
    from bench.metrics import metric_names
    from bench.provenance import static_provenance

    return (IDENTITY + metric_names() + ci_columns() + MEASURES
            + ["schema_version", *static_provenance(), "utc"])


def conform_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Fixed column set and dtypes for the `cells` table (extra metric columns are kept after)."""
    from bench.provenance import static_provenance

    cols = cells_columns()
    strings = (set(IDENTITY) - INT_COLUMNS - FLOAT_IDENTITY) | STRING_MEASURES | {
        "schema_version", "utc", *static_provenance()}
    out = df.reindex(columns=cols + [c for c in df.columns if c not in cols])
    for c in out.columns:
        if c in INT_COLUMNS:
            out[c] = pd.array(pd.to_numeric(out[c], errors="coerce"), dtype="Int64")
        elif c in strings:
            out[c] = out[c].astype("string").fillna("")
        else:  # metrics and measures
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out


def _parts(d: Path) -> list[Path]:
    """Data files of a table in write order (hidden temporary files are never data)."""
    if not d.is_dir():
        return []
    files = [p for p in d.glob("*.parquet") if not p.name.startswith((".", "_"))]
    return sorted(files, key=lambda p: p.name.split("-")[1])


def _atomic_write(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


class Store:
    """A results directory; only the driver process writes to it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def table_dir(self, table: str) -> Path:
        return self.path / table

    def exists(self) -> bool:
        return (self.path / "cells").is_dir()

    # ---- writing -------------------------------------------------------------------------
    def write(self, result: CellResult, provenance: dict[str, str]) -> None:
        """Write one cell durably: child tables first, the `cells` row last (the commit mark)."""
        cid = result.row["cell_id"]
        stamp = f"{time.time_ns():020d}"
        for table in ("per_class", "confusion", "curves", "predictions"):
            df = getattr(result, table)
            if df is None or df.empty:
                continue
            d = self.table_dir(table)
            d.mkdir(parents=True, exist_ok=True)
            _atomic_write(df.reset_index(drop=True), d / f"part-{stamp}-{cid[:16]}.parquet")
        row = {**result.row, "schema_version": SCHEMA_VERSION, **provenance}
        d = self.table_dir("cells")
        d.mkdir(parents=True, exist_ok=True)
        _atomic_write(conform_cells(pd.DataFrame([row])), d / f"part-{stamp}-{cid[:16]}.parquet")

    def compact(self) -> None:
        """Merge each table's files into one; newest rows of a cell_id win."""
        for table in TABLES:
            d = self.table_dir(table)
            files = _parts(d)
            if len(files) <= 1:
                continue
            frames = []
            for order, f in enumerate(files):
                df = pd.read_parquet(f)
                df["__order"] = order
                frames.append(df)
            df = pd.concat(frames, ignore_index=True)
            newest = df.groupby("cell_id")["__order"].transform("max")
            df = df[df["__order"] == newest].drop(columns="__order")
            if table == "cells":
                df = conform_cells(df)
            stamp = f"{time.time_ns():020d}"
            _atomic_write(df.reset_index(drop=True), d / f"data-{stamp}-all.parquet")
            for f in files:
                f.unlink()

    def replace_table(self, table: str, df: pd.DataFrame) -> None:
        """Replace a whole table by `df` atomically (one new file, then the old files go).

        A reader in between sees old and new files; the new one is newest, so `read` already
        returns `df`. Only the files present when the call started are removed; still, do not
        replace a table while a run is writing to the store.
        """
        if table not in TABLES:
            raise KeyError(f"unknown table {table!r}; allowed: {', '.join(TABLES)}")
        d = self.table_dir(table)
        old = _parts(d)
        d.mkdir(parents=True, exist_ok=True)
        if table == "cells":
            df = conform_cells(df)
        _atomic_write(df.reset_index(drop=True), d / f"data-{time.time_ns():020d}-all.parquet")
        for f in old:
            f.unlink()

    def clear(self) -> None:
        for table in TABLES:
            d = self.table_dir(table)
            for f in _parts(d):
                f.unlink()

    # ---- reading -------------------------------------------------------------------------
    def read(self, table: str = "cells") -> pd.DataFrame:
        """The whole table, deduplicated by cell_id (newest wins) even before compaction."""
        d = self.table_dir(table)
        files = _parts(d)
        if not files:
            return conform_cells(pd.DataFrame()) if table == "cells" else pd.DataFrame()
        frames = [pd.read_parquet(f).assign(__order=i) for i, f in enumerate(files)]
        df = pd.concat(frames, ignore_index=True)
        newest = df.groupby("cell_id")["__order"].transform("max")
        return df[df["__order"] == newest].drop(columns="__order").reset_index(drop=True)

    def finished_ids(self) -> set[str]:
        cells = self.read("cells")
        if cells.empty:
            return set()
        return set(cells.loc[cells["status"].isin(FINISHED), "cell_id"])

    def write_meta(self, meta: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f".tmp-{uuid.uuid4().hex}-meta.json"
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True))
        os.replace(tmp, self.path / "meta.json")
