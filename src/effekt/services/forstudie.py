"""Use case: the feasibility study, förstudie (``effekt feasibility``).

Is this problem suited to a SIB? The study brings together: the problem's socio-economic
cost per actor (the life-course microsimulation of lifelong exclusion, Swedish contracts),
what the contract's outcomes would save and for whom (``services.value``), the cohort size
against the smallest detectable effect (``services.design_power``), the time to savings
against the term and the commissioner's budget period, the business case, and a checklist
that ends in a verdict with its reasons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from effekt.contract.model import Contract
from effekt.contract.quantity import expected
from effekt.contract.rules import RateCard, SavingsShare, Threshold, Tiers
from effekt.data.reference import microsim_model, unit_costs
from effekt.engine.valuation.microsim import lifelong_exclusion, lifetime_cost
from effekt.i18n import translate as t
from effekt.i18n.format import money, number, percent
from effekt.services.business_case import business_case_json
from effekt.services.design_power import design_power, metric_mde
from effekt.services.value import value_json

__all__ = ["CheckItem", "feasibility_json"]

Status = Literal["met", "partly", "not_met"]


@dataclass
class CheckItem:
    key: str
    status: Status
    reasons: list[str] = field(default_factory=list)


def _problem_cost(c: Contract, lang: str) -> dict[str, Any] | None:
    """Lifetime cost of lifelong exclusion by actor (Swedish model), undiscounted and at 3.5 %."""
    if c.currency != "SEK":
        return None
    price_year = c.valuation.price_year if c.valuation else c.start.year
    model = lifelong_exclusion(microsim_model(price_year=price_year))
    cost = lifetime_cost(model, rate=0.035)
    by_actor = cost.by_actor(discounted=False)
    return {
        "price_year": price_year,
        "society_undiscounted": round(float(cost.society(False)), 0),
        "society_discounted": round(float(cost.society(True)), 0),
        "public_sector_undiscounted": round(float(cost.public_sector(discounted=False)), 0),
        "by_actor_undiscounted": {
            a: round(float(v), 0) for a, v in by_actor.items() if abs(float(v)) > 0.5
        },
        "note": t("feasibility.problem_note", lang),
    }


def _power_rows(c: Contract, lang: str) -> list[dict[str, Any]]:
    rows = []
    for d in design_power(c):
        rows.append(
            {
                "rule": d.rule,
                "metric": d.metric,
                "measure": d.measure,
                "threshold": d.threshold,
                "n": d.n,
                "mde": None if not math.isfinite(d.mde) else round(d.mde, 6),
                "expected_effect": round(d.expected_effect, 6),
                "detectable": d.detectable,
            }
        )
    # rate cards paying above the baseline: is the expected effect itself detectable?
    for k, r in enumerate(c.rules):
        if isinstance(r, RateCard) and r.above_baseline:
            m = c.metric(r.metric)
            n = sum(expected(co.size) for co in c.cohorts)
            mde = metric_mde(m, n, "absolute_difference")
            effect = expected(m.expected) - (
                expected(m.baseline) if m.baseline is not None else 0.0
            )
            effect = effect if m.direction == "increase" else -effect
            rows.append(
                {
                    "rule": c.rule_id(k),
                    "metric": m.id,
                    "measure": "absolute_difference",
                    "threshold": None,
                    "n": n,
                    "mde": None if not math.isfinite(mde) else round(mde, 6),
                    "expected_effect": round(effect, 6),
                    "detectable": math.isfinite(mde) and effect >= mde,
                }
            )
    return rows


def _about_school(text: str) -> bool:
    lowered = text.lower()
    return any(
        word in lowered for word in ("school", "skol", "attend", "närvaro", "lessons", "lektion")
    )


def _paid_metrics(c: Contract) -> list[str]:
    ids = []
    for r in c.rules:
        if isinstance(r, RateCard | Threshold | Tiers | SavingsShare) and r.metric not in ids:
            ids.append(r.metric)
    return ids


def _checklist(
    c: Contract, value: dict[str, Any], case: dict[str, Any], power: list[dict[str, Any]], lang: str
) -> list[CheckItem]:
    paid = [c.metric(m) for m in _paid_metrics(c)]
    items: list[CheckItem] = []
    # measurable outcome
    missing = [m.id for m in paid if not m.data_source]
    items.append(
        CheckItem(
            "measurable_outcome",
            "not_met" if missing else "met",
            [t("feasibility.no_data_source", lang, metrics=", ".join(missing))]
            if missing
            else [t("feasibility.defined_outcomes", lang, n=len(paid))],
        )
    )
    # counterfactual
    item = CheckItem("counterfactual", "met")
    anyway = False
    for m in paid:
        base, exp = (expected(m.baseline) if m.baseline is not None else None), expected(m.expected)
        if m.counterfactual == "none":
            item.status = "not_met"
            item.reasons.append(t("feasibility.no_counterfactual", lang, metric=m.id))
        elif m.counterfactual == "historical_baseline" and item.status == "met":
            item.status = "partly"
            item.reasons.append(t("feasibility.historical_baseline", lang, metric=m.id))
        if base is not None and exp > 0 and m.direction == "increase" and base >= 0.5 * exp:
            anyway = True
            item.reasons.append(
                t(
                    "feasibility.anyway",
                    lang,
                    metric=m.id,
                    baseline=number(base, lang, 2),
                    expected=number(exp, lang, 2),
                    share=percent(base / exp, lang, 0),
                )
            )
    # the research on school absence (shared/research/hemmasittare.md §1.2–1.3, §2)
    if anyway and any(_about_school(m.id + " " + m.definition) for m in paid):
        item.reasons.append(t("feasibility.trials", lang))
    weak = [p for p in power if not p["detectable"]]
    for p in weak:
        mde = "—" if p["mde"] is None else percent(p["mde"], lang)
        item.reasons.append(
            t(
                "feasibility.undetectable",
                lang,
                rule=p["rule"],
                effect=percent(p["expected_effect"], lang),
                mde=mde,
                n=number(p["n"], lang),
            )
        )
    if weak and item.status == "met":
        item.status = "partly"
    items.append(item)
    # data access
    items.append(
        CheckItem(
            "data_access",
            "partly" if paid else "not_met",
            [
                t(
                    "feasibility.data_access",
                    lang,
                    sources="; ".join(sorted({m.data_source or "—" for m in paid})),
                )
            ],
        )
    )
    # cashable savings
    rows = {**unit_costs("se"), **unit_costs("uk")}
    lines = [ac for m in paid for ac in m.avoided_costs]
    cashable = [ac for ac in lines if ac.unit_cost in rows and rows[ac.unit_cost].cashable]
    status: Status = (
        "met" if lines and len(cashable) == len(lines) else ("partly" if cashable else "not_met")
    )
    reasons = [t("feasibility.cashable", lang, cashable=len(cashable), total=len(lines))]
    if value.get("benefit_cost_ratio") is not None:
        reasons.append(
            t(
                "feasibility.bcr",
                lang,
                bcr=number(value["benefit_cost_ratio"], lang, 2),
                years=len(value["years"]),
            )
        )
        if value["benefit_cost_ratio"] < 1 and status == "met":
            status = "partly"
    items.append(CheckItem("cashable_savings", status, reasons))
    # evidence
    items.append(CheckItem("evidence", "partly", [t("feasibility.evidence", lang)]))
    # provider capacity
    provider = next((p for p in c.parties if p.role == "provider"), None)
    if provider is None:
        items.append(
            CheckItem("provider_capacity", "not_met", [t("feasibility.no_provider", lang)])
        )
    else:
        peak = case["parties"][provider.id]["peak_cash_need"] or 0.0
        room = provider.opening_balance + provider.credit_line
        items.append(
            CheckItem(
                "provider_capacity",
                "met" if room >= peak else "partly",
                [
                    t(
                        "feasibility.provider",
                        lang,
                        room=money(room, c.currency, lang),
                        peak=money(peak, c.currency, lang),
                    )
                ],
            )
        )
    return items


def _timing(c: Contract, value: dict[str, Any], lang: str) -> dict[str, Any]:
    budget = c.valuation.budget_period_years if c.valuation else 4
    term_years = math.ceil(c.term_periods / c.periods_per_year)
    commissioners = [p.actor for p in c.parties if p.role == "commissioner" and p.actor]
    years = value["years"]
    within = {"budget_period": 0.0, "term": 0.0, "horizon": 0.0}
    for actor in commissioners:
        by_year = value["actors"].get(actor, {}).get("savings", {}).get("by_year_discounted", [])
        within["budget_period"] += sum(by_year[:budget])
        within["term"] += sum(by_year[:term_years])
        within["horizon"] += sum(by_year)
    first = None
    for actor in commissioners:
        for y, s in zip(
            years,
            value["actors"].get(actor, {}).get("savings", {}).get("by_year", []),
            strict=False,
        ):
            if s > 0 and (first is None or y < first):
                first = y
                break
    return {
        "budget_period_years": budget,
        "term_years": term_years,
        "first_saving_year": first,
        "break_even_year": value.get("break_even_year"),
        "commissioner_savings_discounted": {k: round(v, 2) for k, v in within.items()},
        "share_within_budget_period": round(within["budget_period"] / within["horizon"], 6)
        if within["horizon"]
        else None,
    }


def feasibility_json(c: Contract, base_dir: Path | None = None, lang: str = "en") -> dict[str, Any]:
    """The förstudie as JSON (the HTML and text reports render this)."""
    value = value_json(c, base_dir, lang)
    case = business_case_json(c)
    power = _power_rows(c, lang)
    checklist = _checklist(c, value, case, power, lang)
    statuses = {i.status for i in checklist}
    verdict = (
        "not_yet_suitable"
        if "not_met" in statuses
        else ("suitable_with_conditions" if "partly" in statuses else "suitable")
    )
    reasons = [r for i in checklist if i.status != "met" for r in i.reasons]
    investors = {
        pid: {"irr": p["irr"], "moic": p["moic"]}
        for pid, p in case["parties"].items()
        if p["role"] == "investor"
    }
    outlay = {
        pid: -p["total"]
        for pid, p in case["parties"].items()
        if p["role"] in ("commissioner", "outcome_fund")
    }
    return {
        "contract": c.id,
        "currency": c.currency,
        "problem_cost": _problem_cost(c, lang),
        "value": {
            k: value[k]
            for k in (
                "commissioner_share",
                "payer_share_proposal",
                "max_price_per_outcome",
                "benefit_cost_ratio",
                "break_even_year",
                "non_party_actors",
                "years",
            )
        },
        "wrong_pocket": {
            a: {
                "savings": x["savings"]["total_discounted"],
                "costs": x["costs"]["total_discounted"],
                "net": x["net"]["total_discounted"],
                "party": x["party"],
                "name": x["name"],
            }
            for a, x in value["actors"].items()
        },
        "power": power,
        "timing": _timing(c, value, lang),
        "business_case": {
            "investors": investors,
            "commissioner_outlay": outlay,
            "outcome_payments": case["totals"]["outcome_payments"],
        },
        "checklist": [
            {
                "item": i.key,
                "label": t(f"feasibility.item.{i.key}", lang),
                "status": i.status,
                "status_label": t(f"feasibility.status.{i.status}", lang),
                "reasons": i.reasons,
            }
            for i in checklist
        ],
        "verdict": verdict,
        "verdict_label": t(f"feasibility.verdict.{verdict}", lang),
        "verdict_reasons": reasons,
    }
