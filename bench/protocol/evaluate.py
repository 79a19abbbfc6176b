"""run_cell(cell) -> CellResult: the evaluation protocol of DESIGN.md, nothing else.

1. load + validate the dataset; 2. impose the imbalance; 3. outer split (test follows the test
prior); 4. validation carve-out; 5. encode / impute features (bench.protocol.encode, fitted on the fit
rows only), then resample only the training part (inside an imblearn Pipeline), or class
weights as per-sample weights; 6. fit, predict probabilities on the untouched
test part, apply the decision rule; 7. score, with timings, peak memory and class counts.

The minority class every `minority_*` metric is about is the cell's: the rarest of its designated
minority classes (`Split.minority`), else the rarest class of the fit rows *before* resampling
(`bench.metrics.minority_class`; ties -> lowest code), recorded as `minority_class`. Degenerate
fits are flagged, never hidden (bench.protocol.diagnostics).
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from bench import data as _data  # noqa: F401  (registers dataset sources)
from bench import models as _models  # noqa: F401  (registers models)
from bench.core.cell import Cell, CellResult, RunOptions
from bench.core.lru import LRU
from bench.core.vocab import (
    ARGMAX,
    ERROR,
    OK,
    OOM,
    PRIOR,
    SKIPPED,
    decision_rule,
    split_calibration,
)
from bench.data.registry import load_dataset
from bench.metrics import (
    ScoreInput,
    confusion_columns,
    minority_class,
    per_class_columns,
    score_all,
)
from bench.models.registry import MODELS
from bench.protocol.decision import DecisionContext, decide
from bench.protocol.diagnostics import check_predictions, leaf_size_warnings
from bench.protocol.encode import Prepared, needs_imputation, prepare
from bench.protocol.fitted_prior import fitted_prior
from bench.protocol.fitting import fit_cell
from bench.protocol.pipeline import final_estimator
from bench.protocol.rows import (
    confusion_table,
    curves_table,
    failure_result,
    identity_row,
    per_class_table,
    predictions_table,
    shares_json,
)
from bench.protocol.split import Split, make_split
from bench.protocol.tune import trials_table, tuning_columns
from bench.sampling import (
    SAMPLERS,
    NotApplicable,
)

# --- per-process caches ----------------------------------------------------------------------
# A worker runs many cells of the same datasets and splits (every model x sampler x decision of
# a split shares its rows), so what depends only on the dataset spec or the split key is computed
# once per worker process. Keys are hashable, frozen cell fields; the values are never mutated.


@dataclass(frozen=True)
class LoadedData:
    """A loaded dataset with what every cell of it needs and is costly to recompute."""

    ds: Any  # bench.data.dataset.Dataset (cached by load_dataset too)
    fingerprint: str  # content hash: hashing the frame costs milliseconds per cell
    labels: list[str]  # str(label) of each class code
    labels_json: str  # json.dumps(ds.labels)


@lru_cache(maxsize=8)
def loaded_data(component: Any) -> LoadedData:
    """The dataset a cell names, loaded and fingerprinted once per process."""
    ds = load_dataset(component)
    return LoadedData(ds, ds.fingerprint, [str(x) for x in ds.labels], json.dumps(list(ds.labels)))


def split_key(cell: Cell) -> tuple[Any, ...]:
    """The fields `make_split` depends on (the same as `bench.suite.grid.split_key`, which the
    protocol layer cannot import; tests/protocol check that the two agree)."""
    return (cell.dataset, cell.profile, cell.ratio, cell.minority, cell.test_prior, cell.folds,
            cell.holdout, cell.validation, cell.seed, cell.repeat, cell.fold)


SPLIT_CACHE_SIZE = 8  # row indices of 8 splits: a few MB even for a million-row dataset
_SPLITS = LRU(SPLIT_CACHE_SIZE)  # split key -> Split; a Dask worker's threads share it


def cell_split(cell: Cell) -> Split:
    """`make_split` of the cell, computed once per process for all cells sharing its rows."""
    key = split_key(cell)
    split = _SPLITS.lookup(key)
    if split is not None:
        return split
    split = make_split(loaded_data(cell.dataset).ds, cell)  # raises for a split the data lacks
    for rows in (split.fit, split.val, split.test):
        rows.setflags(write=False)  # shared by every cell of this split: never written
    return _SPLITS.keep(key, split)


def prepare_features(ds: Any, split: Any, cell: Cell) -> Prepared:
    """Encode / impute (bench.protocol.encode), fitted on the fit rows only: categorical columns become
    codes of the training vocabulary; NaN is imputed unless both the model and the sampler take
    it. Order in a cell: encode/impute -> sampler -> model input (one-hot or native) -> model."""
    entry = MODELS.get(cell.model.name)
    sampler_entry = SAMPLERS.get(cell.sampler.name)
    return prepare(ds.X, list(ds.categorical), split.fit, split.val, split.test,
                   impute=needs_imputation(entry.handles_missing, sampler_entry.handles_missing),
                   native_categorical=bool(entry.categorical))


def run_cell(cell: Cell, n_threads: int = 1, device: str = "cpu",
             options: RunOptions | None = None) -> CellResult:
    """Run one cell end to end. Raises on failure; the executor turns that into a row.

    `options` (predictions table, bootstrap CIs) change what is recorded, never the results.

    Every joblib loop of the cell (a forest's fit and predict, a bagging ensemble, a sampler's
    neighbour search) runs on joblib's threading backend. Why: the executors' workers are daemon
    processes, where the default (loky, process-based) backend silently falls back to one job
    ("Loky-backed parallel loops cannot be called in a multiprocessing, setting n_jobs=1"): a
    random forest predicted on 1 thread of a 16-thread budget. Threads also keep the cell's work
    inside the process whose peak memory is measured and whose group a timeout kills.
    """
    from joblib import parallel_config

    with parallel_config(backend="threading"):
        return _run_cell(cell, n_threads, device, options or RunOptions())


def _run_cell(cell: Cell, n_threads: int, device: str, options: RunOptions) -> CellResult:
    data = loaded_data(cell.dataset)
    ds = data.ds
    split = cell_split(cell)
    k = ds.n_classes
    prep = prepare_features(ds, split, cell)
    y_fit = ds.y[split.fit]
    X_val, y_val = prep.X_val, ds.y[split.val]
    X_test, y_test = prep.X_test, ds.y[split.test]
    fit_counts = np.bincount(y_fit, minlength=k)
    minority = minority_class(fit_counts, split.minority)

    needs_val = len(split.val) > 0 and not (
        split_calibration(cell.decision)[1] is None and decision_rule(cell.decision) in (ARGMAX, PRIOR))
    fitted = fit_cell(cell, n_threads, device, prep, y_fit, X_val, y_val, X_test, k, labels=ds.labels,
                      needs_val=needs_val, minority=minority)
    pipe, entry, proba, proba_val = fitted.pipe, fitted.entry, fitted.proba, fitted.proba_val
    sampler_notes = dict(fitted.sampler_notes)

    recorder = pipe.named_steps.get("sampler")
    # The distribution the model was fitted on: after resampling, if a sampler ran.
    trained_counts = np.asarray(recorder.counts_out_ if recorder is not None else fit_counts)
    trained_counts = np.pad(trained_counts, (0, k - len(trained_counts))).astype(np.int64)
    tuned = fitted.tuned
    model_params = {**entry.params, **cell.model.kwargs, **(tuned.model_params if tuned else {})}
    # what `prior` corrects from: class weights and the ensembles' own resampling (fitted_prior)
    train_prior = fitted_prior(trained_counts, class_weight=SAMPLERS.get(cell.sampler.name).class_weight,
                               internal_sampling=entry.internal_sampling,
                               sampling_strategy=model_params.get("sampling_strategy"))
    decision = decide(cell.decision, proba, DecisionContext(
        proba_val, y_val if len(split.val) else None,
        train_prior, split.test_prior, trained_counts, minority))
    y_pred, decision_info = decision.y_pred, decision.params

    # Probability metrics score the decision's probabilities: the model's, or the prior-corrected.
    inp = ScoreInput(y_true=y_test, y_pred=y_pred, proba=decision.proba, n_classes=k,
                     train_counts=fit_counts, minority=minority)
    values, metric_warnings = score_all(inp)
    if options.bootstrap:
        from bench.metrics.bootstrap import bootstrap_ci, bootstrap_seed

        intervals, boot_warnings = bootstrap_ci(inp, options.bootstrap, bootstrap_seed(cell.cell_id))
        values.update(intervals)
        metric_warnings += boot_warnings
    fit_warnings = list(fitted.warnings)
    labels = data.labels
    check = check_predictions(y_test, y_pred, labels)
    fit_warnings += [f"tuning: {w}" for w in (tuned.warnings[:10] if tuned else [])]
    fit_warnings += leaf_size_warnings(model_params, trained_counts, labels) + check.warnings
    row: dict[str, Any] = {
        **identity_row(cell), "status": OK, "error": "",
        "warnings": "\n".join(fit_warnings + metric_warnings),
        **values,
        "fit_s": fitted.fit_s, "predict_s": fitted.predict_s,
        "resample_s": getattr(recorder, "resample_s_", 0.0),
        "peak_mb": fitted.peak_mb, "n_threads": n_threads, "device": device, "fit_shared": fitted.uses > 1,
        "n_train": int(len(split.fit) + len(split.val)), "n_fit": len(split.fit),
        "n_val": len(split.val), "n_test": len(split.test),
        "n_resampled": int(trained_counts.sum()),
        "train_counts": json.dumps(fit_counts.tolist()),
        "resampled_counts": json.dumps(np.asarray(trained_counts).tolist()),
        "test_counts": json.dumps(np.bincount(y_test, minlength=k).tolist()),
        "minority_class": labels[minority],
        "predicted_classes": check.predicted_classes,
        "min_test_count": check.min_test_count,
        "degenerate": check.degenerate,
        "dataset_fp": data.fingerprint,
        "decision_params": json.dumps(decision_info, sort_keys=True),
        "class_labels": data.labels_json,
        "train_prior": shares_json(split.train_target, ds.labels),
        "test_prior_shares": shares_json(split.test_prior, ds.labels),
        "sampler_params": json.dumps(sampler_notes, sort_keys=True),
        "preprocess": json.dumps(prep.encoder.describe(prep.mode), sort_keys=True),
        **tuning_columns(tuned),
    }
    # The child tables as plain columns: their DataFrames are built where they are read (the
    # store, in the driver), not here (a worker's first frames of a cell cost 13-29 ms of CPU).
    cid = cell.cell_id
    per_class = per_class_table(cid, per_class_columns(inp), ds.labels)
    confusion = confusion_table(cid, confusion_columns(inp), ds.labels)
    curves = curves_table(cid, getattr(final_estimator(pipe), "curves_", None))
    predictions = None
    if options.store_predictions:
        predictions = predictions_table(cid, split.test, y_test, y_pred, decision.proba, ds.labels)
    return CellResult(row, per_class, confusion, curves, predictions, trials_table(cid, tuned))


def run_cell_safely(cell: Cell, n_threads: int = 1, device: str = "cpu",
                    options: RunOptions | None = None) -> CellResult:
    """run_cell, with exceptions turned into a result row (status error, or oom)."""
    try:
        return run_cell(cell, n_threads, device, options)
    except NotApplicable as exc:  # e.g. a class too small for the sampler: a clear skip
        return failure_result(cell, SKIPPED, f"not applicable: {exc}")
    except MemoryError as exc:
        return failure_result(cell, OOM, f"MemoryError: {exc}")
    except Exception as exc:  # noqa: BLE001 — a failing cell is a row, never a dead run
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" (at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
        return failure_result(cell, ERROR, f"{type(exc).__name__}: {exc}{where}")
