"""Bagging models: forests and balanced ensembles (scikit-learn / imbalanced-learn)."""

from __future__ import annotations

from typing import Any

from bench.models.registry import ModelContext, model


@model("random_forest", "bagging", {"n_estimators": 300, "min_samples_leaf": 1,
                                    "max_features": "sqrt"},
       description="scikit-learn RandomForestClassifier")
def random_forest(params: dict[str, Any], ctx: ModelContext) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(**params, n_jobs=ctx.n_threads, random_state=ctx.seed)
