"""Matching two results stores cell by cell, for `bench compare`.

Why its own module: matching decides *what* is compared. Cells pair by `cell_id`; leftovers pair
by their protocol-independent definition (`cell_json`), so a protocol bump or a changed dataset
reads "not comparable: <reason>" instead of "all missing". Each pair gets a kind from the two
statuses (paired, new failure, fixed, missing, ...), which `compare` turns into marks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from bench.core.ids import canonical_json
from bench.core.vocab import OK, SKIPPED

CONFIG_AXES = ["dataset", "profile", "ratio", "minority", "test_prior", "sampler", "model",
               "decomposition", "decision", "tuning"]
PAIR_AXES = ["repeat", "fold"]
# Version columns that are not library versions (handled elsewhere or meaningless here).
_NOT_LIBRARIES = {"protocol_version", "schema_version"}
# Libraries that touch only the models they run; every other version column touches every
# configuration (numpy, pandas, scikit-learn, imbalanced-learn, python, the harness itself).
_MODEL_LIBRARIES = {
    "lightgbm": lambda model, family: model.startswith("lightgbm"),
    "xgboost": lambda model, family: model.startswith("xgboost"),
    "catboost": lambda model, family: model.startswith("catboost"),
    "torch": lambda model, family: family == "dnn" or model.startswith("dnn"),
}


FAILED_STATE = "failed"  # the compare state of every FAILED status (and anything unknown)


def _state(status: str) -> str:
    """A cell's compare state: OK, SKIPPED or FAILED_STATE."""
    return status if status in (OK, SKIPPED) else FAILED_STATE


def _definition(row: Mapping) -> tuple[str, str]:
    """(definition key, configuration key) of a row; protocol-independent."""
    raw = row.get("cell_json", "") or ""
    if raw:
        d = json.loads(raw)
    else:  # a store without cell_json: fall back to the identity columns
        d = {a: row.get(a) for a in [*CONFIG_AXES, *PAIR_AXES]}
        d = {k: (float(v) if k == "ratio" else (int(v) if k in PAIR_AXES else str(v)))
             for k, v in d.items()}
    config = {k: v for k, v in d.items() if k not in PAIR_AXES}
    return canonical_json(d), canonical_json(config)


def prepare_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Add definition/config keys and states; drop stale rows whose definition was re-run.

    A store resumed after a protocol change holds a definition twice (old and new cell_id): the
    newest row (by `utc`) is kept. Returns the frame and the number of stale rows dropped.
    """
    df = cells.copy().reset_index(drop=True)
    if df.empty:
        df["_def"] = pd.Series(dtype=str)
        df["_config"] = pd.Series(dtype=str)
        df["_state"] = pd.Series(dtype=str)
        return df, 0
    keys = [_definition(r) for r in df.to_dict("records")]
    df["_def"] = [k[0] for k in keys]
    df["_config"] = [k[1] for k in keys]
    df["_state"] = df["status"].astype(str).map(_state)
    order = df["utc"].astype(str) if "utc" in df else pd.Series([""] * len(df))
    df = df.assign(_utc=order.to_numpy()).sort_values("_utc", kind="stable")
    n = len(df)
    df = df.drop_duplicates("_def", keep="last").drop(columns="_utc").sort_index()
    return df.reset_index(drop=True), n - len(df)


def version_columns(*frames: pd.DataFrame) -> list[str]:
    cols: list[str] = []
    for f in frames:
        cols += [c for c in f.columns if c.endswith("_version") and c not in _NOT_LIBRARIES
                 and c not in cols]
    return cols


def _library(col: str) -> str:
    return col[: -len("_version")]


def touches(col: str, model: str, family: str) -> bool:
    """Whether a change of version column `col` can affect a configuration of `model`."""
    rule = _MODEL_LIBRARIES.get(_library(col))
    return True if rule is None else bool(rule(str(model), str(family)))


def _values(df: pd.DataFrame, col: str) -> str:
    if col not in df or df.empty:
        return ""
    vals = sorted({str(v) for v in df[col].dropna()})
    return ",".join(v if v else "(none)" for v in vals)


def _pair_reason(b: Mapping, c: Mapping) -> str:
    """Why a matched pair is not comparable ('' when it is)."""
    bp, cp = str(b.get("protocol_version", "")), str(c.get("protocol_version", ""))
    if bp != cp:
        return f"protocol version {bp or '?'} → {cp or '?'}"
    bf, cf = str(b.get("dataset_fp", "") or ""), str(c.get("dataset_fp", "") or "")
    if bf and cf and bf != cf:
        return f"dataset fingerprint changed ({bf} → {cf})"
    return ""


def _kind(b_state: str | None, c_state: str | None) -> str:
    """Classify one (repeat, fold) pair by the two statuses (None: absent from that store)."""
    if b_state is None:
        return {OK: "new", FAILED_STATE: "new failure", SKIPPED: "skipped"}[c_state or SKIPPED]
    if c_state is None:
        return "missing"
    table = {
        (OK, OK): "paired", (OK, FAILED_STATE): "new failure", (OK, SKIPPED): "missing",
        (FAILED_STATE, OK): "fixed", (FAILED_STATE, FAILED_STATE): "still failing",
        (FAILED_STATE, SKIPPED): "missing",
        (SKIPPED, OK): "new", (SKIPPED, FAILED_STATE): "new failure",
        (SKIPPED, SKIPPED): "skipped",
    }
    return table[(b_state, c_state)]


def match(base: pd.DataFrame, cur: pd.DataFrame) -> pd.DataFrame:
    """One row per matched or unmatched cell: b, c (row positions or -1), how, kind, reason."""
    rows: list[dict] = []
    b_ids = dict(zip(base["cell_id"], range(len(base))))
    c_ids = dict(zip(cur["cell_id"], range(len(cur))))
    common = [i for i in b_ids if i in c_ids]
    for cid in common:
        rows.append({"b": b_ids[cid], "c": c_ids[cid], "how": "cell_id"})
    matched_b = {b_ids[i] for i in common}
    matched_c = {c_ids[i] for i in common}
    rest_c = {d: i for i, d in enumerate(cur["_def"]) if i not in matched_c}
    for i, d in enumerate(base["_def"]):
        if i in matched_b:
            continue
        j = rest_c.pop(d, None)
        rows.append({"b": i, "c": -1 if j is None else j,
                     "how": "" if j is None else "definition"})
    for j in rest_c.values():
        rows.append({"b": -1, "c": j, "how": ""})
    pairs = pd.DataFrame(rows, columns=["b", "c", "how"])
    b_rec = base.to_dict("records")
    c_rec = cur.to_dict("records")
    kinds, reasons, configs = [], [], []
    for b, c in zip(pairs["b"], pairs["c"]):
        br = b_rec[b] if b >= 0 else None
        cr = c_rec[c] if c >= 0 else None
        reason = _pair_reason(br, cr) if br is not None and cr is not None else ""
        kinds.append("not comparable" if reason else
                     _kind(br["_state"] if br else None, cr["_state"] if cr else None))
        reasons.append(reason)
        configs.append((br or cr)["_config"])
    pairs["kind"] = kinds
    pairs["reason"] = reasons
    pairs["_config"] = configs
    return pairs
