"""The deal account and every party's flows for a block of paths (compiled).

Mirrors :func:`effekt.engine.waterfall.run_waterfall` (drawdowns, the provider's fee,
the deal's fees, the distribution waterfall, first-loss grants and guarantees) and the
accounts of :func:`effekt.engine.cashflow.cash_flows`.
"""

from __future__ import annotations

from effekt.engine.kernel.jit import Floats, Ints, jit
from effekt.engine.kernel.plan import KernelPlan

__all__ = ["accounts", "make_good", "waterfall"]


@jit
def pro_rata(
    avail: Floats,
    claims: Floats,
    paid: Floats,
    K: int,
    rank: Ints,
    want: int,
    n: int,
    total: Floats,
) -> None:
    """_pro_rata over the claims of rank ``want`` (−1: all): ``paid``; ``avail`` less it."""
    for b in range(n):
        total[b] = 0.0
    for k in range(K):
        if want < 0 or rank[k] == want:
            for b in range(n):
                total[b] += claims[k, b]
    for b in range(n):
        total[b] = min(avail[b] / total[b], 1.0) if total[b] > 0 else 0.0  # the ratio
    for k in range(K):
        if want < 0 or rank[k] == want:
            for b in range(n):
                paid[k, b] = claims[k, b] * total[b]
        else:
            for b in range(n):
                paid[k, b] = 0.0
    for b in range(n):
        total[b] = 0.0
    for k in range(K):
        for b in range(n):
            total[b] += paid[k, b]
    for b in range(n):
        avail[b] = avail[b] - total[b]


@jit
def by_rank(
    avail: Floats,
    claims: Floats,
    paid: Floats,
    K: int,
    rank: Ints,
    n: int,
    part: Floats,
    total: Floats,
) -> None:
    """_pay_by_rank: senior claims first, then junior, pro rata within a rank."""
    paid[:K, :n] = 0.0
    for r in range(2):
        present = False
        for k in range(K):
            if rank[k] == r:
                present = True
        if present:
            pro_rata(avail, claims, part, K, rank, r, n, total)
            for k in range(K):
                for b in range(n):
                    paid[k, b] += part[k, b]


@jit
def shares(avail: Floats, weights: Floats, share: Floats, K: int, n: int, total: Floats) -> None:
    """_pro_rata_weights: ``avail`` shared by weight; ``avail`` becomes what is left."""
    for b in range(n):
        total[b] = 0.0
    for k in range(K):
        for b in range(n):
            total[b] += weights[k, b]
    for k in range(K):
        for b in range(n):
            share[k, b] = avail[b] * weights[k, b] / total[b] if total[b] > 0 else 0.0
    for b in range(n):
        total[b] = 0.0
    for k in range(K):
        for b in range(n):
            total[b] += share[k, b]
    for b in range(n):
        avail[b] = avail[b] - total[b]


@jit
def waterfall(
    pl: KernelPlan,
    n: int,
    outcome_in: Floats,
    service_due: Floats,
    deferred_due: Floats,
    fees_due: Floats,
    fees_paid: Floats,
    deal: Floats,
    kw: Floats,
    v: Floats,
) -> None:
    """run_waterfall for a block. ``deal`` rows: 0 service paid, 1 deferred paid, 2 excess
    to payers, 3 excess to the provider, then per tranche k: 4 + 3k drawn, 5 + 3k capital
    back, 6 + 3k returns. ``kw`` rows 0 and 1 end as each tranche's drawn and repaid total.
    ``fees_due`` gains, each period, what the fees could not be paid the period before."""
    T = pl.T
    K = pl.commit.shape[0]
    Fd = pl.dfee_row.shape[0]
    drawn_tot, back_tot, undrawn, outstanding = kw[0], kw[1], kw[2], kw[3]
    accrued, draw, part, paid, weights = kw[4], kw[5], kw[6], kw[7], kw[8]
    cash, pot, owed, avail, start = v[0], v[1], v[2], v[3], v[4]
    total, acc, need = v[5], v[6], v[7]
    any_uncapped = False
    for k in range(K):
        any_uncapped = any_uncapped or pl.uncapped[k] == 1
    for k in range(K):
        for b in range(n):
            undrawn[k, b] = pl.commit[k]
            outstanding[k, b] = 0.0
            accrued[k, b] = 0.0
            drawn_tot[k, b] = 0.0
            back_tot[k, b] = 0.0
    for b in range(n):
        cash[b] = 0.0
        pot[b] = 0.0
        owed[b] = 0.0
        acc[b] = 0.0
    # what delivery still needs after each period (row 0 until service paid replaces it)
    for t in range(T - 1, -1, -1):
        for b in range(n):
            total[b] = 0.0
        for f in range(Fd):
            for b in range(n):
                total[b] += fees_due[f, t, b]
        for b in range(n):
            x = service_due[t, b] + total[b]
            acc[b] += x
            deal[0, t, b] = acc[b] - x
    for t in range(T):
        last = t == T - 1
        for b in range(n):
            total[b] = 0.0
        for f in range(Fd):
            for b in range(n):
                total[b] += fees_due[f, t, b]
        for b in range(n):
            need[b] = service_due[t, b] + total[b]
            acc[b] = deal[0, t, b]  # the future need
            cash[b] = cash[b] + outcome_in[t, b] + pl.grants_in[t]
            if pl.recycle == 0:
                pot[b] = pot[b] + outcome_in[t, b]
        for k in range(K):
            for b in range(n):
                accrued[k, b] += outstanding[k, b] * pl.cap_rate[k]
        if pl.upfront == 1 and t == 0:
            for k in range(K):
                for b in range(n):
                    draw[k, b] = undrawn[k, b]
        else:
            for b in range(n):
                avail[b] = max(need[b] - (cash[b] - pot[b]), 0.0)  # the shortfall
            pro_rata(avail, undrawn, draw, K, pl.rank, -1, n, total)
        for b in range(n):
            total[b] = 0.0
        for k in range(K):
            for b in range(n):
                undrawn[k, b] -= draw[k, b]
                outstanding[k, b] += draw[k, b]
                deal[4 + 3 * k, t, b] = draw[k, b]
                drawn_tot[k, b] += draw[k, b]
                total[b] += draw[k, b]
        for b in range(n):
            cash[b] = cash[b] + total[b]
            free = cash[b] - pot[b]
            paid_service = min(free, service_due[t, b])
            deal[0, t, b] = paid_service
            avail[b] = free - paid_service
            owed[b] += service_due[t, b] - paid_service  # unpaid when due: owed
        # the deal's fees, pro rata
        for b in range(n):
            total[b] = 0.0
        for f in range(Fd):
            for b in range(n):
                total[b] += fees_due[f, t, b]
        for b in range(n):
            total[b] = min(avail[b] / total[b], 1.0) if total[b] > 0 else 0.0
        for f in range(Fd):
            for b in range(n):
                fees_paid[f, t, b] = fees_due[f, t, b] * total[b]
        if not last:  # unpaid when due: carried forward
            for f in range(Fd):
                for b in range(n):
                    fees_due[f, t + 1, b] += fees_due[f, t, b] - fees_paid[f, t, b]
        for b in range(n):
            total[b] = 0.0
        for f in range(Fd):
            for b in range(n):
                total[b] += fees_paid[f, t, b]
        for b in range(n):
            cash[b] = (avail[b] - total[b]) + pot[b]
            owed[b] += deferred_due[t, b]
            deal[1, t, b] = 0.0
            deal[2, t, b] = 0.0
            deal[3, t, b] = 0.0
        for k in range(K):
            for b in range(n):
                deal[5 + 3 * k, t, b] = 0.0
                deal[6 + 3 * k, t, b] = 0.0
        if pl.at_end == 1 and not last:
            continue
        for b in range(n):
            reserve = 0.0 if last else acc[b]
            avail[b] = pot[b] + max(cash[b] - pot[b] - reserve, 0.0)
            start[b] = avail[b]
        by_rank(avail, outstanding, paid, K, pl.rank, n, part, total)
        for k in range(K):
            for b in range(n):
                deal[5 + 3 * k, t, b] = paid[k, b]
                back_tot[k, b] += paid[k, b]
                outstanding[k, b] -= paid[k, b]
        if last:  # the provider's owed fee and the deal's fees still owed, pro rata
            for b in range(n):
                total[b] = owed[b]
            for f in range(Fd):
                for b in range(n):
                    total[b] += fees_due[f, t, b] - fees_paid[f, t, b]
            for b in range(n):
                total[b] = min(avail[b] / total[b], 1.0) if total[b] > 0 else 0.0  # the ratio
                need[b] = owed[b] * total[b]  # what is paid
                deal[1, t, b] = need[b]
                owed[b] -= need[b]
            for f in range(Fd):
                for b in range(n):
                    x = (fees_due[f, t, b] - fees_paid[f, t, b]) * total[b]
                    fees_paid[f, t, b] += x
                    need[b] += x
            for b in range(n):
                avail[b] = avail[b] - need[b]
        else:
            for b in range(n):
                dpaid = min(avail[b], owed[b])
                avail[b] -= dpaid
                owed[b] -= dpaid
                deal[1, t, b] = dpaid
        by_rank(avail, accrued, paid, K, pl.rank, n, part, total)
        for k in range(K):
            for b in range(n):
                accrued[k, b] -= paid[k, b]
                deal[6 + 3 * k, t, b] = paid[k, b]
        if not last:
            for b in range(n):
                used = start[b] - avail[b]
                cash[b] -= used
                pot[b] = max(pot[b] - used, 0.0)
            continue
        if any_uncapped:
            for k in range(K):
                for b in range(n):
                    weights[k, b] = drawn_tot[k, b] if pl.uncapped[k] == 1 else 0.0
            shares(avail, weights, part, K, n, total)
            for k in range(K):
                for b in range(n):
                    deal[6 + 3 * k, t, b] += part[k, b]
        for b in range(n):
            to_payers = avail[b] * pl.ex_to_payers
            to_provider = avail[b] * pl.ex_to_provider
            deal[2, t, b] = to_payers
            deal[3, t, b] = to_provider
            avail[b] = avail[b] - to_payers - to_provider  # the rest
        shares(avail, drawn_tot, part, K, n, total)
        for k in range(K):
            for b in range(n):
                deal[6 + 3 * k, t, b] += part[k, b]
        for b in range(n):
            deal[2, t, b] += avail[b]


@jit
def make_good(
    pl: KernelPlan, n: int, kw: Floats, v: Floats, fl_paid: Floats, g_paid: Floats
) -> None:
    """_make_good: first-loss grants, then guarantees, cover lost capital (last period)."""
    K = pl.commit.shape[0]
    G = pl.g_share.shape[0]
    drawn_tot, back_tot, lost, part = kw[0], kw[1], kw[2], kw[6]
    avail, total = v[0], v[5]
    for k in range(K):
        for b in range(n):
            lost[k, b] = max(drawn_tot[k, b] - back_tot[k, b], 0.0)
            fl_paid[k, b] = 0.0
    if pl.fl_pool > 0:
        for b in range(n):
            avail[b] = pl.fl_pool
        by_rank(avail, lost, fl_paid, K, pl.rank, n, part, total)
        for k in range(K):
            for b in range(n):
                lost[k, b] = lost[k, b] - fl_paid[k, b]
    for g in range(G):
        for b in range(n):
            total[b] = 0.0
        for k in range(K):
            for b in range(n):
                promised = pl.g_share[g] * drawn_tot[k, b] * pl.g_covered[g, k]
                x = min(lost[k, b], promised)
                g_paid[g, k, b] = x
                total[b] += x
        if pl.g_has_cap[g] == 1:
            cap = pl.g_cap[g]
            for b in range(n):
                total[b] = (cap / total[b] if total[b] > 0 else 1.0) if total[b] > cap else 1.0
            for k in range(K):
                for b in range(n):
                    g_paid[g, k, b] = g_paid[g, k, b] * total[b]
        for k in range(K):
            for b in range(n):
                lost[k, b] = lost[k, b] - g_paid[g, k, b]


@jit
def accounts(
    pl: KernelPlan,
    n: int,
    costs: Floats,
    outcome_in: Floats,
    fees_paid: Floats,
    deal: Floats,
    fl_paid: Floats,
    g_paid: Floats,
    bp: Floats,
    f: Floats,
    v: Floats,
) -> None:
    """cash_flows after run_waterfall: every account's flows for the block."""
    T = pl.T
    K = pl.commit.shape[0]
    Fd = pl.dfee_row.shape[0]
    Q = pl.payer_acct.shape[0]
    A = f.shape[0]
    G = pl.g_share.shape[0]
    f[:, :, :n] = 0.0
    for q in range(Q):
        a = pl.payer_acct[q]
        for t in range(T):
            for b in range(n):
                f[a, t, b] -= bp[q, t, b]
    total, paid, tt = v[0], v[1], v[2]
    for b in range(n):
        total[b] = 0.0
    for t in range(T):
        for b in range(n):
            tt[b] = 0.0
        for q in range(Q):
            for b in range(n):
                tt[b] += bp[q, t, b]
        for b in range(n):
            total[b] += tt[b]
    for e in range(pl.ex_acct.shape[0]):
        q = pl.ex_payer[e]
        for b in range(n):
            paid[b] = 0.0
        if q >= 0:
            for t in range(T):
                for b in range(n):
                    paid[b] += bp[q, t, b]
        fb = pl.ex_fallback[e]
        for b in range(n):
            paid[b] = paid[b] / total[b] if total[b] > 0 else fb  # the share, as cash_flows
        a = pl.ex_acct[e]
        for t in range(T):
            for b in range(n):
                f[a, t, b] += deal[2, t, b] * paid[b]
    for k in range(K):
        a = pl.inv_acct[k]
        for t in range(T):
            for b in range(n):
                f[a, t, b] += -deal[4 + 3 * k, t, b] + deal[5 + 3 * k, t, b] + deal[6 + 3 * k, t, b]
        for b in range(n):
            gsum = 0.0
            for g in range(G):
                gsum += g_paid[g, k, b]
            f[a, T - 1, b] += fl_paid[k, b] + gsum
    for g in range(G):
        a = pl.g_acct[g]
        for b in range(n):
            gs = 0.0
            for k in range(K):
                gs += g_paid[g, k, b]
            f[a, T - 1, b] -= gs
    for e in range(pl.fl_acct.shape[0]):
        a = pl.fl_acct[e]
        for b in range(n):
            fs = 0.0
            for k in range(K):
                fs += fl_paid[k, b]
            f[a, T - 1, b] -= fs * pl.fl_part[e]
    for a in range(A):
        for t in range(T):
            x = pl.grant_out[a, t]
            if x != 0.0:
                for b in range(n):
                    f[a, t, b] += x
    pa = pl.provider_acct
    oa = pl.outside_acct
    for t in range(T):
        for b in range(n):
            f[pa, t, b] += deal[0, t, b] + deal[1, t, b] + deal[3, t, b] - costs[t, b]
        for b in range(n):
            f[oa, t, b] += costs[t, b]
    for fi in range(Fd):
        a = pl.dfee_acct[fi]
        for t in range(T):
            for b in range(n):
                f[a, t, b] += fees_paid[fi, t, b]
    for fi in range(pl.ofee_acct.shape[0]):
        for t in range(T):
            row, sh = pl.ofee_row[fi, t], pl.ofee_share[fi]
            for b in range(n):
                sched = row + sh * outcome_in[t, b]
                f[pl.ofee_acct[fi], t, b] += sched
                f[pl.ofee_payer[fi], t, b] -= sched
    da = pl.deal_acct
    for t in range(T):
        for b in range(n):
            tt[b] = 0.0
        for a in range(A):
            for b in range(n):
                tt[b] += f[a, t, b]
        for b in range(n):
            f[da, t, b] = -tt[b] + f[da, t, b]
