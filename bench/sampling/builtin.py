"""Sampling strategies: imbalanced-learn samplers, and class weights as a strategy of its own.

Why: a sampler must only ever touch the training part, so it lives inside an
`imblearn.pipeline.Pipeline` (samplers act in `fit` only, never in `predict`), after the encoder
(`bench.protocol.encode`) and before the model. Class weights are one strategy with one meaning in every
library: per-sample weights w_c = n / (k * n_c) passed to `fit`.

Multiclass-safe `sampling_strategy` (a string; imbalanced-learn's float form is binary-only and
refused). `"auto"` (the default) means:
- over-samplers (random_over, smote, smotenc, borderline_smote, svm_smote, adasyn, and the SMOTE
  step of smote_tomek / smote_enn): `"not majority"`: every class is raised to the majority count;
- random_under, near_miss, cluster_centroids: `"not minority"`: every class is cut to the minority
  count (never below it);
- cleaning samplers (tomek, enn): the classes with at least the mean training count (the
  majority side). imbalanced-learn's own "auto" ("not minority") lets ENN wipe out a small class
  that is not *the* minority in a long tail; this default never cleans a class below the mean.
  The cleaning step of smote_tomek / smote_enn runs after SMOTE balanced every class and cleans
  all classes, as in imbalanced-learn.
Other accepted values are imbalanced-learn's strings for the sampler's kind: over: `minority`,
`not minority`, `not majority`, `all`; under and cleaning: `majority`, `not minority`,
`not majority`, `all`.

Neighbours: SMOTE-family samplers (smote, smotenc, borderline_smote, svm_smote, adasyn,
smote_tomek, smote_enn) use k neighbours *within* each class they oversample, so k shrinks to
(smallest oversampled class - 1) when that class is smaller than k + 1; near_miss shrinks
`n_neighbors` to the minority count likewise. The effective values and every adjustment are
recorded in the row's `sampler_params`. A class with a single training row cannot be
oversampled by interpolation at all: the cell's status is `skipped` with a message naming the
class (`NotApplicable`); so is a cell where imbalanced-learn itself declares the algorithm
unsuited to the data (ADASYN: no row of a class has a neighbour of another class; SVM-SMOTE:
every support vector is noise). Any other sampler failure is an `error` naming the sampler.

Categorical columns (ordinal codes from `bench.protocol.encode`): `smote` and `smotenc` become SMOTE-NC
(SMOTE-N when every column is categorical); every other neighbour-based sampler runs in a one-hot
space (`CategoricalSpace`: each categorical column one indicator block scaled by the median
standard deviation of the numeric columns, as SMOTE-NC does) and synthetic or centroid rows are
decoded back to the category with the largest indicator, so resampled rows always carry valid
codes. random_over / random_under only copy or drop rows and take the codes as they are.
`smotenc` on data without categorical columns is plain SMOTE (noted in `sampler_params`).

Missing values: random_over, random_under, none and class_weight pass NaN through; every other
sampler needs the encoder to impute first (`handles_missing=False`).
"""

from typing import Any

import numpy as np

from bench.core.space import Choice, Int, SearchSpace
from bench.sampling.registry import (
    NOOP,
    OVER_STRATEGIES,
    UNDER_STRATEGIES,
    NotApplicable,
    SamplerContext,
    sampler,
)
from bench.sampling.wrappers import CategoricalSpace


# ---- strategy and neighbour helpers ---------------------------------------------------------
def _strategy(params: dict[str, Any], kind: str, ctx: SamplerContext) -> Any:
    s = params.get("sampling_strategy", "auto")
    allowed = OVER_STRATEGIES if kind in ("over", "combine") else UNDER_STRATEGIES
    if s not in allowed:
        raise ValueError(f"sampling_strategy {s!r}; allowed for this sampler: {', '.join(allowed)}")
    if s == "auto" and kind in ("over", "combine", "under"):
        s = "not minority" if kind == "under" else "not majority"
    if kind in ("over", "under"):
        _note_nothing_to_do(np.asarray(ctx.counts), s, kind, ctx)
    if s != "auto":
        return s
    counts = np.asarray(ctx.counts, dtype=float)  # clean: the majority side
    present = counts > 0
    chosen = [int(c) for c in np.flatnonzero(present & (counts >= counts[present].mean()))]
    ctx.notes["cleaned_classes"] = [ctx.label(c) for c in chosen]
    return chosen


def _undersampled(counts: np.ndarray, strategy: str) -> list[int]:
    """Classes an under-sampler will cut (imbalanced-learn's rules for the strategy): the chosen
    classes above the minority count."""
    present = np.flatnonzero(counts > 0)
    low = counts[present].min()
    majority = int(present[np.argmax(counts[present])])
    minority = int(present[np.argmin(counts[present])])
    chosen = {"majority": [majority], "not minority": [c for c in present if c != minority],
              "not majority": [c for c in present if c != majority]}.get(strategy, list(present))
    return [int(c) for c in chosen if counts[c] > low]


def _note_nothing_to_do(counts: np.ndarray, strategy: str, kind: str, ctx: SamplerContext) -> None:
    """Record a no-op in `sampler_params` when the training counts leave nothing to resample
    (e.g. an over-sampler on classes that all have the majority count already)."""
    if not (counts > 0).any():
        return
    targets = _oversampled(counts, strategy) if kind == "over" else _undersampled(counts, strategy)
    if not targets:
        side, n = (("majority", counts.max()) if kind == "over"
                   else ("minority", counts[counts > 0].min()))
        ctx.notes[NOOP] = (f"nothing to resample: the classes sampling_strategy {strategy!r} "
                           f"targets already have the {side} count ({int(n)} rows)")


def _oversampled(counts: np.ndarray, strategy: Any) -> list[int]:
    """Classes an over-sampler will add rows to (imbalanced-learn's rules for the strategy)."""
    present = np.flatnonzero(counts > 0)
    top = counts.max()
    minority = int(present[np.argmin(counts[present])])
    if strategy == "minority":
        chosen = [minority]
    elif strategy == "not minority":
        chosen = [int(c) for c in present if c != minority]
    else:  # not majority, all: every class below the majority count
        chosen = [int(c) for c in present]
    return [c for c in chosen if counts[c] < top]


def _shrink(name: str, key: str, requested: int, ctx: SamplerContext, strategy: Any) -> int:
    """Neighbours within the smallest oversampled class: at most its size - 1."""
    counts = np.asarray(ctx.counts)
    classes = _oversampled(counts, strategy)
    if not classes:
        ctx.notes[key] = requested
        return requested
    smallest = min(classes, key=lambda c: (counts[c], c))
    n = int(counts[smallest])
    if n < 2:
        raise NotApplicable(
            f"{name}: class {ctx.label(smallest)!r} has {n} training row(s); interpolating "
            f"needs at least 2 rows in every class it oversamples (training counts "
            f"{dict(zip(ctx.labels or map(str, range(len(counts))), counts.tolist()))})")
    k = min(int(requested), n - 1)
    ctx.notes[key] = k
    if k < requested:
        ctx.notes["adjusted"] = (f"{key} {requested} -> {k}: class {ctx.label(smallest)!r} has "
                                 f"{n} training rows")
    return k


def _in_space(sampler: Any, ctx: SamplerContext) -> Any:
    if not ctx.categorical:
        return sampler
    ctx.notes["space"] = "one-hot categorical blocks"
    return CategoricalSpace(sampler, ctx.categorical, ctx.n_categories)


# ---- factories (registered in this order) ------------------------------------------------------
_OVER = {"sampling_strategy": OVER_STRATEGIES}
_UNDER = {"sampling_strategy": UNDER_STRATEGIES}

# ---- search spaces (the `tuning` axis, docs/samplers.md#search-spaces) --------------------------
# Neighbour counts follow smote_variants' parameter grids (Kovács, 2019, "An empirical comparison
# and evaluation of minority oversampling techniques on a large number of imbalanced datasets",
# Applied Soft Computing; analyticalmindsltd/smote_variants, each oversampler's
# parameter_combinations); its `proportion` has no multiclass-safe counterpart here (a string
# sampling_strategy only), so it is left out. k above a class's size shrinks as documented above.
_KOVACS = "smote_variants (Kovács, 2019), analyticalmindsltd/smote_variants smote_variants/{}"
_K = Choice((3, 5, 7, 11, 17))
_SMOTE_SPACE = SearchSpace({"k_neighbors": _K},
                           _KOVACS.format("oversampling/_smote.py: n_neighbors grid"))
_BORDERLINE_SPACE = SearchSpace(
    {"k_neighbors": _K, "m_neighbors": _K, "kind": Choice(("borderline-1", "borderline-2"))},
    _KOVACS.format("oversampling/_borderline_smote.py: k_neighbors and n_neighbors (the danger "
                   "test, imbalanced-learn's m_neighbors) grids, Borderline-SMOTE1 and 2"))
_SVM_SMOTE_SPACE = SearchSpace(
    {"k_neighbors": _K, "m_neighbors": _K},
    "ours: smote_variants has no SVM-SMOTE grid; the Borderline-SMOTE grids of "
    + _KOVACS.format("oversampling/_borderline_smote.py") + " (same two neighbour roles)")
_ADASYN_SPACE = SearchSpace({"n_neighbors": Choice((3, 5, 7, 9, 11, 17))},
                            _KOVACS.format("oversampling/_adasyn.py: n_neighbors grid"))
_RANDOM_OVER_SPACE = SearchSpace(
    {"sampling_strategy": Choice(("not majority", "minority"))},
    "ours: raise every class to the majority count (auto) or only the smallest one")
_RANDOM_UNDER_SPACE = SearchSpace(
    {"sampling_strategy": Choice(("not minority", "majority"))},
    "ours: cut every class to the minority count (auto) or only the largest one")
_ENN_SPACE = SearchSpace(
    {"n_neighbors": Int(1, 7), "kind_sel": Choice(("all", "mode"))},
    "ours: no published grid; neighbours around imbalanced-learn's 3 (Wilson's editing rule "
    "uses 3), both selection rules")
_NEAR_MISS_SPACE = SearchSpace(
    {"version": Choice((1, 2, 3)), "n_neighbors": Int(1, 7)},
    "ours: no published grid; the three NearMiss versions (Mani and Zhang, 2003) and neighbours "
    "around imbalanced-learn's 3")


@sampler("none", kind="none", handles_missing=True,
         description="no treatment: train on the imbalanced data as is")
def _none(params: dict[str, Any], ctx: SamplerContext) -> None:
    return None


@sampler("class_weight", kind="weight", handles_missing=True, class_weight=True,
         description="per-sample weights n / (k * n_c) passed to fit")
def _class_weight(params: dict[str, Any], ctx: SamplerContext) -> None:
    return None  # the protocol passes class_weights(y) to fit instead of resampling


def _smote_like(params: dict[str, Any], ctx: SamplerContext, name: str) -> Any:
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    strategy = _strategy(params, "over", ctx)
    k = _shrink(name, "k_neighbors", params["k_neighbors"], ctx, strategy)
    if ctx.categorical and len(ctx.categorical) == ctx.n_features:
        ctx.notes["algorithm"] = "SMOTEN"
        return SMOTEN(sampling_strategy=strategy, k_neighbors=k, random_state=ctx.seed)
    if ctx.categorical:
        ctx.notes["algorithm"] = "SMOTENC"
        return SMOTENC(categorical_features=list(ctx.categorical), sampling_strategy=strategy,
                       k_neighbors=k, random_state=ctx.seed)
    ctx.notes["algorithm"] = "SMOTE"
    if name == "smotenc":
        ctx.notes["note"] = "no categorical columns: plain SMOTE"
    return SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=ctx.seed)


@sampler("smote", {"k_neighbors": 5, "sampling_strategy": "auto"}, choices=_OVER,
         space=_SMOTE_SPACE,
         description="SMOTE (SMOTE-NC with categorical columns); k shrinks for small classes")
def _smote(params: dict[str, Any], ctx: SamplerContext) -> Any:
    return _smote_like(params, ctx, "smote")


@sampler("smotenc", {"k_neighbors": 5, "sampling_strategy": "auto"}, choices=_OVER,
         description="SMOTE-NC for mixed numeric / categorical data (SMOTE-N if all "
                     "categorical, SMOTE if none)", space=_SMOTE_SPACE)
def _smotenc(params: dict[str, Any], ctx: SamplerContext) -> Any:
    return _smote_like(params, ctx, "smotenc")


@sampler("borderline_smote", {"k_neighbors": 5, "m_neighbors": 10, "kind": "borderline-1",
                             "sampling_strategy": "auto"},
         choices={**_OVER, "kind": ("borderline-1", "borderline-2")},
         description="SMOTE on the rows near the class border (Borderline-SMOTE)",
         space=_BORDERLINE_SPACE)
def _borderline(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.over_sampling import BorderlineSMOTE

    strategy = _strategy(params, "over", ctx)
    k = _shrink("borderline_smote", "k_neighbors", params["k_neighbors"], ctx, strategy)
    return _in_space(BorderlineSMOTE(sampling_strategy=strategy, k_neighbors=k,
                                     m_neighbors=params["m_neighbors"], kind=params["kind"],
                                     random_state=ctx.seed), ctx)


@sampler("svm_smote", {"k_neighbors": 5, "m_neighbors": 10, "sampling_strategy": "auto"},
         choices=_OVER, description="SMOTE along an SVM's support vectors (SVM-SMOTE)",
         space=_SVM_SMOTE_SPACE)
def _svm_smote(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.over_sampling import SVMSMOTE

    strategy = _strategy(params, "over", ctx)
    k = _shrink("svm_smote", "k_neighbors", params["k_neighbors"], ctx, strategy)
    return _in_space(SVMSMOTE(sampling_strategy=strategy, k_neighbors=k,
                              m_neighbors=params["m_neighbors"], random_state=ctx.seed), ctx)


@sampler("adasyn", {"n_neighbors": 5, "sampling_strategy": "auto"}, choices=_OVER,
         description="ADASYN: more synthetic rows where a class is harder", space=_ADASYN_SPACE)
def _adasyn(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.over_sampling import ADASYN

    strategy = _strategy(params, "over", ctx)
    k = _shrink("adasyn", "n_neighbors", params["n_neighbors"], ctx, strategy)
    return _in_space(ADASYN(sampling_strategy=strategy, n_neighbors=k, random_state=ctx.seed), ctx)


@sampler("random_over", {"sampling_strategy": "auto"}, kind="over", handles_missing=True,
         choices=_OVER, description="duplicate random rows of each class up to the majority count",
         space=_RANDOM_OVER_SPACE)
def _random_over(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.over_sampling import RandomOverSampler

    return RandomOverSampler(sampling_strategy=_strategy(params, "over", ctx), random_state=ctx.seed)


@sampler("random_under", {"sampling_strategy": "auto"}, kind="under", handles_missing=True,
         choices=_UNDER, description="drop random rows of each class down to the minority count",
         space=_RANDOM_UNDER_SPACE)
def _random_under(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.under_sampling import RandomUnderSampler

    return RandomUnderSampler(sampling_strategy=_strategy(params, "under", ctx),
                              random_state=ctx.seed)


@sampler("tomek", {"sampling_strategy": "auto"}, kind="clean", choices=_UNDER,
         description="remove Tomek links from the majority side")
def _tomek(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.under_sampling import TomekLinks

    return _in_space(TomekLinks(sampling_strategy=_strategy(params, "clean", ctx)), ctx)


@sampler("enn", {"n_neighbors": 3, "kind_sel": "all", "sampling_strategy": "auto"},
         kind="clean", choices={**_UNDER, "kind_sel": ("all", "mode")},
         description="Edited Nearest Neighbours on the majority side", space=_ENN_SPACE)
def _enn(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.under_sampling import EditedNearestNeighbours

    return _in_space(EditedNearestNeighbours(sampling_strategy=_strategy(params, "clean", ctx),
                                             n_neighbors=params["n_neighbors"],
                                             kind_sel=params["kind_sel"]), ctx)


@sampler("near_miss", {"version": 1, "n_neighbors": 3, "n_neighbors_ver3": 3,
                      "sampling_strategy": "auto"},
         kind="under", choices={**_UNDER, "version": (1, 2, 3)},
         description="NearMiss under-sampling down to the minority count", space=_NEAR_MISS_SPACE)
def _near_miss(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.under_sampling import NearMiss

    strategy = _strategy(params, "under", ctx)
    counts = np.asarray(ctx.counts)
    smallest = int(counts[counts > 0].min())
    n = min(int(params["n_neighbors"]), smallest)
    n3 = min(int(params["n_neighbors_ver3"]), smallest)
    ctx.notes.update(n_neighbors=n, n_neighbors_ver3=n3)
    if (n, n3) != (params["n_neighbors"], params["n_neighbors_ver3"]):
        ctx.notes["adjusted"] = (f"n_neighbors {params['n_neighbors']} -> {n}, n_neighbors_ver3 "
                                 f"{params['n_neighbors_ver3']} -> {n3}: the minority class has "
                                 f"{smallest} training rows")
    return _in_space(NearMiss(sampling_strategy=strategy, version=params["version"],
                              n_neighbors=n, n_neighbors_ver3=n3), ctx)


@sampler("cluster_centroids", {"voting": "auto", "sampling_strategy": "auto"}, kind="under",
         choices={**_UNDER, "voting": ("auto", "hard", "soft")},
         description="replace each class by k-means centroids down to the minority count")
def _cluster_centroids(params: dict[str, Any], ctx: SamplerContext) -> Any:
    from imblearn.under_sampling import ClusterCentroids
    from sklearn.cluster import KMeans

    return _in_space(ClusterCentroids(sampling_strategy=_strategy(params, "under", ctx),
                                      estimator=KMeans(n_init=1, random_state=ctx.seed),
                                      voting=params["voting"], random_state=ctx.seed), ctx)


def _smote_then_clean(name: str, params: dict[str, Any], ctx: SamplerContext) -> Any:
    """SMOTE raising every class to the majority, then a cleaner on all classes (imblearn)."""
    from imblearn.combine import SMOTEENN, SMOTETomek
    from imblearn.over_sampling import SMOTE
    from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks

    strategy = _strategy(params, "combine", ctx)
    k = _shrink(name, "k_neighbors", params["k_neighbors"], ctx, strategy)
    smote = SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=ctx.seed)
    if name == "smote_tomek":
        combined = SMOTETomek(smote=smote, tomek=TomekLinks(sampling_strategy="all"),
                              random_state=ctx.seed)
    else:
        combined = SMOTEENN(smote=smote, enn=EditedNearestNeighbours(sampling_strategy="all"),
                            random_state=ctx.seed)
    return _in_space(combined, ctx)


@sampler("smote_tomek", {"k_neighbors": 5, "sampling_strategy": "auto"}, kind="combine",
         choices=_OVER, description="SMOTE, then remove Tomek links (all classes)",
         space=_SMOTE_SPACE)
def _smote_tomek(params: dict[str, Any], ctx: SamplerContext) -> Any:
    return _smote_then_clean("smote_tomek", params, ctx)


@sampler("smote_enn", {"k_neighbors": 5, "sampling_strategy": "auto"}, kind="combine",
         choices=_OVER, description="SMOTE, then Edited Nearest Neighbours (all classes)",
         space=_SMOTE_SPACE)
def _smote_enn(params: dict[str, Any], ctx: SamplerContext) -> Any:
    return _smote_then_clean("smote_enn", params, ctx)
