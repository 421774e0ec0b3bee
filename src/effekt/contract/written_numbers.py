"""A number written as text, read for what it means, so a message can say how to write it.

A contract file's numbers are numbers (``price = 450_000``); one in quotes is refused. The
text is often a figure copied from a spreadsheet or a Swedish document, and this module
reads the common forms: digits grouped by spaces (also no-break and narrow no-break
spaces, as Swedish Excel writes them), by commas (English) or by points (German), a decimal
comma or point, a currency before or after (``450 000 kr``, ``SEK 450,000``, ``450:-``), a
sign (also the minus sign U+2212) and a percentage (``45 %``: 0.45).

A comma before exactly three digits (``1,500``) is a thousands separator in English and a
decimal comma in Swedish: both readings are kept, never one guessed. Text that is none of
these forms (``450 tkr``, ``lots``) is not read as a number at all.

>>> [r.written("toml") for r in read_number("1,500").readings]
['1_500', '1.5']
>>> read_number("450 000 kr").readings[0].written("json")
'450000'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from effekt.contract.notation import Number

__all__ = ["Reading", "WrittenNumber", "read_number"]

_SPACES = " \u00a0\u202f\u2009_"  # space, no-break, narrow no-break, thin space; TOML's _
_CURRENCY = r"(?:[A-Z]{3}|(?i:kr\.?|kronor|sek)|[€£$]|:-)"
_FORM = re.compile(
    rf"""
    (?P<sign1>[-+\u2212])?\s*(?:{_CURRENCY}\s*)?
    (?P<sign2>[-+\u2212])?\s*
    (?P<number>\d[\d{_SPACES},.]*|[.,]\d+)
    \s*(?:{_CURRENCY}|(?P<percent>%))?
    """,
    re.VERBOSE,
)
_GROUP = f"[{_SPACES}]"
#: (pattern of the digits, the thousands separator, the decimal sign), tried in order.
_UNAMBIGUOUS = [
    (rf"\d{{1,3}}(?:{_GROUP}\d{{3}})+(?:[.,]\d+)?", _GROUP, "[.,]"),
    (r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3},\d{3}\.\d+", ",", r"\."),
    (r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}\.\d{3},\d+", r"\.", ","),
    (r"\d*[.,]\d+|\d+", None, "[.,]"),
]
_AMBIGUOUS = re.compile(r"[1-9]\d{0,2},\d{3}")


@dataclass(frozen=True)
class Reading:
    """One number the text can mean: its sign, whole digits and decimals, and whether the
    text grouped its digits (then TOML groups them with ``_`` too)."""

    negative: bool
    whole: str
    decimals: str
    grouped: bool
    percent: bool = False

    @property
    def value(self) -> Decimal:
        """The number itself (a percentage as a share of 1: 45 % is 0.45)."""
        number = Decimal(f"{'-' if self.negative else ''}{self.whole}.{self.decimals or 0}")
        return number / 100 if self.percent else number

    def written(self, fmt: str) -> Number:
        """The number as a file of ``fmt`` writes it: ``450_000`` in TOML where the text
        grouped the digits, ``450000`` in JSON and YAML; no trailing zeros."""
        if self.percent:
            return Number(format(self.value.normalize(), "f"))
        whole = self.whole.lstrip("0") or "0"
        if self.grouped and fmt == "toml":
            whole = f"{int(whole):_}"
        decimals = self.decimals.rstrip("0")
        sign = "-" if self.negative and (whole.strip("0_") or decimals) else ""
        return Number(sign + whole + (f".{decimals}" if decimals else ""))


@dataclass(frozen=True)
class WrittenNumber:
    """What a text means as a number: one reading, or two when it can mean either (the
    thousands reading first, then the decimal one)."""

    text: str
    readings: tuple[Reading, ...]
    percent: bool

    @property
    def figure(self) -> str:
        """The figure as written, with its sign, without currency or %: ``7,5`` of
        ``"7,5 %"``, ``-5`` of ``"−5 %"``."""
        m = _FORM.fullmatch(self.text.strip())
        number = m.group("number").strip(_SPACES) if m else self.text.strip()
        return ("-" if self.readings[0].negative else "") + number


def read_number(text: str) -> WrittenNumber | None:
    """What ``text`` means as a number, or None when it is no number in a known form."""
    m = _FORM.fullmatch(text.strip())
    if m is None or (m.group("sign1") and m.group("sign2")):
        return None
    negative = (m.group("sign1") or m.group("sign2") or "") in ("-", "\u2212")
    digits = m.group("number").strip(_SPACES)
    percent = m.group("percent") is not None
    if _AMBIGUOUS.fullmatch(digits):
        whole, decimals = digits.split(",")
        readings = (
            Reading(negative, whole + decimals, "", True, percent),
            Reading(negative, whole, decimals, False, percent),
        )
        return WrittenNumber(text, readings, percent)
    for pattern, group, point in _UNAMBIGUOUS:
        if re.fullmatch(pattern, digits):
            return _one(text, digits, group, point, negative, percent)
    return None


def _one(
    text: str, digits: str, group: str | None, point: str, negative: bool, percent: bool
) -> WrittenNumber:
    """The one reading of ``digits``, grouped by ``group`` (a pattern, or None) with the
    decimal sign ``point`` (a pattern)."""
    m = re.fullmatch(rf"(.*?)(?:{point}(\d+))?", digits)
    whole, decimals = (m.group(1), m.group(2) or "") if m else (digits, "")
    if group is not None:
        whole = re.sub(group, "", whole)
    reading = Reading(negative, whole or "0", decimals, group is not None, percent)
    return WrittenNumber(text, (reading,), percent)
