"""Use case: the deterministic business case of a contract (``effekt model``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from effekt.contract.model import Contract
from effekt.contract.parties import RISKING_ROLES
from effekt.engine.cashflow import CashFlows, cash_flows
from effekt.engine.finance import (
    npv,
    party_returns,
    payback_period,
    peak_cash_need,
    period_rate,
)
from effekt.engine.inputs import expected_inputs

__all__ = ["business_case", "business_case_json", "unpaid_at_end"]


def business_case(c: Contract) -> CashFlows:
    """The business case at expected values: one path of the same engine the Monte Carlo runs."""
    return cash_flows(c, expected_inputs(c))


def _cents(x: Any) -> float:
    """An amount to öre or pence; never −0 (a zero is a zero whatever its sign)."""
    return round(float(x), 2) + 0.0


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 6)


def _party_rate(c: Contract, account: str) -> float:
    p = next((p for p in c.parties if p.id == account), None)
    rate = p.discount_rate if p is not None and p.discount_rate is not None else None
    return c.default_discount_rate if rate is None else rate


def unpaid_at_end(c: Contract, cf: CashFlows) -> dict[str, float]:
    """What each party is still owed by the deal at the end of the term (first path): the
    provider its service and deferred fee, each deal-paid fee's party its fee."""
    owed = dict.fromkeys(cf.accounts, 0.0)
    provider = next((p.id for p in c.parties if p.role == "provider"), None)
    if provider is not None:
        owed[provider] += float(cf.deal.provider_unpaid[0])
    deal_fees = [f for f in c.fees if f.paid_by == "deal"]
    for fi, f in enumerate(deal_fees):
        owed[f.party] += float(cf.deal.deal_fees_unpaid[0, fi])
    return owed


def business_case_json(c: Contract, cf: CashFlows | None = None) -> dict[str, Any]:
    """The business case as JSON: parties with flows, NPV, IRR, MOIC; periods; totals."""
    cf = cf or business_case(c)
    unpaid = unpaid_at_end(c, cf)
    m = c.periods_per_year
    dates = c.period_dates()
    parties: dict[str, Any] = {}
    for i, (account, role) in enumerate(zip(cf.accounts, cf.roles, strict=True)):
        flows = cf.flows[:, i]
        rate = _party_rate(c, account)
        # IRR, XIRR and multiple: only for money put at risk, and put in first
        returns = party_returns(flows, m, role in RISKING_ROLES, c.flow_dates())
        r, mo, x = returns.irr, returns.moic, returns.xirr
        assert x is not None
        pb = payback_period(flows)
        entry: dict[str, Any] = {
            "role": role,
            "cash_flows": [_cents(v) for v in flows[0]],
            "total": _cents(flows[0].sum()),
            "discount_rate": rate,
            "npv": _num(float(npv(period_rate(rate, m), flows)[0])),
            "irr": _num(float(r.rate[0])),
            "moic": _num(float(mo.value[0])),
            "payback_period": None
            if not math.isfinite(float(pb.value[0]))
            else int(pb.value[0]) + 1,
            "peak_cash_need": _num(float(peak_cash_need(flows)[0])),
            # owed by the deal and unpaid when the term ends: the deal had no cash left
            "unpaid_at_end": _cents(unpaid[account]),
        }
        if entry["irr"] is None:
            entry["irr_reason"] = str(r.reason[0])
        entry["xirr"] = _num(float(x.rate[0]))
        if entry["xirr"] is None:
            entry["xirr_reason"] = str(x.reason[0])
        if entry["moic"] is None:
            entry["moic_reason"] = str(mo.reason[0])
        if entry["payback_period"] is None:
            entry["payback_period_reason"] = str(pb.reason[0])
        parties[account] = entry
    by_year: dict[str, dict[str, float]] = {}
    for pi, payer in enumerate(cf.payers):
        # a flow at the end of a period belongs to the budget year of that period
        for t, year in enumerate(c.budget_years(c.party(payer).budget_year_start_month)):
            row = by_year.setdefault(year, {})
            row[payer] = _cents(row.get(payer, 0.0) + float(cf.payments_by_payer[0, pi, t]))
    tranches = []
    for k, tr in enumerate(c.financing.tranches):
        tranches.append(
            {
                "id": tr.id or tr.investor,
                "investor": tr.investor,
                "seniority": tr.seniority,
                "drawn": _cents(cf.deal.drawn[0, k].sum()),
                "capital_returned": _cents(cf.deal.capital_back[0, k].sum()),
                "returns": _cents(cf.deal.returns[0, k].sum()),
                "guarantee_and_first_loss": _cents(
                    cf.deal.guarantee_paid[0, :, k].sum() + cf.deal.first_loss_paid[0, k].sum()
                ),
            }
        )
    return {
        "contract": c.id,
        "currency": c.currency,
        "periods": [{"period": t + 1, "start": d.isoformat()} for t, d in enumerate(dates)],
        "parties": parties,
        "rules": {
            c.rule_id(k): _cents(cf.payments.by_rule[0, k].sum()) for k in range(len(c.rules))
        },
        "outcome_payments_by_year": by_year,
        "tranches": tranches,
        "totals": {
            # every rule's payments, activity fees included (they are named apart below)
            "outcome_payments": _cents(cf.payments.by_rule[0].sum()),
            "activity_fees": _cents(
                sum(
                    cf.payments.by_rule[0, k].sum()
                    for k, r in enumerate(c.rules)
                    if r.kind == "activity_fee"
                )
            ),
            "outcome_payments_before_cap": _cents(np.sum(cf.payments.uncapped_total[0]))
            if cf.payments.uncapped_total is not None
            else None,
            "capital_drawn": _cents(cf.deal.drawn[0].sum()),
            "delivery_costs": _cents(cf.costs[0].sum()),
            "referred": _cents(cf.referred[0].sum()),
            "enrolled": _cents(cf.enrolled[0].sum()),
            "unpaid_at_end": _cents(sum(unpaid.values())),
        },
    }
