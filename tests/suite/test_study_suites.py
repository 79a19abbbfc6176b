"""The study suites (docs/results.md) are what their descriptions claim: checked on the parsed
suite and its grid, without loading data or fitting."""

from __future__ import annotations

from pathlib import Path

from bench.data.sources import keel
from bench.data.sources.synthetic import longtail_counts
from bench.models import MODELS
from bench.suite import load_suite
from bench.suite.grid import expand

SUITES = Path(__file__).resolve().parents[2] / "suites"


def test_keel_suite_is_a_standard_imbalanced_benchmark() -> None:
    suite = load_suite(SUITES / "keel.toml")
    sets = [d.kwargs["set"] for d in suite.datasets]
    assert len(sets) >= 20 and len(set(sets)) == len(sets)
    assert {d.name for d in suite.datasets} == {"keel"}
    assert all(d.kwargs.get("collection", "imbalanced") == "imbalanced" for d in suite.datasets)
    assert set(sets) <= set(keel.SETS["imbalanced"])
    assert (suite.folds, suite.repeats, suite.profiles) == (5, 2, ("natural",))
    names = {m.name for m in suite.models}
    ensembles = {e.name for e in MODELS if e.family in ("bagging", "boosting")}
    assert ensembles <= names, f"missing: {sorted(ensembles - names)}"
    assert {"dnn", "logistic"} <= names
    assert [s.name for s in suite.samplers] == ["none", "class_weight", "random_under", "smote"]
    assert suite.decisions == ("argmax", "tuned")
    assert len(expand(suite)) == len(sets) * len(suite.models) * 4 * 2 * 5 * 2


def test_seed_suites_cover_the_three_parts() -> None:
    ab = load_suite(SUITES / "seed.toml")
    c = load_suite(SUITES / "seed-imbalanced.toml")
    for suite in (ab, c):
        (data,) = suite.datasets
        assert (data.name, data.kwargs["n_samples"]) == ("seed-overlap", 600_000)
        assert suite.holdout * 600_000 >= 100_000  # the test part of (a)
        assert {m.name for m in suite.models} >= {"dnn", "random_forest", "lightgbm"}
        dnn = next(m for m in suite.models if m.name == "dnn")
        assert dnn.kwargs == {}  # the default Dense 1024-1024-512
    # (a) balanced training, balanced test; (b) the same fits at 1:11 on class 1
    assert ab.profiles == ("natural",) and ab.test_priors[0] == "same"
    assert ab.test_priors[1] == (("*", 11.0), ("1", 1.0))
    assert set(ab.decisions) == {"argmax", "prior", "tuned"}
    # (c) the naturally imbalanced world with every strategy
    assert (c.profiles, c.ratios, c.minority, c.test_priors) == (("step",), (11.0,), ("1",),
                                                                 ("same",))
    assert {s.name for s in c.samplers} == {"none", "class_weight", "random_over", "random_under",
                                            "smote"}
    assert set(c.decisions) == {"argmax", "prior", "tuned"}


def test_small_data_suite_has_five_classes_of_56_to_238_rows() -> None:
    suite = load_suite(SUITES / "small-data.toml")
    (data,) = suite.datasets
    kw = data.kwargs
    assert longtail_counts(kw["n_classes"], kw["n_max"], kw["imbalance"]).tolist() == \
        [238, 166, 115, 80, 56]
    assert [s.name for s in suite.samplers] == ["none", "class_weight", "random_over", "smote"]
    names = [m.name for m in suite.models]
    assert names[0] == "dnn" and {"random_forest", "lightgbm"} <= set(names)
    assert suite.validation > 0  # the validation curves
