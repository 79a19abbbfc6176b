"""Child tables as plain columns: a cell's process builds no DataFrame, and the frames built where
they are read are the ones the protocol used to build itself (columns, order, dtypes, values).

The reference builders below are the protocol's own code before the tables became `Columns`
(per_class_frame, confusion_frame, curves_frame, predictions_table, trials_frame); real cells
run, and each new builder's inputs are fed to the old one too.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bench.core.cell import Cell, CellResult, Component, RunOptions
from bench.core.columns import Columns
from bench.protocol import evaluate
from bench.protocol.evaluate import run_cell
from bench.protocol.rows import CURVE_COLUMNS, failure_result
from bench.protocol.tune import TRIAL_COLUMNS, TuneResult

TABLES = ("per_class", "confusion", "curves", "predictions", "trials")


# ---- the old code path, kept as the reference ---------------------------------------------------
def old_predictions(cell_id: str, rows: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray,
                    proba: np.ndarray, labels: list[Any]) -> pd.DataFrame:
    out = pd.DataFrame({
        "cell_id": cell_id,
        "row": np.asarray(rows, dtype=np.int64),
        "true_label": [labels[c] for c in y_true],
        "pred_label": [labels[c] for c in y_pred],
        "y_true": np.asarray(y_true, dtype=np.int64),
        "y_pred": np.asarray(y_pred, dtype=np.int64),
    })
    for c, label in enumerate(labels):
        out[f"p_{label}"] = np.asarray(proba[:, c], dtype=np.float64)
    return out


def old_per_class(cell_id: str, columns: dict[str, np.ndarray], labels: list[Any]) -> pd.DataFrame:
    return pd.DataFrame({"cell_id": cell_id, "label": [labels[c] for c in columns["label"]],
                         **{name: v for name, v in columns.items() if name != "label"}})


def old_confusion(cell_id: str, columns: dict[str, np.ndarray], labels: list[Any]) -> pd.DataFrame:
    return pd.DataFrame({"cell_id": cell_id,
                         "true_label": [labels[c] for c in columns["true_label"]],
                         "pred_label": [labels[c] for c in columns["pred_label"]],
                         "count": columns["count"]})


def old_curves(cell_id: str, curves: list[Any] | None) -> pd.DataFrame:
    frame = pd.DataFrame(curves or [], columns=CURVE_COLUMNS)
    frame.insert(0, "cell_id", cell_id)
    return frame


def old_trials(cell_id: str, result: TuneResult | None) -> pd.DataFrame:
    rows = [] if result is None else result.trials
    return pd.DataFrame({
        "cell_id": pd.Series([cell_id] * len(rows), dtype="string"),
        "trial": pd.Series([t.number for t in rows], dtype="int64"),
        "params": pd.Series([json.dumps(t.params, sort_keys=True) for t in rows], dtype="string"),
        "value": pd.Series([t.value for t in rows], dtype="float64"),
        "state": pd.Series([t.state for t in rows], dtype="string"),
        "duration_s": pd.Series([t.duration_s for t in rows], dtype="float64"),
        "error": pd.Series([t.error for t in rows], dtype="string"),
    }, columns=TRIAL_COLUMNS)


OLD = {"per_class_table": ("per_class", old_per_class), "confusion_table": ("confusion", old_confusion),
       "curves_table": ("curves", old_curves), "predictions_table": ("predictions", old_predictions),
       "trials_table": ("trials", old_trials)}


def run_with_reference(cell: Cell, monkeypatch: pytest.MonkeyPatch,
                       options: RunOptions) -> tuple[CellResult, dict[str, pd.DataFrame]]:
    """Run the real cell; each table builder's exact inputs also go to the old builder."""
    reference: dict[str, pd.DataFrame] = {}
    for name, (table, old) in OLD.items():
        new = getattr(evaluate, name)

        def both(*args: Any, _new: Any = new, _old: Any = old, _table: str = table) -> Columns:
            reference[_table] = _old(*args)
            return _new(*args)

        monkeypatch.setattr(evaluate, name, both)
    return run_cell(cell, options=options), reference


def wine_cell(**kw: Any) -> Cell:
    base: dict[str, Any] = {
        "dataset": Component.of("wine"), "sampler": Component.of("smote", {"k_neighbors": 3}),
        "model": Component.of("lightgbm", {"n_estimators": 20}), "profile": "step", "ratio": 3,
        "minority": ("2",), "folds": 3, "fold": 1, "decision": "tuned:balanced_accuracy"}
    return Cell(**{**base, **kw})


CELLS = {
    "lightgbm smote tuned decision, predictions": (wine_cell(), True),
    "tuned search (trials)": (wine_cell(tuning="random(4)"), False),
    "logistic argmax (no curves)": (wine_cell(model=Component.of("logistic"), sampler=Component.of("none"),
                                              decision="argmax"), True),
}


@pytest.mark.parametrize("name", list(CELLS))
def test_frames_match_the_old_code_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cell, store_predictions = CELLS[name]
    result, reference = run_with_reference(cell, monkeypatch, RunOptions(store_predictions=store_predictions))
    assert result.row["status"] == "ok"
    assert not any(result.built(t) for t in TABLES)  # the cell's process built no frame
    sent = pickle.loads(pickle.dumps(result))  # as a worker sends it
    assert not any(sent.built(t) for t in TABLES)
    assert (sent.predictions is None) == (not store_predictions)
    for table in TABLES:
        if table == "predictions" and not store_predictions:
            assert table not in reference
            continue
        pd.testing.assert_frame_equal(getattr(sent, table), reference[table], check_exact=True,
                                      check_index_type=True, check_column_type=True)
        assert list(getattr(sent, table).dtypes) == list(reference[table].dtypes)
    assert len(sent.per_class) == 3 and len(sent.confusion) == 9
    assert sent.confusion["count"].sum() == sent.row["n_test"]
    if "trials" in name:
        assert len(sent.trials) == 4 and set(sent.trials["cell_id"]) == {cell.cell_id}
    else:
        assert sent.trials.empty
    if cell.model.name == "lightgbm":
        assert len(sent.curves) > 0  # a booster records its loss per round
    else:
        assert sent.curves.empty


# ---- Columns and CellResult on their own ---------------------------------------------------------
def test_columns_frame_broadcasts_scalars_and_applies_dtypes() -> None:
    cols = Columns({"cell_id": "abc", "n": np.array([1, 2], dtype=np.int64), "s": ["x", None]},
                   {"s": "string"})
    frame = cols.frame()
    assert cols.names == ["cell_id", "n", "s"] == list(frame.columns)
    assert frame["cell_id"].tolist() == ["abc", "abc"]
    assert frame["n"].dtype == np.int64 and frame["s"].dtype == "string"
    assert frame["s"].isna().tolist() == [False, True]
    pd.testing.assert_frame_equal(Columns({}).frame(), pd.DataFrame())


def test_cell_result_builds_once_keeps_edits_and_accepts_frames() -> None:
    result = CellResult({"cell_id": "abc"}, per_class=Columns({"label": ["a", "b"], "f1": [0.5, 1.0]}),
                        confusion=pd.DataFrame({"count": [1]}))
    assert result.built("confusion") and not result.built("per_class")
    first = result.per_class
    assert result.built("per_class") and result.per_class is first
    first["extra"] = 1  # a reader's in-place edit stays, and travels
    assert "extra" in pickle.loads(pickle.dumps(result)).per_class.columns
    assert result.predictions is None and result.curves.empty and result.trials.empty
    result.trials = Columns({"trial": [0]})
    assert result.trials["trial"].tolist() == [0]


def test_failure_result_has_empty_tables() -> None:
    failed = failure_result(wine_cell(), "error", "boom")
    assert failed.per_class.empty and failed.confusion.empty and failed.predictions is None
