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


ARCHIVAL = ".git_archival.txt"  # `git archive` substitutes the commit into it (.gitattributes)


def archived_sha(root: Path) -> str:
    """The commit an exported copy (`git archive`) was made from, else "".

    Why: a study is best run from a frozen copy of the code, which has no .git; without this
    its rows would record no commit at all."""
    try:
        text = (root / ARCHIVAL).read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key.strip() == "node" and len(value) == 40 and all(c in "0123456789abcdef" for c in value):
            return value
    return ""  # the unsubstituted template of a checkout: git itself knows better


@lru_cache(maxsize=1)
def git_sha() -> str:
    """The commit of the running code: HEAD of the checkout the package lives in (only if the
    package's parent is that checkout's top: an exported copy or an installed package inside
    some other repository must not report that repository's commit), else the commit an
    exported copy was made from, else ""."""
    root = Path(__file__).resolve().parents[2]  # bench/store/provenance.py -> the project
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel", "HEAD"], cwd=root,
                             capture_output=True, text=True, timeout=5)
        lines = out.stdout.split()
        if out.returncode == 0 and len(lines) == 2 and Path(lines[0]).resolve() == root:
            return lines[1]
    except (OSError, subprocess.SubprocessError):
        pass
    return archived_sha(root)


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
