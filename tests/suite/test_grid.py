"""The data-aware skip rule: cells the data cannot supply are known before the run, with the
message the run itself would have given, and `bench validate` shows the per-class counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.core.vocab import ERROR, OK, SKIPPED
from bench.data import load_dataset
from bench.data.partition import make_split
from bench.protocol import run_cell_safely
from bench.suite import describe, expand, load_suite, plan
from bench.suite.grid import Survey, survey

DIGITS_100 = """
name = "digits100"
folds = 2
validation = {validation}
samplers = ["none", "smote", "random_under"]

[imbalance]
profile = "step"
ratios = [100]
minority = "rarest"

[[datasets]]
name = "digits"

[[models]]
name = "dummy"

[[models]]
name = "logistic"
"""


def write(tmp_path: Path, text: str, name: str = "suite.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def table_csv(tmp_path: Path, labels: list[str], counts: list[int], name: str = "t.csv") -> Path:
    """A two-feature CSV with `counts[i]` rows of class `labels[i]`."""
    rng = np.random.default_rng(0)
    y = np.repeat(labels, counts)
    df = pd.DataFrame({"a": rng.normal(size=len(y)), "b": rng.normal(size=len(y)), "y": y})
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def file_suite(csv: Path, *, ratios: str = "[1, 5]", validation: float = 0.0,
               samplers: str = '["none"]', name: str = "toy") -> str:
    return f"""
name = "{name}"
folds = 2
validation = {validation}
samplers = {samplers}

[imbalance]
profile = "step"
ratios = {ratios}
minority = "rarest"

[[datasets]]
name = "file"
path = "{csv.as_posix()}"
target = "y"

[[models]]
name = "dummy"
"""


@pytest.mark.parametrize("validation", [0.2, 0.0])
def test_digits_ratio_100_skips_what_the_run_would_fail_with_its_message(
        tmp_path: Path, validation: float) -> None:
    suite = load_suite(write(tmp_path, DIGITS_100.format(validation=validation)))
    run, skipped = plan(suite)
    assert len(run) + len(skipped) == 12
    if validation:  # class '8' keeps 1 training row: no stratified validation part
        assert not run
        assert {r for _, r in skipped} == {
            "digits: class '8' has 1 row(s); a validation share of 0.2 (after imbalance) "
            "needs at least 2 per class"}
    else:  # no validation part: only SMOTE (interpolation within class '8') is impossible
        assert {c.sampler.name for c, _ in skipped} == {"smote"}
        assert {c.sampler.name for c in run} == {"none", "random_under"}
        assert all(r.startswith("not applicable: smote: class '8' has 1 training row(s)")
                   for _, r in skipped)
    for cell, reason in skipped:  # the run would have said the same thing
        row = run_cell_safely(cell).row
        if row["status"] == SKIPPED:
            assert row["error"] == reason
        else:
            assert row["status"] == ERROR and row["error"].startswith(f"DataError: {reason} (at ")
    assert all(run_cell_safely(cell).row["status"] == OK for cell in run)


def test_digits_ratio_100_run_has_no_error_rows_and_validate_announces_skips(
        tmp_path: Path) -> None:
    from bench.commands.run import run_suite

    path = write(tmp_path, DIGITS_100.format(validation=0.0))
    run_suite(path, tmp_path / "store", workers=0)
    cells = pd.read_parquet(tmp_path / "store" / "cells")
    assert len(cells) == 12 and set(cells["status"]) == {OK, SKIPPED}
    assert (cells.loc[cells["status"] == SKIPPED, "sampler"] == "smote").all()
    out = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "8 cells to run, 4 skipped" in out.output
    assert "skip 2 cell(s): not applicable: smote: class '8' has 1 training row(s)" in out.output
    assert "8:1/0/1" in out.output  # class '8': 1 fit row, no validation, 1 test row


def test_class_counts_by_hand(tmp_path: Path) -> None:
    """Classes a: 20 rows, b: 10 rows; 2 folds -> training pools [10, 5], test pools [10, 5].
    Ratio 1: both classes cut to 5 (test follows: 5 / 5). Ratio 5: b gets 1/5 of a's weight,
    m = min(10 / 1, 5 / 0.2) = 10 -> [10, 2]; the test part follows 1:5 -> [10, 2]."""
    path = write(tmp_path, file_suite(table_csv(tmp_path, ["a", "b"], [20, 10])))
    info = describe(path)
    by_ratio = {r["ratio"]: r for r in info["class_counts"]}
    assert by_ratio["1"]["classes"] == [{"label": "a", "fit": 5, "val": 0, "test": 5},
                                        {"label": "b", "fit": 5, "val": 0, "test": 5}]
    assert by_ratio["5"]["classes"] == [{"label": "a", "fit": 10, "val": 0, "test": 10},
                                        {"label": "b", "fit": 2, "val": 0, "test": 2}]
    assert by_ratio["5"]["min_test"] == 2 and by_ratio["5"]["problem"] == ""
    assert info["n_skipped"] == 0 and info["data_problems"] == []


def test_class_counts_are_the_smallest_over_folds_of_the_real_split(tmp_path: Path) -> None:
    path = write(tmp_path, file_suite(table_csv(tmp_path, ["a", "b", "c"], [41, 23, 17]),
                                      ratios="[3]", validation=0.2))
    suite = load_suite(path)
    ds = load_dataset(suite.datasets[0])
    per_fold = [make_split(ds, c).counts(ds.y, ds.n_classes)
                for c in expand(suite) if c.repeat == 0]
    row = describe(path)["class_counts"][0]
    for part in ("fit", "val", "test"):
        low = np.min([f[part] for f in per_fold], axis=0)
        assert [c[part] for c in row["classes"]] == low.tolist()


def test_a_test_prior_the_data_cannot_supply_is_a_skip(tmp_path: Path) -> None:
    """b has 4 rows: 2 per test fold; a 1:1000 prior would need more than 2,000 'a' test rows
    per 'b' row, so b rounds to 0 rows of the test part: the split fails, every cell skips."""
    csv = table_csv(tmp_path, ["a", "b"], [40, 4])
    text = file_suite(csv, ratios="[1]").replace(
        'minority = "rarest"', 'minority = "rarest"\ntest_prior = { b = 1, "*" = 1000 }')
    run, skipped = plan(load_suite(write(tmp_path, text)))
    assert not run and skipped
    assert all("the test prior gives class 'b'" in r for _, r in skipped)


def test_a_dataset_that_cannot_load_is_a_problem_line_not_a_crash(tmp_path: Path) -> None:
    """The header check passes (columns exist) but the file has one class: loading fails at plan
    time, validate says so, and the cells are left to the run (which reports it per cell)."""
    path = write(tmp_path, file_suite(table_csv(tmp_path, ["a"], [12])))
    info = describe(path)
    assert len(info["data_problems"]) == 1 and "only one class" in info["data_problems"][0]
    assert info["n_cells"] == 4 and info["n_skipped"] == 0 and info["class_counts"] == []


def test_static_plan_loads_nothing(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path, DIGITS_100.format(validation=0.2)))
    run, skipped = plan(suite, data=False)
    assert len(run) == 12 and not skipped
    data = survey(suite.datasets)
    assert isinstance(data, Survey) and plan(suite, data) == plan(suite)


@pytest.mark.parametrize("label", ["[/x]", "[red]x[/red]", "[link=http://x]y[/link]",
                                   "<script>"])
def test_validate_prints_class_labels_literally(tmp_path: Path, label: str) -> None:
    path = write(tmp_path, file_suite(table_csv(tmp_path, [label, "plain"], [12, 30]),
                                      ratios="[1]"))
    out = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    assert f"{label}:6/0/6" in out.output
