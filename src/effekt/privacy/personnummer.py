"""Swedish personnummer and samordningsnummer: validate and normalise to 12 digits.

Accepted forms (surrounding whitespace ignored)::

    YYMMDD-NNNN     10 digits; the person is under 100 on ``today``
    YYMMDD+NNNN     10 digits; the person is 100 or older
    YYMMDDNNNN      10 digits without separator; read as "-"
    YYYYMMDDNNNN    12 digits
    YYYYMMDD-NNNN   12 digits with separator

The last digit is the Luhn check digit over the 10-digit form ``YYMMDDNNN``. A
samordningsnummer (co-ordination number) has 60 added to the day (61–91); the date is
checked with the day less 60. The century of a 10-digit number is the latest one that
puts the birth date on or before ``today`` (less 100 years more for "+").

Every row gets either the normalised ``YYYYMMDDNNNN`` or a reason code:

=========  ==================================================================
empty      nothing given
format     not one of the forms above
lost_zero  nine digits: YYMMDDNNNN whose leading zero a number cell dropped (05MMDDNNNN)
date       no such calendar date (after removing the samordningsnummer +60)
future     a 12-digit number whose date is after ``today``
checksum   the Luhn check digit does not match
=========  ==================================================================

Message codes are ``privacy.pnr.<reason>``. Nothing here logs or echoes the number:
errors carry the reason and row labels only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from effekt.errors import DataError

__all__ = [
    "Kind",
    "PersonnummerCheck",
    "Reason",
    "normalise",
    "normalise_series",
    "validate",
    "validate_series",
]

Kind = Literal["personnummer", "samordningsnummer"]
Reason = Literal["empty", "format", "lost_zero", "date", "future", "checksum"]

_FORM = re.compile(
    r"(?P<cc>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})(?P<sep>[-+]?)(?P<rest>\d{4})"
)
#: YYMMDDNNNN of someone born 2000–2009 from a number cell, its leading zero dropped.
_NINE_DIGITS = re.compile(r"\d{9}")
_LUHN_WEIGHTS = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PersonnummerCheck:
    """The outcome for one value: ``normalised`` (12 digits) or a ``reason`` code.

    ``normalised`` is left out of ``repr`` so that a logged result never shows it.
    """

    normalised: str | None = field(repr=False)
    reason: Reason | None
    kind: Kind | None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _days_in_month(year: IntArray, month: IntArray) -> IntArray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    return np.asarray(days + ((month == 2) & leap), dtype=np.int64)


def _check_all(
    raws: list[object], today: date
) -> tuple[list[str | None], list[str | None], list[str | None]]:
    """The vectorised core: (normalised, reason, kind) per value."""
    n = len(raws)
    reason: list[str | None] = [None] * n
    fields = np.zeros((n, 6), dtype=np.int64)  # cc, yy, mm, dd, sep(0 none/-, 1 +), rest
    has_cc = np.zeros(n, dtype=bool)
    for i, raw in enumerate(raws):
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            reason[i] = "empty"
            continue
        match = _FORM.fullmatch(text)
        if match is None or (match["cc"] is not None and match["sep"] == "+"):
            reason[i] = "lost_zero" if _NINE_DIGITS.fullmatch(text) else "format"
            continue
        has_cc[i] = match["cc"] is not None
        fields[i] = (
            int(match["cc"] or 0),
            int(match["yy"]),
            int(match["mm"]),
            int(match["dd"]),
            match["sep"] == "+",
            int(match["rest"]),
        )
    cc, yy, mm, dd, plus, rest = fields.T
    parsed = np.array([r is None for r in reason])
    co_ordination = dd > 60
    day = np.where(co_ordination, dd - 60, dd)
    # century: 12-digit numbers carry it; 10-digit ones take the latest not after today
    today_key = today.year * 10000 + today.month * 100 + today.day
    guess = (today.year // 100) * 100 + yy
    guess = np.where(guess * 10000 + mm * 100 + day > today_key, guess - 100, guess)
    year = np.where(has_cc, cc * 100 + yy, guess - 100 * plus)
    valid_date = (mm >= 1) & (mm <= 12) & (day >= 1) & (day <= _days_in_month(year, mm))
    future = year * 10000 + mm * 100 + day > today_key
    # Luhn over YYMMDDNNN, check digit = last digit
    ten = ((yy * 100 + mm) * 100 + dd) * 10000 + rest
    digits = (ten[:, None] // 10 ** np.arange(9, -1, -1)) % 10
    products = digits[:, :9] * _LUHN_WEIGHTS
    total = (products // 10 + products % 10).sum(axis=1)
    luhn_ok = (10 - total % 10) % 10 == digits[:, 9]
    normalised: list[str | None] = [None] * n
    kinds: list[str | None] = [None] * n
    for i in np.flatnonzero(parsed).tolist():
        if not valid_date[i]:
            reason[i] = "date"
        elif future[i]:
            reason[i] = "future"
        elif not luhn_ok[i]:
            reason[i] = "checksum"
        else:
            normalised[i] = f"{year[i]:04d}{ten[i] % 10**8:08d}"  # YYYY + MMDDNNNN
            kinds[i] = "samordningsnummer" if co_ordination[i] else "personnummer"
    return normalised, reason, kinds


def validate(raw: object, *, today: date | None = None) -> PersonnummerCheck:
    """Check one value; never raises.

    >>> validate("811218-9876", today=date(2025, 1, 1)).normalised
    '198112189876'
    >>> validate("19811218-9875").reason
    'checksum'
    >>> validate("701063-2391", today=date(2025, 1, 1)).kind
    'samordningsnummer'
    """
    normalised, reason, kind = _check_all([raw], today or date.today())
    return PersonnummerCheck(
        normalised[0], cast(Reason | None, reason[0]), cast(Kind | None, kind[0])
    )


def normalise(raw: object, *, today: date | None = None) -> str:
    """The 12-digit form of a valid number; :class:`DataError` ``privacy.pnr.<reason>``
    otherwise (the message never contains the value).

    >>> normalise("121212+1212", today=date(2025, 1, 1))
    '191212121212'
    """
    check = validate(raw, today=today)
    if check.normalised is None:
        raise DataError(f"privacy.pnr.{check.reason}")
    return check.normalised


def validate_series(
    values: pd.Series | Iterable[object], *, today: date | None = None
) -> pd.DataFrame:
    """Check every row at once: a frame with the input's index and the columns
    ``normalised``, ``reason`` and ``kind`` (missing where not applicable).

    The date, century and check-digit rules run as array operations over all rows.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    raws = [v if isinstance(v, str) else "" for v in series.tolist()]
    normalised, reason, kind = _check_all(list(raws), today or date.today())
    return pd.DataFrame(
        {
            "normalised": pd.array(normalised, dtype="string"),
            "reason": pd.array(reason, dtype="string"),
            "kind": pd.array(kind, dtype="string"),
        },
        index=series.index,
    )


def normalise_series(
    values: pd.Series | Iterable[object], *, today: date | None = None, max_listed: int = 20
) -> pd.Series:
    """The normalised numbers, or one :class:`DataError` ``privacy.pnr.invalid_rows`` that
    lists every bad row (by index label and reason, never by value)."""
    checked = validate_series(values, today=today)
    bad = checked["reason"].notna()
    if bad.any():
        problems = [f"{label}: {why}" for label, why in checked.loc[bad, "reason"].items()]
        shown = "; ".join(problems[:max_listed]) + ("; …" if len(problems) > max_listed else "")
        raise DataError("privacy.pnr.invalid_rows", count=len(problems), rows=shown)
    return checked["normalised"].rename(None)
