"""A life-course microsimulation of exclusion (*utanförskap*): yearly states, costs by actor.

A person is in one state each year of age ``start_age .. end_age - 1`` (in school, NEET, in
work, on social assistance, on activity/sickness compensation, in residential care, in
custody, …). From one year to the next they move by a transition matrix for their age::

    p[k + 1] = p[k] @ T[k]                          (expected state occupancy, exact)
    C[k, a]  = sum_s p[k, s] * cost[k, s, a]        (expected cost of year k for actor a)
    L[a]     = sum_k C[k, a] * DF[k]                (lifetime cost; DF = 1 undiscounted)

Costs per state and actor are yearly amounts in the model's price year: services for the
actor that provides them; transfers ``+`` for the payer and ``-`` for the individual (so
they cancel for society); lost production split between the individual (net earnings) and
lost tax revenue. The society total is the sum over all actors.

Everything is an array with optional leading axes: ``transitions`` ``(..., K, S, S)``,
``costs`` ``(..., K, S, A)`` and ``initial`` ``(..., S)`` may carry a draws axis for Monte
Carlo, and :func:`simulate_states` draws individual paths (persons are an axis, never a
loop). The shipped parameters (``data/microsim/``) name a source for each number or are
labelled *calibrated assumption*; :func:`build_model` turns them into a model.

The scenario :func:`lifelong_exclusion` removes every transition into work or school: a
person who never enters work, from age 20 (the published definition: "from age 20 to
retirement") — its undiscounted lifetime cost is what the published 10–15 MSEK describes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from effekt.engine.valuation.actors import book, book_production_loss
from effekt.engine.valuation.discounting import Schedule, Timing, factors_for
from effekt.engine.valuation.indices import IndexSeries, rebase
from effekt.errors import ComputationError, InputError

__all__ = [
    "LifetimeCost",
    "MicrosimModel",
    "ProductionParameters",
    "StateCost",
    "Transition",
    "build_model",
    "expected_occupancy",
    "lifelong_exclusion",
    "lifetime_cost",
    "person_costs",
    "scale_cost",
    "scale_transition",
    "simulate_states",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class MicrosimModel:
    """States, actors, ages, and the arrays that drive the chain (see the module doc)."""

    states: tuple[str, ...]
    actors: tuple[str, ...]
    start_age: int
    end_age: int
    transitions: FloatArray
    costs: FloatArray
    initial: FloatArray
    price_year: int

    def __post_init__(self) -> None:
        k, s, a = self.end_age - self.start_age, len(self.states), len(self.actors)
        if k <= 0:
            raise InputError("microsim.bad_ages", start=self.start_age, end=self.end_age)
        if self.transitions.shape[-3:] != (k, s, s):
            raise InputError(
                "microsim.bad_shape", what="transitions", expected=f"(..., {k}, {s}, {s})"
            )
        if self.costs.shape[-3:] != (k, s, a):
            raise InputError("microsim.bad_shape", what="costs", expected=f"(..., {k}, {s}, {a})")
        if self.initial.shape[-1:] != (s,):
            raise InputError("microsim.bad_shape", what="initial", expected=f"(..., {s})")
        if np.any(self.transitions < -_TOLERANCE) or np.any(
            np.abs(self.transitions.sum(-1) - 1.0) > 1e-6
        ):
            raise InputError("microsim.not_stochastic", what="transitions")
        if np.any(self.initial < -_TOLERANCE) or np.any(np.abs(self.initial.sum(-1) - 1.0) > 1e-6):
            raise InputError("microsim.not_stochastic", what="initial")

    @property
    def ages(self) -> IntArray:
        return np.arange(self.start_age, self.end_age, dtype=np.int64)

    def state_index(self, state: str) -> int:
        if state not in self.states:
            raise InputError("microsim.unknown_state", state=state)
        return self.states.index(state)

    def actor_index(self, actor: str) -> int:
        if actor not in self.actors:
            raise InputError("valuation.actor_not_listed", actor=actor, id="microsim")
        return self.actors.index(actor)


@dataclass(frozen=True)
class LifetimeCost:
    """Expected cost per person: per year and actor, and lifetime totals per actor."""

    actors: tuple[str, ...]
    ages: IntArray
    price_year: int
    per_year: FloatArray  # (..., K, A) undiscounted
    undiscounted: FloatArray  # (..., A)
    discounted: FloatArray  # (..., A)

    def by_actor(self, discounted: bool = False) -> dict[str, FloatArray]:
        values = self.discounted if discounted else self.undiscounted
        return {a: values[..., j] for j, a in enumerate(self.actors)}

    def society(self, discounted: bool = False) -> FloatArray:
        """The sum over every actor: transfers cancel, production and services remain."""
        values = self.discounted if discounted else self.undiscounted
        return np.asarray(values.sum(-1))

    def public_sector(self, individual: str = "individual", discounted: bool = False) -> FloatArray:
        """The sum over every actor except the individual."""
        values = self.discounted if discounted else self.undiscounted
        keep = [j for j, a in enumerate(self.actors) if a != individual]
        return np.asarray(values[..., keep].sum(-1))


def expected_occupancy(model: MicrosimModel) -> FloatArray:
    """``p[..., k, s]``: the probability of being in state ``s`` in year ``k`` (exact)."""
    t = model.transitions
    shape = np.broadcast_shapes(t.shape[:-3], model.initial.shape[:-1])
    p = np.broadcast_to(model.initial, shape + model.initial.shape[-1:]).astype(np.float64)
    rows = [p]
    for k in range(t.shape[-3] - 1):
        p = np.einsum("...s,...st->...t", p, t[..., k, :, :])
        rows.append(p)
    return np.stack(rows, axis=-2)


def simulate_states(model: MicrosimModel, n_persons: int, seed: int | None = None) -> IntArray:
    """Draw ``n_persons`` life paths: state indices ``(..., n_persons, K)``.

    Randomness is a parameter: the same ``seed`` gives the same paths.
    """
    rng = np.random.default_rng(seed)
    t = model.transitions
    lead = np.broadcast_shapes(t.shape[:-3], model.initial.shape[:-1])
    shape = lead + (n_persons,)
    k_years = t.shape[-3]
    initial = np.broadcast_to(model.initial, lead + model.initial.shape[-1:])
    cum0 = np.cumsum(initial, -1)[..., None, :]
    state = (rng.random(shape)[..., None] >= cum0[..., :-1]).sum(-1).astype(np.int64)
    paths = [state]
    trans = np.broadcast_to(t, lead + t.shape[-3:])
    for k in range(k_years - 1):
        rows = np.take_along_axis(trans[..., k, :, :], state[..., None], axis=-2)
        cum = np.cumsum(rows, -1)
        state = (rng.random(shape)[..., None] >= cum[..., :-1]).sum(-1).astype(np.int64)
        paths.append(state)
    return np.stack(paths, axis=-1)


def person_costs(model: MicrosimModel, paths: IntArray) -> FloatArray:
    """Yearly cost per person and actor ``(..., N, K, A)`` for simulated ``paths``."""
    k = np.arange(paths.shape[-1])
    costs = np.broadcast_to(model.costs, paths.shape[:-2] + model.costs.shape[-3:])
    lead_index = tuple(
        np.arange(n).reshape((-1,) + (1,) * (paths.ndim - 1 - i))
        for i, n in enumerate(paths.shape[:-2])
    )
    return np.asarray(costs[(*lead_index, k, paths)], dtype=np.float64)


def lifetime_cost(
    model: MicrosimModel,
    occupancy: FloatArray | None = None,
    rate: float | Schedule = 0.0,
    timing: Timing = "start",
) -> LifetimeCost:
    """Expected lifetime cost per person by actor, undiscounted and discounted.

    ``occupancy`` defaults to :func:`expected_occupancy`; pass the share of simulated
    persons in each state to use simulated paths instead. Discounting is to the start
    age; with ``timing="start"`` the first year is undiscounted.
    """
    p = expected_occupancy(model) if occupancy is None else np.asarray(occupancy, np.float64)
    per_year = np.einsum("...ks,...ksa->...ka", p, model.costs)
    factors = factors_for(rate, per_year.shape[-2], timing)
    return LifetimeCost(
        actors=model.actors,
        ages=model.ages,
        price_year=model.price_year,
        per_year=per_year,
        undiscounted=np.asarray(per_year.sum(-2)),
        discounted=np.asarray((per_year * factors[:, None]).sum(-2)),
    )


def lifelong_exclusion(
    model: MicrosimModel,
    start_age: int = 20,
    start_state: str = "neet",
    never: Sequence[str] = ("in_work", "in_school"),
) -> MicrosimModel:
    """The person who never enters work (or school) from ``start_age``.

    Every transition into a state in ``never`` is removed and its probability stays in the
    current state; the chain starts in ``start_state`` at ``start_age``.
    """
    if not model.start_age <= start_age < model.end_age:
        raise InputError("microsim.bad_ages", start=start_age, end=model.end_age)
    offset = start_age - model.start_age
    t = model.transitions[..., offset:, :, :].copy()
    blocked = [model.state_index(s) for s in never]
    moved = t[..., blocked].sum(-1)
    t[..., blocked] = 0.0
    diagonal = np.arange(len(model.states))
    t[..., diagonal, diagonal] += moved
    initial = np.zeros(len(model.states))
    initial[model.state_index(start_state)] = 1.0
    return replace(
        model,
        start_age=start_age,
        transitions=t,
        costs=model.costs[..., offset:, :, :],
        initial=initial,
    )


def scale_transition(
    model: MicrosimModel, from_state: str, to_state: str, factor: npt.ArrayLike
) -> MicrosimModel:
    """Multiply one transition probability by ``factor``; the change stays in ``from_state``.

    ``factor`` may be an array (a leading sensitivity axis). Refused if a row would leave
    ``[0, 1]``.
    """
    i, j = model.state_index(from_state), model.state_index(to_state)
    f = np.asarray(factor, dtype=np.float64)
    t = np.array(np.broadcast_to(model.transitions, f.shape + model.transitions.shape))
    old = t[..., i, j].copy()
    new = old * f[..., None]
    t[..., i, j] = new
    t[..., i, i] += old - new
    if np.any(t < -_TOLERANCE) or np.any(t > 1 + _TOLERANCE):
        raise ComputationError("computation.error", what="transition", detail="out of [0, 1]")
    return replace(model, transitions=t)


def scale_cost(
    model: MicrosimModel, state: str, actor: str, factor: npt.ArrayLike
) -> MicrosimModel:
    """Multiply the yearly cost of ``state`` for ``actor`` by ``factor`` (array allowed).

    A transfer was booked twice (payer ``+``, individual ``-``); scale both by scaling
    each actor, as the data file lists them.
    """
    s, a = model.state_index(state), model.actor_index(actor)
    f = np.asarray(factor, dtype=np.float64)
    c = np.array(np.broadcast_to(model.costs, f.shape + model.costs.shape))
    c[..., s, a] *= f[..., None]
    return replace(model, costs=c)


# --- building a model from parameters -----------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One yearly transition probability for ages ``min_age..max_age`` (inclusive)."""

    from_state: str
    to_state: str
    min_age: int
    max_age: int
    probability: float
    basis: str = "calibrated assumption"
    source: str = ""


@dataclass(frozen=True)
class StateCost:
    """One yearly cost of being in ``state``, for ``actor``, at ages ``min_age..max_age``."""

    state: str
    actor: str
    amount: float
    price_year: str
    kind: str
    min_age: int
    max_age: int
    component: str = ""
    basis: str = "source"
    source: str = ""


@dataclass(frozen=True)
class ProductionParameters:
    """The value of a year's lost production and its split.

    ``gross = monthly_wage * 12 * (1 + employer_contribution_rate) * work_capacity``;
    ``public_share`` of it is lost tax revenue (``tax_actor``), the rest the individual's.
    """

    monthly_wage: float
    employer_contribution_rate: float
    work_capacity: float
    public_share: float
    price_year: str
    from_age: int
    states: tuple[str, ...]
    tax_actor: str = "skatteverket"

    @property
    def gross(self) -> float:
        rate = 1.0 + self.employer_contribution_rate
        return self.monthly_wage * 12.0 * rate * self.work_capacity


def _matrices(
    states: Sequence[str], ages: IntArray, transitions: Sequence[Transition]
) -> FloatArray:
    index = {s: i for i, s in enumerate(states)}
    t = np.zeros((ages.size, len(states), len(states)))
    for row in transitions:
        if row.from_state not in index or row.to_state not in index:
            raise InputError("microsim.unknown_state", state=f"{row.from_state}→{row.to_state}")
        if row.from_state == row.to_state:
            raise InputError("microsim.diagonal_given", state=row.from_state)
        chosen = (ages >= row.min_age) & (ages <= row.max_age)
        t[chosen, index[row.from_state], index[row.to_state]] += row.probability
    leaving = t.sum(-1)
    if np.any(leaving > 1.0 + _TOLERANCE) or np.any(t < 0):
        age, state = np.argwhere(leaving > 1.0 + _TOLERANCE)[0]
        raise InputError("microsim.not_stochastic", what=f"{states[state]} at age {ages[age]}")
    diagonal = np.arange(len(states))
    t[:, diagonal, diagonal] = 1.0 - leaving
    return t


def build_model(
    states: Sequence[str],
    actors: Sequence[str],
    start_age: int,
    end_age: int,
    transitions: Sequence[Transition],
    costs: Sequence[StateCost],
    production: ProductionParameters,
    initial: Mapping[str, float],
    price_year: int,
    series: IndexSeries,
    recipient: str = "individual",
) -> MicrosimModel:
    """A model from parameter rows; every amount is rebased to ``price_year``.

    Transitions name only the moves out of a state; the probability of staying is what is
    left. Costs are booked by kind (a transfer twice); production loss is added for the
    states in ``production.states`` from ``production.from_age``.
    """
    ages = np.arange(start_age, end_age, dtype=np.int64)
    index = {a: j for j, a in enumerate(actors)}
    state_index = {s: i for i, s in enumerate(states)}
    cost = np.zeros((ages.size, len(states), len(actors)))

    def add(state: str, booked: Mapping[str, FloatArray], lo: int, hi: int) -> None:
        if state not in state_index:
            raise InputError("microsim.unknown_state", state=state)
        chosen = (ages >= lo) & (ages <= hi)
        for actor, value in booked.items():
            if actor not in index:
                raise InputError("valuation.actor_not_listed", actor=actor, id=state)
            cost[chosen, state_index[state], index[actor]] += float(value)

    for row in costs:
        amount = rebase(row.amount, row.price_year, price_year, series).amount
        add(row.state, book(amount, row.actor, row.kind, recipient), row.min_age, row.max_age)
    gross = rebase(production.gross, production.price_year, price_year, series).amount
    split = book_production_loss(gross, production.public_share, production.tax_actor, recipient)
    for state in production.states:
        add(state, split, production.from_age, end_age)
    start = np.array([float(initial.get(s, 0.0)) for s in states])
    unknown = set(initial) - set(states)
    if unknown:
        raise InputError("microsim.unknown_state", state=", ".join(sorted(unknown)))
    return MicrosimModel(
        states=tuple(states),
        actors=tuple(actors),
        start_age=start_age,
        end_age=end_age,
        transitions=_matrices(states, ages, transitions),
        costs=cost,
        initial=start,
        price_year=price_year,
    )
