"""Use case: settle a contract on measured outcomes (``effekt settle``).

The measured outcomes replace the modelled ones and the same engine applies the rules:
payments due by payer and period, the investors' distributions, and every decision with
its reason. Cohorts that were not measured pay nothing; a result published only across
cohorts (``cohort = "all"``) fixes the cohorts that were not measured one by one so that
the pooled figure holds, and the decision says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from effekt.contract.model import Contract
from effekt.contract.outcomes_file import Measurement, OutcomesFile
from effekt.engine.cashflow import CashFlows, cash_flows, payer_shares
from effekt.engine.delivery import enrolments, referrals
from effekt.engine.inputs import expected_inputs
from effekt.engine.outcomes import Outcomes, measured_outcomes
from effekt.errors import DataError
from effekt.i18n import translate as t
from effekt.i18n.format import percent
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
    """Outcomes per metric from the file, and a note per (metric, cohort) that was derived."""
    if data.contract is not None and data.contract != c.id:
        raise DataError("outcomes.wrong_contract", found=data.contract, expected=c.id)
    inp = expected_inputs(c)
    referred = referrals(c, inp)
    enrolled = enrolments(c, inp, referred)
    cohort_ids = [co.id for co in c.cohorts]
    by_metric: dict[str, list[Measurement]] = {}
    for m in data.measurements:
        if m.metric not in {x.id for x in c.metrics}:
            raise DataError("outcomes.unknown_metric", metric=m.metric)
        if m.cohort != "all" and m.cohort not in cohort_ids:
            raise DataError("outcomes.unknown_cohort", cohort=m.cohort)
        by_metric.setdefault(m.metric, []).append(m)
    out: dict[str, Outcomes] = {}
    notes: dict[tuple[str, str], str] = {}
    for j, metric in enumerate(c.metrics):
        rows = by_metric.get(metric.id)
        if not rows:
            continue
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
    """The business case with measured outcomes in place of modelled ones."""
    measured, notes = measured_from_file(c, data)
    return cash_flows(c, expected_inputs(c), measured=measured), notes


def _reason(d: Any, lang: str) -> str:
    value = float(d.effect[0])
    if d.threshold is None:
        return t("settle.no_threshold", lang, effect=percent(value, lang))
    code = "settle.met" if d.triggered[0] else "settle.not_met"
    return t(
        code, lang, effect=percent(value, lang, 2), threshold=percent(float(d.threshold), lang, 2)
    )


def settle_json(c: Contract, data: OutcomesFile, lang: str = "en") -> dict[str, Any]:
    """Payments by payer, period and metric; every decision with its reason; the returns."""
    cf, notes = settle(c, data)
    payments = []
    for k, rule in enumerate(c.rules):
        metric = getattr(rule, "metric", None)
        for pid, share in payer_shares(c, rule.payers).items():
            for tt in range(c.term_periods):
                amount = float(cf.payments.by_rule[0, k, tt]) * share
                if abs(amount) > 0.005:
                    payments.append(
                        {
                            "payer": pid,
                            "period": tt + 1,
                            "metric": metric,
                            "rule": c.rule_id(k),
                            "amount": round(amount, 2),
                        }
                    )
    decisions = []
    rule_metric = {c.rule_id(k): getattr(r, "metric", None) for k, r in enumerate(c.rules)}
    for d in cf.payments.decisions:
        reason = _reason(d, lang)
        note = notes.get((rule_metric.get(d.rule) or "", d.cohort or ""))
        if note:
            reason += " " + t(f"settle.{note}", lang)
        decisions.append(
            {
                "rule": d.rule,
                "cohort": d.cohort,
                "triggered": bool(d.triggered[0]),
                "effect": round(float(d.effect[0]), 6),
                "threshold": d.threshold,
                "period": int(d.period[0]) + 1,
                "reason": reason,
            }
        )
    case = business_case_json(c, cf)
    return {
        "contract": c.id,
        "currency": c.currency,
        "payments": payments,
        "decisions": decisions,
        "total_payments": round(float(cf.payments.by_rule[0].sum()), 2),
        "parties": case["parties"],
        "tranches": case["tranches"],
    }
