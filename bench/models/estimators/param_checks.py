"""Parameter checks shared by the neural estimators (the DNN baseline and the tabular networks).

Why one place: scikit-learn estimators validate in ``fit`` (no logic in ``__init__``), and every
network has the same kinds of parameters (positive sizes, optional patiences, rates in an
interval, a class weight, string choices). Checked here, each refusal reads the same in every
model: a ``ValueError`` naming the parameter, the rule and the value given.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from typing import Any


def store_params(estimator: Any, params: dict[str, Any]) -> None:
    """Store the ``__init__`` arguments untouched (scikit-learn convention), called as
    ``store_params(self, locals())``."""
    for name, value in params.items():
        if name != "self":
            setattr(estimator, name, value)


def check_positive_ints(estimator: Any, names: Iterable[str]) -> None:
    for name in names:
        value = getattr(estimator, name)
        if not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}.")


def check_optional_ints(estimator: Any, names: Iterable[str], minimum: int = 0) -> None:
    """``None`` or an int >= ``minimum`` (a patience may be 0; a count starts at 1)."""
    rule = "a positive int" if minimum == 1 else f"an int >= {minimum}"
    for name in names:
        value = getattr(estimator, name)
        if value is not None and (not isinstance(value, Integral) or value < minimum):
            raise ValueError(f"{name} must be None or {rule}; got {value!r}.")


def check_hidden(hidden: Any, non_empty: bool = False) -> None:
    """Hidden-layer widths: a sequence of positive ints (``non_empty``: at least one)."""
    widths = tuple(hidden)
    if not all(isinstance(h, Integral) and h > 0 for h in widths) or (non_empty and not widths):
        what = "a non-empty sequence" if non_empty else "a sequence"
        raise ValueError(f"hidden must be {what} of positive ints; got {hidden!r}.")


def check_rules(estimator: Any, rules: Iterable[tuple[str, bool, str]]) -> None:
    """``(name, ok, rule)`` triples: the first one not ``ok`` is refused."""
    for name, ok, rule in rules:
        if not ok:
            raise ValueError(f"{name} must be {rule}; got {getattr(estimator, name)!r}.")


def check_choices(estimator: Any, choices: Iterable[tuple[str, tuple[str, ...]]]) -> None:
    """String parameters against their allowed values."""
    check_rules(estimator, [(name, getattr(estimator, name) in allowed, f"one of {allowed}")
                            for name, allowed in choices])


def check_class_weight(class_weight: Any) -> None:
    cw = class_weight
    if not (cw is None or cw == "balanced" or isinstance(cw, dict)):
        raise ValueError(f"class_weight must be None, 'balanced' or a dict; got {cw!r}.")
