"""`bench report` on a real small store (run with `bench run`): every section drawn, through the
CLI too; bad options are errors before anything is written."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.commands.report import build_report
from bench.report.html import SECTIONS
from report_helpers import small_store


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_store(tmp_path_factory.mktemp("report-small"))


def section(page: str, sid: str) -> str:
    return page.split(f'<section id="{sid}">')[1].split("</section>")[0]


@pytest.mark.slow
def test_every_section_has_data_on_a_real_store(store: Path, tmp_path: Path):
    result = build_report(store, tmp_path / "report.html")
    page = result.path.read_text(encoding="utf-8")
    d = result.data
    for sid, _ in SECTIONS:
        assert f'<section id="{sid}">' in page
    for sid in ("summary", "by-ratio", "per-class", "best-sampler", "confusion", "curves",
                "time-quality"):
        assert "<svg" in section(page, sid), sid
        assert "No data:" not in section(page, sid), sid
    assert d.baseline == "dnn(batch_size=32,hidden=[16],max_epochs=4) + none"
    assert set(d.confusion["role"]) == {"best", "DNN baseline"}
    summary = html.unescape(section(page, "summary"))
    assert f"Elo anchored at {d.baseline} = 1000" in summary
    assert f"{d.best} vs {d.baseline}: macro_f1" in summary  # the paired comparison
    # learning curves of the DNN baseline: train and validation loss and macro-F1 per epoch
    base = d.curves[d.curves["contender"] == d.baseline]
    assert {(m, s) for m, s in zip(base["metric"], base["split"])} == {
        ("loss", "train"), ("loss", "validation"), ("macro_f1", "train"),
        ("macro_f1", "validation")}
    assert base["step"].max() <= 4
    # the class labels of wine, per dataset, at both ratios
    assert set(d.per_class["label"]) == {"0", "1", "2"} and set(d.per_class["ratio"]) == {1.0, 5.0}
    # the faulty model's failures and easy_ensemble's class_weight skips, with reasons
    problems = section(page, "problems")
    assert "boom: this model always fails" in problems
    assert "cannot take per-sample weights" in problems
    assert int(d.failures["n"].sum()) == 8 and int(d.skips["n"].sum()) == 4
    assert "faulty(mode=raise) + none" in d.summary.table["contender"].tolist()
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?https?:", page)
    # deterministic: the same store gives the same bytes
    assert build_report(store, tmp_path / "again.html").path.read_text(encoding="utf-8") == page


@pytest.mark.slow
def test_cli_report_with_where_and_contender(store: Path, tmp_path: Path):
    out = tmp_path / "sub" / "r.html"
    res = CliRunner().invoke(app, ["report", str(store), "-o", str(out), "--where", "ratio=5",
                                   "--contender", "model"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "filter: ratio=5" in page and "Contender: model;" in page
    assert "imbalance ratio" in section(page, "by-ratio")


@pytest.mark.parametrize("args, message", [
    (["--where", "colour=red"], "unknown key 'colour'"),
    (["--metric", "nope"], "metric 'nope' is not in this store"),
    (["--contender", "model,colour"], "--contender colour: unknown axis"),
])
def test_bad_options_are_errors_and_write_nothing(tmp_path: Path, args, message):
    from report_helpers import hostile_store

    store = hostile_store(tmp_path / "store")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", str(store), "-o", str(out), *args])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not out.exists()


def test_missing_store_and_directory_output(tmp_path: Path):
    res = CliRunner().invoke(app, ["report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and "is not a results store" in res.output
    res = CliRunner().invoke(app, ["report", str(tmp_path), "-o", str(tmp_path)])
    assert res.exit_code == 2 and "is a directory" in res.output
