"""Multiclass decomposition as an axis: native, one-vs-rest, one-vs-one."""

from __future__ import annotations

from typing import Any


def decompose(estimator: Any, decomposition: str) -> Any:
    """Wrap `estimator` for the requested decomposition (native returns it unchanged)."""
    if decomposition == "native":
        return estimator
    raise NotImplementedError(f"decomposition {decomposition!r} is not implemented yet")
