"""Shared pieces of the contract models: the strict base class and small types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Id", "Money", "Period", "Rate", "Share", "Strict"]


class Strict(BaseModel):
    """Every contract table refuses unknown keys, so typos are reported, not ignored,
    and infinite or NaN numbers, which no term of a contract can be."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_\-]*$",
        max_length=64,
        description="A short id: a-z, 0-9, _ and -.",
    ),
]
Money = Annotated[float, Field(ge=0, description="An amount in the contract's currency units.")]
Share = Annotated[float, Field(ge=0, le=1, description="A share between 0 and 1.")]
Rate = Annotated[float, Field(gt=-1, le=10, description="An annual rate, e.g. 0.035 for 3.5 %.")]
Period = Annotated[
    int, Field(ge=1, description="A period number, 1 = the first period of the term.")
]
