"""Use case: settle a contract on measured outcomes (``effekt settle``).

The measured outcomes replace the modelled ones and the same engine applies the rules:
payments due by payer and period, the investors' distributions, and every decision with
its reason. What was not measured pays nothing: a metric with no measurement counts
nobody measured in any cohort, like a cohort with no measurement, and its rules get a
decision saying so. A gate is a condition for payment, so a gate that was not measured
(for its cohort, or at all) holds back the payments it applies to. A result published
only across cohorts (``cohort = "all"``) fixes the cohorts that were not measured one by
one so that the pooled figure holds, and the decision says so.

Activity fees are paid per participant enrolled, and the outcomes file carries no
enrolment: they come from the contract's delivery plan. Every payment says its
``basis`` — ``measured`` (a rule on a metric that was measured) or ``modelled`` (a rule not
tied to a metric) — and ``totals_by_basis`` keeps the two apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from effekt.contract.explain import effect_text
from effekt.contract.model import Contract
from effekt.contract.outcomes_check import outcome_problems
from effekt.contract.outcomes_file import Measurement, OutcomesFile
from effekt.contract.rules import Gate, Threshold, Tiers
from effekt.engine.cashflow import CashFlows, cash_flows, payer_shares
from effekt.engine.delivery import enrolments, referrals
from effekt.engine.inputs import expected_inputs
from effekt.engine.outcomes import Outcomes, measured_outcomes
from effekt.errors import ContractInvalid
from effekt.i18n import translate as t
from effekt.services.business_case import business_case_json

__all__ = ["measured_from_file", "settle", "settle_json"]


def _place(
    c: Contract, modelled: Outcomes, i: int, n: float, tr: float, bs: float, period: int | None
) -> None:
    """Put one cohort's measurement into ``modelled`` (path 0) at its measurement period."""
    when = (period - 1) if period is not None else int(modelled.decision_period[0, i])
    when = min(max(when, 0), c.term_periods - 1)
    for arr in (modelled.measured, modelled.treated, modelled.baseline):
        arr[0, i, :] = 0.0
    modelled.measured[0, i, when] = n
    modelled.treated[0, i, when] = n * tr
    modelled.baseline[0, i, when] = n * bs
    modelled.decision_period[0, i] = when


def measured_from_file(
    c: Contract, data: OutcomesFile
) -> tuple[dict[str, Outcomes], dict[tuple[str, str], str]]:
    """Outcomes per metric from the file, and a note per (metric, cohort) that was derived.
    Outcomes the contract cannot take raise ContractInvalid listing every problem."""
    problems = outcome_problems(c, data)
    if problems:
        source, _ = data.origin()
        raise ContractInvalid(problems, code="outcomes.invalid", file=source)
    inp = expected_inputs(c)
    referred = referrals(c, inp)
    enrolled = enrolments(c, inp, referred)
    cohort_ids = [co.id for co in c.cohorts]
    by_metric: dict[str, list[Measurement]] = {}
    for m in data.measurements:
        by_metric.setdefault(m.metric, []).append(m)
    out: dict[str, Outcomes] = {}
    notes: dict[tuple[str, str], str] = {}
    for j, metric in enumerate(c.metrics):
        rows = by_metric.get(metric.id, [])  # none: every cohort is not measured, below
        o = measured_outcomes(c, inp, j, referred, enrolled)
        modelled_n = o.measured[0].sum(axis=-1)
        known: dict[int, tuple[float, float, float]] = {}
        pooled: Measurement | None = None
        for row in rows:
            if row.cohort == "all":
                pooled = row
                continue
            i = cohort_ids.index(row.cohort)
            tr, bs = row.per_person()
            n = row.n if row.n is not None else float(modelled_n[i])
            known[i] = (
                n,
                tr,
                bs if bs is not None else float(np.asarray(inp[f"metrics[{j}].baseline"])[0]),
            )
            _place(c, o, i, *known[i], row.period)
        missing = [i for i in range(len(cohort_ids)) if i not in known]
        if pooled is not None and missing:
            tr_all, bs_all = pooled.per_person()
            n_all = pooled.n if pooled.n is not None else float(modelled_n.sum())
            bs_all = (
                bs_all
                if bs_all is not None
                else float(np.asarray(inp[f"metrics[{j}].baseline"])[0])
            )
            n_known = sum(v[0] for v in known.values())
            n_missing = max(n_all - n_known, 0.0)
            weights = modelled_n[missing] / max(float(modelled_n[missing].sum()), 1e-300)
            tr_m = (tr_all * n_all - sum(v[0] * v[1] for v in known.values())) / max(
                n_missing, 1e-300
            )
            bs_m = (bs_all * n_all - sum(v[0] * v[2] for v in known.values())) / max(
                n_missing, 1e-300
            )
            for w, i in zip(weights, missing, strict=True):
                _place(c, o, i, float(n_missing * w), tr_m, bs_m, pooled.period)
                notes[(metric.id, cohort_ids[i])] = "derived_from_pooled"
        else:
            for i in missing:
                _place(c, o, i, 0.0, 0.0, 0.0, None)
                notes[(metric.id, cohort_ids[i])] = "not_measured"
        out[metric.id] = o
    return out, notes


def settle(c: Contract, data: OutcomesFile) -> tuple[CashFlows, dict[tuple[str, str], str]]:
    """The business case with measured outcomes in place of modelled ones; a gate that was
    not measured holds its payments back."""
    measured, notes = measured_from_file(c, data)
    flows = cash_flows(c, expected_inputs(c), measured=measured, gates_need_measurement=True)
    return flows, notes


def _reason(d: Any, rule: Any, c: Contract, lang: str) -> str:
    """Met or not, the effect and the threshold in the rule's unit: a relative effect or a
    binary level in percent, a difference of shares in percentage points, else a number."""
    measure = getattr(rule, "measure", "relative_reduction")
    metric = getattr(rule, "metric", None)
    kind = c.metric(metric).kind if metric else "binary"

    def shown(x: float) -> str:
        return effect_text(measure, round(x, 6), kind, lang, decimals=2)

    value = float(d.effect[0])
    level = "_level" if measure == "level" else ""  # a level is measured, not an effect
    if d.threshold is None:
        return t(f"settle.no_threshold{level}", lang, effect=shown(value))
    code = "settle.met" if d.triggered[0] else "settle.not_met"
    return t(code + level, lang, effect=shown(value), threshold=shown(float(d.threshold)))


def _threshold(rule: Any) -> float | None:
    if isinstance(rule, Tiers):
        return rule.tiers[0].from_effect
    return rule.threshold if isinstance(rule, Threshold | Gate) else None


def _not_measured(
    c: Contract, notes: dict[tuple[str, str], str], measured_metrics: set[str], lang: str
) -> tuple[list[tuple[int, str | None, str]], dict[int, str]]:
    """Decisions the engine could not take because nothing was measured, as (rule index,
    cohort or None, reason), and a note per pooled rule decided on only some of its cohorts."""
    rows: list[tuple[int, str | None, str]] = []
    pooled_notes: dict[int, str] = {}
    for k, rule in enumerate(c.rules):
        metric = getattr(rule, "metric", None)
        if metric is None:
            continue
        gated = {"rules": ", ".join(rule.applies_to)} if isinstance(rule, Gate) else None
        if metric not in measured_metrics:
            code = "settle.gate_metric_not_measured" if gated else "settle.metric_not_measured"
            rows.append((k, None, t(code, lang, metric=metric, **(gated or {}))))
            continue
        scope = [co.id for co in c.cohorts if rule.cohorts is None or co.id in rule.cohorts]
        missing = [co for co in scope if notes.get((metric, co)) == "not_measured"]
        if not missing:
            continue
        if getattr(rule, "scope", "cohort") == "all_cohorts":
            if len(missing) == len(scope):
                code = "settle.gate_none_measured" if gated else "settle.none_measured"
                rows.append((k, None, t(code, lang, **(gated or {}))))
            else:
                pooled_notes[k] = t("settle.pooled_without", lang, cohorts=", ".join(missing))
            continue
        reason = t("settle.gate_not_measured", lang, **gated) if gated else None
        rows += [(k, co, reason or t("settle.not_measured", lang)) for co in missing]
    return rows, pooled_notes


def _payments(c: Contract, cf: CashFlows) -> list[dict[str, Any]]:
    """Every payment due, by period, then payer and rule in the contract's order; each with
    its period's first and last day and the payer's budget year it is booked in (the
    business case's: that of the period's last day)."""
    starts, ends = c.period_dates(), c.period_ends()
    out: list[dict[str, Any]] = []
    for k, rule in enumerate(c.rules):
        metric = getattr(rule, "metric", None)
        for pid, share in payer_shares(c, rule.payers).items():
            years = c.budget_years(c.party(pid).budget_year_start_month)
            for tt in range(c.term_periods):
                amount = float(cf.payments.by_rule[0, k, tt]) * share
                if abs(amount) > 0.005:
                    out.append(
                        {
                            "payer": pid,
                            "period": tt + 1,
                            "start": starts[tt].isoformat(),
                            "end": ends[tt].isoformat(),
                            "budget_year": years[tt],
                            "metric": metric,
                            "rule": c.rule_id(k),
                            "basis": "modelled" if _is_modelled(rule) else "measured",
                            "amount": round(amount, 2),
                        }
                    )
    parties = [p.id for p in c.parties]
    rules = [c.rule_id(k) for k in range(len(c.rules))]
    out.sort(key=lambda p: (p["period"], parties.index(p["payer"]), rules.index(p["rule"])))
    return out


def _decision(c: Contract, k: int, cohort: str | None, **fields: Any) -> dict[str, Any]:
    return {"rule": c.rule_id(k), "metric": getattr(c.rules[k], "metric", None),
            "cohort": cohort, **fields}  # fmt: skip


def settle_json(c: Contract, data: OutcomesFile, lang: str = "en") -> dict[str, Any]:
    """Payments by payer, period and metric with their basis; every decision with its
    reason, those nothing was measured for too; the totals, by basis; the returns."""
    cf, notes = settle(c, data)
    rule_index = {c.rule_id(k): k for k in range(len(c.rules))}
    measured_metrics = {m.metric for m in data.measurements}
    unmeasured, pooled_notes = _not_measured(c, notes, measured_metrics, lang)
    decisions = []
    for d in cf.payments.decisions:
        k = rule_index[d.rule]
        reason = _reason(d, c.rules[k], c, lang)
        if notes.get((getattr(c.rules[k], "metric", ""), d.cohort or "")) == "derived_from_pooled":
            reason += " " + t("settle.derived_from_pooled", lang)
        if d.cohort is None and k in pooled_notes:
            reason += " " + pooled_notes[k]
        decisions.append(
            _decision(c, k, d.cohort, triggered=bool(d.triggered[0]), measured=True,
                      effect=round(float(d.effect[0]), 6), threshold=d.threshold,
                      period=int(d.period[0]) + 1, reason=reason)
        )  # fmt: skip
    for k, cohort, reason in unmeasured:
        decisions.append(
            _decision(c, k, cohort, triggered=False, measured=False, effect=None,
                      threshold=_threshold(c.rules[k]), period=None, reason=reason)
        )  # fmt: skip
    slots: list[str | None] = [*(co.id for co in c.cohorts), None]  # pooled after the cohorts
    decisions.sort(key=lambda d: (rule_index[d["rule"]], slots.index(d["cohort"])))
    by_rule = cf.payments.by_rule[0].sum(axis=-1)
    modelled = sum(float(by_rule[k]) for k, r in enumerate(c.rules) if _is_modelled(r))
    total = float(by_rule.sum())
    case = business_case_json(c, cf)
    return {
        "contract": c.id,
        "currency": c.currency,
        "payments": _payments(c, cf),
        "decisions": decisions,
        "total_payments": round(total, 2),
        "totals_by_basis": {"measured": round(total - modelled, 2), "modelled": round(modelled, 2)},
        "parties": case["parties"],
        "tranches": case["tranches"],
    }


def _is_modelled(rule: Any) -> bool:
    """A rule not tied to a metric (an activity fee): paid on the contract's plan."""
    return getattr(rule, "metric", None) is None
