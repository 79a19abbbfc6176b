"""Markdown for CI step summaries (`$GITHUB_STEP_SUMMARY`): renders a `Comparison`, computes nothing.

Every value from data, suites or stores goes through `md_text` (or `md_code`): markdown
punctuation is backslash-escaped and `<`, `>`, `&` become entities, so a label `<script>` stays
text, `[x](y)` is no link and a `|` cannot split a table cell. Only our own markup is markdown.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from bench.report.terminal import metric_cell, ratio_cell

MARK_ICONS = {"worse": "🔴", "new failure": "🔴", "not comparable": "🟣", "missing": "🟡",
              "fixed": "🟢", "better": "🟢", "new": "🔵", "unchanged": "⚪"}


_PUNCTUATION = re.compile(r"([\\`*_\[\]{}|~!#])")
_BLOCK_START = re.compile(r"^(\s*\d*)([-+.)])(?=\s|$)")


def md_text(text: object) -> str:
    """A value as literal markdown text, safe in a table cell, a list item or a heading."""
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _PUNCTUATION.sub(r"\\\1", s).replace("\r", " ").replace("\n", " ")
    # A line start that would open a list item (`- `, `+ `, `1. `, `2) `) stays text.
    return _BLOCK_START.sub(r"\1\\\2", s)


def md_code(text: object) -> str:
    """A value as an inline code span: a fence longer than any run of backticks inside it."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_table(head: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """A markdown table from cells that are already markdown (escape data with `md_text`);
    columns whose index is in `right` are right-aligned (numbers)."""
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def _table(cmp, rows: pd.DataFrame) -> list[str]:  # type: ignore[no-untyped-def]
    axes = cmp.label_axes
    arrows = {m: "↑" if d == "max" else "↓" for m, d in cmp.directions.items()}
    head = ["mark", *map(md_text, axes), *(f"{md_text(m)} {arrows[m]}" for m in cmp.metric_names),
            "pairs", "fit", "predict", "versions", "note"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---:" if h in ("ratio", "pairs", "fit", "predict") else "---"
                            for h in head) + "|"]
    by_key = {(r["config"], r["metric"]): r for _, r in cmp.metrics.iterrows()}
    for _, r in rows.iterrows():
        cells = [f"{MARK_ICONS.get(r['mark'], '')} {md_text(r['mark'])}"]
        cells += [f"{float(r[a]):g}" if a == "ratio" else md_text(r[a]) for a in axes]
        for m in cmp.metric_names:
            mm = by_key.get((r["config"], m))
            text = md_text(metric_cell(mm))
            cells.append(f"**{text}**" if mm is not None and mm["mark"] == "worse" else text)
        predict = md_text(ratio_cell(r["predict_ratio"]))
        cells += [str(int(r["n_paired"])), md_text(ratio_cell(r["fit_ratio"])),
                  predict + (f" **{md_text(r['slower'])}**" if r["slower"] else ""),
                  md_text(r["versions"]), md_text(r["note"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def comparison_markdown(cmp, max_rows: int = 200) -> str:  # type: ignore[no-untyped-def]
    """Verdict, counts per mark, gate items, notes, changed configurations, then all of them."""
    failed = cmp.failed_gates
    if failed:
        what = ", ".join(f"{len(v)} {k}" for k, v in failed.items())
        head = f"## ❌ bench compare: regression (exit {cmp.exit_code}) — {what}"
    else:
        head = "## ✅ bench compare: no regression (exit 0)"
    arrows = ", ".join(f"{md_code(m)} {'↑' if d == 'max' else '↓'}" for m, d in cmp.directions.items())
    out = [head, "",
           f"Baseline {md_code(cmp.baseline_name)} → current {md_code(cmp.current_name)}; "
           f"metrics {arrows}; gating on: {', '.join(cmp.fail_on)}.", ""]
    out += ["| mark | configurations |", "|---|---:|"]
    out += [f"| {MARK_ICONS.get(k, '')} {md_text(k)} | {v} |" for k, v in cmp.counts.items()]
    out.append("")
    for gate, items in cmp.gates.items():
        if not items:
            continue
        gating = "gating" if gate in cmp.fail_on else "not gating"
        out.append(f"### {gate} ({len(items)}, {gating})")
        out.append("")
        out += [f"- {md_text(text)}" for _, text in items[:max_rows]]
        if len(items) > max_rows:
            out.append(f"- … and {len(items) - max_rows} more")
        out.append("")
    out += ["### Notes", ""] + [f"- {md_text(n)}" for n in cmp.notes] + [""]
    configs = cmp.configs
    if configs.empty:
        return "\n".join(out)
    changed = configs[(configs["mark"] != "unchanged") | (configs["versions"] != "")
                      | (configs["slower"] != "")]
    if len(changed):
        out += [f"### Changed configurations ({len(changed)})", ""]
        out += _table(cmp, changed.head(max_rows)) + [""]
    out += [f"<details><summary>All {len(configs)} configurations</summary>", ""]
    out += _table(cmp, configs.head(max_rows))
    if len(configs) > max_rows:
        out.append(f"\n… and {len(configs) - max_rows} more")
    out += ["", "</details>", ""]
    return "\n".join(out)
