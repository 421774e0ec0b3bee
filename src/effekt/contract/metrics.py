"""Outcome metrics: what is measured, when, against what, and what it is worth."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, field_validator

from effekt.contract.base import MAX_PERSONS, Share, Strict
from effekt.contract.quantity import Quantity

__all__ = ["Adjustments", "AvoidedCost", "Counterfactual", "Metric", "MetricKind"]

MetricKind = Literal["binary", "count", "duration", "continuous"]
Counterfactual = Literal[
    "none",
    "historical_baseline",
    "matched_comparison",
    "randomised",
    "difference_in_differences",
]


class AvoidedCost(Strict):
    """A public cost that one outcome avoids, referring to a row of a unit-cost table."""

    unit_cost: str = Field(
        description="Id of the row in a unit-cost table (valuation.unit_cost_tables)."
    )
    quantity: Quantity = Field(
        1.0,
        description="Units of that cost avoided per outcome and year (e.g. 0.25 placement-years).",
    )
    years: int = Field(1, ge=1, le=80, description="For how many years the cost is avoided.")
    start_year: int = Field(
        0, ge=0, le=80, description="Years after the outcome before the saving starts."
    )
    actor: str | None = Field(
        None, description="Who saves, if not the actor given in the unit-cost row."
    )


class Adjustments(Strict):
    """Adjustments from gross to net outcomes (HM Treasury Green Book / GMCA conventions)."""

    deadweight: Share = Field(
        0,
        description=(
            "Share of outcomes that would have happened anyway. Leave 0 when the "
            "counterfactual is a comparison group: it already removes deadweight."
        ),
    )
    attribution: Share = Field(
        0, description="Share of the outcome due to others than this intervention."
    )
    displacement: Share = Field(0, description="Share of the benefit that merely moves elsewhere.")
    drop_off: Share = Field(0, description="Share of the effect lost each year after the first.")
    optimism_bias: Share = Field(
        0, description="Reduction applied to benefits for appraisal optimism."
    )


class Metric(Strict):
    """One outcome the contract measures and may pay for."""

    id: str = Field(description="Id used by payment rules.", pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str | None = Field(None, description="Short name for tables.")
    definition: str = Field(description="Exactly what is measured, in words.")
    definition_sv: str | None = Field(
        None, description="The definition in Swedish, for sv reports."
    )
    definition_en: str | None = Field(
        None, description="The definition in English, for en reports."
    )

    @property
    def label(self) -> str:
        """How prose names the metric: its short name, else its id."""
        return self.name or self.id

    def definition_in(self, lang: str) -> str:
        """The definition in ``lang`` where the file gives one, else as written."""
        translated = self.definition_sv if lang == "sv" else self.definition_en
        return translated or self.definition

    kind: MetricKind = Field(
        "binary",
        description=(
            "binary: a participant achieves it or not; count: events per participant "
            "(e.g. reconvictions); duration: days per participant; continuous: a mean value."
        ),
    )
    unit: Literal["person", "event", "day", "share", "score"] = Field(
        "person", description="The unit an outcome is counted in."
    )
    direction: Literal["increase", "decrease"] = Field(
        "increase", description="Which way is better: more school attendance, fewer reconvictions."
    )
    population: Literal["referred", "engaged"] = Field(
        "referred",
        description="Measured for everyone referred (intention to treat) or only those who engaged.",
    )
    lag_periods: Quantity = Field(
        0, description="Periods after referral when the outcome can be measured."
    )
    data_source: str | None = Field(None, description="Register or system the data comes from.")
    counterfactual: Counterfactual = Field(
        "none", description="How the outcome without the intervention is estimated."
    )
    expected: Quantity = Field(
        description=(
            "Expected value per person in the population with the intervention: a share for "
            "binary, events per person for count, days for duration, a mean for continuous."
        )
    )
    baseline: Quantity | None = Field(
        None,
        description="The counterfactual value per person (same unit as expected), if known.",
    )
    comparison_ratio: float | None = Field(
        None,
        gt=0,
        description=(
            "Persons in the comparison group per person measured: randomised, the allocation "
            "ratio (2 for 2:1 control to treated); matched_comparison, the matches per "
            "participant (3 for 3:1 matching; Peterborough matched up to 10); "
            "difference_in_differences, the comparison group's size relative to the cohort's. "
            "Power, the smallest detectable effect and the standard error of a decision "
            "(lower_confidence_bound, significance) use it. Unset: 1:1, except that power "
            "takes a historical_baseline as known exactly (no sampling error). Give this or "
            "comparison_size, not both."
        ),
    )
    comparison_size: int | None = Field(
        None,
        ge=1,
        le=MAX_PERSONS,
        description=(
            "A fixed number of persons in the comparison group, whatever the cohort size: "
            "for a historical_baseline, the historical cohort the rate was measured on; for a "
            "trial, a control group of fixed size. The same group is the comparison for one "
            "cohort and for all cohorts pooled. Give this or comparison_ratio, not both."
        ),
    )
    dispersion: float | None = Field(
        None,
        gt=0,
        description=(
            "Person-level spread: the negative-binomial size k for counts, "
            "the standard deviation for continuous metrics."
        ),
    )
    avoided_costs: list[AvoidedCost] = Field(
        default_factory=list, description="Public costs one outcome avoids, by unit-cost row."
    )
    adjustments: Adjustments = Field(
        default_factory=Adjustments, description="Gross-to-net adjustments for valuation."
    )
    note: str | None = Field(None, description="Source or remark.")

    @field_validator("comparison_ratio", mode="before")
    @classmethod
    def _positive_ratio(cls, value: Any) -> Any:
        if value is not None and not _positive(value):
            raise ValueError("comparison_ratio_invalid")
        return value

    @field_validator("comparison_size", mode="before")
    @classmethod
    def _whole_size(cls, value: Any) -> Any:
        if value is not None and not (_positive(value) and float(value) == int(value)):
            raise ValueError("comparison_size_invalid")
        return value

    def comparison_persons(self, measured: float) -> float | None:
        """Persons in the comparison group for ``measured`` persons, as the file gives it:
        ``comparison_size``, else ``comparison_ratio × measured``; None when it gives
        neither, and each use keeps its own default (power: 1:1, a historical baseline
        known exactly; a decision's standard error: 1:1)."""
        if self.comparison_size is not None:
            return float(self.comparison_size)
        if self.comparison_ratio is not None:
            return self.comparison_ratio * measured
        return None


def _positive(value: Any) -> bool:
    """A finite number above 0 (not a boolean, not text such as "3:1")."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
