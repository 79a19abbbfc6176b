"""bench.analysis.compare on small real stores written with Store.write (no fitting).

Every mark, the paired test versus the tolerance, lower-is-better directions, version changes,
protocol / dataset changes (not comparable, never "missing"), gates and exit codes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from compare_helpers import BASE_F1, config, make_cell, result, write

import bench.core.cell
from bench.analysis.compare import compare
from bench.core.errors import CommandError
from bench.analysis.paired import min_pairs
from bench.commands.compare import compare_stores
from bench.store import read_cells
from bench.core.cell import Cell, Component
from bench.store import Store


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    return write(tmp_path / "base", config("logistic", BASE_F1) + config("lightgbm", BASE_F1))


def mark_of(cmp, model: str) -> str:  # type: ignore[no-untyped-def]
    return cmp.configs.set_index("model").loc[model, "mark"]


def metric_row(cmp, model: str, metric: str = "macro_f1") -> pd.Series:  # type: ignore[no-untyped-def]
    m = cmp.metrics
    return m[(m["model"] == model) & (m["metric"] == metric)].iloc[0]


def test_min_pairs_is_where_the_exact_test_can_reach_alpha() -> None:
    assert min_pairs(0.05) == 5
    assert min_pairs(0.1) == 4
    for alpha in (0.01, 0.05, 0.1, 0.2):
        n = min_pairs(alpha)
        assert 2.0 ** -n < alpha <= 2.0 ** -(n - 1)


def test_identical_stores_are_unchanged_and_exit_zero(baseline: Path, tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", BASE_F1) + config("lightgbm", BASE_F1),
                    per_cell=True)
    cmp = compare_stores(baseline, current, ["macro_f1", "log_loss"])
    assert cmp.exit_code == 0
    assert set(cmp.configs["mark"]) == {"unchanged"}
    assert len(cmp.configs) == 2 and (cmp.configs["n_paired"] == 6).all()
    assert (cmp.metrics["delta"] == 0).all() and (cmp.metrics["test"] == "wilcoxon").all()
    assert any("identical" in n for n in cmp.notes)
    assert not any(cmp.gates.values())


def test_consistent_drop_beyond_tolerance_is_worse_with_the_paired_test(baseline: Path,
                                                                         tmp_path: Path) -> None:
    weak = [f - 0.05 for f in BASE_F1]
    current = write(tmp_path / "cur", config("logistic", BASE_F1) + config("lightgbm", weak))
    cmp = compare_stores(baseline, current, ["macro_f1"])
    assert mark_of(cmp, "lightgbm") == "worse" and mark_of(cmp, "logistic") == "unchanged"
    row = metric_row(cmp, "lightgbm")
    assert row["test"] == "wilcoxon"
    assert row["p_value"] == pytest.approx(2.0 ** -6)  # exact: all 6 pairs got worse
    assert row["delta"] == pytest.approx(-0.05)
    assert cmp.exit_code == 1
    [(cid, text)] = cmp.gates["worse"]
    assert "model=lightgbm" in text and "macro_f1" in text and "-0.0500" in text


def test_large_mean_drop_without_paired_support_is_not_worse(baseline: Path,
                                                             tmp_path: Path) -> None:
    # one fold collapses, the others improve a little: mean -0.035, but no consistent drop
    delta = [-0.30, +0.05, -0.02, +0.04, +0.03, -0.01]
    current = write(tmp_path / "cur", config("logistic", BASE_F1)
                    + config("lightgbm", [f + d for f, d in zip(BASE_F1, delta)]))
    cmp = compare_stores(baseline, current, ["macro_f1"])
    row = metric_row(cmp, "lightgbm")
    assert row["delta"] < -0.01 and row["p_value"] >= 0.05
    assert row["mark"] == "unchanged" and mark_of(cmp, "lightgbm") == "unchanged"
    assert cmp.exit_code == 0


def test_significant_drop_within_tolerance_is_unchanged(baseline: Path, tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", BASE_F1)
                    + config("lightgbm", [f - 0.005 for f in BASE_F1]))
    cmp = compare_stores(baseline, current, ["macro_f1"])
    row = metric_row(cmp, "lightgbm")
    assert row["p_value"] < 0.05 and row["mark"] == "unchanged"
    assert cmp.exit_code == 0
    tighter = compare_stores(baseline, current, ["macro_f1"], tolerance=0.001)
    assert mark_of(tighter, "lightgbm") == "worse" and tighter.exit_code == 1
    per_metric = compare_stores(baseline, current, ["macro_f1"],
                                tolerance={"*": 0.1, "macro_f1": 0.001})
    assert per_metric.tolerance == {"macro_f1": 0.001}
    assert mark_of(per_metric, "lightgbm") == "worse"


def test_too_few_pairs_uses_the_tolerance_alone_and_says_so(tmp_path: Path) -> None:
    base = write(tmp_path / "base", config("lightgbm", BASE_F1[:3]))
    cur = write(tmp_path / "cur", config("lightgbm", [f - 0.05 for f in BASE_F1[:3]]))
    cmp = compare_stores(base, cur, ["macro_f1"])
    row = metric_row(cmp, "lightgbm")
    assert row["test"] == "tolerance only (3 < 5 pairs)" and np.isnan(row["p_value"])
    assert mark_of(cmp, "lightgbm") == "worse" and cmp.exit_code == 1
    assert any(n.startswith("too few pairs: tolerance only") for n in cmp.notes)
    small = write(tmp_path / "small", config("lightgbm", [f - 0.005 for f in BASE_F1[:3]]))
    assert mark_of(compare_stores(base, small, ["macro_f1"]), "lightgbm") == "unchanged"


def test_better(baseline: Path, tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", [f + 0.03 for f in BASE_F1])
                    + config("lightgbm", BASE_F1))
    cmp = compare_stores(baseline, current, ["macro_f1"])
    assert mark_of(cmp, "logistic") == "better"
    assert cmp.configs.set_index("model").loc["logistic", "better"] == "macro_f1"
    assert cmp.exit_code == 0


def test_lower_is_better_metrics_follow_the_registry_direction(tmp_path: Path) -> None:
    loss = [0.40, 0.42, 0.38, 0.41, 0.39, 0.43]
    base = write(tmp_path / "base", config("logistic", BASE_F1, loss)
                 + config("lightgbm", BASE_F1, loss))
    cur = write(tmp_path / "cur", config("logistic", BASE_F1, [x + 0.1 for x in loss])
                + config("lightgbm", BASE_F1, [x - 0.1 for x in loss]))
    cmp = compare_stores(base, cur, ["macro_f1", "log_loss"])
    assert cmp.directions == {"macro_f1": "max", "log_loss": "min"}
    assert metric_row(cmp, "logistic", "log_loss")["mark"] == "worse"  # loss went up
    assert metric_row(cmp, "lightgbm", "log_loss")["mark"] == "better"  # loss went down
    assert metric_row(cmp, "logistic", "log_loss")["delta"] == pytest.approx(0.1)
    assert mark_of(cmp, "logistic") == "worse" and mark_of(cmp, "lightgbm") == "better"
    # an explicit direction overrides the registry (metrics of plugins)
    flipped = compare(read_cells(base), read_cells(cur), ["log_loss"],
                      directions={"log_loss": "max"})
    assert mark_of(flipped, "logistic") == "better"


def test_new_failure_gates_and_can_be_switched_off(baseline: Path, tmp_path: Path) -> None:
    results = config("logistic", BASE_F1) + config("lightgbm", BASE_F1)
    results[7] = result(make_cell("lightgbm", 1), status="error",
                        error="ValueError: num_leaves must be > 1\nTraceback ...")
    current = write(tmp_path / "cur", results)
    cmp = compare_stores(baseline, current, ["macro_f1"])
    row = cmp.configs.set_index("model").loc["lightgbm"]
    assert row["mark"] == "new failure" and row["n_new_failure"] == 1 and row["n_paired"] == 5
    assert "1 of 6 cell(s) now error: ValueError: num_leaves must be > 1" in row["note"]
    assert cmp.exit_code == 1 and list(cmp.failed_gates) == ["new failure"]
    off = compare_stores(baseline, current, ["macro_f1"], fail_on=["worse"])
    assert off.exit_code == 0 and off.gates["new failure"]


def test_a_model_that_now_fails_everywhere(baseline: Path, tmp_path: Path) -> None:
    failing = [result(make_cell("lightgbm", i), status="crashed", error="worker died")
               for i in range(6)]
    current = write(tmp_path / "cur", config("logistic", BASE_F1) + failing)
    cmp = compare_stores(baseline, current, ["macro_f1"])
    assert mark_of(cmp, "lightgbm") == "new failure" and cmp.exit_code == 1
    assert "6 of 6 cell(s) now crashed" in cmp.configs.set_index("model").loc["lightgbm", "note"]


def test_fixed_and_still_failing(tmp_path: Path) -> None:
    broken = [result(make_cell("lightgbm", i), status="error", error="boom") for i in range(6)]
    base = write(tmp_path / "base", config("logistic", BASE_F1) + broken)
    cur = write(tmp_path / "cur", config("logistic", BASE_F1) + config("lightgbm", BASE_F1))
    cmp = compare_stores(base, cur, ["macro_f1"])
    assert mark_of(cmp, "lightgbm") == "fixed" and cmp.exit_code == 0
    again = compare_stores(base, write(tmp_path / "again", config("logistic", BASE_F1) + broken),
                           ["macro_f1"])
    row = again.configs.set_index("model").loc["lightgbm"]
    assert row["mark"] == "unchanged" and "6 cell(s) failing in both: boom" in row["note"]


def test_missing_and_new(baseline: Path, tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", BASE_F1) + config("dnn", BASE_F1))
    cmp = compare_stores(baseline, current, ["macro_f1"])
    assert mark_of(cmp, "lightgbm") == "missing" and mark_of(cmp, "dnn") == "new"
    assert "not in the current store" in cmp.configs.set_index("model").loc["lightgbm", "note"]
    assert cmp.exit_code == 0 and cmp.gates["missing"]
    assert compare_stores(baseline, current, ["macro_f1"],
                          fail_on=["worse", "missing"]).exit_code == 1


def test_partly_missing_is_still_compared_on_the_remaining_pairs(baseline: Path,
                                                                tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", BASE_F1)
                    + config("lightgbm", BASE_F1)[:4])
    cmp = compare_stores(baseline, current, ["macro_f1"])
    row = cmp.configs.set_index("model").loc["lightgbm"]
    assert row["mark"] == "missing" and row["n_paired"] == 4 and row["n_missing"] == 2
    assert "2 of 6 baseline cell(s) missing" in row["note"]


def test_protocol_change_is_not_comparable_not_missing(baseline: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench.core.cell, "PROTOCOL_VERSION", "2")  # every cell_id changes
    results = config("logistic", BASE_F1) + config("lightgbm", BASE_F1)
    current = write(tmp_path / "cur", results, protocol_version="2")
    assert not set(read_cells(baseline)["cell_id"]) & set(read_cells(current)["cell_id"])
    cmp = compare_stores(baseline, current, ["macro_f1"])
    assert set(cmp.configs["mark"]) == {"not comparable"}
    assert (cmp.configs["n_missing"] == 0).all() and (cmp.configs["n_new"] == 0).all()
    assert (cmp.configs["note"] == "protocol version 1 → 2").all()
    assert any("not comparable: protocol version 1 → 2 for 12 cell(s)" in n for n in cmp.notes)
    assert cmp.metrics.empty
    assert cmp.exit_code == 0  # not gated by default ...
    gated = compare_stores(baseline, current, ["macro_f1"], fail_on=["not comparable"])
    assert gated.exit_code == 1  # ... but can be


def test_dataset_fingerprint_change_is_not_comparable(baseline: Path, tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", BASE_F1)
                    + config("lightgbm", BASE_F1, dataset_fp="fp-other"))
    cmp = compare_stores(baseline, current, ["macro_f1"])
    row = cmp.configs.set_index("model").loc["lightgbm"]
    assert row["mark"] == "not comparable"
    assert row["note"] == "dataset fingerprint changed (fp-wine → fp-other)"
    assert mark_of(cmp, "logistic") == "unchanged"


def test_library_version_change_is_shown_where_it_touches_and_compared(
        baseline: Path, tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", BASE_F1)
                    + config("lightgbm", [f - 0.05 for f in BASE_F1]), lightgbm_version="4.6.0")
    cmp = compare_stores(baseline, current, ["macro_f1"])
    rows = cmp.configs.set_index("model")
    assert rows.loc["lightgbm", "versions"] == "lightgbm 4.5.0 → 4.6.0"
    assert rows.loc["logistic", "versions"] == ""  # LightGBM does not run logistic regression
    assert rows.loc["lightgbm", "mark"] == "worse"  # the comparison is made anyway
    v = cmp.versions.set_index("library")
    assert bool(v.loc["lightgbm", "changed"]) and v.loc["lightgbm", "n_configs"] == 1
    assert not v.loc["sklearn", "changed"]
    assert any("library version changed: lightgbm 4.5.0 → 4.6.0" in n for n in cmp.notes)
    general = compare_stores(baseline, write(tmp_path / "sk", config("logistic", BASE_F1)
                                             + config("lightgbm", BASE_F1),
                                             sklearn_version="1.6.0"), ["macro_f1"])
    assert (general.configs["versions"] == "sklearn 1.5.0 → 1.6.0").all()
    assert set(general.configs["mark"]) == {"unchanged"} and general.exit_code == 0


def test_slowdown_is_reported_always_and_gates_only_when_asked(baseline: Path,
                                                               tmp_path: Path) -> None:
    current = write(tmp_path / "cur", config("logistic", BASE_F1, predict_s=0.3)
                    + config("lightgbm", BASE_F1, fit_s=3.0))
    cmp = compare_stores(baseline, current, ["macro_f1"])
    rows = cmp.configs.set_index("model")
    assert rows.loc["lightgbm", "fit_ratio"] == pytest.approx(3.0)
    assert rows.loc["logistic", "predict_ratio"] == pytest.approx(3.0)
    assert cmp.exit_code == 0 and not cmp.gates["slower"]
    gated = compare_stores(baseline, current, ["macro_f1"], max_slowdown=2.0)
    assert gated.exit_code == 1
    assert sorted(t.split(":")[1].strip() for _, t in gated.gates["slower"]) == ["fit ×3.00 (max ×2)",
                                                                        "predict ×3.00 (max ×2)"]
    # below the absolute floor (0.2 s more), a ratio alone does not gate: timer noise
    floor = compare_stores(baseline, current, ["macro_f1"], max_slowdown=2.0, time_floor_s=0.5)
    assert [t for _, t in floor.gates["slower"]] == [
        next(t for _, t in gated.gates["slower"] if "lightgbm" in t)]
    assert compare_stores(baseline, current, ["macro_f1"], max_slowdown=4.0).exit_code == 0


def test_timings_of_different_thread_budgets_are_not_compared(baseline: Path,
                                                              tmp_path: Path) -> None:
    """A baseline run on 1 thread against a current run on 4: the ratio would be the budget, not
    the code. No ratio, no slowdown gate; the note says why. Rows that did not record their
    budget (schema < 3, the baseline here has none) compare as before."""
    one = write(tmp_path / "one", config("logistic", BASE_F1, n_threads=1)
                + config("lightgbm", BASE_F1, n_threads=1))
    four = write(tmp_path / "four", config("logistic", BASE_F1, fit_s=3.0, n_threads=4)
                 + config("lightgbm", BASE_F1, n_threads=1, fit_s=3.0))
    cmp = compare_stores(one, four, ["macro_f1"], max_slowdown=2.0)
    rows = cmp.configs.set_index("model")
    assert np.isnan(rows.loc["logistic", "fit_ratio"])
    assert "timings not compared: n_threads 1 → 4" in rows.loc["logistic", "note"]
    assert rows.loc["lightgbm", "fit_ratio"] == pytest.approx(3.0)  # same budget: compared
    assert [t.split(":")[0] for _, t in cmp.gates["slower"]] == [rows.loc["lightgbm", "label"]]
    unknown = compare_stores(baseline, four, ["macro_f1"], max_slowdown=2.0)
    assert unknown.configs.set_index("model").loc["logistic", "fit_ratio"] == pytest.approx(3.0)


def test_store_resumed_after_a_protocol_change_uses_its_newest_rows(
        baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cur"
    write(path, config("logistic", BASE_F1) + config("lightgbm", BASE_F1))
    monkeypatch.setattr(bench.core.cell, "PROTOCOL_VERSION", "2")
    write(path, config("logistic", BASE_F1) + config("lightgbm", BASE_F1), protocol_version="2",
          utc="2024-02-01T00:00:00+00:00")
    assert len(read_cells(path)) == 24
    cmp = compare_stores(baseline, path, ["macro_f1"])
    assert set(cmp.configs["mark"]) == {"not comparable"}
    assert any("ignored stale rows" in n for n in cmp.notes)


def test_unmatched_definitions_are_explained(baseline: Path, tmp_path: Path) -> None:
    other = [result(Cell(Component.of("iris"), Component.of("none"), Component.of("logistic"),
                         folds=6, fold=i), macro_f1=0.9, log_loss=0.3) for i in range(6)]
    cur = write(tmp_path / "cur", other)
    with pytest.raises(CommandError, match="allow-different-suites"):
        compare_stores(baseline, cur, ["macro_f1"])  # a usage error by default
    cmp = compare_stores(baseline, cur, ["macro_f1"], allow_different_suites=True)
    assert set(cmp.configs["mark"]) == {"missing", "new"}
    assert any(n.startswith("no cell matched by id or by definition") for n in cmp.notes)


def test_skipped_cells(tmp_path: Path) -> None:
    skipped = [result(make_cell("lightgbm", i), status="skipped", error="makes no sense")
               for i in range(6)]
    base = write(tmp_path / "base", config("logistic", BASE_F1) + skipped)
    cmp = compare_stores(base, write(tmp_path / "cur", config("logistic", BASE_F1) + skipped),
                         ["macro_f1"])
    row = cmp.configs.set_index("model").loc["lightgbm"]
    assert row["mark"] == "unchanged" and row["note"] == "skipped in both"


def test_bad_input(baseline: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="not in the current store"):
        compare(read_cells(baseline), read_cells(baseline).drop(columns="macro_f1"), ["macro_f1"])
    with pytest.raises(KeyError, match="unknown metric"):
        compare_stores(baseline, baseline, ["no_such_metric"])
    with pytest.raises(ValueError, match="not a results store"):
        compare_stores(baseline, tmp_path / "nothing")
    with pytest.raises(ValueError, match="unknown gate"):
        compare_stores(baseline, baseline, ["macro_f1"], fail_on=["wrose"])


def test_default_metric_is_the_suites(baseline: Path, tmp_path: Path) -> None:
    Store(baseline).write_meta({"suite": "t", "metric": "log_loss"})
    assert compare_stores(baseline, baseline).metric_names == ["log_loss"]
