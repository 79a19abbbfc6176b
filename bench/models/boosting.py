"""Boosting models: registry entries (the wrappers live in `bench.models.estimators.boosters`).

Equal terms: every booster gets at most ``n_estimators`` = 500 rounds at learning rate 0.05
(RUSBoost: AdaBoost's own scale, 0.1), stops after ``early_stopping_rounds`` = 50 rounds without
improvement of the validation log loss and predicts with its best round; trees keep each
library's default size (31 leaves, or depth 6). Thread counts come from the executor's budget;
every model is seeded from the cell.

Search spaces (the `tuning` axis, docs/models.md#search-spaces) are TabArena's (Erickson et al.,
2025) restricted to the parameters our entries declare; the round cap and early stopping stay
the equal-terms ones above, so `n_estimators` is never tuned.
"""

from __future__ import annotations

from typing import Any

from bench.core.space import Choice, Float, Int, SearchSpace
from bench.models.registry import ModelContext, model

_STOP = {"early_stopping_rounds": 50}
_TABARENA = ("TabArena (Erickson et al., 2025), autogluon/tabrepo "
             "tabarena/models/{}/generate.py")

LIGHTGBM_SPACE = SearchSpace({
    "learning_rate": Float(5e-3, 0.1, log=True),
    "num_leaves": Int(2, 200, log=True),
    "min_child_samples": Int(1, 64, log=True),  # LightGBM's min_data_in_leaf
    "subsample": Float(0.7, 1.0),  # bagging_fraction
    "subsample_freq": Choice((0, 1)),  # bagging_freq: TabArena fixes 1; 0 = bagging off
    "colsample_bytree": Float(0.4, 1.0),  # feature_fraction
    "reg_lambda": Float(1e-4, 2.0),  # lambda_l2
}, _TABARENA.format("lightgbm") + "; without lambda_l1, extra_trees and the categorical "
   "parameters (not declared here); subsample_freq a choice because bagging is off by default")

XGBOOST_SPACE = SearchSpace({
    "learning_rate": Float(5e-3, 0.1, log=True),
    "max_depth": Int(4, 10, log=True),
    "min_child_weight": Float(1e-3, 5.0, log=True),
    "subsample": Float(0.6, 1.0),
    "colsample_bytree": Float(0.6, 1.0),  # TabArena: colsample_bylevel and _bynode
    "reg_lambda": Float(1e-4, 5.0),
}, _TABARENA.format("xgboost") + "; colsample_bytree takes the range of colsample_bylevel / "
   "_bynode; without reg_alpha, grow_policy, max_leaves, max_cat_to_onehot (not declared here)")

CATBOOST_SPACE = SearchSpace({
    "learning_rate": Float(5e-3, 0.1, log=True),
    "depth": Int(4, 8),
    "l2_leaf_reg": Float(1e-4, 5.0, log=True),
}, _TABARENA.format("catboost") + "; border_count stays 254 (TabArena's max_bin); without "
   "bootstrap/subsample, grow_policy, colsample_bylevel, leaf_estimation_iterations and the "
   "categorical parameters (not declared here)")

HIST_GRADIENT_BOOSTING_SPACE = SearchSpace({
    "learning_rate": Float(5e-3, 0.1, log=True),
    "max_leaf_nodes": Int(2, 200, log=True),
    "min_samples_leaf": Int(1, 64, log=True),
    "l2_regularization": Float(1e-4, 2.0),
}, "ours: no published space for scikit-learn's HistGradientBoosting; the same histogram GBDT "
   "parameters take the ranges of " + _TABARENA.format("lightgbm") + " (num_leaves, "
   "min_data_in_leaf, lambda_l2)")

RUS_BOOST_SPACE = SearchSpace({
    "learning_rate": Float(0.01, 1.0, log=True),
    "max_depth": Int(1, 6),
}, "ours: no published space for RUSBoost; AdaBoost's learning rate around its 0.1 default and "
   "tree depth from stumps (AdaBoost's default) to depth 6 (the other boosters' default)")


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
       description="LightGBM (deterministic), early stopping on the validation part",
       space=LIGHTGBM_SPACE)
def lightgbm(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("LightGBMClassifier", params, ctx)


@model("xgboost", "boosting",
       {"n_estimators": 500, "learning_rate": 0.05, "max_depth": 6, "min_child_weight": 1.0,
        "subsample": 1.0, "colsample_bytree": 1.0, "reg_lambda": 1.0, "max_bin": 256, **_STOP},
       eval_set=True, handles_missing=True, library="XGBoost", gpu="device='cuda'",
       categorical="feature_types='c', enable_categorical",
       description="XGBoost (hist), early stopping on the validation part",
       space=XGBOOST_SPACE)
def xgboost(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("XGBoostClassifier", params, ctx)


@model("catboost", "boosting",
       {"n_estimators": 500, "learning_rate": 0.05, "depth": 6, "l2_leaf_reg": 3.0,
        "border_count": 254, **_STOP},
       eval_set=True, handles_missing=True, library="CatBoost", gpu="task_type='GPU'", categorical="cat_features",
       description="CatBoost, early stopping on the validation part (best model kept)",
       space=CATBOOST_SPACE)
def catboost(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("CatBoostClassifier", params, ctx)


@model("hist_gradient_boosting", "boosting",
       {"n_estimators": 500, "learning_rate": 0.05, "max_leaf_nodes": 31,
        "min_samples_leaf": 20, "l2_regularization": 0.0, "max_bins": 255, **_STOP},
       eval_set=True, handles_missing=True, library="scikit-learn", categorical="categorical_features",
       description="scikit-learn HistGradientBoosting (n_estimators = max_iter), early "
                   "stopping on the validation part, cut back to the best round",
       space=HIST_GRADIENT_BOOSTING_SPACE)
def hist_gradient_boosting(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("HistGradientBoostingClassifier", params, ctx)


@model("rus_boost", "boosting",
       {"n_estimators": 500, "learning_rate": 0.1, "max_depth": 3,
        "sampling_strategy": "auto", "replacement": False, **_STOP},
       eval_set=True, library="imbalanced-learn",
       description="imbalanced-learn RUSBoost (depth-3 trees), cut back post hoc to the round "
                   "with the best validation loss",
       internal_sampling="under-sampling", space=RUS_BOOST_SPACE)
def rus_boost(params: dict[str, Any], ctx: ModelContext) -> Any:
    return _build("RUSBoostClassifier", params, ctx)
