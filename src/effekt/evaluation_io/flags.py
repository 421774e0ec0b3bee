"""Yes/no columns — who was treated, who engaged — read row by row.

A value is read as written, whatever type the table reader gave the column: ``1``, ``1.0``
(a column with an empty cell is read as numbers with decimals), ``"1"``, ``True``,
``"ja"`` are all yes. With a mapping's list of values that mean yes (``treated_values``),
those are yes and any other value no — unless the mapping also lists the values that mean
no (``comparison_values``): then a value in neither list is a problem of its row. Without
a mapping, only the yes and no words below are read, and anything else is a problem: a participant is never put in the
comparison group because a cell held a typo. A missing value is a problem of its row where
the column is required (the treatment: nobody is analysed without a group). Problems are
reported as :class:`~effekt.evaluation_io.importer.ImportRejected` — row numbers and the
column, never the values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from effekt.evaluation_io.importer import ImportRejected, RowProblem

__all__ = ["NO", "YES", "yes_no"]

#: Yes and no as written by hand and by spreadsheets: a Swedish Excel writes a TRUE/FALSE
#: cell to CSV as SANT/FALSKT.
YES = frozenset({"1", "true", "yes", "y", "ja", "j", "sant"})
NO = frozenset({"0", "false", "no", "n", "nej", "falskt"})


def _token(value: Any) -> str | None:
    """A cell as a lower-case word; whole numbers without decimals; None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else str(value)
    text = str(value).strip().lower()
    return text or None


def _words(values: Sequence[Any]) -> set[str]:
    return {t for t in map(_token, values) if t is not None}


def yes_no(
    series: pd.Series,
    rows: pd.Series,
    column: str,
    yes_values: Sequence[Any] | None = None,
    *,
    no_values: Sequence[Any] | None = None,
    required: bool = True,
) -> pd.Series:
    """``series`` as booleans; ``rows`` are the rows' numbers for problems.

    ``yes_values``: the values that mean yes (a mapping's list); with ``no_values`` too, any
    value in neither is a problem, else any other value means no. None for the yes/no words,
    where any other value is a problem. A missing value is a problem when ``required``,
    else no.
    """
    tokens = series.map(_token)
    problems: list[RowProblem] = []
    yes = _words(yes_values) if yes_values is not None else set(YES)
    no = (
        _words(no_values)
        if no_values is not None
        else (None if yes_values is not None else set(NO))
    )
    out = tokens.isin(yes)
    if no is not None:
        unreadable = tokens.notna() & ~tokens.isin(yes | no)
        code = "evaluation.flag_unreadable" if yes_values is None else "evaluation.flag_unlisted"
        problems += [RowProblem(int(r), column, code) for r in rows[unreadable]]
    if required:
        problems += [
            RowProblem(int(r), column, "evaluation.flag_missing") for r in rows[tokens.isna()]
        ]
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row), column=column)
    return out.astype(bool)
