"""One fit, shared by the decision rules of a cell; a tuned cell's search inside it.

Cells that differ only in their decision rule fit the very same pipeline on the very same rows
with the very same seed, so `fit_cell` keeps the last fit of the process (see the section note
below and docs/running.md, "One fit for the decision rules").
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bench import data as _data  # noqa: F401  (registers dataset sources)
from bench import models as _models  # noqa: F401  (registers models)
from bench.core.cell import Cell
from bench.core.vocab import (
    DEFAULT_TUNING,
)
from bench.protocol.encode import Prepared
from bench.protocol.memory import PeakMemory
from bench.protocol.pipeline import build_pipeline, full_proba
from bench.protocol.tune import TuneData, TuneResult, search_cell
from bench.sampling import (
    SAMPLERS,
    class_weights,
)

# --- one fit, shared by the decision rules ----------------------------------------------------
# Cells that differ only in their decision rule (argmax, prior, tuned, a calibration suffix) fit
# the very same pipeline on the very same rows with the very same seed (`Cell.model_seed`
# excludes the decision), so the fit and its probabilities are computed once and reused. The
# executors run such cells back to back on one worker (`bench.execute.base.fit_groups`), so one
# entry suffices; it is dropped before the next fit, so two models are never held at once.


@dataclass
class Fitted:
    """A fitted pipeline with its test (and, on demand, validation) probabilities and costs."""

    key: tuple[Any, ...]
    pipe: Any
    entry: Any
    proba: np.ndarray
    proba_val: np.ndarray | None
    fit_s: float
    predict_s: float
    peak_mb: float
    warnings: tuple[str, ...]
    sampler_notes: dict[str, Any]
    uses: int = 0  # cells served: > 1 means the row reuses another cell's fit (fit_shared)
    tuned: TuneResult | None = None  # a tuned cell's search (bench.protocol.tune)


_LAST_FIT: list[Fitted] = []
_FIT_LOCK = threading.Lock()


def fit_key(cell: Cell, n_threads: int, device: str) -> tuple[Any, ...]:
    """What decides a fit: everything in the cell but its decision rule, and the resources."""
    return (cell.fit_id, n_threads, device)


def fit_cell(cell: Cell, n_threads: int, device: str, prep: Prepared, y_fit: np.ndarray,
             X_val: np.ndarray, y_val: np.ndarray, X_test: np.ndarray, k: int, *,
             labels: Any, needs_val: bool, minority: int = 0) -> Fitted:
    """The cell's fit and probabilities: reused from the previous cell when only the decision
    rule differs, else computed (after dropping the previous one)."""
    key = fit_key(cell, n_threads, device)
    with _FIT_LOCK:
        fitted = _LAST_FIT[0] if _LAST_FIT and _LAST_FIT[0].key == key else None
        if fitted is None:
            _LAST_FIT.clear()  # free the previous model before fitting the next
    if fitted is None:
        fitted = _fit(cell, key, n_threads, device, prep, y_fit, X_val, y_val, X_test, k, labels,
                      minority)
        with _FIT_LOCK:
            _LAST_FIT[:] = [fitted]
    if needs_val and fitted.proba_val is None:
        fitted.proba_val = _readonly(full_proba(fitted.pipe, X_val, k))
    fitted.uses += 1
    return fitted


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)  # shared by every decision rule of the fit: never written
    return a


def _fit(cell: Cell, key: tuple[Any, ...], n_threads: int, device: str, prep: Prepared,
         y_fit: np.ndarray, X_val: np.ndarray, y_val: np.ndarray, X_test: np.ndarray, k: int,
         labels: Any, minority: int = 0) -> Fitted:
    fit_counts = np.bincount(y_fit, minlength=k)
    tuned = None
    if cell.tuning != DEFAULT_TUNING:  # search on the fit and validation parts, then refit once
        tuned = _search(cell, n_threads, device, prep, y_fit, X_val, y_val, k, labels, minority)
    sampler_notes: dict[str, Any] = {}
    pipe, entry = build_pipeline(cell, fit_counts, n_threads, device, prep=prep,
                                 labels=labels, notes=sampler_notes,
                                 model_params=tuned.model_params if tuned else None,
                                 sampler_params=tuned.sampler_params if tuned else None)
    fit_kwargs = _fit_kwargs(cell, entry, prep, y_fit, X_val, y_val, k)

    with warnings.catch_warnings(record=True) as caught, PeakMemory() as mem:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        pipe.fit(prep.X_fit, y_fit, **fit_kwargs)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = full_proba(pipe, X_test, k)
        predict_s = time.perf_counter() - t0

    recorder = pipe.named_steps.get("sampler")
    if recorder is not None:  # what the sampler found at fit time (e.g. nothing to resample)
        sampler_notes.update(getattr(recorder, "notes_", {}))
    return Fitted(key, pipe, entry, _readonly(proba), None, fit_s, predict_s, mem.peak_mb,
                  tuple(sorted({f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught})),
                  sampler_notes, tuned=tuned)


def _fit_kwargs(cell: Cell, entry: Any, prep: Prepared, y_fit: np.ndarray, X_val: np.ndarray,
                y_val: np.ndarray, k: int) -> dict[str, Any]:
    """Class weights as per-sample weights; the validation part for early stopping."""
    out: dict[str, Any] = {}
    if SAMPLERS.get(cell.sampler.name).class_weight:
        out["model__sample_weight"] = class_weights(y_fit, k)
    if entry.eval_set and len(y_val):
        out["model__eval_set"] = (prep.model_input.transform(X_val), y_val)
    return out


def _search(cell: Cell, n_threads: int, device: str, prep: Prepared, y_fit: np.ndarray,
            X_val: np.ndarray, y_val: np.ndarray, k: int, labels: Any,
            minority: int) -> TuneResult:
    """The tuned cell's search: each trial builds the cell's pipeline with the trial's values
    (same seed), fits it on the fit part (early stopping on the validation part, as the final
    fit) and returns validation probabilities. The search gets the fit and validation arrays
    only, and the trials' encoder carries no test row."""
    no_test = replace(prep, X_test=prep.X_test[:0])
    counts = np.bincount(y_fit, minlength=k)

    def fit_predict(model_params: dict[str, Any], sampler_params: dict[str, Any],
                    X_fit: np.ndarray, y_fit: np.ndarray, X_val: np.ndarray,
                    y_val: np.ndarray) -> np.ndarray:
        pipe, entry = build_pipeline(cell, counts, n_threads, device, prep=no_test, labels=labels,
                                     model_params=model_params, sampler_params=sampler_params)
        pipe.fit(X_fit, y_fit, **_fit_kwargs(cell, entry, no_test, y_fit, X_val, y_val, k))
        return full_proba(pipe, X_val, k)

    return search_cell(cell, TuneData(prep.X_fit, y_fit, X_val, y_val, k, minority), fit_predict)
