"""Model registry. Importing this package registers the built-in models (no heavy imports)."""

from bench.models import bagging, baselines, boosting, neural  # noqa: F401  (registration)
from bench.models.registry import FAMILIES, MODELS, ModelContext, ModelEntry, model

__all__ = ["FAMILIES", "MODELS", "ModelContext", "ModelEntry", "model"]
