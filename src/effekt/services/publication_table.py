"""The published table of an evaluation: counts by cohort × group and outcome category,
each group suppressed as its own table with its totals (the rule is in
:mod:`effekt.services.publication`); and the outcome categories and whole-number counts
the other publication rules count by."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from effekt.engine.suppression import suppress

__all__ = ["as_count", "outcome_categories", "outcome_category", "published_table"]


#: The groups of the published table, in the order of its rows within a cohort.
_GROUPS = ("treated", "comparison")


def outcome_categories(kind: str) -> list[str]:
    return {"binary": ["achieved", "not_achieved"], "count": ["0", "1", "2+"]}.get(kind, ["n"])


def outcome_category(values: np.ndarray, kind: str) -> np.ndarray:
    if kind == "binary":
        return np.where(values >= 0.5, 0, 1)
    if kind == "count":
        return np.asarray(np.minimum(np.round(values).astype(int), 2))
    return np.zeros(values.shape, dtype=int)


def _cell(v: float) -> int | None:
    return None if math.isnan(v) else int(v)


def _sum(values: Iterable[int | None]) -> int | None:
    """The sum of published figures; hidden when any of them is."""
    parts = list(values)
    return None if any(v is None for v in parts) else sum(v for v in parts if v is not None)


def published_table(
    cohorts: np.ndarray, groups: np.ndarray, values: np.ndarray, kind: str, threshold: int = 5
) -> dict[str, Any]:
    """Counts by cohort × group (rows) and outcome category (columns), suppressed.

    Each group is suppressed as its own cohort × category table, with its totals: per
    row, and per category over all cohorts — ``group_totals``, which the pooled figures
    give away (the treated mean times the number treated is the treated count achieving
    the outcome). One table for both groups, whose column totals mix them, let a cohort's
    hidden cell be worked out as that count less the other cohorts' published cells.
    ``column_totals`` and ``total`` (both groups) are the sums of the group totals,
    published only when every part is.
    """
    rows = sorted(
        {(str(c), str(g)) for c, g in zip(cohorts, groups, strict=True)},
        key=lambda x: (x[0], x[1] != "treated"),
    )
    cats = outcome_categories(kind)
    table = np.zeros((len(rows), len(cats)), dtype=np.int64)
    index = {row: i for i, row in enumerate(rows)}
    for c, g, cat in zip(cohorts, groups, outcome_category(values, kind), strict=True):
        table[index[(str(c), str(g))], int(cat)] += 1
    cells: list[list[int | None]] = [[] for _ in rows]
    row_totals: list[int | None] = [None] * len(rows)
    group_totals: dict[str, dict[str, Any]] = {}
    hidden = 0
    present = {g for _, g in rows}
    for group in [g for g in _GROUPS if g in present] + sorted(present - set(_GROUPS)):
        members = [i for i, (_, g) in enumerate(rows) if g == group]
        s = suppress(table[members], threshold)
        for k, i in enumerate(members):
            cells[i] = [_cell(v) for v in s.values[k, :-1]]
            row_totals[i] = _cell(s.values[k, -1])
        group_totals[group] = {
            "cells": [_cell(v) for v in s.values[-1, :-1]],
            "total": _cell(s.values[-1, -1]),
        }
        hidden += int(s.suppressed.sum())
    column_totals = [_sum(g["cells"][j] for g in group_totals.values()) for j in range(len(cats))]
    total = _sum(g["total"] for g in group_totals.values())
    return {
        "rows": [{"cohort": c, "group": g} for c, g in rows],
        "columns": cats,
        "cells": cells,
        "row_totals": row_totals,
        "group_totals": group_totals,
        "column_totals": column_totals,
        "total": total,
        "threshold": threshold,
        "suppressed_cells": hidden + sum(v is None for v in [*column_totals, total]),
    }


def as_count(x: float) -> int:
    """A weighted count as a whole number on the same side of every threshold: rounded
    down (4.6 is still below 5), but never to 0 when it is above 0."""
    if x <= 1e-9:
        return 0
    return max(1, math.floor(x + 1e-9))
