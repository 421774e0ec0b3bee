"""A mapping's ``date_format``: a strftime pattern, read by effekt itself, never by the locale.

A pattern holds the year (``%Y``, or ``%y`` for two digits), the month (``%m``, or ``%b`` or
``%B`` for its name) and the day (``%d``) once each, a time (``%H``, ``%M``, ``%S``) if need
be, and ``%%`` for a percent sign; :func:`date_format_fault` says what is wrong with any
other (:func:`date_format_ok`: nothing).

:func:`read_by` reads text by a pattern. Python's ``strptime`` (and pandas after it) takes
month names from the process's ``LC_TIME``: English under the C locale, and no English name
once a host program has switched to Swedish. effekt names the months itself, in Swedish and
English alike, so a file is read the same on every machine: ``%b`` and ``%B`` both take a
full or a short name (``mars``, ``mar``, ``March``, ``okt.``, ``sept``), in any case, with an
optional dot after it. The parts of such a date are put together as ``YYYYMMDDHHMMSS`` and
only that goes to pandas, which says whether the day exists; a pattern of numbers only
goes to pandas as it is (its numbers do not depend on the locale, and it is faster).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["MONTHS", "Fault", "date_format_fault", "date_format_ok", "example_of", "read_by"]

_NAMES = (
    "januari februari mars april maj juni juli augusti september oktober november december",
    "january february march april may june july august september october november december",
    "jan feb mar apr maj jun jul aug sep okt nov dec",
    "jan feb mar apr may jun jul aug sep oct nov dec",
)
#: Each month name effekt reads, Swedish and English, full and short, in lower case → its
#: number (no name means two months: the languages agree where they share one).
MONTHS: dict[str, int] = {
    name: number for names in _NAMES for number, name in enumerate(names.split(), start=1)
} | {"sept": 9}
_MONTH = "(?i:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
#: The directives a date_format may hold, each with what it matches.
_DIRECTIVES: dict[str, str] = {
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "m": r"\d{1,2}",
    "b": _MONTH,
    "B": _MONTH,
    "d": r"\d{1,2}",
    "H": r"\d{1,2}",
    "M": r"\d{2}",
    "S": r"\d{2}",
}
#: The parts of a date and time, each given at most once; the first three are needed.
_PARTS = ("Yy", "mbB", "d", "H", "M", "S")
_NEEDED = {"year": "Yy", "month": "mbB", "day": "d"}
_MISSING = {
    ("year",): "mapping.date_format.no_year",
    ("month",): "mapping.date_format.no_month",
    ("day",): "mapping.date_format.no_day",
    ("year", "month"): "mapping.date_format.no_year_month",
    ("year", "day"): "mapping.date_format.no_year_day",
    ("month", "day"): "mapping.date_format.no_month_day",
}
_NUMBERS = frozenset("YymdHMS")
_TOKEN = re.compile(r"%.?|[^%]", re.DOTALL)
#: A date form written with letters, as spreadsheets write it: dd/mm/yyyy, ÅÅÅÅ-MM-DD.
_LETTERS = re.compile(r"(?i)(?P<Y>[yå]{4})|(?P<y>[yå]{2})|(?P<m>m{1,2})|(?P<d>d{1,2})")
#: 1 March 2027 at 13:45, as a pattern writes it (for a pattern with the month as a number).
_EXAMPLE = {"Y": "2027", "y": "27", "m": "03", "d": "01", "H": "13", "M": "45", "S": "00"}
#: Each part of a date read by a pattern, as pandas is given it.
_STAMP = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class Fault:
    """Why a date_format cannot be used: a message ``code`` and its ``params``, and the
    pattern ``meant`` where it can be told (``dd/mm/yyyy``: ``%d/%m/%Y``), else empty."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    meant: str = ""


def date_format_fault(pattern: str) -> Fault | None:
    """What is wrong with ``pattern`` as a date_format, the first thing of: empty, a ``%``
    without a letter, no directive, a directive effekt does not read, a part given twice,
    a time without a date, a part missing. None: effekt reads dates by it.

    >>> date_format_fault("%d/%m/%Y %H:%M") is None
    True
    >>> date_format_fault("%d/%m").code, date_format_fault("dd/mm/yyyy").meant
    ('mapping.date_format.no_year', '%d/%m/%Y')
    """
    if not pattern.strip():
        return Fault("mapping.date_format.empty")
    tokens = _TOKEN.findall(pattern)
    said = {"pattern": pattern}
    if "%" in tokens:  # a percent sign at the end, without a directive
        return Fault("mapping.date_format.lone_percent", said)
    directives = [t[1] for t in tokens if t.startswith("%") and t != "%%"]
    if not directives:
        return Fault("mapping.date_format.no_directive", said, _from_letters(pattern))
    unknown = [f"%{d}" for d in directives if d not in _DIRECTIVES]
    if unknown:
        return Fault(
            "mapping.date_format.unknown",
            said | {"directives": ", ".join(unknown)},
        )
    for part in _PARTS:
        given = [f"%{d}" for d in directives if d in part]
        if len(given) > 1:
            return Fault("mapping.date_format.twice", said | {"directives": ", ".join(given)})
    missing = tuple(name for name, part in _NEEDED.items() if not set(part) & set(directives))
    if len(missing) == len(_NEEDED):
        return Fault("mapping.date_format.time_only", said)
    if missing == ("month",) and "M" in directives and "H" not in directives:
        meant = "".join("%m" if t == "%M" else t for t in tokens)
        return Fault("mapping.date_format.minute_for_month", said, meant)
    if missing:
        return Fault(_MISSING[missing], said)
    return None


def date_format_ok(pattern: str) -> bool:
    """Whether effekt reads dates by ``pattern`` (:func:`date_format_fault` finds nothing).

    >>> date_format_ok("%d/%m/%Y"), date_format_ok("%d.%m.%y %H:%M"), date_format_ok("%Y%m%d")
    (True, True, True)
    >>> date_format_ok("%d/%m"), date_format_ok("%j/%Y"), date_format_ok("%d/%m/%Y/%Y")
    (False, False, False)
    """
    return date_format_fault(pattern) is None


def _from_letters(pattern: str) -> str:
    """The date_format a form written with letters means (``DD.MM.ÅÅÅÅ``: ``%d.%m.%Y``), or
    empty when it has other letters (an ``hh:mm``, where ``mm`` is the minute)."""
    meant = _LETTERS.sub(lambda found: f"%{found.lastgroup}", pattern)
    if "%" in pattern or meant == pattern or any(c.isalpha() for c in re.sub("%.", "", meant)):
        return ""  # a percent sign already, no letters of a date, or other letters too
    return meant if date_format_ok(meant) else ""


def _shape(pattern: str) -> re.Pattern[str]:
    """What a value written by ``pattern`` looks like, each directive a group named by its
    letter; a day, month or hour next to another number has two digits, so that ``%d%m%Y``
    never reads ``1022027``. A month name may end in a dot."""
    tokens = _TOKEN.findall(pattern)
    number = [len(t) == 2 and t[0] == "%" and t[1] in _NUMBERS for t in tokens]
    parts: list[str] = []
    for i, token in enumerate(tokens):
        if token == "%%":
            parts.append("%")
        elif token.startswith("%"):
            beside = (i > 0 and number[i - 1]) or (i + 1 < len(tokens) and number[i + 1])
            body = _DIRECTIVES[token[1]]
            body = r"\d{2}" if beside and body == r"\d{1,2}" else body
            parts.append(f"(?P<{token[1]}>{body})" + (r"\.?" if body == _MONTH else ""))
        elif token.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


def _stamp(found: re.Match[str] | None) -> str | None:
    """A value's parts as ``YYYYMMDDHHMMSS``; ``%y`` is 2000–2068 for 00–68, else 19xx, as
    strptime has it. None: the value is not in the pattern's form."""
    if found is None:
        return None
    part = found.groupdict()
    two = int(part.get("y") or 0)
    year = int(part["Y"]) if part.get("Y") else (2000 if two < 69 else 1900) + two
    name = part.get("b") or part.get("B")
    month = MONTHS[name.lower()] if name else int(part["m"])
    time = "".join(f"{int(part.get(p) or 0):02d}" for p in "HMS")
    return f"{year:04d}{month:02d}{int(part['d']):02d}{time}"


def read_by(text: pd.Series, pattern: str) -> tuple[pd.Series, pd.Series]:
    """``text`` (strings, None where empty) read by ``pattern`` (one :func:`date_format_ok`
    takes): whether each value is in its form, and the datetimes (NaT where not, or where
    the day does not exist).

    >>> fits, dates = read_by(pd.Series(["15 okt. 2027", "30 feb 2027", "x"]), "%d %b %Y")
    >>> fits.tolist(), dates.dt.strftime("%Y-%m-%d").tolist()
    ([True, True, False], ['2027-10-15', nan, nan])
    """
    shape = _shape(pattern)
    if not {"%b", "%B"} & set(_TOKEN.findall(pattern)):  # numbers only: pandas reads them
        fits = text.map(lambda v: v is not None and bool(shape.fullmatch(v))).astype(bool)
        return fits, pd.to_datetime(text.where(fits), format=pattern, errors="coerce")
    # each distinct value once (a column holds a few thousand days at most); -1 is empty
    codes, distinct = pd.factorize(text)
    stamps = pd.Series([_stamp(shape.fullmatch(v)) for v in distinct] + [None], dtype=object)
    read = pd.to_datetime(stamps, format=_STAMP, errors="coerce")
    fits = pd.Series(stamps.notna().to_numpy()[codes], index=text.index)
    return fits, pd.Series(read.to_numpy()[codes], index=text.index)


def example_of(pattern: str) -> str:
    """1 March 2027 (at 13:45) as ``pattern`` writes it; the month as a number.

    >>> example_of("%d/%m/%Y"), example_of("%m%d%y %H:%M")
    ('01/03/2027', '030127 13:45')
    """
    return "".join(
        "%" if t == "%%" else _EXAMPLE.get(t[1], t) if t.startswith("%") else t
        for t in _TOKEN.findall(pattern)
    )
