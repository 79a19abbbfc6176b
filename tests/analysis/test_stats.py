"""Cross-dataset statistics: a hand-computable 3 x 4 fixture, Demšar's (2006) worked example, and
the reference implementations (scipy, scikit-posthocs, statsmodels) on random data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from bench.analysis import distributions, stats

# Three contenders on four tasks (higher is better). By hand:
#   ranks  t1: 1 2 3   t2: 3 1 2   t3: 1.5 1.5 3   t4: 1 2 3
HAND = pd.DataFrame({"A": [0.9, 0.6, 0.5, 0.9], "B": [0.8, 0.8, 0.5, 0.6],
                     "C": [0.7, 0.7, 0.4, 0.3]}, index=["t1", "t2", "t3", "t4"])

# Demšar (2006), Table 6: AUC of C4.5 with/without pruning (cf) and curtailed leaves (m) on 14 UCI
# data sets. The table's three digits tie C4.5+cf and C4.5+m+cf on "voting" (0.975); the
# published ranks (2.893 and 1.964) put C4.5+cf ahead there, as its unrounded AUC was, so the
# ranked copy breaks that tie by 1e-5.
DEMSAR_NAMES = ["C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"]
DEMSAR = pd.DataFrame([
    [0.763, 0.768, 0.771, 0.798], [0.599, 0.591, 0.590, 0.569], [0.954, 0.971, 0.968, 0.967],
    [0.628, 0.661, 0.654, 0.657], [0.882, 0.888, 0.886, 0.898], [0.936, 0.931, 0.916, 0.931],
    [0.661, 0.668, 0.609, 0.685], [0.583, 0.583, 0.563, 0.625], [0.775, 0.838, 0.866, 0.875],
    [1.000, 1.000, 1.000, 1.000], [0.940, 0.962, 0.965, 0.962], [0.619, 0.666, 0.614, 0.669],
    [0.972, 0.981, 0.975, 0.975], [0.957, 0.978, 0.946, 0.970]], columns=DEMSAR_NAMES,
    index=["adult (sample)", "breast cancer", "breast cancer wisconsin", "cmc", "ionosphere",
           "iris", "liver disorders", "lung cancer", "lymphography", "mushroom",
           "primary tumor", "rheum", "voting", "wine"])
DEMSAR_RANKED = DEMSAR.copy()
DEMSAR_RANKED.loc["voting", "C4.5+cf"] += 1e-5


# ---- hand-computable fixture ----------------------------------------------------------------
def test_mean_ranks_by_hand_average_ties() -> None:
    ranks = stats.rank_matrix(HAND, "max")
    assert ranks.loc["t3"].tolist() == [1.5, 1.5, 3.0]
    assert stats.mean_ranks(HAND, "max").tolist() == [6.5 / 4, 6.5 / 4, 11 / 4]


def test_direction_min_reverses_the_ranks() -> None:
    # lowest is best: t1 3 2 1, t2 1 3 2, t3 2.5 2.5 1, t4 3 2 1
    assert stats.mean_ranks(HAND, "min").tolist() == [9.5 / 4, 9.5 / 4, 5 / 4]


def test_wins_ties_losses_and_win_rate_by_hand() -> None:
    wm = stats.win_matrix(HAND, "max")
    assert wm.wins.loc["A", "B"] == 2 and wm.ties.loc["A", "B"] == 1 and wm.losses.loc["A", "B"] == 1
    assert wm.wins.loc["A", "C"] == 3 and wm.losses.loc["A", "C"] == 1
    assert wm.wins.loc["B", "C"] == 4 and wm.wins.loc["C", "B"] == 0
    assert wm.rate.loc["A", "B"] == pytest.approx(2.5 / 4)
    assert math.isnan(wm.rate.loc["A", "A"])
    assert wm.win_rate().tolist() == pytest.approx([5.5 / 8, 5.5 / 8, 1 / 8])


def test_normalized_by_hand() -> None:
    norm = stats.normalized(HAND, "max")
    assert norm.loc["t1"].tolist() == pytest.approx([1, 0.5, 0])
    assert norm.loc["t2"].tolist() == pytest.approx([0, 1, 0.5])
    assert norm.loc["t3"].tolist() == pytest.approx([1, 1, 0])
    assert norm.mean().tolist() == pytest.approx([0.75, 0.75, 0.125])
    # "min": the lowest score is the best
    assert stats.normalized(HAND, "min").loc["t1"].tolist() == pytest.approx([0, 0.5, 1])
    # all equal: everyone is the best
    assert stats.normalized(pd.DataFrame({"a": [1.0], "b": [1.0]}), "max").iloc[0].tolist() == [1, 1]


def test_improvability_by_hand() -> None:
    imp = stats.improvability(HAND, "max")  # (best - score) / best
    assert imp.loc["t1"].tolist() == pytest.approx([0, 0.1 / 0.9, 0.2 / 0.9])
    assert imp.loc["t4"].tolist() == pytest.approx([0, 0.3 / 0.9, 0.6 / 0.9])
    assert imp.mean().tolist() == pytest.approx([
        0.25 / 4, (0.1 / 0.9 + 0.3 / 0.9) / 4, (0.2 / 0.9 + 0.1 / 0.8 + 0.1 / 0.5 + 0.6 / 0.9) / 4])
    # "min" (an error): (score - best) / score, the share of the error the best removes
    err = pd.DataFrame({"a": [0.1], "b": [0.4]})
    assert stats.improvability(err, "min").iloc[0].tolist() == pytest.approx([0, 0.75])


def test_na_is_left_out_not_ranked() -> None:
    scores = HAND.copy()
    scores.loc["t2", "C"] = np.nan
    ranks = stats.rank_matrix(scores, "max")
    assert math.isnan(ranks.loc["t2", "C"]) and ranks.loc["t2", "B"] == 1
    assert stats.complete(scores).index.tolist() == ["t1", "t3", "t4"]
    wm = stats.win_matrix(scores, "max")
    assert wm.wins.loc["B", "C"] + wm.ties.loc["B", "C"] + wm.losses.loc["B", "C"] == 3
    assert math.isnan(stats.normalized(scores, "max").loc["t2", "C"])
    assert stats.friedman(scores).n == 3  # complete blocks only


# ---- Demšar (2006) ------------------------------------------------------------------------
def test_demsar_mean_ranks() -> None:
    ranks = stats.mean_ranks(DEMSAR_RANKED, "max")
    assert ranks.round(3).tolist() == [3.143, 2.000, 2.893, 1.964]
    # the table as printed (voting tied): C4.5+cf and C4.5+m+cf share rank 2.5 there
    assert stats.mean_ranks(DEMSAR, "max").round(3).tolist() == [3.143, 2.000, 2.929, 1.929]


def test_demsar_friedman_and_iman_davenport() -> None:
    fr = stats.friedman(DEMSAR_RANKED, "max")
    assert fr.chi2_demsar == pytest.approx(9.28, abs=0.005)
    assert fr.f_stat == pytest.approx(3.69, abs=0.005)
    assert (fr.n, fr.k) == (14, 4)
    # the paper: F(3, 39) critical value 2.85 at 0.05, so the null is rejected
    assert sps.f.ppf(0.95, 3, 39) == pytest.approx(2.85, abs=0.01) and fr.f_p < 0.05
    # scipy's statistic (tie-corrected) is the one reported as friedman_stat / friedman_p
    ref = sps.friedmanchisquare(*DEMSAR_RANKED.to_numpy().T)
    assert fr.statistic == pytest.approx(ref.statistic) and fr.p == pytest.approx(ref.pvalue)


def test_demsar_critical_difference() -> None:
    assert stats.nemenyi_q(4, 0.05) == pytest.approx(2.569, abs=0.0005)  # Table 5(a)
    assert stats.nemenyi_cd(4, 14, 0.05) == pytest.approx(1.25, abs=0.005)
    assert stats.nemenyi_q(4, 0.10) == pytest.approx(2.291, abs=0.0005)  # Table 5(b)
    # by the formula, from the paper's q
    assert stats.nemenyi_cd(4, 14, 0.05) == pytest.approx(2.569 * math.sqrt(4 * 5 / (6 * 14)),
                                                          abs=1e-3)


def test_demsar_wilcoxon_c45_vs_c45m() -> None:
    """Sec. 3.1.3: C4.5 against C4.5+m, R+ = 93, R- = 12 (zero differences split), T = 12."""
    pair = stats.wilcoxon_holm(DEMSAR, "max", order=["C4.5+m", "C4.5"])
    row = pair.iloc[0]
    assert row["statistic"] == 12
    assert (row["wins"], row["ties"], row["losses"]) == (10, 2, 2)
    assert row["p"] < 0.05  # the paper: T = 12 < 21, the critical value for N = 14


# ---- against the reference implementations ------------------------------------------------
def random_scores(seed: int, n: int = 12, k: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) + np.linspace(0, 1, k)
    return pd.DataFrame(X.round(1), columns=[f"c{i}" for i in range(k)])  # rounding: ties


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_friedman_matches_scipy(seed: int) -> None:
    scores = random_scores(seed)  # rounded to one decimal: ties within tasks
    fr = stats.friedman(scores, "max")
    ref = sps.friedmanchisquare(*scores.to_numpy().T)
    assert fr.statistic == pytest.approx(ref.statistic) and fr.p == pytest.approx(ref.pvalue)


@pytest.mark.parametrize("k", [2, 3, 4, 15, 60])
def test_studentized_range_matches_scipy(k: int) -> None:
    q = np.linspace(0, 7, 15)
    np.testing.assert_allclose(stats.studentized_range_sf(q, k),
                               sps.studentized_range.sf(q, k, np.inf), atol=1e-9)
    for alpha in (0.01, 0.05, 0.10):
        assert stats.studentized_range_isf(alpha, k) == pytest.approx(
            sps.studentized_range.ppf(1 - alpha, k, np.inf), abs=1e-8)


def test_ranks_ties_and_tails_match_scipy() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(0, 4, size=(9, 6)).astype(float)
    np.testing.assert_allclose(distributions.average_ranks(x, axis=1), sps.rankdata(x, axis=1))
    np.testing.assert_allclose(distributions.average_ranks(x, axis=0), sps.rankdata(x, axis=0))
    # groups of equal values in a row: t^3 - t summed
    assert distributions.tie_term(np.array([[1.0, 1.0, 2.0, 2.0, 2.0]]), axis=1)[0] == 6 + 24
    assert distributions.f_sf(3.69, 3, 39) == pytest.approx(sps.f.sf(3.69, 3, 39))
    for n in (1, 5, 20, 50):  # the exact null distribution of the signed-rank statistic
        pmf = distributions._signed_rank_pmf(n)
        assert pmf.sum() == pytest.approx(1) and len(pmf) == n * (n + 1) // 2 + 1


@pytest.mark.parametrize("seed", [0, 1])
def test_nemenyi_matches_scikit_posthocs(seed: int) -> None:
    sp = pytest.importorskip("scikit_posthocs")  # the test extra; installed by make
    scores = random_scores(seed, n=15, k=5)
    ours = stats.nemenyi_pvalues(scores, "max")
    ref = sp.posthoc_nemenyi_friedman(scores.to_numpy())
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), atol=1e-6)
    dem = sp.posthoc_nemenyi_friedman(DEMSAR_RANKED.to_numpy())
    np.testing.assert_allclose(stats.nemenyi_pvalues(DEMSAR_RANKED).to_numpy(), dem.to_numpy(),
                               atol=1e-6)


@pytest.mark.parametrize("seed", [0, 3])
def test_wilcoxon_matches_scipy_and_holm_matches_statsmodels(seed: int) -> None:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    scores = random_scores(seed, n=10, k=4)
    pairs = stats.wilcoxon_holm(scores, "max")
    assert len(pairs) == 6
    for row in pairs.itertuples():
        ref = sps.wilcoxon(scores[row.a], scores[row.b], zero_method="zsplit")
        assert row.statistic == pytest.approx(ref.statistic) and row.p == pytest.approx(ref.pvalue)
    expected = multitest.multipletests(pairs["p"], method="holm")[1]
    np.testing.assert_allclose(pairs["p_holm"], expected)
    assert (pairs["significant"] == (pairs["p_holm"] < 0.05)).all()


@pytest.mark.parametrize("n,ties", [(5, True), (12, True), (20, True), (30, False), (60, False),
                                     (8, False)])
def test_vectorised_wilcoxon_matches_scipy_per_pair(n: int, ties: bool) -> None:
    """Each column gets the method scipy's "auto" picks for it alone: exact, all sign flips
    (ties or zeros, n <= 13) or the normal approximation."""
    rng = np.random.default_rng(n)
    d = (rng.integers(-3, 4, size=(n, 6)) * 0.1 if ties else rng.normal(size=(n, 6)))
    d = d[:, ~(d == 0).all(axis=0)]
    stat, p = stats.wilcoxon_columns(d)
    for j in range(d.shape[1]):
        ref = sps.wilcoxon(d[:, j], zero_method="zsplit")
        assert stat[j] == pytest.approx(ref.statistic) and p[j] == pytest.approx(ref.pvalue)


def test_wilcoxon_with_missing_tasks_uses_each_pairs_own_tasks() -> None:
    scores = random_scores(4, n=9, k=3)
    scores.loc[[0, 1], "c2"] = np.nan
    pairs = stats.wilcoxon_holm(scores, "max").set_index(["a", "b"])
    assert pairs.loc[("c0", "c1"), "n"] == 9 and pairs.loc[("c0", "c2"), "n"] == 7
    ref = sps.wilcoxon(scores["c0"][2:], scores["c2"][2:], zero_method="zsplit")
    assert pairs.loc[("c0", "c2"), "p"] == pytest.approx(ref.pvalue)


def test_identical_contenders_are_not_different() -> None:
    same = pd.DataFrame({"a": [0.1, 0.2, 0.3], "b": [0.1, 0.2, 0.3], "c": [0.1, 0.2, 0.3]})
    pairs = stats.wilcoxon_holm(same, "max")
    assert (pairs["p"] == 1).all() and not pairs["significant"].any()
    fr = stats.friedman(same)
    assert fr.p == 1 and fr.statistic == 0


def test_holm_by_hand() -> None:
    np.testing.assert_allclose(stats.holm(np.array([0.01, 0.04, 0.03, np.nan])),
                               [0.03, 0.06, 0.06, np.nan])


# ---- bootstrap and Elo ----------------------------------------------------------------------
def test_bootstrap_mean_ci_is_deterministic_and_brackets_the_mean() -> None:
    a = stats.bootstrap_mean_ci(DEMSAR, n_boot=500, seed=3)
    b = stats.bootstrap_mean_ci(DEMSAR, n_boot=500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a["mean"].tolist() == pytest.approx(DEMSAR.mean().tolist())
    assert (a["ci_lo"] <= a["mean"]).all() and (a["mean"] <= a["ci_hi"]).all()
    const = stats.bootstrap_mean_ci(pd.DataFrame({"x": [0.5] * 6}), n_boot=50)
    assert const.loc["x"].tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_elo_two_contenders_closed_form() -> None:
    """With two contenders the Bradley-Terry fit is closed-form: the odds of A beating B are
    (wins + prior/2) / (losses + prior/2), so Elo_A - Elo_B = 400 log10 of that."""
    scores = pd.DataFrame({"A": [0.9, 0.8, 0.7, 0.1], "B": [0.5, 0.5, 0.5, 0.5]})
    ratings = stats.elo(scores, "max", reference="B", n_boot=200)
    half = stats.ELO_PRIOR_TIES / 2
    assert ratings.loc["B", "elo"] == 1000
    assert ratings.loc["A", "elo"] - 1000 == pytest.approx(400 * math.log10((3 + half) / (1 + half)))
    assert ratings.loc["B", "elo_lo"] == ratings.loc["B", "elo_hi"] == 1000  # the anchor
    assert ratings.loc["A", "elo_lo"] <= ratings.loc["A", "elo"] <= ratings.loc["A", "elo_hi"]


def test_elo_anchor_order_and_ties() -> None:
    ratings = stats.elo(HAND, "max", reference="C", n_boot=100)
    assert ratings.loc["C", "elo"] == 1000
    assert ratings.loc["A", "elo"] == pytest.approx(ratings.loc["B", "elo"], abs=1e-6)  # same record
    assert ratings.loc["A", "elo"] > 1000
    moved = stats.elo(HAND, "max", reference="A", n_boot=0)
    # anchoring shifts every rating by the same amount
    assert (moved["elo"] - ratings["elo"]).round(6).nunique() == 1


def test_paired_comparison_over_tasks_and_folds() -> None:
    folds = pd.DataFrame({
        "task": ["t1"] * 4 + ["t2"] * 4, "contender": ["a", "a", "b", "b"] * 2,
        "repeat": 0, "fold": [0, 1, 0, 1] * 2,
        "value": [0.8, 0.6, 0.5, 0.5, 0.9, 0.7, 0.8, 0.9]})
    res = stats.paired_comparison(folds, "a", "b", "max", n_boot=200)
    assert res.n_pairs == 4 and res.n_tasks == 2
    # per task: t1 a-b = (0.3 + 0.1)/2 = 0.2, t2 = (0.1 - 0.2)/2 = -0.05
    assert res.mean_diff == pytest.approx((0.2 - 0.05) / 2)
    assert (res.wins, res.ties, res.losses) == (3, 0, 1)
    assert res.better == "a" and res.diff_lo <= res.mean_diff <= res.diff_hi
    assert stats.paired_comparison(folds, "a", "b", "min", n_boot=10).better == "b"


# ---- properties -----------------------------------------------------------------------------
matrices = st.integers(2, 6).flatmap(lambda k: st.integers(1, 8).flatmap(
    lambda n: st.lists(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=k,
                                max_size=k), min_size=n, max_size=n)))


@settings(max_examples=60, deadline=None)
@given(matrices, st.sampled_from(["max", "min"]))
def test_properties(rows: list[list[float]], direction: str) -> None:
    scores = pd.DataFrame(rows, columns=[f"c{i}" for i in range(len(rows[0]))])
    k = scores.shape[1]
    ranks = stats.mean_ranks(scores, direction)
    assert ranks.sum() == pytest.approx(k * (k + 1) / 2)
    assert ((ranks >= 1) & (ranks <= k)).all()
    norm = stats.normalized(scores, direction)
    assert ((norm >= 0) & (norm <= 1)).all().all()
    imp = stats.improvability(scores, direction).to_numpy()
    assert np.all(np.isnan(imp) | (imp >= 0))
    wm = stats.win_matrix(scores, direction)
    assert (wm.wins.to_numpy() == wm.losses.to_numpy().T).all()
    total = (wm.wins + wm.ties + wm.losses).to_numpy()
    assert (total[~np.eye(k, dtype=bool)] == len(scores)).all()
    assert 0 <= wm.win_rate().min() and wm.win_rate().max() <= 1
