"""The HTML report: one self-contained page drawn from a `ReportData` (computes nothing).

Why one file: it is mailed, attached to CI runs and opened offline; every chart is inline SVG,
the style is inline, there is no script and no network resource. Every value from the store
(dataset, model, sampler, class label, error message) goes through `esc`, in text, attributes
and SVG, so a label `<script>` is shown, never run. A section without data says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pandas as pd

from bench.analysis.report_data import ReportData
from bench.report.page import BASE_CSS, page_head
from bench.report.summary import has_search
from bench.report.svg import (PALETTE, Axis, Series, cd_diagram, esc, grid_chart, heat_colour,
                              line_chart, scatter, style)

CEILING_NAME, CEILING_COLOUR = "recall ceiling (inspect)", "#b00000"
SECTIONS = (("what-ran", "What ran"), ("summary", "Summary"), ("by-ratio", "Metric vs imbalance ratio"),
            ("per-class", "Per-class recall and precision vs ratio"),
            ("best-sampler", "Best sampler per model and ratio"),
            ("confusion", "Confusion matrices"), ("curves", "Learning curves"),
            ("time-quality", "Time vs quality"), ("problems", "Failures and skips"))
CSS = BASE_CSS + """.charts{display:flex;flex-wrap:wrap;gap:8px}.note{color:#666;font-size:12px}
.empty{color:#888;font-style:italic}.legend span{display:inline-block;margin-right:1em;font-size:12px}
.swatch{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
nav a{margin-right:1em;font-size:13px}
"""


def number(v: object, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.{digits}f}" if abs(v) < 1e5 else f"{v:.4g}"
    return str(v)


def table(df: pd.DataFrame, columns: Sequence[str] | None = None, digits: int = 3) -> str:
    """An HTML table of `df` (every cell escaped; numbers right-aligned)."""
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    rows = []
    for rec in df[cols].itertuples(index=False):
        cells = []
        for v in rec:
            if hasattr(v, "item") and not isinstance(v, str):
                v = v.item()
            is_num = isinstance(v, (int, float)) and not isinstance(v, bool)
            cls = ' class="num"' if is_num else ""
            cells.append(f"<td{cls}>{esc(number(v, digits))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def empty(what: str) -> str:
    return f'<p class="empty">No data: {esc(what)}.</p>'


def legend(names: Sequence[str], extra: Sequence[tuple[str, str]] = ()) -> str:
    """The colour key shared by a section's small charts (colour i = i-th name), then `extra`
    (name, colour) entries such as the recall ceiling."""
    items = []
    for i, name in enumerate(names):
        colour, dash = style(i)
        border = "dashed" if dash else "solid"
        items.append(f'<span><i class="swatch" style="background:{colour};border-top:1px {border} '
                     f'{colour}"></i>{esc(name)}</span>')
    items += [f'<span><i class="swatch" style="background:{colour}"></i>{esc(name)}</span>'
              for name, colour in extra]
    return f'<p class="legend">{"".join(items)}</p>'


def ratio_axis(values: Sequence[float]) -> Axis:
    ratios = sorted({float(v) for v in values if v is not None and math.isfinite(v)})
    log = len(ratios) > 1 and ratios[0] > 0 and ratios[-1] / ratios[0] >= 10
    return Axis("imbalance ratio (majority / minority)", log=log, ticks=ratios)


def series_by_contender(df: pd.DataFrame, names: Sequence[str], y: str, lo: str | None,
                        hi: str | None) -> list[Series]:
    """One line per contender in `names` order, coloured by its position there."""
    out = []
    groups = {k: g for k, g in df.groupby("contender", sort=False)}
    for i, name in enumerate(names):
        g = groups.get(name)
        if g is None:
            continue
        g = g.sort_values("ratio")
        colour, dash = style(i)
        out.append(Series(name, list(g["ratio"]), list(g[y]),
                          list(g[lo]) if lo else None, list(g[hi]) if hi else None,
                          dash=dash, colour=colour))
    return out


# ---- sections -----------------------------------------------------------------------------------
def what_ran(d: ReportData) -> str:
    parts = [table(d.overview), "<h3>Cells by status</h3>",
             table(d.statuses) if len(d.statuses) else empty("no cells")]
    n_bad = int(d.failures["n"].sum()) if len(d.failures) else 0
    parts.append(f"<p>{n_bad} failed cell(s); details under "
                 f'<a href="#problems">Failures and skips</a>.</p>')
    parts += ["<h3>Provenance</h3>",
              table(d.provenance) if len(d.provenance) else empty("no provenance columns")]
    return "".join(parts)


def summary(d: ReportData) -> str:
    s = d.summary
    if s is None:
        return (empty("no cross-task summary for this store") +
                "".join(f'<p class="note">{esc(n)}</p>' for n in d.notes if n.startswith("summary"))
                + "<h3>Mean score per contender (over tasks)</h3>"
                + (table(d.scores) if len(d.scores) else ""))
    cols = ["contender", "mean_rank", "mean", "ci_lo", "ci_hi", "normalized", "improvability",
            "win_rate", "elo", "elo_lo", "elo_hi", "n_tasks", "n_failed", "fit_s", "tune_s",
            "predict_s", "peak_mb", "not_worse"]
    if not has_search(s.table):  # tune_s only where some contender searched hyperparameters
        cols.remove("tune_s")
    facts = [f"metric {s.metric} ({s.direction})", f"{s.n_tasks} tasks",
             f"{s.n_datasets} dataset(s)", f"Friedman p = {number(s.friedman_p, 4)}",
             f"critical difference {number(s.critical_difference)} at α = {s.alpha}",
             f"best: {s.best}",
             "not significantly worse: " + (", ".join(s.not_significantly_worse) or "none"),
             f"Elo anchored at {s.reference} = 1000"]
    v = getattr(s, "vs_reference", None)
    if v is not None:  # the best against the reference, paired over tasks x folds
        facts.append(f"{v.a} vs {v.b}: {s.metric} {number(v.mean_a)} vs {number(v.mean_b)}, "
                     f"difference {number(v.mean_diff)} (95% CI {number(v.diff_lo)} … "
                     f"{number(v.diff_hi)}) over {v.n_tasks} tasks; wins / ties / losses over "
                     f"{v.n_pairs} folds {v.wins} / {v.ties} / {v.losses}; Wilcoxon p over tasks "
                     f"{number(v.p_tasks, 4)}")
    parts = ["<ul>" + "".join(f"<li>{esc(f)}</li>" for f in facts) + "</ul>", table(s.table, cols)]
    parts += [f'<p class="note">{esc(n)}</p>' for n in getattr(s, "notes", [])]
    if d.cd_names:
        parts.append(cd_diagram(d.cd_names, d.cd_ranks, d.cd, d.cd_groups,
                                f"Critical difference diagram: mean rank of {s.metric} (1 = best)"))
    return "".join(parts)


def by_ratio(d: ReportData) -> str:
    if d.by_ratio.empty or not d.by_ratio["mean"].notna().any():
        return empty(f"no {d.metric} values by ratio")
    axis = ratio_axis(d.by_ratio["ratio"])
    charts = []
    for panel, g in d.by_ratio.groupby("panel", sort=True):
        charts.append(line_chart(series_by_contender(g, d.highlighted, "mean", "ci_lo", "ci_hi"),
                                 axis, Axis(d.metric), str(panel)))
    note = (f"Mean of {d.metric} over repeats × folds with 95% t-intervals; the "
            f"{len(d.highlighted)} contenders shown are the best ranked and the DNN baseline.")
    return (f'<p class="note">{esc(note)}</p>' + legend(d.highlighted) +
            f'<div class="charts">{"".join(charts)}</div>')


def per_class(d: ReportData) -> str:
    if d.per_class.empty:
        return empty("no per-class rows (per_class table)")
    axis = ratio_axis(d.per_class["ratio"])
    parts = [f'<p class="note">{esc("Recall and precision of each class as the imbalance ratio grows, per dataset; mean over repeats × folds with 95% t-intervals. Dashed red line: the recall ceiling of the class (bench inspect), where the store has an inspect table.")}</p>',
             legend(d.highlighted, [] if d.ceiling.empty else [(CEILING_NAME, CEILING_COLOUR)])]
    for panel, g in d.per_class.groupby("panel", sort=True):
        parts.append(f"<h3>{esc(panel)}</h3>")
        charts = []
        for label in pd.unique(g["label"]):
            gl = g[g["label"] == label]
            ceil = d.ceiling[(d.ceiling["panel"] == panel) & (d.ceiling["label"] == label)]
            ceil = ceil.sort_values("ratio")
            recall = series_by_contender(gl, d.highlighted, "recall", "recall_lo", "recall_hi")
            if len(ceil):  # the inspection's recall ceiling (bench inspect), with its interval
                recall.append(Series(CEILING_NAME, list(ceil["ratio"]), list(ceil["recall_ceiling"]),
                                     list(ceil["ceiling_lo"]), list(ceil["ceiling_hi"]),
                                     dash="4 2", colour=CEILING_COLOUR))
            support = float(gl["support"].min())
            title = f"class {label}: recall (min test support {support:g})"
            charts.append(line_chart(recall, axis, Axis("recall", lo=0, hi=1), title, width=340,
                                     height=230))
            charts.append(line_chart(series_by_contender(gl, d.highlighted, "precision",
                                                         "precision_lo", "precision_hi"),
                                     axis, Axis("precision", lo=0, hi=1),
                                     f"class {label}: precision", width=340, height=230))
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    return "".join(parts)


def best_sampler(d: ReportData) -> str:
    b = d.best_sampler
    if b is None or b.empty:
        return empty("no model x sampler x ratio scores")
    models = sorted(b["model"].unique())
    ratios = sorted(b["ratio"].unique())
    samplers = sorted(b["best_sampler"].unique())
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(samplers)}
    cells = {}
    for r in b.itertuples(index=False):
        i, j = models.index(r.model), ratios.index(r.ratio)
        gain = "" if not math.isfinite(r.gain) else f", gain over none {r.gain:+.3f}"
        cells[(i, j)] = (colour[r.best_sampler], f"{r.best_sampler} {r.score:.3f}",
                         f"{r.model} at ratio {r.ratio:g}: {r.best_sampler} "
                         f"({d.metric} {r.score:.3f}{gain})")
    chart = grid_chart(models, [f"{r:g}" for r in ratios], cells,
                       f"Best sampler by mean {d.metric} over tasks", "model", "ratio",
                       cell_w=170)
    key = "".join(f'<span><i class="swatch" style="background:{colour[s]};height:10px"></i>'
                  f"{esc(s)}</span>" for s in samplers)
    return (f'<p class="legend">{key}</p>' + chart +
            table(b.assign(ratio=[f"{r:g}" for r in b["ratio"]]),
                  ["model", "ratio", "best_sampler", "score", "none_score", "gain", "n_tasks"]))


def panel_groups(frame: pd.DataFrame, by: list[str], note: str,
                 heading: Callable[[tuple, pd.DataFrame], str],
                 draw: Callable[[pd.DataFrame], list[str]]) -> str:
    """A note, then per group of `frame` (in order of appearance) an `<h3>` heading (already
    escaped by `heading`) over its charts side by side."""
    parts = [f'<p class="note">{esc(note)}</p>']
    for key, g in frame.groupby(by, sort=False):
        parts.append(f"<h3>{heading(key, g)}</h3>")
        parts.append(f'<div class="charts">{"".join(draw(g))}</div>')
    return "".join(parts)


def confusion(d: ReportData) -> str:
    if d.confusion.empty:
        return empty("no confusion rows for the best contender or the DNN baseline")

    def draw(g: pd.DataFrame) -> list[str]:
        charts = []
        for panel, gp in g.groupby("panel", sort=False):
            labels = list(pd.unique(gp["true_label"]))
            cells = {}
            for r in gp.itertuples(index=False):
                i, j = labels.index(r.true_label), labels.index(r.pred_label)
                cells[(i, j)] = (heat_colour(r.share), number(r.share, 2),
                                 f"true {r.true_label} → predicted {r.pred_label}: {r.count} "
                                 f"({number(r.share, 3)})")
            charts.append(grid_chart(labels, labels, cells,
                                     f"{panel} at ratio {float(gp['ratio'].iloc[0]):g}",
                                     "true class", "predicted class", cell_w=60, label_w=120))
        return charts

    return panel_groups(d.confusion, ["role", "contender"],
                        "Summed over repeats × folds at each panel’s largest ratio; each row is "
                        "normalised by its true class (cells show the share, tooltips the count).",
                        lambda key, g: f"{esc(key[0])}: {esc(key[1])}", draw)


def curves(d: ReportData) -> str:
    if d.curves.empty:
        return empty("no learning curves (curves table) for the drawn contenders")

    def draw(g: pd.DataFrame) -> list[str]:
        charts = []
        for metric in pd.unique(g["metric"]):
            gm = g[g["metric"] == metric]
            series = []
            for split, dash, colour in (("train", "", PALETTE[0]), ("validation", "6 3", PALETTE[1])):
                gs = gm[gm["split"] == split]
                if len(gs):
                    series.append(Series(split, list(gs["step"].astype(float)),
                                         list(gs["value"]), dash=dash, colour=colour))
            charts.append(line_chart(series, Axis("step (epoch / round)"), Axis(str(metric)),
                                     f"{metric}", width=400, height=240, legend_width=80))
        return charts

    return panel_groups(d.curves, ["contender", "panel"],
                        "Mean over repeats × folds at each panel’s largest ratio (folds that "
                        "stopped early drop out of later steps). Solid: train, dashed: validation.",
                        lambda key, g: f"{esc(key[0])} — {esc(key[1])} at ratio "
                                       f"{float(g['ratio'].iloc[0]):g}", draw)


def time_quality(d: ReportData) -> str:
    """Score against training time: fit_s + tune_s, so a tuned contender pays for its search
    (its fit_s is only the final refit)."""
    t = d.time_quality
    if t.empty or not (t["train_s"].notna() & t["score"].notna()).any():
        return empty("no fit times and scores")
    pos = t["train_s"][t["train_s"] > 0]
    log = len(pos) > 1 and pos.max() / pos.min() >= 10
    pts = [(r.contender, float(r.train_s), float(r.score), bool(r.pareto))
           for r in t.itertuples(index=False)]
    chart = scatter(pts, Axis("mean training seconds per cell (fit + search)", log=log),
                    Axis(d.metric),
                    f"{d.metric} vs training time, fit + search (red: Pareto front)")
    front = t[t["pareto"]].sort_values("train_s")
    cols = ["contender", "train_s", "fit_s", "tune_s", "predict_s", "score"]
    if not has_search(t):
        cols = ["contender", "fit_s", "predict_s", "score"]
    return chart + "<h3>Pareto front</h3>" + table(front, cols)


def problems(d: ReportData) -> str:
    parts = ["<h3>Failures</h3>", table(d.failures) if len(d.failures) else empty("no failed cells"),
             "<h3>Skips</h3>", table(d.skips) if len(d.skips) else empty("no skipped cells")]
    return "".join(parts)


RENDERERS: dict[str, Callable[[ReportData], str]] = {
    "what-ran": what_ran, "summary": summary, "by-ratio": by_ratio, "per-class": per_class,
    "best-sampler": best_sampler, "confusion": confusion, "curves": curves,
    "time-quality": time_quality, "problems": problems}


def render(d: ReportData) -> str:
    """The whole page."""
    title = f"bench report: {d.suite or 'store'} — {d.metric}"
    nav = "".join(f'<a href="#{sid}">{esc(name)}</a>' for sid, name in SECTIONS)
    head = [f"<p>Contender: {esc(' × '.join(d.contender_axes))}; metric {esc(d.metric)} "
            f"({'higher' if d.direction == 'max' else 'lower'} is better)"
            + (f"; filter: {esc(d.where)}" if d.where else "") + ".</p>"]
    body = []
    for sid, name in SECTIONS:
        body.append(f'<section id="{sid}"><h2>{esc(name)}</h2>{RENDERERS[sid](d)}</section>')
    return ("<!DOCTYPE html>\n" + page_head(title, CSS) +
            f"<h1>{esc(title)}</h1><nav>{nav}</nav>{''.join(head)}{''.join(body)}</body></html>\n")
