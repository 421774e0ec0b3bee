"""Rosenbaum bounds for matched pairs, as rbounds' psens computes them."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from effekt.engine.evaluation.rosenbaum import critical_gamma, rosenbaum_bounds
from effekt.errors import DataError

# Differences 3, -1, 2, 5, 4: ranks of |d| are 3, 1, 2, 5, 4; T = 3 + 2 + 5 + 4 = 14.
TREATED = [5.0, 1.0, 4.0, 7.0, 6.0]
CONTROL = [2.0, 2.0, 2.0, 2.0, 2.0]


def test_bounds_equal_the_hand_computed_normal_approximation() -> None:
    b = rosenbaum_bounds(TREATED, CONTROL, gamma_max=2.0, gamma_step=1.0)
    assert b.statistic == 14.0
    # Γ = 1: E = 15/2, Var = 55/4      → z = 6.5 / √13.75 = 1.75292
    # Γ = 2: p+ = 2/3, E = 10, Var = 55·2/9 → z = 4 / √12.2222 = 1.14416
    #        p- = 1/3, E = 5                 → z = 9 / √12.2222 = 2.57436
    assert b.p_upper.tolist() == pytest.approx([0.039808, 0.126280], abs=2e-6)
    assert b.p_lower.tolist() == pytest.approx([0.039808, 0.005022], abs=2e-6)


def test_gamma_one_is_the_wilcoxon_signed_rank_test() -> None:
    rng = np.random.default_rng(11)
    yt = rng.normal(0.4, 1.0, 60).round(1)  # rounding makes ties and zeros
    yc = rng.normal(0.0, 1.0, 60).round(1)
    b = rosenbaum_bounds(yt, yc, gamma_max=1.0)
    ref = scipy.stats.wilcoxon(yt - yc, alternative="greater", method="approx", correction=False)
    assert b.p_upper[0] == pytest.approx(ref.pvalue, rel=1e-9)
    assert b.p_lower[0] == pytest.approx(ref.pvalue, rel=1e-9)


def test_upper_bound_rises_and_lower_bound_falls_with_gamma() -> None:
    b = rosenbaum_bounds(TREATED * 4, CONTROL * 4, gamma_max=3.0, gamma_step=0.1)
    assert b.gamma.tolist() == pytest.approx([1.0 + 0.1 * k for k in range(21)])
    assert np.all(np.diff(b.p_upper) > 0)
    assert np.all(np.diff(b.p_lower) < 0)


def test_critical_gamma_is_where_the_upper_bound_reaches_five_percent() -> None:
    b = rosenbaum_bounds(TREATED * 4, CONTROL * 4, gamma_max=5.0, gamma_step=0.1)
    g = b.critical_gamma
    assert 1.0 < g < 5.0
    below = b.p_upper[b.gamma < g]
    above = b.p_upper[b.gamma > g]
    assert np.all(below < 0.05) and np.all(above > 0.05)
    again = rosenbaum_bounds(TREATED * 4, CONTROL * 4, gamma_max=g, gamma_step=g - 1.0)
    assert again.p_upper[-1] == pytest.approx(0.05, abs=1e-9)


def test_an_effect_that_is_not_significant_has_critical_gamma_one() -> None:
    assert critical_gamma([1.0, -1.0, 2.0, -2.0]) == 1.0


def test_an_overwhelming_effect_stays_significant_up_to_the_search_limit() -> None:
    assert critical_gamma(np.arange(1.0, 400.0), max_gamma=50.0) == math.inf


def test_pairs_with_no_difference_are_dropped_and_all_zero_is_refused() -> None:
    with_zeros = rosenbaum_bounds(TREATED + [2.0], CONTROL + [2.0], gamma_max=1.0)
    assert with_zeros.statistic == 14.0 and with_zeros.n_pairs == 6
    with pytest.raises(DataError) as info:
        rosenbaum_bounds([1.0, 2.0], [1.0, 2.0])
    assert info.value.code == "evaluation.too_few_pairs"
