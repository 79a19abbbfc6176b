"""The one family of user-facing errors.

Why: the CLI catches `BenchError` once and prints its message; every message names what is wrong
and what is allowed. Subclasses say which part of the input is at fault, so callers (and tests)
can tell a bad suite from a broken store without parsing text. Errors that also behave like a
built-in (an unknown registry name is a `KeyError`, a bad value a `ValueError`) subclass both, so
library-style callers keep working, but their text is the plain message (no quoted KeyError).
"""

from __future__ import annotations


class BenchError(Exception):
    """Base of every error the CLI reports as a message (exit 2) instead of a traceback."""

    exit_code = 2

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class SuiteError(BenchError, ValueError):
    """All problems of a suite at once, one per line, each naming its key path."""

    def __init__(self, errors: list[str], source: str = "suite") -> None:
        self.errors = list(errors)
        self.source = source
        super().__init__(f"{source}: {len(errors)} problem(s)\n  " + "\n  ".join(errors))


class UnknownName(BenchError, KeyError):
    """A name that is not in a registry (or a vocabulary); the message lists the allowed names."""


class DataError(BenchError, ValueError):
    """A dataset cannot be loaded or cannot supply what a cell asks (message says why)."""


class SamplerError(BenchError, RuntimeError):
    """A sampler failed on the training part; the message names it and the library's reason."""


class ModelError(BenchError, ValueError):
    """A model cannot be built as asked (e.g. a device its library has no build for)."""


class MetricError(BenchError, ValueError):
    """A metric name or use that cannot be honoured (e.g. tuning for a probability metric)."""


class DecisionError(BenchError, ValueError):
    """A decision rule string that is not in the vocabulary."""


class TuningError(BenchError, ValueError):
    """A `tuning` entry that is not in the vocabulary, or a search that cannot run (no space,
    every trial failed)."""


class StoreError(BenchError, ValueError):
    """A results store that is missing, damaged or cannot take the operation."""


class CommandError(BenchError, ValueError):
    """A command-line value that cannot be used (the message names the option)."""


class CodeChanged(BenchError, RuntimeError):
    """A worker imports other bench code than its driver (bench changed under a running run)."""
