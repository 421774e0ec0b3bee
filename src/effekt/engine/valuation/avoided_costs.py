"""Outcome → avoided cost per actor per year.

For outcome ``o`` linked to unit-cost rows ``i`` (each with the quantity of units one
outcome avoids per year, e.g. 365 care-days), in prices of year ``p``::

    V[o, a]       = sum_i q_i * P_i * I(p) / I(price_year_i) * booking_i(a)
    A[o, k]       = net_factor_o * (1 - optimism_bias_o) * persistence_o[k]   (k = years since)
    S[o, a, t]    = V[o, a] * sum_{y <= t} N[o, y] * A[o, t - y]
    PV[o, a]      = sum_t S[o, a, t] * DF[a, t]

``N[o, y]`` is the number of outcomes first achieved in year ``y``; ``booking_i`` puts a
transfer on the payer (+) and the individual (−) and everything else on the row's actor
(:func:`~effekt.engine.valuation.actors.book`). Rows of kind ``lifetime_total`` are refused
(never summed with annual costs), and so is mixing currencies.

Arrays: ``N`` is ``(..., O, Y)``; the result is ``(..., O, A, Y)``, so scenarios (Monte
Carlo draws) are leading axes. :func:`avoided_cost_flows` is the pure array core;
:func:`avoided_costs` assembles it from unit-cost rows, adjustments and discount rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from effekt.engine.valuation.actors import book
from effekt.engine.valuation.adjustments import Adjustments, adjustment_factor
from effekt.engine.valuation.discounting import Schedule, Timing, factors_for
from effekt.engine.valuation.indices import IndexSeries, price_time, rebase
from effekt.errors import ComputationError, InputError

__all__ = [
    "AvoidedCosts",
    "CostLine",
    "OutcomeValuation",
    "UnitCost",
    "annual_values",
    "avoided_cost_flows",
    "avoided_costs",
]

FloatArray = npt.NDArray[np.float64]

UNCERTAINTY_MARKS = ("verified", "single_source", "uncertain", "assumption")


@dataclass(frozen=True)
class UnitCost:
    """One row of a unit-cost table (``data/unit_costs/*.csv``)."""

    id: str
    description_sv: str
    description_en: str
    actor: str
    unit: str
    amount: float
    currency: str
    price_year: str
    source: str
    uncertainty: str
    cashable: bool
    kind: str
    part_of: str = ""
    note: str = ""

    @property
    def price_time(self) -> float:
        return price_time(self.price_year)


@dataclass(frozen=True)
class CostLine:
    """``quantity`` units of unit-cost row ``unit_cost`` avoided per outcome per year."""

    unit_cost: str
    quantity: float = 1.0


@dataclass(frozen=True)
class OutcomeValuation:
    """How one outcome is valued: the costs it avoids and the adjustments that apply."""

    outcome: str
    lines: tuple[CostLine, ...]
    adjustments: Adjustments = field(default_factory=Adjustments)


@dataclass(frozen=True)
class AvoidedCosts:
    """Avoided costs ``(..., outcome, actor, year)``, undiscounted and discounted."""

    outcomes: tuple[str, ...]
    actors: tuple[str, ...]
    price_year: str
    undiscounted: FloatArray
    discounted: FloatArray
    index_extrapolated: bool

    def by_actor(self, discounted: bool = True) -> FloatArray:
        """Summed over outcomes: ``(..., actor, year)``."""
        flows = self.discounted if discounted else self.undiscounted
        return np.asarray(flows.sum(axis=-3))

    def present_value(self, discounted: bool = True) -> dict[str, FloatArray]:
        """Total over outcomes and years for each actor (leading axes kept)."""
        totals = self.by_actor(discounted).sum(axis=-1)
        return {a: totals[..., j] for j, a in enumerate(self.actors)}


def annual_values(
    valuations: Sequence[OutcomeValuation],
    unit_costs: Mapping[str, UnitCost],
    actors: Sequence[str],
    price_year: str | int,
    series: IndexSeries,
    recipient: str = "individual",
) -> tuple[FloatArray, bool]:
    """``V[o, a]``: the yearly avoided cost of one outcome per actor, in ``price_year`` prices.

    Returns the matrix and whether the index beyond its last value was used.
    """
    index = {a: j for j, a in enumerate(actors)}
    values = np.zeros((len(valuations), len(actors)))
    extrapolated = False
    currencies: set[str] = set()
    for o, valuation in enumerate(valuations):
        for line in valuation.lines:
            row = unit_costs.get(line.unit_cost)
            if row is None:
                raise InputError("valuation.unknown_unit_cost", id=line.unit_cost)
            if row.kind == "lifetime_total":
                raise ComputationError("valuation.lifetime_not_annual", actor=row.actor)
            currencies.add(row.currency)
            if len(currencies) > 1:
                raise ComputationError("valuation.mixed_currencies", currencies=sorted(currencies))
            rebased = rebase(row.amount * line.quantity, row.price_year, price_year, series)
            extrapolated = extrapolated or bool(np.any(rebased.extrapolated))
            for actor, amount in book(rebased.amount, row.actor, row.kind, recipient).items():
                if actor not in index:
                    raise InputError("valuation.actor_not_listed", actor=actor, id=row.id)
                values[o, index[actor]] += float(amount)
    return values, extrapolated


def _kernel(adjustment: FloatArray) -> FloatArray:
    """``K[..., o, y, t] = A[..., o, t - y]`` for ``t >= y``, else 0."""
    n = adjustment.shape[-1]
    lag = np.arange(n)[None, :] - np.arange(n)[:, None]
    gathered = adjustment[..., np.clip(lag, 0, None)]
    return np.asarray(np.where(lag >= 0, gathered, 0.0), dtype=np.float64)


def avoided_cost_flows(
    outcomes: npt.ArrayLike, values: npt.ArrayLike, adjustment: npt.ArrayLike
) -> FloatArray:
    """The array core: ``S[..., o, a, t] = V[..., o, a] * sum_y N[..., o, y] A[..., o, t-y]``.

    ``outcomes`` ``(..., O, Y)``, ``values`` ``(..., O, A)``, ``adjustment`` ``(..., O, Y)``
    (the factor ``k`` years after an outcome is achieved); all broadcast.

    >>> avoided_cost_flows([[1.0, 2.0]], [[10.0]], [[1.0, 0.5]]).tolist()
    [[[10.0, 25.0]]]
    """
    n = np.asarray(outcomes, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    k = _kernel(np.asarray(adjustment, dtype=np.float64))
    effective = np.einsum("...oy,...oyt->...ot", n, k)
    return np.asarray(effective[..., :, None, :] * v[..., :, :, None], dtype=np.float64)


def avoided_costs(
    outcomes: npt.ArrayLike,
    valuations: Sequence[OutcomeValuation],
    unit_costs: Mapping[str, UnitCost],
    actors: Sequence[str],
    price_year: str | int,
    series: IndexSeries,
    rates: Mapping[str, float | Schedule] | None = None,
    default_rate: float | Schedule = 0.0,
    timing: Timing = "end",
    recipient: str = "individual",
) -> AvoidedCosts:
    """Avoided costs per outcome, actor and year from unit-cost rows.

    ``rates`` gives an actor's own discount rate or schedule (a contract's per-party rates,
    mapped to actors); other actors use ``default_rate``. ``0.0`` reproduces undiscounted
    totals.
    """
    n = np.asarray(outcomes, dtype=np.float64)
    if n.ndim < 2 or n.shape[-2] != len(valuations):
        raise InputError("valuation.bad_shape", expected=f"(..., {len(valuations)}, years)")
    n_years = n.shape[-1]
    values, extrapolated = annual_values(
        valuations, unit_costs, actors, price_year, series, recipient
    )
    adjustment = np.stack([adjustment_factor(v.adjustments, n_years) for v in valuations])
    flows = avoided_cost_flows(n, values, adjustment)
    chosen = rates or {}
    factors = np.stack([factors_for(chosen.get(a, default_rate), n_years, timing) for a in actors])
    return AvoidedCosts(
        outcomes=tuple(v.outcome for v in valuations),
        actors=tuple(actors),
        price_year=str(price_year),
        undiscounted=flows,
        discounted=np.asarray(flows * factors, dtype=np.float64),
        index_extrapolated=extrapolated,
    )
