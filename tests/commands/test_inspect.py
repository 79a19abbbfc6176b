"""`bench inspect`: a suite into the store's inspect table, a file as it is, JSON and HTML out,
every bad option refused before anything is computed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.commands.inspect import inspect, write_table
from bench.core.errors import CommandError, DataError
from bench.core.vocab import VERDICTS
from bench.inspect.analyze import DEFAULT_SAMPLE, InspectOptions, inspect_dataset
from bench.inspect.overlap import DEFAULT_K
from bench.inspect.result import TABLE_COLUMNS

SUITE = """
name = "insp"
seed = 0
[imbalance]
profile = ["natural", "step"]
ratios = [1, 5]
minority = ["2"]
[[datasets]]
name = "wine"
[[datasets]]
name = "make-classification"
label = "mk"
n_samples = 300
class_sep = 3.0
[[models]]
name = "dummy"
"""
HOSTILE = ("<script>alert(1)</script>", "[/x]", "[red]r[/red]")


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(app, list(args))


def hostile_csv(path: Path) -> Path:
    rng = np.random.default_rng(0)
    y = np.repeat(np.array(HOSTILE, dtype=object), 40)
    centre = {lab: i * 6.0 for i, lab in enumerate(HOSTILE)}
    df = pd.DataFrame({"x1": [centre[v] for v in y] + rng.standard_normal(120),
                       "x2": rng.standard_normal(120),
                       "colour": rng.choice(["red", "blue", None], 120), "label": y})
    df.to_csv(path, index=False)
    return path


def test_cli_defaults_are_the_library_defaults() -> None:
    import inspect as pyinspect

    from bench.cli import inspect_cmd

    params = pyinspect.signature(inspect_cmd).parameters
    assert params["sample"].default == DEFAULT_SAMPLE
    assert params["neighbors"].default == DEFAULT_K


@pytest.mark.slow
def test_suite_fills_the_store_table(tmp_path: Path) -> None:
    suite = tmp_path / "insp.toml"
    suite.write_text(SUITE)
    store = tmp_path / "store"
    res = run("inspect", str(suite), "--results", str(store), "--json", str(tmp_path / "i.json"),
              "-o", str(tmp_path / "i.html"))
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(store / "inspect")
    assert list(df.columns) == TABLE_COLUMNS
    # natural once (as the grid runs it), step at each ratio: 3 tables x 3 classes per dataset
    keys = df[["dataset", "profile", "ratio"]].drop_duplicates().values.tolist()
    assert keys == [[d, p, r] for d in ("wine", "mk")
                    for p, r in (("natural", 1.0), ("step", 1.0), ("step", 5.0))]
    assert (df.groupby(["dataset", "profile", "ratio"]).size() == 3).all()
    assert set(df["verdict"]) <= set(VERDICTS) and set(df["minority"]) == {"2"}
    wine5 = df[(df.dataset == "wine") & (df.ratio == 5.0)].set_index("class_label")
    assert wine5.loc["2", "count"] * 5 == pytest.approx(wine5.loc["0", "count"], abs=3)
    assert df["ceiling"].between(0, 1).all() and (df["ceiling_lo"] <= df["ceiling_hi"]).all()
    assert len(json.loads((tmp_path / "i.json").read_text())["inspections"]) == 6
    assert "<svg" in (tmp_path / "i.html").read_text()
    # a second inspection replaces the table: still one file, same rows
    assert run("inspect", str(suite), "--results", str(store)).exit_code == 0
    assert len(list((store / "inspect").glob("*.parquet"))) == 1
    assert len(pd.read_parquet(store / "inspect")) == len(df)


def test_file_with_hostile_labels_and_a_categorical(tmp_path: Path) -> None:
    csv = hostile_csv(tmp_path / "t.csv")
    res = run("inspect", "--file", str(csv), "--target", "label", "--categorical", "colour",
              "--json", str(tmp_path / "o.json"), "-o", str(tmp_path / "o.html"))
    assert res.exit_code == 0, res.output
    for lab in HOSTILE:
        assert f"class {lab} is separable" in res.output  # printed literally, never as markup
    data = json.loads((tmp_path / "o.json").read_text())["inspections"][0]
    assert sorted(data["labels"]) == sorted(HOSTILE) and data["dataset"] == "t"
    assert data["n_features"] == 4  # x1, x2, colour=blue, colour=red
    html = (tmp_path / "o.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("args, message", [
    ((), "give a suite file or --file PATH --target COLUMN"),
    (("--file", "x.csv"), "--file needs --target COLUMN"),
    (("suite.toml", "--target", "y"), "--target, --categorical and --drop go with --file"),
    (("--file", "x.csv", "--target", "y", "--projection", "lda"),
     "--projection 'lda': allowed: pca, tsne, umap"),
    (("--file", "x.csv", "--target", "y", "--sample", "2"), "--sample 2: allowed: at least 10"),
])
def test_bad_options_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    res = run("inspect", *args)
    assert res.exit_code == 2 and message in res.output, res.output


def test_missing_umap_names_the_extra(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import builtins

    real = builtins.__import__

    def no_umap(name, *a, **kw):  # noqa: ANN001, ANN202  (umap-learn absent, as without the extra)
        if name == "umap" or name.startswith("umap."):
            raise ImportError(name)
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_umap)
    with pytest.raises(CommandError, match=r"umap-learn.*pip install 'bench\[inspect\]'"):
        inspect(file=hostile_csv(tmp_path / "t.csv"), target="label",
                options=InspectOptions(projection="umap"))


def test_bad_file_is_a_data_error(tmp_path: Path) -> None:
    csv = hostile_csv(tmp_path / "t.csv")
    with pytest.raises(DataError, match="target: column 'nope' not found"):
        inspect(file=csv, target="nope")


def test_table_written_atomically_replaces_old_files(tmp_path: Path) -> None:
    from inspect_helpers import blobs

    ins = inspect_dataset(blobs((30, 30, 30)), InspectOptions())
    first = write_table(tmp_path, [ins])
    second = write_table(tmp_path, [ins, ins])
    files = sorted(p.name for p in (tmp_path / "inspect").iterdir())
    assert files == [second.name] and not first.exists()
    assert len(pd.read_parquet(tmp_path / "inspect")) == 6


def test_a_profile_the_data_cannot_supply_is_skipped_with_its_reason(tmp_path: Path) -> None:
    suite = tmp_path / "s.toml"
    # wine's counts are 59 / 71 / 48: at ratio 200 class 2 would keep 59 / 200 = 0.3 of a row
    suite.write_text('name = "s"\n[imbalance]\nprofile = "step"\nratios = [2, 200]\n'
                     'minority = ["2"]\n[[datasets]]\nname = "wine"\n[[models]]\nname = "dummy"\n')
    res = run("inspect", str(suite), "--results", str(tmp_path / "store"))
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # the console folds long lines
    assert "skipped wine: profile step ratio 200:" in said and "rounds to 0" in said
    df = pd.read_parquet(tmp_path / "store" / "inspect")
    assert sorted(set(df["ratio"])) == [2.0]


@pytest.mark.slow
def test_report_of_an_inspected_store_draws_the_ceiling_on_per_class_recall(tmp_path: Path) -> None:
    """Issue 13's last check, end to end: run, inspect, report; each class's recall plot holds
    the inspection's ceiling at each ratio that ran."""
    from bench.report.html import CEILING_COLOUR

    suite = tmp_path / "tiny.toml"
    suite.write_text('name = "tiny"\nfolds = 3\n[imbalance]\nprofile = "step"\nratios = [1, 4]\n'
                     'minority = ["2"]\n[[datasets]]\nname = "wine"\n[[models]]\nname = "logistic"\n')
    store = tmp_path / "store"
    assert run("run", str(suite), "--results", str(store), "--workers", "0",
               "--no-leaderboard").exit_code == 0
    assert run("inspect", str(suite), "--results", str(store)).exit_code == 0
    res = run("report", str(store), "-o", str(tmp_path / "r.html"))
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text()
    start = html.index('id="per-class"')
    section = html[start:html.index("<section", start)]
    recall_charts = section.split("<svg")[1:]
    with_ceiling = [s for s in recall_charts if f'stroke="{CEILING_COLOUR}"' in s]
    assert len(with_ceiling) == 3  # the recall chart of each of wine's three classes
    assert all(": recall (" in s for s in with_ceiling)
