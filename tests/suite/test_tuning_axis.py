"""The `tuning` axis in suites and cells: parsing, identities and the skip rule.

What a user relies on: adding the axis never changes a stored result's id (the committed CI
baseline still matches), a tuned cell is a different experiment on the same rows, and every
mistake in a `tuning` entry is reported before anything runs, naming the key and what is allowed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from bench.core.cell import Cell, Component
from bench.core.errors import SuiteError, TuningError
from bench.core.space import NO_SPACE, Float, SearchSpace, cell_space
from bench.core.vocab import TuningSpec, parse_tuning
from bench.models.registry import MODELS, ModelEntry
from bench.suite import expand, load_suite, plan
from bench.suite.parse import parse_suite

ROOT = Path(__file__).resolve().parents[2]


def suite(**extra: object) -> dict[str, object]:
    return {"name": "t", "datasets": ["wine"], "models": ["lightgbm"], **extra}


def problems(raw: dict[str, object]) -> list[str]:
    with pytest.raises(SuiteError) as info:
        parse_suite(raw)
    return info.value.errors


def test_default_cells_keep_the_ids_of_the_committed_quick_baseline() -> None:
    """The CI baseline was written before the axis existed: every cell of the quick suite must
    still have the id stored there (otherwise `bench compare` would find nothing to compare)."""
    stored = set(pd.read_parquet(ROOT / "results/baselines/quick/cells", columns=["cell_id"])
                 ["cell_id"])
    ids = {c.cell_id for c in expand(load_suite(ROOT / "suites/quick.toml"))}
    assert ids == stored


def test_a_tuned_cell_is_another_experiment_on_the_same_rows() -> None:
    base = Cell(Component.of("wine"), Component.of("none"), Component.of("lightgbm"))
    tuned = replace(base, tuning="tpe(10)")
    assert "tuning" not in base.to_json() and tuned.to_json()["tuning"] == "tpe(10)"
    assert tuned.cell_id != base.cell_id
    assert tuned.model_seed != base.model_seed  # its own fit (fit sharing keys on it)
    assert tuned.split_seed == base.split_seed and tuned.partition_seed == base.partition_seed
    assert replace(base, tuning="tpe(11)").cell_id != tuned.cell_id
    assert replace(base, tuning="random(10)").cell_id != tuned.cell_id
    with pytest.raises(ValueError, match="unknown tuner; allowed: default, tpe, random"):
        replace(base, tuning="grid(10)")


def test_tuning_strings_are_canonical() -> None:
    assert str(TuningSpec("tpe", 30)) == "tpe(30)"
    assert str(TuningSpec("random", 5, 600.0, "mcc")) == "random(5,budget_s=600,metric=mcc)"
    assert parse_tuning("default") is None
    assert parse_tuning("tpe(5,budget_s=0.5)") == TuningSpec("tpe", 5, 0.5)
    with pytest.raises(TuningError, match="canonical form; write 'tpe[(]10[)]'"):
        parse_tuning("tpe(10,metric=macro_f1)")
    with pytest.raises(TuningError, match="trials 0 must be an integer >= 1"):
        TuningSpec("tpe", 0)


def test_the_axis_parses_into_canonical_strings_with_the_suites_metric() -> None:
    s = parse_suite(suite(tuning=["default", {"name": "tpe", "trials": 10}, "random",
                                  {"name": "tpe", "trials": 4, "budget_s": 60}]))
    assert s.tunings == ("default", "tpe(10)", "random(30)", "tpe(4,budget_s=60)")
    s = parse_suite(suite(metric="mcc", tuning=[{"name": "tpe", "trials": 10},
                                                {"name": "tpe", "trials": 10,
                                                 "metric": "log_loss"}]))
    assert s.tunings == ("tpe(10,metric=mcc)", "tpe(10,metric=log_loss)")
    assert parse_suite(suite()).tunings == ("default",)


def test_every_mistake_names_its_key_and_the_allowed_values() -> None:
    errors = problems(suite(tuning=[{"name": "grid"}, {"name": "tpe", "trials": 0},
                                    {"name": "tpe", "trials": 2.5},
                                    {"name": "tpe", "budget_s": -1},
                                    {"name": "tpe", "budget_s": "1h"},
                                    {"name": "tpe", "n_trials": 5},
                                    {"name": "tpe", "metric": "f2"}, 3]))
    assert errors == [
        "tuning[0].name: 'grid' is not allowed; allowed: tpe, random (or the string 'default')",
        "tuning[1].trials: 0 must be an integer >= 1",
        "tuning[2].trials: 2.5 must be an integer >= 1",
        "tuning[3].budget_s: -1 must be a positive number of seconds (the search's time budget "
        "per cell; leave it out for none)",
        "tuning[4].budget_s: '1h' must be a positive number of seconds (the search's time "
        "budget per cell; leave it out for none)",
        "tuning[5].n_trials: unknown key; allowed: name, trials, budget_s, metric",
        errors[6],
        "tuning[7]: 3 is not allowed; allowed: default, tpe, random or {name = \"tpe\", "
        "trials = 30}",
    ]
    assert errors[6].startswith("tuning[6].metric: unknown metric 'f2'; allowed: accuracy, ")
    assert problems(suite(tuning="tpe")) == ["tuning: expected list, got 'tpe'"]
    assert problems(suite(tuning=[])) == [
        "tuning: must not be empty; allowed: default, tpe, random or {name = \"tpe\", trials = 30}"]
    assert problems(suite(tuning=["tpe", {"name": "tpe", "trials": 30}])) == [
        "tuning: duplicate entries"]


def test_the_grid_crosses_tuning_with_every_other_axis() -> None:
    s = parse_suite(suite(models=["lightgbm", "logistic"], decisions=["argmax", "prior"],
                          tuning=["default", {"name": "tpe", "trials": 3}]))
    cells = expand(s)
    assert len(cells) == 3 * 2 * 2 * 2
    assert {c.tuning for c in cells} == {"default", "tpe(3)"}
    assert len({c.cell_id for c in cells}) == len(cells)
    # the decisions of one fit are neighbours (the protocol shares that fit among them)
    assert [c.decision for c in cells[:4]] == ["argmax", "prior", "argmax", "prior"]
    assert [c.tuning for c in cells[:4]] == ["default", "default", "tpe(3)", "tpe(3)"]


def _register_spaceless() -> None:
    base = MODELS.get("logistic")
    MODELS.register(ModelEntry("spaceless", base.family, base.factory, dict(base.params)))
    assert not getattr(MODELS.get("spaceless"), "space", NO_SPACE)


def test_a_tuned_cell_without_anything_to_search_is_skipped_with_its_reason() -> None:
    _register_spaceless()
    s = parse_suite(suite(models=["spaceless", "lightgbm"],
                          tuning=["default", {"name": "tpe", "trials": 3}]))
    run, skipped = plan(s, data=False)
    assert {(c.model.name, c.tuning) for c in run} == {
        ("spaceless", "default"), ("lightgbm", "default"), ("lightgbm", "tpe(3)")}
    assert {c.model.name for c, _ in skipped} == {"spaceless"}
    assert skipped[0][1] == (
        "tuning 'tpe(3)': model 'spaceless' and sampler 'none' declare no search space (or the "
        "suite fixes every parameter in it), so there is nothing to tune; its default cell runs")
    no_val = parse_suite(suite(validation=0.0, tuning=[{"name": "tpe", "trials": 3}]))
    run, skipped = plan(no_val, data=False)
    assert not run and skipped[0][1] == "tuning 'tpe(3)' needs a validation part (validation > 0)"


def test_parameters_the_suite_sets_are_not_searched() -> None:
    model = SearchSpace({"lr": Float(0.01, 0.3, log=True), "depth": Float(1, 8)}, "test")
    sampler = SearchSpace({"k_neighbors": Float(1, 9)}, "test")
    assert list(cell_space(model, sampler)) == ["model.lr", "model.depth", "sampler.k_neighbors"]
    assert list(cell_space(model, sampler, {"lr": 0.1}, {"k_neighbors": 5})) == ["model.depth"]
    assert cell_space(model, NO_SPACE, {"lr": 0.1, "depth": 3}) == {}
