"""Use case: goal seek over any numeric term (``effekt solve``).

``--vary rules[skolnarvaro].price --target fond.irr=0.06`` finds the price at which the
investor's IRR is 6 %: the business case is a function of one term, and a bracketed root
finder (Brent) solves target(value) − goal = 0 within a range; when the range holds no
root it says so rather than guessing. Every value tried gives a contract checked whole
(:func:`with_overrides`): the range is narrowed to the values that give a valid contract —
an engagement rate is searched up to 1, not to ten times its value — and the message
names the range actually searched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from effekt.contract.base import MAX_AMOUNT
from effekt.contract.fields import is_amount
from effekt.contract.model import Contract
from effekt.contract.overrides import get_path, resolve_path
from effekt.contract.parties import RISKING_ROLES
from effekt.engine.cashflow import DEAL, OUTSIDE
from effekt.errors import NoSolution, UsageError
from effekt.i18n import Phrase
from effekt.i18n import translate as t
from effekt.i18n.format import money, percent, significant
from effekt.services.business_case import business_case_json
from effekt.services.scenarios import with_overrides

__all__ = ["Solution", "parse_target", "solution_text", "solve"]

_TARGET = re.compile(r"^\s*([A-Za-z0-9_\-]+)\.([a-z_]+)\s*=\s*([-\u2212]?[0-9.,eE+\-]+)\s*(%?)\s*$")
_PARTY_FIELDS = {"npv", "irr", "moic", "total", "peak_cash_need"}


@dataclass(frozen=True)
class Solution:
    """The value found and what it achieves. For a whole-number term (a period, a count) the
    target lies between two whole values: ``value`` is the one nearer the goal and
    ``other_value``/``other_achieved`` its neighbour on the other side."""

    param: str
    value: float
    target: str
    achieved: float
    evaluations: int
    whole: bool = False
    other_value: float | None = None
    other_achieved: float | None = None


#: A whole-number range up to this many values is searched value by value; a longer one
#: on a grid of so many values first (a fine one: the target is undefined at some values,
#: an IRR before anything is paid back, and a coarse grid stepped over the crossing).
_WHOLE_EXHAUSTIVE = 400
_WHOLE_GRID = 201


@dataclass(frozen=True)
class _Target:
    """A target the way an answer shows it, in either language: ``fond.irr = 6 %``, money
    with its currency (a :class:`effekt.errors.Stated` parameter of an error)."""

    owner: str
    field: str
    goal: float
    currency: str

    def stated(self, lang: str = "en") -> str:
        return f"{self.owner}.{self.field} = {_shown(self.field, self.goal, self.currency, lang)}"


def _stated(c: Contract, target: str) -> _Target:
    return _Target(*parse_target(target), c.currency)


def parse_target(expr: str) -> tuple[str, str, float]:
    """``fond.irr=0.06`` → ("fond", "irr", 0.06); ``totals.outcome_payments=5e6`` likewise.
    A decimal comma and a percentage are read as written: ``fond.irr=0,06``, ``fond.irr=6%``.

    >>> parse_target("fond.irr=6 %"), parse_target("fond.moic=1,2")
    (('fond', 'irr', 0.06), ('fond', 'moic', 1.2))
    """
    m = _TARGET.match(expr)
    text = m.group(3).replace("\u2212", "-") if m else ""
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise UsageError("solve.bad_target", target=expr) from None
    assert m is not None  # a failed match leaves text empty, which float refuses
    if not math.isfinite(value):
        raise UsageError("solve.target_not_finite", target=expr)
    return m.group(1), m.group(2), value / 100 if m.group(4) else value


def _measure(c: Contract, target: str, owner: str, field: str) -> Callable[[Contract], float]:
    """What the target measures, as a function of the contract; a target that names no
    party or total of the business case, or a return the party's role never has, is refused."""
    base = business_case_json(c)
    if owner == "totals":
        if field not in base["totals"]:
            raise UsageError(
                "solve.unknown_total",
                target=target,
                name=field,
                names=", ".join(f"totals.{name}" for name in base["totals"]),
            )

        def totals(x: Contract) -> float:
            value = business_case_json(x)["totals"].get(field)
            return float("nan") if value is None else float(value)

        return totals
    if field not in _PARTY_FIELDS:
        raise UsageError("solve.bad_target", target=f"{owner}.{field}")
    if owner not in base["parties"]:
        raise UsageError(
            "solve.unknown_party",
            target=target,
            party=owner,
            parties=", ".join([*(p.id for p in c.parties), DEAL, OUTSIDE]),
        )
    if field in ("irr", "moic") and base["parties"][owner]["role"] not in RISKING_ROLES:
        # undefined at every value of every term: no value can meet it
        raise UsageError(
            "solve.undefined_return",
            target=target,
            party=owner,
            kind=Phrase(f"sensitivity.kind.{field}"),
            reason=Phrase("finance.reason.no_money_at_risk"),
        )

    def party(x: Contract) -> float:
        value = business_case_json(x)["parties"][owner].get(field)
        return float("nan") if value is None else float(value)

    return party


def _changed(c: Contract, param: str, x: float) -> Contract | None:
    """The contract with ``param`` = ``x``, or None when that makes it invalid."""
    try:
        return with_overrides(c, {param: x})
    except UsageError as exc:
        if exc.code.startswith("scenario.invalid"):
            return None
        raise


def _valid_range(
    c: Contract, param: str, lo: float, hi: float, current: float
) -> tuple[float, float]:
    """``[lo, hi]`` narrowed to the values of ``param`` that give a valid contract, by
    bisection from a valid value to each invalid end. Where neither end nor the current
    value is valid, the low end's problem is the error."""
    anchor = current if lo <= current <= hi else None
    ends = [x if _changed(c, param, x) is not None else None for x in (lo, hi)]
    if anchor is None:
        anchor = next((x for x in ends if x is not None), None)
    if anchor is None:
        with_overrides(c, {param: lo})  # raises: the low end makes the contract invalid
        raise AssertionError("unreachable")  # pragma: no cover
    narrowed = []
    for end, valid in zip((lo, hi), ends, strict=True):
        if valid is not None:
            narrowed.append(end)
            continue
        good, bad = anchor, end
        for _ in range(50):
            mid = (good + bad) / 2
            if mid in (good, bad):
                break
            if _changed(c, param, mid) is None:
                bad = mid
            else:
                good = mid
        narrowed.append(good)
    return narrowed[0], narrowed[1]


def solve(
    c: Contract, param: str, target: str, low: float | None = None, high: float | None = None
) -> Solution:
    """The value of ``param`` at which ``target`` holds, searched in [low, high]."""
    owner, field, goal = parse_target(target)
    measure = _measure(c, target, owner, field)
    data = c.model_dump(mode="json", by_alias=True)
    try:
        current: Any = get_path(data, param)
    except KeyError:
        raise UsageError("scenario.unknown_path", path=param) from None
    if isinstance(current, dict) and "mean" in current:
        current = current["mean"]
    if not isinstance(current, int | float) or isinstance(current, bool):
        raise UsageError("solve.not_numeric", param=param)
    for option, end in (("--low", low), ("--high", high)):
        if end is not None and not math.isfinite(end):
            raise UsageError("solve.not_finite", option=option, value=f"{end:g}")
    where = resolve_path(data, param)
    if where is not None and is_amount(Contract, tuple(where), data):
        for option, end in (("--low", low), ("--high", high)):
            if end is not None and abs(end) > MAX_AMOUNT:  # no contract can hold it
                raise UsageError(
                    "solve.beyond_amount", option=option, value=f"{end:g}", param=param
                )
    if low is not None and high is not None and not low < high:
        raise UsageError("solve.empty_range", low=low, high=high)
    lo = float(low) if low is not None else min(0.0, float(current))
    hi = float(high) if high is not None else max(1.0, 10.0 * abs(float(current)))
    # one end given beyond the other's default (10 × the current value, or 0): the default
    # reaches from it to ten times it, rather than turning the range upside down
    if high is None and hi <= lo:
        hi = lo + max(1.0, 9.0 * abs(lo))
    if low is None and lo >= hi:
        lo = hi - max(1.0, 9.0 * abs(hi))
    if isinstance(current, int):  # a period or a count: only whole values are terms
        return _solve_whole(c, param, target, goal, measure, current, lo, hi)
    lo, hi = _valid_range(c, param, lo, hi, float(current))
    count = 0

    def measured(x: float) -> float:
        """The target's value at ``x``, as the business case gives it (NaN: invalid there)."""
        nonlocal count
        count += 1
        changed = _changed(c, param, x)
        return float("nan") if changed is None else measure(changed)

    def f(x: float) -> float:
        return measured(x) - goal

    grid = np.linspace(lo, hi, 41)
    values = [f(float(x)) for x in grid]
    bracket = None
    for a, b, fa, fb in zip(grid[:-1], grid[1:], values[:-1], values[1:], strict=True):
        if math.isfinite(fa) and fa == 0:
            return Solution(param, float(a), target, goal, count)
        if math.isfinite(fa) and math.isfinite(fb) and fa * fb < 0:
            bracket = (float(a), float(b))
            break
    if bracket is None:
        raise NoSolution(
            "solve.no_solution", param=param, low=lo, high=hi, target=_stated(c, target)
        )
    # to the last digits of the root itself: a tolerance scaled by the range (1e15 at most)
    # had left the root far enough off to miss the goal, and be told a jump
    root = float(brentq(f, *bracket, xtol=1e-12, rtol=1e-14, maxiter=300))
    achieved = measured(root)  # not f(root) + goal: that adds float noise to what is shown
    if not abs(achieved - goal) <= 1e-6 * max(1.0, abs(goal)):
        # the target jumps past the goal here: a threshold or a tier edge, not a root
        raise NoSolution(
            "solve.discontinuous",
            param=param,
            value=root,
            target=_stated(c, target),
            below=measured(root - 1e-9 * max(1.0, abs(root))),
            above=measured(root + 1e-9 * max(1.0, abs(root))),
        )
    return Solution(param, root, target, achieved, count)


def _solve_whole(
    c: Contract,
    param: str,
    target: str,
    goal: float,
    measure: Callable[[Contract], float],
    current: int,
    low: float,
    high: float,
) -> Solution:
    """Goal seek over a whole-number term: the first pair of neighbouring whole values in
    ``[low, high]`` (both giving a valid contract) between which the target is crossed, the
    one nearer the goal first. The range is first narrowed, as for any term, to the whole
    values that give a valid contract (halving from the current value to each end that
    does not); a range of up to :data:`_WHOLE_EXHAUSTIVE` values is then tried value by
    value, a longer one on a grid and then by halving the bracket."""
    seen: dict[int, tuple[bool, float]] = {}  # value → (a valid contract, the target's value)

    def tried(x: int) -> tuple[bool, float]:
        if x not in seen:
            changed = _changed(c, param, x)
            seen[x] = (False, math.nan) if changed is None else (True, measure(changed))
        return seen[x]

    def f(x: int) -> float:
        return tried(x)[1] - goal

    def valid(x: int) -> bool:
        return tried(x)[0]

    lo, hi = math.ceil(low), math.floor(high)
    if hi < lo:
        raise UsageError("solve.no_whole_value", param=param, low=low, high=high)
    if lo <= current <= hi and valid(current):
        ends = []
        for end in (lo, hi):
            good, bad = (end, end) if valid(end) else (current, end)
            while abs(bad - good) > 1:
                mid = (good + bad) // 2 if bad > good else -((-good - bad) // 2)
                good, bad = (mid, bad) if valid(mid) else (good, mid)
            ends.append(good)
        lo, hi = ends
    if hi - lo <= _WHOLE_EXHAUSTIVE:
        points = list(range(lo, hi + 1))
    else:
        points = sorted({int(round(x)) for x in np.linspace(lo, hi, _WHOLE_GRID)})
    finite = [(x, f(x)) for x in points if math.isfinite(f(x))]
    if not any(valid(x) for x in points):
        with_overrides(c, {param: lo})  # raises: the low end makes the contract invalid
    crossed = [
        (p, q) for p, q in zip(finite, finite[1:], strict=False) if p[1] == 0 or p[1] * q[1] < 0
    ]
    if crossed:
        (a, fa), (b, fb) = crossed[0]
    elif finite and finite[-1][1] == 0:
        (a, fa) = (b, fb) = finite[-1]
    else:
        low_, high_ = (finite[0][0], finite[-1][0]) if finite else (lo, hi)
        raise NoSolution(
            "solve.no_solution", param=param, low=low_, high=high_, target=_stated(c, target)
        )
    while b - a > 1 and fa != 0:  # a grid's bracket: halve it over defined whole values
        mid = (a + b) // 2
        # the defined value nearest the middle, strictly inside the bracket
        inside = (y for d in range(b - a) for y in (mid - d, mid + d) if a < y < b)
        x = next((y for y in inside if math.isfinite(f(y))), None)
        if x is None:  # a and b are neighbours among the values the target is defined at
            break
        if f(x) == 0 or fa * f(x) < 0:
            b, fb = x, f(x)
        else:
            a, fa = x, f(x)
    near, far = ((a, fa), (b, fb)) if abs(fa) <= abs(fb) else ((b, fb), (a, fa))
    return Solution(
        param,
        float(near[0]),
        target,
        tried(near[0])[1],  # as measured: target − goal + goal would add float noise
        len(seen),
        whole=True,
        other_value=None if near[1] == 0 else float(far[0]),
        other_achieved=None if near[1] == 0 else tried(far[0])[1],
    )


def _shown(field: str, value: float, currency: str, lang: str) -> str:
    """A target's value the language's way: a rate as a percentage, a multiple with ×,
    money with its currency."""
    if field == "irr":
        return percent(value, lang, 2)
    if field == "moic":
        return significant(value, lang, 4) + "×"
    return money(value, currency, lang)


def solution_text(sol: Solution, currency: str, lang: str = "en") -> str:
    """``rules[skolnarvaro].price = 444 722 ger fond.irr = 6 % (uppnått 6 %; 48 beräkningar).``"""
    target = _Target(*parse_target(sol.target), currency)
    field, shown = target.field, target.stated(lang)
    if sol.other_value is not None and sol.other_achieved is not None:
        return t(
            "solve.result_whole",
            lang,
            param=sol.param,
            value=significant(sol.value, lang, 6),
            achieved=_shown(field, sol.achieved, currency, lang),
            other=significant(sol.other_value, lang, 6),
            other_achieved=_shown(field, sol.other_achieved, currency, lang),
            target=shown,
            evaluations=sol.evaluations,
        )
    return t(
        "solve.result",
        lang,
        param=sol.param,
        value=significant(sol.value, lang, 6),
        target=shown,
        achieved=_shown(field, sol.achieved, currency, lang),
        evaluations=sol.evaluations,
    )
