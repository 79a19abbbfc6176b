"""Hostile text through the real CLI: class labels, dataset labels, model parameters, plugin
names and suite names that look like rich markup or HTML are printed literally everywhere.

Why: such a value once crashed `bench run` for good (a rich MarkupError on every re-run) and
turned `[link=…]` into a live terminal hyperlink. Every command runs in a subprocess with colour
forced on (FORCE_COLOR), so markup that slipped through would show as escape codes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from compare_helpers import BASE_F1, result, write
from markdown_it import MarkdownIt

from bench.core.cell import Cell, Component
from bench.store import write_meta

HOSTILE = ("[/x]", "[red]x[/red]", "[link=http://x]y[/link]", "<script>alert(1)</script>")
HYPERLINK = "\x1b]8;"  # OSC 8: what a [link=…] tag becomes in a terminal
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")

PLUGIN = '''
from sklearn.dummy import DummyClassifier

from bench.models.registry import model


@model("[/x]", "baseline", {"tag": "[link=http://x]y[/link]"},
       description="<script>alert(1)</script>")
def hostile(params, ctx):
    return DummyClassifier(strategy="prior")
'''

DATASET_LABEL = "[link=http://x]y[/link]"
SUITE_NAME = "[/x] <script>alert(1)</script>"
PLUGIN_MODEL = "[/x](tag=<script>alert(1)</script>)"  # the plugin model's label in results
BAD_DUMMY = "dummy(strategy=[red]x[/red])"  # an invalid strategy: an error row quoting it


def suite_text(csv: Path, name: str = SUITE_NAME) -> str:
    return f"""
name = {json.dumps(name)}
folds = 2
validation = 0.2
store_predictions = true
samplers = ["none"]

[imbalance]
profile = "step"
ratios = [2]
minority = ["[/x]"]

[[datasets]]
name = "file"
label = {json.dumps(DATASET_LABEL)}
path = {json.dumps(str(csv))}
target = "label"

[[models]]
name = "dummy"
strategy = "[red]x[/red]"

[[models]]
name = "[/x]"
tag = "<script>alert(1)</script>"
"""


class Bench:
    """`bench …` in a subprocess, colour forced on, the hostile plugin loaded."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "hostile_plugins.py").write_text(PLUGIN)
        self.env = {**os.environ, "COLUMNS": "250", "FORCE_COLOR": "1",
                    "BENCH_PLUGINS": "hostile_plugins",
                    "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}

    def __call__(self, *args: str, code: int = 0) -> str:
        """Run; assert the exit code and that nothing leaked; return the text without colours."""
        out = subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True,
                             text=True, timeout=300, env=self.env, cwd=self.root)
        both = out.stdout + out.stderr
        assert out.returncode == code, both
        assert HYPERLINK not in both, both
        assert "Traceback" not in both and "MarkupError" not in both, both
        return ANSI.sub("", both)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    root = tmp_path_factory.mktemp("hostile")
    rng = np.random.default_rng(0)
    y = np.repeat(HOSTILE, 30)
    x = rng.normal(size=(len(y), 3)) + np.repeat(np.arange(4), 30)[:, None]
    frame = pd.DataFrame(x, columns=["a", "b", "c"]).assign(label=y)
    frame.to_csv(root / "hostile.csv", index=False)
    (root / "suite.toml").write_text(suite_text(root / "hostile.csv"))
    return Bench(root)


@pytest.fixture(scope="module")
def store(bench: Bench) -> Path:
    """One run; the second run recomputes the error row and must not crash either."""
    for _ in range(2):
        text = bench("run", "suite.toml", "--results", "store", "--workers", "1")
        assert f"{SUITE_NAME}: 4 cells" in text
        assert f"error {BAD_DUMMY} / none / {DATASET_LABEL}: " in text
        assert PLUGIN_MODEL in text and BAD_DUMMY in text  # the leaderboard at the end
    return bench.root / "store"


def test_run_stores_and_prints_hostile_values_literally(store: Path) -> None:
    cells = pd.read_parquet(store / "cells")
    assert set(cells["dataset"]) == {DATASET_LABEL}
    assert set(cells["model"]) == {BAD_DUMMY, PLUGIN_MODEL}
    assert set(cells["minority"]) == {"[/x]"}
    assert set(pd.read_parquet(store / "per_class")["label"]) == set(HOSTILE)


def test_leaderboard_and_per_class_views(bench: Bench, store: Path) -> None:
    text = bench("leaderboard", "store", "--by", "dataset,minority", "--per-class", "recall,f1")
    for value in (DATASET_LABEL, PLUGIN_MODEL, BAD_DUMMY, *HOSTILE):
        assert value in text, value
    assert "Per-class recall" in text and "Per-class f1" in text


def test_validate_prints_suite_values_and_every_hostile_problem(bench: Bench) -> None:
    text = bench("validate", "suite.toml")
    assert f"{SUITE_NAME}: 4 cells to run" in text
    assert f"datasets        (1) {DATASET_LABEL}" in text
    assert f"models          (2) {BAD_DUMMY}, {PLUGIN_MODEL}" in text
    counts = text.split("2-fold x 1 repeat(s)", 1)[1]  # per-class counts come after the axes
    assert all(label in counts for label in HOSTILE), counts
    bad = bench.root / "bad.toml"
    bad.write_text(suite_text(bench.root / "hostile.csv")
                   + '\n[[models]]\nname = "[link=http://x]y[/link]"\n'
                   + f'\n[[datasets]]\nname = "wine"\nlabel = {json.dumps(DATASET_LABEL)}\n')
    text = bench("validate", "bad.toml", code=2)
    assert "models[2].name: unknown model '[link=http://x]y[/link]'" in text
    assert f"datasets[1]: label '{DATASET_LABEL}' is also the label of datasets[0]" in text


def test_rescore_and_list(bench: Bench, store: Path) -> None:
    assert "re-scored 2 cell(s) for macro_f1" in bench("rescore", "store", "--metric", "macro_f1")
    text = bench("list", "models")
    assert "[/x]  (baseline) <script>alert(1)</script>  [tag='[link=http://x]y[/link]']" in text


def test_a_suite_name_with_a_path_separator_needs_an_explicit_store(bench: Bench) -> None:
    text = bench("run", "suite.toml", code=2)
    assert f"suite name {SUITE_NAME!r} cannot be a directory name under results/" in text
    text = bench("baseline", "update", "suite.toml", "--root", "baselines", code=2)
    assert f"suite name {SUITE_NAME!r} cannot be a directory name" in text
    assert not (bench.root / "results").exists() and not (bench.root / "baselines").exists()


def rendered(md: str) -> str:
    """The HTML a markdown viewer makes of `md` (CommonMark plus GitHub's tables)."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)


def test_compare_of_a_real_store_in_every_format(bench: Bench, store: Path) -> None:
    text = bench("compare", "store", "store", "--markdown", "s.md", "--junit", "j.xml")
    assert DATASET_LABEL in text and PLUGIN_MODEL in text and "PASS (exit 0)" in text
    html = rendered((bench.root / "s.md").read_text())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="http://x"' not in html
    cases = [c.get("name", "") for c in ET.parse(bench.root / "j.xml").iter("testcase")]
    assert any(DATASET_LABEL in c and PLUGIN_MODEL in c for c in cases), cases


def hostile_cell(fold: int) -> Cell:
    return Cell(Component.of("wine", display="<script>alert(1)</script> | [/x]"),
                Component.of("none"), Component.of("logistic", {"C": "[link=http://x]y[/link]"}),
                profile="step", ratio=2.0, minority=("[red]x[/red]",), folds=6, fold=fold)


def test_compare_gate_texts_names_and_suites(bench: Bench, tmp_path: Path) -> None:
    base = write(tmp_path / "base", [result(hostile_cell(i), macro_f1=f)
                                     for i, f in enumerate(BASE_F1)])
    cur = write(tmp_path / "cur[/x]", [result(hostile_cell(i), macro_f1=f - 0.2)
                                       for i, f in enumerate(BASE_F1)])
    md, xml = tmp_path / "s.md", tmp_path / "j.xml"
    text = bench("compare", str(base), str(cur), "--markdown", str(md), "--junit", str(xml),
                 code=1)
    label = "<script>alert(1)</script> | [/x]"
    assert f"dataset={label} model=logistic(C=[link=http://x]y[/link])" in text  # gate item
    assert "FAIL (exit 1): 1 worse" in text and f"{cur}" in text
    html = rendered(md.read_text())
    assert "<script>" not in html and 'href="http://x"' not in html
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "logistic" in r)
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt; | [/x]</td>" in row  # one cell, not split
    assert f"<code>{cur}</code>" in html  # store paths are code spans
    case = next(ET.parse(xml).iter("testcase"))
    assert label in case.get("name", "") and "[link=http://x]y[/link]" in case.get("name", "")
    write_meta(base, {"suite": "[/x]", "metric": "macro_f1"})
    write_meta(cur, {"suite": "<script>alert(1)</script>", "metric": "macro_f1"})
    text = bench("compare", str(base), str(cur), code=2)
    assert "holds suite '[/x]' but" in text and "holds suite '<script>alert(1)</script>'" in text
