"""Finance measures over cash flows: rates, NPV, IRR, XIRR, money multiple, payback, peak need.

Every function takes flows shaped ``(paths, periods)`` — or any ``(..., periods)``; a 1-D
array is one path — and works on all paths at once. Sign convention of the whole project:
a party's flow is **positive when it receives money**. Time runs along the last axis and
the first column is at time 0 (undiscounted), as in numpy-financial.

IRR and money multiple are **returns**: they describe money put in first and what came
back. They are defined only for an *investment-type* flow, whose first non-zero flow is an
outlay (negative). A flow that receives money before it pays (a provider paid its fees
before its costs; a loan seen from the borrower) has neither: the rate that makes its NPV
zero is what the money it got cost it, not a return, and read as one it is wrong. A flow
that pays out and gets nothing back is a **total loss**: IRR −100 %, multiple 0 (reason
``ok``) — at the bottom of a distribution of returns, not outside it.

Numbers that do not exist are NaN with a reason code beside them, never an exception:

================ ========================================================================
reason           meaning
================ ========================================================================
ok               the value is defined (for IRR: exactly one rate where NPV crosses zero,
                 or −100 % on a total loss)
no_sign_change   (irr) no flow is negative: the party never pays, nothing to earn on
nothing_invested (moic) no flow is negative: there is no money to multiply
receives_first   the first non-zero flow is money received: not an investment, so no
                 return to measure (IRR and multiple alike)
no_root          NPV never crosses zero for a rate in (-99 %, RATE_HIGH] per period
multiple_roots   NPV crosses zero more than once: no single rate describes the flows
non_finite       a flow (or date) is NaN or infinite
no_money_at_risk (:func:`party_returns`) the party's role puts no money at risk
                 (a commissioner buys outcomes, a fee taker earns fees): no return
never_repaid     (payback) the cumulative flow ends negative
================ ========================================================================

How IRR is found, for all paths at once (no Python loop over paths):

1. Write NPV as a polynomial in the discount factor ``v = 1/(1+r)``:
   ``P(v) = sum_t f_t v^t``. For ``v > 1`` (negative rates) use the reversed polynomial in
   ``w = 1/v``, ``Q(w) = sum_t f_t w^(T-1-t) = P(v)/v^(T-1)``, which has the same sign; all
   powers then stay in (0, 1] and nothing overflows however many periods there are.
2. Paths that never pay, that receive first, or that pay and get nothing back are settled
   by the rule above without a search. Paths whose flows change sign exactly once (money
   out, then money in: every ordinary SIB investor) have at most one positive root by Descartes' rule of signs, so they skip
   the scan and go straight to Newton over the whole range (in ``v`` up to 120 periods,
   where ``v^t`` cannot overflow; beyond that on the side of 0 given by the sign of
   ``P(1) = sum f``, in ``v`` or ``w``). A root outside the range shows as Newton stuck
   at an end of it, which is then checked.
3. Other paths are scanned on a grid of ``log(1+r)`` (dense near 0, sparse far out); each
   sign change of NPV between neighbouring points is a crossing. No crossing gives
   ``no_root``, more than one ``multiple_roots``. Tangent zeros (NPV touches zero without
   crossing) are not counted, and two crossings closer than the grid spacing can hide
   each other — the price of a fixed grid.
4. The one crossing is refined by Newton's method on the polynomial, safeguarded by its
   bracket (a step leaving the bracket is replaced by bisection), started from a guess
   built from the money-weighted timing of gains and losses (or from the chord across
   the grid cell). A path stops once its Newton step is below ``1e-8`` relative: Newton
   converges quadratically, so the error left is about the square of that step. The
   tests hold the engine to 1e-10 of known roots and of the scalar oracle (bisection to
   the last bit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from effekt.errors import UsageError

__all__ = [
    "RATE_HIGH",
    "RATE_LOW",
    "HALF_MINOR_UNIT",
    "IrrResult",
    "MetricResult",
    "PartyReturns",
    "annualise",
    "irr",
    "moic",
    "npv",
    "party_returns",
    "payback_period",
    "peak_cash_need",
    "period_rate",
    "settled",
    "xirr",
]

FloatArray = npt.NDArray[np.float64]
ReasonArray = npt.NDArray[np.str_]
Evaluator = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]

RATE_LOW = -0.99
"""Lowest rate an IRR search considers (per period for :func:`irr`, per year for :func:`xirr`)."""
RATE_HIGH = 1000.0
"""Highest rate an IRR search considers."""

OK = "ok"
NO_SIGN_CHANGE = "no_sign_change"
NO_ROOT = "no_root"
MULTIPLE_ROOTS = "multiple_roots"
NON_FINITE = "non_finite"
NOTHING_INVESTED = "nothing_invested"
NEVER_REPAID = "never_repaid"
RECEIVES_FIRST = "receives_first"
NO_MONEY_AT_RISK = "no_money_at_risk"
TOTAL_LOSS_RATE = -1.0
"""The IRR of a total loss: money paid out and nothing back."""
_REASON_DTYPE = "<U16"

_TOL = 1e-8  # relative Newton step after which a root counts as found: the error
# after a Newton step of size s is about C * s**2 (C = |p''/2p'| z, typically < 10)
_MAX_ITER = 100  # bisection alone would need about 50
_GRID_SCALE = 0.05  # grid spacing near r = 0 is about _GRID_SCALE * _GRID_STEP
_GRID_STEP = 0.1  # in asinh(x / _GRID_SCALE); 111 points over the whole range
_CHUNK = 16384
_V_SPACE_MAX_PERIODS = 120  # up to here, v^t for v <= 100 stays far from overflow  # paths per block when scanning the grid (keeps blocks in cache)


class IrrResult(NamedTuple):
    """Internal rates of return and, beside each, why it is NaN (or ``"ok"``)."""

    rate: FloatArray
    reason: ReasonArray


class MetricResult(NamedTuple):
    """A measure per path and, beside each, why it is NaN (or ``"ok"``)."""

    value: FloatArray
    reason: ReasonArray


# --- rates ------------------------------------------------------------------------------


def period_rate(annual_rate: npt.ArrayLike, periods_per_year: float) -> FloatArray:
    """The rate per period equivalent to ``annual_rate``: ``(1 + r)^(1/m) - 1``.

    The one place in effekt where an annual rate becomes a per-period rate.

    >>> round(float(period_rate(0.08, 4)), 6)
    0.019427
    >>> round(float(period_rate(0.1, 12) * 0 + annualise(period_rate(0.1, 12), 12)), 12)
    0.1
    """
    r = np.asarray(annual_rate, dtype=np.float64)
    return np.asarray(np.expm1(np.log1p(r) / periods_per_year), dtype=np.float64)


def annualise(period_rate: npt.ArrayLike, periods_per_year: float) -> FloatArray:
    """The annual rate equivalent to a per-period rate: ``(1 + p)^m - 1``.

    >>> round(float(annualise(0.02, 4)), 8), float(annualise(-1.0, 4))
    (0.08243216, -1.0)
    """
    p = np.asarray(period_rate, dtype=np.float64)
    with np.errstate(divide="ignore"):  # -100 % a period is -100 % a year: log1p(-1) = -inf
        return np.asarray(np.expm1(np.log1p(p) * periods_per_year), dtype=np.float64)


# --- present value ----------------------------------------------------------------------


def npv(rate_per_period: npt.ArrayLike, flows: npt.ArrayLike) -> FloatArray:
    """Net present value: ``sum_t flows[..., t] / (1 + r)^t`` for ``t = 0 .. T-1``.

    The first column is at time 0 and is not discounted (numpy-financial's convention;
    Excel's NPV starts at 1). ``rate_per_period`` broadcasts against ``flows.shape[:-1]``:
    one rate for every path, or one per path. A rate of -100 % or less gives NaN.

    >>> round(float(npv(0.1, [-100.0, 55.0, 66.55])), 9)
    5.0
    >>> npv([0.0, 0.1], [[-100.0, 121.0], [-100.0, 121.0]]).round(9)
    array([21., 10.])
    """
    f = _as_float(flows)
    r = np.asarray(rate_per_period, dtype=np.float64)[..., np.newaxis]
    t = np.arange(f.shape[-1], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        discounted = f * (1.0 + r) ** -t
        value = np.asarray(discounted.sum(axis=-1), dtype=np.float64)
    return np.where(r[..., 0] > -1.0, value, np.nan)


# --- IRR --------------------------------------------------------------------------------


def irr(flows: npt.ArrayLike) -> IrrResult:
    """Internal rate of return per period: the one ``r`` with ``npv(r, flows) = 0``.

    Annualise it with :func:`annualise`. Returns ``IrrResult(rate, reason)`` with shape
    ``flows.shape[:-1]``; the rate is NaN unless the reason is ``"ok"`` (see the module
    doc for the reasons and the method).

    >>> res = irr([-100.0, 55.0, 60.5])
    >>> round(float(res.rate), 12), str(res.reason)
    (0.1, 'ok')
    >>> irr([[-1.0, 3.0, -2.0], [1.0, 2.0, 3.0]]).reason.tolist()
    ['multiple_roots', 'no_sign_change']
    >>> res = irr([[100.0, -110.0], [-100.0, 0.0]])  # receives first; a total loss
    >>> res.rate.tolist(), res.reason.tolist()
    ([nan, -1.0], ['receives_first', 'ok'])
    >>> flows = [-100.0, 210.0, -210.0, 110.0]  # three sign changes, one root
    >>> round(float(irr(flows).rate), 12)
    0.1
    """
    f = _as_float(flows)
    shape, n_periods = f.shape[:-1], f.shape[-1]
    f2 = f.reshape(-1, n_periods)
    rate = np.full(f2.shape[0], np.nan)
    reason = np.full(f2.shape[0], NO_SIGN_CHANGE, dtype=_REASON_DTYPE)
    if n_periods >= 2:
        for start in range(0, f2.shape[0], _CHUNK):  # blocks that stay in the CPU cache
            block = slice(start, start + _CHUNK)
            _irr_paths(f2[block], rate[block], reason[block])
    return IrrResult(rate.reshape(shape), reason.reshape(shape))


def _irr_paths(f: FloatArray, rate: FloatArray, reason: ReasonArray) -> None:
    """Fill ``rate`` and ``reason`` for the paths (rows) of ``f``."""
    n_periods = f.shape[1]
    columns = np.ascontiguousarray(f.T)  # (periods, paths): one period per row, for Horner
    total = columns.sum(axis=0)  # NPV at r = 0
    finite = np.isfinite(total)
    reason[~finite] = NON_FINITE
    pos, neg = columns > 0, columns < 0
    first_pos, last_pos = _first_last(pos)
    first_neg, last_neg = _first_last(neg)
    both = _investment_rule(finite, first_pos, first_neg, n_periods, rate, reason)
    once = both & (last_neg < first_pos)

    # Flows that change sign once: one positive root (Descartes), no scan needed.
    if once.any():
        _irr_single_change(columns, once, last_pos > last_neg, total, rate, reason)

    # Everything else that has both signs: scan the grid, refine single crossings.
    idx = np.flatnonzero(both & ~once)
    if idx.size:
        grid = _period_grid(n_periods)
        count, cell, lo_val, hi_val = _scan(f[idx], grid.matrix)
        reason[idx[count == 0]] = NO_ROOT
        reason[idx[count > 1]] = MULTIPLE_ROOTS
        one = np.flatnonzero(count == 1)
        reason[idx[one]] = OK
        rate[idx[one]] = _irr_in_cells(
            columns, idx[one], cell[one], lo_val[one], hi_val[one], grid.x
        )


def _investment_rule(
    finite: npt.NDArray[np.bool_],
    first_pos: npt.NDArray[np.intp],
    first_neg: npt.NDArray[np.intp],
    n: int,
    rate: FloatArray,
    reason: ReasonArray,
) -> npt.NDArray[np.bool_]:
    """Settle the paths that are not investments with a return to find; the rest (an outlay
    first, money back later) are returned as a mask for the root search.

    ``first_pos`` / ``first_neg``: index of each path's first positive / negative flow
    (``n`` if none). No outlay leaves ``no_sign_change``; money received before the first
    outlay is ``receives_first``; outlays with nothing back are a total loss, −100 %.
    """
    invests = finite & (first_neg < n)
    receives_first = invests & (first_pos < first_neg)
    reason[receives_first] = RECEIVES_FIRST
    lost = invests & (first_pos == n)
    reason[lost] = OK
    rate[lost] = TOTAL_LOSS_RATE
    return np.asarray(invests & (first_neg < first_pos) & (first_pos < n))


def _irr_single_change(
    columns: FloatArray,
    once: npt.NDArray[np.bool_],
    ends_positive: npt.NDArray[np.bool_],
    total: FloatArray,
    rate: FloatArray,
    reason: ReasonArray,
) -> None:
    """The paths marked ``once`` change sign once: one root at most, Newton needs no scan."""
    reason[once] = OK
    at_zero = once & (total == 0)
    rate[at_zero] = 0.0
    todo = once & ~at_zero
    last_sign = np.where(ends_positive, 1.0, -1.0)  # sign of NPV at high rates (small v)
    v_low, v_high = 1.0 / (1.0 + RATE_HIGH), 1.0 / (1.0 + RATE_LOW)
    if columns.shape[0] <= _V_SPACE_MAX_PERIODS:  # v^t cannot overflow for v <= v_high
        groups = [(todo, True, v_low, v_high)]
    else:  # the root is at r > 0 exactly when NPV at r = 0 has the high-rate sign
        positive_rate = (total > 0) == ends_positive
        groups = [
            (todo & positive_rate, True, v_low, 1.0),
            (todo & ~positive_rate, False, 1.0 / v_high, 1.0),
        ]
    for mask, in_v, low, high in groups:
        n_todo = np.count_nonzero(mask)
        if not n_todo:
            continue
        # Most paths to do: work on all columns (the others idle) rather than copy most.
        sel = np.arange(mask.size) if 2 * n_todo >= mask.size else np.flatnonzero(mask)
        coef = _take(columns, sel, in_v)
        idle = ~mask[sel]
        a = np.where(idle, 1.0, low)
        b = np.where(idle, 1.0, high)
        # small v means high rates; small w = 1/v means rates near -100 %
        sign_a = -last_sign[sel] if in_v else last_sign[sel]
        z0 = np.clip(_moment_guess(coef, total[sel]), a, b)
        z = _refine(coef, _horner, a, b, sign_a, z0)
        useful = np.flatnonzero(~idle)
        rate[sel[useful]] = _z_to_rate(z[useful], in_v)
        # A root outside [RATE_LOW, RATE_HIGH] drives z to an end of its range: check there.
        edge = useful[(z[useful] <= low * (1 + 1e-6)) | (z[useful] >= high * (1 - 1e-6))]
        if edge.size:
            at_low, _ = _horner(coef[:, edge], a[edge])
            at_high, _ = _horner(coef[:, edge], b[edge])
            beyond = sel[edge[np.sign(at_low) == np.sign(at_high)]]
            rate[beyond] = np.nan
            reason[beyond] = NO_ROOT


def _moment_guess(coef: FloatArray, total: FloatArray) -> FloatArray:
    """A start for Newton from the moments of the gains and of the losses.

    In ``x = -log z``, ``phi(x) = log(gains(x)) - log(losses(x))`` has the same root as
    NPV and is nearly straight: ``phi(0) = log(moic)``, ``phi'(0) = -(mean_g - mean_l)``,
    ``phi''(0) = var_g - var_l``, with means and variances of the powers of ``z`` weighted
    by money. The root of that parabola nearest 0 (of the line if it has none) is the
    start; for two lumps it is exact.
    """
    t = np.arange(coef.shape[0], dtype=np.float64)
    t2 = t * t
    positive = np.maximum(coef, 0.0)
    # sums of gains and of losses times 1, t and t^2 (einsum: no BLAS threads to wake)
    gains = [positive.sum(axis=0), np.einsum("t,tk->k", t, positive)]
    gains.append(np.einsum("t,tk->k", t2, positive))
    losses = [gains[0] - total, gains[1] - np.einsum("t,tk->k", t, coef)]
    losses.append(gains[2] - np.einsum("t,tk->k", t2, coef))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mean_g, mean_l = gains[1] / gains[0], losses[1] / losses[0]
        c0 = np.log(gains[0] / losses[0])
        c1 = mean_l - mean_g
        c2 = (gains[2] / gains[0] - mean_g**2) - (losses[2] / losses[0] - mean_l**2)
        disc = c1 * c1 - 2.0 * c0 * c2
        root = np.sqrt(np.maximum(disc, 0.0))
        x = np.where(disc >= 0, -2.0 * c0 / (c1 + np.copysign(root, c1)), -c0 / c1)
    return np.asarray(np.exp(-np.where(np.isfinite(x), x, 0.0)), dtype=np.float64)


def _irr_in_cells(
    columns: FloatArray,
    idx: npt.NDArray[np.intp],
    cell: npt.NDArray[np.intp],
    lo_val: FloatArray,
    hi_val: FloatArray,
    x: FloatArray,
) -> FloatArray:
    """Refine the one crossing between grid points ``cell - 1`` and ``cell`` of each path."""
    rate = np.empty(idx.size)
    for in_v in (True, False):  # each cell lies wholly at r >= 0 (in v) or r <= 0 (in w)
        sel = np.flatnonzero((x[cell - 1] >= 0) == in_v)
        if not sel.size:
            continue
        x_lo, x_hi = x[cell[sel] - 1], x[cell[sel]]
        if in_v:  # v = exp(-x) falls as x rises
            a, b, fa, fb = np.exp(-x_hi), np.exp(-x_lo), hi_val[sel], lo_val[sel]
        else:
            a, b, fa, fb = np.exp(x_lo), np.exp(x_hi), lo_val[sel], hi_val[sel]
        coef = _take(columns, idx[sel], in_v)
        z = _refine(coef, _horner, a, b, fa, _false_position(a, b, fa, fb))
        rate[sel] = _z_to_rate(z, in_v)
    return rate


def _false_position(a: FloatArray, b: FloatArray, fa: FloatArray, fb: FloatArray) -> FloatArray:
    """Where the chord from ``(a, fa)`` to ``(b, fb)`` crosses zero."""
    return np.asarray(a - fa * (b - a) / (fb - fa), dtype=np.float64)


def _take(columns: FloatArray, idx: npt.NDArray[np.intp], in_v: bool) -> FloatArray:
    """Coefficients (periods, paths ``idx``) in ascending powers of ``v`` or of ``w = 1/v``."""
    rows = columns if in_v else columns[::-1]
    return rows if idx.size == columns.shape[1] else rows[:, idx]


def _z_to_rate(z: FloatArray, in_v: bool) -> FloatArray:
    return np.asarray(1.0 / z - 1.0 if in_v else z - 1.0, dtype=np.float64)


def _horner(coef: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``p(z) = sum_t coef[t] z^t`` and ``p'(z)`` for every path (column) by Horner's rule."""
    p = coef[-1].copy()
    dp = np.zeros_like(p)
    for t in range(coef.shape[0] - 2, -1, -1):
        np.multiply(dp, z, out=dp)
        dp += p
        np.multiply(p, z, out=p)
        p += coef[t]
    return p, dp


def _refine(
    coef: FloatArray,
    evaluate: Evaluator,
    a: FloatArray,
    b: FloatArray,
    fa: FloatArray,
    z: FloatArray,
    *,
    relative: bool = True,
) -> FloatArray:
    """Newton's method safeguarded by the bracket ``[a, b]``; ``fa`` has the sign of f(a).

    A Newton step that leaves the bracket is replaced by the midpoint; the bracket
    shrinks to the side that keeps the sign change. A path is done when its Newton step
    is below ``_TOL * z`` (``_TOL`` if not ``relative``) or its bracket is at rounding
    level. Done paths drop out once they are the majority.
    """
    a, b, z = a.copy(), b.copy(), z.copy()
    a_positive = fa > 0
    out = z.copy()
    active = np.arange(z.size)
    for _ in range(_MAX_ITER):
        p, dp = evaluate(coef, z)
        same = (p > 0) == a_positive
        np.copyto(a, z, where=same)
        np.copyto(b, z, where=~same)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = p / dp
        new = z - step
        inside = (new >= a) & (new <= b)
        np.copyto(new, 0.5 * (a + b), where=~inside)
        tol = _TOL * z if relative else _TOL
        done = (inside & (np.abs(step) <= tol)) | (b - a <= _TOL * tol)
        out[active] = new
        n_done = np.count_nonzero(done)
        if n_done == done.size:
            break
        z = new
        if 2 * n_done >= done.size:
            keep = ~done
            active, coef, a_positive = active[keep], coef[..., keep], a_positive[keep]
            z, a, b = z[keep], a[keep], b[keep]
    return out


# --- XIRR -------------------------------------------------------------------------------


def xirr(flows: npt.ArrayLike, dates: Sequence[dt.date] | npt.ArrayLike) -> IrrResult:
    """Annual internal rate of return of dated flows (ACT/365: years = days / 365).

    The one ``R`` with ``sum_i flows[..., i] / (1 + R)^((dates[i] - dates[0]) / 365) = 0``.
    ``dates`` (``datetime.date``, ``numpy.datetime64`` or ISO strings, in any order) are
    shared by every path. Same method and reasons as :func:`irr`, with the grid scan for
    every path; the rate is searched in (RATE_LOW, RATE_HIGH] per year. The first flow of
    the investment rule is the earliest-dated one (flows on one date in the order given).

    >>> import datetime as dt
    >>> d = [dt.date(2027, 1, 1), dt.date(2028, 1, 1), dt.date(2029, 1, 1)]  # 365, 366 days
    >>> res = xirr([-1000.0, 0.0, 1210.0], d)
    >>> round(float(res.rate), 6), str(res.reason)
    (0.099857, 'ok')
    """
    f = _as_float(flows)
    years = _year_fractions(dates, f.shape[-1])
    shape = f.shape[:-1]
    f2 = f.reshape(-1, f.shape[-1])
    rate = np.full(f2.shape[0], np.nan)
    reason = np.full(f2.shape[0], NO_SIGN_CHANGE, dtype=_REASON_DTYPE)
    columns = np.ascontiguousarray(f2.T)
    finite = np.isfinite(columns.sum(axis=0))
    reason[~finite] = NON_FINITE
    in_date_order = columns[np.argsort(years, kind="stable")]  # "first" is the earliest
    first_pos, _ = _first_last(in_date_order > 0)
    first_neg, _ = _first_last(in_date_order < 0)
    both = _investment_rule(finite, first_pos, first_neg, years.size, rate, reason)
    idx = np.flatnonzero(both)
    if idx.size:
        x = _grid_x()
        span = years.max()
        exponents = np.where(x >= 0, -x * years[:, np.newaxis], x * (span - years[:, np.newaxis]))
        count, cell, lo_val, hi_val = _scan(f2[idx], np.exp(exponents))
        reason[idx[count == 0]] = NO_ROOT
        reason[idx[count > 1]] = MULTIPLE_ROOTS
        one = np.flatnonzero(count == 1)
        reason[idx[one]] = OK
        for positive in (True, False):  # scaled so that no exponent is positive
            sel = one[(x[cell[one] - 1] >= 0) == positive]
            if not sel.size:
                continue
            power = years if positive else years - span
            a, b = x[cell[sel] - 1], x[cell[sel]]
            start = _false_position(a, b, lo_val[sel], hi_val[sel])
            coef = columns[:, idx[sel]]
            root = _refine(coef, _exp_sum(power), a, b, lo_val[sel], start, relative=False)
            rate[idx[sel]] = np.expm1(root)
    return IrrResult(rate.reshape(shape), reason.reshape(shape))


def _year_fractions(dates: Sequence[dt.date] | npt.ArrayLike, n_flows: int) -> FloatArray:
    """Years from the earliest date, ACT/365 (days / 365)."""
    days = np.asarray(dates, dtype="datetime64[D]")
    if days.ndim != 1 or days.size != n_flows:
        raise UsageError("finance.dates_mismatch", dates=days.shape, flows=n_flows)
    if np.isnat(days).any():
        raise UsageError("finance.bad_dates", detail="a date is missing (NaT)")
    if not days.size:
        return np.zeros(0)
    years: FloatArray = (days - days.min()).astype(np.float64) / 365.0
    return years


def _exp_sum(power: FloatArray) -> Evaluator:
    """Evaluator of ``g(x) = sum_i c_i exp(-x power_i)`` and ``g'(x)`` per path (column)."""

    def evaluate(coef: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        terms = coef * np.exp(-power[:, np.newaxis] * x)
        return terms.sum(axis=0), -(power @ terms)

    return evaluate


# --- a party's return --------------------------------------------------------------------

HALF_MINOR_UNIT = 0.005
"""Amounts in a party's flows below this (half an öre or penny) are float noise."""


_R = TypeVar("_R", IrrResult, MetricResult)


class PartyReturns(NamedTuple):
    """A party's return: annual IRR, money multiple and (given dates) XIRR, with reasons."""

    irr: IrrResult
    moic: MetricResult
    xirr: IrrResult | None


def settled(flows: npt.ArrayLike) -> FloatArray:
    """``flows`` with amounts under half a minor unit (öre, penny) set to 0.

    Transfers that cancel in exact arithmetic leave float noise (−4.7e−10 SEK on a
    provider whose payments equal its costs); counted as money paid in, that noise would
    make a money multiple of 0 and a total loss out of a party that neither paid nor got
    anything, and its sign would decide whether a flow "pays first".

    >>> settled([-4.7e-10, 5.0, -0.004]).tolist()
    [0.0, 5.0, 0.0]
    """
    f = _as_float(flows)
    return np.asarray(np.where(np.abs(f) < HALF_MINOR_UNIT, 0.0, f), dtype=np.float64)


def party_returns(
    flows: npt.ArrayLike,
    periods_per_year: float,
    at_risk: bool = True,
    dates: Sequence[dt.date] | npt.ArrayLike | None = None,
) -> PartyReturns:
    """The one definition of a party's return, used by every command that shows one.

    On the :func:`settled` flows: :func:`irr` (annualised), :func:`moic` and, given
    ``dates``, :func:`xirr` — each defined only for an investment-type flow (an outlay
    first; −100 % and 0 on a total loss; see the module doc). A party whose role puts no
    money at risk (``at_risk`` false: a commissioner, a fee taker, the deal's accounts)
    has none, whatever its flows: reason ``"no_money_at_risk"``.

    >>> r = party_returns([[-100.0, 0.0, 0.0, 0.0], [50.0, -80.0, 0.0, 40.0]], 4)
    >>> r.irr.rate.tolist(), r.irr.reason.tolist(), r.moic.value.tolist()
    ([-1.0, nan], ['ok', 'receives_first'], [0.0, nan])
    >>> party_returns([-100.0, 0.0, 0.0, 0.0], 4, at_risk=False).irr.reason.tolist()
    'no_money_at_risk'
    """
    f = settled(flows)
    r, mo = irr(f), moic(f)
    x = None if dates is None else xirr(f, dates)
    if not at_risk:
        r, mo = _no_return(r), _no_return(mo)
        x = None if x is None else _no_return(x)
    return PartyReturns(IrrResult(annualise(r.rate, periods_per_year), r.reason), mo, x)


def _no_return(result: _R) -> _R:
    nan = np.full(result[0].shape, np.nan)
    return type(result)(nan, np.full(result[1].shape, NO_MONEY_AT_RISK, dtype=_REASON_DTYPE))


# --- money multiple, payback, peak need ---------------------------------------------------


def moic(flows: npt.ArrayLike) -> MetricResult:
    """Money multiple: ``sum of positive flows / sum of |negative flows|`` per path.

    NaN with reason ``"nothing_invested"`` when no flow is negative, ``"receives_first"``
    when the first non-zero flow is money received (see the module doc); 0 on a total loss.

    >>> res = moic([[-100.0, 30.0, 90.0], [0.0, 5.0, 5.0], [5.0, -10.0, 0.0], [-9.0, 0.0, 0.0]])
    >>> res.value.round(6).tolist(), res.reason.tolist()
    ([1.2, nan, nan, 0.0], ['ok', 'nothing_invested', 'receives_first', 'ok'])
    """
    f = _as_float(flows)
    gains = np.maximum(f, 0.0).sum(axis=-1)
    losses = np.maximum(-f, 0.0).sum(axis=-1)
    finite = np.isfinite(f).all(axis=-1)
    invested = losses > 0
    first = np.take_along_axis(f, np.argmax(f != 0, axis=-1)[..., np.newaxis], axis=-1)[..., 0]
    receives_first = invested & (first > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(finite & invested & ~receives_first, gains / losses, np.nan)
    reason = np.where(invested, OK, NOTHING_INVESTED).astype(_REASON_DTYPE)
    reason[receives_first] = RECEIVES_FIRST
    reason[~finite] = NON_FINITE
    return MetricResult(np.asarray(value, dtype=np.float64), reason)


def payback_period(flows: npt.ArrayLike) -> MetricResult:
    """The period index from which the cumulative flow stays non-negative.

    With ``C_t = flows[..., 0] + ... + flows[..., t]``: payback is ``1 + (the last t with
    C_t < 0)`` — the first period at which the cumulative sum has turned non-negative
    after having been negative, never to dip below zero again. It is 0 when ``C`` is never
    negative (nothing to pay back) and NaN with reason ``"never_repaid"`` when ``C`` ends
    negative.

    >>> res = payback_period([[-100.0, 40.0, 60.0, 10.0], [-100.0, 120.0, -50.0, 40.0]])
    >>> res.value.tolist(), res.reason.tolist()
    ([2.0, 3.0], ['ok', 'ok'])
    >>> payback_period([-100.0, 40.0, 50.0]).reason.tolist()
    'never_repaid'
    """
    f = _as_float(flows)
    n = f.shape[-1]
    below = np.cumsum(f, axis=-1) < 0
    after_last_below = (below * np.arange(1, n + 1)).max(axis=-1, initial=0)
    finite = np.isfinite(f).all(axis=-1)
    repaid = after_last_below < n
    value = np.where(finite & repaid, after_last_below, np.nan).astype(np.float64)
    reason = np.where(repaid, OK, NEVER_REPAID).astype(_REASON_DTYPE)
    reason[~finite] = NON_FINITE
    return MetricResult(value, reason)


def peak_cash_need(flows: npt.ArrayLike) -> FloatArray:
    """The most money out at any time: ``max(0, max_t -C_t)`` with ``C`` the cumulative flow.

    >>> peak_cash_need([[-100.0, -50.0, 120.0, 60.0], [10.0, -5.0, 1.0, 0.0]]).tolist()
    [150.0, 0.0]
    """
    f = _as_float(flows)
    return np.asarray(np.maximum(-np.cumsum(f, axis=-1).min(axis=-1, initial=0.0), 0.0))


# --- grid scan --------------------------------------------------------------------------


class _Grid(NamedTuple):
    x: FloatArray  # grid of log(1 + r), ascending, containing 0
    matrix: FloatArray  # (periods, points): P(v) columns for x >= 0, Q(w) columns for x < 0


def _grid_x() -> FloatArray:
    """Points in ``x = log(1+r)`` from RATE_LOW to RATE_HIGH, dense near 0, including 0."""
    ends = np.arcsinh(np.array([np.log1p(RATE_LOW), np.log1p(RATE_HIGH)]) / _GRID_SCALE)
    n_low, n_high = (np.ceil(np.abs(ends) / _GRID_STEP)).astype(int)
    u = np.concatenate(
        [np.linspace(ends[0], 0.0, n_low + 1), np.linspace(0, ends[1], n_high + 1)[1:]]
    )
    x: FloatArray = _GRID_SCALE * np.sinh(u)
    x[n_low] = 0.0
    return x


@cache
def _period_grid(n_periods: int) -> _Grid:
    x = _grid_x()
    t = np.arange(n_periods, dtype=np.float64)[:, np.newaxis]
    exponent = np.where(x >= 0, -x * t, x * (n_periods - 1 - t))
    return _Grid(x, np.exp(exponent))


def _scan(
    f: FloatArray, matrix: FloatArray
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray, FloatArray]:
    """Count NPV sign changes along the grid for each path (row of ``f``).

    Returns the count, the index ``g`` of the first crossing (between points ``g-1`` and
    ``g``) and the scaled NPV at both ends of that cell. Exact zeros take the sign of the
    point before them, so touching zero is not a crossing.
    """
    n = f.shape[0]
    count = np.zeros(n, dtype=np.intp)
    cell = np.zeros(n, dtype=np.intp)
    lo_val, hi_val = np.zeros(n), np.zeros(n)
    for start in range(0, n, _CHUNK):
        block = slice(start, start + _CHUNK)
        values = f[block] @ matrix
        signs = np.sign(values)
        if not signs.all():
            signs = _fill_zeros(signs)
        change = signs[:, 1:] != signs[:, :-1]
        count[block] = np.count_nonzero(change, axis=1)
        g = np.argmax(change, axis=1) + 1
        rows = np.arange(values.shape[0])
        cell[block] = g
        lo_val[block] = values[rows, g - 1]
        hi_val[block] = values[rows, g]
    return count, cell, lo_val, hi_val


def _fill_zeros(signs: FloatArray) -> FloatArray:
    """Replace zero signs by the last non-zero sign before them (or the first after)."""
    points = np.arange(signs.shape[1])
    last = np.maximum.accumulate(np.where(signs != 0, points, 0), axis=1)
    filled = np.take_along_axis(signs, last, axis=1)
    first = np.argmax(filled != 0, axis=1)
    lead = filled == 0
    return np.where(lead, np.take_along_axis(filled, first[:, np.newaxis], axis=1), filled)


# --- helpers ----------------------------------------------------------------------------


def _as_float(flows: npt.ArrayLike) -> FloatArray:
    f = np.asarray(flows, dtype=np.float64)
    if f.ndim == 0:
        raise UsageError("finance.bad_shape", detail="flows need a period axis (at least 1-D)")
    return f


def _first_last(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Index of the first and of the last True in each column (``n`` and -1 if none)."""
    n = mask.shape[0]
    up = np.arange(1, n + 1, dtype=np.int16)[:, np.newaxis]
    first = n - (mask * up[::-1]).max(axis=0)  # weights n .. 1: the first True weighs most
    last = (mask * up).max(axis=0) - 1
    return first.astype(np.intp), last.astype(np.intp)
