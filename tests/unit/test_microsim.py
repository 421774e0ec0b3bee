"""The life-course microsimulation of exclusion."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from effekt.data.reference import microsim_model, microsim_parts, price_indices
from effekt.engine.valuation.microsim import (
    MicrosimModel,
    Transition,
    build_model,
    expected_occupancy,
    lifelong_exclusion,
    lifetime_cost,
    person_costs,
    scale_cost,
    scale_transition,
    simulate_states,
)
from effekt.errors import InputError

KPI = price_indices()["se_kpi_faststallda_arsmedel"]


@pytest.fixture(scope="module")
def model() -> MicrosimModel:
    return microsim_model()


@pytest.fixture(scope="module")
def excluded(model: MicrosimModel) -> MicrosimModel:
    return lifelong_exclusion(model, start_age=20, start_state="neet")


def test_lifelong_exclusion_lies_in_the_published_range_with_its_split_by_actor(
    excluded: MicrosimModel, capsys: pytest.CaptureFixture[str]
) -> None:
    cost = lifetime_cost(excluded)
    society = float(cost.society())
    assert excluded.price_year == 2010 and excluded.start_age == 20 and excluded.end_age == 65
    assert 10e6 <= society <= 15e6
    split = {a: float(v) for a, v in cost.by_actor().items()}
    print(f"\nlifelong exclusion 20–64, undiscounted, 2010 prices: {society / 1e6:.2f} MSEK")
    for actor, value in split.items():
        print(f"  {actor:20s} {value / 1e6:7.2f} MSEK")
    assert sum(split.values()) == pytest.approx(society)
    for actor in ("individual", "kommun", "region", "forsakringskassan", "skatteverket"):
        assert split[actor] > 0, actor
    # lost tax: half of gross production every year from 20 to 64 (45 years):
    # 0.5 * 24,500 * 12 * 1.3142 * 0.68 * 45 = 5,911,534.44
    assert split["skatteverket"] == pytest.approx(5_911_534.44)
    assert cost.public_sector() == pytest.approx(society - split["individual"])


def test_discounting_lowers_the_lifetime_cost(excluded: MicrosimModel) -> None:
    cost = lifetime_cost(excluded, rate=0.035)
    assert float(cost.society(discounted=True)) < float(cost.society())
    assert float(lifetime_cost(excluded, rate=0.0).society(discounted=True)) == pytest.approx(
        float(cost.society())
    )


def test_lower_exit_to_work_raises_the_lifetime_cost(model: MicrosimModel) -> None:
    base = float(lifetime_cost(model).society())
    slower = scale_transition(model, "neet", "in_work", 0.5)
    slower = scale_transition(slower, "on_welfare", "in_work", 0.5)
    assert float(lifetime_cost(slower).society()) > base


def test_exit_to_work_as_a_sensitivity_axis_is_monotone(model: MicrosimModel) -> None:
    scaled = scale_transition(model, "on_welfare", "in_work", np.array([0.5, 1.0, 1.5]))
    society = lifetime_cost(scaled).society()
    assert society.shape == (3,)
    assert society[0] > society[1] > society[2]


def _rebuilt(**changes: object) -> MicrosimModel:
    parts = {**microsim_parts(), **changes}
    model = build_model(
        parts["states"],
        microsim_model().actors,
        parts["start_age"],
        parts["end_age"],
        parts["transitions"],
        parts["costs"],
        parts["production"],
        parts["initial"],
        parts["price_year"],
        KPI,
    )
    return lifelong_exclusion(model)


def test_higher_welfare_cost_raises_the_public_cost_but_not_society(
    excluded: MicrosimModel,
) -> None:
    base = lifetime_cost(excluded)
    costs = tuple(
        replace(c, amount=c.amount * 1.5) if c.state == "on_welfare" and c.kind == "transfer" else c
        for c in microsim_parts()["costs"]
    )
    higher = lifetime_cost(_rebuilt(costs=costs))
    assert float(higher.by_actor()["kommun"]) > float(base.by_actor()["kommun"])
    assert float(higher.public_sector()) > float(base.public_sector())
    assert float(higher.by_actor()["individual"]) < float(base.by_actor()["individual"])
    # social assistance is a transfer: what the kommun pays, the individual receives
    assert float(higher.society()) == pytest.approx(float(base.society()))


def test_higher_health_care_cost_raises_the_society_cost(excluded: MicrosimModel) -> None:
    base = float(lifetime_cost(excluded).society())
    higher = scale_cost(excluded, "on_sickness_benefit", "region", 2.0)
    assert float(lifetime_cost(higher).society()) > base


def test_higher_work_capacity_raises_the_cost(excluded: MicrosimModel) -> None:
    production = replace(microsim_parts()["production"], work_capacity=0.8)
    higher = lifetime_cost(_rebuilt(production=production))
    assert float(higher.society()) > float(lifetime_cost(excluded).society())


def test_price_year_rebases_every_amount(excluded: MicrosimModel) -> None:
    in_2020 = lifelong_exclusion(microsim_model(price_year=2020))
    ratio = 335.92 / 303.46  # KPI 2020 / 2010
    a = lifetime_cost(in_2020).by_actor()["skatteverket"]
    b = lifetime_cost(excluded).by_actor()["skatteverket"]
    assert float(a) == pytest.approx(float(b) * ratio)


def test_occupancy_is_a_distribution_and_matches_simulation(model: MicrosimModel) -> None:
    occupancy = expected_occupancy(model)
    assert occupancy.shape == (49, len(model.states))
    assert occupancy.sum(-1) == pytest.approx(np.ones(49))
    paths = simulate_states(model, 20_000, seed=7)
    assert paths.shape == (20_000, 49)
    simulated = np.stack([(paths == s).mean(0) for s in range(len(model.states))], -1)
    assert np.abs(simulated - occupancy).max() < 0.02
    assert np.array_equal(paths[:100], simulate_states(model, 20_000, seed=7)[:100])
    costs = person_costs(model, paths)
    assert costs.shape == (20_000, 49, len(model.actors))
    by_sim = costs.sum(-1).sum(-1).mean()
    assert by_sim == pytest.approx(float(lifetime_cost(model).society()), rel=0.03)


def test_uncertainty_draws_simulate_together(model: MicrosimModel) -> None:
    draws = scale_transition(model, "neet", "in_work", np.array([0.5, 1.5]))
    paths = simulate_states(draws, 500, seed=1)
    assert paths.shape == (2, 500, 49)
    assert person_costs(draws, paths).shape == (2, 500, 49, len(model.actors))


def test_two_state_chain_matches_hand_computation() -> None:
    # A -> B with 0.5 a year; B absorbing. Costs: A 100, B 10 a year (kommun).
    # occupancy [1, 0], [0.5, 0.5], [0.25, 0.75]: 100 + 55 + 32.5 = 187.5
    transitions = np.array([[[0.5, 0.5], [0.0, 1.0]]] * 3)
    costs = np.array([[[100.0], [10.0]]] * 3)
    m = MicrosimModel(("A", "B"), ("kommun",), 0, 3, transitions, costs, np.array([1.0, 0.0]), 2010)
    cost = lifetime_cost(m, rate=0.1)
    assert float(cost.society()) == pytest.approx(187.5)
    assert float(cost.society(discounted=True)) == pytest.approx(100 + 55 / 1.1 + 32.5 / 1.1**2)


def test_rows_that_leave_more_than_everyone_are_refused() -> None:
    parts = microsim_parts()
    bad = (*parts["transitions"], Transition("neet", "in_work", 20, 29, 0.9))
    with pytest.raises(InputError) as info:
        build_model(
            parts["states"],
            microsim_model().actors,
            parts["start_age"],
            parts["end_age"],
            bad,
            parts["costs"],
            parts["production"],
            parts["initial"],
            parts["price_year"],
            KPI,
        )
    assert info.value.code == "microsim.not_stochastic"
