"""Renderers of a `bench.analysis.summary.Summary`: terminal table, markdown, CSV and JSON.

Computes nothing: every number comes from the Summary. Labels are data, so the terminal draws
them as literal `Text` and markdown escapes them (`md_text`). The terminal and markdown views are
compact (the `top` contenders, then the Friedman test, the critical difference, the contenders
not significantly worse than the best and the best's evidence); CSV has the table's columns and
JSON every number. "search s" (mean tune_s, the hyperparameter search of tuned cells) is shown
only when some contender searched; CSV and JSON always carry tune_s.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bench.report.markdown import md_text
from bench.report.terminal import literal

MAX_NAMES = 5  # contenders named in the not-worse line (JSON lists them all)
MAX_NOTES = 3
WIDTH = 250  # terminal columns the table may use: model labels with parameters stay on one line


def _num(v: object, digits: int = 3) -> str:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)
    return "—" if math.isnan(f) else f"{f:.{digits}f}"


def _pct(v: object) -> str:
    f = float(v)  # type: ignore[arg-type]
    return "—" if math.isnan(f) else f"{100 * f:.0f}%"


def _interval(v: float, lo: float, hi: float, digits: int) -> str:
    if math.isnan(v):
        return "—"
    if math.isnan(lo) or math.isnan(hi):
        return f"{v:.{digits}f}"
    return f"{v:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def _arrow(summary) -> str:  # type: ignore[no-untyped-def]
    return "↑" if summary.direction == "max" else "↓"


def _names(names: Sequence[str], limit: int = MAX_NAMES) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … (+{len(names) - limit})" if len(names) > limit else "")


def headline(summary) -> str:  # type: ignore[no-untyped-def]
    """What the summary is over: metric, tasks, folds, datasets, contenders."""
    s = summary
    dropped = f" ({s.n_tasks_dropped} left out, see notes)" if s.n_tasks_dropped else ""
    return (f"Summary — {s.metric} {_arrow(s)} over {s.n_tasks} task(s){dropped} × "
            f"{s.n_folds} fold(s), {s.n_datasets} dataset(s), {len(s.table)} contender(s); "
            f"tasks: {', '.join(s.task_axes) or 'all cells'}")


def verdict_lines(summary) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines under the table: tests, the not-worse set, the best with its evidence, notes."""
    s = summary
    lines = []
    fr = s.friedman
    if math.isnan(fr.p):
        lines.append(f"Friedman: not defined ({fr.k} contender(s), {fr.n} complete task(s))")
    else:
        lines.append(f"Friedman χ² = {fr.statistic:.3f}, p = {fr.p:.3g} "
                     f"(Iman-Davenport F = {fr.f_stat:.3f}, p = {fr.f_p:.3g}); "
                     f"Nemenyi critical difference CD = {s.critical_difference:.3f} "
                     f"at α = {s.alpha:g}")
    if s.best:
        nw = s.not_significantly_worse
        lines.append(f"Not significantly worse than the best (Wilcoxon-Holm, α = {s.alpha:g}): "
                     f"{len(nw)} of {len(s.table)}: {_names(nw)}")
        row = s.table.iloc[0]
        ev = (f"Best: {s.best} — mean rank {_num(row['mean_rank'], 2)}, "
              f"win rate {_pct(row['win_rate'])}, "
              f"Elo {_interval(row['elo'], row['elo_lo'], row['elo_hi'], 0)} "
              f"(reference {s.reference} = 1000)")
        vs = s.vs_reference
        if vs is not None and vs.n_tasks:
            ev += (f"; vs {vs.b}: {vs.mean_diff:+.4f} {s.metric} "
                   f"[{vs.diff_lo:+.4f}, {vs.diff_hi:+.4f}] over {vs.n_tasks} task(s), "
                   f"Wilcoxon p = {_num(vs.p_tasks, 3)} (tasks), "
                   f"{vs.wins}/{vs.n_pairs} folds won")
        lines.append(ev)
    for note in s.notes[:MAX_NOTES]:
        lines.append(f"note: {note}")
    if len(s.notes) > MAX_NOTES:
        lines.append(f"note: … {len(s.notes) - MAX_NOTES} more (--format json lists them)")
    return lines


def _rows(summary, top: int | None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return summary.table if top is None else summary.table.head(top)


COLUMNS = ("#", "mean rank", "mean [95% CI]", "norm.", "improv.", "win rate", "Elo [95% CI]",
           "tasks", "failed", "fit s", "search s", "predict s", "peak MB", "≈ best")
SEARCH = "search s"  # mean tune_s: the hyperparameter search before the final refit (fit s)


def has_search(table: pd.DataFrame) -> bool:
    """Whether some contender searched hyperparameters (tune_s > 0): only then is the "search s"
    column shown, so a store without tuned cells reads exactly as before."""
    return "tune_s" in table.columns and bool((pd.to_numeric(table["tune_s"]) > 0).any())


def _columns(summary) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return COLUMNS if has_search(summary.table) else tuple(c for c in COLUMNS if c != SEARCH)


def _cells(summary, r: pd.Series) -> list[str]:  # type: ignore[no-untyped-def]
    search = [_num(r["tune_s"], 2)] if has_search(summary.table) else []
    return [str(int(r["position"])), _num(r["mean_rank"], 2),
            _interval(r["mean"], r["ci_lo"], r["ci_hi"], 3), _num(r["normalized"], 3),
            _pct(r["improvability"]), _pct(r["win_rate"]),
            _interval(r["elo"], r["elo_lo"], r["elo_hi"], 0), str(int(r["n_tasks"])),
            str(int(r["n_failed"])), _num(r["fit_s"], 2), *search, _num(r["predict_s"], 3),
            _num(r["peak_mb"], 0), "yes" if r["not_worse"] else ""]


def summary_table(summary, top: int | None = None) -> Table:  # type: ignore[no-untyped-def]
    """The contenders as a rich table; every label literal, one line per contender."""
    s = summary
    table = Table(title=literal(headline(s)), box=box.SIMPLE_HEAD, title_justify="left",
                  pad_edge=False)
    axes = list(s.contender_axes)
    table.add_column("#", justify="right")
    for axis in axes:
        table.add_column(literal(axis), overflow="fold")
    columns = _columns(s)
    for col in columns[1:]:
        table.add_column(col, justify="right" if col != "≈ best" else "left")
    for _, r in _rows(s, top).iterrows():
        vals = _cells(s, r)
        style = "bold" if r["contender"] == s.best else ""
        table.add_row(literal(vals[0]), *[literal(r[a], style) for a in axes],
                      *[literal(v, "red" if c == "failed" and v != "0" else "")
                        for c, v in zip(columns[1:], vals[1:])])
    return table


def print_summary(summary, top: int | None = None,  # type: ignore[no-untyped-def]
                  console: Console | None = None) -> None:
    """The table, a line for the contenders not shown, then the verdict lines."""
    out = console or Console(width=max(Console().width, WIDTH), emoji=False, highlight=False)
    out.print(summary_table(summary, top))
    hidden = len(summary.table) - (len(summary.table) if top is None else min(top, len(summary.table)))
    if hidden:
        out.print(Text(f"… {hidden} more contender(s) (--top N shows more; --format json all)"))
    for line in verdict_lines(summary):
        out.print(Text(line), soft_wrap=True)


def summary_markdown(summary, top: int | None = None) -> str:  # type: ignore[no-untyped-def]
    """A markdown section: headline, table (labels escaped), verdict lines as a list."""
    s = summary
    axes = list(s.contender_axes)
    head = ["#", *axes, *_columns(s)[1:]]
    lines = [f"### {md_text(headline(s))}", "", "| " + " | ".join(md_text(h) for h in head) + " |",
             "|" + "|".join("---:" if h not in axes and h != "≈ best" else "---" for h in head) + "|"]
    for _, r in _rows(s, top).iterrows():
        vals = _cells(s, r)
        label = [f"**{md_text(r[a])}**" if r["contender"] == s.best else md_text(r[a])
                 for a in axes]
        lines.append("| " + " | ".join([vals[0], *label, *(md_text(v) for v in vals[1:])]) + " |")
    hidden = len(s.table) - len(_rows(s, top))
    lines.append("")
    if hidden:
        lines.append(f"… {hidden} more contender(s)")
        lines.append("")
    lines += [f"- {md_text(line)}" for line in verdict_lines(s)]
    return "\n".join(lines) + "\n"


def summary_csv(summary, top: int | None = None) -> str:  # type: ignore[no-untyped-def]
    """The contenders table as CSV (every column of `Summary.table`)."""
    buf = io.StringIO()
    _rows(summary, top).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def summary_json(summary) -> str:  # type: ignore[no-untyped-def]
    """Every number of the summary as strict JSON (NaN -> null)."""
    return json.dumps(summary.to_dict(), indent=2, allow_nan=False, ensure_ascii=False)


def render_summary(summary, fmt: str, top: int | None = None) -> str:  # type: ignore[no-untyped-def]
    """Markdown, CSV or JSON text (the terminal table is printed by `print_summary`)."""
    if fmt == "markdown":
        return summary_markdown(summary, top)
    if fmt == "csv":
        return summary_csv(summary, top)
    if fmt == "json":
        return summary_json(summary)
    raise ValueError(f"no text renderer for {fmt!r}")
