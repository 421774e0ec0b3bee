"""Can the contract's thresholds be detected at its cohort sizes? (power and MDE)

For each threshold, tier edge or gate measured against a counterfactual, the minimum
detectable effect (80 % power, 5 % two-sided) at the expected number of persons measured —
one cohort for ``scope = "cohort"``, all cohorts pooled otherwise — in the rule's own
measure, against the metric's comparison group (``comparison_ratio`` or ``comparison_size``;
unset, 1:1, and a historical baseline known exactly). ``effekt check`` warns where the
threshold lies below it; the feasibility study compares the expected effect with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from effekt.contract.explain import effect_text
from effekt.contract.load import Document
from effekt.contract.metrics import Metric
from effekt.contract.model import Contract
from effekt.contract.problems import Problem
from effekt.contract.quantity import expected
from effekt.contract.rules import Gate, Threshold, Tiers
from effekt.engine.power import mde_means, mde_proportions, mde_rate

__all__ = ["DesignPower", "comparison_size", "design_power", "metric_mde", "power_warnings"]

POWER = 0.8
ALPHA = 0.05


@dataclass(frozen=True)
class DesignPower:
    rule: str
    index: int
    metric: str
    measure: str
    threshold: float
    n: float
    mde: float  # in the rule's measure; nan when nothing is detectable
    expected_effect: float

    @property
    def detectable(self) -> bool:
        return math.isfinite(self.mde) and self.mde <= self.threshold + 1e-12


def comparison_size(m: Metric, n: float) -> float:
    """Persons in the comparison group for ``n`` measured: the metric's ``comparison_size``
    or ``comparison_ratio``; unset, as many as measured (1:1), and a historical baseline
    known exactly (``math.inf``: no sampling error)."""
    given = m.comparison_persons(n)
    if given is not None:
        return given
    return math.inf if m.counterfactual == "historical_baseline" else n


def metric_mde(m: Metric, n: float, measure: str) -> float:
    """The minimum detectable effect of metric ``m`` for ``n`` persons, in ``measure``'s units,
    against the metric's comparison group (:func:`comparison_size`)."""
    base = expected(m.baseline) if m.baseline is not None else expected(m.expected)
    if n <= 0:
        return math.nan
    n_c = comparison_size(m, n)
    if m.kind == "binary":
        diff = abs(
            float(mde_proportions(base, n, n_c, alpha=ALPHA, power=POWER, direction=m.direction))
        )
        if measure in ("relative_reduction", "relative_increase"):
            return diff / base if base > 0 else math.nan
        return diff
    if m.kind in ("count", "duration"):
        alpha_nb = 1.0 / m.dispersion if m.dispersion else 0.0
        rel = float(mde_rate(base, n, n_c, dispersion=alpha_nb, alpha=ALPHA, power=POWER))
        return rel if measure in ("relative_reduction", "relative_increase") else rel * base
    sd = m.dispersion
    if not sd:
        return math.nan
    diff = float(mde_means(sd, n, n_c, alpha=ALPHA, power=POWER))
    return (
        diff / base if measure in ("relative_reduction", "relative_increase") and base > 0 else diff
    )


def _persons(c: Contract, m: Metric, cohorts: list[str] | None, scope: str) -> float:
    sizes = []
    for co in c.cohorts:
        if cohorts is not None and co.id not in cohorts:
            continue
        n = expected(co.size) * (expected(co.engagement) if m.population == "engaged" else 1.0)
        sizes.append(n)
    if not sizes:
        return 0.0
    return min(sizes) if scope == "cohort" else sum(sizes)


def _expected_effect(m: Metric, measure: str) -> float:
    t = expected(m.expected)
    b = expected(m.baseline) if m.baseline is not None else t
    if measure == "relative_reduction":
        return 1 - t / b if b else 0.0
    if measure == "relative_increase":
        return t / b - 1 if b else 0.0
    if measure == "absolute_difference":
        return t - b if m.direction == "increase" else b - t
    return t


def design_power(c: Contract) -> list[DesignPower]:
    """The MDE of every rule that decides on an effect against a counterfactual."""
    out = []
    for k, r in enumerate(c.rules):
        if not isinstance(r, Threshold | Tiers | Gate) or r.measure == "level":
            continue
        m = c.metric(r.metric)
        if m.counterfactual == "none":
            continue
        threshold = r.tiers[0].from_effect if isinstance(r, Tiers) else r.threshold
        if threshold <= 0:
            continue
        n = _persons(c, m, r.cohorts, r.scope)
        out.append(
            DesignPower(
                c.rule_id(k),
                k,
                m.id,
                r.measure,
                threshold,
                n,
                metric_mde(m, n, r.measure),
                _expected_effect(m, r.measure),
            )
        )
    return out


def power_warnings(c: Contract, doc: Document | None = None, lang: str = "en") -> list[Problem]:
    """Warnings (code ``contract.threshold_undetectable``) for thresholds below the MDE."""
    problems = []
    for d in design_power(c):
        if d.detectable:
            continue
        field = "tiers" if isinstance(c.rules[d.index], Tiers) else "threshold"
        path: tuple[str | int, ...] = ("rules", d.index, field)
        kind = c.metric(d.metric).kind  # the unit: a difference of shares in points
        mde = effect_text(d.measure, d.mde, kind, lang) if math.isfinite(d.mde) else "—"
        threshold = effect_text(d.measure, d.threshold, kind, lang)
        params = {"threshold": threshold, "power": 80, "mde": mde}
        if doc is not None:
            problems.append(
                doc.problem(path, "contract.threshold_undetectable", "warning", **params)
            )
        else:
            problems.append(
                Problem(
                    f"rules[{d.index}].{field}",
                    None,
                    "warning",
                    "contract.threshold_undetectable",
                    params,
                )
            )
    return problems
