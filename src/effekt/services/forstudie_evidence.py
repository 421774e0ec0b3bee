"""The förstudie's evidence item in words and as JSON (the assessment: ``engine.evidence``).

The item's conclusion leads; then each controlled study — its effect against the
contract's at the contract's baseline, or what it found when it gives no numbers — and
last the studies without a comparison group, which show change, not an effect.
"""

from __future__ import annotations

from typing import Any

from effekt.contract.metrics import Metric
from effekt.contract.model import Contract
from effekt.engine.evidence import Comparison, EvidenceAssessment, StudyAssessment
from effekt.i18n import translate as t
from effekt.i18n.format import number, percent, signed

__all__ = ["evidence_json", "evidence_reasons"]


def _quoted(name: str, lang: str) -> str:
    """A name in the language's quotation marks: “x” (en), ”x” (sv)."""
    return f"“{name}”" if lang == "en" else f"”{name}”"


def _amount(value: float, m: Metric, lang: str) -> str:
    """A signed difference in the metric's unit, in percentage points for a share."""
    return signed(value * 100, lang, 1) if m.kind == "binary" else signed(value, lang, 2)


def _difference(value: float, m: Metric, lang: str) -> str:
    amount = _amount(value, m, lang)
    return t("feasibility.points", lang, value=amount) if m.kind == "binary" else amount


def _level(value: float, m: Metric, lang: str) -> str:
    return percent(value, lang) if m.kind == "binary" else number(value, lang, 2)


def _study_name(a: StudyAssessment, lang: str) -> str:
    st = a.study
    return t(
        "feasibility.evidence_study",
        lang,
        citation=st.citation,
        design=t(f"feasibility.design.{st.design}", lang),
        size="" if st.n is None else f", n = {number(st.n, lang)}",
    )


def _compared(a: StudyAssessment, cmp: Comparison, m: Metric, lang: str) -> str:
    """The study's effect and the contract's, as differences treated − comparison."""
    sign = 1.0 if m.direction == "increase" else -1.0
    bounds = None
    if cmp.low is not None and cmp.high is not None:
        bounds = sorted((sign * cmp.low, sign * cmp.high))
    params = {
        "study": _study_name(a, lang),
        "metric": _quoted(m.label, lang),
        "effect": _difference(sign * cmp.gain, m, lang),
        "baseline": _level(cmp.baseline, m, lang),
        "expected": _difference(sign * cmp.expected_gain, m, lang),
    }
    if bounds is None:
        text = t("feasibility.evidence_compared_point", lang, **params)
    else:
        low, high = (_amount(b, m, lang) for b in bounds)
        text = t("feasibility.evidence_compared", lang, low=low, high=high, **params)
    notes = []
    if cmp.includes_no_effect:
        notes.append(t("feasibility.evidence_includes_zero", lang))
    if cmp.expects_more_than_upper:
        notes.append(t("feasibility.evidence_above_upper", lang))
    elif cmp.expects_more_than_point:
        notes.append(t("feasibility.evidence_above_point", lang))
    return " ".join([text, *notes])


def _finding(a: StudyAssessment, c: Contract, lang: str) -> str:
    st = a.study
    if st.metric is not None and any(m.id == st.metric for m in c.metrics):
        metric = _quoted(c.metric(st.metric).label, lang)
    else:
        metric = t("feasibility.the_outcome", lang)
    code = {
        "effect": "feasibility.evidence_found_effect",
        "no_effect": "feasibility.evidence_found_no_effect",
        "harm": "feasibility.evidence_found_harm",
    }.get(a.shows or "", "feasibility.evidence_no_result")
    return t(code, lang, study=_study_name(a, lang), metric=metric)


_EVIDENCE_LEAD = {
    "uncontrolled": "feasibility.evidence_only_uncontrolled",
    "harm": "feasibility.evidence_contradicted",
    "above_upper": "feasibility.evidence_contradicted",
    "no_effect": "feasibility.evidence_not_shown",
    "above_point": "feasibility.evidence_not_shown",
    "no_size": "feasibility.evidence_no_size",
    "shown": "feasibility.evidence_supported",
}


def evidence_reasons(c: Contract, ev: EvidenceAssessment, lang: str) -> list[str]:
    """The item's conclusion, then each controlled study, then those without a comparison."""
    if not ev.studies:
        return [t("feasibility.evidence_none", lang)]
    out = [t(_EVIDENCE_LEAD[ev.reason], lang)]
    for a in ev.controlled:
        if a.comparison is not None and a.study.metric is not None:
            out.append(_compared(a, a.comparison, c.metric(a.study.metric), lang))
        else:
            out.append(_finding(a, c, lang))
    others = [_study_name(a, lang) for a in ev.studies if not a.controlled]
    if others:
        out.append(t("feasibility.evidence_uncontrolled", lang, studies="; ".join(others)))
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def evidence_json(ev: EvidenceAssessment) -> dict[str, Any]:
    """Each study with what it shows and, where it can be, its effect against the
    contract's as gains (better = positive) at the contract's baseline."""
    studies = []
    for a in ev.studies:
        cmp = a.comparison
        studies.append(
            {
                **a.study.model_dump(mode="json"),
                "controlled": a.controlled,
                "shows": a.shows,
                "comparison": None
                if cmp is None
                else {
                    "baseline": _r(cmp.baseline),
                    "expected_gain": _r(cmp.expected_gain),
                    "gain": _r(cmp.gain),
                    "gain_ci_low": _r(cmp.low),
                    "gain_ci_high": _r(cmp.high),
                    "includes_no_effect": cmp.includes_no_effect,
                    "expects_more_than_point": cmp.expects_more_than_point,
                    "expects_more_than_upper": cmp.expects_more_than_upper,
                },
                "not_compared": a.not_compared,
            }
        )
    return {"status": ev.status, "reason": ev.reason, "studies": studies}
