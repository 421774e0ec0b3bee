"""Outcome payments per rule: the payment rules of the contract applied to outcomes.

Each rule gives an array shaped (paths, cohorts + 1, periods): what it pays for each
cohort (the last slot: what is not tied to one cohort, e.g. a pooled threshold or a
per-period activity fee) in the period the payment falls due. Then, in order: gates
withhold and release, prices are indexed, the payment lag moves payments, rule caps
bind, earlier payments are netted, and the overall cap (utfallstak) binds.

A cohort gate (``scope = "cohort"``) on a cohort where nobody is measured is open in the
model: there is nothing to decide and, for the gate's own metric, nothing to pay. A
settlement passes ``gates_need_measurement``: there a gate is a condition for payment, and
a condition nobody measured is not met, so the cohort's gated payments are held back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.contract.rules import ActivityFee, Gate, RateCard, SavingsShare, Threshold, Tiers
from effekt.engine.inputs import Inputs
from effekt.engine.outcomes import Outcomes, decision_value, effect, effect_se
from effekt.engine.timeline import clamp_to_term

__all__ = ["INDEX_SERIES", "Decision", "RulePayments", "capped", "index_factors", "rule_payments"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class Decision:
    """Whether a threshold, tier, savings or gate rule was met, per path and cohort slot."""

    rule: str
    cohort: str | None
    triggered: BoolArray
    effect: FloatArray
    threshold: float | None
    period: IntArray


@dataclass
class RulePayments:
    """Payments per rule (paths, rules, periods) and the decisions behind them."""

    by_rule: FloatArray
    by_rule_cohort: FloatArray  # (paths, rules, cohorts + 1) totals
    decisions: list[Decision] = field(default_factory=list)
    uncapped_total: FloatArray | None = None


def capped(payments: FloatArray, cap: float | FloatArray) -> FloatArray:
    """Payments after a cumulative cap: min(Σ_{s≤t} x_s, cap) − min(Σ_{s<t} x_s, cap)."""
    cum = np.cumsum(payments, axis=-1)
    cap_b = np.asarray(cap, dtype=np.float64)
    if cap_b.ndim:
        cap_b = cap_b.reshape(cap_b.shape + (1,) * (cum.ndim - cap_b.ndim))
    lim = np.minimum(cum, cap_b)
    return np.diff(lim, axis=-1, prepend=0.0)


def _cohort_mask(c: Contract, cohorts: list[str] | None) -> BoolArray:
    ids = [co.id for co in c.cohorts]
    return np.array([cohorts is None or i in cohorts for i in ids])


def _gain(o: Outcomes, direction: str) -> FloatArray:
    """Outcome units gained over the baseline, per cohort and period."""
    diff = o.treated - o.baseline
    return diff if direction == "increase" else -diff


def index_factors(c: Contract) -> FloatArray:
    """Price index factor per period: (1 + rate)^(year − base_year), or the KPI/CPIH series."""
    idx = c.payment.indexation
    years = np.array([d.year for d in c.period_dates()], dtype=np.float64)
    if idx is None:
        return np.ones(c.term_periods)
    if idx.series == "fixed":
        return np.asarray((1 + (idx.rate or 0.0)) ** (years - idx.base_year), dtype=np.float64)
    from dataclasses import replace

    from effekt.data.reference import price_indices
    from effekt.engine.valuation.indices import rebase

    series = price_indices()[INDEX_SERIES[idx.series]]
    if idx.rate is not None:
        series = replace(series, extrapolation_rate=idx.rate)
    return np.asarray(rebase(1.0, idx.base_year, years, series).amount, dtype=np.float64)


class _RuleEngine:
    def __init__(
        self,
        c: Contract,
        inp: Inputs,
        outcomes: dict[str, Outcomes],
        enrolled: FloatArray,
        gates_need_measurement: bool = False,
    ) -> None:
        self.c, self.inp, self.outcomes, self.enrolled = c, inp, outcomes, enrolled
        self.gates_need_measurement = gates_need_measurement
        self.P, self.C, self.T = enrolled.shape
        self.decisions: list[Decision] = []
        self.index = index_factors(c)

    def slot_at(self, values: FloatArray, period: IntArray) -> FloatArray:
        """Place per-(path, slot) amounts in the period each falls due: (P, S) → (P, S, T)."""
        out = np.zeros(values.shape + (self.T,))
        np.put_along_axis(
            out, np.clip(period, 0, self.T - 1)[..., None], values[..., None], axis=-1
        )
        return out

    def scoped_effect(
        self,
        k: int,
        metric_id: str,
        measure: str,
        scope: str,
        cohorts: list[str] | None,
        threshold: float | None,
    ) -> tuple[FloatArray, FloatArray, BoolArray, IntArray, BoolArray]:
        """Per slot (P, C+1): effect used for the decision, the gain in units, whether the
        slot is decided by this rule, the decision period, and the extra condition."""
        o = self.outcomes[metric_id]
        j = next(i for i, m in enumerate(self.c.metrics) if m.id == metric_id)
        m = self.c.metrics[j]
        mask = _cohort_mask(self.c, cohorts)
        n = o.measured.sum(-1)  # (P, C)
        tr, bs = o.treated.sum(-1), o.baseline.sum(-1)
        gain = _gain(o, m.direction).sum(-1)
        if scope == "cohort":
            n_s = np.concatenate([n, np.zeros((self.P, 1))], axis=1)
            tr_s = np.concatenate([tr, np.zeros((self.P, 1))], axis=1)
            bs_s = np.concatenate([bs, np.zeros((self.P, 1))], axis=1)
            gain_s = np.concatenate([gain, np.zeros((self.P, 1))], axis=1)
            period = np.concatenate(
                [o.decision_period, np.zeros((self.P, 1), dtype=np.int64)], axis=1
            )
            active = np.concatenate(
                [np.broadcast_to(mask, (self.P, self.C)), np.zeros((self.P, 1), bool)], axis=1
            )
        else:
            sel = mask[None, :]
            n_p = (n * sel).sum(1, keepdims=True)
            tr_p, bs_p = (tr * sel).sum(1, keepdims=True), (bs * sel).sum(1, keepdims=True)
            g_p = (gain * sel).sum(1, keepdims=True)
            last = np.where(sel, o.decision_period, -1).max(axis=1, keepdims=True)
            z = np.zeros((self.P, self.C))
            n_s = np.concatenate([z, n_p], 1)
            tr_s, bs_s, gain_s = (
                np.concatenate([z, tr_p], 1),
                np.concatenate([z, bs_p], 1),
                np.concatenate([z, g_p], 1),
            )
            period = np.concatenate([np.zeros((self.P, self.C), dtype=np.int64), last], 1)
            active = np.concatenate(
                [np.zeros((self.P, self.C), bool), np.ones((self.P, 1), bool)], 1
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            t_rate = np.where(n_s > 0, tr_s / np.maximum(n_s, 1e-300), 0.0)
            b_rate = np.where(n_s > 0, bs_s / np.maximum(n_s, 1e-300), 0.0)
        value = effect(t_rate, b_rate, measure, m.direction)
        rule = self.c.rules[k]
        basis = rule.decision_basis or self.c.payment.decision_basis
        se = effect_se(m, t_rate, b_rate, n_s, measure)
        decided, cond = decision_value(value, se, basis, self.c.payment.confidence)
        active = active & (n_s > 0)
        if threshold is not None:
            met = active & cond & (decided >= threshold - 1e-12)
            self._record(k, active, met, value, threshold, period)
        return decided, np.maximum(gain_s, 0.0), active, period, cond

    def _record(
        self,
        k: int,
        active: BoolArray,
        met: BoolArray,
        value: FloatArray,
        thr: float | None,
        period: IntArray,
    ) -> None:
        names = [co.id for co in self.c.cohorts] + [None]
        for s, name in enumerate(names):
            if active[:, s].any():
                self.decisions.append(
                    Decision(self.c.rule_id(k), name, met[:, s], value[:, s], thr, period[:, s])
                )

    # --- one function per rule kind ------------------------------------------------
    def rate_card(self, k: int, r: RateCard) -> FloatArray:
        """price × outcomes measured in t (× max per participant; above the baseline if asked)."""
        o = self.outcomes[r.metric]
        m = self.c.metric(r.metric)
        units = np.maximum(_gain(o, m.direction), 0) if r.above_baseline else o.treated
        if r.max_per_participant is not None:
            units = np.minimum(units, r.max_per_participant * o.measured)
        units = units * _cohort_mask(self.c, r.cohorts)[None, :, None]
        out = np.zeros((self.P, self.C + 1, self.T))
        out[:, : self.C] = units * self.inp[f"rules[{k}].price"][:, None, None]
        return out

    def threshold(self, k: int, r: Threshold) -> FloatArray:
        """amount + price × gain, in each slot whose effect reaches the threshold."""
        decided, gain, active, period, cond = self.scoped_effect(
            k, r.metric, r.measure, r.scope, r.cohorts, r.threshold
        )
        met = active & cond & (decided >= r.threshold - 1e-12)
        pay = np.where(met, r.amount + self.inp[f"rules[{k}].price"][:, None] * gain, 0.0)
        return self.slot_at(pay, period)

    def tiers(self, k: int, r: Tiers) -> FloatArray:
        """The highest band reached: its amount + its price × gain."""
        decided, gain, active, period, cond = self.scoped_effect(
            k, r.metric, r.measure, r.scope, r.cohorts, None
        )
        pay = np.zeros_like(decided)
        band = np.full(decided.shape, -1)
        for t, tier in enumerate(r.tiers):
            reached = active & cond & (decided >= tier.from_effect - 1e-12)
            amount = tier.amount + self.inp[f"rules[{k}].tiers[{t}].price"][:, None] * gain
            pay = np.where(reached, amount, pay)
            band = np.where(reached, t, band)
        self._record(k, active, band >= 0, decided, r.tiers[0].from_effect, period)
        return self.slot_at(pay, period)

    def savings_share(self, k: int, r: SavingsShare) -> FloatArray:
        """share × saving per outcome × gain, per cohort when it is measured."""
        o = self.outcomes[r.metric]
        m = self.c.metric(r.metric)
        gain = np.maximum(_gain(o, m.direction), 0) * _cohort_mask(self.c, r.cohorts)[None, :, None]
        out = np.zeros((self.P, self.C + 1, self.T))
        out[:, : self.C] = (
            r.share * self.inp[f"rules[{k}].saving_per_outcome"][:, None, None] * gain
        )
        return out

    def activity_fee(self, k: int, r: ActivityFee) -> FloatArray:
        """per_participant × enrolments, plus per_period in [from_period, to_period]."""
        out = np.zeros((self.P, self.C + 1, self.T))
        out[:, : self.C] = (
            r.per_participant * self.enrolled * _cohort_mask(self.c, r.cohorts)[None, :, None]
        )
        last = (r.to_period or self.c.term_periods) - 1
        t = np.arange(self.T)
        out[:, self.C] = r.per_period * ((t >= r.from_period - 1) & (t <= last))[None, :]
        return out

    def gate(self, k: int, r: Gate) -> tuple[BoolArray, IntArray]:
        """Whether the gate is open (P, C+1) and when that is known.

        Pooled: open when the pooled effect reaches the threshold (closed when nobody was
        measured). Per cohort: open where the cohort's effect reaches it and for cohorts the
        gate does not decide — outside its ``cohorts``, and, unless
        ``gates_need_measurement``, cohorts where nobody was measured; the slot not tied to
        a cohort is open when every cohort the gate decides is open.
        """
        decided, _, active, period, cond = self.scoped_effect(
            k, r.metric, r.measure, r.scope, r.cohorts, r.threshold
        )
        met = active & cond & (decided >= r.threshold - 1e-12)
        if r.scope == "all_cohorts":
            return np.repeat(met[:, -1:], self.C + 1, axis=1), np.repeat(
                period[:, -1:], self.C + 1, axis=1
            )
        if self.gates_need_measurement:
            free = np.broadcast_to(~_cohort_mask(self.c, r.cohorts), (self.P, self.C))
        else:
            free = ~active[:, : self.C]
        is_open = met[:, : self.C] | free
        pooled_open = is_open.all(axis=1, keepdims=True)
        pooled_period = period[:, : self.C].max(axis=1, keepdims=True)
        return np.concatenate([is_open, pooled_open], 1), np.concatenate(
            [period[:, : self.C], pooled_period], 1
        )


#: The contract's index names → the price-index series shipped in data/price_indices.csv.
INDEX_SERIES = {
    "se_kpi": "se_kpi_faststallda_arsmedel",
    "uk_cpih": "uk_cpih_ons_l522",
    "uk_gdp_deflator": "uk_gdp_deflator_ons_ybgb",
}


def _defer(x: FloatArray, until: IntArray) -> FloatArray:
    """Move what falls due before ``until`` (per path and slot) to ``until``."""
    T = x.shape[-1]
    t = np.arange(T)
    early = t[None, None, :] < until[..., None]
    held = np.where(early, x, 0.0).sum(-1)
    out = np.where(early, 0.0, x)
    np.put_along_axis(
        out,
        np.clip(until, 0, T - 1)[..., None],
        np.take_along_axis(out, np.clip(until, 0, T - 1)[..., None], -1) + held[..., None],
        -1,
    )
    return out


def rule_payments(
    c: Contract,
    inp: Inputs,
    outcomes: dict[str, Outcomes],
    enrolled: FloatArray,
    gates_need_measurement: bool = False,
) -> RulePayments:
    """Every rule's payments (paths, rules, periods), with gates, indexation, lag and caps.

    ``gates_need_measurement``: a cohort gate holds back the payments of a cohort where
    nobody was measured (settlement) instead of letting them through (the model).
    """
    eng = _RuleEngine(c, inp, outcomes, enrolled, gates_need_measurement)
    P, C, T = eng.P, eng.C, eng.T
    R = len(c.rules)
    raw = np.zeros((P, R, C + 1, T))
    gates: list[tuple[Gate, BoolArray, IntArray]] = []
    for k, r in enumerate(c.rules):
        if isinstance(r, RateCard):
            raw[:, k] = eng.rate_card(k, r)
        elif isinstance(r, Threshold):
            raw[:, k] = eng.threshold(k, r)
        elif isinstance(r, Tiers):
            raw[:, k] = eng.tiers(k, r)
        elif isinstance(r, SavingsShare):
            raw[:, k] = eng.savings_share(k, r)
        elif isinstance(r, ActivityFee):
            raw[:, k] = eng.activity_fee(k, r)
        else:
            is_open, when = eng.gate(k, r)
            gates.append((r, is_open, when))
    ids = [c.rule_id(k) for k in range(R)]
    for g, is_open, when in gates:
        for name in g.applies_to:
            if name in ids:
                k = ids.index(name)
                raw[:, k] = _defer(raw[:, k], when) * is_open[..., None]
    raw *= eng.index[None, None, None, :]
    lag_default = c.payment.payment_lag_periods
    due = np.zeros_like(raw)
    for k, r in enumerate(c.rules):
        lag = r.payment_lag_periods if r.payment_lag_periods is not None else lag_default
        due[:, k] = _lagged(raw[:, k], lag)
    order = [k for k in range(R) if not _net_of(c, k)] + [k for k in range(R) if _net_of(c, k)]
    for k in order:
        r = c.rules[k]
        if isinstance(r, Threshold) and r.net_of:
            refs = [ids.index(n) for n in r.net_of if n in ids]
            already = due[:, refs].sum(axis=(1, 3))  # (P, C+1)
            if r.scope == "all_cohorts":
                already = np.concatenate([np.zeros((P, C)), already.sum(1, keepdims=True)], 1)
            cum = np.cumsum(due[:, k], -1)
            due[:, k] = np.diff(np.maximum(cum - already[..., None], 0.0), axis=-1, prepend=0.0)
        if r.cap is not None:
            total = due[:, k].sum(1)  # (P, T)
            kept = capped(total, r.cap)
            due[:, k] *= np.where(total > 0, kept / np.where(total > 0, total, 1), 0.0)[:, None, :]
    by_rule = due.sum(axis=2)
    uncapped = by_rule.sum(1)
    if c.payment.cap is not None:
        kept = capped(uncapped, c.payment.cap)
        scale = np.where(uncapped > 0, kept / np.where(uncapped > 0, uncapped, 1), 0.0)
        by_rule = by_rule * scale[:, None, :]
        due = due * scale[:, None, None, :]
    return RulePayments(by_rule, due.sum(-1), eng.decisions, uncapped)


def _lagged(x: FloatArray, lag: int) -> FloatArray:
    P, S, T = x.shape
    return clamp_to_term(x.reshape(P * S, T), lag).reshape(P, S, T)


def _net_of(c: Contract, k: int) -> bool:
    r = c.rules[k]
    return isinstance(r, Threshold) and bool(r.net_of)
