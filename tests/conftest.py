"""Shared fixtures: tiny suites written to tmp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests_helpers import TINY


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path
