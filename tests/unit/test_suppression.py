"""Small-cell suppression: nothing small is published, nothing hidden can be derived."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from effekt.engine import suppression as sdc
from effekt.errors import DataError


def test_docstring_examples_run() -> None:
    result = doctest.testmod(sdc)
    assert result.attempted >= 5
    assert result.failed == 0


def test_primary_suppression_hides_counts_from_one_to_threshold_minus_one() -> None:
    assert sdc.primary_suppression([0, 1, 4, 5, 9, 10]).tolist() == [0, 1, 1, 0, 0, 0]
    assert sdc.primary_suppression([0, 1, 4, 5, 9, 10], threshold=10).tolist() == [0, 1, 1, 1, 1, 0]


def test_single_hidden_cell_is_derived_from_its_row_total() -> None:
    table = [[3, 7], [6, 8]]
    assert sdc.derivable_cells(table, [[True, False], [False, False]]).tolist() == [
        [True, False],
        [False, False],
    ]


def test_four_hidden_cells_in_a_rectangle_are_not_derivable() -> None:
    table = [[3, 7, 1], [6, 8, 2], [5, 5, 5]]
    mask = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0]], dtype=bool)
    assert not sdc.derivable_cells(table, mask).any()
    low, high = sdc.cell_bounds(table, mask)
    assert (low[0, 0], high[0, 0]) == (0.0, 9.0)  # x00 + x01 = 10, x00 + x10 = 9


def test_cell_bridging_two_hidden_rectangles_is_derivable() -> None:
    # every row and column has two hidden cells, yet (1, 2) links two separate cycles
    table = np.arange(1, 17).reshape(4, 4) + 5
    mask = np.zeros((4, 4), dtype=bool)
    mask[np.ix_([0, 1], [0, 1])] = True
    mask[np.ix_([2, 3], [2, 3])] = True
    mask[1, 2] = True
    assert np.argwhere(sdc.derivable_cells(table, mask)).tolist() == [[1, 2]]


def test_non_negativity_can_reveal_a_hidden_rectangle() -> None:
    # row 0 leaves 0 for its two hidden cells, so both are 0 and then all four are known
    table = [[0, 0, 9], [2, 3, 9], [7, 7, 7]]
    mask = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0]], dtype=bool)
    assert sdc.derivable_cells(table, mask)[:2, :2].all()
    protected = sdc.suppress(table)
    assert not sdc.derivable_cells(table, protected.suppressed).any()


def test_one_column_table_hides_the_row_total_of_a_small_cell() -> None:
    # the only other cell in the small cell's row is the row total itself
    result = sdc.suppress([[3], [10], [12]])
    assert result.suppressed[0, 0] and result.suppressed[0, 1]
    assert not sdc.derivable_cells([[3], [10], [12]], result.suppressed).any()


def test_small_totals_are_suppressed_too() -> None:
    result = sdc.suppress([[2, 1, 0], [30, 40, 50]])
    assert result.primary[0, 3]  # row total 3
    assert np.isnan(result.values[0, 3])


def test_table_without_small_cells_is_published_whole() -> None:
    result = sdc.suppress([[12, 30], [15, 0]])
    assert not result.suppressed.any()
    assert result.values.tolist() == [[12, 30, 42], [15, 0, 15], [27, 30, 57]]


def test_complements_are_the_smallest_non_zero_cells() -> None:
    result = sdc.suppress([[2, 0, 50, 9], [40, 60, 70, 80], [11, 0, 90, 99]])
    assert result.complementary[:3, :4].tolist() == [
        [False, False, False, True],
        [False, False, False, False],
        [True, False, False, True],
    ]


def test_not_a_table_is_refused() -> None:
    with pytest.raises(DataError) as err:
        sdc.suppress([1, 2, 3])
    assert err.value.code == "stats.not_a_table"
    with pytest.raises(DataError) as err:
        sdc.suppress([[1.5, 2]])
    assert err.value.code == "stats.not_counts"


# --- the checker against brute force ---------------------------------------------------


def _brute_force_derivable(table: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Enumerate every non-negative integer table with the published cells and totals."""
    hidden = np.argwhere(mask)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    seen: list[set[int]] = [set() for _ in hidden]
    upper = [int(min(rows[i], cols[j])) for i, j in hidden]
    for values in itertools.product(*(range(u + 1) for u in upper)):
        trial = table.copy()
        for (i, j), v in zip(hidden, values, strict=True):
            trial[i, j] = v
        if (trial.sum(axis=1) == rows).all() and (trial.sum(axis=0) == cols).all():
            for s, v in zip(seen, values, strict=True):
                s.add(v)
    out = np.zeros_like(mask)
    for (i, j), s in zip(hidden, seen, strict=True):
        out[i, j] = len(s) == 1
    return out


@settings(max_examples=60, deadline=None)
@given(
    table=arrays(np.int64, (2, 3), elements=st.integers(0, 4)),
    mask=arrays(np.bool_, (2, 3)),
)
def test_derivable_cells_agrees_with_brute_force_enumeration(
    table: np.ndarray, mask: np.ndarray
) -> None:
    assume(mask.sum() <= 4)  # keeps the enumeration below 9^4 tables
    expected = _brute_force_derivable(table, mask)
    assert sdc.derivable_cells(table, mask).tolist() == expected.tolist()


# --- the property ---------------------------------------------------------------------

counts = st.one_of(st.integers(0, 4), st.integers(0, 40))
tables = st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=counts)
)


@settings(max_examples=80, deadline=None)
@given(table=tables, threshold=st.sampled_from([3, 5, 10]))
def test_published_table_has_no_small_cells_and_no_derivable_hidden_cells(
    table: np.ndarray, threshold: int
) -> None:
    result = sdc.suppress(table, threshold=threshold)
    full = sdc.with_totals(table)
    published = ~result.suppressed
    assert not ((full > 0) & (full < threshold) & published).any()
    assert not sdc.derivable_cells(table, result.suppressed).any()
    assert (result.values[published] == full[published]).all()
    assert (result.suppressed >= result.primary).all()
