"""bench: a benchmark harness for imbalanced multiclass classification."""

__version__ = "0.1.0"
