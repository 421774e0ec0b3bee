"""The outcome report's payments in words: the verified total apart from the activity fees,
the rules nothing was measured for, what the payments per outcome of a hidden cohort can
give away, and the payments by budget year and payer."""

from __future__ import annotations

from typing import Any

from effekt.i18n import translate as t
from effekt.i18n.format import money


def by_budget_year(p: dict[str, Any], lang: str) -> list[str]:
    """The payments due by budget year and payer, as ``effekt model`` gives the business
    case's: each payment in its payer's budget year (the settlement's ``budget_year``)."""
    by_year: dict[str, dict[str, float]] = {}
    for x in p["payments"]:
        row = by_year.setdefault(x["budget_year"], {})
        row[x["payer"]] = row.get(x["payer"], 0.0) + x["amount"]
    if not by_year:
        return []
    lines = [f"  {t('report.by_budget_year', lang)}"]
    for year, payers in sorted(by_year.items()):  # "2027" before "2027/28" before "2028"
        cells = ", ".join(
            f"{payer} {money(round(amount, 2), p['currency'], lang)}"
            for payer, amount in payers.items()
        )
        lines.append(f"    {year}: {cells}")
    return lines


def payment_totals(p: dict[str, Any], lang: str, events: list[str]) -> list[str]:
    """The verified total (payments on what was measured) apart from the activity fees the
    contract's delivery plan gives, the sum due, the rules nothing was measured for, and
    what a payment per outcome can give away of a hidden cohort (``events``: the cohorts
    hidden because their events would single a person out)."""
    cur = p["currency"]
    by_basis = p["totals_by_basis"]
    lines = [t("report.payments_verified", lang, total=money(by_basis["measured"], cur, lang))]
    if by_basis["modelled"]:
        lines.append(
            t("report.payments_modelled", lang, total=money(by_basis["modelled"], cur, lang))
        )
        lines.append(t("report.payments_due", lang, total=money(p["total"], cur, lang)))
    unmeasured: dict[tuple[str, str], list[str]] = {}
    for x in p["decisions"]:
        if x.get("measured", True) is False:
            cohorts = unmeasured.setdefault((x["rule"], x.get("metric") or ""), [])
            if x["cohort"] is not None:
                cohorts.append(x["cohort"])
    if unmeasured:
        rules = "; ".join(
            f"{rule} ({metric}: {', '.join(cohorts)})" if cohorts else f"{rule} ({metric})"
            for (rule, metric), cohorts in unmeasured.items()
        )
        lines.append(t("report.payments_not_measured", lang, rules=rules))
    if p["suppressed_cohorts_paid_per_outcome"]:
        lines.append(_payments_reveal(p["suppressed_cohorts_paid_per_outcome"], events, lang))
    return lines


def events_hidden(d: dict[str, Any]) -> list[str]:
    """The cohorts whose measurements are hidden because a count outcome's events would
    single a person out (the others are hidden by the published table's rule)."""
    return list((d.get("measurements") or {}).get("events_suppressed_cohorts", []))


def _payments_reveal(cohorts: list[str], events: list[str], lang: str) -> str:
    """What the payments per outcome of the hidden cohorts can give away, by why each
    cohort is hidden: the table's rule (a count the tables hide) or, for a count
    outcome, events that would single a person out (how few had more than two)."""
    by_table = [c for c in cohorts if c not in events]
    by_events = [c for c in cohorts if c in events]
    sentences = [t("report.payments_reveal", lang)]
    if by_table:
        sentences.append(t("report.payments_reveal_table", lang, cohorts=", ".join(by_table)))
    if by_events:
        sentences.append(t("report.payments_reveal_events", lang, cohorts=", ".join(by_events)))
    return " ".join(sentences)
