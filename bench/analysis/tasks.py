"""Tasks x contenders: the score matrix every cross-dataset statistic is computed on.

Why: "which model and which sampler?" is answered across problems, not across folds. A *task* is
one combination of the task axes (by default the varying ones of dataset, profile, ratio,
test_prior, minority and every contender axis that is not a contender); a *contender* is what is
being chosen (by default model x sampler). Folds of one task are not independent samples of the
population of problems, so a contender's task score is its mean over repeats x folds (and over any
varying axis that is neither a task nor a contender axis, e.g. ratio under ``--task dataset``).

Two rules make failures and skips honest:

* a failed cell (status in `FAILED`) takes the task's worst score (the worst ok value of any
  contender on that task), so a model that crashes cannot win by having fewer, easier scores;
* a skipped cell is not a result: a contender whose cells of a task are all skipped is "not
  applicable" there (NaN in `scores`).

Everything is one vectorised pass over the cells (group codes, no Python loop over groups), so a
store of 100,000 cells is summarised in well under a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bench.core.errors import CommandError, StoreError, UnknownName
from bench.core.vocab import BASELINE_MODEL, FAILED, NO_SAMPLER, OK, SKIPPED

TASK_AXES = ("dataset", "profile", "ratio", "test_prior", "minority")
CONTENDER_AXES = ("model", "sampler", "decomposition", "decision", "tuning")
DEFAULT_CONTENDER = ("model", "sampler")
TUNING, DEFAULT_TUNING = "tuning", "default"  # bench.core.vocab's words (analysis stays light)
FOLD_COLUMNS = ("repeat", "fold")
COST_COLUMNS = ("fit_s", "tune_s", "predict_s", "peak_mb")  # tune_s: search time, 0 untuned
LABEL_SEP = " + "  # contender labels: "lightgbm + smote"


@dataclass
class TaskMatrix:
    """The scores of every contender on every task, with what is needed to explain them.

    `scores`: index = task labels, columns = contender labels, NaN = not applicable.
    `folds`: long frame (task, contender, repeat, fold, pooled axes…, value) of the per-cell
    values behind the scores (failed cells already at the task's worst), for paired tests.
    `contenders`: one row per contender (label + axis values + cell counts + mean cost of ok cells).
    `tasks`: one row per task (label + axis values).
    """

    scores: pd.DataFrame
    direction: str
    metric: str
    folds: pd.DataFrame
    contenders: pd.DataFrame
    tasks: pd.DataFrame
    task_axes: list[str]
    contender_axes: list[str]
    pooled_axes: list[str] = field(default_factory=list)
    n_cells: int = 0
    datasets: list[str] = field(default_factory=list)


def _split_top(text: str, sep: str) -> list[str]:
    """Split at `sep` outside brackets (model labels carry parameters: ``dnn(hidden=[1,2])``)."""
    parts, buf, depth = [], [], 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}" and depth > 0
        if ch == sep and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_contender(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"model,sampler"`` (or a sequence of axis names) -> ``("model", "sampler")``.

    Empty -> `DEFAULT_CONTENDER`; an unknown or repeated axis is an error naming the allowed ones.
    """
    names = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec or [])]
    names = [n for n in names if n]
    if not names:
        return DEFAULT_CONTENDER
    bad = [n for n in names if n not in CONTENDER_AXES]
    if bad:
        raise UnknownName(f"--contender {','.join(bad)}: unknown axis; allowed: "
                          f"{', '.join(CONTENDER_AXES)} (comma-separated)")
    if len(set(names)) != len(names):
        raise CommandError(f"--contender {','.join(names)}: an axis is named twice")
    return tuple(names)


def fill_tuning(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows written before the tuning axis existed (no `tuning` value) are default cells."""
    if TUNING not in cells.columns:
        return cells
    col = cells[TUNING]
    missing = col.isna() | (col.astype(str) == "")
    return cells.assign(**{TUNING: col.astype(object).where(~missing, DEFAULT_TUNING)}) \
        if missing.any() else cells


def default_contender(cells: pd.DataFrame) -> tuple[str, ...]:
    """model x sampler, plus `tuning` when the cells hold more than one tuning ("lightgbm +
    none + tpe(10)" vs "lightgbm + none + default"): a tuned model is a different contender,
    never a task to average over."""
    if TUNING in cells.columns and fill_tuning(cells)[TUNING].nunique(dropna=False) > 1:
        return (*DEFAULT_CONTENDER, TUNING)
    return DEFAULT_CONTENDER


def resolve_contender(spec: str | Sequence[str] | None, cells: pd.DataFrame) -> tuple[str, ...]:
    """The contender axes for these cells: as given (`parse_contender`), else the default of
    `default_contender`."""
    names = parse_contender(spec)
    given = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec or [])]
    return names if any(given) else default_contender(cells)


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def contender_label(values: Mapping[str, object] | Sequence[object]) -> str:
    """The display name of a contender: its axis values joined by `` + `` (``lightgbm + smote``)."""
    vals = values.values() if isinstance(values, Mapping) else values
    return LABEL_SEP.join(_text(v) for v in vals)


def task_label(values: Mapping[str, object]) -> str:
    """The display name of a task: the dataset as is, other axes as ``axis=value``."""
    if not values:
        return "all"
    return " / ".join(_text(v) if k == "dataset" else f"{k}={_text(v)}" for k, v in values.items())


def varying(cells: pd.DataFrame, axes: Sequence[str]) -> list[str]:
    """The axes of `axes` present in `cells` that take more than one value."""
    return [a for a in axes if a in cells.columns and cells[a].nunique(dropna=False) > 1]


def resolve_task_axes(cells: pd.DataFrame, task: str | Sequence[str] | None,
                      contender: Sequence[str]) -> list[str]:
    """The task axes: as given (``--task dataset,ratio``), else every varying non-contender axis."""
    candidates = [a for a in (*TASK_AXES, *CONTENDER_AXES) if a not in contender]
    names = [s.strip() for s in (task.split(",") if isinstance(task, str) else task or [])]
    names = [n for n in names if n]
    if not names:
        return varying(cells, candidates)
    clash = [n for n in names if n in contender]
    if clash:
        raise CommandError(f"--task {','.join(clash)}: already a contender axis "
                           f"(--contender {','.join(contender)}); an axis is one or the other")
    bad = [n for n in names if n not in candidates or n not in cells.columns]
    if bad:
        allowed = [a for a in candidates if a in cells.columns]
        raise UnknownName(f"--task {','.join(bad)}: unknown axis; allowed: {', '.join(allowed)} "
                          "(comma-separated)")
    return list(dict.fromkeys(names))


def metric_direction(metric: str, direction: str | None = None) -> str:
    """The metric's direction ("max"/"min") from the registry (imported lazily: the registry
    pulls in the metric implementations, which a caller passing `direction` does not need)."""
    if direction is not None:
        if direction not in ("max", "min"):
            raise CommandError(f"direction {direction!r}: allowed: max, min")
        return direction
    from bench.metrics import get_metric

    return get_metric(metric).direction


def _codes(frame: pd.DataFrame, axes: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group codes (0..g-1 in sorted order of the axis values) and the unique key rows."""
    if not axes:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=[0])
    grouped = frame.groupby(list(axes), sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    keys = grouped.size().reset_index().drop(columns=0)
    return codes, keys.reset_index(drop=True)


def _unique_labels(labels: list[str]) -> list[str]:
    """Labels made unique (two contenders whose joined values read the same get ``#2``)."""
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} #{seen[lab]}")
    return out


def task_matrix(cells: pd.DataFrame, metric: str,
                contender: str | Sequence[str] | None = None,
                task: str | Sequence[str] | None = None,
                where: Mapping[str, Sequence[str]] | str | Sequence[str] | None = None,
                direction: str | None = None) -> TaskMatrix:
    """Build the tasks x contenders score matrix of `metric` (see the module docstring);
    `contender` None: `default_contender` of the cells."""
    from bench.analysis.where import filter_where

    cells = fill_tuning(cells)
    contender_axes = list(resolve_contender(contender, cells))
    missing = [a for a in contender_axes if a not in cells.columns]
    if missing:
        raise UnknownName(f"--contender {','.join(missing)}: not a column of this store; allowed: "
                          f"{', '.join(a for a in CONTENDER_AXES if a in cells.columns)}")
    direction = metric_direction(metric, direction)
    if metric not in cells.columns:
        raise StoreError(f"metric {metric!r} is not in this store; run `bench rescore` to add it")
    cells = filter_where(cells, where)
    task_axes = resolve_task_axes(cells, task, contender_axes)
    pooled = varying(cells, [a for a in (*TASK_AXES, *CONTENDER_AXES)
                             if a not in task_axes and a not in contender_axes])

    status = cells["status"].astype(str).to_numpy()
    ok = status == OK
    failed = np.isin(status, FAILED)
    skipped = status == SKIPPED
    value = pd.to_numeric(cells[metric], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    value = np.where(ok, value, np.nan)
    if ok.any() and np.isnan(value).all():
        raise StoreError(f"metric {metric!r} has no value in any ok cell of this store (a column "
                         "of an older run); run `bench rescore` to compute it")

    t_codes, t_keys = _codes(cells, task_axes)
    c_codes, c_keys = _codes(cells, contender_axes)
    n_t, n_c = len(t_keys), len(c_keys)
    # The task's worst ok value (any contender), given to its failed cells.
    reduce = np.fmin if direction == "max" else np.fmax
    worst = np.full(n_t, np.nan)
    reduce.at(worst, t_codes[ok], value[ok])
    value = np.where(failed, worst[t_codes], value)

    flat = t_codes * n_c + c_codes
    has = ~np.isnan(value)
    total = np.bincount(flat[has], weights=value[has], minlength=n_t * n_c)
    count = np.bincount(flat[has], minlength=n_t * n_c)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(count > 0, total / np.maximum(count, 1), np.nan).reshape(n_t, n_c)

    t_labels = _unique_labels([task_label(dict(zip(task_axes, row)))
                               for row in t_keys[task_axes].itertuples(index=False)]) \
        if task_axes else ["all"]
    c_labels = _unique_labels([contender_label(tuple(row))
                               for row in c_keys[contender_axes].itertuples(index=False)])
    scores = pd.DataFrame(matrix, index=pd.Index(t_labels, name="task"),
                          columns=pd.Index(c_labels, name="contender"))

    contenders = c_keys.copy()
    contenders.insert(0, "contender", c_labels)
    contenders["n_ok"] = np.bincount(c_codes[ok], minlength=n_c)
    contenders["n_failed"] = np.bincount(c_codes[failed], minlength=n_c)
    contenders["n_skipped"] = np.bincount(c_codes[skipped], minlength=n_c)
    contenders["n_tasks"] = (~np.isnan(matrix)).sum(axis=0)
    for col in COST_COLUMNS:
        if col in cells.columns:
            v = pd.to_numeric(cells[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            sel = ok & ~np.isnan(v)
            tot = np.bincount(c_codes[sel], weights=v[sel], minlength=n_c)
            cnt = np.bincount(c_codes[sel], minlength=n_c)
            with np.errstate(invalid="ignore", divide="ignore"):
                contenders[col] = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
        else:
            contenders[col] = np.nan

    tasks = t_keys.copy() if task_axes else pd.DataFrame(index=[0])
    tasks.insert(0, "task", t_labels)

    fold_cols = [c for c in (*pooled, *FOLD_COLUMNS) if c in cells.columns]
    folds = pd.DataFrame({
        "task": pd.Categorical.from_codes(t_codes[has], categories=t_labels),
        "contender": pd.Categorical.from_codes(c_codes[has], categories=c_labels),
        **{c: cells[c].to_numpy()[has] for c in fold_cols},
        "value": value[has],
    })
    return TaskMatrix(scores=scores, direction=direction, metric=metric, folds=folds,
                      contenders=contenders.reset_index(drop=True),
                      tasks=tasks.reset_index(drop=True), task_axes=task_axes,
                      contender_axes=contender_axes, pooled_axes=pooled, n_cells=len(cells),
                      datasets=sorted(map(str, cells["dataset"].unique()))
                      if "dataset" in cells.columns else [])


def find_contender(contenders: pd.DataFrame, spec: str, axes: Sequence[str]) -> str:
    """The label of the one contender `spec` names: its label (``dnn + none``) or its axis values
    separated by ``,`` or `` + ``; a value without parameters matches the name with parameters
    (``dnn`` matches ``dnn(hidden=[256,256])``). Unknown or ambiguous -> error listing them."""
    labels = contenders["contender"].tolist()
    if spec in labels:
        return spec
    parts = [p.strip() for p in (spec.split(LABEL_SEP) if LABEL_SEP in spec
                                 else _split_top(spec, ","))]
    hits = []
    if len(parts) == len(axes):
        match = np.ones(len(contenders), dtype=bool)
        for axis, part in zip(axes, parts):
            col = contenders[axis].map(_text)
            match &= ((col == part) | col.str.startswith(part + "(")).to_numpy()
        hits = [labels[i] for i in np.flatnonzero(match)]
    if len(hits) == 1:
        return hits[0]
    shown = ", ".join(labels[:30]) + (f", … ({len(labels) - 30} more)" if len(labels) > 30 else "")
    if hits:
        raise CommandError(f"--reference {spec!r} matches {len(hits)} contenders "
                           f"({', '.join(hits[:10])}); name one with its parameters")
    raise UnknownName(f"--reference {spec!r}: no such contender (axes {', '.join(axes)}); "
                      f"allowed: {shown}")


def baseline_label(contenders: pd.DataFrame, axes: Sequence[str]) -> str | None:
    """The DNN baseline among `contenders` (one row per contender: `contender` + axis columns):
    model `dnn` (any parameters) and, when sampler is an axis, no sampler (and, when tuning is,
    the default one if any); the first label in sorted order when several match; None when
    model is not an axis or none matches."""
    if "model" not in axes or contenders.empty:
        return None
    col = contenders["model"].map(_text)
    match = (col == BASELINE_MODEL) | col.str.startswith(BASELINE_MODEL + "(")
    if "sampler" in axes:
        match &= contenders["sampler"].map(_text) == NO_SAMPLER
    if TUNING in axes:  # the baseline is the untuned DNN when there is one
        untuned = match & (contenders[TUNING].map(_text) == DEFAULT_TUNING)
        match = untuned if untuned.any() else match
    hits = sorted(contenders.loc[match, "contender"].astype(str))
    return hits[0] if hits else None


def default_reference(contenders: pd.DataFrame, axes: Sequence[str]) -> str:
    """The Elo anchor: the DNN baseline without a sampler when it competes, else the first."""
    found = baseline_label(contenders, axes)
    return found if found is not None else str(contenders["contender"].iloc[0])
