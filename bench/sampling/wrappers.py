"""Pipeline wrappers around samplers: what the results row records, and categorical spaces.

Why: a sampler must only ever see the training part; `RecordingSampler` is still an imblearn
pipeline step (it runs in `fit` only) and records what it received and produced, so tests can
prove no test row reached it. `CategoricalSpace` lets numeric neighbour samplers run on data with
categorical codes.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench.core.errors import SamplerError
from bench.core.ids import array_digest
from bench.sampling.registry import INAPPLICABLE, NOOP, NOTHING_TO_DO, NotApplicable


class RecordingSampler:
    """Wraps a sampler to record what it saw and produced (counts, time) for the results row.

    It is still a pipeline step: it only runs in `fit`, so test rows can never reach it.
    `n_calls_` and `digest_in_` (a content hash of the rows it received) let tests prove that.
    A sampler that finds nothing to resample (imbalanced-learn's `NOTHING_TO_DO` verdicts) is a
    no-op: the rows pass through unchanged and `notes_` holds `{"noop": "nothing to resample:
    ..."}` for the row's `sampler_params`.
    """

    def __init__(self, sampler: Any, name: str = "") -> None:
        self.sampler = sampler
        self.name = name

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"sampler": self.sampler, "name": self.name}

    def set_params(self, **params: Any) -> RecordingSampler:
        self.sampler = params.get("sampler", self.sampler)
        self.name = params.get("name", self.name)
        return self

    def fit(self, X: Any, y: Any) -> RecordingSampler:
        return self

    def fit_resample(self, X: Any, y: Any, **params: Any) -> tuple[Any, Any]:
        self.n_calls_ = getattr(self, "n_calls_", 0) + 1
        self.n_in_ = len(y)
        self.digest_in_ = array_digest(X)
        self.notes_: dict[str, Any] = {}
        t0 = time.perf_counter()
        try:
            Xr, yr = self.sampler.fit_resample(X, y, **params)
        except NotApplicable:
            raise
        except Exception as exc:
            name = self.name or type(self.sampler).__name__
            if any(phrase in str(exc) for phrase in NOTHING_TO_DO):
                self.notes_[NOOP] = f"nothing to resample: {name}: {exc}"
                Xr, yr = X, y
            elif any(phrase in str(exc) for phrase in INAPPLICABLE):
                raise NotApplicable(f"{name}: {exc}") from exc
            else:
                raise SamplerError(f"{name} failed on the training part: "
                                   f"{type(exc).__name__}: {exc}") from exc
        self.resample_s_ = time.perf_counter() - t0
        self.counts_out_ = np.bincount(np.asarray(yr).astype(np.int64))
        return Xr, yr


class CategoricalSpace:
    """Run a numeric sampler on one-hot categorical blocks and decode its rows back to codes.

    Each categorical column (ordinal codes 0..n-1) becomes n indicator columns scaled by the
    median standard deviation of the numeric columns (1 without numeric columns); after
    resampling, each block's largest indicator is the row's category.
    """

    def __init__(self, sampler: Any, cat_idx: tuple[int, ...], n_categories: tuple[int, ...]) -> None:
        self.sampler = sampler
        self.cat_idx = tuple(cat_idx)
        self.n_categories = tuple(n_categories)

    def fit_resample(self, X: Any, y: Any, **params: Any) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=np.float64)
        num = [i for i in range(X.shape[1]) if i not in self.cat_idx]
        stds = X[:, num].std(axis=0) if num else np.array([])
        scale = float(np.median(stds)) if len(stds) else 1.0
        scale = scale if scale > 0 else 1.0
        blocks = [X[:, num]]
        for i, n in zip(self.cat_idx, self.n_categories):
            onehot = np.zeros((len(X), n))
            codes = np.rint(X[:, i]).astype(np.int64)
            onehot[np.arange(len(X)), np.clip(codes, 0, n - 1)] = scale
            blocks.append(onehot)
        Z = np.hstack(blocks)
        Zr, yr = self.sampler.fit_resample(Z, y, **params)
        Zr = np.asarray(Zr, dtype=np.float64)
        out = np.empty((len(Zr), X.shape[1]))
        out[:, num] = Zr[:, :len(num)]
        at = len(num)
        for i, n in zip(self.cat_idx, self.n_categories):
            out[:, i] = np.argmax(Zr[:, at:at + n], axis=1)
            at += n
        return out, np.asarray(yr)
