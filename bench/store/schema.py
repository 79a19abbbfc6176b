"""The fixed, versioned schema of the store's tables: column order and dtypes.

Why: results are compared across runs, machines and library versions; a row written by a failure
and a row written by a success must have the same columns and types, so every `cells` frame goes
through `conform_cells` before it is written.
"""

from __future__ import annotations

import pandas as pd

from bench.core.vocab import DEFAULT_TUNING

# 2: the tuning axis (identity column `tuning`, the tune_* measures, the `trials` table); stores
# of version 1 read as they are: `tuning` is filled with "default", the other new columns NA.
# 3: `n_threads`, the cell's thread budget (a fit_s means little without it); NA in older rows.
SCHEMA_VERSION = "3"
TABLES = ("cells", "per_class", "confusion", "curves", "predictions", "trials")
# Tables written whole, not per cell (Store.write_whole / read_whole): `bench inspect`'s results.
INSPECT_TABLE = "inspect"

# Identity columns come first; metric columns follow in registry order; then measures, provenance.
IDENTITY = ["cell_id", "status", "error", "dataset", "profile", "ratio", "minority", "test_prior",
            "sampler", "model", "family", "decomposition", "decision", "tuning", "repeat", "fold"]
MEASURES = ["fit_s", "predict_s", "resample_s", "peak_mb", "n_threads", "n_train", "n_fit",
            "n_val", "n_test", "n_resampled", "train_counts", "resampled_counts", "test_counts", "minority_class",
            "predicted_classes", "min_test_count", "degenerate", "dataset_fp", "decision_params", "class_labels", "train_prior", "test_prior_shares",
            "sampler_params", "preprocess", "tuned_params", "tune_score", "tune_trials", "tune_s",
            "device", "fit_shared", "warnings", "cell_json"]
# n_threads: the thread budget the cell ran with (`--threads`: n_jobs / nthread / torch threads).
# tuning: "default" or the search (``tpe(30)``); tuned_params: JSON of the parameters the search
# chose ({} for default), tune_score: their validation score (NaN for default), tune_trials:
# trials run, tune_s: seconds searching (the final refit is in fit_s) (bench.protocol.tune).
# fit_shared: the row's decision rule reused the fit (and its fit_s / predict_s / peak_mb) of an
# earlier cell that differs only in the decision rule (bench.protocol.fitting); sum fit_s over
# rows with fit_shared false for the compute a run spent. device: cpu / cuda the cell ran on (not part of the cell id: keep cpu and cuda runs in
# separate stores). train_prior / test_prior_shares: JSON {label: share} of the imposed training distribution and
# of the requested test distribution; sampler_params: the sampler's effective parameters (e.g. a
# shrunk k_neighbors); preprocess: categorical encoding / imputation of the cell (bench.protocol.encode).
# minority_class: the label every minority_* metric is about; predicted_classes, min_test_count,
# degenerate: the degenerate-fit checks of bench.protocol.diagnostics (NA on failure rows).
STRING_MEASURES = {"train_counts", "resampled_counts", "test_counts", "minority_class", "dataset_fp",
                   "decision_params", "class_labels", "train_prior", "test_prior_shares",
                   "sampler_params", "preprocess", "tuned_params", "device", "warnings",
                   "cell_json"}
INT_COLUMNS = {"repeat", "fold", "n_threads", "n_train", "n_fit", "n_val", "n_test",
               "n_resampled", "bootstrap_n", "predicted_classes", "min_test_count", "tune_trials"}
BOOL_COLUMNS = {"degenerate", "fit_shared"}
FLOAT_IDENTITY = {"ratio"}


def cells_columns() -> list[str]:
    from bench.metrics.bootstrap import ci_columns
    from bench.metrics import metric_names
    from bench.store.provenance import static_provenance

    return (IDENTITY + metric_names() + ci_columns() + MEASURES
            + ["schema_version", *static_provenance(), "utc"])


def conform_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Fixed column set and dtypes for the `cells` table (extra metric columns are kept after)."""
    from bench.store.provenance import static_provenance

    cols = cells_columns()
    strings = (set(IDENTITY) - INT_COLUMNS - FLOAT_IDENTITY) | STRING_MEASURES | {
        "schema_version", "utc", *static_provenance()}
    out = df.reindex(columns=cols + [c for c in df.columns if c not in cols])
    for c in out.columns:
        if c in INT_COLUMNS:
            out[c] = pd.array(pd.to_numeric(out[c], errors="coerce"), dtype="Int64")
        elif c in BOOL_COLUMNS:
            out[c] = out[c].astype("boolean")
        elif c in strings:
            out[c] = out[c].astype("string").fillna("")
            if c == "tuning":  # rows written before the axis existed
                out[c] = out[c].mask(out[c] == "", DEFAULT_TUNING)
        else:  # metrics and measures
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out


# Columns older stores lack, with what they mean for their rows.
ADDED = {
    # schema 2: schema-1 rows were all default cells
    "tuning": DEFAULT_TUNING, "tuned_params": "", "tune_score": float("nan"),
    "tune_trials": pd.NA, "tune_s": float("nan"),
    # schema 3: no earlier row recorded its thread budget (unknown, not 1)
    "n_threads": pd.NA,
}


def fill_added(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Rows of stores written before schema 3, read as they are (parquet files are never
    rewritten for a read): the columns added since are filled (`tuning` = "default", the search
    measures and `n_threads` NA) when the read wants them; a store mixing old and new files gets
    "default" where `tuning` is missing. Cheap: no metric registry, no dtype pass over other columns."""
    wanted = [c for c in ADDED if columns is None or c in columns]
    missing = {c: ADDED[c] for c in wanted if c not in df.columns}
    if missing:
        df = df.assign(**{c: pd.Series([v] * len(df), index=df.index,
                                        dtype="Int64" if c in INT_COLUMNS else
                                        "string" if c in STRING_MEASURES or c == "tuning"
                                        else "float64")
                          for c, v in missing.items()})
    if "tuning" in df.columns and not missing.get("tuning"):
        col = df["tuning"]
        blank = col.isna() | (col.astype(str) == "")
        if blank.any():
            df = df.assign(tuning=col.astype("string").mask(blank, DEFAULT_TUNING))
    return df
