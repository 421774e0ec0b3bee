"""The evidence behind the intervention against the effect the contract expects.

Each study that informs a metric is put on the contract's scale: its effect becomes an
absolute difference at the contract's baseline ``p0`` (the metric's ``baseline``)::

    odds ratio      p1 = OR·p0 / (1 − p0 + OR·p0)           (binary metrics)
    relative risk   p1 = RR·p0                              (a rate ratio for counts)
    SMD d           binary: ln OR = d·π/√3 (Chinn 2000), then as an odds ratio;
                    otherwise d × the person-level SD at p0 (counts √(p0 + p0²/k),
                    continuous metrics their ``dispersion``)
    difference      as given

and turned into a *gain* (the difference for a metric that should rise, its negative for
one that should fall), as is the contract's expected effect ``expected − baseline``.
A study's confidence interval decides what it shows (an effect, no effect, harm); without
one, its ``finding`` does. The checklist status (:func:`assess_evidence`):

* no study recorded → partly (what is not recorded is not thereby absent);
* no study with a counterfactual (only pre/post, observational, expert opinion) → partly;
* a controlled study (systematic review, RCT, quasi-experimental) shows harm, or the
  contract expects a gain above a controlled study's upper bound → not met (the price would
  pay for an effect the evidence does not show);
* a controlled study shows no effect, the contract expects more than a controlled
  study's point estimate, or no controlled study gives an effect whose interval excludes no
  effect (a finding without numbers shows an effect but not its size) → partly;
* otherwise — a controlled study's interval excludes no effect, on the better side, and
  no controlled study shows less than the contract expects → met.

>>> round(odds_ratio_difference(1.05, 0.33), 4)     # Reissner et al. at a 33 % baseline
0.0109
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from effekt.contract.evidence import COUNTERFACTUAL_DESIGNS, Study
from effekt.contract.metrics import Metric
from effekt.contract.model import Contract
from effekt.contract.quantity import expected

__all__ = [
    "Comparison",
    "EvidenceAssessment",
    "Reason",
    "StudyAssessment",
    "assess_evidence",
    "assess_study",
    "odds_ratio_difference",
    "relative_risk_difference",
    "smd_difference",
]

Status = Literal["met", "partly", "not_met"]
Shows = Literal["effect", "no_effect", "harm"]
#: Why the item has its status, the first that applies, in this order.
Reason = Literal[
    "none", "uncontrolled", "harm", "above_upper", "no_effect", "above_point", "no_size", "shown"
]
#: Why a study could not be set against the contract's expected effect: it names no
#: metric, gives no estimate (effect and effect_measure), the metric has no baseline, or
#: the estimate is not convertible (an odds ratio on a metric that is not yes/no, a
#: standardised mean difference on a continuous metric without ``dispersion``, a ratio
#: that is not above 0).
NotCompared = Literal["no_metric", "no_estimate", "no_baseline", "not_convertible"]
_TOLERANCE = 1e-9
_RATIOS = ("odds_ratio", "relative_risk")


def odds_ratio_difference(odds_ratio: float, p0: float) -> float:
    """``p1 − p0`` for an odds ratio at the comparison rate ``p0``:
    ``p1 = OR·p0 / (1 − p0 + OR·p0)``.

    >>> round(odds_ratio_difference(1.90, 0.33), 4)
    0.1534
    """
    p1 = odds_ratio * p0 / (1 - p0 + odds_ratio * p0)
    return p1 - p0


def relative_risk_difference(relative_risk: float, p0: float, share: bool = True) -> float:
    """``p1 − p0`` with ``p1 = RR·p0``, at most 1 for a share.

    >>> round(relative_risk_difference(1.2, 0.33), 3)
    0.066
    """
    p1 = relative_risk * p0
    return (min(p1, 1.0) if share else p1) - p0


def smd_difference(d: float, p0: float, kind: str, dispersion: float | None) -> float | None:
    """The difference a standardised mean difference ``d`` makes at ``p0``; None when the
    metric has no spread to scale it by (a continuous metric without ``dispersion``).

    Binary: Chinn's ``ln OR = d·π/√3``; counts and durations: ``d·√(p0 + p0²/k)``
    (Poisson without ``k``); continuous: ``d × dispersion`` (its standard deviation).

    >>> round(smd_difference(0.2, 0.33, "binary", None), 4)
    0.0845
    """
    if kind == "binary":
        return odds_ratio_difference(math.exp(d * math.pi / math.sqrt(3)), p0)
    if kind in ("count", "duration"):
        k = dispersion
        return d * math.sqrt(max(p0 + (p0 * p0 / k if k else 0.0), 0.0))
    return d * dispersion if dispersion else None


@dataclass(frozen=True)
class Comparison:
    """A study's effect against the contract's, as gains at the contract's baseline."""

    baseline: float
    expected_gain: float  # the contract: expected − baseline, in the better direction
    gain: float  # the study's point estimate
    low: float | None  # its confidence interval, as gains (low ≤ high)
    high: float | None

    @property
    def includes_no_effect(self) -> bool | None:
        if self.low is None or self.high is None:
            return None
        return self.low <= _TOLERANCE and self.high >= -_TOLERANCE

    @property
    def expects_more_than_point(self) -> bool:
        return self.expected_gain > self.gain + _TOLERANCE

    @property
    def expects_more_than_upper(self) -> bool:
        return self.high is not None and self.expected_gain > self.high + _TOLERANCE


@dataclass(frozen=True)
class StudyAssessment:
    """One study: whether its design has a counterfactual, what it shows, and how its
    effect compares with the contract's (or why it cannot be compared)."""

    index: int
    study: Study
    controlled: bool
    shows: Shows | None
    comparison: Comparison | None
    not_compared: NotCompared | None


@dataclass(frozen=True)
class EvidenceAssessment:
    """The checklist status, why (:data:`Reason`), and every study."""

    status: Status
    reason: Reason
    studies: list[StudyAssessment]

    @property
    def controlled(self) -> list[StudyAssessment]:
        return [s for s in self.studies if s.controlled]


def _gain(difference: float, m: Metric) -> float:
    return difference if m.direction == "increase" else -difference


def _difference(value: float, s: Study, m: Metric, p0: float) -> float | None:
    """``value`` in the study's effect measure as a difference at ``p0``; None when it
    cannot be put on the metric's scale."""
    if s.effect_measure == "absolute_difference":
        return value
    if s.effect_measure in _RATIOS and value <= 0:
        return None
    if s.effect_measure == "odds_ratio":
        return odds_ratio_difference(value, p0) if m.kind == "binary" else None
    if s.effect_measure == "relative_risk":
        return relative_risk_difference(value, p0, share=m.kind == "binary")
    return smd_difference(value, p0, m.kind, m.dispersion)


def _shows(s: Study, m: Metric | None) -> Shows | None:
    """From the confidence interval (on the study's own scale), else the study's finding."""
    if s.ci_low is None or s.ci_high is None:
        return s.finding
    null = 1.0 if s.effect_measure in _RATIOS else 0.0
    if s.ci_low <= null <= s.ci_high:
        return "no_effect"
    if m is None:
        return s.finding
    above = s.ci_low > null
    return "effect" if above == (m.direction == "increase") else "harm"


def _comparison(s: Study, m: Metric | None) -> tuple[Comparison | None, NotCompared | None]:
    if m is None:
        return None, "no_metric"
    if s.effect is None or s.effect_measure is None:
        return None, "no_estimate"
    if m.baseline is None:
        return None, "no_baseline"
    p0 = expected(m.baseline)
    if m.kind == "binary":
        p0 = min(max(p0, 0.0), 1.0)
    point = _difference(s.effect, s, m, p0)
    if point is None:
        return None, "not_convertible"
    bounds = [
        d
        for value in (s.ci_low, s.ci_high)
        if value is not None and (d := _difference(value, s, m, p0)) is not None
    ]
    gains = sorted(_gain(d, m) for d in bounds)
    low, high = (gains[0], gains[1]) if len(gains) == 2 else (None, None)
    expected_gain = _gain(expected(m.expected) - p0, m)
    return Comparison(p0, expected_gain, _gain(point, m), low, high), None


def assess_study(index: int, s: Study, m: Metric | None) -> StudyAssessment:
    """One study against metric ``m`` (the one it names, or None)."""
    comparison, why = _comparison(s, m)
    return StudyAssessment(
        index=index,
        study=s,
        controlled=s.design in COUNTERFACTUAL_DESIGNS,
        shows=_shows(s, m),
        comparison=comparison,
        not_compared=why,
    )


_STATUS: dict[str, Status] = {
    "none": "partly",
    "uncontrolled": "partly",
    "harm": "not_met",
    "above_upper": "not_met",
    "no_effect": "partly",
    "above_point": "partly",
    "no_size": "partly",
    "shown": "met",
}


def _reason(studies: list[StudyAssessment]) -> Reason:
    controlled = [s for s in studies if s.controlled]
    compared = [s.comparison for s in controlled if s.comparison is not None]
    if not studies:
        return "none"
    if not controlled:
        return "uncontrolled"
    if any(s.shows == "harm" for s in controlled):
        return "harm"
    if any(c.expects_more_than_upper for c in compared):
        return "above_upper"
    if any(s.shows == "no_effect" for s in controlled):
        return "no_effect"
    if any(c.expects_more_than_point for c in compared):
        return "above_point"
    # met only on an interval that excludes no effect, not on a finding without numbers
    if not any(s.shows == "effect" and _has_interval(s.study) for s in controlled):
        return "no_size"
    return "shown"


def _has_interval(s: Study) -> bool:
    return s.ci_low is not None and s.ci_high is not None


def assess_evidence(c: Contract) -> EvidenceAssessment:
    """Every study of ``[[evidence]]`` against the metric it informs, and the item's status."""
    metrics = {m.id: m for m in c.metrics}
    studies = [
        assess_study(i, s, metrics.get(s.metric) if s.metric else None)
        for i, s in enumerate(c.evidence)
    ]
    reason = _reason(studies)
    return EvidenceAssessment(_STATUS[reason], reason, studies)
