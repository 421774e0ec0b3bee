"""Shared pieces of the contract models: the strict base class and small types."""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AMOUNT",
    "MAX_AMOUNT",
    "MAX_PERSONS",
    "PERCENTAGE",
    "Amount",
    "Id",
    "Money",
    "Percentage",
    "Period",
    "Rate",
    "Share",
    "Strict",
]


class Strict(BaseModel):
    """Every contract table refuses unknown keys, so typos are reported, not ignored,
    and infinite or NaN numbers, which no term of a contract can be.

    Numbers are numbers: text is never read as one (``"20"``, ``"450 000"``: the checker
    says how to write it), nor true or false as 1 or 0, nor text or a number as true or
    false. A whole number fills a field of decimals, and a decimal number that is whole
    (``3.0``) a field of whole numbers. A date may be text (JSON has no dates): such a
    field says ``strict=False``.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False, strict=True
    )

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers(cls, data: Any) -> Any:
        """``3.0`` as ``3`` where a whole number is due (strict mode refuses any float)."""
        if not isinstance(data, dict):
            return data
        whole = _whole_number_keys(cls)
        return {
            k: int(v) if k in whole and isinstance(v, float) and v.is_integer() else v
            for k, v in data.items()
        }


@functools.cache
def _whole_number_keys(model: type[BaseModel]) -> frozenset[str]:
    """The keys (names and aliases) of ``model``'s fields that are whole numbers (or None)."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        if _is_int(field.annotation):
            keys.update(k for k in (name, field.alias) if k)
    return frozenset(keys)


def _is_int(tp: Any) -> bool:
    """Whether ``tp`` is ``int``, or ``int | None``, under any Annotated."""
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        return len(members) == 1 and _is_int(members[0])
    return tp is int


@dataclass(frozen=True)
class Percentage:
    """Marks a number that people say in percent and the file writes as a decimal: a share
    or a rate (0.05 for 5 %). A message about such a field says so; about others, not."""


PERCENTAGE = Percentage()

#: The largest amount of money a contract can hold, in its currency: a thousand billion
#: (10^15). No social outcomes contract comes near it; beyond it the business case's sums
#: and discounted values lose their meaning (and overflow, for amounts such as 1e300).
MAX_AMOUNT = 1e15


@dataclass(frozen=True)
class Amount:
    """Marks an amount of money in the contract's currency, at most ``MAX_AMOUNT``: a
    ``Money`` field, or a number-or-distribution that is a price or a cost."""


AMOUNT = Amount()

#: The most persons a contract can count in one figure (a cohort, a comparison group, those
#: eligible in a year): a billion. Beyond it a count means nothing and the sums overflow.
MAX_PERSONS = 1_000_000_000

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_\-]*$",
        max_length=64,
        description="A short id: a-z, 0-9, _ and -.",
    ),
]
Money = Annotated[
    float,
    Field(ge=0, le=MAX_AMOUNT, description="An amount in the contract's currency units."),
    AMOUNT,
]
Share = Annotated[float, Field(ge=0, le=1, description="A share between 0 and 1."), PERCENTAGE]
Rate = Annotated[
    float, Field(gt=-1, le=10, description="An annual rate, e.g. 0.035 for 3.5 %."), PERCENTAGE
]
Period = Annotated[
    int, Field(ge=1, description="A period number, 1 = the first period of the term.")
]
