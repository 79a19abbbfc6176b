"""`bench validate`: what a suite would run (cells per axis, skips and why), running nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.suite import describe


def validate(suite_path: str | Path) -> dict[str, Any]:
    """The suite's grid description; SuiteError lists every problem of the file at once."""
    return describe(suite_path)
