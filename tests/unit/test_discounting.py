"""Discount factors: constant, declining (Green Book), per party, zero."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from effekt.engine.valuation.discounting import (
    GREEN_BOOK_SCHEDULE,
    declining_factors,
    discount_factors,
    factors_at,
    factors_for,
    party_factors,
    present_value,
    schedule_rates,
)
from effekt.errors import InputError


def test_constant_rate_end_of_year() -> None:
    assert discount_factors(0.035, 3).tolist() == pytest.approx(
        [1 / 1.035, 1 / 1.035**2, 1 / 1.035**3]
    )


def test_start_timing_leaves_the_first_year_undiscounted() -> None:
    assert discount_factors(0.05, 2, timing="start").tolist() == pytest.approx([1.0, 1 / 1.05])


def test_zero_rate_reproduces_undiscounted_totals() -> None:
    flows = np.array([1_000.0, 2_000.0, 3_000.0])
    assert discount_factors(0.0, 3).tolist() == [1.0, 1.0, 1.0]
    assert float(present_value(flows, discount_factors(0.0, 3))) == 6_000.0


def test_green_book_schedule_applies_each_rate_to_its_own_years() -> None:
    rates = schedule_rates(GREEN_BOOK_SCHEDULE, 130)
    assert rates[0] == 0.035 and rates[29] == 0.035 and rates[30] == 0.03
    assert rates[74] == 0.03 and rates[75] == 0.025 and rates[125] == 0.02
    factors = declining_factors(GREEN_BOOK_SCHEDULE, 31)
    assert factors[29] == pytest.approx(0.35627841060230236)  # 1.035**-30
    assert factors[30] == pytest.approx(0.3459013695167984)  # 1.035**-30 / 1.03


def test_declining_equals_constant_within_the_first_segment() -> None:
    assert declining_factors(GREEN_BOOK_SCHEDULE, 30) == pytest.approx(discount_factors(0.035, 30))


def test_per_party_rates() -> None:
    factors = party_factors({"kommun": 0.0, "region": 0.035, "fond": GREEN_BOOK_SCHEDULE}, 2)
    assert factors["kommun"].tolist() == [1.0, 1.0]
    assert factors["region"][1] == pytest.approx(1 / 1.035**2)
    assert factors["fond"][1] == pytest.approx(1 / 1.035**2)


def test_rates_broadcast_as_a_scenario_axis() -> None:
    factors = discount_factors(np.array([0.0, 0.03, 0.05]), 4)
    assert factors.shape == (3, 4)
    assert factors_for(0.03, 4) == pytest.approx(factors[1])


def test_bad_rates_and_schedules_are_refused() -> None:
    with pytest.raises(InputError):
        discount_factors(-1.0, 2)
    with pytest.raises(InputError):
        declining_factors(((5, 0.03),), 10)
    with pytest.raises(InputError):
        discount_factors(0.03, 2, timing="middle")  # type: ignore[arg-type]


@given(
    st.floats(min_value=0.0, max_value=0.2),
    st.floats(min_value=0.001, max_value=0.1),
    st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=40),
)
def test_present_value_falls_as_the_rate_rises(
    rate: float, step: float, flows: list[float]
) -> None:
    n = len(flows)
    low = float(present_value(flows, discount_factors(rate, n)))
    high = float(present_value(flows, discount_factors(rate + step, n)))
    assert high <= low + 1e-6


def test_factors_at_whole_years_agree_with_the_yearly_factors() -> None:
    schedule = [(1, 0.04), (3, 0.02)]
    years = np.arange(0, 6, dtype=np.float64)
    assert factors_at(schedule, years)[1:].tolist() == pytest.approx(
        declining_factors(schedule, 5).tolist(), rel=1e-12
    )
    assert factors_at(0.035, years)[1:].tolist() == pytest.approx(
        discount_factors(0.035, 5).tolist(), rel=1e-12
    )


def test_a_quarter_into_a_year_discounts_by_a_quarter_of_that_years_rate() -> None:
    assert float(factors_at(0.035, 0.25)) == pytest.approx(1.035**-0.25)
    # the year under way (the third, at 2 %) compounds for half a year on the first two
    assert float(factors_at([(1, 0.04), (3, 0.02)], 2.5)) == pytest.approx(1 / 1.04**2 / 1.02**0.5)
    assert float(factors_at(0.05, 0.0)) == 1.0


def test_factors_at_a_negative_time_are_refused() -> None:
    with pytest.raises(InputError):
        factors_at(0.035, [-0.25])
