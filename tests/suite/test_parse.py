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


def test_every_problem_of_a_suite_is_reported_at_once() -> None:
    """Five different mistakes, one SuiteError naming all five (not the first one only)."""
    raw = with_(colour="red", folds="3",
                models=[{"name": "lightgbm", "n_estimators": "many"}],
                decisions=["argmax", "vote"])
    raw["imbalance"] = {"profile": "step", "ratios": [0.5], "minority": [2]}
    errs = errors_of(raw)
    expected = ["colour: unknown key", "folds: expected integer",
                "models[0].n_estimators: expected int", "decisions[1]: 'vote' is not allowed",
                "imbalance.ratios[0]: 0.5 must be a number from 1 to 1000"]
    assert len(errs) == 5, errs
    for start in expected:
        assert any(e.startswith(start) for e in errs), (start, errs)


def test_a_mistyped_required_key_is_not_also_reported_missing() -> None:
    errs = errors_of(with_(models="dummy"))
    assert errs == ["models: expected list, got 'dummy'"]


def labels_of(datasets: list) -> list[str]:
    return [d.label for d in parse_suite(with_(datasets=datasets)).datasets]


def test_dataset_labels_default_to_a_readable_name(tmp_path: Path) -> None:
    csv = tmp_path / "transactions.csv"
    csv.write_text("a,label\n1,x\n2,y\n")
    assert labels_of(["wine", {"name": "seed-overlap", "n_samples": 3000, "overlap": 0.5},
                      {"name": "file", "path": str(csv), "target": "label"}]) == [
        "wine", "seed-overlap(overlap=0.5)", "transactions"]  # n_samples=3000 is the default


def test_a_dataset_label_is_used_and_kept_out_of_the_loader_and_the_cell_id() -> None:
    plain = parse_suite(with_(datasets=["wine"]))
    named = parse_suite(with_(datasets=[{"name": "wine", "label": "Wine (UCI)"}]))
    assert named.datasets[0].label == "Wine (UCI)" and named.datasets[0].kwargs == {}
    assert [c.cell_id for c in expand(named)] == [c.cell_id for c in expand(plain)]
    assert {c.dataset.label for c in expand(named)} == {"Wine (UCI)"}


def test_dataset_labels_are_unique_in_a_suite(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "data.csv").write_text("a,label\n1,x\n2,y\n")
    same_stem = [{"name": "file", "path": str(tmp_path / s / "data.csv"), "target": "label"}
                 for s in ("a", "b")]
    errs = errors_of(with_(datasets=same_stem))
    assert errs == ["datasets[1]: label 'data' is also the label of datasets[0]; labels must be "
                    'unique in a suite: give one of them a different `label = "..."`']
    assert labels_of([same_stem[0], {**same_stem[1], "label": "data b"}]) == ["data", "data b"]
    errs = errors_of(with_(datasets=["wine", {"name": "digits", "label": "wine"}]))
    assert len(errs) == 1 and errs[0].startswith("datasets[1]: label 'wine' is also the label of "
                                                 "datasets[0]")


@pytest.mark.parametrize("label,problem", [("", "expected a non-empty string"),
                                           (3, "expected a non-empty string"),
                                           ("two\nlines", "holds control characters")])
def test_bad_dataset_labels(label: object, problem: str) -> None:
    errs = errors_of(with_(datasets=[{"name": "wine", "label": label}]))
    assert len(errs) == 1 and errs[0].startswith("datasets[0].label: ") and problem in errs[0]


def test_a_directory_or_a_missing_file_is_not_a_suite(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="is a directory; give a suite file"):
        load_suite(tmp_path)
    with pytest.raises(SuiteError, match="file not found"):
        load_suite(tmp_path / "nope.toml")
