"""A contract flattened into arrays for the compiled engine (:mod:`effekt.engine.kernel`).

The compiled engine cannot read pydantic models, so everything it needs — cohorts,
metrics, rules, payers, fees, grants, tranches, guarantees — becomes a named tuple of
NumPy arrays and scalars, built once per contract. Uncertain inputs are not part of the
plan: the plan holds, for each place the engine reads one, the row of the input matrix
(``Inputs`` stacked in :func:`input_names` order) to read.

Every field mirrors a decision of the NumPy engine (:mod:`effekt.engine.cashflow` and
the modules it calls); the codes below are the plan's only vocabulary.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from effekt.contract.financing import Fee
from effekt.contract.model import Contract
from effekt.contract.rules import ActivityFee, Gate, RateCard, SavingsShare, Threshold, Tiers
from effekt.engine.cashflow import DEAL, OUTSIDE, payer_shares
from effekt.engine.delivery import referral_shares
from effekt.engine.finance import period_rate
from effekt.engine.inputs import Inputs, quantity_fields
from effekt.engine.payments import index_factors

__all__ = ["KernelPlan", "input_matrix", "input_names", "kernel_plan"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Rule kinds.
RATE_CARD, THRESHOLD, TIERS, SAVINGS, GATE, ACTIVITY = 0, 1, 2, 3, 4, 5
#: Measures (see :func:`effekt.engine.outcomes.effect`).
MEASURES = {"relative_reduction": 0, "relative_increase": 1, "absolute_difference": 2, "level": 3}
#: Decision bases (see :func:`effekt.engine.outcomes.decision_value`).
BASES = {"point_estimate": 0, "lower_confidence_bound": 1, "significance_and_point_estimate": 2}
#: Metric kinds for the person-level variance.
KINDS = {"binary": 0, "count": 1, "duration": 1, "continuous": 2}


class KernelPlan(NamedTuple):
    """The arrays the compiled engine reads. Shapes use T periods, C cohorts, M metrics,
    R rules, K tranches, F deal-paid fees, A accounts, Q payers, G guarantees."""

    T: int
    # cohorts (C)
    co_start: IntArray  # first referral period, 0-based, before the start delay
    co_size: IntArray  # input rows
    co_eng: IntArray
    co_delay: IntArray
    sh_off: IntArray  # (C + 1) offsets into sh_val: the referral shares of each cohort
    sh_val: FloatArray
    # costs
    cost_setup: int
    cost_fixed: int
    cost_pp: int
    delivery_periods: int
    fee_rate: float  # 1 + margin
    deferred_share: float
    # metrics (M)
    m_referred: IntArray  # 1: population is the referred; 0: the engaged
    m_lag: IntArray
    m_exp: IntArray
    m_base: IntArray
    m_binary: IntArray
    m_kind: IntArray
    m_disp: FloatArray  # dispersion (0 when none)
    m_increase: IntArray
    m_cf_none: IntArray  # 1: counterfactual "none"
    m_cmp_ratio: FloatArray  # comparison persons per person measured (1.0 when unset)
    m_cmp_size: FloatArray  # a fixed comparison group's size (0 when unset)
    # rules (R)
    r_kind: IntArray
    r_metric: IntArray
    r_measure: IntArray
    r_pooled: IntArray  # 1: scope all_cohorts
    r_mask: FloatArray  # (R, C) 1.0 where the rule applies to the cohort
    r_price: IntArray  # input row of the price (rate card, threshold) or saving per outcome
    r_threshold: FloatArray
    r_amount: FloatArray
    r_basis: IntArray
    r_has_max: IntArray
    r_max: FloatArray
    r_above: IntArray
    r_share: FloatArray
    r_pp: FloatArray  # activity fee per participant
    r_window: FloatArray  # (R, T) activity fee per period where it is paid
    r_has_cap: IntArray
    r_cap: FloatArray
    r_lag: IntArray
    r_net: IntArray  # 1: a threshold with net_of
    net_off: IntArray  # (R + 1) offsets into net_ref
    net_ref: IntArray
    tier_off: IntArray  # (R + 1) offsets into the tier arrays
    tier_from: FloatArray
    tier_amount: FloatArray
    tier_price: IntArray
    gate_rule: IntArray  # gate applications in order: the gate's rule index …
    gate_target: IntArray  # … and the rule it holds back
    order: IntArray  # the order rules are netted and capped in
    z: float  # the two-sided normal quantile of the confidence level
    price_index: FloatArray  # (T,) price-index factor
    has_cap: int
    cap: float
    # payers (Q) and accounts (A)
    payer_acct: IntArray  # (Q,) account of each payer
    r_payer_share: FloatArray  # (R, Q)
    ex_acct: IntArray  # accounts that receive excess, in the engine's order …
    ex_payer: IntArray  # … their payer index (−1: not a payer) …
    ex_fallback: FloatArray  # … and their fallback share
    # fees
    dfee_row: FloatArray  # (F, T) deal-paid fees, fixed part
    dfee_share: FloatArray  # (F,) share of outcome payments
    dfee_acct: IntArray
    ofee_row: FloatArray  # (G', T) fees paid directly by a party
    ofee_share: FloatArray
    ofee_acct: IntArray
    ofee_payer: IntArray
    # grants
    grants_in: FloatArray  # (T,) delivery and top-up grants into the deal
    grant_out: FloatArray  # (A, T) the same, out of the funders' accounts
    fl_pool: float  # first-loss grants in all
    fl_acct: IntArray
    fl_part: FloatArray
    # waterfall (K tranches)
    commit: FloatArray
    cap_rate: FloatArray
    uncapped: IntArray
    rank: IntArray
    inv_acct: IntArray
    upfront: int
    recycle: int
    at_end: int
    ex_to_payers: float
    ex_to_provider: float
    g_covered: FloatArray  # (G, K)
    g_share: FloatArray
    g_has_cap: IntArray
    g_cap: FloatArray
    g_acct: IntArray
    provider_acct: int
    deal_acct: int
    outside_acct: int


def input_names(c: Contract) -> list[str]:
    """The engine's inputs in the order of the rows of the input matrix."""
    return [name for name, _ in quantity_fields(c)]


def input_matrix(c: Contract, inp: Inputs) -> FloatArray:
    """``inp`` stacked to shape (inputs, paths), rows in :func:`input_names` order."""
    names = input_names(c)
    P = next(iter(inp.values())).shape[0]
    out = np.empty((len(names), P))
    for i, name in enumerate(names):
        out[i] = inp[name]
    return out


def _ints(values: list[int]) -> IntArray:
    return np.asarray(values, dtype=np.int64).reshape(len(values))


def _floats(values: list[float]) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(len(values))


def _fee_row(c: Contract, f: Fee) -> FloatArray:
    T = c.term_periods
    t = np.arange(T)
    first, last = f.from_period - 1, (f.to_period or c.term_periods) - 1
    row = np.where((t >= first) & (t <= last), float(f.per_period), 0.0)
    row[min(first, T - 1)] += f.upfront
    return np.asarray(row, dtype=np.float64)


def kernel_plan(c: Contract) -> KernelPlan:
    """Flatten ``c`` for the compiled engine."""
    T, C = c.term_periods, len(c.cohorts)
    rows = {name: i for i, name in enumerate(input_names(c))}
    accounts = [p.id for p in c.parties] + [DEAL, OUTSIDE]
    acct = {a: i for i, a in enumerate(accounts)}
    cohort_ids = [co.id for co in c.cohorts]

    shares = [referral_shares(c, i) for i in range(C)]
    sh_off = _ints([0, *np.cumsum([len(s) for s in shares]).tolist()])
    sh_val = _floats([x for s in shares for x in s])

    metric_ix = {m.id: j for j, m in enumerate(c.metrics)}
    ids = [c.rule_id(k) for k in range(len(c.rules))]
    R = len(c.rules)
    r_kind, r_metric, r_measure, r_pooled, r_price, r_basis = [], [], [], [], [], []
    r_threshold, r_amount, r_max, r_share, r_pp, r_cap = [], [], [], [], [], []
    r_has_max, r_above, r_has_cap, r_lag, r_net = [], [], [], [], []
    r_mask = np.zeros((R, C))
    r_window = np.zeros((R, T))
    net_off: list[int] = [0]
    net_ref: list[int] = []
    tier_off, tier_from, tier_amount, tier_price = [0], [], [], []
    for k, r in enumerate(c.rules):
        r_mask[k] = [1.0 if r.cohorts is None or i in r.cohorts else 0.0 for i in cohort_ids]
        metric = getattr(r, "metric", None)
        r_metric.append(metric_ix[metric] if metric is not None else 0)
        r_measure.append(MEASURES[getattr(r, "measure", "level")])
        r_pooled.append(1 if getattr(r, "scope", "cohort") == "all_cohorts" else 0)
        basis = r.decision_basis or c.payment.decision_basis
        r_basis.append(BASES[basis])
        r_threshold.append(float(getattr(r, "threshold", 0.0)))
        r_amount.append(float(getattr(r, "amount", 0.0) or 0.0))
        price_row = 0
        if isinstance(r, RateCard | Threshold):
            price_row = rows[f"rules[{k}].price"]
        elif isinstance(r, SavingsShare):
            price_row = rows[f"rules[{k}].saving_per_outcome"]
        r_price.append(price_row)
        mx = r.max_per_participant if isinstance(r, RateCard) else None
        r_has_max.append(0 if mx is None else 1)
        r_max.append(0.0 if mx is None else float(mx))
        r_above.append(1 if isinstance(r, RateCard) and r.above_baseline else 0)
        r_share.append(float(r.share) if isinstance(r, SavingsShare) else 0.0)
        if isinstance(r, ActivityFee):
            kind = ACTIVITY
            r_pp.append(float(r.per_participant))
            last = (r.to_period or c.term_periods) - 1
            t = np.arange(T)
            r_window[k] = r.per_period * ((t >= r.from_period - 1) & (t <= last))
        else:
            r_pp.append(0.0)
            kind = {RateCard: RATE_CARD, Threshold: THRESHOLD, Tiers: TIERS}.get(
                type(r), SAVINGS if isinstance(r, SavingsShare) else GATE
            )
        r_kind.append(kind)
        if isinstance(r, Tiers):
            for t_i, tier in enumerate(r.tiers):
                tier_from.append(float(tier.from_effect))
                tier_amount.append(float(tier.amount))
                tier_price.append(rows[f"rules[{k}].tiers[{t_i}].price"])
        tier_off.append(len(tier_from))
        r_has_cap.append(0 if r.cap is None else 1)
        r_cap.append(0.0 if r.cap is None else float(r.cap))
        lag = r.payment_lag_periods
        r_lag.append(lag if lag is not None else c.payment.payment_lag_periods)
        is_net = isinstance(r, Threshold) and bool(r.net_of)
        r_net.append(1 if is_net else 0)
        if isinstance(r, Threshold) and is_net:
            net_ref.extend(ids.index(n) for n in r.net_of if n in ids)
        net_off.append(len(net_ref))
    gate_rule, gate_target = [], []
    for k, r in enumerate(c.rules):
        if isinstance(r, Gate):
            for name in r.applies_to:
                if name in ids:
                    gate_rule.append(k)
                    gate_target.append(ids.index(name))
    order = [k for k in range(R) if not r_net[k]] + [k for k in range(R) if r_net[k]]
    z = float(norm.ppf(1 - (1 - c.payment.confidence) / 2))
    index = np.asarray(index_factors(c), dtype=np.float64) * np.ones(T)

    payers = sorted(
        {pid for r in c.rules for pid in payer_shares(c, r.payers)},
        key=[p.id for p in c.parties].index,
    )
    r_payer_share = np.zeros((R, len(payers)))
    for k, r in enumerate(c.rules):
        for pid, share in payer_shares(c, r.payers).items():
            r_payer_share[k, payers.index(pid)] = share
    fallback = payer_shares(c)
    ex_ids = list(dict.fromkeys([*payers, *fallback]))

    deal_fees = [f for f in c.fees if f.paid_by == "deal"]
    other_fees = [f for f in c.fees if f.paid_by != "deal"]
    dfee_row = np.array([_fee_row(c, f) for f in deal_fees]).reshape(len(deal_fees), T)
    ofee_row = np.array([_fee_row(c, f) for f in other_fees]).reshape(len(other_fees), T)

    fin = c.financing
    grants_in = np.zeros(T)
    grant_out = np.zeros((len(accounts), T))
    for g in fin.grants:
        if g.purpose == "first_loss":
            continue
        grants_in[min(g.period, T) - 1] += g.amount
        grant_out[acct[g.funder], min(g.period, T) - 1] -= g.amount
    fl = [g for g in fin.grants if g.purpose == "first_loss"]
    fl_amount = sum(g.amount for g in fl)
    m = c.periods_per_year
    tranche_ids = [t.id or t.investor for t in fin.tranches]
    K = len(fin.tranches)
    g_covered = np.array(
        [
            [1.0 if g.tranche is None or g.tranche == i else 0.0 for i in tranche_ids]
            for g in fin.guarantees
        ]
    ).reshape(len(fin.guarantees), K)
    provider = next((p.id for p in c.parties if p.role == "provider"), DEAL)
    return KernelPlan(
        T=T,
        co_start=_ints([co.start_period - 1 for co in c.cohorts]),
        co_size=_ints([rows[f"cohorts[{i}].size"] for i in range(C)]),
        co_eng=_ints([rows[f"cohorts[{i}].engagement"] for i in range(C)]),
        co_delay=_ints([rows[f"cohorts[{i}].start_delay"] for i in range(C)]),
        sh_off=sh_off,
        sh_val=sh_val,
        cost_setup=rows["costs.setup"],
        cost_fixed=rows["costs.fixed_per_period"],
        cost_pp=rows["costs.per_participant"],
        delivery_periods=c.costs.delivery_periods,
        fee_rate=1.0 + float(c.costs.margin),
        deferred_share=float(fin.deferred_fee.share) if fin.deferred_fee else 0.0,
        m_referred=_ints([1 if mm.population == "referred" else 0 for mm in c.metrics]),
        m_lag=_ints([rows[f"metrics[{j}].lag_periods"] for j in range(len(c.metrics))]),
        m_exp=_ints([rows[f"metrics[{j}].expected"] for j in range(len(c.metrics))]),
        m_base=_ints([rows[f"metrics[{j}].baseline"] for j in range(len(c.metrics))]),
        m_binary=_ints([1 if mm.kind == "binary" else 0 for mm in c.metrics]),
        m_kind=_ints([KINDS[mm.kind] for mm in c.metrics]),
        m_disp=_floats([float(mm.dispersion or 0.0) for mm in c.metrics]),
        m_increase=_ints([1 if mm.direction == "increase" else 0 for mm in c.metrics]),
        m_cf_none=_ints([1 if mm.counterfactual == "none" else 0 for mm in c.metrics]),
        m_cmp_ratio=_floats([float(mm.comparison_ratio or 1.0) for mm in c.metrics]),
        m_cmp_size=_floats([float(mm.comparison_size or 0) for mm in c.metrics]),
        r_kind=_ints(r_kind),
        r_metric=_ints(r_metric),
        r_measure=_ints(r_measure),
        r_pooled=_ints(r_pooled),
        r_mask=r_mask,
        r_price=_ints(r_price),
        r_threshold=_floats(r_threshold),
        r_amount=_floats(r_amount),
        r_basis=_ints(r_basis),
        r_has_max=_ints(r_has_max),
        r_max=_floats(r_max),
        r_above=_ints(r_above),
        r_share=_floats(r_share),
        r_pp=_floats(r_pp),
        r_window=r_window,
        r_has_cap=_ints(r_has_cap),
        r_cap=_floats(r_cap),
        r_lag=_ints(r_lag),
        r_net=_ints(r_net),
        net_off=_ints(net_off),
        net_ref=_ints(net_ref),
        tier_off=_ints(tier_off),
        tier_from=_floats(tier_from),
        tier_amount=_floats(tier_amount),
        tier_price=_ints(tier_price),
        gate_rule=_ints(gate_rule),
        gate_target=_ints(gate_target),
        order=_ints(order),
        z=z,
        price_index=index,
        has_cap=0 if c.payment.cap is None else 1,
        cap=0.0 if c.payment.cap is None else float(c.payment.cap),
        payer_acct=_ints([acct[p] for p in payers]),
        r_payer_share=r_payer_share,
        ex_acct=_ints([acct[p] for p in ex_ids]),
        ex_payer=_ints([payers.index(p) if p in payers else -1 for p in ex_ids]),
        ex_fallback=_floats([fallback.get(p, 0.0) for p in ex_ids]),
        dfee_row=dfee_row.astype(np.float64),
        dfee_share=_floats([float(f.share_of_outcome_payments) for f in deal_fees]),
        dfee_acct=_ints([acct[f.party] for f in deal_fees]),
        ofee_row=ofee_row.astype(np.float64),
        ofee_share=_floats([float(f.share_of_outcome_payments) for f in other_fees]),
        ofee_acct=_ints([acct[f.party] for f in other_fees]),
        ofee_payer=_ints([acct[f.paid_by] for f in other_fees]),
        grants_in=grants_in,
        grant_out=grant_out,
        fl_pool=float(fl_amount),
        fl_acct=_ints([acct[g.funder] for g in fl]),
        fl_part=_floats([g.amount / fl_amount if fl_amount else 0.0 for g in fl]),
        commit=_floats([float(t.commitment) for t in fin.tranches]),
        cap_rate=_floats(
            [
                float(period_rate(t.return_cap, m)) if t.return_cap is not None else 0.0
                for t in fin.tranches
            ]
        ),
        uncapped=_ints([1 if t.return_cap is None else 0 for t in fin.tranches]),
        rank=_ints([0 if t.seniority == "senior" else 1 for t in fin.tranches]),
        inv_acct=_ints([acct[t.investor] for t in fin.tranches]),
        upfront=1 if fin.drawdown == "upfront" else 0,
        recycle=1 if fin.recycle_outcome_payments else 0,
        at_end=1 if fin.distribution == "at_end" else 0,
        ex_to_payers=float(fin.excess_sharing.payers),
        ex_to_provider=float(fin.excess_sharing.provider),
        g_covered=g_covered.astype(np.float64),
        g_share=_floats([float(g.share_of_capital) for g in fin.guarantees]),
        g_has_cap=_ints([0 if g.cap is None else 1 for g in fin.guarantees]),
        g_cap=_floats([0.0 if g.cap is None else float(g.cap) for g in fin.guarantees]),
        g_acct=_ints([acct[g.guarantor] for g in fin.guarantees]),
        provider_acct=acct[provider],
        deal_acct=acct[DEAL],
        outside_acct=acct[OUTSIDE],
    )
