"""Rich terminal tables for leaderboards and listings.

Every value that comes from data, suites or stores (labels, names, parameters, messages) is
drawn as a `rich.text.Text`, never as a markup string: a class label `[/x]` must not crash a
table and `[link=…]` must not become a live hyperlink. Only our own styles are markup.
"""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text


def literal(value: object, style: str = "") -> Text:
    """A value drawn exactly as its text (no markup, no emoji codes)."""
    return Text(str(value), style=style)


def _fmt(v: object, digits: int = 4) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "—"
        return f"{v:.{digits}f}" if abs(v) < 1e4 else f"{v:.3g}"
    return str(v)


LEGEND = {"n<": 'test class n<{n}: a test class has fewer than {n} rows, so a few rows decide its scores; '
                'use test_prior = "natural" / "balanced" or more rows',
          "degenerate": "degenerate k/n: k of n ok cells predicted a single class or never "
                        "predicted a class present in the test part (see the rows' warnings)"}


def leaderboard_table(board: pd.DataFrame, title: str = "") -> Table:
    """The leaderboard, every data value literal (labels and names are never markup).

    `min test` is the smallest test class count of the configuration's cells (highlighted below
    `MIN_TEST_ROWS`); `flags` says why a score is not to be trusted; a legend explains the flags
    that occur.
    """
    from bench.analysis.leaderboard import MIN_TEST_ROWS

    metric = board.attrs.get("metric", "metric")
    arrow = "↑" if board.attrs.get("direction", "max") == "max" else "↓"
    by = list(board.attrs.get("by", []))
    table = Table(title=literal(title or f"Leaderboard — {metric} {arrow} "
                                         "(mean ± 95% CI over repeats × folds)"))
    for col in [*by, "rank", "model", "family"]:
        table.add_column(literal(col), overflow="fold",
                         justify="right" if col in ("rank", "ratio") else "left")
    table.add_column(literal(f"{metric} {arrow}"), justify="right")
    for col in ("n", "failed", "min test", "fit_s"):
        table.add_column(col, justify="right")
    table.add_column("flags", overflow="fold")
    seen: set[str] = set()
    for _, r in board.iterrows():
        mean = _fmt(r["mean"])
        ci = "" if math.isnan(r["ci95"]) else f" ± {r['ci95']:.4f}"
        failed = int(r["n_failed"])
        cells = [literal(_fmt(r[c], 3) if c == "ratio" else r[c]) for c in by]
        rank = (str(r.get("state", "—")) if math.isnan(r["rank"])  # skipped / failed, never a rank
                else str(int(r["rank"])))
        min_test = float(r.get("min_test_count", math.nan))
        small = not math.isnan(min_test) and min_test < MIN_TEST_ROWS
        flags = str(r.get("flags", "") or "")
        seen.update(key for key in LEGEND if key in flags)
        table.add_row(*cells, literal(rank), literal(r["model"]), literal(r["family"]),
                      literal(mean + ci), literal(int(r["n"])),
                      literal(failed, "red" if failed else ""),
                      literal("—" if math.isnan(min_test) else int(min_test), "bold yellow" if small else ""),
                      literal(_fmt(r["fit_s"], 2)), literal(flags, "yellow"))
    if seen:
        table.caption = literal("\n".join(LEGEND[k].format(n=MIN_TEST_ROWS) for k in LEGEND if k in seen))
        table.caption_justify = "left"
    return table


def frame_table(df: pd.DataFrame, title: str = "") -> Table:
    """Any frame, literally: headers (class labels, in per-class views) and values are data.

    Columns fold instead of cutting with an ellipsis, so two long labels never read the same.
    """
    table = Table(title=literal(title) if title else None)
    for col in df.columns:
        table.add_column(literal(col), overflow="fold",
                         justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    for _, r in df.iterrows():
        table.add_row(*[literal(_fmt(v)) for v in r.tolist()])
    return table


def print_table(table: Table) -> None:
    Console(width=max(Console().width, 160), emoji=False).print(table)


# ---- bench compare --------------------------------------------------------------------------
MARK_STYLES = {"worse": "bold red", "new failure": "bold red", "not comparable": "magenta",
               "missing": "yellow", "fixed": "green", "better": "green", "new": "cyan",
               "unchanged": "dim"}


def metric_cell(m: pd.Series | None) -> str:
    """`baseline → current (Δ)` of one configuration x metric ('—' without paired data)."""
    if m is None or m["n_pairs"] == 0:
        return "—"
    if m["max_abs_delta"] == 0:
        return f"{m['current']:.4f} (=)"
    return f"{m['baseline']:.4f} → {m['current']:.4f} ({m['delta']:+.4f})"


def ratio_cell(v: float) -> str:
    return "—" if v is None or math.isnan(v) else f"×{v:.2f}"


def comparison_table(cmp, changed_only: bool = False) -> Table:  # type: ignore[no-untyped-def]
    """One row per configuration of a `bench.analysis.compare.Comparison`."""
    axes = cmp.label_axes
    arrows = {m: "↑" if d == "max" else "↓" for m, d in cmp.directions.items()}
    table = Table(title=literal(f"bench compare — {cmp.baseline_name} → {cmp.current_name}"))
    table.add_column("mark")
    for a in axes:
        table.add_column(a, justify="right" if a == "ratio" else "left", overflow="fold")
    for m in cmp.metric_names:
        table.add_column(literal(f"{m} {arrows[m]}"), justify="right")
    for col in ("pairs", "fit", "predict", "versions", "note"):
        table.add_column(col, justify="right" if col in ("pairs", "fit", "predict") else "left",
                         overflow="fold")
    by_key = {(r["config"], r["metric"]): r for _, r in cmp.metrics.iterrows()}
    for _, r in cmp.configs.iterrows():
        if changed_only and r["mark"] == "unchanged" and not r["versions"] and not r["slower"]:
            continue
        cells = [literal(r["mark"], MARK_STYLES.get(r["mark"], ""))]
        cells += [literal(f"{float(r[a]):g}" if a == "ratio" else r[a]) for a in axes]
        for m in cmp.metric_names:
            mm = by_key.get((r["config"], m))
            worse_or_better = mm is not None and mm["mark"] in ("worse", "better")
            cells.append(literal(metric_cell(mm), MARK_STYLES[mm["mark"]] if worse_or_better else ""))
        predict = Text(ratio_cell(r["predict_ratio"]))
        if r["slower"]:
            predict.append(f" {r['slower']}", style="red")
        cells += [literal(int(r["n_paired"])), literal(ratio_cell(r["fit_ratio"])), predict,
                  literal(r["versions"]), literal(r["note"])]
        table.add_row(*cells)
    return table


def print_comparison(cmp, changed_only: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The table, the counts per mark, the notes and the gate's verdict."""
    console = Console(width=max(Console().width, 160), emoji=False)
    table = comparison_table(cmp, changed_only)
    if table.row_count:
        console.print(table, highlight=False)
    else:
        console.print("no changed configurations", highlight=False)
    counts = Text("configurations: ")
    for i, (k, v) in enumerate(cmp.counts.items()):
        counts.append(", " if i else "")
        counts.append(k, style=MARK_STYLES.get(k, ""))
        counts.append(f" {v}")
    console.print(counts, highlight=False)
    for note in cmp.notes:
        console.print(literal(f"  note: {note}"), highlight=False)
    failed = cmp.failed_gates
    for gate, items in cmp.gates.items():
        if not items:
            continue
        gating = "gating" if gate in cmp.fail_on else "not gating"
        color = "red" if gate in failed else "yellow"
        console.print(Text.assemble((gate, color), f" ({len(items)}, {gating}):"), highlight=False)
        for _, text in items[:50]:
            console.print(literal(f"  - {text}"), highlight=False)
        if len(items) > 50:
            console.print(f"  … and {len(items) - 50} more", highlight=False)
    if failed:
        what = ", ".join(f"{len(v)} {k}" for k, v in failed.items())
        console.print(f"[bold red]FAIL[/bold red] (exit {cmp.exit_code}): {what}", highlight=False)
    else:
        console.print("[bold green]PASS[/bold green] (exit 0)", highlight=False)
