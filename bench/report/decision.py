"""The decision record of `bench select` as markdown and JSON; computes nothing.

Every value from the store (contender, dataset, class labels, filter values) goes through
`md_text`, so a label `<script>` stays text and `[x](y)` is no link. The output depends only on
the record (no clock, fixed number formats), so the same store gives the same bytes.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from bench.analysis.decision_record import DecisionRecord
from bench.report.markdown import md_table, md_text
from bench.report.summary import has_search


def _f(v: object, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _p(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v):.3g}"  # type: ignore[arg-type]


def _values(values: object) -> str:
    items = list(values) if isinstance(values, (list, tuple)) else [values]
    return ", ".join(md_text(f"{v:g}" if isinstance(v, float) else v) for v in items) or "—"


def _cost_ratio(a: float, b: float) -> str:
    if not (isinstance(a, float) and isinstance(b, float)) or not (a > 0 and b > 0):
        return ""
    return f" (×{a / b:.2g})"


def _training_s(c: dict, search: bool) -> object:
    """Fit seconds, plus the search seconds when some contender searched: a tuned contender's
    fit_s is only its final refit, so comparing fit_s alone would hide its trials."""
    fit = c.get("fit_s")
    if not search or not isinstance(fit, float):
        return fit
    tune = c.get("tune_s")
    return fit + (tune if isinstance(tune, float) and math.isfinite(tune) else 0.0)


def decision_markdown(rec: DecisionRecord) -> str:
    """The record as a markdown document (sections: question, answer, evidence, effect sizes,
    cost, data, caveats, notes)."""
    q, d, t = rec.question, rec.data, rec.test
    arrow = "higher" if q["direction"] == "max" else "lower"
    axes = " × ".join(map(str, q["contender_axes"]))
    tasks = " × ".join(map(str, q["task_axes"])) or "one task (nothing varies)"
    where = q["where"]
    by_label = {c["contender"]: c for c in rec.contenders}
    chosen = by_label[rec.chosen]
    k = len(rec.contenders)
    out = [f"# Decision record: {md_text(rec.chosen)}", ""]

    out += ["## Question", "",
            f"Which {md_text(axes)} should be used, judged by **{md_text(q['metric'])}** "
            f"({arrow} is better) over tasks {md_text(tasks)}?", "",
            "- filters: " + (", ".join(f"{md_text(key)} = {_values(vals)}" for key, vals in
                                       where.items()) if where else "none (every cell)"),
            f"- level: α = {q['alpha']:g}; bootstrap: {q['n_boot']} resamples of tasks, seed "
            f"{q['seed']}",
            f"- choice rule: {md_text(rec.rule)}", ""]

    out += ["## Answer", "",
            f"**{md_text(rec.chosen)}**: mean rank {_f(chosen.get('mean_rank'), 2)} of {k} "
            f"contenders over {t['n_tasks']} complete task(s); mean {md_text(q['metric'])} "
            f"{_f(chosen.get('mean'))} (95% CI {_f(chosen.get('ci_lo'))} – "
            f"{_f(chosen.get('ci_hi'))} over tasks); win rate {_f(chosen.get('win_rate'), 2)}.", ""]
    others = [c for c in rec.not_worse if c != rec.chosen]
    if others:
        out += [f"Not significantly worse than the best-ranked ({md_text(t['against'])}): "
                + ", ".join(md_text(c) for c in others) + ".", ""]
    else:
        out += [f"Every other contender is significantly worse than {md_text(t['against'])}.", ""]

    out += ["## Evidence", "",
            f"Test: {md_text(t['name'])}, α = {t['alpha']:g}, against {md_text(t['against'])}. "
            f"Friedman over all contenders: χ² = {_f(t.get('friedman_stat'), 3)}, "
            f"p = {_p(t.get('friedman_p'))}; Nemenyi critical difference "
            f"{_f(t.get('critical_difference'), 3)} mean-rank units.", ""]
    head = ["#", "contender", "mean rank", f"mean {md_text(q['metric'])} [95% CI]", "win rate",
            "tasks", "failed", "p vs best", "p (Holm)", "not worse"]
    rows = []
    for c in rec.contenders:
        rows.append([str(c.get("position", "")), md_text(c["contender"]),
                     _f(c.get("mean_rank"), 2),
                     f"{_f(c.get('mean'))} [{_f(c.get('ci_lo'))}, {_f(c.get('ci_hi'))}]",
                     _f(c.get("win_rate"), 2), _f(c.get("n_tasks")), _f(c.get("n_failed")),
                     _p(c.get("p_vs_best")), _p(c.get("p_holm_vs_best")),
                     "yes" if c.get("not_worse") else "**no**"])
    out += md_table(head, rows, frozenset({0, 2, 4, 5, 6, 7, 8})) + [""]

    out += ["## Effect sizes", "",
            f"{md_text(rec.chosen)} minus the other, per task over the {t['n_tasks']} complete "
            "task(s): mean difference with a 95% bootstrap CI over tasks, wins / ties / losses, "
            "win rate (ties count half) and the matched-pairs rank-biserial r (1: every task "
            "favours the chosen one, 0: balanced, −1: every task the other).", ""]
    head = ["against", "contender", "mean diff [95% CI]", "wins / ties / losses", "win rate",
            "rank-biserial r", "p", "p (Holm)"]
    rows = [[md_text(e.role), md_text(e.other),
             f"{e.mean_diff:+.4f} [{e.diff_lo:+.4f}, {e.diff_hi:+.4f}]"
             if math.isfinite(e.mean_diff) else "—",
             f"{e.wins} / {e.ties} / {e.losses}", _f(e.win_rate, 2), _f(e.rank_biserial, 2),
             _p(e.p), _p(e.p_holm)] for e in rec.effects]
    out += md_table(head, rows, frozenset({4, 5, 6, 7})) + [""]

    search = has_search(pd.DataFrame(rec.contenders))
    what = ("fit_s, tune_s, predict_s and peak_mb; search s: the hyperparameter search of a tuned "
            "contender, before its final refit; fit + search: the training cost); ×: training "
            "time (fit + search) relative to the chosen contender" if search else
            "fit_s, predict_s and peak_mb); ×: fit time relative to the chosen contender")
    out += ["## Cost", "", f"Mean seconds and peak memory per ok cell (the cells' {what}.", ""]
    shown = [rec.chosen, *[e.other for e in rec.effects]]
    cheapest = t.get("cheapest_not_worse")
    if cheapest and cheapest not in shown and t["n_tasks"] >= 6:
        shown.append(cheapest)
    head = ["contender", "role", "fit s", *(["search s", "fit + search"] if search else []),
            "predict s", "peak MB"]
    roles = {rec.chosen: "chosen", **{e.other: e.role for e in rec.effects}}
    if cheapest:
        roles.setdefault(cheapest, "cheapest not significantly worse")
    rows = []
    for label in shown:
        c = by_label[label]
        ratio = "" if label == rec.chosen else _cost_ratio(_training_s(c, search),
                                                           _training_s(chosen, search))
        if search:
            cost = [_f(c.get("fit_s"), 3), _f(c.get("tune_s"), 3),
                    _f(_training_s(c, search), 3) + ratio]
        else:
            cost = [_f(c.get("fit_s"), 3) + ratio]
        rows.append([md_text(label), md_text(roles.get(label, "")), *cost,
                     _f(c.get("predict_s"), 4), _f(c.get("peak_mb"), 0)])
    out += md_table(head, rows, frozenset(range(2, len(head)))) + [""]

    out += ["## Data", ""]
    if d.get("store") or d.get("suite"):
        out.append(f"- source: store {md_text(d.get('store', '—'))}, suite "
                   f"{md_text(d.get('suite', '—'))}")
    out += [f"- tasks: {d['n_tasks']} ({d['n_complete_tasks']} complete: every contender scored), "
            f"{d['folds_per_task']} repeat × fold unit(s) per task, "
            f"{d['n_contenders']} contenders",
            f"- datasets ({len(d['datasets'])}): {_values(d['datasets'])}",
            f"- imbalance ratios: {_values(d['ratios'])}; profiles: {_values(d['profiles'])}; "
            f"test priors: {_values(d['test_priors'])}; minority: {_values(d['minorities'])}",
            f"- cells: {d['n_cells']} ({d['n_ok']} ok, {d['n_failed']} failed, "
            f"{d['n_skipped']} skipped)"]
    if d.get("pooled_axes"):
        out.append(f"- averaged into each task: {_values(d['pooled_axes'])}")
    prov = [f"{key.replace('_', ' ')} {_values(d[key])}"
            for key in ("harness_version", "protocol_version", "git_sha") if d.get(key)]
    if prov:
        out.append("- written by: " + "; ".join(prov))
    out.append("")

    out += ["## Caveats", ""]
    out += [f"- **{md_text(c.code.replace('_', ' '))}**: {md_text(c.text)}" for c in rec.caveats] \
        or ["- none found"]
    if rec.notes:
        out += ["", "## Notes", ""] + [f"- {md_text(n)}" for n in rec.notes]
    return "\n".join(out) + "\n"


def decision_json(rec: DecisionRecord) -> str:
    """Every number of the record as strict JSON (NaN is null), in a fixed key order."""
    return json.dumps(rec.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
