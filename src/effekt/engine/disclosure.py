"""What a reader can work out from published counts that overlap: exact integer reasoning.

:mod:`effekt.engine.suppression` protects a table whose cells add up to its totals. Some
published counts are not a table: the data-quality counts of ``effekt evaluate`` overlap
(a row can miss two columns, and be ineligible too), and what is known of them is partly
equalities, partly inequalities. Here a publication is modelled as it is read:

* **unknowns** — counts of persons, whole numbers ≥ 0, each with a name;
* **relations** — linear (in)equalities the reader knows from how the figures are made
  (the rows missing a column are those among the ineligible plus those among the
  excluded …; every row excluded for a missing covariate misses at least one);
* **published figures** — each a linear combination of unknowns, known exactly, known to
  lie in an interval (a count shown as "< 5" is 1 to 4) or hidden.

A quantity is *pinned* when it takes a single value over every whole-number solution: the
reader has worked it out. :func:`pinned` decides it by two integer feasibility problems
(scipy's ``milp``, HiGHS): is there a solution with the quantity one above its true value,
or one below? Being exact over whole numbers, it also finds what the interval of a "< 5"
gives away (two counts shown as "< 5" that add up to a published 8 are both 4).

>>> r = Relations()
>>> r.relate({"a": 1, "b": 1}, 7, 7)        # a published total of 7
>>> r.relate({"a": 1}, 5, 5)                # a is published: 5
>>> r.relate({"b": 1}, 1, 4)                # b is shown as "< 5"
>>> pinned(r, {"b": 1}, 2)                  # 7 - 5
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from effekt.errors import ComputationError

__all__ = ["Relations", "pinned"]

#: A linear combination of unknowns by name: {"x": 1, "y": -1} is x − y.
Combination = dict[str, float]


@dataclass
class Relations:
    """Unknowns (whole numbers ≥ 0, added as they are named) and the linear relations on
    them a reader knows: ``low ≤ Σ coefficient × unknown ≤ high`` (a bound may be
    infinite)."""

    names: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[Combination, float, float]] = field(default_factory=list)

    def index(self, name: str) -> int:
        return self.names.setdefault(name, len(self.names))

    def relate(self, combination: Combination, low: float, high: float) -> None:
        """Add ``low ≤ combination ≤ high``."""
        for name in combination:
            self.index(name)
        self.rows.append((dict(combination), float(low), float(high)))

    def _matrix(self, extra: tuple[Combination, float, float] | None) -> optimize.LinearConstraint:
        rows = [*self.rows, *([extra] if extra is not None else [])]
        a = np.zeros((len(rows), len(self.names)))
        for i, (combination, _, _) in enumerate(rows):
            for name, coefficient in combination.items():
                a[i, self.names[name]] += coefficient
        low = np.array([r[1] for r in rows])
        high = np.array([r[2] for r in rows])
        return optimize.LinearConstraint(a, low, high)

    def feasible(self, extra: tuple[Combination, float, float] | None = None) -> bool:
        """Whether whole numbers ≥ 0 satisfy every relation (and ``extra``)."""
        if extra is not None:
            for name in extra[0]:
                self.index(name)
        n = len(self.names)
        if n == 0:
            return True
        res = optimize.milp(
            np.zeros(n),
            integrality=np.ones(n),
            bounds=optimize.Bounds(np.zeros(n), np.full(n, np.inf)),
            constraints=self._matrix(extra),
        )
        if res.status == 0:
            return True
        if res.status == 2:  # infeasible
            return False
        raise ComputationError("stats.lp_failed", what="disclosure check", detail=res.message)


def pinned(relations: Relations, quantity: Combination, value: float) -> bool:
    """Whether ``quantity``, whose true value is ``value``, is the same in every solution:
    no solution has it a whole number above or below (the truth is one solution)."""
    above = relations.feasible((quantity, value + 1, np.inf))
    return not above and not relations.feasible((quantity, -np.inf, value - 1))
