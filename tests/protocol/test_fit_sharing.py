"""Decision rules of one fit share it: same results as separate fits, one fit's cost."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from bench.core.cell import Cell, Component
from bench.execute.base import fit_groups
from bench.execute.local import run_cells
from bench.protocol import fitting as evaluate
from bench.protocol import run_cell
from bench.store import Store

RULES = ("argmax", "prior", "tuned", "argmax+temperature")


def cells_of(model: str = "logistic", fold: int = 0, sampler: str = "random_under") -> list[Cell]:
    base = Cell(dataset=Component.of("wine"), sampler=Component.of(sampler),
                model=Component.of(model), profile="step", ratio=4.0, test_prior="same",
                fold=fold, validation=0.25)
    return [dataclasses.replace(base, decision=rule) for rule in RULES]


def fresh(cell: Cell):  # the cell with no fit kept from an earlier cell
    evaluate._LAST_FIT.clear()
    return run_cell(cell)


def test_a_shared_fit_gives_the_same_row_as_a_fit_of_its_own() -> None:
    separate = [fresh(c) for c in cells_of()]
    evaluate._LAST_FIT.clear()
    shared = [run_cell(c) for c in cells_of()]
    assert [r.row["fit_shared"] for r in separate] == [False] * len(RULES)
    assert [r.row["fit_shared"] for r in shared] == [False, True, True, True]
    timing = {"fit_s", "predict_s", "peak_mb", "resample_s", "fit_shared"}
    for a, b in zip(separate, shared):
        assert {k: v for k, v in a.row.items() if k not in timing} == \
            {k: v for k, v in b.row.items() if k not in timing}
        assert a.per_class.equals(b.per_class) and a.confusion.equals(b.confusion)
    # the rules reuse the first fit's cost: one fit's seconds, not four
    assert len({r.row["fit_s"] for r in shared}) == 1
    # and the rules really decide differently on that one fit (not one row copied)
    assert len({r.row["decision_params"] for r in shared}) > 1


def test_the_kept_fit_is_dropped_when_the_next_cell_needs_another_fit() -> None:
    evaluate._LAST_FIT.clear()
    first = cells_of(fold=0)[0]
    other = cells_of(fold=1)[1]  # another fold: another fit, though "prior" follows "argmax"
    run_cell(first)
    assert run_cell(other).row["fit_shared"] is False
    assert len(evaluate._LAST_FIT) == 1 and evaluate._LAST_FIT[0].key == evaluate.fit_key(other, 1, "cpu")
    assert run_cell(cells_of(fold=1)[2]).row["fit_shared"] is True


def test_shared_probabilities_are_read_only() -> None:
    """A decision rule that wrote into the probabilities would corrupt the next rule's input."""
    evaluate._LAST_FIT.clear()
    run_cell(cells_of()[2])  # tuned: the validation probabilities are computed too
    kept = evaluate._LAST_FIT[0]
    assert not kept.proba.flags.writeable and not kept.proba_val.flags.writeable
    with pytest.raises(ValueError):
        kept.proba[0, 0] = 1.0


def test_fit_groups_keep_first_seen_order_and_gather_the_rules_of_a_fit() -> None:
    a, b = cells_of(fold=0), cells_of(fold=1)
    mixed = [a[0], b[0], a[1], b[1], a[2], a[3], b[2], b[3]]
    assert fit_groups(mixed) == [a, b]
    assert fit_groups([]) == []


@pytest.mark.slow
def test_two_workers_run_each_fit_once_and_store_every_rule(tmp_path: Path) -> None:
    cells = cells_of("random_forest", fold=0) + cells_of("random_forest", fold=1)
    store = Store(tmp_path / "s")
    summary = run_cells(cells, store, workers=2, timeout_s=120)
    assert summary.statuses == {"ok": len(cells)}
    rows = store.read("cells").set_index("cell_id")
    for group in fit_groups(cells):
        got = rows.loc[[c.cell_id for c in group]]
        assert got["fit_shared"].tolist().count(False) == 1  # one fit per group
        assert got["fit_s"].nunique() == 1
    # each row equals the row of the same cell run on its own
    for c in (cells[1], cells[6]):
        alone = fresh(c).row
        for metric in ("macro_f1", "balanced_accuracy", "log_loss"):
            assert np.isclose(rows.loc[c.cell_id, metric], alone[metric], rtol=0, atol=1e-12)


def test_fit_id_is_equal_exactly_when_only_the_decision_rule_differs() -> None:
    """One definition of "the same fit" (`Cell.fit_id`) serves the executors' groups and the
    worker's reuse of its last fit: every other field changes it, the decision never does."""
    from dataclasses import replace

    from bench.core.cell import Component
    from bench.protocol.fitting import fit_key

    base = cells_of(fold=0)[0]
    assert {c.fit_id for c in cells_of(fold=0)} == {base.fit_id}  # the rules of one fit
    others = [replace(base, fold=1), replace(base, seed=base.seed + 1),
              replace(base, sampler=Component.of("class_weight")),
              replace(base, model=Component.of("logistic", {"C": 0.5})),
              replace(base, tuning="tpe(3)"), replace(base, validation=0.3)]
    ids = [c.fit_id for c in others]
    assert base.fit_id not in ids and len(set(ids)) == len(ids)
    assert len(base.fit_id) == 64  # a full sha256: no 31-bit seed collision can merge two fits
    assert fit_key(base, 1, "cpu") != fit_key(base, 2, "cpu")  # resources are part of a fit
