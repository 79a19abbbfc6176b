"""Booster wrappers: LightGBM, XGBoost, CatBoost, HistGradientBoosting and RUSBoost on equal terms.

Every wrapper is a module-level scikit-learn classifier (picklable, clonable) that imports its
library inside ``fit`` only, so importing this module costs nothing. All share the contract of
:class:`bench.models.estimators.fitting.HarnessClassifier`:

- library hyperparameters come in ``params`` (the registry's documented defaults, overridable
  in suites) and are passed through unchanged; the harness-level settings are explicit:
  ``early_stopping_rounds``, ``categorical`` (column indices), ``n_threads``, ``device``,
  ``random_state``;
- with ``eval_set``, training stops after ``early_stopping_rounds`` rounds without improvement
  of the validation log loss, and the model predicts with its best round (the validation part
  is weighted like the training part, see ``eval_weights``; RUSBoost is cut back post hoc, on
  AdaBoost's exponential loss); without it, all rounds run;
- ``curves_`` holds per-round ``loss`` rows for ``train`` and ``validation``: the log loss of
  the library's objective (multiclass or binary), weighted like the training objective.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from bench.models.estimators.fitting import (
    HarnessClassifier,
    cuda_index,
    curve_rows,
    refuse_cuda,
    staged_losses,
)
from bench.models.registry import is_cuda

Val = tuple[np.ndarray, np.ndarray, "np.ndarray | None"] | None


class LightGBMClassifier(HarnessClassifier):
    """LightGBM (deterministic, row-wise histograms); native categoricals via
    ``categorical_feature``. The PyPI wheel has no CUDA build: ``device='cuda'`` is refused."""

    def _fit_encoded(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, val: Val) -> None:
        refuse_cuda(self.device, "LightGBM (PyPI wheel)")
        from lightgbm import LGBMClassifier, early_stopping, record_evaluation

        model = LGBMClassifier(**self._params, n_jobs=self.n_threads,
                               random_state=self.random_state, verbose=-1, deterministic=True,
                               force_row_wise=True)
        record: dict[str, dict[str, list[float]]] = {}
        sets, names, weights = [(X, y)], ["train"], [w]
        callbacks: list[Any] = [record_evaluation(record)]
        if val is not None:
            sets.append((val[0], val[1]))
            names.append("validation")
            weights.append(val[2])
            if self._rounds:
                callbacks.append(early_stopping(self._rounds, first_metric_only=True,
                                                verbose=False))
        # The training set must be recognised as such (same objects), or early stopping also
        # watches it and, when patience never runs out, predicts with the *training* loss's
        # best (= last) round. LightGBM 4.7 recognises it through `eval_set` only: its new
        # `eval_X`/`eval_y` re-encode the labels into new objects. Hence the deprecated API.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*'eval_set' is deprecated")
            model.fit(X, y, sample_weight=w, eval_set=sets, eval_names=names,
                      eval_sample_weight=weights, callbacks=callbacks,
                      categorical_feature=list(self.categorical) if self.categorical else "auto")
        for split, metrics in record.items():
            self.curves_ += curve_rows(next(iter(metrics.values())), split)
        self.model_ = model
        self.best_iteration_ = int(model.best_iteration_ or model.n_estimators_)

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(X)  # best iteration when early stopping ran


class XGBoostClassifier(HarnessClassifier):
    """XGBoost ``hist``; ``device='cuda'`` maps to XGBoost's ``device='cuda[:N]'``; native
    categoricals via ``feature_types`` ('c') and ``enable_categorical``."""

    def _fit_encoded(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, val: Val) -> None:
        from xgboost import XGBClassifier

        if not (self.device == "cpu" or is_cuda(self.device)):
            raise ValueError(f"device must be 'cpu' or 'cuda'; got {self.device!r}")
        k = len(self.classes_)
        cat = set(self.categorical)
        types = [("c" if j in cat else "q") for j in range(X.shape[1])] if cat else None
        model = XGBClassifier(
            **{"tree_method": "hist", **self._params},
            n_jobs=self.n_threads, random_state=self.random_state,
            device=self.device if is_cuda(self.device) else "cpu",
            eval_metric="mlogloss" if k > 2 else "logloss",
            early_stopping_rounds=self._rounds if val is not None else None,
            enable_categorical=bool(cat), feature_types=types)
        sets, weights = [(X, y)], [w]
        if val is not None:
            sets.append((val[0], val[1]))
            weights.append(val[2])
        # XGBoost stops on the last eval set (the validation part) and reuses the training
        # matrix for the first one (same objects).
        model.fit(X, y, sample_weight=w, eval_set=sets, sample_weight_eval_set=weights,
                  verbose=False)
        result = model.evals_result()
        for name, split in (("validation_0", "train"), ("validation_1", "validation")):
            if name in result:
                self.curves_ += curve_rows(next(iter(result[name].values())), split)
        self.model_ = model
        best = getattr(model, "best_iteration", None) if val is not None else None
        self.best_iteration_ = int(best) + 1 if best is not None else model.n_estimators

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(X)  # best iteration when early stopping ran


class CatBoostClassifier(HarnessClassifier):
    """CatBoost (symmetric trees); ``device='cuda'`` maps to ``task_type='GPU'``; native
    categoricals via ``cat_features`` (codes are passed as strings, NaN as 'NA')."""

    def _pool(self, X: np.ndarray, y: np.ndarray | None, w: np.ndarray | None) -> Any:
        from catboost import Pool

        if not self.categorical:
            return Pool(X, y, weight=w)
        import pandas as pd

        df = pd.DataFrame(X)
        for j in self.categorical:
            col = df[j]
            df[j] = np.where(col.isna(), "NA", col.fillna(-1).astype(np.int64).astype(str))
        return Pool(df, y, weight=w, cat_features=list(self.categorical))

    def _fit_encoded(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, val: Val) -> None:
        from catboost import CatBoostClassifier as CatBoost

        if not (self.device == "cpu" or is_cuda(self.device)):
            raise ValueError(f"device must be 'cpu' or 'cuda'; got {self.device!r}")
        gpu = is_cuda(self.device)
        k = len(self.classes_)
        model = CatBoost(
            **self._params, loss_function="MultiClass" if k > 2 else "Logloss",
            random_seed=self.random_state, thread_count=self.n_threads,
            task_type="GPU" if gpu else "CPU", devices=str(cuda_index(self.device)) if gpu else None,
            verbose=False, allow_writing_files=False)
        if val is not None:
            model.fit(self._pool(X, y, w), eval_set=self._pool(*val),
                      early_stopping_rounds=self._rounds, use_best_model=True)
        else:
            model.fit(self._pool(X, y, w))
        result = model.get_evals_result()
        for name, split in (("learn", "train"), ("validation", "validation")):
            if result.get(name):
                self.curves_ += curve_rows(next(iter(result[name].values())), split)
        self.model_ = model
        self.best_iteration_ = int(model.tree_count_)

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(self._pool(X, None, None))


class HistGradientBoostingClassifier(HarnessClassifier):
    """scikit-learn's HistGradientBoostingClassifier; ``n_estimators`` in ``params`` is its
    ``max_iter``. The validation part is passed as ``X_val``/``y_val``; scikit-learn stops
    after ``n_iter_no_change`` rounds but keeps them, so the ensemble is cut back to the round
    with the best validation loss (as the other boosters predict with their best round).
    OpenMP threads are limited to ``n_threads``; native categoricals via
    ``categorical_features``. No GPU build."""

    def _fit_encoded(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, val: Val) -> None:
        refuse_cuda(self.device, "scikit-learn HistGradientBoosting")
        from sklearn.ensemble import HistGradientBoostingClassifier as HGB
        from threadpoolctl import threadpool_limits

        p = self._params
        p["max_iter"] = p.pop("n_estimators", p.get("max_iter", 100))
        stop = val is not None and bool(self._rounds)
        model = HGB(**p, early_stopping=stop, n_iter_no_change=self._rounds or 10,
                    scoring="loss", validation_fraction=None,
                    categorical_features=list(self.categorical) or None,
                    random_state=self.random_state)
        extra = {"X_val": val[0], "y_val": val[1], "sample_weight_val": val[2]} if stop else {}
        with threadpool_limits(limits=int(self.n_threads), user_api="openmp"):
            model.fit(X, y, sample_weight=w, **extra)
            self.curves_ += curve_rows(staged_losses(model.staged_predict_proba(X), y, w),
                                       "train")
            if val is not None:
                losses = staged_losses(model.staged_predict_proba(val[0]), val[1], val[2])
                self.curves_ += curve_rows(losses, "validation")
                if stop:
                    best = int(np.argmin(losses)) + 1
                    model._predictors = model._predictors[:best]  # noqa: SLF001 (docstring)
        self.model_ = model
        self.best_iteration_ = int(model.n_iter_)

    def _proba(self, X: np.ndarray) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=int(self.n_threads), user_api="openmp"):
            return self.model_.predict_proba(X)


def samme_exp_loss(model: Any, X: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> list[float]:
    """Per round, the (weighted) mean multiclass exponential loss exp(-y.f / K) of a fitted
    SAMME ensemble: the objective AdaBoost minimises (Zhu et al. 2009), with y coded 1 for the
    true class and -1/(K-1) otherwise and f the unnormalised staged decision function."""
    k = len(model.classes_)
    coded = np.full((len(y), k), -1.0 / (k - 1))
    coded[np.arange(len(y)), y] = 1.0
    norms = np.cumsum(model.estimator_weights_[:len(model.estimators_)])
    out = []
    for d, norm in zip(model.staged_decision_function(X), norms):
        if d.ndim == 1:  # binary: scikit-learn returns f_1 - f_0 = 2 f_1 (f_0 = -f_1)
            d = np.column_stack([-d / 2, d / 2])
        out.append(float(np.average(np.exp(-(coded * d * norm).sum(axis=1) / k), weights=w)))
    return out


class RUSBoostClassifier(HarnessClassifier):
    """imbalanced-learn's RUSBoost (AdaBoost SAMME, each round on a randomly undersampled
    balanced set) with decision trees of depth ``max_depth`` (in ``params``).

    RUSBoost has no early stopping of its own: all rounds are fitted, and the ensemble is cut
    back post hoc to the round with the lowest validation loss of AdaBoost's own objective, the
    multiclass exponential loss (curve metric ``exp_loss``). SAMME's probabilities are squashed
    towards uniform, so their log loss (curve metric ``loss``, recorded for comparison with the
    other boosters) is no stopping criterion. Single-threaded (the library has no thread
    setting); no GPU build."""

    def _fit_encoded(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, val: Val) -> None:
        refuse_cuda(self.device, "imbalanced-learn RUSBoost")
        from imblearn.ensemble import RUSBoostClassifier as RUSBoost
        from sklearn.tree import DecisionTreeClassifier

        p = self._params
        tree = DecisionTreeClassifier(max_depth=p.pop("max_depth", 1))
        model = RUSBoost(estimator=tree, **p, random_state=self.random_state)
        try:
            model.fit(X, y, sample_weight=w)
        except ValueError as exc:
            if "worse than random" not in str(exc):
                raise
            self._empty_ensemble(y, w)
            return
        self.curves_ += curve_rows(staged_losses(model.staged_predict_proba(X), y, w), "train")
        self.curves_ += curve_rows(samme_exp_loss(model, X, y, w), "train", "exp_loss")
        if val is not None:
            losses = samme_exp_loss(model, *val)
            self.curves_ += curve_rows(staged_losses(model.staged_predict_proba(val[0]), val[1],
                                                     val[2]), "validation")
            self.curves_ += curve_rows(losses, "validation", "exp_loss")
        if val is not None and self._rounds:
            best = int(np.argmin(losses)) + 1
            # The fitted rounds are the first len(estimators_); weights/errors may be longer
            # (zeros for rounds AdaBoost never ran), so cut every per-round array alike.
            for attr in ("estimators_", "samplers_", "pipelines_"):
                setattr(model, attr, getattr(model, attr)[:best])
            model.estimator_weights_ = model.estimator_weights_[:best]
            model.estimator_errors_ = model.estimator_errors_[:best]
        self.model_ = model
        self.best_iteration_ = len(model.estimators_)

    def _empty_ensemble(self, y: np.ndarray, w: np.ndarray | None) -> None:
        """AdaBoost's first round was no better than chance on the (weighted) training part, so
        scikit-learn refuses to build an ensemble. With no round at all, the model is the
        (weighted) training prior; said in a warning, which the results row records."""
        warnings.warn("RUSBoost: the first round's tree is no better than chance on the "
                      "training part (SAMME's stopping rule), so the ensemble is empty and "
                      "predicts the weighted training prior", UserWarning, stacklevel=3)
        self.model_ = None
        self.prior_ = np.bincount(y, weights=w, minlength=len(self.classes_))
        self.prior_ = self.prior_ / self.prior_.sum()
        self.best_iteration_ = 0

    def _proba(self, X: np.ndarray) -> np.ndarray:
        if self.model_ is None:
            return np.tile(self.prior_, (len(X), 1))
        return self.model_.predict_proba(X)
