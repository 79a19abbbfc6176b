"""Markdown for CI step summaries (`$GITHUB_STEP_SUMMARY`): renders a `Comparison`, computes nothing."""

from __future__ import annotations

import math

import pandas as pd

from bench.report.terminal import metric_cell, ratio_cell

MARK_ICONS = {"worse": "🔴", "new failure": "🔴", "not comparable": "🟣", "missing": "🟡",
              "fixed": "🟢", "better": "🟢", "new": "🔵", "unchanged": "⚪"}


def _cell(text: object) -> str:
    """A value safe inside a markdown table cell."""
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return s.replace("|", "\\|").replace("\n", " ")


def _table(cmp, rows: pd.DataFrame) -> list[str]:  # type: ignore[no-untyped-def]
    axes = cmp.label_axes
    arrows = {m: "↑" if d == "max" else "↓" for m, d in cmp.directions.items()}
    head = ["mark", *axes, *(f"{m} {arrows[m]}" for m in cmp.metric_names),
            "pairs", "fit", "predict", "versions", "note"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---:" if h in ("ratio", "pairs", "fit", "predict") else "---"
                            for h in head) + "|"]
    by_key = {(r["config"], r["metric"]): r for _, r in cmp.metrics.iterrows()}
    for _, r in rows.iterrows():
        cells = [f"{MARK_ICONS.get(r['mark'], '')} {r['mark']}"]
        cells += [f"{float(r[a]):g}" if a == "ratio" else r[a] for a in axes]
        for m in cmp.metric_names:
            mm = by_key.get((r["config"], m))
            text = metric_cell(mm)
            cells.append(f"**{text}**" if mm is not None and mm["mark"] == "worse" else text)
        predict = ratio_cell(r["predict_ratio"])
        cells += [int(r["n_paired"]), ratio_cell(r["fit_ratio"]),
                  predict + (f" **{r['slower']}**" if r["slower"] else ""),
                  r["versions"], r["note"]]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def comparison_markdown(cmp, max_rows: int = 200) -> str:  # type: ignore[no-untyped-def]
    """Verdict, counts per mark, gate items, notes, changed configurations, then all of them."""
    failed = cmp.failed_gates
    if failed:
        what = ", ".join(f"{len(v)} {k}" for k, v in failed.items())
        head = f"## ❌ bench compare: regression (exit {cmp.exit_code}) — {what}"
    else:
        head = "## ✅ bench compare: no regression (exit 0)"
    arrows = ", ".join(f"`{m}` {'↑' if d == 'max' else '↓'}" for m, d in cmp.directions.items())
    out = [head, "",
           f"Baseline `{cmp.baseline_name}` → current `{cmp.current_name}`; metrics {arrows}; "
           f"gating on: {', '.join(cmp.fail_on)}.", ""]
    out += ["| mark | configurations |", "|---|---:|"]
    out += [f"| {MARK_ICONS.get(k, '')} {k} | {v} |" for k, v in cmp.counts.items()]
    out.append("")
    for gate, items in cmp.gates.items():
        if not items:
            continue
        gating = "gating" if gate in cmp.fail_on else "not gating"
        out.append(f"### {gate} ({len(items)}, {gating})")
        out.append("")
        out += [f"- {_cell(text)}" for _, text in items[:max_rows]]
        if len(items) > max_rows:
            out.append(f"- … and {len(items) - max_rows} more")
        out.append("")
    out += ["### Notes", ""] + [f"- {n}" for n in cmp.notes] + [""]
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
