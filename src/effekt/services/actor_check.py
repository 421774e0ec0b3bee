"""A party's ``actor``: the public actor it stands for in the valuation ("who pays, who saves").

The file format cannot see the actor hierarchy (``data/actors.toml``), so without this a
misspelt actor passed ``effekt check`` and ``effekt value`` left the party's payments out of
every actor's row without a word, and an actor of the other country's tree stopped ``value``
with an internal error. Here each is an error at its field, with the closest id of the
contract's country; :func:`value` refuses the same contracts with the same message.

Which tree a contract uses follows its currency: SEK values with the Swedish actors, any
other currency with the UK's (the shipped unit-cost tables are those two).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from effekt.contract.load import Document
from effekt.contract.model import Contract
from effekt.contract.problems import Problem
from effekt.data.reference import actors as actor_tree
from effekt.engine.valuation.actors import ActorTree

__all__ = [
    "ActorProblem",
    "actor_problems",
    "contract_actor_problems",
    "payers_without_actor",
    "valuation_country",
]

#: The paying roles whose payments are public costs in the valuation.
_PAYING = ("commissioner", "outcome_fund")


def valuation_country(c: Contract) -> str:
    """The country whose actors and unit costs value ``c``: ``"se"`` for SEK, else ``"uk"``."""
    return "se" if c.currency == "SEK" else "uk"


@dataclass(frozen=True)
class ActorProblem:
    """A party whose ``actor`` the valuation cannot use: its index, then the message."""

    index: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def actor_problems(c: Contract, tree: ActorTree | None = None) -> list[ActorProblem]:
    """Every party whose ``actor`` is not an actor of the contract's country."""
    tree = tree if tree is not None else actor_tree()
    country = valuation_country(c)
    known = list(tree.for_country(country))
    out = []
    for i, p in enumerate(c.parties):
        if p.actor is None or p.actor in known:
            continue
        close = difflib.get_close_matches(p.actor, known, n=1, cutoff=0.5)
        params: dict[str, Any] = {
            "party": p.id,
            "actor": p.actor,
            "currency": c.currency,
            "known": ", ".join(known),
            "suggestion": close[0] if close else "",
        }
        if p.actor in tree:
            out.append(ActorProblem(i, "contract.actor_other_country", params))
        else:
            out.append(ActorProblem(i, "contract.unknown_actor", params))
    return out


def contract_actor_problems(c: Contract, doc: Document) -> list[Problem]:
    """:func:`actor_problems` as errors at each party's ``actor`` field."""
    return [
        doc.problem(("parties", a.index, "actor"), a.code, **a.params) for a in actor_problems(c)
    ]


def payers_without_actor(c: Contract) -> list[str]:
    """The paying parties (commissioners, outcome funds) that name no actor: their payments
    are no public actor's cost in the valuation."""
    return [p.id for p in c.parties if p.role in _PAYING and p.actor is None]
