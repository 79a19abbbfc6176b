"""The `bench inspect` page: one self-contained HTML file drawn from `Inspection`s.

Same conventions as the report (`bench.report.html`): inline SVG and inline style, no script,
no network resource; every name from the data (dataset, class label, feature, verdict text)
passes through `esc`, so a label `<script>` is shown, never run. Per inspected table: the
verdicts, a per-class table (counts, neighbours, recall ceiling), the overlap matrix as a
heatmap, the ceilings as bars with their 95% intervals, the 2-D projection coloured by class,
and the most separating features. Draws only; `bench.inspect` computes.
"""

from __future__ import annotations

import math

from bench.inspect.result import Inspection
from bench.report.page import BASE_CSS, page_head
from bench.report.svg import PALETTE, esc, grid_chart, heat_colour, nice_ticks, num, svg, text

CSS = BASE_CSS + """.charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}.note{color:#666;font-size:12px}
ul.verdicts li{margin:.3em 0}.v-overlapping{color:#b00020}.v-too_few,.v-partial_overlap{color:#a15c00}
.v-separable,.v-rare_separable{color:#11703a}nav a{margin-right:1em;font-size:13px}
"""
SEPARABILITY_ROWS = 10


def colour(code: int) -> str:
    return PALETTE[code % len(PALETTE)]


def _f(v: float, digits: int = 2) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.{digits}f}"


def _pct(v: float) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.0%}"


def projection_svg(ins: Inspection, width: float = 460, height: float = 400) -> str:
    """The sample's 2-D projection, one colour per class, a legend with the class labels."""
    p = ins.projection
    title = f"{ins.title}: {p.method.upper() if p else 'no'} projection"
    if p is None or len(p.xy) == 0:
        return svg(width, 40, [text(4, 20, "no projection")], title)
    left, right, top = 40, width - 10, 22
    legend_h = 15 * min(len(ins.labels), 12)
    bottom = height - 34 - legend_h
    xs, ys = p.xy[:, 0], p.xy[:, 1]
    ok = [i for i in range(len(xs)) if math.isfinite(xs[i]) and math.isfinite(ys[i])]

    def scale(vals: list[float], a: float, b: float):  # noqa: ANN202
        lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        return lambda v: a + (v - lo) / (hi - lo) * (b - a)

    fx = scale([float(xs[i]) for i in ok], left + 4, right - 4)
    fy = scale([float(ys[i]) for i in ok], bottom - 4, top + 4)
    body = [text(left, 14, title, extra=' font-weight="bold"'),
            f'<rect x="{num(left)}" y="{num(top)}" width="{num(right - left)}" '
            f'height="{num(bottom - top)}" fill="none" stroke="#999"/>',
            text((left + right) / 2, bottom + 14, p.axis_names[0], "middle"),
            text(12, (top + bottom) / 2, p.axis_names[1], "middle",
                 f' transform="rotate(-90 12 {num((top + bottom) / 2)})"')]
    # the largest classes first, so a rare class is drawn on top and stays visible
    order = sorted(ok, key=lambda i: -ins.classes[int(p.codes[i])].count)
    for i in order:
        c = int(p.codes[i])
        body.append(f'<circle cx="{num(fx(float(xs[i])))}" cy="{num(fy(float(ys[i])))}" r="2.2" '
                    f'fill="{colour(c)}" fill-opacity="0.7"/>')
    for j, ci in enumerate(ins.classes[:12]):
        y = bottom + 30 + j * 15
        body.append(f'<circle cx="{num(left + 6)}" cy="{num(y - 4)}" r="4" fill="{colour(ci.code)}"/>')
        body.append(text(left + 16, y, f"{ci.label} ({ci.count:,} rows)"))
    if len(ins.classes) > 12:
        body.append(text(right, bottom + 30, f"+{len(ins.classes) - 12} more classes", "end"))
    return svg(width, height, body, title)


def ceiling_svg(ins: Inspection, width: float = 420) -> str:
    """Per-class recall ceiling as bars with their 95% bootstrap intervals."""
    title = f"{ins.title}: recall ceiling per class"
    label_w, bar_h, top = 150, 18, 34
    height = top + bar_h * len(ins.classes) + 30
    x0, x1 = label_w, width - 16

    def fx(v: float) -> float:
        return x0 + min(max(v, 0.0), 1.0) * (x1 - x0)

    body = [text(4, 14, title, extra=' font-weight="bold"')]
    for t in nice_ticks(0.0, 1.0):
        body.append(f'<line x1="{num(fx(t))}" y1="{num(top - 4)}" x2="{num(fx(t))}" '
                    f'y2="{num(height - 26)}" stroke="#eee"/>')
        body.append(text(fx(t), height - 12, f"{t:g}", "middle"))
    for j, c in enumerate(ins.classes):
        y = top + j * bar_h
        label = c.label if len(c.label) <= 22 else c.label[:21] + "…"
        body.append(text(label_w - 6, y + bar_h / 2 + 4, label, "end"))
        if not math.isfinite(c.ceiling):
            body.append(text(x0 + 4, y + bar_h / 2 + 4, "n/a"))
            continue
        body.append(f'<rect x="{num(x0)}" y="{num(y + 3)}" width="{num(fx(c.ceiling) - x0)}" '
                    f'height="{num(bar_h - 6)}" fill="{colour(c.code)}">'
                    f"<title>{esc(c.label)}: {_f(c.ceiling)} [{_f(c.ceiling_lo)}, "
                    f"{_f(c.ceiling_hi)}]</title></rect>")
        if math.isfinite(c.ceiling_lo) and math.isfinite(c.ceiling_hi):
            body.append(f'<line x1="{num(fx(c.ceiling_lo))}" y1="{num(y + bar_h / 2)}" '
                        f'x2="{num(fx(c.ceiling_hi))}" y2="{num(y + bar_h / 2)}" stroke="#222" '
                        'stroke-width="1.5"/>')
    return svg(width, height, body, title)


def overlap_svg(ins: Inspection) -> str:
    labels = ins.labels
    cells = {(i, j): (heat_colour(float(ins.overlap[i, j])), _pct(float(ins.overlap[i, j])),
                      f"{labels[i]} -> {labels[j]}: {_pct(float(ins.overlap[i, j]))} of "
                      "neighbours")
             for i in range(len(labels)) for j in range(len(labels))}
    return grid_chart(labels, labels, cells, f"{ins.title}: k-NN neighbours (k = {ins.k})",
                      "class of the row", "class of its neighbours", cell_w=64, label_w=120)


def class_table(ins: Inspection) -> str:
    head = ("<tr><th>class</th><th>rows</th><th>share</th><th>sampled</th>"
            "<th>own neighbours</th><th>recall ceiling</th><th>95% interval</th>"
            "<th>verdict</th></tr>")
    total = sum(ins.counts)
    rows = []
    for c in ins.classes:
        rows.append(
            f"<tr><td>{esc(c.label)}</td><td class=num>{c.count:,}</td>"
            f"<td class=num>{_pct(c.count / total)}</td><td class=num>{c.n_sampled:,}</td>"
            f"<td class=num>{_pct(c.own_share)}</td>"
            f"<td class=num>{_f(c.ceiling)} ± {_f(c.ceiling_sd)}</td>"
            f"<td class=num>[{_f(c.ceiling_lo)}, {_f(c.ceiling_hi)}]</td>"
            f"<td class=\"v-{esc(c.verdict)}\">{esc(c.verdict)}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def separability_table(ins: Inspection) -> str:
    top = ins.separability.head(SEPARABILITY_ROWS)
    rows = "".join(f"<tr><td>{esc(r.feature)}</td><td class=num>{_f(float(r.fisher), 3)}</td>"
                   f"<td class=num>{_f(float(r.mutual_info), 3)}</td></tr>"
                   for r in top.itertuples(index=False))
    return ("<table><tr><th>feature</th><th>Fisher ratio</th><th>mutual information (nats)</th>"
            f"</tr>{rows}</table>")


def section(ins: Inspection, anchor: str) -> str:
    verdicts = "".join(f'<li class="v-{esc(c.verdict)}">{esc(c.message)}</li>'
                       for c in ins.classes)
    notes = "".join(f'<p class="note">{esc(n)}</p>' for n in ins.notes)
    return (
        f'<h2 id="{anchor}">{esc(ins.title)}</h2>'
        f"<p>{ins.n_rows:,} rows, {ins.n_features} encoded features, {len(ins.labels)} classes; "
        f"imbalance ratio {ins.imbalance_ratio:.3g} (largest over smallest class); Bayes error "
        f"estimate {_f(ins.bayes_error, 3)} [{_f(ins.bayes_error_lo, 3)}, "
        f"{_f(ins.bayes_error_hi, 3)}].</p>{notes}"
        f'<ul class="verdicts">{verdicts}</ul>{class_table(ins)}'
        f'<div class="charts">{projection_svg(ins)}{ceiling_svg(ins)}{overlap_svg(ins)}</div>'
        f"<h3>Most separating features</h3>{separability_table(ins)}")


def inspect_html(inspections: list[Inspection], title: str = "bench inspect") -> str:
    """The whole page."""
    nav = "".join(f'<a href="#t{i}">{esc(ins.title)}</a>' for i, ins in enumerate(inspections))
    body = "".join(section(ins, f"t{i}") for i, ins in enumerate(inspections))
    method = inspections[0].ceiling_method if inspections else ""
    intro = (
        "<p class=note>Rare, or inseparable? Per table: k-NN class overlap on standardized "
        "features (share of each class's rows' nearest neighbours in each class), a recall "
        f"ceiling per class and a Bayes error estimate ({esc(method)}: out-of-bag argmax on the "
        "sample; ± is the bootstrap standard error, the interval its 95% percentile interval), "
        "per-feature separability and a 2-D projection of a stratified sample.</p>")
    return ("<!DOCTYPE html>" + page_head(title, CSS) +
            f"<h1>{esc(title)}</h1>{intro}<nav>{nav}</nav>{body}</body></html>")
