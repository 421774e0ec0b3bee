"""Who is in the contract, and in what role."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from effekt.contract.base import Id, Money, Rate, Share, Strict

__all__ = ["PAYING_ROLES", "RISKING_ROLES", "Party", "Role"]

Role = Literal[
    "commissioner",
    "outcome_fund",
    "grant_funder",
    "investor",
    "provider",
    "intermediary",
    "evaluator",
    "guarantor",
]

#: Roles that pay for outcomes; their payer shares must sum to 1.
PAYING_ROLES: frozenset[str] = frozenset({"commissioner", "outcome_fund"})

#: Roles that put money at risk: a return (IRR, money multiple) can describe them (when
#: they pay before they receive: engine.finance.party_returns). Payers, fee takers and the
#: deal's accounts have none: null in the JSON with the reason "no_money_at_risk".
RISKING_ROLES: frozenset[str] = frozenset({"investor", "provider", "grant_funder", "guarantor"})


class Party(Strict):
    """A party to the contract in one role (the same organisation may appear twice)."""

    id: Id = Field(description="Id used to refer to the party elsewhere in the file.")
    name: str | None = Field(None, description="The organisation's name.")
    role: Role = Field(
        description=(
            "commissioner (beställare, pays for outcomes), outcome_fund (top-up outcome payer), "
            "grant_funder, investor, provider (utförare), intermediary, evaluator, guarantor."
        )
    )
    payer_share: Share | None = Field(
        None,
        description=(
            "For commissioners and outcome funds: the share of every outcome payment this "
            "party pays (co-commissioning). Shares of all paying parties sum to 1."
        ),
    )
    actor: str | None = Field(
        None,
        description=(
            "The public actor this party is in the valuation's actor hierarchy "
            "(an id of data/actors.toml for the contract's country, e.g. kommun, region, "
            "forsakringskassan), so its savings and payments can be shown."
        ),
    )
    discount_rate: Rate | None = Field(
        None, description="Annual rate this party discounts its cash flows at (NPV)."
    )
    budget_year_start_month: int = Field(
        1,
        ge=1,
        le=12,
        description="First month of the party's budget year (1 = January; 4 = UK April).",
    )
    opening_balance: Money = Field(
        0, description="Provider: cash at hand at the start, for the cash-gap analysis."
    )
    credit_line: Money = Field(0, description="Provider: credit available before a cash gap opens.")
    note: str | None = Field(None, description="Source or remark.")
