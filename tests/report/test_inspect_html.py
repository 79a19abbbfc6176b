"""The inspect page: self-contained, every name escaped, one projection per table."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bench.inspect.analyze import InspectOptions, inspect_dataset
from bench.report.inspect_html import inspect_html
from inspect_helpers import blobs

HOSTILE = ("<script>alert(1)</script>", "[/x]", 'q"&<b>')


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page() -> str:
    ins = inspect_dataset(blobs((40, 40, 10), labels=HOSTILE), InspectOptions(),
                          label="<img src=x onerror=alert(1)>")
    return inspect_html([ins, ins])


def test_hostile_names_are_text_never_markup() -> None:
    html = page()
    parser = Tags()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    text = "".join(parser.text)
    for lab in HOSTILE:
        assert lab in text  # shown literally (the parser unescapes entities)
    assert "<img src=x onerror=alert(1)>" in text


def test_self_contained_with_a_projection_per_table() -> None:
    html = page()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no network resource
    assert "<link" not in html and "@import" not in html
    parser = Tags()
    parser.feed(html)
    assert parser.tags.count("svg") == 6  # projection, ceilings, overlap per table
    assert parser.tags.count("circle") >= 2 * 90  # every sampled point drawn
    assert html.count("PCA projection</title>") == 2
