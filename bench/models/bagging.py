"""Bagging models: forests and balanced ensembles (scikit-learn / imbalanced-learn).

Equal terms: 300 trees for every forest and for balanced bagging; EasyEnsemble keeps
imbalanced-learn's defaults (10 balanced subsets, AdaBoost with 50 stumps on each). Every model is
seeded from the cell and uses the executor's thread budget (``n_jobs``, on joblib's threading
backend, which `bench.protocol.evaluate.run_cell` sets for the whole cell). Which ones take
per-sample weights is declared from imbalanced-learn 0.14's ``fit`` signatures:
BalancedBaggingClassifier.fit(X, y) and EasyEnsembleClassifier.fit(X, y) take none, so the grid
skips their class_weight cells with that reason. None has a GPU build or native categoricals.

Balanced bagging is *exactly balanced bagging* (``bootstrap = false``): every bag starts from all
training rows and the under-sampler draws a random balanced subset of them, so every bag holds
every class. With scikit-learn's bootstrap (``bootstrap = true``, imbalanced-learn's default) the
bag is drawn *before* under-sampling: a class of 7 rows among 44 (a one-vs-one sub-problem of
wine at step ratio 5) is missing from about one bag in 2,000, and with 300 bags a fit fails
about one time in seven ("The target 'y' needs to have more than 1 class").

Search spaces (the `tuning` axis, docs/models.md#search-spaces) never tune the number of trees
(more trees only cost time; the equal-terms 300 stay). The forests tune TALENT's leaf size and
the feature subset among our declared string values: TabArena's float `max_features` (0.4-1.0)
would not pass the suite type check of a parameter whose default is `"sqrt"`.
"""

from __future__ import annotations

from typing import Any

from bench.core.space import Choice, Float, Int, SearchSpace
from bench.models.registry import ModelContext, model

_FOREST = {"n_estimators": 300, "max_features": "sqrt", "min_samples_leaf": 1, "criterion": "gini"}

FOREST_SPACE = SearchSpace({
    "min_samples_leaf": Int(1, 10),
    "max_features": Choice(("sqrt", "log2")),
    "criterion": Choice(("gini", "entropy")),
}, "TALENT (Ye et al., 2024), LAMDA-Tabular/TALENT TALENT/configs/opt_space/RandomForest.json "
   "(min_samples_leaf 1-10, applied to every forest; its min_samples_split is not declared "
   "here); max_features and "
   "criterion: ours, scikit-learn's string choices (see the module docstring)")

BALANCED_BAGGING_SPACE = SearchSpace({
    "max_samples": Float(0.5, 1.0),
    "max_features": Float(0.4, 1.0),
}, "TabArena (Erickson et al., 2025), autogluon/tabrepo "
   "tabarena/models/random_forest/generate.py: its max_samples and max_features ranges, "
   "applied to each balanced bag")

EASY_ENSEMBLE_SPACE = SearchSpace({
    "n_estimators": Int(5, 20),
    "boost_rounds": Int(10, 100, log=True),
}, "ours: no published space; balanced subsets around imbalanced-learn's 10 and AdaBoost "
   "rounds around its 50 (cost grows with their product, so both stay modest)")


@model("random_forest", "bagging", dict(_FOREST), library="scikit-learn",
       description="scikit-learn RandomForestClassifier",
       space=FOREST_SPACE)
def random_forest(params: dict[str, Any], ctx: ModelContext) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(**params, n_jobs=ctx.n_threads, random_state=ctx.seed)


@model("extra_trees", "bagging", dict(_FOREST), library="scikit-learn",
       description="scikit-learn ExtraTreesClassifier (random split thresholds, no bootstrap)",
       space=FOREST_SPACE)
def extra_trees(params: dict[str, Any], ctx: ModelContext) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(**params, n_jobs=ctx.n_threads, random_state=ctx.seed)


@model("balanced_random_forest", "bagging",
       {**_FOREST, "sampling_strategy": "all", "replacement": True, "bootstrap": False},
       library="imbalanced-learn",
       description="imbalanced-learn BalancedRandomForestClassifier (each tree on a randomly "
                   "undersampled balanced bootstrap)",
       internal_sampling="under-sampling", space=FOREST_SPACE)
def balanced_random_forest(params: dict[str, Any], ctx: ModelContext) -> Any:
    from imblearn.ensemble import BalancedRandomForestClassifier

    return BalancedRandomForestClassifier(**params, n_jobs=ctx.n_threads, random_state=ctx.seed)


@model("balanced_bagging", "bagging",
       {"n_estimators": 300, "max_samples": 1.0, "max_features": 1.0, "bootstrap": False,
        "sampling_strategy": "auto", "replacement": False},
       sample_weight=False, library="imbalanced-learn",
       description="imbalanced-learn BalancedBaggingClassifier (decision trees, each on a "
                   "randomly undersampled bag)",
       internal_sampling="under-sampling", space=BALANCED_BAGGING_SPACE)
def balanced_bagging(params: dict[str, Any], ctx: ModelContext) -> Any:
    from imblearn.ensemble import BalancedBaggingClassifier
    from sklearn.tree import DecisionTreeClassifier

    return BalancedBaggingClassifier(estimator=DecisionTreeClassifier(), **params,
                                     n_jobs=ctx.n_threads, random_state=ctx.seed)


@model("easy_ensemble", "bagging",
       {"n_estimators": 10, "boost_rounds": 50, "sampling_strategy": "auto",
        "replacement": False},
       sample_weight=False, library="imbalanced-learn",
       description="imbalanced-learn EasyEnsembleClassifier (AdaBoost on balanced subsets; "
                   "boost_rounds = AdaBoost rounds per subset)",
       internal_sampling="under-sampling", space=EASY_ENSEMBLE_SPACE)
def easy_ensemble(params: dict[str, Any], ctx: ModelContext) -> Any:
    from imblearn.ensemble import EasyEnsembleClassifier
    from sklearn.ensemble import AdaBoostClassifier

    p = dict(params)
    booster = AdaBoostClassifier(n_estimators=p.pop("boost_rounds"), random_state=ctx.seed)
    return EasyEnsembleClassifier(estimator=booster, **p, n_jobs=ctx.n_threads,
                                  random_state=ctx.seed)
