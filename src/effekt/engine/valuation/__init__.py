"""Socio-economic valuation: unit costs, price indices, actors, adjustments, discounting,
avoided costs per actor and year, and the life-course microsimulation of exclusion.

Pure functions over arrays; reading the shipped reference data is
:mod:`effekt.data.reference`'s job. The method, formulas and sources are in
``docs/valuation.md``.
"""

from __future__ import annotations

from effekt.engine.valuation.actors import (
    Actor,
    ActorTree,
    PartyMapping,
    book,
    book_production_loss,
    map_parties,
)
from effekt.engine.valuation.adjustments import (
    Adjustments,
    Counterfactual,
    adjustment_factor,
    check_deadweight,
    deadweight_problem,
    net_factor,
    optimism_factor,
    persistence,
)
from effekt.engine.valuation.avoided_costs import (
    AvoidedCosts,
    CostLine,
    OutcomeValuation,
    UnitCost,
    annual_values,
    avoided_cost_flows,
    avoided_costs,
)
from effekt.engine.valuation.discounting import (
    GREEN_BOOK_SCHEDULE,
    declining_factors,
    discount_factors,
    factors_for,
    party_factors,
    present_value,
)
from effekt.engine.valuation.indices import IndexSeries, Rebased, index_value, price_time, rebase
from effekt.engine.valuation.microsim import (
    LifetimeCost,
    MicrosimModel,
    expected_occupancy,
    lifelong_exclusion,
    lifetime_cost,
    scale_cost,
    scale_transition,
    simulate_states,
)

__all__ = [
    "GREEN_BOOK_SCHEDULE",
    "Actor",
    "ActorTree",
    "Adjustments",
    "AvoidedCosts",
    "CostLine",
    "Counterfactual",
    "IndexSeries",
    "LifetimeCost",
    "MicrosimModel",
    "OutcomeValuation",
    "PartyMapping",
    "Rebased",
    "UnitCost",
    "adjustment_factor",
    "annual_values",
    "avoided_cost_flows",
    "avoided_costs",
    "book",
    "book_production_loss",
    "check_deadweight",
    "deadweight_problem",
    "declining_factors",
    "discount_factors",
    "expected_occupancy",
    "factors_for",
    "index_value",
    "lifelong_exclusion",
    "lifetime_cost",
    "map_parties",
    "net_factor",
    "optimism_factor",
    "party_factors",
    "persistence",
    "present_value",
    "price_time",
    "rebase",
    "scale_cost",
    "scale_transition",
    "simulate_states",
]
