"""What ``effekt check`` finds in a contract's references to unit costs.

A metric's ``avoided_costs`` name unit-cost rows by id, and ``valuation.unit_cost_tables``
names the tables to find them in (beside the contract, then in ``EFFEKT_UNIT_COST_DIR``).
The file format cannot see the tables, so without this a misspelt id passed ``check`` and
``value``, ``feasibility`` and ``simulate`` then stopped with no place named. Here each
is an error at its field, with the closest id the tables have.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from effekt.contract.load import Document
from effekt.contract.model import Contract
from effekt.contract.problems import Problem
from effekt.errors import InputError
from effekt.services.value import unit_cost_rows

__all__ = ["unit_cost_problems"]


def unit_cost_problems(c: Contract, doc: Document, search: Sequence[Path] = ()) -> list[Problem]:
    """An error for a unit-cost table that cannot be found or read, and for each
    ``avoided_costs`` row naming an id no table has."""
    if not any(m.avoided_costs for m in c.metrics):
        return []
    try:
        rows = unit_cost_rows(c, Path(doc.file).resolve().parent, search)
    except InputError as exc:
        where = ("valuation", "unit_cost_tables") if c.valuation else ("metrics",)
        return [
            doc.problem(
                where, "contract.unit_costs_unreadable", because=(exc.code, dict(exc.params))
            )
        ]
    known = sorted(rows)
    out = []
    for j, m in enumerate(c.metrics):
        for k, line in enumerate(m.avoided_costs):
            if line.unit_cost in rows:
                continue
            close = difflib.get_close_matches(line.unit_cost, known, n=1, cutoff=0.5)
            out.append(
                doc.problem(
                    ("metrics", j, "avoided_costs", k, "unit_cost"),
                    "contract.unknown_unit_cost",
                    id=line.unit_cost,
                    suggestion=close[0] if close else "",
                )
            )
    return out
