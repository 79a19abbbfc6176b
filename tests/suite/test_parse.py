"""Suite validation (errors name the key path and the allowed values) and the grid enumerator."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bench.suite import SuiteError, expand, load_suite, parse_suite, plan
from tests_helpers import TINY

SUITES = Path(__file__).resolve().parents[2] / "suites"


def errors_of(raw: dict) -> list[str]:
    with pytest.raises(SuiteError) as info:
        parse_suite(raw)
    return info.value.errors


def with_(**changes: object) -> dict:
    raw = tomllib.loads(TINY)
    raw.update(changes)
    return raw


def test_tiny_suite_expands_to_the_full_grid() -> None:
    suite = parse_suite(tomllib.loads(TINY))
    cells = expand(suite)
    # 1 dataset x 2 ratios x 3 folds x 2 samplers x 2 models
    assert len(cells) == 24
    assert len({c.cell_id for c in cells}) == 24
    assert expand(suite) == cells  # stable order


def test_unknown_model_names_the_path_and_the_allowed_values() -> None:
    errs = errors_of(with_(models=[{"name": "dummy"}, {"name": "logistic"}, {"name": "xgbost"}]))
    assert len(errs) == 1
    assert errs[0].startswith("models[2].name: unknown model 'xgbost'; allowed:")
    assert "lightgbm" in errs[0] and "dummy" in errs[0]


@pytest.mark.parametrize("raw_change,expected", [
    ({"colour": "red"}, "colour: unknown key; allowed:"),
    ({"samplers": ["none", "smoot"]}, "samplers[1].name: unknown sampler 'smoot'"),
    ({"datasets": [{"name": "wine", "rows": 3}]}, "datasets[0].rows: unknown parameter"),
    ({"models": [{"name": "lightgbm", "n_estimators": "many"}]},
     "models[0].n_estimators: expected int"),
    ({"models": []}, "models: must be a non-empty list"),
    ({"folds": 1}, "folds: 1 must be at least 2"),
    ({"folds": "3"}, "folds: expected integer"),
    ({"decisions": ["argmax", "vote"]}, "decisions[1]: 'vote' is not allowed; allowed: argmax"),
    ({"imbalance": {"ratios": [0.5]}}, "imbalance.ratios[0]: 0.5 must be a number from 1 to 1000"),
    ({"imbalance": {"ratios": []}}, "imbalance.ratios: must not be empty"),
    ({"imbalance": {"profile": "steep"}}, "imbalance.profile[0]: 'steep' is not allowed"),
    ({"imbalance": {"ratio": [2]}}, "imbalance.ratio: unknown key"),
    ({"validation": 1.5}, "validation: 1.5 must be in [0, 1)"),
])
def test_bad_suites_fail_with_the_key_path(raw_change: dict, expected: str) -> None:
    errs = errors_of(with_(**raw_change))
    assert any(e.startswith(expected) for e in errs), errs


def test_all_problems_are_reported_at_once() -> None:
    errs = errors_of(with_(folds=1, models=[{"name": "nope"}], samplers=["bad"]))
    assert len(errs) == 3


def test_missing_required_keys() -> None:
    errs = errors_of({"name": "x"})
    assert "datasets: required key is missing" in errs
    assert "models: required key is missing" in errs


def test_natural_profile_ignores_the_ratio_axis() -> None:
    raw = with_()
    raw["imbalance"] = {"profile": ["natural", "step"], "ratios": [1, 10], "minority": [2]}
    cells = expand(parse_suite(raw))
    natural = [c for c in cells if c.profile == "natural"]
    assert {c.ratio for c in natural} == {1.0}
    assert len(natural) == len(cells) / 3


def test_skip_rule_gives_reasons() -> None:
    raw = with_(decisions=["argmax", "tuned"], validation=0.0)
    run, skipped = plan(parse_suite(raw))
    assert all(c.decision == "argmax" for c in run)
    assert skipped and all("validation" in reason for _, reason in skipped)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(SuiteError, match="invalid TOML"):
        load_suite(bad)


@pytest.mark.parametrize("path", sorted(SUITES.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_suites_are_valid(path: Path) -> None:
    assert expand(load_suite(path))
