"""From a gross outcome to the impact that can be credited to the intervention.

The additionality chain (HM Treasury/BIS *Additionality Guide*; SROI guide)::

    net_factor  = (1 - deadweight) * (1 - attribution) * (1 - displacement) * (1 - leakage)
    optimism    = (1 - optimism_bias)                    # reduces the expected effect
    persistence_t = (1 - drop_off) ** (t - 1)   for t = 1..duration, else 0

* **deadweight** — the share of the outcome that would have happened anyway;
* **attribution** — the share caused by others' contributions;
* **displacement** — the share that displaced the same outcome elsewhere;
* **leakage** — the share that benefits people outside the target group;
* **drop-off** — the yearly decline of an outcome after its first year (a constant rate or
  one rate per year);
* **optimism bias** — applied to effect sizes and take-up, not to costs (a method choice
  for SIBs, see docs/sources/valuation.md §4.3): ``0.2`` cuts the expected effect by 20 %.

**The rule on deadweight.** A counterfactual from a comparison group, a matched comparison,
a randomised trial or a difference-in-differences design already removes what would have
happened anyway: the measured effect *is* net of deadweight. Applying deadweight again
counts it twice. :func:`check_deadweight` refuses it (code
``valuation.deadweight_double_counted``); :func:`deadweight_problem` returns the code
instead, for validators that report every problem at once.

>>> float(net_factor(0.4, 0.1, 0.25))                 # 0.6 * 0.9 * 0.75
0.405
>>> persistence(0.3, 3, 4).round(6).tolist()         # drop-off 30 %, lasts 3 of 4 years
[1.0, 0.7, 0.49, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from effekt.errors import ComputationError, InputError

__all__ = [
    "COUNTERFACTUALS_WITHOUT_DEADWEIGHT",
    "Adjustments",
    "Counterfactual",
    "adjustment_factor",
    "check_deadweight",
    "deadweight_problem",
    "net_factor",
    "optimism_factor",
    "persistence",
]

FloatArray = npt.NDArray[np.float64]


class Counterfactual(StrEnum):
    """How the counterfactual (what would have happened anyway) is established."""

    NONE = "none"
    HISTORICAL_BASELINE = "historical_baseline"
    COMPARISON_GROUP = "comparison_group"
    MATCHED_COMPARISON = "matched_comparison"
    RANDOMISED_TRIAL = "randomised_trial"
    DIFFERENCE_IN_DIFFERENCES = "difference_in_differences"


COUNTERFACTUALS_WITHOUT_DEADWEIGHT = frozenset(
    {
        Counterfactual.COMPARISON_GROUP,
        Counterfactual.MATCHED_COMPARISON,
        Counterfactual.RANDOMISED_TRIAL,
        Counterfactual.DIFFERENCE_IN_DIFFERENCES,
    }
)
"""Methods whose measured effect already excludes deadweight."""

_ALIASES = {
    "rct": "randomised_trial",
    "matched": "matched_comparison",
    "did": "difference_in_differences",
}


def _fraction(name: str, value: npt.ArrayLike) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(array)) or np.any((array < 0) | (array > 1)):
        raise InputError("valuation.bad_fraction", name=name, value=str(value))
    return array


def _counterfactual(method: str | Counterfactual) -> Counterfactual:
    text = str(method)
    try:
        return Counterfactual(_ALIASES.get(text, text))
    except ValueError:
        raise InputError("valuation.unknown_counterfactual", method=text) from None


def deadweight_problem(method: str | Counterfactual, deadweight: npt.ArrayLike) -> str | None:
    """The message code if ``deadweight > 0`` would be counted twice under ``method``."""
    counterfactual = _counterfactual(method)
    if counterfactual in COUNTERFACTUALS_WITHOUT_DEADWEIGHT and np.any(
        np.asarray(deadweight, dtype=np.float64) > 0
    ):
        return "valuation.deadweight_double_counted"
    return None


def check_deadweight(method: str | Counterfactual, deadweight: npt.ArrayLike) -> None:
    """Refuse deadweight on top of a counterfactual that already removes it."""
    code = deadweight_problem(method, deadweight)
    if code:
        raise ComputationError(code, method=str(method), deadweight=str(deadweight))


def net_factor(
    deadweight: npt.ArrayLike = 0.0,
    attribution: npt.ArrayLike = 0.0,
    displacement: npt.ArrayLike = 0.0,
    leakage: npt.ArrayLike = 0.0,
) -> FloatArray:
    """``(1 - deadweight)(1 - attribution)(1 - displacement)(1 - leakage)``; broadcasts."""
    return (
        (1.0 - _fraction("deadweight", deadweight))
        * (1.0 - _fraction("attribution", attribution))
        * (1.0 - _fraction("displacement", displacement))
        * (1.0 - _fraction("leakage", leakage))
    )


def optimism_factor(optimism_bias: npt.ArrayLike = 0.0) -> FloatArray:
    """``1 - optimism_bias``: the share of the expected effect that is credited."""
    return 1.0 - _fraction("optimism_bias", optimism_bias)


def persistence(drop_off: npt.ArrayLike, duration: int, n_years: int | None = None) -> FloatArray:
    """The share of the first-year impact left in each year ``t = 1..n_years``.

    ``drop_off`` is a scalar (the same every year, broadcast over leading axes) or an array
    whose last axis holds the drop-off into each year ``t = 2..n_years`` (length
    ``n_years - 1``). Years after ``duration`` are zero.
    """
    n = duration if n_years is None else n_years
    if duration < 0 or n < 0:
        raise InputError("valuation.bad_duration", duration=duration)
    rates = _fraction("drop_off", drop_off)
    if rates.ndim == 0 or rates.shape[-1:] != (max(n - 1, 0),):
        rates = np.repeat(rates[..., None], max(n - 1, 0), axis=-1)
    kept = np.cumprod(1.0 - rates, axis=-1)
    ones = np.ones(kept.shape[:-1] + (1,))
    factors = np.concatenate([ones, kept], axis=-1)[..., :n]
    alive = np.arange(n) < duration
    return np.asarray(np.where(alive, factors, 0.0), dtype=np.float64)


@dataclass(frozen=True)
class Adjustments:
    """The adjustments for one outcome, as a contract states them."""

    deadweight: float = 0.0
    attribution: float = 0.0
    displacement: float = 0.0
    leakage: float = 0.0
    drop_off: float = 0.0
    optimism_bias: float = 0.0
    duration_years: int = 1
    counterfactual: str = Counterfactual.HISTORICAL_BASELINE.value

    def __post_init__(self) -> None:
        check_deadweight(self.counterfactual, self.deadweight)
        net_factor(self.deadweight, self.attribution, self.displacement, self.leakage)
        optimism_factor(self.optimism_bias)
        persistence(self.drop_off, self.duration_years)


def adjustment_factor(adjustments: Adjustments, n_years: int) -> FloatArray:
    """Net factor × optimism factor × persistence for years ``1..n_years`` of an outcome.

    >>> adjustment_factor(Adjustments(deadweight=0.4, drop_off=0.3, duration_years=2), 3)
    array([0.6 , 0.42, 0.  ])
    """
    a = adjustments
    base = net_factor(a.deadweight, a.attribution, a.displacement, a.leakage) * optimism_factor(
        a.optimism_bias
    )
    return np.asarray(base * persistence(a.drop_off, a.duration_years, n_years), dtype=np.float64)
