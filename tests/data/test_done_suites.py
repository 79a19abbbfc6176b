"""The two suites of the issue's "done when" validate, and their grids are what they claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.suite import load_suite, plan

pytestmark = pytest.mark.slow  # end-to-end runs and fits (make test-fast skips them)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)  # the suites name their parquet file relative to the repository root
    return ROOT


def test_imbalance_suite(at_root: Path) -> None:
    suite = load_suite(at_root / "suites" / "imbalance.toml")
    cells, skipped = plan(suite)
    assert len(cells) + len(skipped) == 2 * 2 * 3 * 15 * 2
    # Known before the run: at ratio 100 digits keeps 1 training row of its two minority classes,
    # which the 7 interpolating samplers cannot oversample (x 2 profiles x 2 models).
    smote_family = {"smote", "borderline_smote", "svm_smote", "adasyn", "smotenc", "smote_tomek",
                    "smote_enn"}
    assert len(skipped) == 7 * 2 * 2
    assert {(c.dataset.name, c.ratio) for c, _ in skipped} == {("digits", 100.0)}
    assert {c.sampler.name for c, _ in skipped} == smote_family
    assert all(r.startswith(f"not applicable: {c.sampler.name}: class ") for c, r in skipped)
    assert {c.profile for c in cells} == {"step", "longtail"}
    assert {c.ratio for c in cells} == {1.0, 10.0, 100.0}
    assert len({c.sampler.name for c in cells}) == 15
    assert {c.dataset.name for c in cells} == {"digits", "file"}
    assert suite.minority == "rarest:2"


def test_prior_suite(at_root: Path) -> None:
    suite = load_suite(at_root / "suites" / "prior.toml")
    cells, _ = plan(suite)
    assert {c.ratio for c in cells} == {1.0}
    assert {c.test_prior for c in cells} == {"same", (("*", 11.0), ("1", 1.0))}
    assert {c.test_prior_label for c in cells} == {"same", "*:11,1:1"}


def test_example_parquet_matches_its_generator(at_root: Path) -> None:
    import importlib.util

    import pandas as pd

    spec = importlib.util.spec_from_file_location("make_example",
                                                  at_root / "suites" / "data" / "make_example.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    stored = pd.read_parquet(at_root / "suites" / "data" / "example.parquet")
    pd.testing.assert_frame_equal(stored, mod.make(), check_dtype=False)
