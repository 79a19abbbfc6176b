"""User plugins: modules named in BENCH_PLUGINS are imported so their registry entries exist.

Why: a team adds its own dataset, sampler or model without forking the harness. The driver and
every worker import the same modules (workers are spawned, so they inherit the environment, not
the driver's imports). Example: `BENCH_PLUGINS=mypkg.models,mypkg.data bench run suite.toml`.
"""

from __future__ import annotations

import importlib
import os

_loaded: set[str] = set()


def load_plugins() -> list[str]:
    """Import every module listed (comma-separated) in BENCH_PLUGINS, once per process."""
    names = [n.strip() for n in os.environ.get("BENCH_PLUGINS", "").split(",") if n.strip()]
    for name in names:
        if name not in _loaded:
            importlib.import_module(name)
            _loaded.add(name)
    return names
