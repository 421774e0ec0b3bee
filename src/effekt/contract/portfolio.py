"""A portfolio (outcomes fund): many contracts with shared shocks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from effekt.contract.base import PERCENTAGE, Id, Strict

__all__ = ["Portfolio", "PortfolioEntry", "Shock"]


class PortfolioEntry(Strict):
    """One contract of the fund."""

    path: str = Field(description="Path to the contract file, relative to the portfolio file.")
    id: Id | None = Field(None, description="Id in the fund (default: the contract's id).")
    weight: Annotated[float, PERCENTAGE] = Field(
        1.0, gt=0, le=1, description="The fund's share of this contract's flows (at most 1)."
    )


class Shock(Strict):
    """A common factor (e.g. the labour market) that moves several contracts' inputs together."""

    id: Id = Field(description="Id of the shock.")
    loadings: dict[str, float] = Field(
        description=(
            'Correlation of the shock with contract inputs: "contract-id:distribution-id" → '
            "loading between −1 and 1."
        ),
        min_length=1,
    )


class Portfolio(Strict):
    """A portfolio file (``kind = "portfolio"``)."""

    format_version: Literal[1] = Field(description="Version of this file format; 1.")
    kind: Literal["portfolio"] = Field(description='Always "portfolio".')
    id: str = Field(description="A short id for the fund.", pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str | None = Field(None, description="The fund's name.")
    contracts: list[PortfolioEntry] = Field(description="The contracts.", min_length=1)
    shocks: list[Shock] = Field(default_factory=list, description="Shared shocks.")
