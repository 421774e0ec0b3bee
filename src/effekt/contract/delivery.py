"""The target population, cohorts and referrals, and what the intervention costs."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from effekt.contract.base import PERCENTAGE, Id, Period, Share, Strict
from effekt.contract.quantity import AmountQuantity, PersonsQuantity, Quantity

__all__ = ["Cohort", "Costs", "Population"]


class Population(Strict):
    """Who the contract is for."""

    description: str = Field(description="The target group in words.")
    eligibility: list[str] = Field(
        default_factory=list, description="Eligibility rules, one sentence each."
    )
    eligible_per_year: PersonsQuantity | None = Field(
        None, description="How many eligible persons there are per year in the area."
    )
    age_min: int | None = Field(None, ge=0, le=120, description="Youngest eligible age.")
    age_max: int | None = Field(None, ge=0, le=120, description="Oldest eligible age.")


class Cohort(Strict):
    """A group of participants referred over a few periods."""

    id: Id = Field(description="Id used by rules that apply to this cohort.")
    start_period: Period = Field(description="Period in which the first referrals arrive.")
    size: PersonsQuantity = Field(description="Participants referred to the cohort in total.")
    referral_periods: int = Field(
        1, ge=1, description="Referrals are spread evenly over this many periods."
    )
    referral_profile: list[Annotated[float, PERCENTAGE]] | None = Field(
        None,
        description=(
            "Share of the cohort referred in each period from start_period on "
            "(overrides the even spread; must sum to 1)."
        ),
    )
    engagement: Quantity = Field(
        1.0, description="Share of the referred who engage (enrol) in the intervention."
    )
    start_delay: Quantity = Field(
        0,
        description="Delay of the first referrals in periods (uncertain timing); rounded.",
    )


class Costs(Strict):
    """What delivering the intervention costs the provider."""

    setup: AmountQuantity = Field(0, description="One-off set-up cost, in the first period.")
    fixed_per_period: AmountQuantity = Field(
        0, description="Fixed cost per period from the first to the last delivery period."
    )
    per_participant: AmountQuantity = Field(
        0, description="Cost per enrolled participant, spread over delivery_periods."
    )
    delivery_periods: int = Field(
        4, ge=1, description="How many periods a participant receives the intervention."
    )
    margin: Share = Field(
        0, description="Provider's margin on its costs in the service fee (share)."
    )
    note: str | None = Field(None, description="Source or remark.")
