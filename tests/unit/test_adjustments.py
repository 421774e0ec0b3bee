"""Deadweight, attribution, displacement, leakage, drop-off, optimism bias."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from effekt.engine.valuation.adjustments import (
    Adjustments,
    adjustment_factor,
    check_deadweight,
    deadweight_problem,
    net_factor,
    optimism_factor,
    persistence,
)
from effekt.engine.valuation.discounting import discount_factors
from effekt.errors import ComputationError, InputError

share = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def test_net_factor_multiplies_the_complements() -> None:
    assert float(net_factor(0.4, 0.1, 0.25)) == pytest.approx(0.6 * 0.9 * 0.75)  # 0.405
    assert float(net_factor(0.2, 0.0, 0.25, 0.10)) == pytest.approx(0.8 * 0.75 * 0.9)  # 0.54


def test_sroi_worked_example_deadweight_drop_off_and_discounting() -> None:
    # £510,000 gross, 40 % deadweight -> £306,000 in year 1; 30 % drop-off -> £214,200 in
    # year 2; discounted at 3.5 % (end of year 2): 214,200 / 1.035**2.
    gross = 510_000.0
    impact = gross * net_factor(deadweight=0.4) * persistence(0.3, 2)
    assert impact.tolist() == pytest.approx([306_000.0, 214_200.0])
    pv = impact * discount_factors(0.035, 2)
    assert float(pv[1]) == pytest.approx(199_957.99201848355)


def test_persistence_stops_after_duration() -> None:
    assert persistence(0.3, 3, 5).tolist() == pytest.approx([1.0, 0.7, 0.49, 0.0, 0.0])
    assert persistence(0.0, 1, 3).tolist() == [1.0, 0.0, 0.0]


def test_persistence_accepts_a_drop_off_per_year() -> None:
    # drop-off into year 2 is 10 %, into year 3 is 50 %
    assert persistence(np.array([0.1, 0.5]), 3).tolist() == pytest.approx([1.0, 0.9, 0.45])


def test_optimism_bias_reduces_the_effect() -> None:
    assert float(optimism_factor(0.2)) == pytest.approx(0.8)


def test_adjustment_factor_chains_everything() -> None:
    a = Adjustments(
        deadweight=0.2,
        attribution=0.1,
        displacement=0.05,
        drop_off=0.5,
        optimism_bias=0.1,
        duration_years=2,
    )
    base = 0.8 * 0.9 * 0.95 * 0.9  # 0.61560
    assert adjustment_factor(a, 3).tolist() == pytest.approx([base, base * 0.5, 0.0])


@pytest.mark.parametrize(
    "method",
    [
        "comparison_group",
        "matched_comparison",
        "randomised_trial",
        "rct",
        "matched",
        "difference_in_differences",
    ],
)
def test_deadweight_on_top_of_a_comparison_group_is_refused(method: str) -> None:
    assert deadweight_problem(method, 0.3) == "valuation.deadweight_double_counted"
    with pytest.raises(ComputationError) as info:
        check_deadweight(method, 0.3)
    assert info.value.code == "valuation.deadweight_double_counted"
    with pytest.raises(ComputationError):
        Adjustments(deadweight=0.3, counterfactual=method)


def test_deadweight_is_allowed_with_a_historical_baseline_or_when_zero() -> None:
    assert deadweight_problem("historical_baseline", 0.3) is None
    assert deadweight_problem("randomised_trial", 0.0) is None
    Adjustments(deadweight=0.0, counterfactual="randomised_trial")


def test_unknown_method_and_bad_shares_are_refused() -> None:
    with pytest.raises(InputError):
        check_deadweight("gut_feeling", 0.1)
    with pytest.raises(InputError):
        net_factor(1.2)
    with pytest.raises(InputError):
        persistence(-0.1, 2)
    with pytest.raises(InputError):
        persistence(0.1, -1)


@given(share, share, share, share)
def test_net_factor_stays_a_share_and_falls_with_each_adjustment(
    d: float, a: float, disp: float, leak: float
) -> None:
    value = float(net_factor(d, a, disp, leak))
    assert 0.0 <= value <= 1.0
    assert float(net_factor(min(d + 0.1, 1.0), a, disp, leak)) <= value + 1e-12


@given(share, st.integers(min_value=1, max_value=30))
def test_persistence_never_rises(drop: float, duration: int) -> None:
    values = persistence(drop, duration, duration + 2)
    assert np.all(np.diff(values) <= 1e-12)
