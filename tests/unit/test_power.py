"""Power, MDE and required n — hand-computed values and statsmodels as the peer."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
from statsmodels.stats.rates import power_negbin_ratio_2indep

from effekt.engine import power
from effekt.errors import InputError

Z_SUM = 1.959963984540054 + 0.8416212335729143  # z_{0.975} + z_{0.80}


def test_docstring_examples_run() -> None:
    result = doctest.testmod(power, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5
    assert result.failed == 0


# --- hand-computed values ----------------------------------------------------------------


def test_mde_of_means_is_z_sum_times_standard_error() -> None:
    # SE = sqrt(1/1000 + 1/1000) = 0.0447214; 2.801585 * 0.0447214 = 0.125291
    assert power.mde_means(1.0, 1000) == pytest.approx(0.125291, abs=1e-6)


def test_required_n_for_means_rounds_up_hand_computation() -> None:
    # 2.801585^2 * 2 / 0.2^2 = 392.44 -> 393
    assert power.required_n_means(0.2, 1.0) == 393


def test_required_n_for_proportions_uses_arcsine_effect_size() -> None:
    # h = 2 asin(sqrt .6) - 2 asin(sqrt .45) = 0.301525; 7.848879 * 2 / h^2 = 172.66 -> 173
    h = 2 * math.asin(math.sqrt(0.6)) - 2 * math.asin(math.sqrt(0.45))
    assert h == pytest.approx(0.301525, abs=1e-6)
    assert power.required_n_proportions(0.60, 0.45) == 173


def test_mde_for_peterborough_cohorts_matches_research_note_table() -> None:
    # docs/sources/evaluation.md §3.3: mu_C = 1.55, two-sided 5 %, power 80 %
    n = np.array([100, 100, 1000, 1000])
    k = np.array([1, 10, 1, 10])
    poisson = power.mde_rate(1.55, n, ratio=k, dispersion=0.0)
    negbin = power.mde_rate(1.55, n, ratio=k, dispersion=1.0)
    np.testing.assert_allclose(poisson, [0.295, 0.234, 0.098, 0.074], atol=5e-4)
    np.testing.assert_allclose(negbin, [0.419, 0.336, 0.151, 0.115], atol=5e-4)


def test_required_n_for_ten_percent_reduction_matches_hand_computation() -> None:
    # n = 7.848879 [(1/1.395 + a) + (1/1.55 + a)] / log(0.9)^2 = 963.01, 1670.1, ... (rounded up)
    hand = [
        Z_SUM**2 * ((1 / 1.395 + a) + (1 / 1.55 + a)) / math.log(0.9) ** 2
        for a in (0.0, 0.5, 1.0, 2.0)
    ]
    assert hand[0] == pytest.approx(963.01, abs=0.01)
    got = power.required_n_rate(1.55, 0.10, dispersion=np.array([0.0, 0.5, 1.0, 2.0]))
    np.testing.assert_array_equal(got, [964, 1671, 2378, 3792])
    np.testing.assert_array_equal(got, np.ceil(hand))


def test_power_of_rate_design_by_hand() -> None:
    # Var = (1/1.395)/1000 + (1/1.55)/1000 = 0.001362; |log 0.9| / 0.036905 = 2.8549
    signal = -math.log(0.9) / math.sqrt((1 / 1.395 + 1 / 1.55) / 1000)
    hand = 0.5 * math.erfc(-(signal - 1.959964) / math.sqrt(2))
    assert power.power_rate(1.55, 0.10, 1000) == pytest.approx(hand, abs=1e-5)
    assert hand == pytest.approx(0.8146, abs=1e-4)


# --- statsmodels as the peer -------------------------------------------------------------


@pytest.mark.parametrize("dispersion", [0.0, 0.7, 2.0])
@pytest.mark.parametrize("ratio", [1.0, 3.0])
@pytest.mark.parametrize("alternative", ["two-sided", "one-sided"])
def test_power_of_rate_equals_statsmodels_negbin(
    dispersion: float, ratio: float, alternative: str
) -> None:
    n = np.array([40.0, 250.0, 1000.0])
    ours = power.power_rate(
        1.55, 0.15, n, ratio=ratio, dispersion=dispersion, exposure=1.0, alternative=alternative
    )  # type: ignore[arg-type]
    theirs = power_negbin_ratio_2indep(
        1.55 * 0.85,
        1.55,
        n,
        nobs_ratio=ratio,
        dispersion=dispersion,
        alpha=0.05,
        alternative="two-sided" if alternative == "two-sided" else "smaller",
        method_var="alt",
        return_results=False,
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


@pytest.mark.parametrize("ratio", [1.0, 2.5])
def test_power_of_proportions_equals_statsmodels_normal_ind_power(ratio: float) -> None:
    p_t = np.array([0.50, 0.60, 0.75])
    n = np.array([40.0, 200.0, 1000.0])
    ours = power.power_proportions(p_t[:, None], 0.45, n[None, :], ratio=ratio)
    es = proportion_effectsize(p_t[:, None], 0.45)
    theirs = NormalIndPower().power(es, n[None, :], alpha=0.05, ratio=ratio)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_power_of_means_equals_statsmodels_normal_ind_power() -> None:
    n = np.array([40.0, 200.0, 1000.0])
    ours = power.power_means(3.0, 12.0, n, ratio=2.0, alternative="one-sided")
    theirs = NormalIndPower().power(3.0 / 12.0, n, alpha=0.05, ratio=2.0, alternative="larger")
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_required_n_of_proportions_agrees_with_statsmodels_solver() -> None:
    es = proportion_effectsize(0.60, 0.45)
    theirs = NormalIndPower().solve_power(es, alpha=0.05, power=0.8, ratio=1.0)
    assert power.required_n_proportions(0.60, 0.45) == math.ceil(theirs)


# --- round trips and shape ------------------------------------------------------------


def test_power_at_the_mde_is_the_target_power() -> None:
    n = np.array([40, 100, 1000, 5000])
    r = power.mde_rate(1.55, n, dispersion=0.8, ratio=2.0)
    np.testing.assert_allclose(
        power.power_rate(1.55, r, n, dispersion=0.8, ratio=2.0), 0.8, atol=1e-4
    )
    d = power.mde_proportions(0.45, n)
    np.testing.assert_allclose(power.power_proportions(0.45 + d, 0.45, n), 0.8, atol=1e-4)
    m = power.mde_means(7.0, n, sd_comparison=9.0)
    np.testing.assert_allclose(power.power_means(m, 7.0, n, sd_comparison=9.0), 0.8, atol=1e-4)


def test_required_n_is_the_smallest_cohort_reaching_the_target_power() -> None:
    n = power.required_n_rate(1.55, 0.12, dispersion=0.6, ratio=3.0)
    assert power.power_rate(1.55, 0.12, n, dispersion=0.6, ratio=3.0) >= 0.8
    assert power.power_rate(1.55, 0.12, n - 1, dispersion=0.6, ratio=3.0) < 0.8


def test_known_baseline_rate_detects_smaller_effects_than_a_sampled_comparison() -> None:
    matched = power.mde_rate(1.55, 1000, ratio=1.0)
    historical = power.mde_rate(1.55, 1000, ratio=math.inf)
    big_pool = power.mde_rate(1.55, 1000, n_comparison=10**9)
    assert historical < matched
    assert big_pool == pytest.approx(historical, abs=1e-6)


def test_one_sided_test_is_more_powerful_than_two_sided() -> None:
    two = power.power_rate(1.55, 0.10, 500)
    one = power.power_rate(1.55, 0.10, 500, alternative="one-sided")
    assert one > two


def test_power_at_no_effect_is_alpha() -> None:
    assert power.power_means(0.0, 1.0, 100) == pytest.approx(0.05)
    assert power.power_rate(1.2, 0.0, 100) == pytest.approx(0.05)


def test_grid_of_cohorts_and_baselines_is_one_call() -> None:
    grid = power.mde_rate(np.array([[0.5], [1.55]]), np.array([40, 100, 1000]))
    assert grid.shape == (2, 3)  # type: ignore[union-attr]
    assert np.all(np.diff(grid, axis=1) < 0)  # bigger cohorts detect smaller effects


def test_impossible_inputs_give_nan_not_an_exception() -> None:
    assert math.isnan(power.power_rate(1.55, 0.1, 0))
    assert math.isnan(power.mde_rate(1.55, 100, alpha=1.5))
    assert math.isnan(power.mde_proportions(0.95, 10))  # would need p_T > 1


def test_tiny_cohort_has_no_detectable_rate_reduction() -> None:
    assert math.isnan(power.mde_rate(0.05, 5, dispersion=3.0))


def test_unknown_alternative_is_refused() -> None:
    with pytest.raises(InputError) as err:
        power.power_means(1.0, 1.0, 10, alternative="greater")  # type: ignore[arg-type]
    assert err.value.code == "stats.invalid_option"


# --- detectable -----------------------------------------------------------------------


def test_ten_percent_threshold_is_not_detectable_with_a_cohort_of_one_hundred() -> None:
    verdict = power.detectable(0.10, 1.55, 100)
    assert not verdict.detectable
    assert verdict.mde == pytest.approx(0.2953, abs=1e-4)
    assert verdict.power_at_threshold < 0.8


def test_ten_percent_threshold_is_detectable_with_a_thousand_and_poisson_counts() -> None:
    verdict = power.detectable(0.10, 1.55, 1000)
    assert verdict.detectable
    assert verdict.power_at_threshold >= 0.8


def test_overdispersion_makes_the_peterborough_threshold_undetectable() -> None:
    assert not power.detectable(0.10, 1.55, 1000, dispersion=1.0).detectable


def test_detectable_refuses_a_threshold_outside_zero_and_one() -> None:
    with pytest.raises(InputError):
        power.detectable(1.5, 1.55, 100)
