"""Charts as inline SVG strings, hand-written: line charts with bands, heatmaps, scatter plots with
a front, critical-difference diagrams.

Why by hand: the report must be one offline file whose bytes depend only on the store; a few
hundred lines of SVG give exact control of that (no ids, no fonts, no timestamps) and of escaping:
every name passes through `esc` before it reaches the markup, in text and in `<title>` tooltips.
These functions draw what they are given and compute nothing but coordinates.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Okabe-Ito and Tableau colours: distinguishable, also for colour-blind readers; dashes repeat
# the distinction after the colours run out.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#7f7f7f",
           "#8c564b", "#bcbd22", "#17becf")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
FONT = 'font-family="sans-serif" font-size="11"'


def esc(value: object) -> str:
    """Any value as literal SVG/HTML text (quotes included: safe in attributes too)."""
    return html.escape(str(value), quote=True)


def num(x: float) -> str:
    """A coordinate with two decimals: short and byte-stable."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def fmt(v: float, digits: int = 3) -> str:
    """A value for a label or tooltip ('n/a' for NaN)."""
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.{digits}g}"


def style(i: int) -> tuple[str, str]:
    """(colour, dash pattern) of the i-th series."""
    return PALETTE[i % len(PALETTE)], DASHES[(i // len(PALETTE)) % len(DASHES)]


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About n round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else [0.0]
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        if t >= lo - step * 1e-9:
            ticks.append(round(t, 12))
        t += step
    return ticks


def log_ticks(lo: float, hi: float) -> list[float]:
    """1, 2, 5 x powers of ten within [lo, hi] (only the powers when that is more than 8)."""
    if not (lo > 0 and hi > 0):
        return []
    out = [m * 10.0 ** e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
           for m in (1, 2, 5)]
    out = [t for t in out if lo <= t <= hi]
    return out if len(out) <= 8 else [t for t in out if math.log10(t).is_integer()]


def svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg role="img" width="{num(width)}" '
            f'height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" {FONT}>'
            f"<title>{esc(title)}</title>" + "".join(body) + "</svg>")


def text(x: float, y: float, value: object, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{extra}>'
            f"{esc(value)}</text>")


@dataclass
class Series:
    """One line: points (x, y) and an optional band (lo, hi) per point."""

    name: str
    x: Sequence[float]
    y: Sequence[float]
    lo: Sequence[float] | None = None
    hi: Sequence[float] | None = None
    dash: str | None = None  # overrides the palette's dash (e.g. validation vs train)
    colour: str | None = None


@dataclass
class Axis:
    label: str
    log: bool = False
    ticks: Sequence[float] | None = None  # explicit tick values (e.g. the ratios that ran)
    lo: float | None = None
    hi: float | None = None
    fixed: dict = field(default_factory=dict)


def _scale(values: list[float], axis: Axis, a: float, b: float):  # noqa: ANN202
    vals = [v for v in values if v is not None and math.isfinite(v) and (v > 0 or not axis.log)]
    f = (lambda v: math.log10(v)) if axis.log else (lambda v: v)
    lo = axis.lo if axis.lo is not None else (min(vals) if vals else 0.0)
    hi = axis.hi if axis.hi is not None else (max(vals) if vals else 1.0)
    flo, fhi = f(lo), f(hi)
    if fhi - flo < 1e-12:
        flo, fhi = flo - 0.5, fhi + 0.5
    pad = 0.0 if axis.lo is not None else (fhi - flo) * 0.04
    flo, fhi = flo - pad, fhi + pad

    def to(v: float) -> float:
        return a + (f(v) - flo) / (fhi - flo) * (b - a)

    ticks = list(axis.ticks) if axis.ticks is not None else (
        log_ticks(lo, hi) if axis.log else nice_ticks(lo, hi))
    return to, [t for t in ticks if (t > 0 or not axis.log)]


def _frame(title: str, box: tuple[float, float, float, float], height: float,
           x: tuple[Callable[[float], float], list[float]],
           y: tuple[Callable[[float], float], list[float]], labels: tuple[str, str],
           x_marks: bool) -> list[str]:
    """The plot area of an x-y chart: bold title, the frame, tick labels (and, with `x_marks`,
    tick marks below the x axis), horizontal grid lines and both axis labels."""
    left, right, top, bottom = box
    (fx, xticks), (fy, yticks) = x, y
    body = [text(left, 14, title, extra=' font-weight="bold"'),
            f'<rect x="{num(left)}" y="{num(top)}" width="{num(right - left)}" '
            f'height="{num(bottom - top)}" fill="none" stroke="#999"/>']
    for t in xticks:
        if x_marks:
            body.append(f'<line x1="{num(fx(t))}" y1="{num(bottom)}" x2="{num(fx(t))}" '
                        f'y2="{num(bottom + 4)}" stroke="#999"/>')
        body.append(text(fx(t), bottom + 15, f"{t:g}", "middle"))
    for t in yticks:
        body.append(f'<line x1="{num(left)}" y1="{num(fy(t))}" x2="{num(right)}" '
                    f'y2="{num(fy(t))}" stroke="#eee"/>')
        body.append(text(left - 4, fy(t) + 4, f"{t:g}", "end"))
    body.append(text((left + right) / 2, height - 6, labels[0], "middle"))
    body.append(text(12, (top + bottom) / 2, labels[1], "middle",
                     f' transform="rotate(-90 12 {num((top + bottom) / 2)})"'))
    return body


def legend(names: Sequence[str], styles: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for i, (name, (colour, dash)) in enumerate(zip(names, styles)):
        yy = y + i * 15
        out.append(f'<line x1="{num(x)}" y1="{num(yy)}" x2="{num(x + 18)}" y2="{num(yy)}" '
                   f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        out.append(text(x + 23, yy + 4, name))
    return out


def line_chart(series: Sequence[Series], x_axis: Axis, y_axis: Axis, title: str,
               width: float = 420, height: float = 260, hlines: Sequence[tuple[float, str]] = (),
               legend_width: float = 0) -> str:
    """Lines with optional shaded intervals; `hlines` are labelled horizontal reference lines
    (e.g. a recall ceiling)."""
    left, right, top, bottom = 48, width - 12 - legend_width, 22, height - 36
    xs = [v for s in series for v in s.x]
    ys = [v for s in series for v in (*s.y, *(s.lo or ()), *(s.hi or ()))] + [v for v, _ in hlines]
    fx, xticks = _scale(xs, x_axis, left, right)
    fy, yticks = _scale(ys, y_axis, bottom, top)
    body = _frame(title, (left, right, top, bottom), height, (fx, xticks), (fy, yticks),
                  (x_axis.label, y_axis.label), x_marks=True)
    for value, label in hlines:
        if math.isfinite(value):
            body.append(f'<line x1="{num(left)}" y1="{num(fy(value))}" x2="{num(right)}" '
                        f'y2="{num(fy(value))}" stroke="#b00" stroke-dasharray="4 2"/>')
            body.append(text(right - 2, fy(value) - 3, label, "end", ' fill="#b00"'))
    styles = []

    def clip(v: float) -> float:  # keep intervals inside a fixed axis (recall in [0, 1])
        if v is None or not math.isfinite(v):
            return v
        v = max(v, y_axis.lo) if y_axis.lo is not None else v
        return min(v, y_axis.hi) if y_axis.hi is not None else v

    for i, s in enumerate(series):
        colour, dash = style(i)
        colour, dash = s.colour or colour, dash if s.dash is None else s.dash
        styles.append((colour, dash))
        pts = [(fx(x), fy(y)) for x, y in zip(s.x, s.y) if _finite(x, y, x_axis)]
        if s.lo is not None and s.hi is not None:
            band = [(x, clip(lo), clip(hi)) for x, lo, hi in zip(s.x, s.lo, s.hi)
                    if _finite(x, lo, x_axis) and math.isfinite(hi)]
            if len(band) > 1:
                poly = [f"{num(fx(x))},{num(fy(hi))}" for x, _, hi in band] + [
                    f"{num(fx(x))},{num(fy(lo))}" for x, lo, _ in reversed(band)]
                body.append(f'<polygon points="{" ".join(poly)}" fill="{colour}" '
                            f'fill-opacity="0.08" stroke="none"/>')
            for x, lo, hi in band:
                body.append(f'<line x1="{num(fx(x))}" y1="{num(fy(lo))}" x2="{num(fx(x))}" '
                            f'y2="{num(fy(hi))}" stroke="{colour}" stroke-opacity="0.6"/>')
        if len(pts) > 1:
            body.append(f'<polyline points="{" ".join(f"{num(a)},{num(b)}" for a, b in pts)}" '
                        f'fill="none" stroke="{colour}" stroke-width="1.8" '
                        f'stroke-dasharray="{dash}"><title>{esc(s.name)}</title></polyline>')
        for (a, b), x, y in zip(pts, [x for x, y in zip(s.x, s.y) if _finite(x, y, x_axis)],
                                [y for x, y in zip(s.x, s.y) if _finite(x, y, x_axis)]):
            if len(pts) <= 30:
                body.append(f'<circle cx="{num(a)}" cy="{num(b)}" r="2.5" fill="{colour}">'
                            f"<title>{esc(s.name)}: {fmt(x)} → {fmt(y)}</title></circle>")
    if legend_width:
        body += legend([s.name for s in series], styles, right + 10, top + 6)
    return svg(width, height, body, title)


def _finite(x: float, y: float, axis: Axis) -> bool:
    ok = x is not None and y is not None and math.isfinite(x) and math.isfinite(y)
    return ok and (x > 0 or not axis.log)


def heat_colour(v: float) -> str:
    """0 -> white, 1 -> dark blue (NaN: grey)."""
    if v is None or not math.isfinite(v):
        return "#dddddd"
    v = min(max(v, 0.0), 1.0)
    r, g, b = (int(255 + (c - 255) * v) for c in (8, 69, 148))
    return f"#{r:02x}{g:02x}{b:02x}"


def grid_chart(rows: Sequence[str], cols: Sequence[str], cells: dict[tuple[int, int], tuple[str, str, str]],
               title: str, row_label: str, col_label: str, cell_w: float = 110,
               cell_h: float = 26, label_w: float = 220) -> str:
    """A table of coloured cells: `cells[(i, j)] = (fill, text, tooltip)`; the heatmap and the
    confusion matrix."""
    top = 44
    width = label_w + cell_w * len(cols) + 10
    height = top + cell_h * len(rows) + 10
    body = [text(4, 14, title, extra=' font-weight="bold"'),
            text(label_w + cell_w * len(cols) / 2, 28, col_label, "middle", ' font-style="italic"'),
            text(4, 28, row_label, extra=' font-style="italic"')]
    for j, c in enumerate(cols):
        body.append(text(label_w + cell_w * (j + 0.5), top - 4, _short(c, cell_w), "middle"))
    for i, r in enumerate(rows):
        y = top + i * cell_h
        body.append(text(label_w - 6, y + cell_h / 2 + 4, _short(r, label_w), "end"))
        for j in range(len(cols)):
            fill, label, tip = cells.get((i, j), ("#ffffff", "", ""))
            x = label_w + j * cell_w
            dark = fill.startswith("#") and len(fill) == 7 and int(fill[1:3], 16) < 120
            body.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(cell_w)}" '
                        f'height="{num(cell_h)}" fill="{fill}" stroke="#fff">'
                        f"<title>{esc(tip)}</title></rect>")
            body.append(text(x + cell_w / 2, y + cell_h / 2 + 4, _short(label, cell_w), "middle",
                             ' fill="#fff"' if dark else ""))
    return svg(width, height, body, title)


def _short(value: object, width: float) -> str:
    """Cut a label to what fits in `width` pixels (about 6 px a character); full text in tooltips."""
    s = str(value)
    n = max(int(width / 6.2), 4)
    return s if len(s) <= n else s[: n - 1] + "…"


def scatter(points: Sequence[tuple[str, float, float, bool]], x_axis: Axis, y_axis: Axis,
            title: str, width: float = 720, height: float = 340) -> str:
    """Points (name, x, y, on_front); the front is joined by a line and its points labelled."""
    left, right, top, bottom = 52, width - 14, 22, height - 36
    fx, xticks = _scale([p[1] for p in points], x_axis, left, right)
    fy, yticks = _scale([p[2] for p in points], y_axis, bottom, top)
    body = _frame(title, (left, right, top, bottom), height, (fx, xticks), (fy, yticks),
                  (x_axis.label, y_axis.label), x_marks=False)
    ok = [p for p in points if _finite(p[1], p[2], x_axis)]
    front = sorted((p for p in ok if p[3]), key=lambda p: p[1])
    if len(front) > 1:
        body.append('<polyline points="' + " ".join(f"{num(fx(p[1]))},{num(fy(p[2]))}"
                                                      for p in front)
                    + '" fill="none" stroke="#d55e00" stroke-width="1.5"/>')
    staggered = {id(p): k for k, p in enumerate(front)}  # alternate labels above / below
    for point in ok:
        name, x, y, on = point
        colour = "#d55e00" if on else "#0072b2"
        body.append(f'<circle cx="{num(fx(x))}" cy="{num(fy(y))}" r="{4 if on else 3}" '
                    f'fill="{colour}"><title>{esc(name)}: {fmt(x)} s, {fmt(y)}</title></circle>')
        if on:
            right_half = fx(x) > (left + right) / 2
            dy = -6 if staggered.get(id(point), 0) % 2 == 0 else 14
            body.append(text(fx(x) + (-6 if right_half else 6), fy(y) + dy, _short(name, 260),
                             "end" if right_half else "start", ' fill="#d55e00"'))
    return svg(width, height, body, title)


def cd_diagram(names: Sequence[str], ranks: Sequence[float], cd: float,
               groups: Sequence[tuple[int, int]], title: str, width: float = 860) -> str:
    """Critical-difference diagram (Demšar 2006): contenders on a mean-rank axis (1 = best, at
    the left), bars joining groups (index ranges into the rank-sorted names) that are not
    significantly different, and the CD as a ruler."""
    k = len(names)
    order = sorted(range(k), key=lambda i: (ranks[i], names[i]))
    half = (k + 1) // 2
    left, right, axis_y = 260, width - 260, 64
    # The axis covers the ranks that occur (whole numbers around them), not always 1..k: with
    # many contenders the ranks crowd in the middle and would be unreadable on the full axis.
    finite = [r for r in ranks if math.isfinite(r)] or [1.0, 2.0]
    lo_r, hi_r = float(math.floor(min(finite))), float(math.ceil(max(finite)))
    if math.isfinite(cd) and cd > 0:  # room for the CD ruler, within the ranks 1..k
        hi_r = max(hi_r, min(lo_r + math.ceil(cd), float(max(k, 2))))
    if hi_r - lo_r < 1:
        hi_r = lo_r + 1
    step = next(s for s in (1, 2, 5, 10, 20, 50) if (hi_r - lo_r) / s <= 12)

    def fx(r: float) -> float:
        return left + (r - lo_r) / (hi_r - lo_r) * (right - left)

    row_h = 16
    height = axis_y + 30 + max(half, k - half) * row_h + len(groups) * 6 + 20
    body = [text(4, 14, title, extra=' font-weight="bold"'),
            f'<line x1="{num(fx(lo_r))}" y1="{num(axis_y)}" x2="{num(fx(hi_r))}" '
            f'y2="{num(axis_y)}" stroke="#333"/>']
    for r in range(int(lo_r), int(hi_r) + 1, step):
        body.append(f'<line x1="{num(fx(r))}" y1="{num(axis_y - 4)}" x2="{num(fx(r))}" '
                    f'y2="{num(axis_y)}" stroke="#333"/>')
        body.append(text(fx(r), axis_y - 7, r, "middle"))
    if math.isfinite(cd) and cd > 0:
        x0 = fx(lo_r)
        body.append(f'<line x1="{num(x0)}" y1="30" x2="{num(min(fx(lo_r + cd), fx(hi_r)))}" '
                    f'y2="30" stroke="#b00" stroke-width="2"/>')
        body.append(text(x0, 26, f"CD = {cd:.3g}", extra=' fill="#b00"'))
    gy = axis_y + 10
    for a, b in groups:
        body.append(f'<line x1="{num(fx(ranks[order[a]]) - 3)}" y1="{num(gy)}" '
                    f'x2="{num(fx(ranks[order[b]]) + 3)}" y2="{num(gy)}" stroke="#000" '
                    f'stroke-width="3"/>')
        gy += 6
    base = gy + 12
    for pos, i in enumerate(order):
        x = fx(ranks[i])
        if pos < half:
            y, x_end, anchor = base + pos * row_h, left - 10, "end"
        else:
            y, x_end, anchor = base + (k - 1 - pos) * row_h, right + 10, "start"
        body.append(f'<polyline points="{num(x)},{num(axis_y)} {num(x)},{num(y)} '
                    f'{num(x_end)},{num(y)}" fill="none" stroke="#555"/>')
        label = f"{_short(names[i], 200)} ({ranks[i]:.2f})"
        body.append(text(x_end + (-3 if anchor == "end" else 3), y + 4, label, anchor)
                    .replace("</text>", f"<title>{esc(names[i])}</title></text>"))
    return svg(width, height, body, title)
