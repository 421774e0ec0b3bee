"""Properties of the cash-flow engine over generated contracts.

The strategy builds whole contracts as plain dicts — cohorts, metrics of every kind, rules
of every kind referring to them, tranches, guarantees, grants, fees, caps, lags and the
drawdown and distribution modes — valid by construction (payer shares sum to 1, tiers
ascend, periods lie in the term, references name what exists), and validates them with
``Contract.model_validate``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from effekt.contract.model import Contract
from effekt.contract.quantity import expected
from effekt.engine.cashflow import CashFlows, cash_flows
from effekt.engine.inputs import expected_inputs

Draw = st.DrawFn
RULE_KINDS = ["rate_card", "threshold", "tiers", "savings_share", "gate", "activity_fee"]
MEASURES = ["relative_reduction", "relative_increase", "absolute_difference", "level"]


def _money(draw: Draw, high: int = 1_000_000) -> int:
    return draw(st.integers(0, high))


def _share(draw: Draw) -> float:
    return draw(
        st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]) | st.floats(0, 1, allow_subnormal=False)
    )


def _parties(draw: Draw) -> list[dict[str, Any]]:
    payers = draw(st.integers(1, 2))
    split = draw(st.sampled_from([0.5, 0.7, 0.3]) | st.floats(0, 1, allow_subnormal=False))
    parties: list[dict[str, Any]] = [
        {"id": "kommun", "role": "commissioner", "payer_share": split if payers == 2 else 1.0}
    ]
    if payers == 2:
        parties.append({"id": "region", "role": "outcome_fund", "payer_share": 1 - split})
    parties.append({"id": "utforare", "role": "provider"})
    for i in range(draw(st.integers(0, 2))):
        parties.append({"id": f"inv{i}", "role": "investor"})
    parties += [
        {"id": "stat", "role": "guarantor"},
        {"id": "fonden", "role": "grant_funder"},
        {"id": "mellanhand", "role": "intermediary"},
    ]
    return parties


def _cohorts(draw: Draw, term: int) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(1, 3))):
        start = draw(st.integers(1, term))
        out.append(
            {
                "id": f"c{i}",
                "start_period": start,
                "size": draw(st.integers(0, 400)),
                "referral_periods": draw(st.integers(1, term - start + 1)),
                "engagement": _share(draw),
            }
        )
    return out


def _metrics(draw: Draw, term: int) -> list[dict[str, Any]]:
    out = []
    for j in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["binary", "count", "duration", "continuous"]))
        high = {"binary": 1.0, "count": 5.0, "duration": 200.0, "continuous": 1000.0}[kind]
        out.append(
            {
                "id": f"m{j}",
                "definition": "generated",
                "kind": kind,
                "direction": draw(st.sampled_from(["increase", "decrease"])),
                "population": draw(st.sampled_from(["referred", "engaged"])),
                "lag_periods": draw(st.integers(0, term)),
                "counterfactual": "historical_baseline",
                "expected": draw(st.floats(0, high, allow_subnormal=False)),
                "baseline": draw(st.floats(0, high, allow_subnormal=False)),
            }
        )
    return out


def _rule(
    draw: Draw, k: int, term: int, cohorts: list[str], metrics: list[str], payers: list[str]
) -> dict[str, Any]:
    kind = draw(st.sampled_from(RULE_KINDS))
    r: dict[str, Any] = {"id": f"r{k}", "kind": kind}
    if kind != "activity_fee":
        r["metric"] = draw(st.sampled_from(metrics))
    if draw(st.booleans()):
        r["cohorts"] = draw(st.lists(st.sampled_from(cohorts), min_size=1, unique=True))
    if draw(st.integers(0, 3)) == 0:
        r["cap"] = _money(draw, 200_000)
    if draw(st.booleans()):
        r["payment_lag_periods"] = draw(st.integers(0, 3))
    if len(payers) == 2 and draw(st.booleans()):
        s = _share(draw)
        r["payers"] = {payers[0]: s, payers[1]: 1 - s}
    measure = draw(st.sampled_from(MEASURES))
    scope = draw(st.sampled_from(["cohort", "all_cohorts"]))
    if kind == "rate_card":
        r["price"] = _money(draw, 50_000)
        r["above_baseline"] = draw(st.booleans())
        if draw(st.booleans()):
            r["max_per_participant"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
    elif kind == "threshold":
        r |= {
            "measure": measure,
            "scope": scope,
            "threshold": draw(st.floats(-0.5, 1.5, allow_subnormal=False)),
        }
        r |= {"amount": _money(draw, 500_000), "price": _money(draw, 20_000)}
    elif kind == "tiers":
        edges = sorted(
            draw(
                st.lists(
                    st.floats(-0.5, 1.5, allow_subnormal=False), min_size=1, max_size=3, unique=True
                )
            )
        )
        r |= {"measure": measure, "scope": scope}
        r["tiers"] = [
            {"from_effect": e, "amount": _money(draw, 300_000), "price": _money(draw, 5_000)}
            for e in edges
        ]
    elif kind == "savings_share":
        r |= {"share": _share(draw), "saving_per_outcome": _money(draw, 10_000)}
    elif kind == "gate":
        r |= {
            "measure": measure,
            "scope": scope,
            "threshold": draw(st.floats(-0.5, 1.5, allow_subnormal=False)),
        }
    else:
        first = draw(st.integers(1, term))
        r |= {"per_participant": _money(draw, 5_000), "per_period": _money(draw, 50_000)}
        r |= {"from_period": first, "to_period": draw(st.integers(first, term))}
    return r


def _link_rules(draw: Draw, rules: list[dict[str, Any]]) -> None:
    """Gates guard other rules; thresholds may be net of other rules."""
    ids = [r["id"] for r in rules]
    for r in rules:
        others = [i for i in ids if i != r["id"]]
        if r["kind"] == "gate":
            r["applies_to"] = (
                draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
                if others
                else [r["id"] + "x"]
            )
        elif r["kind"] == "threshold" and others and draw(st.booleans()):
            r["net_of"] = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
    # a lone gate cannot guard anything: make it pay an activity fee instead
    for r in rules:
        if r["kind"] == "gate" and r["applies_to"] == [r["id"] + "x"]:
            r.clear()
            r |= {"id": "r0", "kind": "activity_fee", "per_period": 1_000}


def _financing(draw: Draw, term: int, investors: list[str]) -> dict[str, Any]:
    fin: dict[str, Any] = {
        "drawdown": draw(st.sampled_from(["as_needed", "upfront"])),
        "distribution": draw(st.sampled_from(["when_received", "at_end"])),
        "recycle_outcome_payments": draw(st.booleans()),
    }
    to_payers = _share(draw)
    fin["excess_sharing"] = {"payers": to_payers, "provider": (1 - to_payers) * _share(draw)}
    tranches = []
    for i in range(draw(st.integers(0, 3)) if investors else 0):
        t: dict[str, Any] = {
            "id": f"t{i}",
            "investor": draw(st.sampled_from(investors)),
            "seniority": draw(st.sampled_from(["senior", "junior"])),
            "commitment": _money(draw, 2_000_000),
        }
        if draw(st.booleans()):
            t["return_cap"] = draw(st.sampled_from([0.0, 0.05, 0.1, 0.3]))
        tranches.append(t)
    fin["tranches"] = tranches
    fin["guarantees"] = [
        {
            "guarantor": "stat",
            "tranche": draw(st.sampled_from([None] + [t["id"] for t in tranches])),
            "share_of_capital": _share(draw),
            "cap": draw(st.none() | st.integers(0, 500_000)),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    fin["grants"] = [
        {
            "funder": "fonden",
            "amount": _money(draw, 500_000),
            "period": draw(st.integers(1, term)),
            "purpose": draw(st.sampled_from(["delivery", "first_loss", "outcome_top_up"])),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    if draw(st.booleans()):
        fin["deferred_fee"] = {"share": _share(draw)}
    return fin


def _fees(draw: Draw, term: int, payers: list[str]) -> list[dict[str, Any]]:
    fees = []
    for _ in range(draw(st.integers(0, 2))):
        first = draw(st.integers(1, term))
        fees.append(
            {
                "party": "mellanhand",
                "kind": draw(st.sampled_from(["management", "evaluation", "other"])),
                "per_period": _money(draw, 20_000),
                "upfront": _money(draw, 50_000),
                "share_of_outcome_payments": draw(st.sampled_from([0.0, 0.02, 0.1])),
                "from_period": first,
                "to_period": draw(st.integers(first, term)),
                "paid_by": draw(st.sampled_from(["deal", *payers])),
            }
        )
    return fees


@st.composite
def contracts(draw: Draw) -> Contract:
    """A whole contract, valid by construction."""
    term = draw(st.integers(2, 12))
    parties = _parties(draw)
    payers = [p["id"] for p in parties if p.get("payer_share") is not None]
    investors = [p["id"] for p in parties if p["role"] == "investor"]
    cohorts = _cohorts(draw, term)
    metrics = _metrics(draw, term)
    rules = [
        _rule(draw, k, term, [c["id"] for c in cohorts], [m["id"] for m in metrics], payers)
        for k in range(draw(st.integers(1, 5)))
    ]
    _link_rules(draw, rules)
    payment: dict[str, Any] = {
        "payment_lag_periods": draw(st.integers(0, 3)),
        "decision_basis": draw(
            st.sampled_from(
                ["point_estimate", "lower_confidence_bound", "significance_and_point_estimate"]
            )
        ),
    }
    if draw(st.booleans()):
        payment["cap"] = _money(draw, 2_000_000)
    if draw(st.booleans()):
        payment["indexation"] = {
            "series": "fixed",
            "base_year": 2020,
            "rate": draw(st.sampled_from([0.0, 0.02, 0.1])),
        }
    data = {
        "format_version": 1,
        "id": "generated",
        "currency": "SEK",
        "start": "2020-01-01",
        "period": draw(st.sampled_from(["month", "quarter", "half_year", "year"])),
        "term_periods": term,
        "parties": parties,
        "cohorts": cohorts,
        "costs": {
            "setup": _money(draw, 200_000),
            "fixed_per_period": _money(draw, 100_000),
            "per_participant": _money(draw, 20_000),
            "delivery_periods": draw(st.integers(1, 4)),
            "margin": draw(st.sampled_from([0.0, 0.1, 0.25])),
        },
        "metrics": metrics,
        "rules": rules,
        "payment": payment,
        "financing": _financing(draw, term, investors),
        "fees": _fees(draw, term, payers),
    }
    return Contract.model_validate(data)


def _run(c: Contract) -> tuple[CashFlows, float]:
    cf = cash_flows(c, expected_inputs(c))
    scale = max(1.0, float(np.abs(cf.flows).max()), float(np.abs(cf.payments.by_rule).sum()))
    return cf, scale


PROPERTY = settings(max_examples=100, deadline=None)


@PROPERTY
@given(c=contracts())
def test_every_period_balances_and_the_deal_ends_with_no_cash(c: Contract) -> None:
    cf, scale = _run(c)
    assert np.isfinite(cf.flows).all()
    assert np.abs(cf.flows.sum(axis=1)).max() < 1e-6 * scale
    deal = cf.flow("deal")[0]
    # the deal account's flows accumulate to the cash it holds, which is never negative
    assert np.allclose(np.cumsum(deal), cf.deal.cash[0], rtol=0, atol=1e-6 * scale)
    assert (cf.deal.cash[0] >= -1e-6 * scale).all()
    assert abs(deal.sum()) < 1e-6 * scale


@PROPERTY
@given(c=contracts())
def test_payments_are_never_negative_and_never_exceed_the_caps(c: Contract) -> None:
    cf, scale = _run(c)
    tol = 1e-6 * scale
    by_rule = cf.payments.by_rule[0]
    assert (by_rule >= -tol).all()
    for k, r in enumerate(c.rules):
        if r.cap is not None:
            assert by_rule[k].sum() <= r.cap + tol
    if c.payment.cap is not None:
        assert by_rule.sum() <= c.payment.cap + tol
    d = cf.deal
    for part in (d.drawn, d.capital_back, d.returns, d.service_paid, d.deferred_paid):
        assert (part >= -tol).all()
    for part in (d.deal_fees_paid, d.excess_to_payers, d.excess_to_provider):
        assert (part >= -tol).all()
    for part in (d.first_loss_paid, d.guarantee_paid):
        assert (part >= -tol).all()


@PROPERTY
@given(c=contracts())
def test_outcomes_never_exceed_the_cohort(c: Contract) -> None:
    cf, _ = _run(c)
    sizes = np.array([expected(co.size) for co in c.cohorts])
    assert (cf.referred[0].sum(axis=-1) <= sizes + 1e-9).all()
    assert (cf.enrolled[0] <= cf.referred[0] + 1e-9).all()
    for m in c.metrics:
        o = cf.outcomes[m.id]
        assert (o.measured[0].sum(axis=-1) <= sizes + 1e-9).all()
        if m.kind == "binary":
            assert (o.treated <= o.measured + 1e-9).all()
            assert (o.baseline <= o.measured + 1e-9).all()


@PROPERTY
@given(c=contracts())
def test_investors_get_back_at_most_the_capital_they_drew(c: Contract) -> None:
    cf, scale = _run(c)
    tol = 1e-6 * scale
    d = cf.deal
    drawn = d.drawn[0].sum(axis=-1)
    commitments = np.array([t.commitment for t in c.financing.tranches])
    assert (drawn <= commitments + tol).all()
    assert (d.capital_back[0].sum(axis=-1) <= drawn + tol).all()
    made_good = d.first_loss_paid[0].sum(axis=-1) + d.guarantee_paid[0].sum(axis=(0, 2))
    assert (d.capital_back[0].sum(axis=-1) + made_good <= drawn + tol).all()
