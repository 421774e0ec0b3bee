"""A value where a number is due, as the contract's problem: pydantic's errors on numbers
(``float_type``, ``int_type``, …) turned into the contract's number messages.

A number written as text (``"450 000 kr"``, ``"1,500"``) is told how to write it in the
file's own syntax, both ways where it can mean two numbers and without the word "quotes"
where it was written without any; a decimal where a whole number is due is told the whole
numbers either side that the field takes; any other value, that a number is needed (or,
for an uncertain input, a distribution such as …).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from effekt.contract.fields import accepts, takes_percentage
from effekt.contract.locate import PathKey
from effekt.contract.notation import Value, literal
from effekt.contract.written_numbers import WrittenNumber, read_number

if TYPE_CHECKING:
    from effekt.contract.load import Document

__all__ = ["number_problem"]


#: A value as the user writes it where a problem is (:meth:`Document.written`).
Write = Callable[[Value], str]


#: The problems of a number read as text, said of text written without quotes (YAML's
#: ``price: 450 000``, ``--scenario low=costs.setup=450 000``): nothing about quotes.
_UNQUOTED = {
    "contract.number_as_text": "contract.number_as_text_unquoted",
    "contract.number_as_text_ambiguous": "contract.number_as_text_ambiguous_unquoted",
    "contract.percent_as_text": "contract.percent_as_text_unquoted",
}


def _as_written(code: str, quoted: bool) -> str:
    """``code``, or its form for text written without quotes."""
    return code if quoted else _UNQUOTED[code]


def _number_as_text(
    found: WrittenNumber, fmt: str, write: Write, percentage: bool, quoted: bool
) -> tuple[str, dict[str, Any]]:
    """The problem with a number written as text: how to write it, in ``fmt``'s syntax
    (``write``); both ways where the text can mean two numbers (``1,500``). Only a share or
    a rate (``percentage``) turns a percentage into a decimal, and says that it does. Text
    written without quotes (not ``quoted``) is not told to drop them."""
    if found.percent and not percentage:
        return _as_written("contract.percent_as_text", quoted), {"written": found.text}
    writes = [write(reading.written(fmt)) for reading in found.readings]
    if len(writes) == 2:
        params = {"written": found.text, "thousands": writes[0], "decimal": writes[1]}
        return _as_written("contract.number_as_text_ambiguous", quoted), params
    hint: tuple[str, dict[str, Any]] | str = ""
    if percentage:  # the figure written, else 5 %
        percent, decimal = ("5", "0.05")
        if found.percent:
            percent, decimal = found.figure, str(found.readings[0].written(fmt))
        hint = ("contract.percentage_hint", {"percent": percent, "decimal": decimal})
    code = _as_written("contract.number_as_text", quoted)
    return code, {"written": found.text, "write": writes[0], "hint": hint}


def _whole_number_as_text(
    found: WrittenNumber, fmt: str, write: Write, takes: Callable[[int], bool], quoted: bool
) -> tuple[str, dict[str, Any]]:
    """The problem with a number written as text where a whole number is due: only its whole
    readings are offered (``"1,500"``: 1500, not 1.5), or, when it has none (``"3,5"``), the
    whole numbers nearest that the field ``takes``."""
    if found.percent:
        return _number_as_text(found, fmt, write, False, quoted)
    whole = [r for r in found.readings if r.value == r.value.to_integral_value()]
    if whole:
        return _number_as_text(replace(found, readings=tuple(whole)), fmt, write, False, quoted)
    nearest = _nearest_whole(float(found.readings[0].value), write, takes)
    return "contract.not_whole_as_text", {"written": found.text, "hint": nearest}


def _nearest_whole(
    value: float, write: Write, takes: Callable[[int], bool]
) -> tuple[str, dict[str, Any]] | str:
    """The clause ": write … or …" with the whole numbers either side of ``value`` that the
    field ``takes`` (one, or none when it takes neither)."""
    writes = [write(n) for n in (math.floor(value), math.ceil(value)) if takes(n)]
    if len(writes) == 2:
        return ("contract.write_either", {"first": writes[0], "second": writes[1]})
    return ("contract.write_one", {"example": writes[0]}) if writes else ""


def number_problem(
    err: ErrorDetails, path: PathKey, doc: Document, root: type[BaseModel]
) -> tuple[str, dict[str, Any]]:
    """The problem with a value where a number is due, from pydantic's ``float_type``,
    ``int_type`` (strict mode's for a decimal where a whole number is due) and the like:
    a number written as text and how to write it; a decimal where a whole number is due
    and the whole numbers nearest; else that a number is needed."""
    written = err.get("input")
    whole = err["type"].startswith("int")

    def write(value: Value) -> str:
        return doc.written(path, value)

    def takes(n: int) -> bool:
        return accepts(root, path, doc.data, n)

    if whole and isinstance(written, float) and not math.isfinite(written):
        return "contract.not_finite", {}
    if whole and isinstance(written, float):
        nearest = _nearest_whole(written, write, takes)
        return "contract.not_whole", {"written": literal(doc.fmt, written), "hint": nearest}
    percentage = takes_percentage(root, path, doc.data)
    found = read_number(written) if isinstance(written, str) else None
    if found is not None and whole:
        return _whole_number_as_text(found, doc.fmt, write, takes, doc.quoted(path))
    if found is not None:
        return _number_as_text(found, doc.fmt, write, percentage, doc.quoted(path))
    uncertain = err["loc"][-1:] == ("number",)  # a distribution too where the field takes one
    return "contract.not_a_number", {
        "hint": _distribution_hint(doc, path, percentage) if uncertain else ""
    }


#: An example of a distribution, for a share and for any other uncertain input.
_DISTRIBUTIONS: dict[bool, dict[str, Value]] = {
    True: {"dist": "beta", "mean": 0.4, "sd": 0.1},
    False: {"dist": "lognormal", "mean": 100, "sd": 20},
}


def _distribution_hint(doc: Document, path: PathKey, share: bool) -> tuple[str, dict[str, Any]]:
    """The clause "or a distribution such as …", its example as the user writes it."""
    return ("contract.or_distribution", {"example": doc.written_table(path, _DISTRIBUTIONS[share])})
