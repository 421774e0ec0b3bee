"""Discount factors: a constant rate, a declining schedule, a rate per party, or none.

End-of-year convention (WSIPP, SROI guide): the flow of year ``t = 1..n`` is discounted
``t`` years. ``timing="start"`` discounts year ``t`` by ``t - 1`` years instead (the first
year undiscounted).

* constant rate ``r``:   ``DF_t = (1 + r) ** -t``
* declining schedule:    ``DF_t = prod_{s=1..t} 1 / (1 + r_s)`` where ``r_s`` is the rate of
  the segment that year ``s`` falls in — each segment's rate applies only to its own years
  (HM Treasury Green Book: 3.5 % for years 1–30, 3.0 % for 31–75, 2.5 % for 76–125,
  2.0 % for 126–200, 1.5 % for 201–300, 1.0 % after);
* ``r = 0`` gives factors of 1 and reproduces undiscounted totals (the Swedish
  socio-economic figures of Nilsson & Wadeskog read as undiscounted sums).

Rates broadcast: an array of rates is a scenario axis in front of the years axis.

>>> discount_factors(0.035, 2).round(6).tolist()
[0.966184, 0.933511]
>>> float(present_value([100.0, 100.0], discount_factors(0.0, 2)))
200.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from effekt.errors import InputError

__all__ = [
    "GREEN_BOOK_SCHEDULE",
    "Schedule",
    "declining_factors",
    "discount_factors",
    "factors_at",
    "factors_for",
    "party_factors",
    "present_value",
    "schedule_rates",
]

FloatArray = npt.NDArray[np.float64]
Schedule = Sequence[tuple[int, float]]
"""``((first_year, rate), ...)``: from ``first_year`` on (1-based), ``rate`` applies."""

GREEN_BOOK_SCHEDULE: Schedule = (
    (1, 0.035),
    (31, 0.030),
    (76, 0.025),
    (126, 0.020),
    (201, 0.015),
    (301, 0.010),
)
"""HM Treasury Green Book, Annex A6: the declining long-term discount rate."""

Timing = Literal["end", "start"]


def _exponents(n_years: int, timing: Timing) -> FloatArray:
    if n_years < 0:
        raise InputError("valuation.bad_duration", duration=n_years)
    if timing not in ("end", "start"):
        raise InputError("valuation.bad_timing", timing=timing)
    t = np.arange(1, n_years + 1, dtype=np.float64)
    return t if timing == "end" else t - 1.0


def _check_rate(rate: FloatArray) -> FloatArray:
    if np.any(~np.isfinite(rate)) or np.any(rate <= -1.0):
        raise InputError("valuation.bad_rate", rate=str(rate))
    return rate


def discount_factors(rate: npt.ArrayLike, n_years: int, timing: Timing = "end") -> FloatArray:
    """Constant-rate factors, shape ``rate.shape + (n_years,)``."""
    r = _check_rate(np.asarray(rate, dtype=np.float64))
    return np.asarray((1.0 + r[..., None]) ** -_exponents(n_years, timing), dtype=np.float64)


def schedule_rates(schedule: Schedule, n_years: int) -> FloatArray:
    """The rate of each year ``1..n_years`` under a step schedule."""
    steps = sorted(schedule)
    if not steps or steps[0][0] != 1:
        raise InputError("valuation.bad_schedule", detail="the first step must start in year 1")
    years = np.arange(1, n_years + 1)
    starts = np.array([s for s, _ in steps])
    rates = np.array([r for _, r in steps], dtype=np.float64)
    return _check_rate(rates[np.searchsorted(starts, years, side="right") - 1])


def declining_factors(
    schedule: Schedule = GREEN_BOOK_SCHEDULE, n_years: int = 1, timing: Timing = "end"
) -> FloatArray:
    """Cumulative factors under a declining schedule (each segment's rate, its own years)."""
    rates = schedule_rates(schedule, n_years)
    factors = np.cumprod(1.0 / (1.0 + rates))
    if timing == "start":
        factors = np.concatenate([[1.0], factors[:-1]])[:n_years]
    return np.asarray(factors, dtype=np.float64)


def factors_for(spec: float | Schedule, n_years: int, timing: Timing = "end") -> FloatArray:
    """Factors for a constant rate (a number) or a schedule (pairs of year and rate)."""
    if isinstance(spec, int | float | np.floating):
        return discount_factors(float(spec), n_years, timing)
    return declining_factors(spec, n_years, timing)


def factors_at(spec: float | Schedule, years: npt.ArrayLike) -> FloatArray:
    """Factors at times ``years`` after the start (fractions of a year allowed): a flow at
    time 0 is not discounted. A constant rate gives ``(1 + r) ** -τ``; under a schedule
    each whole year compounds its own rate and the year under way its rate for the part
    that has passed, so whole years agree with :func:`declining_factors`.

    >>> factors_at(0.035, [0.0, 0.25, 1.0]).round(6).tolist()
    [1.0, 0.991437, 0.966184]
    >>> factors_at([(1, 0.04), (2, 0.02)], [1.0, 1.5, 2.0]).round(6).tolist()
    [0.961538, 0.952065, 0.942685]
    """
    tau = np.asarray(years, dtype=np.float64)
    if np.any(~np.isfinite(tau)) or np.any(tau < 0):
        raise InputError("valuation.bad_duration", duration=str(tau))
    if isinstance(spec, int | float | np.floating):
        return np.asarray((1.0 + _check_rate(np.asarray(float(spec)))) ** -tau, dtype=np.float64)
    whole = np.floor(tau).astype(np.int64)
    n = int(whole.max(initial=0)) + 1
    rates = schedule_rates(spec, n)  # the rate of year s = 1..n at index s - 1
    at_whole = np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + rates))])
    return np.asarray(at_whole[whole] * (1.0 + rates[whole]) ** -(tau - whole), dtype=np.float64)


def party_factors(
    rates: Mapping[str, float | Schedule], n_years: int, timing: Timing = "end"
) -> dict[str, FloatArray]:
    """One factor row per party: each party discounts at its own rate or schedule.

    >>> f = party_factors({"kommun": 0.0, "fond": 0.05}, 1)
    >>> float(f["kommun"][0]), round(float(f["fond"][0]), 6)
    (1.0, 0.952381)
    """
    return {party: factors_for(spec, n_years, timing) for party, spec in rates.items()}


def present_value(flows: npt.ArrayLike, factors: npt.ArrayLike) -> FloatArray:
    """``sum_t flows_t * DF_t`` over the last axis; both broadcast."""
    return np.asarray(
        np.sum(np.asarray(flows, dtype=np.float64) * np.asarray(factors, dtype=np.float64), -1)
    )
