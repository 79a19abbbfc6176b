"""Rich terminal tables for leaderboards and listings."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table


def _fmt(v: object, digits: int = 4) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "—"
        return f"{v:.{digits}f}" if abs(v) < 1e4 else f"{v:.3g}"
    return str(v)


def leaderboard_table(board: pd.DataFrame, title: str = "") -> Table:
    metric = board.attrs.get("metric", "metric")
    arrow = "↑" if board.attrs.get("direction", "max") == "max" else "↓"
    by = list(board.attrs.get("by", []))
    table = Table(title=title or f"Leaderboard — {metric} {arrow} (mean ± 95% CI over repeats × folds)")
    for col in [*by, "rank", "model", "family"]:
        table.add_column(col, justify="right" if col in ("rank", "ratio") else "left")
    table.add_column(f"{metric} {arrow}", justify="right")
    for col in ("n", "failed", "fit_s"):
        table.add_column(col, justify="right")
    for _, r in board.iterrows():
        mean = _fmt(r["mean"])
        ci = "" if math.isnan(r["ci95"]) else f" ± {r['ci95']:.4f}"
        failed = int(r["n_failed"])
        cells = [_fmt(r[c], 3) if c == "ratio" else str(r[c]) for c in by]
        rank = "—" if math.isnan(r["rank"]) else str(int(r["rank"]))
        table.add_row(*cells, rank, str(r["model"]), str(r["family"]), mean + ci, str(int(r["n"])),
                      f"[red]{failed}[/red]" if failed else "0", _fmt(r["fit_s"], 2))
    return table


def frame_table(df: pd.DataFrame, title: str = "") -> Table:
    table = Table(title=title)
    for col in df.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    for _, r in df.iterrows():
        table.add_row(*[_fmt(v) for v in r.tolist()])
    return table


def print_table(table: Table) -> None:
    Console(width=max(Console().width, 160)).print(table)


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
    table = Table(title=f"bench compare — {cmp.baseline_name} → {cmp.current_name}")
    table.add_column("mark")
    for a in axes:
        table.add_column(a, justify="right" if a == "ratio" else "left", overflow="fold")
    for m in cmp.metric_names:
        table.add_column(f"{m} {arrows[m]}", justify="right")
    for col in ("pairs", "fit", "predict", "versions", "note"):
        table.add_column(col, justify="right" if col in ("pairs", "fit", "predict") else "left",
                         overflow="fold")
    by_key = {(r["config"], r["metric"]): r for _, r in cmp.metrics.iterrows()}
    for _, r in cmp.configs.iterrows():
        if changed_only and r["mark"] == "unchanged" and not r["versions"] and not r["slower"]:
            continue
        style = MARK_STYLES.get(r["mark"], "")
        cells = [f"[{style}]{r['mark']}[/{style}]" if style else r["mark"]]
        cells += [f"{float(r[a]):g}" if a == "ratio" else str(r[a]) for a in axes]
        for m in cmp.metric_names:
            text = metric_cell(by_key.get((r["config"], m)))
            mm = by_key.get((r["config"], m))
            if mm is not None and mm["mark"] in ("worse", "better"):
                s = MARK_STYLES[mm["mark"]]
                text = f"[{s}]{text}[/{s}]"
            cells.append(text)
        slow = f" [red]{r['slower']}[/red]" if r["slower"] else ""
        cells += [str(int(r["n_paired"])), ratio_cell(r["fit_ratio"]),
                  ratio_cell(r["predict_ratio"]) + slow, str(r["versions"]), str(r["note"])]
        table.add_row(*cells)
    return table


def print_comparison(cmp, changed_only: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The table, the counts per mark, the notes and the gate's verdict."""
    console = Console(width=max(Console().width, 160))
    table = comparison_table(cmp, changed_only)
    if table.row_count:
        console.print(table, highlight=False)
    else:
        console.print("no changed configurations", highlight=False)
    counts = ", ".join(f"[{MARK_STYLES.get(k, '')}]{k}[/] {v}" for k, v in cmp.counts.items())
    console.print(f"configurations: {counts}", highlight=False)
    for note in cmp.notes:
        console.print(f"  note: {note}", highlight=False)
    failed = cmp.failed_gates
    for gate, items in cmp.gates.items():
        if not items:
            continue
        gating = "gating" if gate in cmp.fail_on else "not gating"
        color = "red" if gate in failed else "yellow"
        console.print(f"[{color}]{gate}[/{color}] ({len(items)}, {gating}):", highlight=False)
        for _, text in items[:50]:
            console.print(f"  - {text}", highlight=False)
        if len(items) > 50:
            console.print(f"  … and {len(items) - 50} more", highlight=False)
    if failed:
        what = ", ".join(f"{len(v)} {k}" for k, v in failed.items())
        console.print(f"[bold red]FAIL[/bold red] (exit {cmp.exit_code}): {what}", highlight=False)
    else:
        console.print("[bold green]PASS[/bold green] (exit 0)", highlight=False)
