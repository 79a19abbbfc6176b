"""Declared parameters of plugins, and the validation suites get before anything runs.

Why: a suite is data; a misspelt parameter must fail with its key path and the allowed names,
not be silently passed to (or ignored by) a library.
"""

from __future__ import annotations

from typing import Any

class _Required:
    """Marks a parameter without default (shown as <required> in listings)."""

    def __repr__(self) -> str:
        return "<required>"


REQUIRED = _Required()


def _type_ok(value: Any, default: Any) -> bool:
    if default is REQUIRED or default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def check_params(
    path: str, given: dict[str, Any], declared: dict[str, Any], open_ended: bool = False
) -> list[str]:
    """Errors for unknown, missing or mistyped parameters, each naming its key path."""
    errors: list[str] = []
    for key, value in given.items():
        if key not in declared:
            if not open_ended:
                errors.append(
                    f"{path}.{key}: unknown parameter; allowed: {', '.join(sorted(declared)) or '(none)'}"
                )
            continue
        default = declared[key]
        if not _type_ok(value, default):
            errors.append(
                f"{path}.{key}: expected {type(default).__name__}, got {type(value).__name__} ({value!r})"
            )
    for key, default in declared.items():
        if default is REQUIRED and key not in given:
            errors.append(f"{path}.{key}: required parameter is missing")
    return errors


def with_defaults(given: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in declared.items() if v is not REQUIRED}
    out.update(given)
    return out
