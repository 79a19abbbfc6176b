"""Boosting models: registry entries (the wrappers live in `bench.models.estimators.boosters`).

Equal terms: every booster gets at most ``n_estimators`` = 500 rounds at learning rate 0.05
(RUSBoost: AdaBoost's own scale, 0.1), stops after ``early_stopping_rounds`` = 50 rounds without
improvement of the validation log loss and predicts with its best round; trees keep each
library's default size (31 leaves, or depth 6). Thread counts come from the executor's budget;
every model is seeded from the cell.
"""

from __future__ import annotations

from typing import Any

from bench.models.registry import ModelContext, model

_STOP = {"early_stopping_rounds": 50}


def _build(cls_name: str, params: dict[str, Any], ctx: ModelContext) -> Any:
    from bench.models.estimators import boosters

    p = dict(params)
    rounds = p.pop("early_stopping_rounds")
    return getattr(boosters, cls_name)(
        params=p, early_stopping_rounds=rounds, categorical=ctx.categorical,
        n_threads=ctx.n_threads, device=ctx.device, random_state=ctx.seed)


@model("lightgbm", "boosting",
       {"n_estimators": 500, "learning_rate": 0.05, "num_leaves": 31, "min_child_samples": 20,
        "subsample": 1.0, "subsample_freq": 0, "colsample_bytree": 1.0, "reg_lambda": 0.0, **_STOP},
       eval_set=True, handles_missing=True, library="LightGBM", categorical="categorical_feature",
       description="LightGBM (deterministic), early stopping on the validation part")
def lightgbm(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("LightGBMClassifier", params, ctx)


@model("xgboost", "boosting",
       {"n_estimators": 500, "learning_rate": 0.05, "max_depth": 6, "min_child_weight": 1.0,
        "subsample": 1.0, "colsample_bytree": 1.0, "reg_lambda": 1.0, "max_bin": 256, **_STOP},
       eval_set=True, handles_missing=True, library="XGBoost", gpu="device='cuda'",
       categorical="feature_types='c', enable_categorical",
       description="XGBoost (hist), early stopping on the validation part")
def xgboost(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("XGBoostClassifier", params, ctx)


@model("catboost", "boosting",
       {"n_estimators": 500, "learning_rate": 0.05, "depth": 6, "l2_leaf_reg": 3.0,
        "border_count": 254, **_STOP},
       eval_set=True, handles_missing=True, library="CatBoost", gpu="task_type='GPU'", categorical="cat_features",
       description="CatBoost, early stopping on the validation part (best model kept)")
def catboost(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("CatBoostClassifier", params, ctx)


@model("hist_gradient_boosting", "boosting",
       {"n_estimators": 500, "learning_rate": 0.05, "max_leaf_nodes": 31,
        "min_samples_leaf": 20, "l2_regularization": 0.0, "max_bins": 255, **_STOP},
       eval_set=True, handles_missing=True, library="scikit-learn", categorical="categorical_features",
       description="scikit-learn HistGradientBoosting (n_estimators = max_iter), early "
                   "stopping on the validation part, cut back to the best round")
def hist_gradient_boosting(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("HistGradientBoostingClassifier", params, ctx)


@model("rus_boost", "boosting",
       {"n_estimators": 500, "learning_rate": 0.1, "max_depth": 3,
        "sampling_strategy": "auto", "replacement": False, **_STOP},
       eval_set=True, library="imbalanced-learn",
       description="imbalanced-learn RUSBoost (depth-3 trees), cut back post hoc to the round "
                   "with the best validation loss")
def rus_boost(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("RUSBoostClassifier", params, ctx)
