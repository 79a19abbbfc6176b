"""Everything `bench report` shows, computed once: `report_data(tables, meta, ...)` -> `ReportData`.

Why: the HTML report only draws; every number, grouping and choice (which contender is "best",
which is the DNN baseline, which contenders get a line) is made here, from the store's tables, so
it can be tested on hand-made tables without a browser and the page shows nothing the analysis
did not return. Deterministic: the same tables give the same frames (the only times shown are the
provenance's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bench.analysis.report_models import (baseline_contender, best_sampler, cd_groups,
                                          confusion_matrices, contender_scores, learning_curves,
                                          time_quality)
from bench.analysis.report_views import (DEFAULT_CONTENDER, metric_by_ratio, panel_axes,
                                         per_class_by_ratio, recall_ceiling)
from bench.core.errors import BenchError
from bench.core.vocab import FAILED, OK, SKIPPED, STATUSES

TOP_CONTENDERS = 6  # contenders drawn as lines (plus the DNN baseline): more is unreadable
PROVENANCE_COLUMNS = ("harness_version", "protocol_version", "git_sha", "python_version", "host",
                      "device")
AXES_SHOWN = ("dataset", "profile", "ratio", "test_prior", "minority", "model", "sampler",
              "decomposition", "decision")


@dataclass
class ReportData:
    """The frames of every report section (empty frames: the section says there is no data)."""

    suite: str
    metric: str
    direction: str
    contender_axes: tuple[str, ...]
    where: str
    overview: pd.DataFrame  # item, value
    statuses: pd.DataFrame  # status, n
    provenance: pd.DataFrame  # item, values
    scores: pd.DataFrame  # contender_scores
    summary: Any  # bench.analysis.summary.Summary or None
    cd_names: list[str]
    cd_ranks: list[float]
    cd: float
    cd_groups: list[tuple[int, int]]
    highlighted: list[str]  # contenders drawn as lines, best first; the baseline last
    best: str | None
    baseline: str | None
    by_ratio: pd.DataFrame
    per_class: pd.DataFrame
    ceiling: pd.DataFrame  # inspect hook: panel, label, ratio, recall_ceiling
    best_sampler: pd.DataFrame
    confusion: pd.DataFrame
    curves: pd.DataFrame
    time_quality: pd.DataFrame
    failures: pd.DataFrame  # status, dataset, model, sampler, reason, n
    skips: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def overview(cells: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """What ran: suite, cells, and the values of each axis."""
    rows = [("suite", str(meta.get("suite", ""))), ("cells", str(len(cells)))]
    if "n_cells" in meta:
        rows.append(("cells planned", str(meta["n_cells"])))
    for a in AXES_SHOWN:
        if a in cells and len(cells):
            values = sorted({_text(v) for v in cells[a].unique()}, key=_natural)
            rows.append((a, ", ".join(values)))
    if {"repeat", "fold"} <= set(cells.columns) and len(cells):
        rows.append(("repeats x folds", f"{cells['repeat'].nunique()} x {cells['fold'].nunique()}"))
    return pd.DataFrame(rows, columns=["item", "value"])


def _text(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _natural(s: str) -> tuple:
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)


def status_counts(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells per status, in the vocabulary's order (statuses with no cell left out)."""
    counts = cells["status"].value_counts() if len(cells) else pd.Series(dtype=int)
    rows = [(s, int(counts[s])) for s in STATUSES if s in counts.index]
    return pd.DataFrame(rows, columns=["status", "n"])


def provenance(cells: pd.DataFrame) -> pd.DataFrame:
    """The distinct versions (harness, protocol, git, Python, libraries), hosts, devices and the
    time span the rows were written in: more than one value means a mixed store."""
    cols = [c for c in PROVENANCE_COLUMNS if c in cells] + sorted(
        c for c in cells.columns if c.endswith("_version") and c not in PROVENANCE_COLUMNS)
    rows = []
    for c in cols:
        values = sorted(v for v in cells[c].astype(str).unique() if v)
        if values:
            rows.append((c, ", ".join(values)))
    if "utc" in cells and (cells["utc"].astype(str) != "").any():
        utc = cells.loc[cells["utc"].astype(str) != "", "utc"].astype(str)
        rows.append(("written (utc)", f"{utc.min()} … {utc.max()}"))
    return pd.DataFrame(rows, columns=["item", "values"])


def problems(cells: pd.DataFrame, statuses: Sequence[str]) -> pd.DataFrame:
    """Cells with one of `statuses`, grouped by status, dataset, model, sampler and reason (the
    first line of the message), most frequent first."""
    cols = ["status", "dataset", "model", "sampler", "reason", "n"]
    bad = cells[cells["status"].isin(list(statuses))]
    if bad.empty:
        return pd.DataFrame(columns=cols)
    bad = bad.assign(reason=bad["error"].astype(str).str.strip().str.split("\n").str[0]
                     .str.slice(0, 300))
    out = (bad.groupby(cols[:-1], sort=True, dropna=False).size().rename("n").reset_index())
    return out.sort_values(["n", *cols[:-1]], ascending=[False, True, True, True, True, True],
                           kind="stable").reset_index(drop=True)[cols]


def _summary(cells: pd.DataFrame, metric: str, contender: Sequence[str],
             notes: list[str]) -> Any:
    """`bench.analysis.summary.summarize` of the cells, None (with a note) when it cannot answer."""
    from bench.analysis.summary import summarize

    ok = cells["status"] == OK
    if metric not in cells or not pd.to_numeric(cells.loc[ok, metric], errors="coerce").notna().any():
        notes.append(f"summary: no ok cell has a {metric} value, so nothing can be ranked")
        return None
    try:
        return summarize(cells, metric=metric, contender=tuple(contender))
    except BenchError as exc:
        notes.append(f"summary: {exc}")
        return None


def report_data(tables: Mapping[str, pd.DataFrame], meta: Mapping[str, Any], metric: str,
                direction: str, contender: Sequence[str] = DEFAULT_CONTENDER, where: str = "",
                top: int = TOP_CONTENDERS, summary: bool = True) -> ReportData:
    """Every section's frames from the store's tables (`cells`, `per_class`, `confusion`,
    `curves`, and `inspect` when present), already filtered by the caller's --where."""
    cells = tables["cells"]
    contender = tuple(contender)
    notes: list[str] = []
    scores = contender_scores(cells, metric, direction, contender)
    summ = _summary(cells, metric, contender, notes) if summary and len(cells) else None
    names, ranks, cd, groups = [], [], float("nan"), []
    order = list(scores["contender"].dropna())
    if summ is not None and len(summ.table):
        t = summ.table
        ranked_rows = t[t["mean_rank"].notna()]
        names, ranks = list(ranked_rows["contender"]), [float(r) for r in ranked_rows["mean_rank"]]
        cd = float(summ.critical_difference)
        groups = cd_groups(ranks, cd)
        order = names + [c for c in order if c not in names]
    best = summ.best if summ is not None and summ.best else (order[0] if order else None)
    baseline = baseline_contender(cells, contender)
    highlighted = [c for c in order if c != baseline][:top] + ([baseline] if baseline else [])
    ranked = order + [c for c in highlighted if c not in order]
    with_curves = _with_curves(tables.get("curves"), cells, contender, ranked)
    return ReportData(
        suite=str(meta.get("suite", "")), metric=metric, direction=direction,
        contender_axes=contender, where=where,
        overview=overview(cells, meta), statuses=status_counts(cells),
        provenance=provenance(cells), scores=scores, summary=summ,
        cd_names=names, cd_ranks=ranks, cd=cd, cd_groups=groups,
        highlighted=highlighted, best=best, baseline=baseline,
        by_ratio=metric_by_ratio(cells, metric, contender, highlighted),
        per_class=per_class_by_ratio(cells, tables.get("per_class"), contender, highlighted),
        ceiling=recall_ceiling(tables.get("inspect"), cells),
        best_sampler=(best_sampler(cells, metric, direction)
                      if {"model", "sampler"} <= set(cells.columns) and len(cells)
                      else pd.DataFrame()),
        confusion=confusion_matrices(cells, tables.get("confusion"),
                                     {"best": best, "DNN baseline": baseline}, contender),
        curves=learning_curves(cells, tables.get("curves"), with_curves, contender),
        time_quality=time_quality(scores, direction),
        failures=problems(cells, FAILED), skips=problems(cells, [SKIPPED]),
        notes=notes + ([f"panels: one chart per {' x '.join(panel_axes(cells))}"]
                       if len(cells) else []),
    )


def _with_curves(curves: pd.DataFrame | None, cells: pd.DataFrame, contender: Sequence[str],
                 ranked: Sequence[str], n: int = 2) -> list[str]:
    """Whose learning curves to draw: the best-ranked contender of each of the first `n` models
    that recorded curves (e.g. the best DNN and the best booster), then the DNN baseline."""
    if curves is None or curves.empty:
        return []
    from bench.analysis.report_views import with_keys

    keyed = with_keys(cells[cells["cell_id"].isin(set(curves["cell_id"]))], contender)
    model_of = dict(zip(keyed["contender"], keyed["model"] if "model" in keyed
                        else keyed["contender"]))
    base = baseline_contender(cells, contender)
    picked: list[str] = []
    for c in ranked:
        if c in model_of and c != base and model_of[c] not in {model_of[p] for p in picked}:
            picked.append(c)
    return picked[:n] + ([base] if base in model_of else [])
