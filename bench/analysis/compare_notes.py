"""The notes under a comparison: what the gate tested, and why cells did or did not match."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd


def comparison_notes(configs: pd.DataFrame, metrics: pd.DataFrame, versions: pd.DataFrame,
           pairs: pd.DataFrame, base: pd.DataFrame, cur: pd.DataFrame, need: int, alpha: float,
           tol: Mapping[str, float], stale_b: int, stale_c: int) -> list[str]:
    notes = []
    tols = sorted(set(tol.values()))
    tol_text = (f"{tols[0]:g}" if len(tols) == 1
                else ", ".join(f"{m} {t:g}" for m, t in tol.items()))
    notes.append(f"worse/better: mean paired change beyond the tolerance ({tol_text}, absolute) "
                 f"and a one-sided Wilcoxon signed-rank test over (repeat, fold) pairs at "
                 f"alpha={alpha:g}; lower-is-better metrics are sign-flipped by their direction")
    if not metrics.empty:
        few = metrics[metrics["test"].str.startswith("tolerance only")]
        if len(few):
            n_cfg = few["config"].nunique()
            pairs_seen = sorted(set(few["n_pairs"]))
            notes.append(f"too few pairs: tolerance only for {n_cfg} configuration(s) "
                         f"({'/'.join(map(str, pairs_seen))} pairs; the test needs ≥ {need} "
                         f"to reach alpha={alpha:g})")
    if not metrics.empty and metrics["n_pairs"].sum():
        n = int(metrics["n_pairs"].sum())
        worst = float(metrics["max_abs_delta"].max())
        notes.append(f"all {n} paired metric values are identical" if worst == 0 else
                     f"largest paired |Δ| over {n} metric values: {worst:.3g}")
    changed = versions[versions["changed"]] if not versions.empty else versions
    for _, v in changed.iterrows():
        notes.append(f"library version changed: {v['library']} {v['baseline'] or '(none)'} → "
                     f"{v['current'] or '(none)'} (shown beside the {v['n_configs']} "
                     f"configuration(s) it touches; compared anyway)")
    nc = pairs[pairs["kind"] == "not comparable"]
    for reason, n in nc["reason"].value_counts().items():
        hint = ("; refresh the baseline deliberately with `bench baseline update SUITE`"
                if reason.startswith("protocol") else
                "; the test rows differ (a dataset's source changed)")
        notes.append(f"not comparable: {reason} for {n} cell(s){hint}")
    if stale_b or stale_c:
        notes.append(f"ignored stale rows re-run under a new cell_id: {stale_b} in the baseline, "
                     f"{stale_c} in the current store")
    # When nothing matched at all, say why instead of "all missing".
    if len(pairs) and not (pairs["how"] != "").any() and len(base) and len(cur):
        bk = set().union(*(json.loads(d).keys() for d in base["_def"]))
        ck = set().union(*(json.loads(d).keys() for d in cur["_def"]))
        diff = []
        if ck - bk:
            diff.append(f"current definitions add {', '.join(sorted(ck - bk))}")
        if bk - ck:
            diff.append(f"current definitions lack {', '.join(sorted(bk - ck))}")
        notes.append("no cell matched by id or by definition"
                     + (f" ({'; '.join(diff)})" if diff else " (different suites?)"))
    return notes
