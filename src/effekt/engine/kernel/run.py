"""The compiled engine's loop over blocks of paths."""

from __future__ import annotations

import numpy as np

from effekt.engine.kernel.deal import accounts, make_good, waterfall
from effekt.engine.kernel.delivery import delivery, outcomes
from effekt.engine.kernel.jit import Floats, Ints, jit_entry
from effekt.engine.kernel.plan import KernelPlan
from effekt.engine.kernel.rules import payments

__all__ = ["run_blocks"]


@jit_entry
def run_blocks(
    pl: KernelPlan,
    X: Floats,
    treated_in: Floats,
    has_treated: Ints,
    flows: Floats,
    by_payer_out: Floats,
    gains_out: Floats,
    measured_out: Floats,
    want_measured: bool,
    B: int,
) -> None:
    """The engine over all paths, block by block. Outputs are paths-last: flows (A, T, P),
    by_payer (Q, T, P), gains (M, T, P); measured (M, C, T, P) when ``want_measured``."""
    T = pl.T
    P = X.shape[1]
    C = pl.co_start.shape[0]
    M = pl.m_lag.shape[0]
    R = pl.r_kind.shape[0]
    S = C + 1
    K = pl.commit.shape[0]
    Fd = pl.dfee_row.shape[0]
    Q = pl.payer_acct.shape[0]
    A = flows.shape[0]
    G = pl.g_share.shape[0]
    v = np.zeros((16, B))
    iv = np.zeros((4, B), dtype=np.int64)
    referred = np.zeros((C, T, B))
    enrolled = np.zeros((C, T, B))
    costs = np.zeros((T, B))
    tot = np.zeros((T, B))
    measured = np.zeros((M, C, T, B))
    treated = np.zeros((M, C, T, B))
    baseline = np.zeros((M, C, T, B))
    dperiod = np.zeros((M, C, B), dtype=np.int64)
    raw = np.zeros((S, T, B))
    due = np.zeros((R, S, T, B))
    by_rule = np.zeros((R, T, B))
    g_open = np.zeros((R, S, B))
    g_when = np.zeros((R, S, B), dtype=np.int64)
    sc_dec = np.zeros((S, B))
    sc_gain = np.zeros((S, B))
    sc_act = np.zeros((S, B), dtype=np.bool_)
    sc_per = np.zeros((S, B), dtype=np.int64)
    sc_cond = np.zeros((S, B), dtype=np.bool_)
    outcome_in = np.zeros((T, B))
    service_due = np.zeros((T, B))
    deferred_due = np.zeros((T, B))
    fees_due = np.zeros((Fd, T, B))
    fees_paid = np.zeros((Fd, T, B))
    kw = np.zeros((9, max(K, 1), B))
    deal = np.zeros((4 + 3 * K, T, B))
    fl_paid = np.zeros((max(K, 1), B))
    g_paid = np.zeros((max(G, 1), max(K, 1), B))
    f = np.zeros((A, T, B))
    bp = np.zeros((Q, T, B))
    for b0 in range(0, P, B):
        n = min(B, P - b0)
        delivery(pl, X, b0, n, referred, enrolled, costs, tot, v, iv)
        outcomes(
            pl,
            X,
            b0,
            n,
            referred,
            enrolled,
            treated_in,
            has_treated,
            measured,
            treated,
            baseline,
            dperiod,
            v,
            iv,
        )
        if want_measured:
            for j in range(M):
                for i in range(C):
                    for t in range(T):
                        for b in range(n):
                            measured_out[j, i, t, b0 + b] = measured[j, i, t, b]
            continue
        payments(
            pl,
            X,
            b0,
            n,
            enrolled,
            measured,
            treated,
            baseline,
            dperiod,
            raw,
            due,
            by_rule,
            g_open,
            g_when,
            sc_dec,
            sc_gain,
            sc_act,
            sc_per,
            sc_cond,
            v,
        )
        # payers, outcome payments in, what the deal owes
        fr = pl.fee_rate
        ds = pl.deferred_share
        bp[:, :, :n] = 0.0
        for t in range(T):
            for b in range(n):
                outcome_in[t, b] = 0.0
            for k in range(R):
                for b in range(n):
                    outcome_in[t, b] += by_rule[k, t, b]
                for q in range(Q):
                    share = pl.r_payer_share[k, q]
                    for b in range(n):
                        bp[q, t, b] += share * by_rule[k, t, b]
            for b in range(n):
                service_due[t, b] = costs[t, b] * fr * (1 - ds)
                deferred_due[t, b] = costs[t, b] * fr * ds
            for fi in range(Fd):
                row, sh = pl.dfee_row[fi, t], pl.dfee_share[fi]
                for b in range(n):
                    fees_due[fi, t, b] = row + sh * outcome_in[t, b]
        waterfall(pl, n, outcome_in, service_due, deferred_due, fees_due, fees_paid, deal, kw, v)
        make_good(pl, n, kw, v, fl_paid, g_paid)
        accounts(pl, n, costs, outcome_in, fees_paid, deal, fl_paid, g_paid, bp, f, v)
        for a in range(A):
            for t in range(T):
                for b in range(n):
                    flows[a, t, b0 + b] = f[a, t, b]
        for q in range(Q):
            for t in range(T):
                for b in range(n):
                    by_payer_out[q, t, b0 + b] = bp[q, t, b]
        for j in range(M):
            inc = pl.m_increase[j] == 1
            for t in range(T):
                for b in range(n):
                    v[0, b] = 0.0
                for i in range(C):
                    for b in range(n):
                        diff = treated[j, i, t, b] - baseline[j, i, t, b]
                        v[0, b] += max(diff if inc else -diff, 0.0)
                for b in range(n):
                    gains_out[j, t, b0 + b] = v[0, b]
