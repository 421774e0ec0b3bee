"""Numbers as a data file writes them: with a decimal point, or the Swedish way.

A file uses one decimal sign (``"."`` or ``","``), and a value is read by that sign only:

* ``"."``: ``0.87``, ``-12``, ``1.5e-3``. A comma makes the value unreadable — ``1,234``
  is never read as 1234 nor as 1.234;
* ``","``: ``0,87``, ``1 234,5`` (a space, no-break space U+00A0 or narrow no-break space
  U+202F between groups of three digits), ``1,5E-03``. A point makes the value unreadable
  — ``1.234`` is never read as 1234 nor as 1.234.

Either way a minus sign may be ``-`` or ``−`` (U+2212). An unreadable value is missing
for the analysis and reported by its row number — never read as another number.

The mapping's ``decimal`` setting is ``"auto"`` unless given: a decimal comma in a file
separated by ``;`` (Swedish Excel's "CSV (semikolonavgränsad)", which separates by ``;``
precisely because the comma is the decimal sign), a decimal point otherwise
(:func:`decimal_sign`). When a column is wholly written the other way, the reader does
not guess: :func:`other_sign_fits` lets the importer ask for the setting instead.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "DecimalSign",
    "decimal_sign",
    "has_numbers",
    "numeric_column",
    "other_sign_fits",
    "parse_number",
    "to_numbers",
]

DecimalSign = Literal[".", ","]

_SIGN = r"[+\-\u2212]?"
_EXPONENT = r"(?:[eE][+\-\u2212]?\d+)?"
_PATTERNS: dict[str, re.Pattern[str]] = {
    ".": re.compile(rf"{_SIGN}(?:\d+(?:\.\d*)?|\.\d+){_EXPONENT}"),
    ",": re.compile(
        rf"{_SIGN}(?:(?:\d{{1,3}}(?:[ \u00a0\u202f]\d{{3}})+|\d+)(?:,\d*)?|,\d+){_EXPONENT}"
    ),
}
_WHOLE = re.compile(r"[+\-\u2212]?[\d \u00a0\u202f]+")
_SPACES = " \t\u00a0\u202f"


def decimal_sign(setting: str, delimiter: str) -> DecimalSign:
    """The decimal sign of a file: the setting when it names one; for ``"auto"`` a comma
    in a file separated by ``;``, else a point.

    >>> decimal_sign("auto", ";"), decimal_sign("auto", ","), decimal_sign(".", ";")
    (',', '.', '.')
    """
    if setting == ",":
        return ","
    if setting == ".":
        return "."
    return "," if delimiter == ";" else "."


def parse_number(text: str, decimal: DecimalSign) -> float | None:
    """``text`` as a number written with ``decimal``; None when it is not one.

    >>> parse_number("0,87", ","), parse_number("1 234,5", ","), parse_number("−0,5", ",")
    (0.87, 1234.5, -0.5)
    >>> parse_number("1,234", "."), parse_number("1.234", ","), parse_number("abc", ".")
    (None, None, None)
    """
    value = text.strip(_SPACES)
    if not _PATTERNS[decimal].fullmatch(value):
        return None
    value = value.replace("\u2212", "-")
    if decimal == ",":
        for space in " \u00a0\u202f":
            value = value.replace(space, "")
        value = value.replace(",", ".")
    return float(value)


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip(_SPACES)


def _number(value: object, decimal: DecimalSign) -> float | None:
    """A cell as a number: numbers as they are, text by ``decimal``; None when unreadable."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return parse_number(str(value), decimal)


def to_numbers(series: pd.Series, decimal: DecimalSign) -> tuple[pd.Series, pd.Series]:
    """(the values as floats, a mask of the unreadable ones). Missing and unreadable values
    are NaN; only a value that is present and not a number is unreadable.

    >>> values, bad = to_numbers(pd.Series(["0,87", "", None, "abc", "1 234"]), ",")
    >>> values.tolist()[:2], values.tolist()[4], bad.tolist()
    ([0.87, nan], 1234.0, [False, False, False, True, False])
    """
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype(float)
        return values, pd.Series(False, index=series.index)
    out = np.full(len(series), np.nan)
    bad = np.zeros(len(series), dtype=bool)
    for i, value in enumerate(series.to_numpy(dtype=object)):
        if _is_missing(value):
            continue
        number = _number(value, decimal)
        if number is None:
            bad[i] = True
        else:
            out[i] = number
    return pd.Series(out, index=series.index), pd.Series(bad, index=series.index)


def has_numbers(series: pd.Series) -> bool:
    """Whether any value is a number written either way (a column of words is not).

    >>> has_numbers(pd.Series(["pojke", "flicka"])), has_numbers(pd.Series(["x", "0.5"]))
    (False, True)
    """
    if pd.api.types.is_numeric_dtype(series.dtype):
        return bool(series.notna().any())
    return bool(
        to_numbers(series, ".")[0].notna().any() or to_numbers(series, ",")[0].notna().any()
    )


def other_sign_fits(series: pd.Series, decimal: DecimalSign) -> int | None:
    """The position of the first value ``decimal`` cannot read, when every present value
    is a number written with the other sign (the column is wholly the other way); else
    None. A value both signs read is a whole number, the same either way.

    >>> other_sign_fits(pd.Series(["0.87", "1", None]), ",")
    0
    >>> other_sign_fits(pd.Series(["0,87", "0.5"]), ","), other_sign_fits(pd.Series(["1"]), ",")
    (None, None)
    """
    if pd.api.types.is_numeric_dtype(series.dtype):
        return None
    mine = to_numbers(series, decimal)[1].to_numpy()
    other = to_numbers(series, "," if decimal == "." else ".")[1].to_numpy()
    if not mine.any() or other.any():
        return None
    return int(np.flatnonzero(mine)[0])


def numeric_column(series: pd.Series, decimal: DecimalSign) -> pd.Series | None:
    """A text column as numbers when every present value is one (whole numbers without a
    missing value stay integers, as pandas reads them); else None.

    >>> numeric_column(pd.Series(["0,87", "1 234,5", None]), ",").tolist()
    [0.87, 1234.5, nan]
    >>> numeric_column(pd.Series(["12", "7"]), ",").dtype, numeric_column(pd.Series(["a"]), ",")
    (dtype('int64'), None)
    """
    texts = series.to_numpy(dtype=object)
    out = np.full(len(texts), np.nan)
    whole = True
    for i, value in enumerate(texts):
        if _is_missing(value):
            whole = False
            continue
        number = _number(value, decimal)
        if number is None:
            return None  # a column of words (or with one): left as text
        out[i] = number
        whole = whole and bool(_WHOLE.fullmatch(str(value).strip(_SPACES)))
    if np.isnan(out).all():
        return None
    values = pd.Series(out, index=series.index)
    return values.astype(np.int64) if whole else values
