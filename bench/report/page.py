"""What the self-contained HTML pages (the report, the inspect page) share: the base style and
the `<head>`, so both pages look alike and both escape their title the same way."""

from __future__ import annotations

from bench.report.svg import esc

BASE_CSS = """
body{font-family:sans-serif;margin:1.5em auto;max-width:1300px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
"""


def page_head(title: str, css: str) -> str:
    """`<html>` up to the opened `<body>`: UTF-8, the escaped title and the inline style (no
    external resource, so the file opens offline)."""
    return ('<html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title><style>{css}</style></head><body>")
