"""Executors: one interface (`Executor.map`), the driver writes the store (`execute`)."""

from bench.execute.base import Executor, ResultHook, RunSummary, execute

__all__ = ["Executor", "ResultHook", "RunSummary", "execute"]
