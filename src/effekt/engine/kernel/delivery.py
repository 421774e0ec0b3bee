"""Referrals, enrolments, delivery costs and outcomes for a block of paths (compiled).

Mirrors :mod:`effekt.engine.delivery` and :func:`effekt.engine.outcomes.measured_outcomes`.
Arrays are paths-last (``[..., b]`` for the block's path ``b``); ``v`` and ``iv`` are
scratch rows of one value per path.
"""

from __future__ import annotations

import numpy as np

from effekt.engine.kernel.jit import Floats, Ints, jit
from effekt.engine.kernel.plan import KernelPlan

__all__ = ["delivery", "outcomes"]


@jit
def delivery(
    pl: KernelPlan,
    X: Floats,
    b0: int,
    n: int,
    referred: Floats,
    enrolled: Floats,
    costs: Floats,
    tot: Floats,
    v: Floats,
    iv: Ints,
) -> None:
    """referrals, enrolments and delivery_costs for the block's paths."""
    T = pl.T
    C = pl.co_start.shape[0]
    referred[:, :, :n] = 0.0
    size, share = v[0], v[1]
    start = iv[0]
    for i in range(C):
        srow, erow, drow = pl.co_size[i], pl.co_eng[i], pl.co_delay[i]
        for b in range(n):
            start[b] = pl.co_start[i] + int(np.rint(max(X[drow, b0 + b], 0.0)))
            size[b] = max(X[srow, b0 + b], 0.0)
            share[b] = min(max(X[erow, b0 + b], 0.0), 1.0)
        for k in range(pl.sh_off[i + 1] - pl.sh_off[i]):
            x = pl.sh_val[pl.sh_off[i] + k]
            for b in range(n):
                t = start[b] + k
                if t < T:
                    referred[i, t, b] += size[b] * x
        for t in range(T):
            for b in range(n):
                enrolled[i, t, b] = referred[i, t, b] * share[b]
    # delivery_costs: setup + fixed while delivering + per participant spread
    d = pl.delivery_periods
    first, last = iv[1], iv[2]
    cum = v[2]
    for b in range(n):
        first[b] = T
        last[b] = -1
        cum[b] = 0.0
    for t in range(T):
        for b in range(n):
            tot[t, b] = 0.0
        for i in range(C):
            for b in range(n):
                tot[t, b] += enrolled[i, t, b]
        for b in range(n):
            on = tot[t, b] > 0
            first[b] = min(first[b], t) if on else first[b]
            last[b] = t if on else last[b]
            cum[b] += tot[t, b]
            costs[t, b] = cum[b]  # cumulative enrolments, made into the spread below
    for b in range(n):
        last[b] = last[b] + d - 1
    for t in range(T - 1, -1, -1):
        for b in range(n):
            p = b0 + b
            lagged = costs[t - d, b] if t >= d and d < T else 0.0
            per_person = (costs[t, b] - lagged) / d * X[pl.cost_pp, p]
            run = X[pl.cost_fixed, p] if first[b] <= t and t <= last[b] else 0.0
            setup = X[pl.cost_setup, p] if t == 0 else 0.0
            costs[t, b] = setup + run + per_person


@jit
def outcomes(
    pl: KernelPlan,
    X: Floats,
    b0: int,
    n: int,
    referred: Floats,
    enrolled: Floats,
    treated_in: Floats,
    has_treated: Ints,
    measured: Floats,
    treated: Floats,
    baseline: Floats,
    dperiod: Ints,
    v: Floats,
    iv: Ints,
) -> None:
    T = pl.T
    C = pl.co_start.shape[0]
    M = pl.m_lag.shape[0]
    rate, base = v[0], v[1]
    lag = iv[0]
    for j in range(M):
        pop = referred if pl.m_referred[j] == 1 else enrolled
        lo = T
        hi = -1
        for b in range(n):
            p = b0 + b
            lag[b] = int(np.rint(max(X[pl.m_lag[j], p], 0.0)))
            r = max(X[pl.m_exp[j], p], 0.0)
            s = max(X[pl.m_base[j], p], 0.0)
            if pl.m_binary[j] == 1:
                r = min(r, 1.0)
                s = min(s, 1.0)
            rate[b] = r
            base[b] = s
            lo = min(lo, lag[b])
            hi = max(hi, lag[b])
        for i in range(C):
            for t in range(T):
                if lo == hi:  # one lag for the block: a plain shift
                    src = t - lo
                    if 0 <= src < T:
                        for b in range(n):
                            measured[j, i, t, b] = pop[i, src, b]
                    else:
                        for b in range(n):
                            measured[j, i, t, b] = 0.0
                else:
                    for b in range(n):
                        src = t - lag[b]
                        measured[j, i, t, b] = pop[i, src, b] if 0 <= src < T else 0.0
                if has_treated[j] == 1:
                    for b in range(n):
                        treated[j, i, t, b] = treated_in[j, i, t, b0 + b]
                else:
                    for b in range(n):
                        treated[j, i, t, b] = measured[j, i, t, b] * rate[b]
                for b in range(n):
                    baseline[j, i, t, b] = measured[j, i, t, b] * base[b]
            for b in range(n):
                dperiod[j, i, b] = -1
            for t in range(T):
                for b in range(n):
                    dperiod[j, i, b] = t if measured[j, i, t, b] > 0 else dperiod[j, i, b]
            for b in range(n):
                dperiod[j, i, b] = T - 1 if dperiod[j, i, b] < 0 else dperiod[j, i, b]
