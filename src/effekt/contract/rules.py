"""Payment rules: how measured outcomes become payments.

Every rule is a table in ``[[rules]]`` with a ``kind``. Effects are measured per cohort or
across cohorts (``scope``) with ``measure``:

* ``relative_reduction`` — 1 − treated / baseline (fewer reconvictions: 0.10 = 10 %);
* ``relative_increase`` — treated / baseline − 1;
* ``absolute_difference`` — treated − baseline for increases, baseline − treated for decreases;
* ``level`` — the treated value itself, no counterfactual (e.g. share in school).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from effekt.contract.base import PERCENTAGE, Id, Money, Period, Share, Strict
from effekt.contract.quantity import AmountQuantity

__all__ = [
    "ActivityFee",
    "DecisionBasis",
    "Gate",
    "Indexation",
    "Measure",
    "PaymentTerms",
    "RateCard",
    "Rule",
    "SavingsShare",
    "Threshold",
    "Tier",
    "Tiers",
]

Measure = Literal["relative_reduction", "relative_increase", "absolute_difference", "level"]
Scope = Literal["cohort", "all_cohorts"]
DecisionBasis = Literal[
    "point_estimate", "lower_confidence_bound", "significance_and_point_estimate"
]


class _Rule(Strict):
    id: Id | None = Field(None, description="Id for gates, net_of and reports (default rules[i]).")
    cohorts: list[str] | None = Field(
        None, description="Cohort ids the rule applies to (default: all cohorts)."
    )
    payers: dict[str, Share] | None = Field(
        None,
        description="Payer shares for this rule only (party id → share); default the parties' payer_share.",
    )
    cap: Money | None = Field(None, description="The most this rule pays in total.")
    payment_lag_periods: int | None = Field(
        None,
        ge=0,
        description="Periods from measurement to payment (default payment.payment_lag_periods).",
    )
    decision_basis: DecisionBasis | None = Field(
        None, description="Overrides payment.decision_basis for this rule."
    )
    note: str | None = Field(None, description="Source or remark.")


class RateCard(_Rule):
    """A price for each outcome achieved, with a cap per participant."""

    kind: Literal["rate_card"] = Field(description='The kind of rule: "rate_card".')
    metric: str = Field(description="The metric paid for.")
    price: AmountQuantity = Field(description="Price per outcome (per person, event or day).")
    max_per_participant: float | None = Field(
        None, gt=0, description="The most outcomes paid for one participant (e.g. 1)."
    )
    above_baseline: bool = Field(
        False, description="Pay only for outcomes above the counterfactual baseline."
    )


class Threshold(_Rule):
    """A payment when the measured effect reaches a threshold."""

    kind: Literal["threshold"] = Field(description='The kind of rule: "threshold".')
    metric: str = Field(description="The metric whose effect is measured.")
    measure: Measure = Field("relative_reduction", description="How the effect is measured.")
    scope: Scope = Field("cohort", description="Per cohort, or pooled across cohorts.")
    threshold: Annotated[float, PERCENTAGE] = Field(
        description="The effect that triggers payment, e.g. 0.10."
    )
    amount: Money = Field(0, description="A fixed sum paid when the threshold is met.")
    price: AmountQuantity = Field(
        0,
        description=(
            "Paid per outcome gained over the baseline when the threshold is met "
            "(e.g. per reconviction event avoided)."
        ),
    )
    net_of: list[str] = Field(
        default_factory=list,
        description="Ids of rules whose payments for the same cohorts are deducted (final vs early payment).",
    )


class Tier(Strict):
    """One band of a stepped payment: from this effect upwards."""

    from_effect: Annotated[float, PERCENTAGE] = Field(
        description="Lower edge of the band (inclusive)."
    )
    amount: Money = Field(0, description="Fixed sum for reaching this band.")
    price: AmountQuantity = Field(
        0, description="Price per outcome gained over the baseline in this band."
    )


class Tiers(_Rule):
    """Stepped payments: the highest band reached is paid."""

    kind: Literal["tiers"] = Field(description='The kind of rule: "tiers".')
    metric: str = Field(description="The metric whose effect is measured.")
    measure: Measure = Field("relative_reduction", description="How the effect is measured.")
    scope: Scope = Field("cohort", description="Per cohort, or pooled across cohorts.")
    tiers: list[Tier] = Field(description="Bands in ascending order of from_effect.", min_length=1)


class SavingsShare(_Rule):
    """A share of the measured avoided cost is paid."""

    kind: Literal["savings_share"] = Field(description='The kind of rule: "savings_share".')
    metric: str = Field(description="The metric whose improvement saves money.")
    share: Share = Field(description="Share of the measured saving that is paid.")
    saving_per_outcome: AmountQuantity = Field(
        description="Cost avoided per outcome gained over the baseline (in the contract currency)."
    )


class Gate(_Rule):
    """An outcome that must be met before other rules pay."""

    kind: Literal["gate"] = Field(description='The kind of rule: "gate".')
    metric: str = Field(description="The metric that must be met.")
    measure: Measure = Field("level", description="How the effect is measured.")
    scope: Scope = Field("all_cohorts", description="Per cohort, or pooled across cohorts.")
    threshold: Annotated[float, PERCENTAGE] = Field(description="The effect that opens the gate.")
    applies_to: list[str] = Field(
        description="Ids of the rules that pay only if the gate is met.", min_length=1
    )


class ActivityFee(_Rule):
    """A fixed part paid regardless of outcomes."""

    kind: Literal["activity_fee"] = Field(description='The kind of rule: "activity_fee".')
    per_participant: Money = Field(0, description="Paid for each participant who engages.")
    per_period: Money = Field(0, description="Paid each period from from_period to to_period.")
    from_period: Period = Field(1, description="First period of per_period payments.")
    to_period: Period | None = Field(
        None, description="Last period of per_period payments (default: term)."
    )


Rule = Annotated[
    RateCard | Threshold | Tiers | SavingsShare | Gate | ActivityFee,
    Field(discriminator="kind"),
]


class Indexation(Strict):
    """Prices rise with a price index from ``base_year``."""

    series: Literal["se_kpi", "uk_cpih", "uk_gdp_deflator", "fixed"] = Field(
        description="The index series, or fixed for a constant annual rate."
    )
    base_year: int = Field(ge=1900, le=2200, description="The year the prices in the file are in.")
    rate: Annotated[float, PERCENTAGE] | None = Field(
        None,
        ge=-0.5,
        le=1,
        description="Annual rate for fixed, and for years beyond the last published index value.",
    )


class PaymentTerms(Strict):
    """Terms shared by all rules."""

    cap: Money | None = Field(
        None, description="The most all outcome payments add up to (utfallstak)."
    )
    decision_basis: DecisionBasis = Field(
        "point_estimate",
        description="Pay on the point estimate, the lower confidence bound, or significance plus point estimate.",
    )
    confidence: Annotated[float, PERCENTAGE] = Field(
        0.95, gt=0.5, lt=1, description="Confidence level for the decision basis."
    )
    payment_lag_periods: int = Field(1, ge=0, description="Periods from measurement to payment.")
    indexation: Indexation | None = Field(None, description="Index prices by a price index.")
