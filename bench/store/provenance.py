"""Provenance recorded on every results row: versions, protocol, git sha, host, time.

Why: results depend on library versions; a CI comparison must be able to say which versions
changed, and a result without provenance cannot be trusted later.
"""

from __future__ import annotations

import platform
import socket
import subprocess
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from bench import __version__
from bench.core.cell import PROTOCOL_VERSION

LIBRARIES = {
    "numpy": "numpy", "pandas": "pandas", "scikit-learn": "sklearn",
    "imbalanced-learn": "imblearn", "lightgbm": "lightgbm", "xgboost": "xgboost",
    "catboost": "catboost", "torch": "torch",
}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


@lru_cache(maxsize=1)
def git_sha() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


@lru_cache(maxsize=1)
def static_provenance() -> dict[str, str]:
    """Everything but the timestamp; computed once per process."""
    prov = {
        "harness_version": __version__,
        "protocol_version": PROTOCOL_VERSION,
        "python_version": platform.python_version(),
        "git_sha": git_sha(),
        "host": socket.gethostname(),
    }
    for dist, short in LIBRARIES.items():
        prov[f"{short}_version"] = _version(dist)
    return prov


def provenance() -> dict[str, str]:
    return {**static_provenance(), "utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}
