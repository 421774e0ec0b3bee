"""Price indices: rebasing, UK fiscal years, the documented assumption after the last value."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from effekt.data.reference import price_indices
from effekt.engine.valuation.indices import IndexSeries, index_value, price_time, rebase
from effekt.errors import ReferenceDataError

KPI = "se_kpi_faststallda_arsmedel"
DEFLATOR = "uk_gdp_deflator_ons_ybgb"


@pytest.fixture(scope="module")
def series() -> dict[str, IndexSeries]:
    return price_indices()


def test_shipped_series_are_all_present(series: dict[str, IndexSeries]) -> None:
    assert {KPI, DEFLATOR, "uk_cpih_ons_l522"} <= series.keys()
    assert series[KPI].first_year == 1980 and series[KPI].values[0] == 100.0


def test_rebase_kpi_2009_to_2010_matches_hand_computed_ratio(
    series: dict[str, IndexSeries],
) -> None:
    # 100 * 303.46 / 299.66
    result = rebase(100.0, 2009, 2010, series[KPI])
    assert float(result.amount) == pytest.approx(101.26810385103114, rel=1e-12)
    assert not bool(result.extrapolated)


def test_rebase_there_and_back_is_identity(series: dict[str, IndexSeries]) -> None:
    there = rebase(1234.0, 1995, 2021, series[KPI]).amount
    assert float(rebase(there, 2021, 1995, series[KPI]).amount) == pytest.approx(1234.0)


def test_uk_fiscal_year_is_april_to_march_weighted_average(series: dict[str, IndexSeries]) -> None:
    assert price_time("2005/06") == 2005.25
    value, extrapolated = index_value(series[DEFLATOR], "2005/06")
    assert float(value) == pytest.approx(0.75 * 68.7 + 0.25 * 70.6)  # 69.175
    assert not bool(extrapolated)
    # persistent truancy, £1,509 in 2005/06 prices, in 2022 prices: 1509 * 100 / 69.175
    result = rebase(1509.0, "2005/06", 2022, series[DEFLATOR])
    assert float(result.amount) == pytest.approx(2181.4239248283334, rel=1e-12)


def test_fiscal_year_across_a_century() -> None:
    assert price_time("1999/00") == 1999.25
    assert price_time("1999/2000") == 1999.25


def test_years_after_last_value_grow_two_percent_and_are_flagged(
    series: dict[str, IndexSeries],
) -> None:
    value, extrapolated = index_value(series[KPI], 2027)
    assert float(value) == pytest.approx(417.98 * 1.02**2)  # 434.866392
    assert bool(extrapolated)
    result = rebase(100.0, 2025, 2027, series[KPI])
    assert float(result.amount) == pytest.approx(104.04)
    assert bool(result.extrapolated)


def test_rebase_is_vectorised_and_flags_each_element(series: dict[str, IndexSeries]) -> None:
    result = rebase(
        np.array([100.0, 100.0, 100.0]), np.array([2009, 2010, 2030]), 2010, series[KPI]
    )
    assert result.amount.shape == (3,)
    assert result.amount[1] == pytest.approx(100.0)
    assert result.extrapolated.tolist() == [False, False, True]
    strings = rebase(100.0, np.array(["2005/06", "2010/11"]), "2022", series[DEFLATOR])
    assert strings.amount.shape == (2,)


def test_year_before_the_series_is_refused(series: dict[str, IndexSeries]) -> None:
    with pytest.raises(ReferenceDataError) as info:
        rebase(100.0, 1975, 2010, series[KPI])
    assert info.value.code == "reference.index_before_start"


def test_gap_in_a_series_is_refused(series: dict[str, IndexSeries]) -> None:
    with pytest.raises(ReferenceDataError) as info:
        index_value(series["uk_gdp_deflator_hmt_2016_vintage"], 2003)
    assert info.value.code == "reference.index_gap"


def test_unreadable_price_year_is_refused() -> None:
    for bad in ("c.2010", "2005/07", "twenty"):
        with pytest.raises(ReferenceDataError) as info:
            price_time(bad)
        assert info.value.code == "reference.bad_price_year"


def test_malformed_series_is_refused() -> None:
    with pytest.raises(ReferenceDataError):
        IndexSeries("x", np.array([2001, 2000]), np.array([1.0, 2.0]))
    with pytest.raises(ReferenceDataError):
        IndexSeries("x", np.array([2000, 2001]), np.array([1.0, -2.0]))


@pytest.mark.parametrize(
    "module",
    [
        "effekt.engine.valuation.indices",
        "effekt.engine.valuation.actors",
        "effekt.engine.valuation.adjustments",
        "effekt.engine.valuation.discounting",
        "effekt.engine.valuation.avoided_costs",
        "effekt.engine.valuation.microsim",
        "effekt.data.reference",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
