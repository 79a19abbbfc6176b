"""The cell's pipeline: encoder output -> sampler (only inside the imblearn Pipeline) -> model.

Why apart from `evaluate`: the protocol's run (`bench.protocol.evaluate`), its shared fit and the
tuner's trials (`bench.protocol.fitting`) must build exactly the same pipeline from a cell.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.core.cell import Cell
from bench.models.estimators.decompose import decompose
from bench.models.registry import MODELS, ModelContext
from bench.protocol.encode import Prepared
from bench.sampling import SAMPLERS, RecordingSampler, SamplerContext, build_sampler


def build_pipeline(cell: Cell, counts: np.ndarray, n_threads: int, device: str,
                   categorical: tuple[int, ...] = (), *, prep: Prepared | None = None,
                   labels: Any = (), notes: dict[str, Any] | None = None,
                   model_params: dict[str, Any] | None = None,
                   sampler_params: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """The imblearn Pipeline (sampler step only if the strategy resamples; a one-hot input step
    for models without native categoricals) and the model. `notes` receives the sampler's
    effective parameters (e.g. a shrunk k_neighbors). `model_params` / `sampler_params`: a
    tuned cell's search values, over the suite entry's parameters (same seed)."""
    from imblearn.pipeline import Pipeline

    if prep is not None:  # the model sees category codes only if it takes them natively
        categorical = tuple(prep.encoder.cat_idx) if prep.mode == "native" else ()

    entry = MODELS.get(cell.model.name)
    estimator = entry.build({**cell.model.kwargs, **(model_params or {})}, ModelContext(
        seed=cell.model_seed, n_threads=n_threads, device=device, n_classes=len(counts),
        categorical=categorical))
    estimator = decompose(estimator, cell.decomposition)
    sampler_entry = SAMPLERS.get(cell.sampler.name)
    steps: list[tuple[str, Any]] = []
    ctx = SamplerContext(
        cell.model_seed, counts, n_threads,
        categorical=tuple(prep.encoder.cat_idx) if prep is not None else (),
        n_categories=tuple(prep.encoder.n_categories) if prep is not None else (),
        n_features=prep.X_fit.shape[1] if prep is not None else 0,
        labels=tuple(str(x) for x in labels))
    sampler = build_sampler(sampler_entry, {**cell.sampler.kwargs, **(sampler_params or {})}, ctx)
    if notes is not None:
        notes.update(ctx.notes)
    if sampler is not None:
        steps.append(("sampler", RecordingSampler(sampler, cell.sampler.name)))
    if prep is not None and prep.mode == "onehot":
        steps.append(("input", prep.model_input))
    steps.append(("model", estimator))
    return Pipeline(steps), entry


def final_estimator(pipe: Any) -> Any:
    return pipe.steps[-1][1]


def full_proba(pipe: Any, X: np.ndarray, k: int) -> np.ndarray:
    """predict_proba with one column per dataset class, even if a class was absent in fit."""
    proba = pipe.predict_proba(X)
    classes = np.asarray(final_estimator(pipe).classes_)
    if len(classes) == k and np.array_equal(classes, np.arange(k)):
        return proba
    full = np.zeros((len(X), k))
    full[:, classes.astype(int)] = proba
    return full
