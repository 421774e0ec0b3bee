"""The decision on each rule of the evaluated metric (step 5 of
:mod:`effekt.services.evaluate`): the effect on the rule's measure scale, decided under the
contract's decision basis from the evaluation's own interval."""

from __future__ import annotations

import math
from typing import Any

from effekt.contract.model import Contract
from effekt.contract.rules import Gate, RateCard, SavingsShare, Threshold, Tiers
from effekt.services.evaluate_methods import MethodResult

__all__ = ["decide"]


def _measure_value(
    measure: str, r: MethodResult, direction: str, level_se: float
) -> tuple[float, float, float]:
    """(value, lower bound, upper bound) of the effect on a rule's measure scale."""
    e, b, tm = r.effect, r.control_mean, r.treated_mean
    sign = 1.0 if direction == "increase" else -1.0
    if measure == "level":
        z = (e.ci_high - e.estimate) / e.se if e.se > 0 else 1.96
        return tm, tm - z * level_se, tm + z * level_se
    lo, hi = sorted((sign * e.ci_low, sign * e.ci_high))
    value = sign * e.estimate
    if measure == "absolute_difference":
        return value, lo, hi
    if not b > 0:
        return math.nan, math.nan, math.nan
    if measure == "relative_reduction":  # (B - T)/B
        return -e.estimate / b, -e.ci_high / b, -e.ci_low / b
    return e.estimate / b, e.ci_low / b, e.ci_high / b  # relative_increase


def decide(
    contract: Contract, metric: str, r: MethodResult, level_se: float
) -> list[dict[str, Any]]:
    """The decision on every rule of ``metric`` under the contract's decision basis, from
    the evaluation's own interval (pooled across cohorts)."""
    out: list[dict[str, Any]] = []
    m = contract.metric(metric)
    alpha = 1 - contract.payment.confidence
    for k, rule in enumerate(contract.rules):
        if getattr(rule, "metric", None) != metric:
            continue
        basis = rule.decision_basis or contract.payment.decision_basis
        row: dict[str, Any] = {"rule": contract.rule_id(k), "kind": rule.kind, "basis": basis}
        if isinstance(rule, Threshold | Gate | Tiers):
            value, low, high = _measure_value(rule.measure, r, m.direction, level_se)
            decided = low if basis == "lower_confidence_bound" else value
            significant = (r.effect.p_value is not None and r.effect.p_value < alpha) or low > 0
            cond = significant if basis == "significance_and_point_estimate" else True
            row.update(
                measure=rule.measure,
                scope=rule.scope,
                # decided per cohort by the settlement: the pooled value only informs
                per_cohort=rule.scope == "cohort" and len(contract.cohorts) > 1,
                value=value,
                ci_low=low,
                ci_high=high,
                decided_on=decided,
            )
            if isinstance(rule, Tiers):
                reached = [
                    t.from_effect for t in rule.tiers if cond and decided >= t.from_effect - 1e-12
                ]
                row.update(
                    threshold=rule.tiers[0].from_effect,
                    met=bool(reached),
                    band=len(reached) - 1 if reached else None,
                )
            else:
                row.update(
                    threshold=rule.threshold, met=bool(cond and decided >= rule.threshold - 1e-12)
                )
        elif isinstance(rule, RateCard | SavingsShare):
            gain = (r.treated_mean - r.control_mean) * (1 if m.direction == "increase" else -1)
            above = isinstance(rule, SavingsShare) or rule.above_baseline
            row.update(per_person=max(gain, 0.0) if above else r.treated_mean, above_baseline=above)
        out.append(row)
    return out
