"""Every payment rule as one plain sentence, and a readable summary of a contract.

``explain_rules`` writes the contract annex text: who pays whom, how much, for what,
measured how and when, up to what cap — in Swedish or English.
"""

from __future__ import annotations

from effekt.contract.model import Contract
from effekt.contract.quantity import Quantity, expected
from effekt.contract.rules import ActivityFee, Gate, RateCard, SavingsShare, Threshold, Tiers
from effekt.i18n import translate as t
from effekt.i18n.format import money, number, percent

__all__ = ["effect_text", "explain_rules", "summary"]


def _q(q: Quantity, lang: str) -> str:
    """A quantity as text: a number, or its mean followed by '(uncertain)'."""
    value = expected(q)
    whole = abs(value - round(value)) < 1e-9
    text = number(value, lang, 0 if whole or abs(value) >= 100 else 2)
    return text if isinstance(q, int | float) else f"≈{text}"


def _money_q(q: Quantity, c: Contract, lang: str) -> str:
    text = money(expected(q), c.currency, lang)
    return text if isinstance(q, int | float) else f"≈{text}"


def _party_name(c: Contract, party_id: str) -> str:
    p = next((p for p in c.parties if p.id == party_id), None)
    return (p.name or p.id) if p is not None else party_id


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {t('explain.and', lang)} " + items[-1]


def _payers(c: Contract, shares: dict[str, float] | None, lang: str) -> str:
    shares = (
        shares
        or c.payer_shares()
        or {p.id: 1.0 for p in c.parties if p.role in ("commissioner", "outcome_fund")}
    )
    if len(shares) == 1:
        return _party_name(c, next(iter(shares)))
    return _join(
        [
            t("explain.payer_share", lang, name=_party_name(c, pid), share=percent(s, lang))
            for pid, s in shares.items()
        ],
        lang,
    )


def effect_text(
    measure: str, value: float, kind: str, lang: str, decimals: int | None = None
) -> str:
    """An effect as text: relative effects and binary levels as a percentage, a difference
    of binary shares in percentage points, anything else as a number. ``decimals``: of the
    percentage (a decision near its threshold shows two), else the format's default."""

    def pct(x: float) -> str:
        return percent(x, lang) if decimals is None else percent(x, lang, decimals)

    if measure in ("relative_reduction", "relative_increase"):
        return pct(value)
    if kind == "binary" and measure == "level":
        return pct(value)
    if kind == "binary" and measure == "absolute_difference":
        points = pct(value).removesuffix("\u00a0%")
        return t("explain.percentage_points", lang, n=points)
    whole = abs(value - round(value)) < 1e-9
    return number(value, lang, 0 if whole else 2)


def _what(amount: float, price: Quantity, unit: str, direction: str, c: Contract, lang: str) -> str:
    parts = []
    if amount:
        parts.append(t("explain.fixed_amount", lang, amount=money(amount, c.currency, lang)))
    if expected(price):
        parts.append(
            t(
                "explain.price_per_avoided"
                if direction == "decrease"
                else "explain.price_per_gain",
                lang,
                price=_money_q(price, c, lang),
                unit=t(f"explain.unit.{unit}", lang),
            )
        )
    return _join(parts, lang) or money(0, c.currency, lang)


def _rule_ids(c: Contract, ids: list[str], lang: str) -> str:
    """Rule ids in quotation marks: ”…” in Swedish, “…” in English."""
    left = "”" if lang == "sv" else "“"
    return ", ".join(f"{left}{i}”" for i in ids)


def _periods(c: Contract, n: int, lang: str) -> str:
    """``n`` periods of the contract's length: "1 quarter", "2 quarters", "2 kvartal"."""
    return t(f"explain.{'period_one' if n == 1 else 'periods'}.{c.period}", lang, n=n)


def explain_rule(c: Contract, index: int, lang: str = "en") -> str:
    """One paragraph for rule ``index``: the sentence, how it is measured, its cap."""
    rule = c.rules[index]
    payers = _payers(c, rule.payers, lang)
    n_payers = len(rule.payers or c.payer_shares() or {"": 1})
    pay = t("explain.pay_many" if n_payers > 1 else "explain.pay_one", lang)
    recipient = t("explain.recipient", lang)
    sentences: list[str] = []
    metric = c.metric(rule.metric) if not isinstance(rule, ActivityFee) else None
    if isinstance(rule, RateCard) and metric is not None:
        above = (
            t(
                "explain.above_baseline",
                lang,
                counterfactual=t(f"explain.counterfactual.{metric.counterfactual}", lang),
            )
            if rule.above_baseline
            else ""
        )
        per = (
            t("explain.max_per_participant", lang, n=number(rule.max_per_participant, lang))
            if rule.max_per_participant
            else ""
        )
        sentences.append(
            t(
                "explain.rate_card",
                lang,
                payers=payers,
                pay=pay,
                recipient=recipient,
                price=_money_q(rule.price, c, lang),
                unit=t(f"explain.unit.{metric.unit}", lang),
                metric=metric.name or metric.id,
                definition=metric.definition_in(lang).rstrip("."),
                above=above,
                per_participant=per,
            )
        )
    elif isinstance(rule, Threshold | Gate | Tiers) and metric is not None:
        measure = t(f"explain.measure.{rule.measure}", lang)
        scope = t(f"explain.scope.{rule.scope}", lang)
        name = metric.name or metric.id
        if isinstance(rule, Threshold):
            sentences.append(
                t(
                    "explain.threshold",
                    lang,
                    measure=measure,
                    metric=name,
                    threshold=effect_text(rule.measure, rule.threshold, metric.kind, lang),
                    scope=scope,
                    payers=payers,
                    pay=pay,
                    recipient=recipient,
                    what=_what(rule.amount, rule.price, metric.unit, metric.direction, c, lang),
                )
            )
            if rule.net_of:
                sentences.append(t("explain.net_of", lang, rules=_rule_ids(c, rule.net_of, lang)))
        elif isinstance(rule, Tiers):
            bands = "; ".join(
                t(
                    "explain.band",
                    lang,
                    edge=effect_text(rule.measure, tier.from_effect, metric.kind, lang),
                    what=_what(tier.amount, tier.price, metric.unit, metric.direction, c, lang),
                )
                for tier in rule.tiers
            )
            sentences.append(
                t(
                    "explain.tiers",
                    lang,
                    payers=payers,
                    pay=pay,
                    recipient=recipient,
                    measure=measure,
                    metric=name,
                    scope=scope,
                    bands=bands,
                )
            )
        else:
            sentences.append(
                t(
                    "explain.gate",
                    lang,
                    rules=_rule_ids(c, rule.applies_to, lang),
                    measure=measure,
                    metric=name,
                    threshold=effect_text(rule.measure, rule.threshold, metric.kind, lang),
                    scope=scope,
                )
            )
    elif isinstance(rule, SavingsShare) and metric is not None:
        sentences.append(
            t(
                "explain.savings_share",
                lang,
                payers=payers,
                pay=pay,
                recipient=recipient,
                share=percent(rule.share, lang),
                metric=metric.name or metric.id,
                saving=_money_q(rule.saving_per_outcome, c, lang),
                counterfactual=t(f"explain.counterfactual.{metric.counterfactual}", lang),
            )
        )
    elif isinstance(rule, ActivityFee):
        parts = []
        if rule.per_participant:
            parts.append(
                t(
                    "explain.activity_per_participant",
                    lang,
                    amount=money(rule.per_participant, c.currency, lang),
                )
            )
        if rule.per_period:
            parts.append(
                t(
                    "explain.activity_per_period",
                    lang,
                    amount=money(rule.per_period, c.currency, lang),
                    period=t(f"explain.period.{c.period}", lang),
                    first=rule.from_period,
                    last=rule.to_period or c.term_periods,
                )
            )
        sentences.append(
            t(
                "explain.activity_fee",
                lang,
                payers=payers,
                pay=pay,
                recipient=recipient,
                what=_join(parts, lang) or money(0, c.currency, lang),
            )
        )
    if metric is not None and not isinstance(rule, Gate):
        lag = round(expected(metric.lag_periods))
        paylag = (
            rule.payment_lag_periods
            if rule.payment_lag_periods is not None
            else c.payment.payment_lag_periods
        )
        basis = rule.decision_basis or c.payment.decision_basis
        sentences.append(
            t(
                "explain.measured",
                lang,
                lag=_periods(c, lag, lang),
                source=t("explain.source", lang, source=metric.data_source)
                if metric.data_source
                else "",
                population=t(f"explain.population.{metric.population}", lang),
                paylag=_periods(c, paylag, lang),
                basis=t(
                    f"explain.basis.{basis}", lang, confidence=percent(c.payment.confidence, lang)
                ),
            )
        )
    if rule.cap is not None:
        sentences.append(t("explain.cap_rule", lang, cap=money(rule.cap, c.currency, lang)))
    return " ".join(sentences)


def explain_rules(c: Contract, lang: str = "en") -> list[str]:
    """A paragraph per rule, then one on the overall cap and indexation."""
    out = [f"{c.rule_id(i)}: {explain_rule(c, i, lang)}" for i in range(len(c.rules))]
    closing = [
        t("explain.cap_contract", lang, cap=money(c.payment.cap, c.currency, lang))
        if c.payment.cap is not None
        else t("explain.no_cap", lang)
    ]
    idx = c.payment.indexation
    if idx is not None and idx.series == "fixed":
        rate = percent(idx.rate or 0.0, lang)
        closing.append(t("explain.indexation_fixed", lang, rate=rate, year=idx.base_year))
    elif idx is not None:
        rate = (
            t("explain.indexation_rate", lang, rate=percent(idx.rate, lang))
            if idx.rate is not None
            else ""
        )
        closing.append(
            t(
                "explain.indexation",
                lang,
                series=t(f"explain.series.{idx.series}", lang),
                year=idx.base_year,
                rate=rate,
            )
        )
    out.append(" ".join(closing))
    return out


def summary(c: Contract, lang: str = "en") -> str:
    """A readable overview: parties, cohorts, metrics, rules, financing."""
    lines = [
        t("summary.title", lang, id=c.id, name=f": {c.name}" if c.name else ""),
        t(
            "summary.term",
            lang,
            currency=c.currency,
            start=c.start.isoformat(),
            term=_periods(c, c.term_periods, lang),
            periods=c.term_periods,
            period=t(f"explain.period.{c.period}", lang),
        ),
        "",
    ]
    lines.append(t("summary.parties", lang))
    for p in c.parties:
        share = f", {percent(p.payer_share, lang)}" if p.payer_share is not None else ""
        lines.append(f"  - {p.id}: {p.name or p.id} — {t(f'role.{p.role}', lang)}{share}")
    lines += ["", t("summary.cohorts", lang)]
    for co in c.cohorts:
        lines.append(
            "  - "
            + t(
                "summary.cohort_line",
                lang,
                id=co.id,
                size=_q(co.size, lang),
                start=co.start_period,
                spread=_periods(c, co.referral_periods, lang),
                engagement=percent(expected(co.engagement), lang),
            )
        )
    lines += ["", t("summary.metrics", lang)]
    for m in c.metrics:
        baseline = _q(m.baseline, lang) if m.baseline is not None else "—"
        lines.append(
            "  - "
            + t(
                "summary.metric_line",
                lang,
                id=m.id,
                name=f": {m.name}" if m.name else "",
                kind=t(f"kind.{m.kind}", lang),
                direction=t(f"direction.{m.direction}", lang),
                definition=m.definition_in(lang).strip(),
                expected=_q(m.expected, lang),
                baseline=baseline,
                counterfactual=t(f"explain.counterfactual.{m.counterfactual}", lang),
            )
        )
    if c.evidence:
        lines += ["", t("summary.evidence", lang)]
        for study in c.evidence:
            size = f", n = {study.n}" if study.n else ""
            design = t(f"feasibility.design.{study.design}", lang)
            lines.append(f"  - {study.citation} ({design}{size})")
    lines += ["", t("summary.rules", lang)]
    lines += [f"  - {para}" for para in explain_rules(c, lang)]
    lines += ["", t("summary.financing", lang)]
    for i, tr in enumerate(c.financing.tranches):
        cap = (
            t("summary.per_year", lang, rate=percent(tr.return_cap, lang))
            if tr.return_cap is not None
            else t("summary.no_cap", lang)
        )
        lines.append(
            "  - "
            + t(
                "summary.tranche_line",
                lang,
                id=tr.id or tr.investor or i,
                investor=_party_name(c, tr.investor),
                seniority=t(f"seniority.{tr.seniority}", lang),
                commitment=money(tr.commitment, c.currency, lang),
                cap=cap,
            )
        )
    for g in c.financing.guarantees:
        tranche = f" ({g.tranche})" if g.tranche else ""
        lines.append(
            "  - "
            + t(
                "summary.guarantee_line",
                lang,
                guarantor=_party_name(c, g.guarantor),
                share=percent(g.share_of_capital, lang),
                tranche=tranche,
            )
        )
    for gr in c.financing.grants:
        lines.append(
            "  - "
            + t(
                "summary.grant_line",
                lang,
                funder=_party_name(c, gr.funder),
                amount=money(gr.amount, c.currency, lang),
                period=gr.period,
                purpose=t(f"purpose.{gr.purpose}", lang),
            )
        )
    for f in c.fees:
        parts = []
        if f.upfront:
            parts.append(money(f.upfront, c.currency, lang))
        if f.per_period:
            parts.append(
                f"{money(f.per_period, c.currency, lang)}/{t(f'explain.period.{c.period}', lang)}"
            )
        if f.share_of_outcome_payments:
            parts.append(percent(f.share_of_outcome_payments, lang))
        paid_by = t("summary.deal", lang) if f.paid_by == "deal" else _party_name(c, f.paid_by)
        lines.append(
            "  - "
            + t(
                "summary.fee_line",
                lang,
                kind=t(f"fee.{f.kind}", lang),
                party=_party_name(c, f.party),
                what=" + ".join(parts) or "0",
                paid_by=paid_by,
            )
        )
    return "\n".join(lines)
