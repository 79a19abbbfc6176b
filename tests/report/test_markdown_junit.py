"""Renderers of a Comparison (markdown, JUnit XML, terminal) and the `bench compare` CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from compare_helpers import BASE_F1, config, make_cell, result, write
from typer.testing import CliRunner

from bench.commands.compare import compare_stores
from bench.cli import app
from bench.report.junit import comparison_junit
from bench.report.markdown import comparison_markdown
from bench.report.terminal import comparison_table


@pytest.fixture
def stores(tmp_path: Path) -> tuple[Path, Path]:
    """Baseline: logistic, lightgbm, dnn. Current: lightgbm worse (with a lightgbm upgrade),
    dnn failing on one fold, logistic unchanged, random_forest new."""
    base = write(tmp_path / "base", config("logistic", BASE_F1) + config("lightgbm", BASE_F1)
                 + config("dnn", BASE_F1))
    dnn = config("dnn", BASE_F1)
    dnn[2] = result(make_cell("dnn", 2), status="timeout", error="timed out after 120 s")
    cur = write(tmp_path / "cur", config("logistic", BASE_F1)
                + config("lightgbm", [f - 0.2 for f in BASE_F1]) + dnn
                + config("random_forest", BASE_F1), lightgbm_version="4.6.0")
    return base, cur


def test_markdown_names_the_verdict_marks_and_worse_metrics(stores: tuple[Path, Path]) -> None:
    cmp = compare_stores(*stores, ["macro_f1", "log_loss"])
    md = comparison_markdown(cmp)
    assert md.startswith("## ❌ bench compare: regression (exit 1) — 1 worse, 1 new failure")
    assert "| 🔴 worse | 1 |" in md and "| 🔴 new failure | 1 |" in md
    assert "| 🔵 new | 1 |" in md and "| ⚪ unchanged | 1 |" in md
    assert "### worse (1, gating)" in md
    assert "model=lightgbm: macro\\_f1 0.8050 → 0.6050 (Δ -0.2000, wilcoxon, p=0.0156)" in md
    assert "1 of 6 cell(s) now timeout: timed out after 120 s" in md
    assert "library version changed: lightgbm 4.5.0 → 4.6.0" in md
    assert "**0.8050 → 0.6050 (-0.2000)**" in md  # the worse metric is bold in the table
    assert "`macro_f1` ↑, `log_loss` ↓" in md
    assert "### Changed configurations (3)" in md and "<details><summary>All 4 configurations" in md
    # every table row has as many cells as the header
    table = [ln for ln in md.splitlines() if ln.startswith("| ") and "lightgbm" in ln]
    header = next(ln for ln in md.splitlines() if ln.startswith("| mark | dataset"))
    assert table and all(ln.count(" | ") == header.count(" | ") for ln in table)


def test_markdown_pass(stores: tuple[Path, Path]) -> None:
    base, _ = stores
    md = comparison_markdown(compare_stores(base, base, ["macro_f1"]))
    assert md.startswith("## ✅ bench compare: no regression (exit 0)")
    assert "Changed configurations" not in md and "all 18 paired metric values are identical" in md


def test_junit_is_parseable_and_fails_the_gated_configurations(stores: tuple[Path, Path]) -> None:
    cmp = compare_stores(*stores, ["macro_f1"])
    root = ET.fromstring(comparison_junit(cmp))
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "4" and suite.get("failures") == "2"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    lgbm = next(c for n, c in cases.items() if "model=lightgbm" in n)
    failure = lgbm.find("failure")
    assert failure is not None and failure.get("type") == "worse"
    assert "macro_f1 0.8050 → 0.6050" in failure.get("message", "")
    assert "versions: lightgbm 4.5.0 → 4.6.0" in lgbm.findtext("system-out", "")
    dnn = next(c for n, c in cases.items() if "model=dnn" in n)
    assert dnn.find("failure").get("type") == "new failure"  # type: ignore[union-attr]
    logistic = next(c for n, c in cases.items() if "model=logistic" in n)
    assert logistic.find("failure") is None and logistic.find("skipped") is None


def test_junit_skips_ungated_not_comparable_and_missing(tmp_path: Path) -> None:
    base = write(tmp_path / "base", config("logistic", BASE_F1) + config("lightgbm", BASE_F1))
    cur = write(tmp_path / "cur", config("logistic", BASE_F1, dataset_fp="changed"))
    root = ET.fromstring(comparison_junit(compare_stores(base, cur, ["macro_f1"])))
    skipped = [c.find("skipped").get("message") for c in root.iter("testcase")]  # type: ignore[union-attr]
    assert sorted(skipped) == ["missing: not in the current store",
                               "not comparable: dataset fingerprint changed (fp-wine → changed)"]
    gated = compare_stores(base, cur, ["macro_f1"], fail_on=["not comparable", "missing"])
    root = ET.fromstring(comparison_junit(gated))
    assert root.find("testsuite").get("failures") == "2"  # type: ignore[union-attr]


def test_terminal_table_has_a_row_per_configuration(stores: tuple[Path, Path]) -> None:
    cmp = compare_stores(*stores, ["macro_f1"])
    assert comparison_table(cmp).row_count == 4
    assert comparison_table(cmp, changed_only=True).row_count == 3


runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def test_cli_exit_codes_switches_and_outputs(stores: tuple[Path, Path], tmp_path: Path) -> None:
    base, cur = stores
    same = invoke("compare", str(base), str(base))
    assert same.exit_code == 0, same.output
    assert "unchanged 3" in same.output and "PASS (exit 0)" in same.output
    out = invoke("compare", str(base), str(cur), "--junit", str(tmp_path / "j.xml"),
                 "--markdown", str(tmp_path / "s.md"), "-m", "macro_f1", "-m", "balanced_log_loss")
    assert out.exit_code == 1
    assert "FAIL (exit 1): 1 worse, 1 new failure" in out.output
    assert "lightgbm 4.5.0 → 4.6.0" in out.output
    ET.parse(tmp_path / "j.xml")
    assert (tmp_path / "s.md").read_text().startswith("## ❌")
    assert invoke("compare", str(base), str(cur), "--no-fail-on-worse").exit_code == 1
    assert invoke("compare", str(base), str(cur), "--no-fail-on-new-failure").exit_code == 1
    off = invoke("compare", str(base), str(cur), "--no-fail-on-worse", "--no-fail-on-new-failure")
    assert off.exit_code == 0 and "not gating" in off.output
    loose = invoke("compare", str(base), str(cur), "--tolerance", "0.5",
                   "--no-fail-on-new-failure")
    assert loose.exit_code == 0
    per_metric = invoke("compare", str(base), str(cur), "--tolerance", "0.5",
                        "--tolerance", "macro_f1=0.1", "--no-fail-on-new-failure")
    assert per_metric.exit_code == 1
    assert invoke("compare", str(base), str(cur), "--no-fail-on-worse", "--no-fail-on-new-failure",
                  "--fail-on-missing").exit_code == 0  # nothing is missing
    assert invoke("compare", str(base), str(tmp_path / "none")).exit_code == 2
    assert invoke("compare", str(base), str(cur), "--tolerance", "x=y").exit_code == 2


def test_cli_max_slowdown(tmp_path: Path) -> None:
    base = write(tmp_path / "base", config("logistic", BASE_F1))
    cur = write(tmp_path / "cur", config("logistic", BASE_F1, fit_s=5.0))
    assert invoke("compare", str(base), str(cur)).exit_code == 0  # off by default
    slow = invoke("compare", str(base), str(cur), "--max-slowdown", "2")
    assert slow.exit_code == 1 and "fit ×5.00" in slow.output
    assert invoke("compare", str(base), str(cur), "--max-slowdown", "6").exit_code == 0


def test_stores_of_different_suites_are_a_usage_error(tmp_path: Path) -> None:
    from bench.store import write_meta

    base = write(tmp_path / "base", config("logistic", BASE_F1))
    other = write(tmp_path / "other", config("logistic", BASE_F1))
    write_meta(base, {"suite": "quick", "metric": "macro_f1"})
    write_meta(other, {"suite": "zoo", "metric": "macro_f1"})
    out = invoke("compare", str(base), str(other))
    assert out.exit_code == 2
    assert "holds suite 'quick' but" in out.output and "--allow-different-suites" in out.output
    assert invoke("compare", str(base), str(other), "--allow-different-suites").exit_code == 0


def test_stores_without_a_matching_cell_are_a_usage_error(tmp_path: Path) -> None:
    base = write(tmp_path / "base", config("logistic", BASE_F1))
    shifted = write(tmp_path / "shifted", [result(make_cell("logistic", i, 6, ratio=10.0),
                                                  macro_f1=f) for i, f in enumerate(BASE_F1)])
    out = invoke("compare", str(base), str(shifted))
    assert out.exit_code == 2 and "no cell of" in out.output and "matches a cell of" in out.output
    allowed = invoke("compare", str(base), str(shifted), "--allow-different-suites")
    assert allowed.exit_code == 0 and "missing 1" in allowed.output and "new 1" in allowed.output
