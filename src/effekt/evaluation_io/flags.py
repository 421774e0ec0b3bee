"""Yes/no columns — who was treated, who engaged — read row by row.

A value is read as written, whatever type the table reader gave the column: ``1``, ``1.0``
(a column with an empty cell is read as numbers with decimals), ``"1"``, ``True``,
``"ja"`` are all yes. With a mapping's list of values that mean yes (``treated_values``),
those are yes and any other value no. Without one, only the yes and no words below are
read, and anything else is a problem of its row: a participant is never put in the
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

YES = frozenset({"1", "true", "yes", "y", "ja", "j"})
NO = frozenset({"0", "false", "no", "n", "nej"})


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


def yes_no(
    series: pd.Series,
    rows: pd.Series,
    column: str,
    yes_values: Sequence[Any] | None = None,
    *,
    required: bool = True,
) -> pd.Series:
    """``series`` as booleans; ``rows`` are the rows' numbers for problems.

    ``yes_values``: the values that mean yes (a mapping's list), any other value meaning no;
    None for the yes/no words, where any other value is a problem. A missing value is a
    problem when ``required``, else no.
    """
    tokens = series.map(_token)
    problems: list[RowProblem] = []
    if yes_values is not None:
        wanted = {t for t in map(_token, yes_values) if t is not None}
        out = tokens.isin(wanted)
    else:
        out = tokens.isin(YES)
        unreadable = tokens.notna() & ~tokens.isin(YES | NO)
        problems += [
            RowProblem(int(r), column, "evaluation.flag_unreadable") for r in rows[unreadable]
        ]
    if required:
        problems += [
            RowProblem(int(r), column, "evaluation.flag_missing") for r in rows[tokens.isna()]
        ]
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row), column=column)
    return out.astype(bool)
