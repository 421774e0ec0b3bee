"""Statistical disclosure control for published counts: small-cell suppression.

A two-way table of counts is published with its row totals, column totals and grand
total. We work on the *augmented* table ``A`` of shape ``(R+1, C+1)``: the last column
holds the row totals, the last row the column totals, ``A[R, C]`` the grand total. Each
row and each column of ``A`` is one published additive relation (its cells sum to its
total), so the totals are cells like any other and can be suppressed too.

1. **Primary suppression** hides every cell (totals included) with ``0 < n < threshold``
   (5 by default; docs/sources/security.md §1.3 recommends 5, configurable up to 10).
2. **Secondary (complementary) suppression** hides further cells until no suppressed
   cell can be worked out exactly from what is published:

   * line rule, iterated to a fixpoint: a row or column of ``A`` with exactly one hidden
     cell gets a second one — a non-zero interior cell of that line (one that also mends
     a crossing line with a single hidden cell if there is one, else the smallest), else
     a zero, else its total (the case where the only other cell is the total itself,
     e.g. a one-column table);
   * then the exact check :func:`derivable_cells`; any cell it finds derivable gets
     another complement in its row or column, and the line rule runs again.

   Zeros are used as complements only when nothing else is left: a zero is often known
   to be zero (a structural zero), which would protect nothing.
3. **The check** :func:`derivable_cells` bounds every hidden cell by linear programming
   (``scipy.optimize.linprog``, HiGHS): its minimum and maximum subject to every published
   relation and non-negativity. A cell is exactly derivable when ``min == max``. The
   constraint matrix (after negating the totals) is the incidence matrix of a bipartite
   graph, hence totally unimodular, so the LP bounds are integers and ``min < max``
   means at least two integer tables are consistent with the publication.

The check proves *exact* non-derivability only; narrow intervals (e.g. a hidden cell
known to lie in 1..4) and differencing across overlapping tables are out of its scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize

from effekt.errors import ComputationError, DataError

__all__ = [
    "SuppressedTable",
    "cell_bounds",
    "derivable_cells",
    "primary_suppression",
    "secondary_suppression",
    "suppress",
    "with_totals",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: ``values`` with totals, ``nan`` where suppressed."""

    values: FloatArray
    suppressed: BoolArray
    primary: BoolArray
    threshold: int

    @property
    def complementary(self) -> BoolArray:
        """Cells hidden only to protect the small ones."""
        return np.asarray(self.suppressed & ~self.primary, dtype=np.bool_)


def _table(table: npt.ArrayLike) -> FloatArray:
    a = np.asarray(table, dtype=np.float64)
    if a.ndim != 2 or a.size == 0:
        raise DataError("stats.not_a_table", shape=str(a.shape))
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a != np.round(a)):
        raise DataError("stats.not_counts", what="table")
    return a


def with_totals(table: npt.ArrayLike) -> FloatArray:
    """The augmented table: ``table`` with row totals, column totals and the grand total.

    >>> with_totals([[1, 2], [3, 4]]).tolist()
    [[1.0, 2.0, 3.0], [3.0, 4.0, 7.0], [4.0, 6.0, 10.0]]
    """
    a = _table(table)
    out = np.empty((a.shape[0] + 1, a.shape[1] + 1))
    out[:-1, :-1] = a
    out[:-1, -1] = a.sum(axis=1)
    out[-1, :-1] = a.sum(axis=0)
    out[-1, -1] = a.sum()
    return out


def primary_suppression(values: npt.ArrayLike, threshold: int = DEFAULT_THRESHOLD) -> BoolArray:
    """Cells with ``0 < n < threshold`` (any shape; zeros are published).

    >>> primary_suppression([0, 1, 4, 5, 12]).tolist()
    [False, True, True, False, False]
    """
    v = np.asarray(values, dtype=np.float64)
    return np.asarray((v > 0) & (v < threshold), dtype=np.bool_)


def _augmented_mask(table: FloatArray, mask: npt.ArrayLike) -> BoolArray:
    m = np.asarray(mask, dtype=np.bool_)
    r, c = table.shape
    if m.shape == (r, c):
        full = np.zeros((r + 1, c + 1), dtype=np.bool_)
        full[:r, :c] = m
        return full
    if m.shape == (r + 1, c + 1):
        return m.copy()
    raise DataError("stats.mask_shape", expected=str((r, c)), got=str(m.shape))


def _relations(shape: tuple[int, int]) -> FloatArray:
    """One row per published relation over the flattened augmented table.

    Row ``i`` of ``A``: ``sum_{j<C} A[i, j] - A[i, C] = 0``; column ``j`` likewise.
    """
    rows, cols = shape
    grid = np.arange(rows * cols).reshape(shape)
    out = np.zeros((rows + cols, rows * cols))
    for i in range(rows):
        out[i, grid[i, :-1]] = 1.0
        out[i, grid[i, -1]] = -1.0
    for j in range(cols):
        out[rows + j, grid[:-1, j]] = 1.0
        out[rows + j, grid[-1, j]] = -1.0
    return out


def cell_bounds(
    table: npt.ArrayLike, suppressed_mask: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The smallest and largest value each suppressed cell can take given what is published.

    ``table`` is the interior (``R x C``) table; ``suppressed_mask`` is ``R x C`` (totals
    all published) or ``(R+1) x (C+1)`` (augmented, totals may be suppressed). Returns
    ``(low, high)`` of the mask's shape: ``nan`` for published cells, ``inf`` where a
    cell is unbounded above. Each bound is one ``linprog`` problem (HiGHS).
    """
    a = _table(table)
    full = with_totals(a)
    mask = _augmented_mask(a, suppressed_mask)
    flat_mask = mask.ravel()
    relations = _relations(full.shape)
    hidden = np.flatnonzero(flat_mask)
    A_eq = relations[:, hidden]
    b_eq = -relations[:, ~flat_mask] @ full.ravel()[~flat_mask]
    keep = np.any(A_eq != 0, axis=1)
    A_eq, b_eq = A_eq[keep], b_eq[keep]
    low = np.full(full.size, np.nan)
    high = np.full(full.size, np.nan)
    for k, cell in enumerate(hidden):
        objective = np.zeros(hidden.size)
        objective[k] = 1.0
        for sign, out in ((1.0, low), (-1.0, high)):
            res = optimize.linprog(
                sign * objective,
                A_eq=A_eq if A_eq.size else None,
                b_eq=b_eq if A_eq.size else None,
                bounds=(0, None),
                method="highs",
            )
            if res.status == 3:  # unbounded
                out[cell] = sign * np.inf
            elif res.status != 0:
                raise ComputationError("stats.lp_failed", what="cell bounds", detail=res.message)
            else:
                out[cell] = sign * res.fun
    low_grid, high_grid = low.reshape(full.shape), high.reshape(full.shape)
    if np.shape(suppressed_mask) == a.shape:
        return low_grid[:-1, :-1], high_grid[:-1, :-1]
    return low_grid, high_grid


def derivable_cells(table: npt.ArrayLike, suppressed_mask: npt.ArrayLike) -> BoolArray:
    """Suppressed cells whose value is determined exactly by the published cells and totals.

    A suppressed cell is derivable when its LP minimum equals its maximum
    (:func:`cell_bounds`). Same shape as ``suppressed_mask``.

    >>> derivable_cells([[3, 7], [6, 8]], [[True, False], [False, False]]).tolist()
    [[True, False], [False, False]]
    """
    low, high = cell_bounds(table, suppressed_mask)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.isfinite(high) & (high - low < 1e-6), dtype=np.bool_)


def _pick(
    full: FloatArray, mask: BoolArray, cells: list[tuple[int, int]], along: str = ""
) -> tuple[int, int] | None:
    """The cheapest unsuppressed cell among ``cells``.

    Interior before totals, non-zero before zero; then a cell whose other line (row or
    column, not the line ``along`` which the cells form) already has exactly one hidden
    cell, since hiding it mends two lines at once;
    then the smallest value; then position.
    """
    rows, cols = full.shape
    free = [(i, j) for i, j in cells if not mask[i, j]]
    if not free:
        return None
    hidden_in_row = mask.sum(axis=1)
    hidden_in_col = mask.sum(axis=0)

    def cost(cell: tuple[int, int]) -> tuple[bool, bool, bool, float, int, int]:
        i, j = cell
        is_total = i == rows - 1 or j == cols - 1
        mends = (along != "row" and hidden_in_row[i] == 1) or (
            along != "col" and hidden_in_col[j] == 1
        )
        return (is_total, full[i, j] == 0, not mends, float(full[i, j]), i, j)

    return min(free, key=cost)


def _line_rule(full: FloatArray, mask: BoolArray) -> None:
    """Give every row and column of ``full`` zero or at least two hidden cells (in place)."""
    rows, cols = full.shape
    changed = True
    while changed:
        changed = False
        lines = [("row", [(i, j) for j in range(cols)]) for i in range(rows)]
        lines += [("col", [(i, j) for i in range(rows)]) for j in range(cols)]
        for along, line in lines:
            if sum(mask[c] for c in line) == 1:
                cell = _pick(full, mask, line, along)
                if cell is not None:
                    mask[cell] = True
                    changed = True


def secondary_suppression(
    table: npt.ArrayLike,
    primary_mask: npt.ArrayLike | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> BoolArray:
    """The full suppression pattern of the augmented ``(R+1) x (C+1)`` table.

    Starts from ``primary_mask`` (``R x C`` or augmented; by default primary suppression
    of every cell and total at ``threshold``) and adds complements until
    :func:`derivable_cells` finds nothing (see the module docstring).
    """
    a = _table(table)
    full = with_totals(a)
    if primary_mask is None:
        mask = primary_suppression(full, threshold)
    else:
        mask = _augmented_mask(a, primary_mask)
    rows, cols = full.shape
    while True:
        _line_rule(full, mask)
        if not mask.any():
            return mask
        exposed = np.argwhere(derivable_cells(a, mask))
        if exposed.size == 0:
            return mask
        added = False
        for i, j in exposed:
            line = [(i, jj) for jj in range(cols)] + [(ii, j) for ii in range(rows)]
            cell = _pick(full, mask, line)
            if cell is None:
                cell = _pick(full, mask, [(ii, jj) for ii in range(rows) for jj in range(cols)])
            if cell is not None:
                mask[cell] = True
                added = True
        if not added:  # pragma: no cover - everything hidden is never derivable
            raise ComputationError("stats.suppression_failed", what="secondary suppression")


def suppress(table: npt.ArrayLike, threshold: int = DEFAULT_THRESHOLD) -> SuppressedTable:
    """Primary and secondary suppression of a count table, ready to publish.

    >>> t = suppress([[12, 3, 20], [15, 9, 30], [25, 14, 41]])
    >>> t.values.tolist()[0]
    [nan, nan, 20.0, 35.0]
    >>> int(t.suppressed.sum())
    4
    """
    full = with_totals(table)
    primary = primary_suppression(full, threshold)
    mask = secondary_suppression(table, primary)
    values = np.where(mask, np.nan, full)
    return SuppressedTable(values=values, suppressed=mask, primary=primary, threshold=threshold)
