"""Use case: the feasibility study, förstudie (``effekt feasibility``).

Is this problem suited to a SIB? The study brings together: the problem's socio-economic
cost per actor (the life-course microsimulation of lifelong exclusion, Swedish contracts),
what the contract's outcomes would save and for whom (``services.value``), the cohort size
against the smallest detectable effect (``services.design_power``), the time to savings
against the term and the commissioner's budget period, the business case, and a checklist
that ends in a verdict with its reasons (the rules: docs/valuation_service.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from effekt.contract.metrics import Metric
from effekt.contract.model import Contract
from effekt.contract.quantity import expected
from effekt.contract.rules import RateCard, SavingsShare, Threshold, Tiers
from effekt.data.reference import microsim_model, price_indices
from effekt.engine.evidence import EvidenceAssessment, assess_evidence
from effekt.engine.valuation.indices import DEFAULT_SERIES, rebase
from effekt.engine.valuation.microsim import lifelong_exclusion, lifetime_cost
from effekt.i18n import translate as t
from effekt.i18n.format import money, number, percent
from effekt.reports.feasibility_text import power_effect
from effekt.services.business_case import business_case_json
from effekt.services.design_power import design_power, metric_mde
from effekt.services.forstudie_evidence import evidence_json, evidence_reasons
from effekt.services.value import value_json

__all__ = ["CheckItem", "feasibility_json"]

Status = Literal["met", "partly", "not_met"]
_ORDER: dict[str, int] = {"met": 0, "partly": 1, "not_met": 2}
PUBLIC = "public_sector"
CASHABLE_ENOUGH = 0.5  # share of the public sector's discounted savings that must be cashable
ANYWAY = 0.5  # the counterfactual reaches this share of the expected outcome: a warning


@dataclass
class CheckItem:
    key: str
    status: Status
    reasons: list[str] = field(default_factory=list)

    def at_least(self, status: Status) -> None:
        """Lower the item to ``status`` unless it is already worse."""
        if _ORDER[status] > _ORDER[self.status]:
            self.status = status


@dataclass
class _Study:
    """The checklist, and the verdict's leading reasons gathered while judging the items.

    A reason that leads the verdict (``headline``) is not repeated under its item there.
    """

    lang: str
    items: list[CheckItem] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)

    def headline(self, text: str, *covers: str) -> None:
        self.headlines.append(text)
        self.covered.update(covers)

    def verdict_reasons(self) -> list[str]:
        out = list(self.headlines)
        for i in self.items:
            rest = [r for r in i.reasons if r not in self.covered]
            if i.status != "met" and rest:
                label = t(f"feasibility.item.{i.key}", self.lang)
                status = t(f"feasibility.status.{i.status}", self.lang)
                out.append(f"{label} ({status}): " + " ".join(rest))
        return out


#: The published lifetime cost of exclusion the microsimulation is calibrated to:
#: 10–15 MSEK per person from age 20 to retirement, Nilsson & Wadeskog (quoted by Skandia
#: Idéer för livet), price year about 2010 (the page is undated: uncertain).
_PUBLISHED_RANGE, _PUBLISHED_YEAR = (10_000_000.0, 15_000_000.0), 2010


def _problem_cost(c: Contract, lang: str) -> dict[str, Any] | None:
    """Lifetime cost of lifelong exclusion by actor (Swedish model), undiscounted and at
    the valuation's discounting (its rate, or its declining schedule)."""
    if c.currency != "SEK":
        return None
    price_year = c.valuation.price_year if c.valuation else c.start.year
    model = lifelong_exclusion(microsim_model(price_year=price_year))
    spec = c.society_discounting()
    cost = lifetime_cost(model, rate=spec)
    # the published 10–15 MSEK (Nilsson & Wadeskog, c. 2010 prices) in this study's prices
    kpi = price_indices()[DEFAULT_SERIES["SEK"]]
    published = [
        round(float(rebase(x, _PUBLISHED_YEAR, price_year, kpi).amount), -5)
        for x in _PUBLISHED_RANGE
    ]
    by_actor = cost.by_actor(discounted=False)
    return {
        "price_year": price_year,
        "society_undiscounted": round(float(cost.society(False)), 0),
        "society_discounted": round(float(cost.society(True)), 0),
        "discount_rate": None if isinstance(spec, list) else float(spec),
        "discount_schedule": [list(x) for x in spec] if isinstance(spec, list) else None,
        "public_sector_undiscounted": round(float(cost.public_sector(discounted=False)), 0),
        "by_actor_undiscounted": {
            a: round(float(v), 0) for a, v in by_actor.items() if abs(float(v)) > 0.5
        },
        "published_range": published,
        "note": t(
            "feasibility.problem_note",
            lang,
            price_year=price_year,
            low=money(published[0], c.currency, lang),
            high=money(published[1], c.currency, lang),
        ),
    }


def _power_rows(c: Contract) -> list[dict[str, Any]]:
    """Each effect-based rule: its threshold and its expected effect against the MDE.

    ``detectable``: the threshold is at least the MDE (what ``effekt check`` warns about);
    ``effect_detectable``: the expected effect over the counterfactual is.
    """
    rows = []
    for d in design_power(c):
        finite = math.isfinite(d.mde)
        rows.append(
            {
                "rule": d.rule,
                "metric": d.metric,
                "metric_name": c.metric(d.metric).label,
                "kind": c.metric(d.metric).kind,
                "measure": d.measure,
                "threshold": d.threshold,
                "n": d.n,
                "mde": round(d.mde, 6) if finite else None,
                "expected_effect": round(d.expected_effect, 6),
                "detectable": d.detectable,
                "effect_detectable": finite and d.expected_effect >= d.mde,
            }
        )
    # rate cards paying above the baseline: is the expected effect itself detectable?
    for k, r in enumerate(c.rules):
        if isinstance(r, RateCard) and r.above_baseline:
            m = c.metric(r.metric)
            engaged = m.population == "engaged"
            n = sum(
                expected(co.size) * (expected(co.engagement) if engaged else 1.0)
                for co in c.cohorts
            )
            mde = metric_mde(m, n, "absolute_difference")
            effect = expected(m.expected) - (
                expected(m.baseline) if m.baseline is not None else 0.0
            )
            effect = effect if m.direction == "increase" else -effect
            found = math.isfinite(mde) and effect >= mde
            rows.append(
                {
                    "rule": c.rule_id(k),
                    "metric": m.id,
                    "metric_name": m.label,
                    "kind": m.kind,
                    "measure": "absolute_difference",
                    "threshold": None,
                    "n": n,
                    "mde": round(mde, 6) if math.isfinite(mde) else None,
                    "expected_effect": round(effect, 6),
                    "detectable": found,
                    "effect_detectable": found,
                }
            )
    return rows


def _prices(c: Contract, value: dict[str, Any]) -> list[dict[str, Any]]:
    """Each price per outcome, per outcome *gained*, against the public saving per outcome.

    A rate card that pays every outcome, not only those above the baseline, pays
    ``price × expected / (expected − baseline)`` per outcome gained: it pays for the part of
    the result that would come anyway too (with no baseline: ``price / (1 − deadweight)``).
    A metric that names no avoided costs has no saving to compare with: its
    ``max_public_price`` and ``above_savings`` are None (not valued), not 0 and True.
    """
    out = []
    for k, r in enumerate(c.rules):
        if not isinstance(r, RateCard | Threshold) or expected(r.price) <= 0:
            continue
        m = c.metric(r.metric)
        price = expected(r.price)
        if isinstance(r, RateCard) and not r.above_baseline:
            if m.baseline is not None and m.counterfactual != "none":
                exp, base = expected(m.expected), expected(m.baseline)
                gain = exp - base if m.direction == "increase" else base - exp
                share = gain / exp if exp > 0 else 0.0
            else:
                share = 1 - m.adjustments.deadweight
            price = price / share if share > 0 else math.inf
        valued = value["max_price_per_outcome"].get(m.id)
        limit = float(valued.get(PUBLIC, 0.0)) if valued else None  # None: not valued
        out.append(
            {
                "rule": c.rule_id(k),
                "metric": m.id,
                "price_per_outcome_gained": round(price, 2) if math.isfinite(price) else None,
                "max_public_price": limit,
                "above_savings": None
                if limit is None
                else not math.isfinite(price) or price > limit,
            }
        )
    return out


def _about_school(text: str) -> bool:
    lowered = text.lower()
    return any(
        word in lowered for word in ("school", "skol", "attend", "närvaro", "lessons", "lektion")
    )


def _paid_metrics(c: Contract) -> list[Metric]:
    ids: list[str] = []
    for r in c.rules:
        if isinstance(r, RateCard | Threshold | Tiers | SavingsShare) and r.metric not in ids:
            ids.append(r.metric)
    return [c.metric(m) for m in ids]


def _measurable(s: _Study, paid: list[Metric], power: list[dict[str, Any]]) -> None:
    """A data source for every paid outcome, and an expected effect a study this size can see."""
    lang = s.lang
    missing = [m.label for m in paid if not m.data_source]
    item = CheckItem("measurable_outcome", "met")
    if missing:
        item.status = "not_met"
        item.reasons.append(t("feasibility.no_data_source", lang, metrics=", ".join(missing)))
    else:
        code = "feasibility.defined_outcome" if len(paid) == 1 else "feasibility.defined_outcomes"
        defined = t(code, lang, n=len(paid))
        item.reasons.append(defined)
        s.covered.add(defined)  # not a reason against
    weak = [p for p in power if not p["effect_detectable"]]
    covers = []
    for p in weak:
        covers.append(
            t(
                "feasibility.undetectable",
                lang,
                rule=p["rule"],
                effect=power_effect(p, p["expected_effect"], lang),
                mde="—" if p["mde"] is None else power_effect(p, p["mde"], lang),
                n=number(p["n"], lang),
            )
        )
    item.reasons += covers
    for p in power:
        if p["effect_detectable"] and not p["detectable"] and p["threshold"] is not None:
            item.at_least("partly")
            item.reasons.append(
                t(
                    "feasibility.threshold_below_mde",
                    lang,
                    rule=p["rule"],
                    threshold=power_effect(p, p["threshold"], lang),
                    mde=power_effect(p, p["mde"], lang),
                )
            )
    if weak:
        # no paid effect that a study of this size could tell from chance: not yet suitable
        item.at_least("not_met" if len(weak) == len(power) else "partly")
        listed = "; ".join(
            t(
                "feasibility.effect_vs_mde",
                lang,
                rule=p["rule"],
                effect=power_effect(p, p["expected_effect"], lang),
                mde="—" if p["mde"] is None else power_effect(p, p["mde"], lang),
                n=number(p["n"], lang),
            )
            for p in weak
        )
        s.headline(t("feasibility.verdict_power", lang, rules=listed), *covers)
    s.items.append(item)


def _counterfactual(s: _Study, paid: list[Metric]) -> None:
    """The method (none, historical, comparison) and how much would happen anyway."""
    lang = s.lang
    item = CheckItem("counterfactual", "met")
    anyway: list[tuple[Metric, float]] = []
    anyway_reasons: list[str] = []
    for m in paid:
        if m.counterfactual == "none":
            item.at_least("not_met")
            item.reasons.append(t("feasibility.no_counterfactual", lang, metric=m.label))
        elif m.counterfactual == "historical_baseline":
            item.at_least("partly")
            item.reasons.append(t("feasibility.historical_baseline", lang, metric=m.label))
        base = expected(m.baseline) if m.baseline is not None else None
        exp = expected(m.expected)
        if base is not None and exp > 0 and m.direction == "increase" and base >= ANYWAY * exp:
            anyway.append((m, base / exp))
            item.at_least("partly")
            text = t(
                "feasibility.anyway",
                lang,
                metric=m.label,
                baseline=number(base, lang, 2),
                expected=number(exp, lang, 2),
                share=percent(base / exp, lang, 0),
            )
            item.reasons.append(text)
            anyway_reasons.append(text)
    if anyway:
        headline = t(
            "feasibility.verdict_anyway",
            lang,
            shares=", ".join(f"{m.label} {percent(x, lang, 0)}" for m, x in anyway),
        )
        # the research on school absence (docs/sources/hemmasittare.md §1.2–1.3, §2)
        if any(_about_school(m.id + " " + m.definition) for m, _ in anyway):
            trials = t("feasibility.trials", lang)
            item.reasons.append(trials)
            anyway_reasons.append(trials)
            headline += " " + trials
        s.headline(headline, *anyway_reasons)
    if not item.reasons and paid:  # met: say against what each paid outcome is measured
        methods = "; ".join(
            f"{m.label}: {t(f'explain.counterfactual.{m.counterfactual}', lang)}" for m in paid
        )
        item.reasons.append(t("feasibility.counterfactual_methods", lang, methods=methods))
    s.items.append(item)


def _data_access(s: _Study, paid: list[Metric]) -> None:
    sources = "; ".join(
        sorted(
            {
                m.data_source or t("feasibility.no_source_named", s.lang, metric=m.label)
                for m in paid
            }
        )
    )
    s.items.append(
        CheckItem(
            "data_access",
            "partly" if paid else "not_met",
            [t("feasibility.data_access", s.lang, sources=sources)],
        )
    )


def _cashable(s: _Study, c: Contract, value: dict[str, Any], prices: list[dict[str, Any]]) -> None:
    """How much of the public saving releases budget; whether it covers what is paid."""
    lang = s.lang
    share = value.get("cashable_share")
    item = CheckItem("cashable_savings", "met")
    valued = any(m.avoided_costs for m in c.metrics)  # else there is nothing to compare
    if not valued:
        item.status = "not_met"
        item.reasons.append(t("feasibility.no_avoided_costs", lang))
    elif not share:
        item.status = "not_met"
        item.reasons.append(t("feasibility.no_cashable", lang))
    else:
        if share < CASHABLE_ENOUGH:
            item.at_least("partly")
        item.reasons.append(t("feasibility.cashable_share", lang, share=percent(share, lang, 0)))
    bcr = value.get("benefit_cost_ratio")
    if bcr is not None and valued:
        item.reasons.append(
            t("feasibility.bcr", lang, bcr=number(bcr, lang, 2), years=len(value["years"]))
        )
        if bcr < 1:
            item.at_least("partly")
    for p in prices:
        if p["above_savings"] is None and valued:  # this metric alone is not valued
            name = c.metric(p["metric"]).label
            item.reasons.append(t("value.max_price_not_valued", lang, metric=name))
        if p["above_savings"] and valued:
            item.at_least("partly")
            price = p["price_per_outcome_gained"]
            item.reasons.append(
                t(
                    "feasibility.price_above_savings",
                    lang,
                    rule=p["rule"],
                    price="∞" if price is None else money(round(price), c.currency, lang),
                    limit=money(round(p["max_public_price"]), c.currency, lang),
                )
            )
    s.items.append(item)


def _evidence(s: _Study, c: Contract, ev: EvidenceAssessment) -> None:
    """The studies behind the intervention against the contract's expected effect
    (the rules: ``engine.evidence``)."""
    s.items.append(CheckItem("evidence", ev.status, evidence_reasons(c, ev, s.lang)))


def _provider(s: _Study, c: Contract, case: dict[str, Any]) -> None:
    lang = s.lang
    provider = next((p for p in c.parties if p.role == "provider"), None)
    if provider is None:
        s.items.append(
            CheckItem("provider_capacity", "not_met", [t("feasibility.no_provider", lang)])
        )
        return
    peak = case["parties"][provider.id]["peak_cash_need"] or 0.0
    room = provider.opening_balance + provider.credit_line
    s.items.append(
        CheckItem(
            "provider_capacity",
            "met" if room >= peak else "partly",
            [
                t(
                    "feasibility.provider",
                    lang,
                    room=money(round(room), c.currency, lang),
                    peak=money(round(peak), c.currency, lang),
                )
            ],
        )
    )


def _verdict(items: list[CheckItem]) -> str:
    """Not yet suitable if an item is not met; with conditions if one is partly met."""
    statuses = {i.status for i in items}
    if "not_met" in statuses:
        return "not_yet_suitable"
    return "suitable_with_conditions" if "partly" in statuses else "suitable"


def _timing(c: Contract, value: dict[str, Any], lang: str) -> dict[str, Any]:
    budget = c.valuation.budget_period_years if c.valuation else 4
    term_years = math.ceil(c.term_periods / c.periods_per_year)
    commissioners = [p.actor for p in c.parties if p.role == "commissioner" and p.actor]
    years = value["years"]
    labels = dict(zip(years, value["year_labels"], strict=True))
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
        "first_saving_year_label": None if first is None else labels[first],
        "break_even_year": value.get("break_even_year"),
        "break_even_year_label": value.get("break_even_year_label"),
        "commissioner_savings_discounted": {k: round(v, 2) for k, v in within.items()},
        "share_within_budget_period": round(within["budget_period"] / within["horizon"], 6)
        if within["horizon"]
        else None,
    }


def feasibility_json(
    c: Contract, base_dir: Path | None = None, lang: str = "en", search: Sequence[Path] = ()
) -> dict[str, Any]:
    """The förstudie as JSON (the HTML and text reports render this); unit-cost files are
    found as by :func:`~effekt.services.value.value`."""
    value = value_json(c, base_dir, lang, search)
    case = business_case_json(c)
    power = _power_rows(c)
    prices = _prices(c, value)
    paid = _paid_metrics(c)
    study = _Study(lang)
    _measurable(study, paid, power)
    _counterfactual(study, paid)
    _data_access(study, paid)
    _cashable(study, c, value, prices)
    evidence = assess_evidence(c)
    _evidence(study, c, evidence)
    _provider(study, c, case)
    verdict = _verdict(study.items)
    names = {p.id: p.name or p.id for p in c.parties}
    investors = {
        pid: {"name": names.get(pid, pid), "irr": p["irr"], "moic": p["moic"]}
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
        "contract_name": c.name,
        "currency": c.currency,
        "problem_cost": _problem_cost(c, lang),
        "value": {
            k: value[k]
            for k in (
                "commissioner_share",
                "payer_share_proposal",
                "max_price_per_outcome",
                "cashable_share",
                "benefit_cost_ratio",
                "break_even_year",
                "break_even_year_label",
                "non_party_actors",
                "payers_without_actor",
                "party_names",
                "years",
                "year_labels",
                "price_year",
                "index_extrapolated",
                "price_index",
                "unit_costs",
                "metric_names",
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
        "wrong_pocket_by_year": value["actors"],
        "power": power,
        "prices": prices,
        "evidence": evidence_json(evidence),
        "timing": _timing(c, value, lang),
        "business_case": {
            "investors": investors,
            "commissioner_outlay": outlay,
            "outcome_payments": case["totals"]["outcome_payments"],
            "activity_fees": case["totals"]["activity_fees"],  # counted in the payments
        },
        "checklist": [
            {
                "item": i.key,
                "label": t(f"feasibility.item.{i.key}", lang),
                "status": i.status,
                "status_label": t(f"feasibility.status.{i.status}", lang),
                "reasons": i.reasons,
            }
            for i in study.items
        ],
        "verdict": verdict,
        "verdict_label": t(f"feasibility.verdict.{verdict}", lang),
        "verdict_reasons": study.verdict_reasons(),
    }
