"""`bench run --where`: one suite split across runs (a GPU machine takes the DNN, CPUs the rest)
into one store; a filter the suite cannot satisfy is refused before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.commands.run import run_suite
from bench.core.errors import BenchError
from bench.store import Store, read_cells
from tests_helpers import suite_toml, write_suite

SUITE = suite_toml("split", ["wine"], ["dummy", "logistic"], folds=2, ratios=(1, 4))


def test_two_filtered_runs_fill_the_store_one_straight_run_fills(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, SUITE)
    rp, _ = run_suite(suite, tmp_path / "split", workers=0, where=["model=logistic"])
    rows = read_cells(tmp_path / "split")
    assert set(rows["model"]) == {"logistic"} and (rows["status"] == "ok").all()
    assert (len(rp.todo), rp.n_left_out, rp.n_cells) == (8, 8, 16)
    rest, _ = run_suite(suite, tmp_path / "split", workers=0)
    assert (rest.n_finished, len(rest.todo)) == (8, 8)
    assert {c.model.name for c in rest.todo} == {"dummy"}
    run_suite(suite, tmp_path / "straight", workers=0)
    split = read_cells(tmp_path / "split").set_index("cell_id").sort_index()
    straight = read_cells(tmp_path / "straight").set_index("cell_id").sort_index()
    assert split.index.tolist() == straight.index.tolist()
    assert split["macro_f1"].tolist() == straight["macro_f1"].tolist()


def test_alternatives_and_several_keys_select_like_the_answers_filter(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, SUITE)
    rp, _ = run_suite(suite, tmp_path / "s", workers=0,
                      where=["model=logistic|dummy,ratio=4", "sampler=class_weight"])
    picked = {(c.model.name, c.ratio, c.sampler.name) for c in rp.todo}
    assert picked == {("logistic", 4.0, "class_weight"), ("dummy", 4.0, "class_weight")}
    assert 'where="model=logistic|dummy, ratio=4, sampler=class_weight" left_out=12' in \
        (tmp_path / "s" / "run.log").read_text()


@pytest.mark.parametrize(("where", "message"), [
    ("modle=dnn", "--where: unknown key 'modle'; allowed: dataset, profile, ratio"),
    ("model=dnn", "--where model=dnn: no cell has it; model in this suite: dummy, logistic"),
    ("ratio=3", "--where ratio=3: no cell has it; ratio in this suite: 1, 4"),
    ("model", "--where 'model': expected key=value"),
])
def test_a_filter_the_suite_cannot_satisfy_is_refused_before_any_write(
        tmp_path: Path, where: str, message: str) -> None:
    suite = write_suite(tmp_path, SUITE)
    with pytest.raises(BenchError) as err:
        run_suite(suite, tmp_path / "s", workers=0, where=[where])
    assert message in str(err.value)
    assert not (tmp_path / "s").exists()


def test_fresh_with_a_filter_recomputes_only_the_selected_cells(tmp_path: Path) -> None:
    """After a fix to one model: `--fresh --where model=X` redoes X's cells, keeps the rest."""
    suite = write_suite(tmp_path, SUITE)
    run_suite(suite, tmp_path / "s", workers=0)
    before = read_cells(tmp_path / "s").set_index("cell_id").sort_index()
    time.sleep(1.1)  # `utc` has one-second resolution: the recomputed rows must read later
    rp, _ = run_suite(suite, tmp_path / "s", workers=0, fresh=True, where=["model=logistic"])
    assert {c.model.name for c in rp.todo} == {"logistic"}
    assert (len(rp.todo), rp.n_finished) == (8, 8)
    after = read_cells(tmp_path / "s").set_index("cell_id").sort_index()
    assert after.index.tolist() == before.index.tolist()  # one row per cell, none lost
    dummy, logistic = before["model"] == "dummy", before["model"] == "logistic"
    assert after.loc[dummy, "utc"].tolist() == before.loc[dummy, "utc"].tolist()
    assert (after.loc[logistic, "utc"] > before.loc[logistic, "utc"]).all()
    assert after["macro_f1"].tolist() == before["macro_f1"].tolist()  # same seeds, same results
    Store(tmp_path / "s").compact()
    assert read_cells(tmp_path / "s").set_index("cell_id").sort_index()["utc"].tolist() == \
        after["utc"].tolist()


def test_skip_rows_are_written_only_for_the_selected_cells(tmp_path: Path) -> None:
    # smote needs at least k_neighbors + 1 rows of a class: wine's class 2 cut to ratio 200 has
    # too few, so those cells are planned skips
    text = suite_toml("skips", ["wine"], ["dummy", "logistic"], folds=2, ratios=(1, 200),
                      samplers=("none", "smote"))
    suite = write_suite(tmp_path, text)
    rp, _ = run_suite(suite, tmp_path / "s", workers=0, where=["model=logistic"])
    rows = read_cells(tmp_path / "s")
    assert rp.n_skipped > 0 and (rows["status"] == "skipped").any()
    assert set(rows["model"]) == {"logistic"}


def test_the_command_says_what_the_filter_left_out(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, SUITE)
    out = subprocess.run([sys.executable, "-m", "bench", "run", str(suite), "--results",
                          str(tmp_path / "s"), "--workers", "0", "--no-summary",
                          "--where", "model=logistic"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "COLUMNS": "300"})
    assert out.returncode == 0, out.stderr
    assert "split: 16 cells — 0 already finished, 0 skipped, 8 left out by --where " \
        "model=logistic, 8 to run" in out.stdout + out.stderr
    assert Store(tmp_path / "s").read("cells")["model"].eq("logistic").all()
