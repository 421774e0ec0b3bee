"""Dates as files write them: ISO 8601, with or without a time, in one column.

Swedish Excel and case systems write dates as ISO 8601: ``2027-05-22``, and
``2027-05-22 00:00`` where the cell holds a time. pandas infers one format from a column's
first value, so a column mixing the two read every value of the other form as missing —
an anchor date lost, an outcome silently missing. :func:`to_dates` reads a column whose
every value is an ISO date as ISO 8601, whichever form each has; any other column is left
to pandas' inference as before. A value that is not a date is missing (NaT).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["to_dates"]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def to_dates(values: pd.Series) -> pd.Series:
    """``values`` as datetimes; NaT where empty or not a date.

    >>> to_dates(pd.Series(["2027-05-22", "2027-06-01 13:45", ""])).tolist()
    [Timestamp('2027-05-22 00:00:00'), Timestamp('2027-06-01 13:45:00'), NaT]
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    present = values.dropna().astype(str).str.strip()
    present = present[present != ""]
    if len(present) and present.map(lambda v: bool(_ISO.fullmatch(v))).all():
        text = values.where(values.isna(), values.astype(str).str.strip())
        return pd.to_datetime(text, format="ISO8601", errors="coerce")
    return pd.to_datetime(values, errors="coerce")
