"""The deal account: drawdowns, delivery, fees and the distribution waterfall.

Period by period (a loop over periods, vectorised over paths): outcome payments and
grants come in; the provider's service fee and the deal's fees go out, funded first by
cash in hand (recycled outcome payments) and then by drawing on the tranches pro rata to
what remains of their commitments. A deal fee that cannot be paid when due is carried
forward: added to what that fee is due the next period, paid pro rata with the other fees
as soon as there is cash. Cash above what is still needed is distributed:

1. capital back to the senior tranches (pro rata among them), then the junior (first loss);
2. the provider's deferred fee, and the service fee that could not be paid when due; in the
   last period, pro rata with them, what the deal's fees are still owed;
3. returns up to each tranche's cap (accrued on outstanding capital), senior first;
4. the excess — held in the deal until the last period, because capital may still be
   drawn and lost — then ``excess_sharing.payers`` back to the payers, ``.provider`` to
   the provider, the rest to uncapped tranches (or pro rata to all) by capital drawn.

At the end, a first-loss grant and then guarantees make good lost capital. What the
provider (its service and deferred fee) and the deal's fees are still owed when the last
period's distribution has run out is kept, unpaid (``provider_unpaid``, ``deal_fees_unpaid``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.engine.finance import period_rate

__all__ = ["DealFlows", "run_waterfall"]

FloatArray = npt.NDArray[np.float64]


@dataclass
class DealFlows:
    """Every flow through the deal account, per path and period (tranches on axis 1)."""

    drawn: FloatArray  # (P, K, T)
    capital_back: FloatArray  # (P, K, T)
    returns: FloatArray  # (P, K, T) returns incl. excess to investors
    service_paid: FloatArray  # (P, T) paid to the provider (non-deferred part)
    deferred_paid: FloatArray  # (P, T)
    deal_fees_paid: FloatArray  # (P, F, T) deal-paid fees
    excess_to_payers: FloatArray  # (P, T)
    excess_to_provider: FloatArray  # (P, T)
    first_loss_paid: FloatArray  # (P, K, T) from first-loss grants
    guarantee_paid: FloatArray  # (P, G, K, T)
    cash: FloatArray  # (P, T) cash held at the end of each period
    provider_unpaid: FloatArray  # (P,) service and deferred fee still owed at the end
    deal_fees_unpaid: FloatArray  # (P, F) deal-paid fees still owed at the end


def _pay_by_rank(
    available: FloatArray, claims: FloatArray, rank: npt.NDArray[np.int64]
) -> tuple[FloatArray, FloatArray]:
    """Pay claims (P, K) rank by rank (senior 0 before junior 1), pro rata within a rank."""
    paid = np.zeros_like(claims)
    for r in np.unique(rank):
        in_rank = rank == r
        part, available = _pro_rata(available, np.where(in_rank, claims, 0.0))
        paid += part
    return paid, available


def _pro_rata(available: FloatArray, claims: FloatArray) -> tuple[FloatArray, FloatArray]:
    total = claims.sum(axis=1)
    ratio = np.where(total > 0, np.minimum(available / np.where(total > 0, total, 1), 1.0), 0.0)
    paid = claims * ratio[:, None]
    return paid, available - paid.sum(axis=1)


def run_waterfall(
    c: Contract,
    outcome_in: FloatArray,
    service_due: FloatArray,
    deferred_due: FloatArray,
    deal_fees_due: FloatArray,
    grants_in: FloatArray,
) -> DealFlows:
    """Run the deal account over the term. Inputs are (P, T) except fees (P, F, T)."""
    fin = c.financing
    P, T = outcome_in.shape
    K = len(fin.tranches)
    m = c.periods_per_year
    commit = np.array([t.commitment for t in fin.tranches], dtype=np.float64)
    cap_rate = np.array(
        [
            float(period_rate(t.return_cap, m)) if t.return_cap is not None else 0.0
            for t in fin.tranches
        ]
    )
    uncapped = np.array([t.return_cap is None for t in fin.tranches], dtype=bool)
    rank = np.array([0 if t.seniority == "senior" else 1 for t in fin.tranches], dtype=np.int64)
    shape = (P, K, T)
    drawn, back, ret = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    service_paid, deferred_paid = np.zeros((P, T)), np.zeros((P, T))
    fees_paid = np.zeros_like(deal_fees_due)
    fees_due = deal_fees_due.copy()  # gains each period's unpaid part the next period
    ex_pay, ex_prov, cash_t = np.zeros((P, T)), np.zeros((P, T)), np.zeros((P, T))
    need_t = service_due + deal_fees_due.sum(axis=1)
    future_need = np.cumsum(need_t[:, ::-1], axis=1)[:, ::-1] - need_t  # needs after t
    cash = np.zeros(P)
    undrawn = np.broadcast_to(commit, (P, K)).copy()
    outstanding = np.zeros((P, K))
    accrued = np.zeros((P, K))
    deferred_owed = np.zeros(P)
    fees_owed = np.zeros(deal_fees_due.shape[:2])  # (P, F) still owed after the last period
    pot = np.zeros(P)  # outcome payments that may not fund delivery (no recycling)
    for t in range(T):
        cash = cash + outcome_in[:, t] + grants_in[:, t]
        if not fin.recycle_outcome_payments:
            pot = pot + outcome_in[:, t]
        accrued += outstanding * cap_rate
        if fin.drawdown == "upfront" and t == 0:
            draw = undrawn.copy()
        else:
            need = service_due[:, t] + fees_due[:, :, t].sum(axis=1)  # with fees carried
            short = np.maximum(need - (cash - pot), 0.0)
            draw, _ = _pro_rata(short, undrawn)
        undrawn -= draw
        outstanding += draw
        drawn[:, :, t] = draw
        cash = cash + draw.sum(axis=1)
        # pay the provider first, then the deal's fees
        free = cash - pot
        paid_service = np.minimum(free, service_due[:, t])
        free -= paid_service
        service_paid[:, t] = paid_service
        # what cannot be paid when due is owed, as the deferred fee is (not lost)
        deferred_owed += service_due[:, t] - paid_service
        fee_paid, free = _pro_rata(free, fees_due[:, :, t])
        fees_paid[:, :, t] = fee_paid
        last = t == T - 1
        if not last:  # what cannot be paid when due is carried forward (not lost)
            fees_due[:, :, t + 1] += fees_due[:, :, t] - fee_paid
        cash = free + pot
        deferred_owed += deferred_due[:, t]
        # distribute what is not needed later
        if fin.distribution == "at_end" and not last:
            cash_t[:, t] = cash
            continue
        reserve = np.zeros(P) if last else future_need[:, t]  # hold what delivery still needs
        # only recyclable cash is held for delivery; the pot is distributed as received
        avail = pot + np.maximum(cash - pot - reserve, 0.0)
        start = avail.copy()
        cap_back, avail = _pay_by_rank(avail, outstanding, rank)
        back[:, :, t] = cap_back
        outstanding -= cap_back
        if last:  # the provider's owed fee and the deal's fees still owed, pro rata
            owed = np.concatenate([deferred_owed[:, None], fees_due[:, :, t] - fee_paid], axis=1)
            owed_paid, avail = _pro_rata(avail, owed)
            dpaid = owed_paid[:, 0]
            fees_paid[:, :, t] += owed_paid[:, 1:]
            fees_owed = owed[:, 1:] - owed_paid[:, 1:]
        else:
            dpaid = np.minimum(avail, deferred_owed)
            avail -= dpaid
        deferred_owed -= dpaid
        deferred_paid[:, t] = dpaid
        rpaid, avail = _pay_by_rank(avail, accrued, rank)
        accrued -= rpaid
        ret[:, :, t] = rpaid
        if not last:
            # what is left after capital, the deferred fee and capped returns is held in
            # the deal until the end: later capital may still be drawn and lost
            cash -= start - avail
            pot = np.maximum(pot - (start - avail), 0.0)
            cash_t[:, t] = cash
            continue
        if uncapped.any():
            weights = np.where(uncapped, drawn.sum(axis=2), 0.0)
            share, avail = _pro_rata_weights(avail, weights)
            ret[:, :, t] += share
        if last:  # what undrawn uncapped tranches cannot take
            to_payers = avail * fin.excess_sharing.payers
            to_provider = avail * fin.excess_sharing.provider
            rest = avail - to_payers - to_provider
            ex_pay[:, t], ex_prov[:, t] = to_payers, to_provider
            share, rest = _pro_rata_weights(rest, drawn.sum(axis=2))
            ret[:, :, t] += share
            ex_pay[:, t] += rest  # with no investors the rest also returns to the payers
            avail = np.zeros(P)
        cash -= start - avail
        pot = np.maximum(pot - (start - avail), 0.0)
        cash_t[:, t] = cash
    first_loss, guarantees = _make_good(c, drawn, back, P, K, T)
    return DealFlows(
        drawn,
        back,
        ret,
        service_paid,
        deferred_paid,
        fees_paid,
        ex_pay,
        ex_prov,
        first_loss,
        guarantees,
        cash_t,
        np.maximum(deferred_owed, 0.0),  # what the last period's distribution could not pay
        np.maximum(fees_owed, 0.0),
    )


def _pro_rata_weights(available: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    total = weights.sum(axis=1)
    share = np.where(
        total[:, None] > 0,
        available[:, None] * weights / np.where(total > 0, total, 1)[:, None],
        0.0,
    )
    return share, available - share.sum(axis=1)


def _make_good(
    c: Contract, drawn: FloatArray, back: FloatArray, P: int, K: int, T: int
) -> tuple[FloatArray, FloatArray]:
    """First-loss grants, then guarantees, cover capital not returned, in the last period."""
    fin = c.financing
    lost = np.maximum(drawn.sum(axis=2) - back.sum(axis=2), 0.0)  # (P, K)
    first_loss = np.zeros((P, K, T))
    pool = np.full(P, sum(g.amount for g in fin.grants if g.purpose == "first_loss"))
    rank = np.array([0 if t.seniority == "senior" else 1 for t in fin.tranches], dtype=np.int64)
    if pool.any():
        cover, _ = _pay_by_rank(pool, lost, rank)
        first_loss[:, :, T - 1] = cover
        lost = lost - cover
    ids = [t.id or t.investor for t in fin.tranches]
    guarantees = np.zeros((P, len(fin.guarantees), K, T))
    for gi, g in enumerate(fin.guarantees):
        covered = np.array([g.tranche is None or g.tranche == i for i in ids], dtype=bool)
        promised = g.share_of_capital * drawn.sum(axis=2) * covered
        pay = np.minimum(lost, promised)
        if g.cap is not None:
            total = pay.sum(axis=1)
            scale = np.ones_like(total)  # the cap scales pay down only where it binds
            over = total > g.cap
            scale[over] = g.cap / total[over]
            pay = pay * scale[:, None]
        guarantees[:, gi, :, T - 1] = pay
        lost = lost - pay
    return first_loss, guarantees
