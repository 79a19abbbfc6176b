"""The HTML report as text: escaping of hostile names, offline, sections, determinism, SVG pieces."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.commands.report import build_report
from bench.report.html import SECTIONS
from bench.report.svg import Axis, Series, cd_diagram, line_chart, log_ticks, nice_ticks
from report_helpers import (EVIL_DATASET, EVIL_ERROR, EVIL_LABELS, EVIL_MODEL, EVIL_SAMPLER,
                            hostile_store)

# Every element the report may contain: hostile text that became markup would add others.
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "nav", "a",
                "p", "section", "table", "tr", "th", "td", "ul", "li", "span", "i", "div", "svg",
                "rect", "line", "text", "polyline", "polygon", "circle"}
RESOURCE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""",
                      re.IGNORECASE)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):  # noqa: ANN001
        self.text.append(data)


@pytest.fixture(scope="module")
def evil_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("evil")
    result = build_report(hostile_store(root / "store"), root / "out" / "report.html")
    return result.path.read_text(encoding="utf-8")


def parse(page: str) -> Tags:
    p = Tags()
    p.feed(page)
    return p


def test_hostile_names_are_text_never_markup(evil_page: str):
    assert "<script" not in evil_page.lower()
    assert "<img" not in evil_page.lower() and "<b>" not in evil_page
    p = parse(evil_page)
    assert set(p.tags) <= ALLOWED_TAGS
    assert not [a for a, _ in p.attrs if a.lower().startswith("on")]  # no event handlers
    text = "".join(p.text)
    for name in (EVIL_DATASET, EVIL_MODEL, EVIL_SAMPLER, EVIL_ERROR, *EVIL_LABELS):
        assert name in text, name  # shown literally (decoded text equals the name)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil_page


def test_hostile_class_labels_are_escaped_inside_svg(evil_page: str):
    svgs = re.findall(r"<svg.*?</svg>", evil_page, flags=re.S)
    assert svgs
    joined = "".join(svgs)
    assert "&lt;script&gt;" in joined  # class label "<script>" in per-class / confusion charts
    assert "a&amp;b" in joined and "a&b" not in joined


def test_every_section_is_present_and_offline(evil_page: str):
    for sid, _ in SECTIONS:
        assert f'<section id="{sid}">' in evil_page
    assert not RESOURCE.search(evil_page)
    assert "http://" not in evil_page and "https://" not in evil_page
    assert "<script" not in evil_page  # no script at all: nothing to fail offline


def test_the_inspect_recall_ceiling_is_drawn_per_class(evil_page: str, tmp_path: Path):
    section = evil_page.split('<section id="per-class">')[1].split("</section>")[0]
    assert section.count("<title>recall ceiling (inspect)</title>") == 3  # one line per class
    plain = build_report(hostile_store(tmp_path / "s", with_inspect=False), tmp_path / "r.html")
    assert "recall ceiling (inspect)" not in plain.path.read_text(encoding="utf-8")


def test_failures_and_skips_listed_with_reasons(evil_page: str):
    section = evil_page.split('<section id="problems">')[1]
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; [/x] failed" in section
    assert "not applicable: &lt;b&gt;skip&lt;/b&gt; &amp; [/x]" in section


def test_a_section_without_data_says_so(tmp_path: Path):
    from bench.store import Store

    store = hostile_store(tmp_path / "store")
    s = Store(store)
    for table in ("per_class", "confusion", "curves"):
        for f in s.table_dir(table).glob("*.parquet"):
            f.unlink()
    page = build_report(store, tmp_path / "r.html").path.read_text()
    for sid in ("per-class", "confusion", "curves"):
        section = page.split(f'<section id="{sid}">')[1].split("</section>")[0]
        assert "No data:" in section and "<svg" not in section
    assert "<svg" in page.split('<section id="by-ratio">')[1].split("</section>")[0]


@pytest.mark.parametrize("status", ["error", "skipped"])
def test_a_store_where_nothing_succeeded_still_renders_every_section(status: str):
    import pandas as pd

    from bench.analysis.report_data import report_data
    from bench.report.html import render

    cells = pd.DataFrame([{"cell_id": f"c{i}", "status": status, "error": f"why {i}",
                           "dataset": "d", "profile": "step", "ratio": 1.0, "minority": "2",
                           "test_prior": "same", "sampler": "none", "model": f"m{i}",
                           "family": "boosting", "repeat": 0, "fold": 0, "macro_f1": None}
                          for i in range(2)])
    page = render(report_data({"cells": cells}, {}, "macro_f1", "max"))
    for sid, _ in SECTIONS:
        assert f'<section id="{sid}">' in page
    assert "summary: no ok cell has a macro_f1 value" in page
    for sid in ("by-ratio", "best-sampler", "time-quality", "per-class", "confusion", "curves"):
        assert "No data:" in page.split(f'<section id="{sid}">')[1].split("</section>")[0], sid
    assert "why 0" in page.split('<section id="problems">')[1]


def test_same_store_same_bytes(tmp_path: Path, evil_page: str):
    store = hostile_store(tmp_path / "store")
    assert build_report(store, tmp_path / "a.html").path.read_text() == evil_page


@settings(max_examples=80, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_any_name_stays_text_in_tables_and_charts(name: str):
    import pandas as pd

    from bench.report.html import table

    p = parse(table(pd.DataFrame({"model": [name]})))
    assert set(p.tags) == {"table", "tr", "th", "td"} and "".join(p.text) == "model" + name
    chart = line_chart([Series(name, [1.0, 2.0], [0.1, 0.2])], Axis(name), Axis("y"), name)
    p = parse(chart)
    assert set(p.tags) <= ALLOWED_TAGS and not [a for a, _ in p.attrs if a.startswith("on")]
    assert name in p.text  # the axis label, a text node of its own


def test_nice_and_log_ticks():
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0.55, 0.7) == [0.55, 0.6, 0.65, 0.7]
    assert log_ticks(0.0007, 0.6) == [0.001, 0.01, 0.1]  # 1-2-5 would be 9 ticks: decades only
    assert log_ticks(1, 10) == [1, 2, 5, 10]


def test_svg_pieces_escape_names_and_are_deterministic():
    s = [Series("<b>&", [1, 10], [0.2, 0.4], [0.1, 0.3], [0.3, 0.5])]
    one = line_chart(s, Axis("ratio", log=True, ticks=[1, 10]), Axis("<y>", lo=0, hi=1), "t<")
    assert one == line_chart(s, Axis("ratio", log=True, ticks=[1, 10]), Axis("<y>", lo=0, hi=1), "t<")
    assert "&lt;b&gt;&amp;" in one and "&lt;y&gt;" in one and "<b>" not in one
    cd = cd_diagram(["a<", "b", "c"], [1.0, 2.0, 3.0], 1.5, [(0, 1)], "cd")
    assert "a&lt; (1.00)" in cd and cd.count("stroke-width=\"3\"") == 1
