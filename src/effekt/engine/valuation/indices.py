"""Price indices and rebasing of amounts between price years.

An amount in prices of year ``a`` is expressed in prices of year ``b`` by the ratio of the
index values (as in the UK Unit Cost Database's uprating formula)::

    amount_b = amount_a * I(b) / I(a)

**Price years as times.** Annual index values are annual averages, placed at mid-year. A
calendar price year ``2010`` is the time ``2010.0``. A UK fiscal year ``"2005/06"`` runs
from April 2005 to March 2006, nine months in 2005 and three in 2006; its time is
``2005.25`` and its index value is the linear interpolation between the calendar years,
``0.75 * I(2005) + 0.25 * I(2006)`` (the month-weighted average of the two calendar-year
averages). Any time between two published years is interpolated the same way.

**Years after the last published value** are an explicit assumption: the index grows from
its last published value at a constant annual rate (default 2 % a year — the Riksbank's
inflation target for KPI, the Bank of England's CPI target for CPIH and, as a proxy, for
the GDP deflator)::

    I(t) = I(t_last) * (1 + g) ** (t - t_last)          for t > t_last

Every function that can extrapolate says so: :func:`rebase` returns ``extrapolated``, a
boolean array that is true wherever the assumption was used. Years before the first
published value are refused (:class:`~effekt.errors.ReferenceDataError`).

>>> kpi = IndexSeries("kpi", np.array([2009, 2010]), np.array([299.66, 303.46]), "1980=100")
>>> round(float(rebase(100.0, 2009, 2010, kpi).amount), 4)
101.2681
>>> round(float(rebase(100.0, 2010, 2012, kpi).amount), 2)      # 2 %/yr assumed after 2010
104.04
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from effekt.errors import ReferenceDataError

__all__ = [
    "DEFAULT_EXTRAPOLATION_RATE",
    "DEFAULT_SERIES",
    "EXTRAPOLATION_RATES",
    "IndexSeries",
    "Rebased",
    "index_value",
    "price_time",
    "rebase",
]

FloatArray = npt.NDArray[np.float64]

DEFAULT_EXTRAPOLATION_RATE = 0.02
"""Annual growth assumed after the last published value when a series names none."""

EXTRAPOLATION_RATES: Mapping[str, float] = {
    # Sveriges Riksbank: inflation target 2 % (KPIF); used for KPI after its last value.
    "se_kpi_faststallda_arsmedel": 0.02,
    # Bank of England: inflation target 2 % (CPI); used for CPIH after its last value.
    "uk_cpih_ons_l522": 0.02,
    # No target exists for the GDP deflator; the Bank of England's 2 % is used as a proxy.
    "uk_gdp_deflator_ons_ybgb": 0.02,
    "uk_gdp_deflator_hmt_2016_vintage": 0.02,
}
"""The documented assumption per series for years after the last published value."""

DEFAULT_SERIES: Mapping[str, str] = {
    "SEK": "se_kpi_faststallda_arsmedel",
    "GBP": "uk_gdp_deflator_ons_ybgb",
}
"""The series used to rebase amounts in each currency unless another is chosen."""

_FISCAL = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2}|\d{4})\s*$")
_CALENDAR = re.compile(r"^\s*(\d{4})\s*$")


@dataclass(frozen=True)
class IndexSeries:
    """One annual index series: ``years`` ascending, ``values`` > 0, and its growth assumption.

    ``extrapolation_rate`` is the annual growth assumed after the last published year.
    """

    id: str
    years: npt.NDArray[np.int64]
    values: FloatArray
    base: str = ""
    extrapolation_rate: float = field(default=DEFAULT_EXTRAPOLATION_RATE)

    def __post_init__(self) -> None:
        years = np.asarray(self.years, dtype=np.int64)
        values = np.asarray(self.values, dtype=np.float64)
        if years.ndim != 1 or years.shape != values.shape or years.size == 0:
            raise ReferenceDataError(
                "reference.index_malformed", series=self.id, detail="years and values differ"
            )
        if np.any(np.diff(years) <= 0):
            raise ReferenceDataError(
                "reference.index_malformed", series=self.id, detail="years are not ascending"
            )
        if np.any(~np.isfinite(values)) or np.any(values <= 0):
            raise ReferenceDataError(
                "reference.index_malformed", series=self.id, detail="values must be positive"
            )
        object.__setattr__(self, "years", years)
        object.__setattr__(self, "values", values)

    @property
    def first_year(self) -> int:
        return int(self.years[0])

    @property
    def last_year(self) -> int:
        return int(self.years[-1])


class Rebased(NamedTuple):
    """A rebased amount and where the after-last-value assumption was used."""

    amount: FloatArray
    extrapolated: npt.NDArray[np.bool_]


def price_time(price_year: str | int | float) -> float:
    """The time (in years) at which a price year's index is read.

    ``2010`` → 2010.0; UK fiscal year ``"2005/06"`` → 2005.25 (April 2005–March 2006).

    >>> price_time("2005/06"), price_time(2010), price_time("2019")
    (2005.25, 2010.0, 2019.0)
    """
    if isinstance(price_year, int | float) and not isinstance(price_year, bool):
        return float(price_year)
    text = str(price_year)
    match = _CALENDAR.match(text)
    if match:
        return float(match.group(1))
    match = _FISCAL.match(text)
    if match:
        start = int(match.group(1))
        end = match.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year < start:
            end_year += 100
        if end_year != start + 1:
            raise ReferenceDataError("reference.bad_price_year", value=text)
        return start + 0.25
    raise ReferenceDataError("reference.bad_price_year", value=text)


def _times(value: object) -> FloatArray:
    if isinstance(value, str):
        return np.asarray(price_time(value), dtype=np.float64)
    array = np.asarray(value)
    if array.dtype.kind in "USO":
        return np.asarray(np.vectorize(price_time, otypes=[np.float64])(array), dtype=np.float64)
    return array.astype(np.float64)


def index_value(
    series: IndexSeries, time: npt.ArrayLike | str
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The index at ``time`` (years or price-year strings) and where it was extrapolated.

    Between published years the index is interpolated linearly; after the last published
    year it grows at ``series.extrapolation_rate``; before the first it is refused.
    """
    t = _times(time)
    first, last = series.first_year, series.last_year
    if np.any(t < first):
        raise ReferenceDataError(
            "reference.index_before_start", series=series.id, year=float(np.min(t)), first=first
        )
    inside = np.minimum(t, float(last))
    lower = np.floor(inside).astype(np.int64)
    upper = np.minimum(lower + 1, last)
    lookup = np.full(last - first + 1, np.nan)
    lookup[series.years - first] = series.values
    v_low = lookup[lower - first]
    v_up = lookup[upper - first]
    weight = inside - lower
    needed_up = weight > 0
    if np.any(np.isnan(v_low)) or np.any(np.isnan(v_up) & needed_up):
        missing = np.concatenate([lower[np.isnan(v_low)], upper[np.isnan(v_up) & needed_up]])
        raise ReferenceDataError(
            "reference.index_gap", series=series.id, year=int(np.atleast_1d(missing)[0])
        )
    value = np.where(needed_up, v_low + weight * (np.nan_to_num(v_up) - v_low), v_low)
    extrapolated = t > last
    growth = (1.0 + series.extrapolation_rate) ** np.maximum(t - last, 0.0)
    return np.asarray(value * growth, dtype=np.float64), np.asarray(extrapolated)


def rebase(
    amount: npt.ArrayLike,
    from_year: npt.ArrayLike | str,
    to_year: npt.ArrayLike | str,
    series: IndexSeries,
) -> Rebased:
    """``amount`` in prices of ``from_year`` expressed in prices of ``to_year``.

    All three broadcast against each other: one call rebases a whole unit-cost table.
    Years may be numbers or price-year strings (``"2005/06"``).
    """
    from_value, from_extra = index_value(series, from_year)
    to_value, to_extra = index_value(series, to_year)
    result = np.asarray(amount, dtype=np.float64) * to_value / from_value
    flag = np.broadcast_to(from_extra | to_extra, result.shape)
    return Rebased(result, np.array(flag))
