"""Leak-freeness and priors of the split, as properties.

- fit, validation and test rows are disjoint, and the test rows come from the outer fold's test
  part only (never rows the training part could have seen);
- the training counts are the profile's counts, the test counts are exactly the requested test
  prior's counts (`prior_counts` of the test pool);
- the test rows of a (dataset, imbalance, test prior, repeat, fold) are identical whatever the
  model, sampler, decomposition or decision rule; end to end too (`run_cell` predictions).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import StratifiedKFold, train_test_split

from bench.core.cell import Cell, Component, RunOptions
from bench.data.dataset import Dataset, DatasetError, from_arrays
from bench.data.profiles import class_counts, prior_counts, profile_shape
from bench.protocol import run_cell
from bench.protocol.split import make_split, deployment_prior

MODELS = [Component.of("dummy"), Component.of("logistic"),
          Component.of("lightgbm", {"n_estimators": 20})]
SAMPLERS = [Component.of(n) for n in ("none", "class_weight", "random_over", "smote", "enn",
                                      "cluster_centroids")]


def dataset(counts: list[int], labels: list[str] | None = None, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    names = np.array(labels or [f"k{i}" for i in range(len(counts))])
    X = rng.normal(size=(len(y), 3)) + y[:, None]
    return from_arrays("toy", X, names[y])


@st.composite
def cells(draw):
    k = draw(st.integers(2, 5))
    counts = draw(st.lists(st.integers(12, 120), min_size=k, max_size=k))
    labels = [f"k{i}" for i in range(k)]
    profile = draw(st.sampled_from(["natural", "step", "linear", "longtail"]))
    ratio = 1.0 if profile == "natural" else draw(st.sampled_from([1.0, 2.0, 3.5, 5.0, 20.0]))
    minority = draw(st.one_of(st.just("rarest"), st.just("rarest:1"),
                              st.lists(st.sampled_from(labels), min_size=1, max_size=1)
                              .map(tuple)))
    prior = draw(st.one_of(
        st.sampled_from(["same", "natural", "balanced"]),
        st.fixed_dictionaries({labels[0]: st.floats(0.5, 3)}).map(
            lambda d: tuple(sorted({**d, "*": 5.0}.items()))),
    ))
    split_kind = draw(st.sampled_from(["folds", "holdout"]))
    folds = draw(st.integers(2, 4)) if split_kind == "folds" else None
    cell = Cell(dataset=Component.of("toy", {"counts": counts}), sampler=Component.of("none"),
                model=Component.of("dummy"), profile=profile, ratio=ratio, minority=minority,
                test_prior=prior, folds=folds, holdout=None if folds else 0.3,
                fold=draw(st.integers(0, folds - 1)) if folds else 0,
                validation=draw(st.sampled_from([0.0, 0.2])), repeat=draw(st.integers(0, 2)))
    return dataset(counts, labels), cell


def outer_test_pool(ds: Dataset, cell: Cell) -> np.ndarray:
    if cell.folds is not None:
        skf = StratifiedKFold(n_splits=cell.folds, shuffle=True, random_state=cell.partition_seed)
        return list(skf.split(np.zeros(len(ds.y)), ds.y))[cell.fold][1]
    return train_test_split(np.arange(len(ds.y)), test_size=cell.holdout, stratify=ds.y,
                            random_state=cell.partition_seed)[1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells())
def test_parts_are_disjoint_and_follow_profile_and_prior(case) -> None:
    ds, cell = case
    try:
        split = make_split(ds, cell)
    except DatasetError as exc:  # too few rows for this ratio / prior / validation: named
        assert "class" in str(exc)
        return
    fit, val, test = set(split.fit), set(split.val), set(split.test)
    assert not fit & val and not fit & test and not val & test
    pool = outer_test_pool(ds, cell)
    assert test <= set(pool)  # test rows only from the outer test part
    assert not (fit | val) & set(pool)  # training rows never from it
    train_counts = np.bincount(ds.y[np.r_[split.fit, split.val].astype(int)], minlength=ds.n_classes)
    np.testing.assert_array_equal(train_counts, split.train_target)
    avail_train = np.bincount(ds.y[np.setdiff1d(np.arange(len(ds.y)), pool)], minlength=ds.n_classes)
    minority = cell.minority if isinstance(cell.minority, str) else [
        ds.labels.index(m) for m in cell.minority]
    np.testing.assert_array_equal(
        split.train_target, class_counts(avail_train, cell.ratio, cell.profile, minority,
                                         rank_counts=ds.counts))
    test_counts = np.bincount(ds.y[split.test], minlength=ds.n_classes)
    avail_test = np.bincount(ds.y[pool], minlength=ds.n_classes)
    if cell.profile == "natural" and cell.test_prior in ("same", "natural"):
        np.testing.assert_array_equal(test_counts, avail_test)
    else:
        np.testing.assert_array_equal(test_counts, prior_counts(avail_test, split.test_prior))
    # and the split never depends on the model, sampler, decomposition or decision rule
    other = Cell(**{**cell.__dict__, "model": Component.of("lightgbm"),
                    "sampler": Component.of("smote", {"k_neighbors": 3}),
                    "decomposition": "ovr", "decision": "prior"})
    again = make_split(ds, other)
    for a, b in ((split.fit, again.fit), (split.val, again.val), (split.test, again.test)):
        np.testing.assert_array_equal(a, b)


def test_same_prior_follows_the_profile_shape_not_the_rounded_counts() -> None:
    ds = dataset([180] * 3)
    cell = Cell(dataset=Component.of("toy"), sampler=Component.of("none"),
                model=Component.of("dummy"), profile="step", ratio=100, minority=("k2",),
                folds=None, holdout=0.3, validation=0.0)
    split = make_split(ds, cell)
    assert split.train_target.tolist() == [126, 126, 1]  # 1.26 rows round to 1
    assert split.test_prior[0] / split.test_prior[2] == pytest.approx(100)
    assert np.bincount(ds.y[split.test]).tolist() == [54, 54, 1]  # 0.54 rows round to 1


def test_explicit_prior_one_in_twelve() -> None:
    """`{ 1 = 1, "*" = 11 }`: class 1 is 1/12 of the test part, the rest share 11/12 naturally."""
    ds = dataset([300, 300, 150], labels=["0", "1", "2"])
    cell = Cell(dataset=Component.of("toy"), sampler=Component.of("none"),
                model=Component.of("dummy"), profile="step", ratio=1,
                test_prior=(("*", 11.0), ("1", 1.0)), folds=3)
    p = deployment_prior(ds, cell, profile_shape(ds.counts, 1, "step"))
    assert p.tolist() == pytest.approx([11 / 12 * 2 / 3, 1 / 12, 11 / 12 / 3])
    split = make_split(ds, cell)
    counts = np.bincount(ds.y[split.test], minlength=3)
    assert counts[1] / counts.sum() == pytest.approx(1 / 12, abs=0.01)
    # training is balanced (ratio 1), the test part is not
    assert len(set(split.train_target.tolist())) == 1


def test_bad_priors_and_labels_are_named() -> None:
    ds = dataset([60, 60, 60], labels=["a", "b", "c"])
    base = dict(dataset=Component.of("toy"), sampler=Component.of("none"),
                model=Component.of("dummy"), profile="step", ratio=2, folds=3)
    with pytest.raises(DatasetError, match=r"no share to class\(es\) \['b', 'c'\]"):
        make_split(ds, Cell(**base, test_prior=(("a", 1.0),)))
    with pytest.raises(DatasetError, match="'x' not found"):
        make_split(ds, Cell(**base, test_prior=(("x", 1.0), ("*", 1.0))))
    with pytest.raises(DatasetError, match="'z' not found"):
        make_split(ds, Cell(**base, minority=("z",)))
    with pytest.raises(DatasetError, match="every class"):
        make_split(ds, Cell(**base, test_prior=(("*", 1.0), ("a", 1.0), ("b", 1.0), ("c", 1.0))))
    small = dataset([60, 60, 3], labels=["a", "b", "rare"])
    with pytest.raises(DatasetError, match=r"class 'rare' has 3 row\(s\); a 5-fold stratified"):
        make_split(small, Cell(**{**base, "folds": 5}))


def test_test_rows_identical_across_models_and_samplers_end_to_end() -> None:
    """Through run_cell: every model x sampler of one (dataset, imbalance, prior, repeat, fold)
    is scored on exactly the same test rows (the predictions table names them)."""
    base = dict(dataset=Component.of("make-classification", {"n_samples": 600}), profile="step",
                ratio=5, minority="rarest", test_prior="same", folds=3, fold=1, validation=0.2)
    rows = {}
    for model in MODELS:
        for sampler in SAMPLERS:
            cell = Cell(model=model, sampler=sampler, **base)
            result = run_cell(cell, options=RunOptions(store_predictions=True))
            assert result.row["status"] == "ok", result.row.get("error")
            rows[(model.name, sampler.name)] = result.predictions["row"].to_numpy()
            assert result.row["test_prior"] == "same"
    first = next(iter(rows.values()))
    assert all(np.array_equal(first, r) for r in rows.values())


def test_outer_partition_is_computed_once_per_repeat_and_matches_the_uncached_split(monkeypatch) -> None:
    """All folds of a repeat share one StratifiedKFold partition: computed once per process,
    the same test rows as computing it per fold, read-only, and never served for another
    dataset of the same length."""
    import bench.data.partition as partition

    calls = []
    real_split = StratifiedKFold.split

    def counting(self, X, y=None, groups=None):
        calls.append(self.random_state)
        return real_split(self, X, y, groups)

    monkeypatch.setattr(StratifiedKFold, "split", counting)
    partition._POOLS.clear()
    a, b = dataset([40, 25, 15], seed=1), dataset([15, 25, 40], seed=2)  # same length, other labels
    for ds in (a, b, a):
        tests = []
        for fold in range(4):
            cell = Cell(dataset=Component.of("toy"), sampler=Component.of("none"),
                        model=Component.of("dummy"), profile="natural", folds=4, fold=fold)
            split = make_split(ds, cell)
            assert np.array_equal(split.test, np.sort(outer_test_pool(ds, cell)))
            tests.append(split.test)
            train_pool, test_pool = partition.outer_pools(ds, cell)[fold]
            assert not train_pool.flags.writeable and not test_pool.flags.writeable
        assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(len(ds.y)))  # disjoint, complete
    # the partition per dataset once (2), plus the reference's own 3 x 4 computations
    assert len(calls) == 2 + 12
