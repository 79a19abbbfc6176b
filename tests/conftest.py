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


@pytest.fixture(autouse=True)
def _plugins_do_not_leak() -> object:
    """Entries a test registers in this process (a plugin loaded through BENCH_PLUGINS by an
    in-process run) are removed after it, and the plugin modules forgotten, so the registries
    every later test sees are the built-in ones whatever the test order."""
    import sys

    from bench.core import plugins
    from bench.data.registry import DATASETS
    from bench.metrics.registry import METRICS
    from bench.models.registry import MODELS
    from bench.sampling.registry import SAMPLERS

    registries = (DATASETS, SAMPLERS, MODELS, METRICS)
    before = [set(r.names()) for r in registries]
    loaded = set(plugins._loaded)
    yield
    for registry, names in zip(registries, before):
        for name in set(registry.names()) - names:
            registry.unregister(name)
    for module in set(plugins._loaded) - loaded:
        plugins._loaded.discard(module)
        sys.modules.pop(module, None)
