"""Stable identities: canonical JSON, sha256 digests and derived seeds.

Why: resume, paired comparisons and CI baselines match results by id, so an id must depend only on
content (never on Python's `hash()`, dict order or the process), and randomness is derived from
ids, never drawn.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np


def canonical_json(obj: Any) -> str:
    """The one serialisation ids are computed from: sorted keys, no whitespace."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()


def derive_seed(*parts: Any) -> int:
    """A 31-bit seed derived (not drawn) from the given parts."""
    return int(digest(list(parts))[:8], 16) & 0x7FFFFFFF


def array_digest(X: Any) -> str:
    """A short content hash of an array (leak tests compare what a sampler saw)."""
    arr = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    return hashlib.sha256(arr.tobytes() + str(arr.shape).encode()).hexdigest()[:16]
