"""Suites: TOML -> validated frozen Suite (parse), the grid of cells (grid), `bench validate` (describe)."""

from bench.core.errors import SuiteError
from bench.suite.describe import describe
from bench.suite.grid import expand, plan, skip_reason
from bench.suite.parse import Suite, load_suite, parse_suite

__all__ = ["Suite", "SuiteError", "describe", "expand", "load_suite", "parse_suite", "plan",
           "skip_reason"]
