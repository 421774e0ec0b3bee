"""The evidence behind the intervention: the studies a commissioner relies on (``[[evidence]]``).

Each study says how it was designed, what it found and, where it gives numbers, its effect
with a confidence interval, so the förstudie can set the contract's expected effect against
it. The design names follow the INDIGO data standard's outcome validation methods where it
has one (randomised control trial, quasi-experimental study, pre-post analysis).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from effekt.contract.base import Strict

__all__ = ["COUNTERFACTUAL_DESIGNS", "EffectMeasure", "Finding", "Study", "StudyDesign"]

StudyDesign = Literal[
    "systematic_review",
    "rct",
    "quasi_experimental",
    "pre_post",
    "observational",
    "expert_opinion",
]
#: Designs that compare with a counterfactual: what they report can be an effect.
COUNTERFACTUAL_DESIGNS: frozenset[str] = frozenset(
    {"systematic_review", "rct", "quasi_experimental"}
)
EffectMeasure = Literal[
    "absolute_difference", "odds_ratio", "relative_risk", "standardised_mean_difference"
]
Finding = Literal["effect", "no_effect", "harm"]


class Study(Strict):
    """One study behind the intervention: its design, size and what it found."""

    citation: str = Field(
        description="Authors, year, title and journal or publisher: enough to find it."
    )
    design: StudyDesign = Field(
        description=(
            "systematic_review (of controlled studies), rct (randomised controlled trial), "
            "quasi_experimental (a comparison group without randomisation: matching, "
            "difference-in-differences), pre_post (the same people before and after: change, "
            "not an effect), observational (no comparison), expert_opinion."
        )
    )
    year: int | None = Field(None, ge=1900, le=2200, description="Year of publication.")
    country: str | None = Field(
        None, description="Where the study was done, e.g. Denmark (several: name them all)."
    )
    n: int | None = Field(None, ge=1, description="Participants (or families) in the study.")
    metric: str | None = Field(
        None,
        description=(
            "Id of the contract metric whose outcome the study measured (or comes closest "
            "to); the förstudie compares the contract's expected effect on it with the study's."
        ),
    )
    outcome: str | None = Field(
        None, description="What the study measured, in its own words (e.g. regular attenders)."
    )
    effect_measure: EffectMeasure | None = Field(
        None,
        description=(
            "How effect and its interval are stated, always treated against comparison: "
            "absolute_difference (treated − comparison, in the metric's unit: a share for a "
            "binary metric), odds_ratio, relative_risk (or a rate ratio for counts), "
            "standardised_mean_difference (Cohen's d or Hedges' g)."
        ),
    )
    effect: float | None = Field(
        None,
        description=(
            "The study's point estimate in effect_measure; its sign or side of 1 follows "
            "the outcome (more or less of it), not better or worse. Leave it out when the "
            "study gives no number, and say so in note."
        ),
    )
    ci_low: float | None = Field(
        None, description="Lower bound of the effect's 95 % confidence interval."
    )
    ci_high: float | None = Field(
        None, description="Upper bound of the effect's 95 % confidence interval."
    )
    finding: Finding | None = Field(
        None,
        description=(
            "What the authors concluded for this outcome when the file gives no confidence "
            "interval: effect (a significant improvement), no_effect (no significant "
            "difference), harm (a significant worsening). With an interval, the interval "
            "decides."
        ),
    )
    url: str | None = Field(None, description="Where the study (or its abstract) can be read.")
    note: str | None = Field(None, description="Source of each figure, caveats, what is missing.")
