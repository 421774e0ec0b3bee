"""The business case: every party's cash flows per path and period.

``cash_flows(contract, inputs)`` is the one computation path: the deterministic case is
``inputs = expected_inputs(contract)`` (one path), the Monte Carlo passes draws for many
paths. Sign convention: a party's flow is positive when it receives money. The accounts
balance in every period: the parties, the deal account (cash it holds) and the outside
account (the provider's staff and suppliers) sum to zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.contract.parties import PAYING_ROLES
from effekt.engine.delivery import delivery_costs, enrolments, referrals
from effekt.engine.inputs import Inputs
from effekt.engine.outcomes import Outcomes, measured_outcomes
from effekt.engine.payments import RulePayments, rule_payments
from effekt.engine.waterfall import DealFlows, run_waterfall

__all__ = ["DEAL", "OUTSIDE", "CashFlows", "PathFlows", "cash_flows", "path_flows", "payer_shares"]

FloatArray = npt.NDArray[np.float64]
DEAL = "deal"
OUTSIDE = "outside"


@dataclass
class PathFlows:
    """What the Monte Carlo reads of the cash flows, per path and period.

    ``flows`` (paths, accounts, periods) as :attr:`CashFlows.flows`; ``by_payer`` (paths,
    payers, periods) outcome payments by payer; ``gains`` (paths, metrics, periods)
    outcome units gained over the baseline in the period they are measured, summed over
    cohorts with each cohort's gain at least zero. From the compiled engine
    (:mod:`effekt.engine.kernel`) these are views of arrays stored paths-last.
    """

    accounts: list[str]
    flows: FloatArray
    payers: list[str]
    by_payer: FloatArray
    gains: FloatArray

    def flow(self, account: str) -> FloatArray:
        return self.flows[:, self.accounts.index(account)]


@dataclass
class CashFlows:
    """The business case over paths × periods."""

    accounts: list[str]  # party ids, then "deal" and "outside"
    roles: list[str]
    flows: FloatArray  # (P, accounts, T)
    referred: FloatArray  # (P, C, T)
    enrolled: FloatArray  # (P, C, T)
    costs: FloatArray  # (P, T)
    outcomes: dict[str, Outcomes]
    payments: RulePayments
    payments_by_payer: FloatArray  # (P, payers, T)
    payers: list[str]
    deal: DealFlows

    def flow(self, account: str) -> FloatArray:
        return self.flows[:, self.accounts.index(account)]


def path_flows(c: Contract, cf: CashFlows) -> PathFlows:
    """The lines of ``cf`` the Monte Carlo reads (what :mod:`effekt.engine.kernel` computes)."""
    P, _, T = cf.flows.shape
    gains = np.zeros((P, len(c.metrics), T))
    for j, m in enumerate(c.metrics):
        o = cf.outcomes[m.id]
        diff = o.treated - o.baseline if m.direction == "increase" else o.baseline - o.treated
        gains[:, j] = np.maximum(diff, 0.0).sum(axis=1)
    return PathFlows(cf.accounts, cf.flows, cf.payers, cf.payments_by_payer, gains)


def payer_shares(c: Contract, rule_payers: dict[str, float] | None = None) -> dict[str, float]:
    """Who pays a rule: its own payers, else the parties' payer shares (one payer: 100 %)."""
    if rule_payers:
        return dict(rule_payers)
    shares = c.payer_shares()
    if shares:
        return shares
    paying = [p.id for p in c.parties if p.role in PAYING_ROLES]
    return {paying[0]: 1.0} if paying else {}


def _grant_flows(c: Contract, P: int, T: int) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Grants paid into the deal (delivery and outcome top-ups), by funder."""
    into_deal = np.zeros((P, T))
    by_funder: dict[str, FloatArray] = {}
    for g in c.financing.grants:
        if g.purpose == "first_loss":
            continue
        row = np.zeros((P, T))
        row[:, min(g.period, T) - 1] = g.amount
        into_deal += row
        by_funder[g.funder] = by_funder.get(g.funder, np.zeros((P, T))) - row
    return into_deal, by_funder


def cash_flows(
    c: Contract,
    inp: Inputs,
    rng: np.random.Generator | None = None,
    measured: dict[str, Outcomes] | None = None,
    gates_need_measurement: bool = False,
) -> CashFlows:
    """Every party's cash flows, shape (paths, accounts, periods).

    ``measured`` replaces the modelled outcomes of some metrics by measured ones
    (``effekt settle``); everything else is computed the same way.
    ``gates_need_measurement`` closes a cohort gate where nobody was measured (see
    :func:`effekt.engine.payments.rule_payments`).
    """
    referred = referrals(c, inp)
    enrolled = enrolments(c, inp, referred)
    costs = delivery_costs(c, inp, enrolled)
    outcomes = {
        m.id: measured_outcomes(c, inp, j, referred, enrolled, rng) for j, m in enumerate(c.metrics)
    }
    if measured:
        outcomes.update(measured)
    pay = rule_payments(c, inp, outcomes, enrolled, gates_need_measurement)
    P, T = costs.shape
    payers = sorted(
        {pid for r in c.rules for pid in payer_shares(c, r.payers)},
        key=[p.id for p in c.parties].index,
    )
    by_payer = np.zeros((P, len(payers), T))
    for k, r in enumerate(c.rules):
        for pid, share in payer_shares(c, r.payers).items():
            by_payer[:, payers.index(pid)] += share * pay.by_rule[:, k]
    outcome_in = pay.by_rule.sum(axis=1)
    fee_rate = 1 + c.costs.margin
    deferred = c.financing.deferred_fee.share if c.financing.deferred_fee else 0.0
    service_due = costs * fee_rate * (1 - deferred)
    deferred_due = costs * fee_rate * deferred
    deal_fees = [f for f in c.fees if f.paid_by == "deal"]
    fees_due = (
        np.stack([_fee_schedule(c, f, outcome_in) for f in deal_fees], axis=1)
        if deal_fees
        else np.zeros((P, 0, T))
    )
    grants_in, grant_out = _grant_flows(c, P, T)
    deal = run_waterfall(c, outcome_in, service_due, deferred_due, fees_due, grants_in)

    accounts = [p.id for p in c.parties] + [DEAL, OUTSIDE]
    roles = [p.role for p in c.parties] + ["deal", "outside"]
    flows = np.zeros((P, len(accounts), T))
    idx = {a: i for i, a in enumerate(accounts)}
    for pi, pid in enumerate(payers):
        flows[:, idx[pid]] -= by_payer[:, pi]
    total_out = by_payer.sum(axis=1)
    fallback = payer_shares(c)  # where nothing was paid, the excess goes by the payer shares
    for pid in dict.fromkeys([*payers, *fallback]):  # in proportion to what they paid
        paid = by_payer[:, payers.index(pid)].sum(1) if pid in payers else np.zeros(P)
        total = total_out.sum(1)
        paid_share: FloatArray = np.divide(
            paid, total, out=np.full(P, fallback.get(pid, 0.0)), where=total > 0
        )
        flows[:, idx[pid]] += deal.excess_to_payers * paid_share[:, None]
    for k, t in enumerate(c.financing.tranches):
        i = idx[t.investor]
        flows[:, i] += -deal.drawn[:, k] + deal.capital_back[:, k] + deal.returns[:, k]
        flows[:, i] += deal.first_loss_paid[:, k] + deal.guarantee_paid[:, :, k].sum(axis=1)
    for gi, guarantee in enumerate(c.financing.guarantees):
        flows[:, idx[guarantee.guarantor]] -= deal.guarantee_paid[:, gi].sum(axis=1)
    first_loss_total = deal.first_loss_paid.sum(axis=1)
    fl_grants = [g for g in c.financing.grants if g.purpose == "first_loss"]
    fl_amount = sum(g.amount for g in fl_grants)
    for g in fl_grants:
        flows[:, idx[g.funder]] -= first_loss_total * (g.amount / fl_amount if fl_amount else 0.0)
    for funder, row in grant_out.items():
        flows[:, idx[funder]] += row
    provider = next((p.id for p in c.parties if p.role == "provider"), DEAL)
    flows[:, idx[provider]] += (
        deal.service_paid + deal.deferred_paid + deal.excess_to_provider - costs
    )
    flows[:, idx[OUTSIDE]] += costs
    for fi, f in enumerate(deal_fees):
        flows[:, idx[f.party]] += deal.deal_fees_paid[:, fi]
    for f in c.fees:
        if f.paid_by != "deal":
            sched = _fee_schedule(c, f, outcome_in)
            flows[:, idx[f.party]] += sched
            flows[:, idx[f.paid_by]] -= sched
    flows[:, idx[DEAL]] = -flows.sum(axis=1) + flows[:, idx[DEAL]]
    return CashFlows(
        accounts, roles, flows, referred, enrolled, costs, outcomes, pay, by_payer, payers, deal
    )


def _fee_schedule(c: Contract, f: object, outcome_in: FloatArray) -> FloatArray:
    """upfront in from_period; per_period from from_period to to_period; a share of outcome payments."""
    from effekt.contract.financing import Fee

    assert isinstance(f, Fee)
    P, T = outcome_in.shape
    t = np.arange(T)
    first, last = f.from_period - 1, (f.to_period or c.term_periods) - 1
    row = np.where((t >= first) & (t <= last), f.per_period, 0.0)
    row[min(first, T - 1)] += f.upfront
    return np.broadcast_to(row, (P, T)) + f.share_of_outcome_payments * outcome_in
