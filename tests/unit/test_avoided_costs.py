"""Outcome → avoided cost per actor per year; actors, roll-up, party mapping."""

from __future__ import annotations

import numpy as np
import pytest

from effekt.data.reference import actors, price_indices
from effekt.engine.valuation.actors import book, book_production_loss, map_parties
from effekt.engine.valuation.adjustments import Adjustments
from effekt.engine.valuation.avoided_costs import (
    CostLine,
    OutcomeValuation,
    UnitCost,
    avoided_cost_flows,
    avoided_costs,
)
from effekt.errors import ComputationError, EffektError, InputError, ReferenceDataError

KPI = price_indices()["se_kpi_faststallda_arsmedel"]


def _row(
    id: str, actor: str, amount: float, year: str, kind: str, currency: str = "SEK"
) -> UnitCost:
    return UnitCost(
        id,
        "sv",
        "en",
        actor,
        "per unit",
        amount,
        currency,
        year,
        "test source",
        "verified",
        True,
        kind,
    )


TABLE = {
    "day": _row("day", "kommun", 1_000.0, "2009", "service"),
    "assistance": _row("assistance", "kommun", 50_000.0, "2010", "transfer"),
    "life": _row("life", "society", 1e7, "2010", "lifetime_total"),
    "pounds": _row("pounds", "kommun", 10.0, "2010", "service", currency="GBP"),
    "robbery": _row("robbery", "society", 226_000.0, "2012", "composite"),
}
ACTORS = ("kommun", "individual")
OUTCOME = OutcomeValuation(
    "out_of_care",
    (CostLine("day", 10.0), CostLine("assistance", 1.0)),
    Adjustments(deadweight=0.25, drop_off=0.5, duration_years=2),
)


def test_avoided_costs_match_hand_computation() -> None:
    # V[kommun] = 10 * 1000 * 303.46/299.66 + 50,000 = 60,126.8104; V[individual] = -50,000
    # adjustment: 0.75 * [1, 0.5, 0]; outcomes 2 in year 1, 1 in year 2:
    # effective = [2*0.75, 2*0.375 + 1*0.75, 1*0.375] = [1.5, 1.5, 0.375]
    result = avoided_costs(
        [[2.0, 1.0, 0.0]], [OUTCOME], TABLE, ACTORS, 2010, KPI, rates={"kommun": 0.035}
    )
    v_kommun = 60_126.81038510312
    effective = np.array([1.5, 1.5, 0.375])
    assert result.undiscounted[0, 0] == pytest.approx(v_kommun * effective)
    assert result.undiscounted[0, 1] == pytest.approx(-50_000.0 * effective)
    assert result.discounted[0, 0] == pytest.approx(v_kommun * effective / 1.035 ** np.arange(1, 4))
    assert result.discounted[0, 1] == pytest.approx(result.undiscounted[0, 1])  # default rate 0
    assert not result.index_extrapolated


def test_transfers_cancel_for_society() -> None:
    result = avoided_costs([[1.0]], [OUTCOME], TABLE, ACTORS, 2010, KPI)
    society = result.undiscounted.sum(axis=-2)  # all actors
    assert float(society[0, 0]) == pytest.approx(0.75 * 10_126.81038510312)


def test_index_assumption_is_reported() -> None:
    result = avoided_costs([[1.0]], [OUTCOME], TABLE, ACTORS, 2030, KPI)
    assert result.index_extrapolated


def test_lifetime_totals_are_never_summed_with_annual_costs() -> None:
    bad = OutcomeValuation("x", (CostLine("life"),))
    with pytest.raises(ComputationError) as info:
        avoided_costs([[1.0]], [bad], TABLE, ("society",), 2010, KPI)
    assert info.value.code == "valuation.lifetime_not_annual"


def test_mixed_currencies_unknown_rows_and_unlisted_actors_are_refused() -> None:
    mixed = OutcomeValuation("x", (CostLine("day"), CostLine("pounds")))
    with pytest.raises(ComputationError):
        avoided_costs([[1.0]], [mixed], TABLE, ACTORS, 2010, KPI)
    with pytest.raises(InputError):
        avoided_costs(
            [[1.0]], [OutcomeValuation("x", (CostLine("nope"),))], TABLE, ACTORS, 2010, KPI
        )
    with pytest.raises(InputError):
        avoided_costs([[1.0]], [OUTCOME], TABLE, ("kommun",), 2010, KPI)
    with pytest.raises(InputError):
        avoided_costs([1.0], [OUTCOME], TABLE, ACTORS, 2010, KPI)


def test_composite_rows_are_booked_on_society() -> None:
    crime = OutcomeValuation("fewer_robberies", (CostLine("robbery"),))
    result = avoided_costs([[1.0]], [crime], TABLE, ("society",), 2012, KPI)
    assert float(result.undiscounted[0, 0, 0]) == pytest.approx(226_000.0)


def test_monte_carlo_draws_are_a_leading_axis() -> None:
    draws = np.array([[[1.0, 0.0]], [[2.0, 0.0]], [[0.0, 0.0]]])  # (3 draws, 1 outcome, 2 years)
    flows = avoided_cost_flows(draws, [[100.0, -10.0]], [[1.0, 0.5]])
    assert flows.shape == (3, 1, 2, 2)
    assert flows[1, 0, 0].tolist() == pytest.approx([200.0, 100.0])
    assert flows[2].sum() == 0.0


def test_actor_tree_rolls_up_and_cancels_transfers() -> None:
    tree = actors()
    booked = book(60_000.0, "kommun", "transfer")
    booked |= {"kriminalvarden": np.asarray(1_000.0)}
    totals = tree.rollup(booked)
    assert float(totals["kommun"]) == 60_000.0
    assert float(totals["individual"]) == -60_000.0
    assert float(totals["stat"]) == 1_000.0
    assert float(totals["public_sector"]) == 61_000.0
    assert float(totals["society"]) == 1_000.0
    assert float(totals["region"]) == 0.0  # shown, even when nothing falls on it


def test_production_loss_is_split_between_individual_and_tax() -> None:
    split = book_production_loss(300_000.0, 0.4)
    assert float(split["individual"]) == 180_000.0
    assert float(split["skatteverket"]) == 120_000.0
    assert actors().ancestors("skatteverket") == ("stat", "public_sector", "society")


def test_lifetime_total_cannot_be_booked() -> None:
    with pytest.raises(EffektError):
        book(1.0, "society", "lifetime_total")


def test_parties_map_to_subtrees_and_non_parties_are_listed() -> None:
    tree = actors()
    mapping = map_parties(tree, {"kommunen": "kommun", "staten": "stat", "sis_avtal": "sis"}, "se")
    assert mapping.party_of("kommun") == "kommunen"
    assert mapping.party_of("kriminalvarden") == "staten"
    assert mapping.party_of("sis") == "sis_avtal"  # the most specific claim wins
    assert "region" in mapping.non_party_actors and "individual" in mapping.non_party_actors
    assert "nhs" not in mapping.non_party_actors  # a UK actor, not in a Swedish contract


def test_one_actor_claimed_by_two_parties_is_refused() -> None:
    with pytest.raises(ReferenceDataError):
        map_parties(actors(), {"a": "kommun", "b": "kommun"})
    with pytest.raises(ReferenceDataError):
        map_parties(actors(), {"a": "no_such_actor"})
