"""Scalar reference for :mod:`effekt.engine.finance`: plain Python loops over lists of floats.

Same conventions as the engine: a flow is positive when the party receives money; flow
``t`` is at time ``t`` (the first undiscounted); rates are searched in
``(RATE_LOW, RATE_HIGH]``; the same reason codes; the same investment rule (IRR and
multiple only for a flow whose first non-zero flow is an outlay; −100 % and 0 when nothing
comes back). The IRR search is the textbook one: step
through ``x = log(1 + r)`` on a fine uniform grid, count where NPV changes sign, bisect the
crossing. Slow on purpose — clear beats fast here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

__all__ = ["irr", "moic", "npv", "payback_period", "peak_cash_need", "xirr"]

RATE_LOW = -0.99  # the same range as effekt.engine.finance
RATE_HIGH = 1000.0
GRID_STEP = 0.005  # in log(1 + r); finer than the engine's grid everywhere
BISECTIONS = 200

Result = tuple[float, str]


def npv(rate: float, flows: Sequence[float]) -> float:
    """``sum_t flows[t] / (1 + rate)^t``, the first flow at t = 0."""
    total = 0.0
    for t, flow in enumerate(flows):
        total += flow / (1.0 + rate) ** t
    return total


def irr(flows: Sequence[float]) -> Result:
    """(rate per period, reason); the rate is NaN unless the reason is "ok"."""
    return _unique_root(list(flows), [float(t) for t in range(len(flows))])


def xirr(flows: Sequence[float], dates: Sequence[dt.date]) -> Result:
    """(annual rate, reason) for dated flows, years = days from the earliest date / 365."""
    first = min(dates)
    return _unique_root(list(flows), [(d - first).days / 365.0 for d in dates])


def moic(flows: Sequence[float]) -> Result:
    """(sum of gains / sum of losses, reason)."""
    if not all(math.isfinite(f) for f in flows):
        return math.nan, "non_finite"
    gains = sum(f for f in flows if f > 0)
    losses = sum(-f for f in flows if f < 0)
    if losses == 0:
        return math.nan, "nothing_invested"
    if _first_nonzero(flows, list(range(len(flows)))) > 0:
        return math.nan, "receives_first"
    return gains / losses, "ok"


def payback_period(flows: Sequence[float]) -> Result:
    """(1 + the last period with a negative cumulative flow, reason); 0 if never negative."""
    if not all(math.isfinite(f) for f in flows):
        return math.nan, "non_finite"
    cumulative = 0.0
    payback = 0
    for t, flow in enumerate(flows):
        cumulative += flow
        if cumulative < 0:
            payback = t + 1
    if payback == len(flows) and payback > 0:
        return math.nan, "never_repaid"
    return float(payback), "ok"


def peak_cash_need(flows: Sequence[float]) -> float:
    """The largest amount out at any time: max(0, max_t of minus the cumulative flow)."""
    cumulative = 0.0
    peak = 0.0
    for flow in flows:
        cumulative += flow
        peak = max(peak, -cumulative)
    return peak


def _unique_root(flows: list[float], times: list[float]) -> Result:
    if not all(math.isfinite(f) for f in flows):
        return math.nan, "non_finite"
    if not any(f < 0 for f in flows):
        return math.nan, "no_sign_change"  # never pays
    if _first_nonzero(flows, times) > 0:
        return math.nan, "receives_first"  # not an investment
    if not any(f > 0 for f in flows):
        return -1.0, "ok"  # a total loss
    xs = _grid()
    signs = _signs([_scaled_npv(x, flows, times) for x in xs])
    crossings = [i for i in range(1, len(xs)) if signs[i] != signs[i - 1]]
    if not crossings:
        return math.nan, "no_root"
    if len(crossings) > 1:
        return math.nan, "multiple_roots"
    i = crossings[0]
    low, high = xs[i - 1], xs[i]
    low_sign = _sign(_scaled_npv(low, flows, times))
    if low_sign == 0:
        return math.expm1(low), "ok"
    for _ in range(BISECTIONS):
        mid = 0.5 * (low + high)
        value = _scaled_npv(mid, flows, times)
        if value == 0 or mid in (low, high):
            low = high = mid
            break
        if _sign(value) == low_sign:
            low = mid
        else:
            high = mid
    return math.expm1(0.5 * (low + high)), "ok"


def _first_nonzero(flows: Sequence[float], times: Sequence[float]) -> float:
    """The earliest non-zero flow (flows at one time in the order given); 0 if none."""
    for i in sorted(range(len(flows)), key=lambda i: times[i]):
        if flows[i] != 0:
            return flows[i]
    return 0.0


def _grid() -> list[float]:
    """Points of x = log(1 + r) from RATE_LOW to RATE_HIGH, GRID_STEP apart, through 0."""
    low, high = math.log1p(RATE_LOW), math.log1p(RATE_HIGH)
    below = [
        low + (0.0 - low) * k / math.ceil(-low / GRID_STEP)
        for k in range(math.ceil(-low / GRID_STEP))
    ]
    n_above = math.ceil(high / GRID_STEP)
    above = [high * k / n_above for k in range(n_above + 1)]
    return below + above


def _scaled_npv(x: float, flows: list[float], times: list[float]) -> float:
    """NPV at rate exp(x) - 1, times a positive factor that keeps every exponent <= 0."""
    span = max(times)
    total = 0.0
    for flow, t in zip(flows, times, strict=True):
        total += flow * (math.exp(-x * t) if x >= 0 else math.exp(x * (span - t)))
    return total


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _signs(values: list[float]) -> list[int]:
    """Signs, a zero taking the sign before it (the one after, at the start)."""
    signs = [_sign(v) for v in values]
    previous = next((s for s in signs if s != 0), 0)
    filled = []
    for s in signs:
        previous = s if s != 0 else previous
        filled.append(previous)
    return filled
