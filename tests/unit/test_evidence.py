"""The studies behind the intervention against the contract's expected effect
(engine/evidence.py): effect sizes on the contract's scale, and the checklist status."""

from __future__ import annotations

import doctest
import math
from typing import Any

import pytest

import effekt.engine.evidence as evidence
from effekt.contract.evidence import Study
from effekt.contract.metrics import Metric
from effekt.contract.model import Contract
from effekt.engine.evidence import (
    assess_evidence,
    assess_study,
    odds_ratio_difference,
    relative_risk_difference,
    smd_difference,
)

SCHOOL = Metric(
    id="i_skolan",
    definition="attends school",
    counterfactual="randomised",
    expected=0.45,
    baseline=0.33,
)
RECONVICTIONS = Metric(
    id="reconvictions",
    definition="reconviction events",
    kind="count",
    direction="decrease",
    counterfactual="matched_comparison",
    expected=1.42,
    baseline=1.55,
    dispersion=1.2,
)


def study(**fields: Any) -> Study:
    return Study.model_validate({"citation": "A study", "design": "rct", **fields})


def contract(*studies: dict[str, Any], metric: Metric = SCHOOL) -> Contract:
    return Contract.model_validate(
        {
            "format_version": 1,
            "id": "c",
            "currency": "SEK",
            "start": "2027-01-01",
            "period": "year",
            "term_periods": 3,
            "parties": [{"id": "k", "role": "commissioner"}],
            "cohorts": [{"id": "c1", "start_period": 1, "size": 100}],
            "metrics": [metric.model_dump()],
            "rules": [{"kind": "rate_card", "metric": metric.id, "price": 1}],
            "evidence": [{"citation": "A study", "design": "rct", **s} for s in studies],
        }
    )


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(evidence).failed == 0


def test_an_odds_ratio_becomes_a_difference_at_the_contracts_baseline_by_hand() -> None:
    # Reissner et al.'s OR 1.05 at a 33 % baseline: p1 = 1.05·0.33 / (0.67 + 1.05·0.33)
    p1 = 0.3465 / (0.67 + 0.3465)
    assert odds_ratio_difference(1.05, 0.33) == pytest.approx(p1 - 0.33, abs=1e-12)
    assert odds_ratio_difference(1.05, 0.33) == pytest.approx(0.010876, abs=1e-6)
    # its interval 0.58–1.90: −10.8 to +15.3 percentage points
    assert odds_ratio_difference(0.58, 0.33) == pytest.approx(-0.107804, abs=1e-6)
    assert odds_ratio_difference(1.90, 0.33) == pytest.approx(0.153423, abs=1e-6)
    assert odds_ratio_difference(1.0, 0.33) == 0.0


def test_a_relative_risk_scales_the_baseline_and_a_share_stays_at_most_one() -> None:
    assert relative_risk_difference(0.9, 1.55, share=False) == pytest.approx(-0.155)
    assert relative_risk_difference(4.0, 0.33) == pytest.approx(1 - 0.33)


def test_a_standardised_mean_difference_uses_the_metrics_spread() -> None:
    # binary: Chinn's ln OR = d·π/√3
    d_or = math.exp(0.3 * math.pi / math.sqrt(3))
    assert smd_difference(0.3, 0.33, "binary", None) == pytest.approx(
        odds_ratio_difference(d_or, 0.33)
    )
    # counts: d·√(μ + μ²/k); continuous: d·sd; continuous without a spread: not convertible
    assert smd_difference(-0.2, 1.55, "count", 1.2) == pytest.approx(
        -0.2 * math.sqrt(1.55 + 1.55**2 / 1.2)
    )
    assert smd_difference(0.5, 100.0, "continuous", 15.0) == pytest.approx(7.5)
    assert smd_difference(0.5, 100.0, "continuous", None) is None


def test_no_recorded_study_is_partly_met() -> None:
    assessment = assess_evidence(contract())
    assert (assessment.status, assessment.reason) == ("partly", "none")
    assert assessment.studies == []


def test_only_pre_post_and_observational_studies_are_partly_met_even_with_large_changes() -> None:
    c = contract(
        {"design": "pre_post", "metric": "i_skolan", "finding": "effect"},
        {"design": "observational"},
    )
    a = assess_evidence(c)
    assert (a.status, a.reason) == ("partly", "uncontrolled") and a.controlled == []


def test_a_trial_showing_at_least_the_expected_effect_is_met() -> None:
    # +20 pp (95 % CI +10 to +30) against +12 pp expected
    c = contract(
        {
            "metric": "i_skolan",
            "effect_measure": "absolute_difference",
            "effect": 0.20,
            "ci_low": 0.10,
            "ci_high": 0.30,
        }
    )
    a = assess_evidence(c)
    assert (a.status, a.reason) == ("met", "shown")
    cmp = a.studies[0].comparison
    assert cmp is not None and a.studies[0].shows == "effect"
    assert cmp.expected_gain == pytest.approx(0.12)
    assert not cmp.includes_no_effect and not cmp.expects_more_than_point


def test_expecting_more_than_the_point_estimate_is_partly_met() -> None:
    c = contract(
        {
            "metric": "i_skolan",
            "effect_measure": "absolute_difference",
            "effect": 0.08,
            "ci_low": 0.02,
            "ci_high": 0.14,
        }
    )
    a = assess_evidence(c)
    cmp = a.studies[0].comparison
    assert cmp is not None and cmp.expects_more_than_point and not cmp.expects_more_than_upper
    assert (a.status, a.reason) == ("partly", "above_point")


def test_expecting_more_than_the_upper_bound_is_not_met() -> None:
    # OR 1.2 (1.05–1.4) at 33 %: at most +7.8 pp, and the contract expects +12
    c = contract(
        {
            "metric": "i_skolan",
            "effect_measure": "odds_ratio",
            "effect": 1.2,
            "ci_low": 1.05,
            "ci_high": 1.4,
        }
    )
    a = assess_evidence(c)
    cmp = a.studies[0].comparison
    assert cmp is not None and cmp.high == pytest.approx(odds_ratio_difference(1.4, 0.33))
    assert cmp.expects_more_than_upper and a.studies[0].shows == "effect"
    assert (a.status, a.reason) == ("not_met", "above_upper")


def test_an_interval_including_no_effect_is_partly_met() -> None:
    c = contract(
        {
            "metric": "i_skolan",
            "effect_measure": "odds_ratio",
            "effect": 1.05,
            "ci_low": 0.58,
            "ci_high": 1.90,
        }
    )
    a = assess_evidence(c)
    assert a.studies[0].shows == "no_effect"
    assert a.studies[0].comparison is not None and a.studies[0].comparison.includes_no_effect
    assert (a.status, a.reason) == ("partly", "no_effect")


def test_a_trial_finding_harm_is_not_met() -> None:
    a = assess_evidence(contract({"metric": "i_skolan", "finding": "harm"}))
    assert (a.status, a.reason) == ("not_met", "harm")


def test_an_interval_showing_an_effect_meets_the_item_when_there_is_no_baseline() -> None:
    # the contract states no effect over a counterfactual to compare; the trial shows one
    c = contract(
        {"metric": "i_skolan", "effect_measure": "odds_ratio", "effect": 2.0},
        metric=SCHOOL.model_copy(update={"baseline": None}),
    )
    assert assess_evidence(c).reason == "no_size"
    c = contract(
        {
            "metric": "i_skolan",
            "effect_measure": "odds_ratio",
            "effect": 2.0,
            "ci_low": 1.5,
            "ci_high": 2.6,
        },
        metric=SCHOOL.model_copy(update={"baseline": None}),
    )
    a = assess_evidence(c)
    assert a.studies[0].not_compared == "no_baseline" and a.studies[0].shows == "effect"
    assert (a.status, a.reason) == ("met", "shown")


def test_a_controlled_study_without_a_recorded_result_is_partly_met() -> None:
    a = assess_evidence(contract({"design": "systematic_review"}))
    assert (a.status, a.reason) == ("partly", "no_size")


@pytest.mark.parametrize(
    "fields",
    [
        {"design": "systematic_review", "metric": "i_skolan", "finding": "effect"},
        {"metric": "i_skolan", "effect_measure": "absolute_difference", "effect": 0.3},
    ],
    ids=["finding-without-numbers", "estimate-without-interval"],
)
def test_an_effect_without_an_interval_is_not_enough_to_meet_the_item(
    fields: dict[str, Any],
) -> None:
    a = assess_evidence(contract(fields))
    assert (a.status, a.reason) == ("partly", "no_size")


def test_for_a_metric_that_should_fall_a_rate_ratio_below_one_is_a_gain() -> None:
    # RR 0.85 (0.75–0.95) at 1.55 reconvictions: −0.23 (−0.39 to −0.08) events per person,
    # against −0.13 expected: the contract expects less than the evidence shows
    s = study(
        metric="reconvictions",
        effect_measure="relative_risk",
        effect=0.85,
        ci_low=0.75,
        ci_high=0.95,
    )
    a = assess_study(0, s, RECONVICTIONS)
    assert a.shows == "effect" and a.comparison is not None
    assert a.comparison.gain == pytest.approx(0.15 * 1.55)
    assert (a.comparison.low, a.comparison.high) == pytest.approx((0.05 * 1.55, 0.25 * 1.55))
    assert a.comparison.expected_gain == pytest.approx(0.13)
    assert not a.comparison.expects_more_than_point


@pytest.mark.parametrize(
    ("fields", "metric", "why"),
    [
        ({"effect_measure": "odds_ratio", "effect": 1.5}, SCHOOL, "no_metric"),
        ({"metric": "i_skolan", "finding": "effect"}, SCHOOL, "no_estimate"),
        (
            {"metric": "reconvictions", "effect_measure": "odds_ratio", "effect": 0.8},
            RECONVICTIONS,
            "not_convertible",
        ),
        (
            {"metric": "i_skolan", "effect_measure": "relative_risk", "effect": 1.2},
            SCHOOL.model_copy(update={"baseline": None}),
            "no_baseline",
        ),
    ],
)
def test_a_study_that_cannot_be_put_on_the_contracts_scale_says_why(
    fields: dict[str, Any], metric: Metric, why: str
) -> None:
    m = metric if fields.get("metric") else None
    a = assess_study(0, study(**fields), m)
    assert a.comparison is None and a.not_compared == why
