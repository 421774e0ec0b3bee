"""Properties of the cash-flow engine over generated contracts (``contract_strategies``)."""

from __future__ import annotations

import numpy as np
from contract_strategies import contracts
from hypothesis import given, settings

from effekt.contract.model import Contract
from effekt.contract.quantity import expected
from effekt.engine.cashflow import CashFlows, cash_flows
from effekt.engine.inputs import expected_inputs


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
