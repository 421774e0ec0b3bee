"""Actors as a hierarchy: who bears a cost, who gains from an avoided one.

The tree (shipped in ``data/actors.toml``)::

    society
    ├── individual
    └── public_sector
        ├── kommun · region
        ├── stat → forsakringskassan, arbetsformedlingen, kriminalvarden, sis, polisen,
        │          aklagarmyndigheten, domstolsverket, csn, skatteverket (tax revenue)
        └── (UK) local_authority, nhs, central_government → dwp, hmrc; criminal_justice → …

Values are booked on any node and **rolled up**: a node's total is its own value plus all
its descendants'. Booking rules (SEE's "real vs financial" split, WSIPP's perspectives):

* a *service* (care, placement, police) is a real cost for the actor that pays it;
* a *transfer* (social assistance, benefits) is ``+x`` for the payer and ``-x`` for the
  recipient — it cancels at ``society``;
* *lost production* is the individual's lost net earnings plus the public sector's lost
  tax revenue (see :func:`book_production_loss`).

Contract parties are mapped onto actors with :func:`map_parties`; actors that are not
parties are kept and reported as such, so savings in "the wrong pocket" stay visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from effekt.errors import ReferenceDataError

__all__ = [
    "Actor",
    "ActorTree",
    "PartyMapping",
    "book",
    "book_production_loss",
    "map_parties",
]

FloatArray = npt.NDArray[np.float64]

ROOT = "society"
INDIVIDUAL = "individual"
KINDS = ("service", "transfer", "production_loss", "composite", "lifetime_total")


@dataclass(frozen=True)
class Actor:
    """One node of the hierarchy."""

    id: str
    name_sv: str
    name_en: str
    parent: str | None
    country: str = "all"

    def name(self, lang: str = "en") -> str:
        return self.name_sv if lang == "sv" else self.name_en


class ActorTree:
    """The actor hierarchy with roll-up. Built from :class:`Actor` records; validated."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.actors: dict[str, Actor] = {}
        for actor in actors:
            if actor.id in self.actors:
                raise ReferenceDataError(
                    "reference.actor_tree", detail=f"the actor {actor.id} appears twice"
                )
            self.actors[actor.id] = actor
        roots = [a.id for a in self.actors.values() if not a.parent]
        if len(roots) != 1:
            raise ReferenceDataError(
                "reference.actor_tree", detail=f"expected one root, found {roots}"
            )
        self.root = roots[0]
        for actor in self.actors.values():
            if actor.parent and actor.parent not in self.actors:
                raise ReferenceDataError("valuation.unknown_actor", actor=actor.parent)
        self._children: dict[str, list[str]] = {a: [] for a in self.actors}
        for actor in self.actors.values():
            if actor.parent:
                self._children[actor.parent].append(actor.id)
        self.order: tuple[str, ...] = tuple(self._depth_first(self.root))
        if len(self.order) != len(self.actors):
            raise ReferenceDataError("reference.actor_tree", detail="the tree has a cycle")

    def _depth_first(self, node: str) -> list[str]:
        out = [node]
        for child in self._children[node]:
            out.extend(self._depth_first(child))
        return out

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self.actors

    def __getitem__(self, actor_id: str) -> Actor:
        try:
            return self.actors[actor_id]
        except KeyError:
            raise ReferenceDataError("valuation.unknown_actor", actor=actor_id) from None

    def children(self, actor_id: str) -> tuple[str, ...]:
        return tuple(self._children[self[actor_id].id])

    def ancestors(self, actor_id: str) -> tuple[str, ...]:
        """From the parent up to the root."""
        out: list[str] = []
        parent = self[actor_id].parent
        while parent:
            out.append(parent)
            parent = self.actors[parent].parent
        return tuple(out)

    def descendants(self, actor_id: str) -> tuple[str, ...]:
        return tuple(self._depth_first(self[actor_id].id)[1:])

    def for_country(self, country: str) -> tuple[str, ...]:
        """The actors used by one country's tables (plus the shared ones), tree order."""
        return tuple(a for a in self.order if self.actors[a].country in ("all", country))

    def rollup_matrix(self, actor_ids: Sequence[str]) -> FloatArray:
        """``M[i, j] = 1`` if ``actor_ids[i]`` is node ``self.order[j]`` or below it.

        ``values @ M`` turns values booked on ``actor_ids`` (last axis) into totals per node.
        """
        index = {a: j for j, a in enumerate(self.order)}
        matrix = np.zeros((len(actor_ids), len(self.order)))
        for i, actor in enumerate(actor_ids):
            matrix[i, index[self[actor].id]] = 1.0
            for parent in self.ancestors(actor):
                matrix[i, index[parent]] = 1.0
        return matrix

    def rollup(self, values: Mapping[str, npt.ArrayLike]) -> dict[str, FloatArray]:
        """Totals for every node: own value plus all descendants' (arrays broadcast).

        >>> tree = ActorTree([Actor("society", "Samhället", "Society", None),
        ...                   Actor("individual", "Individen", "Individual", "society"),
        ...                   Actor("kommun", "Kommunen", "Municipality", "society")])
        >>> totals = tree.rollup(book(60_000.0, "kommun", "transfer"))
        >>> float(totals["kommun"]), float(totals["individual"]), float(totals["society"])
        (60000.0, -60000.0, 0.0)
        """
        ids = list(values)
        if not ids:
            return {a: np.zeros(()) for a in self.order}
        stacked = np.stack(np.broadcast_arrays(*[np.asarray(values[a], float) for a in ids]), -1)
        totals = stacked @ self.rollup_matrix(ids)
        return {a: totals[..., j] for j, a in enumerate(self.order)}


def book(
    amount: npt.ArrayLike, actor: str, kind: str, recipient: str = INDIVIDUAL
) -> dict[str, FloatArray]:
    """Book one cost on the actors it falls on.

    A transfer is ``+amount`` for the payer and ``-amount`` for ``recipient``; every other
    kind is ``+amount`` for ``actor``. A ``lifetime_total`` is refused: it is not an annual
    flow and must never be summed with annual costs.
    """
    value = np.asarray(amount, dtype=np.float64)
    if kind not in KINDS:
        raise ReferenceDataError("valuation.bad_kind", value=kind)
    if kind == "lifetime_total":
        raise ReferenceDataError("valuation.lifetime_not_annual", actor=actor)
    if kind == "transfer" and actor != recipient:
        return {actor: value, recipient: -value}
    return {actor: value}


def book_production_loss(
    gross: npt.ArrayLike,
    public_share: npt.ArrayLike,
    tax_actor: str = "skatteverket",
    individual: str = INDIVIDUAL,
) -> dict[str, FloatArray]:
    """Split lost production: ``gross * (1 - s)`` for the individual, ``gross * s`` in tax.

    ``gross`` is the value of the lost production (wage cost including employer
    contributions); ``s`` the share of it that would have been paid in taxes and fees.

    >>> {k: float(v) for k, v in book_production_loss(100.0, 0.5).items()}
    {'individual': 50.0, 'skatteverket': 50.0}
    """
    value = np.asarray(gross, dtype=np.float64)
    share = np.asarray(public_share, dtype=np.float64)
    if np.any((share < 0) | (share > 1)):
        raise ReferenceDataError("valuation.bad_fraction", name="public_share", value=str(share))
    return {individual: value * (1.0 - share), tax_actor: value * share}


@dataclass(frozen=True)
class PartyMapping:
    """Which actors each contract party stands for, and which actors are not parties."""

    party_actors: Mapping[str, tuple[str, ...]]
    actor_party: Mapping[str, str]
    non_party_actors: tuple[str, ...]

    def party_of(self, actor_id: str) -> str | None:
        return self.actor_party.get(actor_id)


def map_parties(
    tree: ActorTree,
    parties: Mapping[str, str | Sequence[str]],
    country: str | None = None,
) -> PartyMapping:
    """Map contract parties (``party id → actor id(s)``) onto the tree.

    A party that stands for a node stands for its whole subtree, unless a descendant is
    claimed by another party (the most specific claim wins: a party ``kommun`` and a
    party ``sis`` under ``stat``). An actor claimed by two parties directly is an error.
    Every actor no party claims is listed in ``non_party_actors`` — still shown.
    """
    direct: dict[str, str] = {}
    party_actors: dict[str, tuple[str, ...]] = {}
    for party, actors in parties.items():
        ids = (actors,) if isinstance(actors, str) else tuple(actors)
        for actor in ids:
            tree[actor]
            if actor in direct and direct[actor] != party:
                raise ReferenceDataError(
                    "valuation.actor_two_parties", actor=actor, first=direct[actor], second=party
                )
            direct[actor] = party
        party_actors[party] = ids
    scope = tree.for_country(country) if country else tree.order
    actor_party: dict[str, str] = {}
    for actor in scope:
        for node in (actor, *tree.ancestors(actor)):
            if node in direct:
                actor_party[actor] = direct[node]
                break
    non_party = tuple(a for a in scope if a not in actor_party)
    return PartyMapping(party_actors, actor_party, non_party)
