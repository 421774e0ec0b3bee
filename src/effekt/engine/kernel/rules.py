"""The payment rules for a block of paths (compiled).

Mirrors :mod:`effekt.engine.payments`: each rule's payments per slot (the cohorts, then
one slot for what is not tied to a cohort) and period; gates hold back and release;
prices are indexed; the payment lag moves payments; netting, rule caps and the overall
cap bind.
"""

from __future__ import annotations

import numpy as np

from effekt.engine.kernel.jit import Bools, Floats, Ints, jit
from effekt.engine.kernel.plan import (
    ACTIVITY,
    GATE,
    RATE_CARD,
    SAVINGS,
    THRESHOLD,
    TIERS,
    KernelPlan,
)

__all__ = ["payments"]


@jit
def person_variance(kind: int, disp: float, rate: float) -> float:
    if kind == 0:
        return rate * (1 - rate)
    if kind == 1:
        return rate + (rate**2 / disp if disp else 0.0)
    return disp**2


@jit
def scoped_effect(
    pl: KernelPlan,
    k: int,
    n: int,
    measured: Floats,
    treated: Floats,
    baseline: Floats,
    dperiod: Ints,
    dec: Floats,
    gain: Floats,
    act: Bools,
    per: Ints,
    cond: Bools,
    v: Floats,
) -> None:
    """_RuleEngine.scoped_effect: per slot (C + 1) the decided effect, gain, activity,
    decision period and extra condition."""
    T = pl.T
    C = pl.co_start.shape[0]
    j = pl.r_metric[k]
    measure = pl.r_measure[k]
    inc = pl.m_increase[j] == 1
    kind = pl.m_kind[j]
    disp = pl.m_disp[j]
    basis = pl.r_basis[k]
    cf_none = pl.m_cf_none[j] == 1
    cmp_ratio, cmp_size = pl.m_cmp_ratio[j], pl.m_cmp_size[j]
    n_s, tr_s, bs_s, g_s = v[0], v[1], v[2], v[3]
    ni, ti, bi, gi = v[4], v[5], v[6], v[7]
    for s in range(C + 1):
        for b in range(n):
            n_s[b] = 0.0
            tr_s[b] = 0.0
            bs_s[b] = 0.0
            g_s[b] = 0.0
            per[s, b] = 0
            act[s, b] = False
        if pl.r_pooled[k] == 0 and s < C:
            for t in range(T):
                for b in range(n):
                    n_s[b] += measured[j, s, t, b]
                    tr_s[b] += treated[j, s, t, b]
                    bs_s[b] += baseline[j, s, t, b]
                    diff = treated[j, s, t, b] - baseline[j, s, t, b]
                    g_s[b] += diff if inc else -diff
            on = pl.r_mask[k, s] > 0
            for b in range(n):
                per[s, b] = dperiod[j, s, b]
                act[s, b] = on
        elif pl.r_pooled[k] == 1 and s == C:
            for b in range(n):
                per[s, b] = -1
                act[s, b] = True
            for i in range(C):
                for b in range(n):
                    ni[b] = 0.0
                    ti[b] = 0.0
                    bi[b] = 0.0
                    gi[b] = 0.0
                for t in range(T):
                    for b in range(n):
                        ni[b] += measured[j, i, t, b]
                        ti[b] += treated[j, i, t, b]
                        bi[b] += baseline[j, i, t, b]
                        diff = treated[j, i, t, b] - baseline[j, i, t, b]
                        gi[b] += diff if inc else -diff
                w = pl.r_mask[k, i]
                for b in range(n):
                    n_s[b] += ni[b] * w
                    tr_s[b] += ti[b] * w
                    bs_s[b] += bi[b] * w
                    g_s[b] += gi[b] * w
                    if w > 0:
                        per[s, b] = max(per[s, b], dperiod[j, i, b])
        for b in range(n):
            tr = tr_s[b] / max(n_s[b], 1e-300) if n_s[b] > 0 else 0.0
            br = bs_s[b] / max(n_s[b], 1e-300) if n_s[b] > 0 else 0.0
            if measure == 0:  # effect
                value = 1 - tr / br if br > 0 else 0.0
            elif measure == 1:
                value = tr / br - 1 if br > 0 else 0.0
            elif measure == 2:
                value = tr - br if inc else br - tr
            else:
                value = tr
            n_safe = max(n_s[b], 1.0)  # effect_se
            var = person_variance(kind, disp, tr) / n_safe
            if measure != 3 and not cf_none:
                n_c = cmp_size if cmp_size > 0 else n_safe * cmp_ratio
                var = var + person_variance(kind, disp, br) / n_c
            se = np.sqrt(max(var, 0.0))  # rates outside their range give no spread
            if measure == 0 or measure == 1:
                se = se / max(br, 1e-300) if br > 0 else 0.0
            ok = True  # decision_value
            decided = value
            if basis == 1:
                decided = value - pl.z * se
            elif basis == 2:
                ok = value > pl.z * se
            dec[s, b] = decided
            gain[s, b] = max(g_s[b], 0.0)
            act[s, b] = act[s, b] and n_s[b] > 0
            cond[s, b] = ok


@jit
def raw_rule(
    pl: KernelPlan,
    X: Floats,
    k: int,
    b0: int,
    n: int,
    enrolled: Floats,
    measured: Floats,
    treated: Floats,
    baseline: Floats,
    dperiod: Ints,
    raw: Floats,
    sc_dec: Floats,
    sc_gain: Floats,
    sc_act: Bools,
    sc_per: Ints,
    sc_cond: Bools,
    v: Floats,
) -> None:
    """What rule k pays per slot and period before gates, index, lag and caps."""
    T = pl.T
    C = pl.co_start.shape[0]
    kind = pl.r_kind[k]
    raw[:, :, :n] = 0.0
    if kind == RATE_CARD or kind == SAVINGS:
        j = pl.r_metric[k]
        inc = pl.m_increase[j] == 1
        above = pl.r_above[k] == 1
        has_max = pl.r_has_max[k] == 1
        mx = pl.r_max[k]
        share = pl.r_share[k]
        price = v[0]
        for b in range(n):
            price[b] = X[pl.r_price[k], b0 + b]
        for i in range(C):
            w = pl.r_mask[k, i]
            for t in range(T):
                for b in range(n):
                    diff = treated[j, i, t, b] - baseline[j, i, t, b]
                    g = max(diff if inc else -diff, 0.0)
                    if kind == SAVINGS:
                        raw[i, t, b] = share * price[b] * (g * w)
                    else:
                        units = g if above else treated[j, i, t, b]
                        if has_max:
                            units = min(units, mx * measured[j, i, t, b])
                        raw[i, t, b] = units * w * price[b]
    elif kind == ACTIVITY:
        for i in range(C):
            w = pl.r_mask[k, i]
            for t in range(T):
                for b in range(n):
                    raw[i, t, b] = pl.r_pp[k] * enrolled[i, t, b] * w
        for t in range(T):
            for b in range(n):
                raw[C, t, b] = pl.r_window[k, t]
    elif kind == THRESHOLD or kind == TIERS:
        scoped_effect(
            pl,
            k,
            n,
            measured,
            treated,
            baseline,
            dperiod,
            sc_dec,
            sc_gain,
            sc_act,
            sc_per,
            sc_cond,
            v,
        )
        pay = v[0]
        for s in range(C + 1):
            if kind == THRESHOLD:
                thr = pl.r_threshold[k] - 1e-12
                for b in range(n):
                    met = sc_act[s, b] and sc_cond[s, b] and sc_dec[s, b] >= thr
                    pay[b] = (
                        pl.r_amount[k] + X[pl.r_price[k], b0 + b] * sc_gain[s, b] if met else 0.0
                    )
            else:
                for b in range(n):
                    pay[b] = 0.0
                for q in range(pl.tier_off[k], pl.tier_off[k + 1]):
                    thr = pl.tier_from[q] - 1e-12
                    for b in range(n):
                        reached = sc_act[s, b] and sc_cond[s, b] and sc_dec[s, b] >= thr
                        amount = pl.tier_amount[q] + X[pl.tier_price[q], b0 + b] * sc_gain[s, b]
                        pay[b] = amount if reached else pay[b]
            for b in range(n):
                raw[s, min(max(sc_per[s, b], 0), T - 1), b] = pay[b]


@jit
def gate(
    pl: KernelPlan,
    k: int,
    n: int,
    measured: Floats,
    treated: Floats,
    baseline: Floats,
    dperiod: Ints,
    g_open: Floats,
    g_when: Ints,
    sc_dec: Floats,
    sc_gain: Floats,
    sc_act: Bools,
    sc_per: Ints,
    sc_cond: Bools,
    v: Floats,
) -> None:
    """_RuleEngine.gate: whether gate k is open per slot (1.0 or 0.0), and when that is known."""
    C = pl.co_start.shape[0]
    scoped_effect(
        pl, k, n, measured, treated, baseline, dperiod, sc_dec, sc_gain, sc_act, sc_per, sc_cond, v
    )
    thr = pl.r_threshold[k] - 1e-12
    if pl.r_pooled[k] == 1:
        for b in range(n):
            met = sc_act[C, b] and sc_cond[C, b] and sc_dec[C, b] >= thr
            for s in range(C + 1):
                g_open[k, s, b] = 1.0 if met else 0.0
                g_when[k, s, b] = sc_per[C, b]
        return
    for b in range(n):
        g_open[k, C, b] = 1.0
        g_when[k, C, b] = sc_per[0, b]
    for i in range(C):
        for b in range(n):
            met = sc_act[i, b] and sc_cond[i, b] and sc_dec[i, b] >= thr
            g_open[k, i, b] = 1.0 if met or not sc_act[i, b] else 0.0
            g_when[k, i, b] = sc_per[i, b]
            if sc_act[i, b] and not met:
                g_open[k, C, b] = 0.0
            g_when[k, C, b] = max(g_when[k, C, b], sc_per[i, b])


@jit
def capped(
    x: Floats, S: int, cap: float, n: int, T: int, total: Floats, cum: Floats, prev: Floats
) -> None:
    """capped over the sum of ``x[0..S)`` per period, scaling every part (rows of x)."""
    for b in range(n):
        cum[b] = 0.0
        prev[b] = 0.0
    for t in range(T):
        for b in range(n):
            total[b] = 0.0
        for s in range(S):
            for b in range(n):
                total[b] += x[s, t, b]
        for b in range(n):
            cum[b] += total[b]
            lim = min(cum[b], cap)
            kept = lim - prev[b]
            prev[b] = lim
            total[b] = kept / total[b] if total[b] > 0 else 0.0
        for s in range(S):
            for b in range(n):
                x[s, t, b] *= total[b]


@jit
def payments(
    pl: KernelPlan,
    X: Floats,
    b0: int,
    n: int,
    enrolled: Floats,
    measured: Floats,
    treated: Floats,
    baseline: Floats,
    dperiod: Ints,
    raw: Floats,
    due: Floats,
    by_rule: Floats,
    g_open: Floats,
    g_when: Ints,
    sc_dec: Floats,
    sc_gain: Floats,
    sc_act: Bools,
    sc_per: Ints,
    sc_cond: Bools,
    v: Floats,
) -> None:
    """rule_payments: every rule's payments per period, after gates, index, lag and caps."""
    T = pl.T
    C = pl.co_start.shape[0]
    R = pl.r_kind.shape[0]
    S = C + 1
    for k in range(R):
        if pl.r_kind[k] == GATE:
            gate(
                pl,
                k,
                n,
                measured,
                treated,
                baseline,
                dperiod,
                g_open,
                g_when,
                sc_dec,
                sc_gain,
                sc_act,
                sc_per,
                sc_cond,
                v,
            )
    held = v[8]
    for k in range(R):
        if pl.r_kind[k] == GATE:
            due[k, :, :, :n] = 0.0
            continue
        raw_rule(
            pl,
            X,
            k,
            b0,
            n,
            enrolled,
            measured,
            treated,
            baseline,
            dperiod,
            raw,
            sc_dec,
            sc_gain,
            sc_act,
            sc_per,
            sc_cond,
            v,
        )
        # gates in the order they appear: hold back until known (_defer), then open or not
        for a in range(pl.gate_rule.shape[0]):
            if pl.gate_target[a] != k:
                continue
            gk = pl.gate_rule[a]
            for s in range(S):
                for b in range(n):
                    held[b] = 0.0
                for t in range(T):
                    for b in range(n):
                        early = t < g_when[gk, s, b]
                        held[b] += raw[s, t, b] if early else 0.0
                        raw[s, t, b] = 0.0 if early else raw[s, t, b]
                for b in range(n):
                    u = min(max(g_when[gk, s, b], 0), T - 1)
                    raw[s, u, b] = raw[s, u, b] + held[b]
                for t in range(T):
                    for b in range(n):
                        raw[s, t, b] = raw[s, t, b] * g_open[gk, s, b]
        # index, then the payment lag with what overflows kept in the last period
        lag = pl.r_lag[k]
        for s in range(S):
            for t in range(T):
                src = t - lag
                if src >= 0:
                    f = pl.price_index[src]
                    for b in range(n):
                        due[k, s, t, b] = raw[s, src, b] * f
                else:
                    for b in range(n):
                        due[k, s, t, b] = 0.0
            if lag > 0:
                for b in range(n):
                    held[b] = 0.0
                for t in range(max(T - lag, 0), T):
                    f = pl.price_index[t]
                    for b in range(n):
                        held[b] += raw[s, t, b] * f
                for b in range(n):
                    due[k, s, T - 1, b] += held[b]
    # netting and rule caps, in order
    already, cum, prev, total = v[9], v[10], v[11], v[12]
    for oi in range(R):
        k = pl.order[oi]
        if pl.r_net[k] == 1:
            for s in range(S):
                for b in range(n):
                    sc_dec[s, b] = 0.0  # what the referenced rules pay, per slot
            for q in range(pl.net_off[k], pl.net_off[k + 1]):
                ref = pl.net_ref[q]
                for s in range(S):
                    for t in range(T):
                        for b in range(n):
                            sc_dec[s, b] += due[ref, s, t, b]
            if pl.r_pooled[k] == 1:
                for b in range(n):
                    already[b] = 0.0
                for s in range(S):
                    for b in range(n):
                        already[b] += sc_dec[s, b]
                        sc_dec[s, b] = 0.0
                for b in range(n):
                    sc_dec[C, b] = already[b]
            for s in range(S):
                for b in range(n):
                    cum[b] = 0.0
                    prev[b] = 0.0
                for t in range(T):
                    for b in range(n):
                        cum[b] += due[k, s, t, b]
                        now = max(cum[b] - sc_dec[s, b], 0.0)
                        due[k, s, t, b] = now - prev[b]
                        prev[b] = now
        if pl.r_has_cap[k] == 1:
            capped(due[k], S, pl.r_cap[k], n, T, total, cum, prev)
    for k in range(R):
        for t in range(T):
            for b in range(n):
                by_rule[k, t, b] = 0.0
            for s in range(S):
                for b in range(n):
                    by_rule[k, t, b] += due[k, s, t, b]
    if pl.has_cap == 1:
        capped(by_rule, R, pl.cap, n, T, total, cum, prev)
