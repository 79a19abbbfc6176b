"""Compare two result stores: the CI regression gate behind `bench compare`.

Why: every change to a harness or to a model's defaults can silently move quality. A committed
baseline store and a fresh run of the same suite are compared configuration by configuration,
with a practical tolerance *and* a paired test, so that noise does not fail CI and real drift
does.

Matching. Cells are matched by `cell_id`. `cell_id` hashes the protocol version, so after a
protocol change nothing would match by id; cells left unmatched are therefore matched again by
their definition (`cell_json`, which does not contain the protocol version). A pair whose
protocol version or dataset fingerprint differs is `not comparable` (the test rows are not the
same), with the reason; it is never reported as missing. Library versions are *not* part of the
identity: a comparison across an upgrade is made and the version change is shown beside the
configurations it touches.

Aggregation. A configuration is a cell definition without `repeat` and `fold`. Its pairs are the
(repeat, fold) cells present in both stores; a metric is compared on the pairs where both cells
are `ok` and both values are finite.

Marks (one per configuration, the first that applies):

- ``not comparable``: a pair differs in protocol version or dataset fingerprint (reason given).
- ``new failure``: a cell that was ok (or absent / skipped) in the baseline failed now.
- ``worse``: some metric got worse (see below).
- ``missing``: a baseline cell has no counterpart (or was skipped) in the current store.
- ``fixed``: a cell that failed in the baseline is ok now.
- ``better``: some metric got better, none got worse.
- ``new``: only in the current store, and ok.
- ``unchanged``: none of the above (failing in both, or skipped in both, counts as unchanged).

Worse / better, per metric. ``change = sign * (current - baseline)`` per pair, with ``sign``
from the metric registry's direction (+1 for "max", -1 for "min"), so a positive change is
always an improvement. A metric is *worse* when the mean change is below ``-tolerance``
(default 0.01, absolute, in the metric's units) **and** a one-sided Wilcoxon signed-rank test
over the pairs (zero differences split, ``zero_method="zsplit"``) gives p < alpha (default 0.05).
An exact one-sided Wilcoxon test on n pairs cannot go below p = 2**-n, so with fewer than
``min_pairs(alpha)`` pairs (5 for alpha = 0.05) it could never reject: then the tolerance alone
decides and the output says so ("tolerance only"). *Better* is the mirror image.

Runtime. Ratios current / baseline of the mean fit and predict times over the paired ok cells
are reported for every configuration; they gate only when ``max_slowdown`` is given (shared CI
machines are noisy), and only where the mean time grew by more than ``time_floor_s`` as well.

The outcome: `Comparison.exit_code` is 1 when a gated category is non-empty (by default
``worse`` and ``new failure``; ``missing`` and ``not comparable`` can be added; ``slower`` when
``max_slowdown`` is set), else 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bench.analysis.compare_notes import comparison_notes
from bench.analysis.matching import (
    CONFIG_AXES,
    _library,
    _values,
    match,
    prepare_cells,
    touches,
    version_columns,
)
from bench.analysis.paired import mean_ratio, min_pairs, paired_test
from bench.core.ids import digest

DEFAULT_TOLERANCE = 0.01
DEFAULT_ALPHA = 0.05
DEFAULT_TIME_FLOOR_S = 0.05
# Priority order: a configuration gets the first mark that applies.
MARKS = ("not comparable", "new failure", "worse", "missing", "fixed", "better", "new",
         "unchanged")
GATES = ("worse", "new failure", "missing", "not comparable", "slower")
DEFAULT_FAIL_ON = ("worse", "new failure")


@dataclass
class Comparison:
    """What `compare` returns: frames to render plus the gate's verdict."""

    configs: pd.DataFrame          # one row per configuration
    metrics: pd.DataFrame          # one row per configuration x metric with paired data
    versions: pd.DataFrame         # library, baseline, current, changed, n_configs touched
    metric_names: list[str]
    directions: dict[str, str]
    tolerance: dict[str, float]
    alpha: float
    min_pairs: int
    fail_on: tuple[str, ...]
    max_slowdown: float | None
    # category -> [(config id, description)], in GATES order
    gates: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    baseline_name: str = "baseline"
    current_name: str = "current"

    @property
    def failed_gates(self) -> dict[str, list[tuple[str, str]]]:
        return {k: v for k, v in self.gates.items() if k in self.fail_on and v}

    @property
    def exit_code(self) -> int:
        return 1 if self.failed_gates else 0

    @property
    def counts(self) -> dict[str, int]:
        if self.configs.empty:
            return {}
        vc = self.configs["mark"].value_counts()
        return {m: int(vc[m]) for m in MARKS if m in vc}

    @property
    def label_axes(self) -> list[str]:
        return list(self.configs.attrs.get("label_axes", ["dataset", "model"]))


def _fmt_num(v: float) -> str:
    return "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4f}"


def _label(row: Mapping, axes: Sequence[str]) -> str:
    parts = []
    for a in axes:
        v = row.get(a, "")
        if a == "ratio":
            try:
                v = f"{float(v):g}"
            except (TypeError, ValueError):
                pass
        parts.append(f"{a}={v}")
    return " ".join(parts)


def _thread_change(base: pd.DataFrame, cur: pd.DataFrame) -> str:
    """"1 → 16" when the paired rows ran with different thread budgets, else "" (also when
    either side did not record it: rows before schema 3)."""
    if "n_threads" not in base or "n_threads" not in cur:
        return ""
    b = sorted({int(v) for v in pd.to_numeric(base["n_threads"], errors="coerce").dropna()})
    c = sorted({int(v) for v in pd.to_numeric(cur["n_threads"], errors="coerce").dropna()})
    if not b or not c or b == c:
        return ""
    return f"{'/'.join(map(str, b))} → {'/'.join(map(str, c))}"


def compare(baseline: pd.DataFrame, current: pd.DataFrame, metrics: Sequence[str], *,
            tolerance: float | Mapping[str, float] = DEFAULT_TOLERANCE,
            alpha: float = DEFAULT_ALPHA,
            directions: Mapping[str, str] | None = None,
            fail_on: Iterable[str] = DEFAULT_FAIL_ON,
            max_slowdown: float | None = None,
            time_floor_s: float = DEFAULT_TIME_FLOOR_S) -> Comparison:
    """Compare two `cells` tables (see the module docstring for the exact semantics)."""
    metrics = list(dict.fromkeys(metrics))
    if not metrics:
        raise ValueError("at least one metric is needed")
    dirs = dict(directions or {})
    for m in metrics:
        if m not in dirs:
            from bench.metrics import get_metric

            dirs[m] = get_metric(m).direction
        if dirs[m] not in ("max", "min"):
            raise ValueError(f"metric {m!r}: direction must be 'max' or 'min', got {dirs[m]!r}")
    for name, df in (("baseline", baseline), ("current", current)):
        absent = [m for m in metrics if m not in df.columns]
        if absent:
            raise KeyError(f"metric(s) {', '.join(absent)} not in the {name} store")
    if isinstance(tolerance, Mapping):  # per metric; key "*" is the default for the others
        fallback = tolerance.get("*", DEFAULT_TOLERANCE)
        tol = {m: float(tolerance.get(m, fallback)) for m in metrics}
    else:
        tol = {m: float(tolerance) for m in metrics}
    if any(t < 0 for t in tol.values()):
        raise ValueError("tolerance must be >= 0")
    fail_on = tuple(dict.fromkeys(fail_on))
    unknown = [g for g in fail_on if g not in GATES]
    if unknown:
        raise ValueError(f"unknown gate(s) {unknown}; allowed: {', '.join(GATES)}")
    if max_slowdown is not None:
        if not max_slowdown > 0:
            raise ValueError(f"max_slowdown must be > 0, got {max_slowdown}")
        fail_on = (*fail_on, "slower") if "slower" not in fail_on else fail_on
    need = min_pairs(alpha)

    base, stale_b = prepare_cells(baseline)
    cur, stale_c = prepare_cells(current)
    pairs = match(base, cur)
    vcols = version_columns(base, cur)

    # Which configurations show in labels: axes that vary over both stores, plus dataset, model.
    both = pd.concat([base[[a for a in CONFIG_AXES if a in base]],
                      cur[[a for a in CONFIG_AXES if a in cur]]], ignore_index=True)
    label_axes = [a for a in CONFIG_AXES if a in both and (
        a in ("dataset", "model") or both[a].astype(str).nunique() > 1)]

    config_rows: list[dict] = []
    metric_rows: list[dict] = []
    gates: dict[str, list[tuple[str, str]]] = {g: [] for g in GATES}
    groups = []
    for config, g in pairs.groupby("_config", sort=False):
        bi = g.loc[g["b"] >= 0, "b"].to_numpy()
        ci = g.loc[g["c"] >= 0, "c"].to_numpy()
        b_rows, c_rows = base.iloc[bi], cur.iloc[ci]
        show = (b_rows if len(b_rows) else c_rows).iloc[0].to_dict()
        groups.append((config, g, b_rows, c_rows, show, _label(show, label_axes)))
    seen = pd.Series([grp[5] for grp in groups]).value_counts()
    for config, g, b_rows, c_rows, show, label in groups:
        if seen.get(label, 0) > 1:  # same visible axes, different hidden parameters
            label = f"{label} [{digest(config)[:10]}]"
        kinds = g["kind"].value_counts().to_dict()
        row: dict = {a: show.get(a, "") for a in CONFIG_AXES}
        row["family"] = show.get("family", "")
        row["config"] = digest(config)[:10]
        row["label"] = label
        row["n_baseline"] = len(b_rows)
        row["n_current"] = len(c_rows)
        for k in ("paired", "new failure", "fixed", "missing", "new", "still failing",
                  "skipped", "not comparable"):
            row[f"n_{k.replace(' ', '_')}"] = int(kinds.get(k, 0))
        notes: list[str] = []

        # Library versions that differ and touch this configuration.
        changes = []
        for col in vcols:
            bv, cv = _values(b_rows, col), _values(c_rows, col)
            if len(b_rows) and len(c_rows) and bv != cv and touches(col, show.get("model", ""),
                                                                     row["family"]):
                changes.append(f"{_library(col)} {bv} → {cv}")
        row["versions"] = "; ".join(changes)

        # Metrics over comparable ok/ok pairs.
        paired = g[g["kind"] == "paired"]
        pb = base.iloc[paired["b"].to_numpy()].reset_index(drop=True)
        pc = cur.iloc[paired["c"].to_numpy()].reset_index(drop=True)
        worse, better, tests = [], [], set()
        for m in metrics if len(paired) else []:
            bv = pd.to_numeric(pb[m], errors="coerce").to_numpy(dtype=float)
            cv = pd.to_numeric(pc[m], errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(bv) & np.isfinite(cv)
            sign = 1.0 if dirs[m] == "max" else -1.0
            change = sign * (cv[ok] - bv[ok])
            mark, p, test = paired_test(change, tol[m], alpha, need)
            tests.add(test)
            bmean = float(bv[ok].mean()) if ok.any() else float("nan")
            cmean = float(cv[ok].mean()) if ok.any() else float("nan")
            metric_rows.append({
                "config": row["config"], "label": label, "model": row["model"],
                "metric": m, "direction": dirs[m], "n_pairs": int(ok.sum()),
                "baseline": bmean, "current": cmean, "delta": cmean - bmean,
                "change": float(change.mean()) if len(change) else float("nan"),
                "max_abs_delta": float(np.abs(change).max()) if len(change) else float("nan"),
                "tolerance": tol[m], "p_value": p, "test": test, "mark": mark,
            })
            desc = (f"{label}: {m} {_fmt_num(bmean)} → {_fmt_num(cmean)} "
                    f"(Δ {cmean - bmean:+.4f}, {test}"
                    + (f", p={p:.3g}" if not math.isnan(p) else "") + ")")
            if mark == "worse":
                worse.append(m)
                gates["worse"].append((row["config"], desc))
            elif mark == "better":
                better.append(m)
        row["worse"] = ", ".join(worse)
        row["better"] = ", ".join(better)
        row["test"] = "; ".join(sorted(tests))

        # Timings over the same pairs, unless the thread budgets differ (a 16-thread fit is
        # not 16x faster code): then no ratio, no slowdown gate, and a note saying why.
        threads = _thread_change(pb, pc)
        if threads:
            notes.append(f"timings not compared: n_threads {threads}")
        for col, short in (("fit_s", "fit"), ("predict_s", "predict")):
            if col in pb and col in pc and len(paired) and not threads:
                bm, cm, ratio = mean_ratio(pd.to_numeric(pb[col], errors="coerce"),
                                            pd.to_numeric(pc[col], errors="coerce"))
            else:
                bm = cm = ratio = float("nan")
            row[f"{short}_baseline_s"], row[f"{short}_current_s"] = bm, cm
            row[f"{short}_ratio"] = ratio
        slow = []
        if max_slowdown is not None:
            for short in ("fit", "predict"):
                r = row[f"{short}_ratio"]
                grew = row[f"{short}_current_s"] - row[f"{short}_baseline_s"]
                if not math.isnan(r) and r > max_slowdown and grew > time_floor_s:
                    slow.append(f"{short} ×{r:.2f}")
        row["slower"] = ", ".join(slow)
        if slow:
            gates["slower"].append(
                (row["config"], f"{label}: {', '.join(slow)} (max ×{max_slowdown:g})"))

        # The configuration's mark.
        nc = g[g["kind"] == "not comparable"]
        if len(nc):
            mark = "not comparable"
            notes.append("; ".join(sorted(set(nc["reason"]))))
            gates["not comparable"].append((row["config"], f"{label}: {notes[-1]}"))
        elif row["n_new_failure"]:
            mark = "new failure"
            nf = g[g["kind"] == "new failure"]
            msgs = cur.iloc[nf["c"].to_numpy()]
            statuses = ", ".join(sorted(set(msgs["status"].astype(str))))
            err = next((str(e) for e in msgs.get("error", []) if str(e)), "")
            notes.append(f"{len(nf)} of {len(c_rows)} cell(s) now {statuses}"
                         + (f": {err.splitlines()[0][:100]}" if err else ""))
            gates["new failure"].append((row["config"], f"{label}: {notes[-1]}"))
        elif worse:
            mark = "worse"
        elif row["n_missing"]:
            mark = "missing"
        elif row["n_fixed"]:
            mark = "fixed"
        elif better:
            mark = "better"
        elif row["n_new"] and not len(b_rows):
            mark = "new"
            notes.append("not in the baseline")
        else:
            mark = "unchanged"
        if row["n_missing"]:
            what = ("not in the current store" if not len(c_rows)
                    else f"{row['n_missing']} of {len(b_rows)} baseline cell(s) missing or skipped now")
            notes.append(what)
            gates["missing"].append((row["config"], f"{label}: {what}"))
        if row["n_fixed"]:
            notes.append(f"{row['n_fixed']} cell(s) failed in the baseline, ok now")
        if row["n_still_failing"]:
            err = next((str(e) for e in c_rows.get("error", []) if str(e)), "")
            notes.append(f"{row['n_still_failing']} cell(s) failing in both"
                         + (f": {err.splitlines()[0][:100]}" if err else ""))
        if row["n_skipped"] and not row["n_paired"]:
            notes.append("skipped in both")
        if g["how"].eq("definition").any() and not len(nc):
            notes.append("matched by definition (cell_id changed)")
        row["mark"] = mark
        row["note"] = "; ".join(notes)
        config_rows.append(row)

    configs = pd.DataFrame(config_rows)
    if not configs.empty:
        configs["_order"] = configs["mark"].map({m: i for i, m in enumerate(MARKS)})
        configs = configs.sort_values(["_order", "label"], kind="stable").drop(columns="_order")
        configs = configs.reset_index(drop=True)
    configs.attrs["label_axes"] = label_axes
    metrics_df = pd.DataFrame(metric_rows, columns=[
        "config", "label", "model", "metric", "direction", "n_pairs", "baseline", "current",
        "delta", "change", "max_abs_delta", "tolerance", "p_value", "test", "mark"])

    # Global library version changes.
    vrows = []
    for col in vcols:
        bv, cv = _values(base, col), _values(cur, col)
        n_touched = int(configs["versions"].str.contains(f"{_library(col)} ", regex=False).sum()) \
            if not configs.empty else 0
        vrows.append({"library": _library(col), "baseline": bv, "current": cv,
                      "changed": bv != cv, "n_configs": n_touched})
    versions = pd.DataFrame(vrows, columns=["library", "baseline", "current", "changed",
                                            "n_configs"])

    notes = comparison_notes(configs, metrics_df, versions, pairs, base, cur, need, alpha, tol,
                   stale_b, stale_c)
    return Comparison(configs=configs, metrics=metrics_df, versions=versions,
                      metric_names=metrics, directions={m: dirs[m] for m in metrics},
                      tolerance=tol, alpha=alpha, min_pairs=need, fail_on=fail_on,
                      max_slowdown=max_slowdown, gates=gates, notes=notes)
