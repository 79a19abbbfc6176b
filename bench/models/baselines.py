"""Baselines: the prior (dummy) and logistic regression, the floor every model must beat."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

from bench.core.space import Float, SearchSpace
from bench.models.registry import ModelContext, model

LOGISTIC_SPACE = SearchSpace(
    {"C": Float(1e-5, 5.0, log=True)},
    "TALENT (Ye et al., 2024), LAMDA-Tabular/TALENT TALENT/configs/opt_space/LogReg.json "
    "(its C range; penalty and max_iter stay: L2 and 1000 iterations to convergence)")


class ScaledLogistic(Pipeline):
    """StandardScaler + LogisticRegression whose fit takes sample_weight like any classifier."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ScaledLogistic:  # type: ignore[override]
        if sample_weight is None:
            return super().fit(X, y)
        return super().fit(X, y, clf__sample_weight=sample_weight)


@model("dummy", "baseline", {"strategy": "prior"}, library="scikit-learn",
       description="predicts the training prior: the floor for every metric")
def dummy(params: dict[str, Any], ctx: ModelContext) -> Any:
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy=params["strategy"], random_state=ctx.seed)


@model("logistic", "baseline", {"C": 1.0, "max_iter": 1000}, library="scikit-learn",
       description="standardized multinomial logistic regression", space=LOGISTIC_SPACE)
def logistic(params: dict[str, Any], ctx: ModelContext) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    return ScaledLogistic([
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(C=params["C"], max_iter=params["max_iter"],
                                   random_state=ctx.seed)),
    ])
