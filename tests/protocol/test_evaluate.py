"""The protocol: the motivating failure is reproduced, and samplers only ever see training rows."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest

from bench.core.cell import Cell, Component
from bench.data.registry import load_dataset
from bench.protocol import run_cell, run_cell_safely
from bench.sampling import SAMPLERS, SamplerEntry
from bench.protocol.split import make_split


def overlap_cell(model: Component, fold: int = 0) -> Cell:
    return Cell(dataset=Component.of("seed-overlap", {"n_samples": 3000}),
                sampler=Component.of("none"), model=model, profile="natural", folds=3, fold=fold)


@pytest.mark.parametrize("model", [
    Component.of("lightgbm", {"n_estimators": 200}),
    Component.of("dnn", {"hidden": [256, 256], "max_epochs": 30, "batch_size": 128}),
], ids=["lightgbm", "dnn"])
def test_seed_overlap_reproduces_the_motivating_failure(model: Component) -> None:
    """Balanced classes, no sampler, argmax: classes 0/1 near-perfect recall, class 2 ~ 0.03."""
    result = run_cell(overlap_cell(model))
    assert result.row["status"] == "ok"
    recall = dict(zip(result.per_class["label"], result.per_class["recall"]))
    assert recall["0"] > 0.9 and recall["1"] > 0.9
    assert recall["2"] < 0.15


class SpySampler:
    """Records the exact rows it is given (feature 0 carries the dataset row index)."""

    seen: list[np.ndarray] = []

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        SpySampler.seen.append(np.asarray(X)[:, 0].copy())
        rng = np.random.default_rng(self.seed)
        idx = rng.choice(len(y), size=len(y), replace=True)
        return np.asarray(X)[idx], np.asarray(y)[idx]


if "spy" not in SAMPLERS:
    SAMPLERS.register(SamplerEntry("spy", lambda params, ctx: SpySampler(ctx.seed),
                                   description="test only: records the rows it sees"))


def test_the_sampler_sees_exactly_the_fit_rows_never_validation_or_test() -> None:
    from bench.data.dataset import from_arrays
    from bench.data.registry import DATASETS, DatasetSource

    if "indexed" not in DATASETS:
        def indexed() -> Any:
            rng = np.random.default_rng(0)
            n = 600
            X = np.column_stack([np.arange(n), rng.normal(size=(n, 3))])
            y = np.repeat([0, 1, 2], n // 3)
            return from_arrays("indexed", X, y)

        DATASETS.register(DatasetSource("indexed", indexed, {}))
    for fold in range(3):
        cell = Cell(dataset=Component.of("indexed"), sampler=Component.of("spy"),
                    model=Component.of("logistic"), profile="step", ratio=5,
                    minority=("2",), folds=3, fold=fold)
        SpySampler.seen.clear()
        result = run_cell(cell)
        split = make_split(load_dataset(cell.dataset), cell)
        assert len(SpySampler.seen) == 1
        seen = SpySampler.seen[0].astype(int)
        np.testing.assert_array_equal(np.sort(seen), split.fit)
        assert not set(seen) & set(split.test)
        assert not set(seen) & set(split.val)
        assert result.row["n_test"] == len(split.test)


def test_test_rows_are_the_same_for_every_model_and_sampler() -> None:
    ds = load_dataset(Component.of("wine"))
    base = dict(dataset=Component.of("wine"), profile="step", ratio=4, minority=("2",),
                folds=3, fold=1)
    splits = [make_split(ds, Cell(**base, sampler=Component.of(s), model=Component.of(m)))
              for s in ("none", "smote") for m in ("dummy", "lightgbm")]
    for s in splits[1:]:
        np.testing.assert_array_equal(s.test, splits[0].test)
        np.testing.assert_array_equal(s.fit, splits[0].fit)


def test_folds_of_a_repeat_have_disjoint_test_parts() -> None:
    ds = load_dataset(Component.of("wine"))
    tests = [make_split(ds, Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                                 model=Component.of("dummy"), folds=3, fold=f)).test
             for f in range(3)]
    assert sum(len(t) for t in tests) == len(ds.y)
    assert len(np.unique(np.concatenate(tests))) == len(ds.y)


def test_a_class_too_small_for_the_split_fails_with_its_name_and_count() -> None:
    from bench.data.dataset import from_arrays
    from bench.data.registry import DATASETS, DatasetSource

    if "tiny-class" not in DATASETS:
        def tiny() -> Any:
            X = np.arange(46, dtype=float).reshape(-1, 1)
            y = np.array(["a"] * 22 + ["b"] * 22 + ["c"] * 2)
            return from_arrays("tiny-class", X, y)

        DATASETS.register(DatasetSource("tiny-class", tiny, {}))
    cell = Cell(dataset=Component.of("tiny-class"), sampler=Component.of("none"),
                model=Component.of("dummy"), folds=3)
    result = run_cell_safely(cell)
    assert result.row["status"] == "error"
    assert "class 'c' has 2 row(s)" in result.row["error"]
    assert "3-fold" in result.row["error"]


# --- the minority class is the cell's; degenerate fits are visible --------------------------

BINARY_SUITE = """
name = "binary-minority"
folds = 2
validation = 0.2
store_predictions = true
samplers = ["none", "random_under", "smote"]

[imbalance]
profile = "natural"

[[datasets]]
name = "make-classification"
n_samples = 600
n_classes = 2
weights = [0.9, 0.1]
class_sep = 0.5

[[models]]
name = "logistic"

[[models]]
name = "dummy"
"""


@pytest.fixture(scope="module")
def binary_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from bench.commands.run import run_suite

    tmp = tmp_path_factory.mktemp("binary")
    (tmp / "suite.toml").write_text(BINARY_SUITE)
    rp, summary = run_suite(tmp / "suite.toml", tmp / "store", workers=0)
    assert summary.statuses == {"ok": 12}
    return rp.store


def test_minority_f1_is_the_true_minoritys_f1_after_every_sampler(binary_store: Any) -> None:
    """The issue: after random_under / smote the classes tie and the majority's F1 was reported."""
    cells = binary_store.read("cells")
    per_class = binary_store.read("per_class")
    assert set(cells["sampler"]) == {"none", "random_under", "smote"}
    for _, cell in cells.iterrows():
        fit = json.loads(cell["train_counts"])
        assert fit[1] < fit[0] and cell["minority_class"] == "1"  # 0.9 / 0.1: class 1 is rare
        if cell["sampler"] != "none":  # resampled counts tie: the old rule named the majority
            resampled = json.loads(cell["resampled_counts"])
            assert resampled[0] == resampled[1]
        f1 = per_class[(per_class["cell_id"] == cell["cell_id"]) & (per_class["label"] == "1")]["f1"]
        assert cell["minority_f1"] == pytest.approx(float(f1.iloc[0]), abs=1e-12)


def test_minority_metrics_equal_scikit_learn_on_that_class(binary_store: Any) -> None:
    from sklearn import metrics as skm

    cells = binary_store.read("cells").set_index("cell_id")
    preds = binary_store.read("predictions")
    assert (cells.loc[cells["model"] == "logistic", "minority_f1"] > 0).all()  # a real score
    for cid, p in preds.groupby("cell_id"):
        y, pred = p["y_true"].to_numpy(), p["y_pred"].to_numpy()
        expected = {
            "minority_f1": skm.f1_score(y, pred, labels=[1], average=None)[0],
            "minority_precision": skm.precision_score(y, pred, labels=[1], average=None,
                                                      zero_division=0)[0],
            "minority_recall": skm.recall_score(y, pred, labels=[1], average=None)[0],
            "minority_ap": skm.average_precision_score(y == 1, p["p_1"].to_numpy()),
        }
        for name, value in expected.items():
            assert cells.loc[cid, name] == pytest.approx(value, abs=1e-12), (cid, name)
        # pr_auc stays the macro mean over both classes
        ap0 = skm.average_precision_score(y == 0, p["p_0"].to_numpy())
        assert cells.loc[cid, "pr_auc"] == pytest.approx((ap0 + expected["minority_ap"]) / 2, abs=1e-12)


def test_every_ok_row_records_predicted_classes_and_the_smallest_test_class(binary_store: Any) -> None:
    cells = binary_store.read("cells")
    for _, cell in cells.iterrows():
        test_counts = json.loads(cell["test_counts"])
        assert cell["min_test_count"] == min(test_counts)
    dummy = cells[cells["model"] == "dummy"]  # predicts the training prior's top class
    logistic = cells[cells["model"] == "logistic"]
    assert (dummy["predicted_classes"] == 1).all() and dummy["degenerate"].all()
    assert all("degenerate fit: predicted the single class '0'" in w and "never predicted '1'" in w
               for w in dummy["warnings"])
    assert (logistic["predicted_classes"] == 2).all() and not logistic["degenerate"].any()
    assert not any("degenerate" in w for w in logistic["warnings"])


def test_a_designated_minority_wins_over_the_rarest_class() -> None:
    """wine (59 / 71 / 48 rows): class '0' is designated, though class '2' is rarer."""
    cell = Cell(dataset=Component.of("wine"), sampler=Component.of("random_over"),
                model=Component.of("logistic"), profile="natural", minority=("0",),
                folds=3, fold=0)
    result = run_cell(cell)
    fit = json.loads(result.row["train_counts"])
    assert fit[2] < fit[0] and result.row["minority_class"] == "0"
    f1 = result.per_class.set_index("label").loc["0", "f1"]
    assert result.row["minority_f1"] == pytest.approx(f1, abs=1e-12)


def test_a_leaf_larger_than_a_class_is_a_warning_naming_parameter_class_and_count() -> None:
    cell = Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("hist_gradient_boosting", {"n_estimators": 10}),
                profile="step", ratio=5, minority=("2",), folds=3, fold=0)
    row = run_cell(cell).row
    fit = json.loads(row["train_counts"])
    assert fit[2] < 20 <= min(fit[0], fit[1])  # the default min_samples_leaf = 20
    assert f"min_samples_leaf=20 exceeds the rows the model is fitted on of class '2' ({fit[2]})" \
        in row["warnings"]
    roomy = dataclasses.replace(cell, model=Component.of(
        "hist_gradient_boosting", {"n_estimators": 10, "min_samples_leaf": 2}))
    assert "leaf size" not in run_cell(roomy).row["warnings"]
