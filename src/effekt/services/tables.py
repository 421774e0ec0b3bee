"""Readable text tables of results, in Swedish or English."""

from __future__ import annotations

from typing import Any

from effekt.contract.model import Contract
from effekt.contract.parties import RISKING_ROLES
from effekt.i18n import translate as t
from effekt.i18n.format import money, number, rate
from effekt.reports.text import aligned

__all__ = ["business_case_text"]


def _cell(value: Any, kind: str, c: Contract, lang: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return money(round(value) + 0.0, c.currency, lang)
    if kind == "rate":
        return rate(value, lang)  # an IRR: one decimal, as the workbook's
    if kind == "x":
        return number(value, lang, 2) + "×"
    return str(value)


def business_case_text(c: Contract, data: dict[str, Any], lang: str = "en") -> str:
    """Per party: role, total, NPV, IRR, money multiple; then totals and payments by year."""
    head = [
        t("table.party", lang),
        t("table.role", lang),
        t("table.total", lang),
        t("table.npv", lang),
        t("table.irr", lang),
        t("table.moic", lang),
        t("table.peak", lang),
    ]
    rows = [head]
    party_ids = {party.id for party in c.parties}
    for pid, p in data["parties"].items():
        rows.append(
            [
                pid if pid in party_ids else "—",  # the accounts are named by their role
                t(f"role.{p['role']}", lang),
                _cell(p["total"], "money", c, lang),
                _cell(p["npv"], "money", c, lang),
                _cell(p["irr"], "rate", c, lang),
                _cell(p["moic"], "x", c, lang),
                _cell(p["peak_cash_need"], "money", c, lang),
            ]
        )
    name = f": {c.name}" if c.name else ""
    lines = [t("table.title", lang, id=c.id, name=name), "", *aligned(rows)]
    lines += no_return_notes(data, lang)
    lines += unpaid_note(c, data, lang)
    tot = data["totals"]
    lines += [
        "",
        t(
            "table.totals_with_activity" if tot.get("activity_fees") else "table.totals",
            lang,
            payments=_cell(tot["outcome_payments"], "money", c, lang),
            activity=_cell(tot.get("activity_fees", 0.0), "money", c, lang),
            drawn=_cell(tot["capital_drawn"], "money", c, lang),
            costs=_cell(tot["delivery_costs"], "money", c, lang),
        ),
    ]
    lines += [
        "",
        t("table.by_year_with_activity" if tot.get("activity_fees") else "table.by_year", lang),
    ]
    for year, payers in data["outcome_payments_by_year"].items():
        cells = ", ".join(f"{pid} {_cell(v, 'money', c, lang)}" for pid, v in payers.items())
        lines.append(f"  {year}: {cells}")
    lines += ["", t("table.tranches", lang)]
    for tr in data["tranches"]:
        lines.append(
            "  "
            + t(
                "table.tranche_line",
                lang,
                id=tr["id"],
                drawn=_cell(tr["drawn"], "money", c, lang),
                back=_cell(tr["capital_returned"], "money", c, lang),
                ret=_cell(tr["returns"], "money", c, lang),
            )
        )
    # a total loss as the table writes it: IRR -100.0 %, multiple 0.00×
    lost, nothing = _cell(-1.0, "rate", c, lang), _cell(0.0, "x", c, lang)
    lines += ["", t("table.note", lang, lost=lost, nothing=nothing)]
    return "\n".join(lines)


def no_return_notes(data: dict[str, Any], lang: str) -> list[str]:
    """Why a party with money at risk has no IRR: one line each (a payer's or fee taker's
    "—" needs no note: the table's note says returns are for money put at risk)."""
    notes = []
    for pid, p in data["parties"].items():
        if p["role"] in RISKING_ROLES and p["irr"] is None:
            reason = t(f"finance.reason.{p['irr_reason']}", lang)
            notes.append(t("table.no_return", lang, party=pid, reason=reason))
    return notes


def unpaid_note(c: Contract, data: dict[str, Any], lang: str) -> list[str]:
    """What the deal still owes at the end of the term, by party: one line, only if any."""
    owed = [
        f"{pid} {_cell(p['unpaid_at_end'], 'money', c, lang)}"
        for pid, p in data["parties"].items()
        if p.get("unpaid_at_end", 0.0) > 0
    ]
    return [t("table.unpaid_at_end", lang, owed="; ".join(owed))] if owed else []


def business_case_csv(data: dict[str, Any]) -> str:
    """Period, start date and every account's flow, one line per period."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    accounts = list(data["parties"])
    w.writerow(["period", "start", *accounts])
    for i, period in enumerate(data["periods"]):
        w.writerow(
            [
                period["period"],
                period["start"],
                *[data["parties"][a]["cash_flows"][i] for a in accounts],
            ]
        )
    return buf.getvalue()


def scenarios_text(
    c: Contract, base: dict[str, Any], scenarios: dict[str, dict[str, Any]], lang: str
) -> str:
    """Key figures of each scenario next to the base case."""
    cases = [base, *scenarios.values()]  # by position: a scenario may be called "base"
    rows = [[t("xlsx.measure", lang), t("xlsx.base", lang), *scenarios]]
    parties = {p.id for p in c.parties}  # not the deal's and the outside accounts
    for pid, p in base["parties"].items():
        if pid not in parties:
            continue
        # as the workbook's scenarios sheet: every party's NPV, and the IRR and multiple of
        # those with money at risk (a provider, a grant funder, a guarantor too)
        fields: list[tuple[str, str]] = [("npv", "money")]
        if p["role"] in RISKING_ROLES:
            fields += [("irr", "rate"), ("moic", "x")]
        for field, kind in fields:
            rows.append(
                [
                    f"{pid} {t(f'table.{field}', lang)}",
                    *[_cell(x["parties"][pid][field], kind, c, lang) for x in cases],
                ]
            )
    rows.append(
        [
            t("xlsx.outcome_payments", lang),
            *[_cell(x["totals"]["outcome_payments"], "money", c, lang) for x in cases],
        ]
    )
    lines = [t("table.scenarios", lang), *aligned(rows, left=1, rule=False)]
    return "\n".join(lines)


def settle_text(c: Contract, data: dict[str, Any], lang: str) -> str:
    """Decisions with reasons, payments due (activity fees marked as from the plan), the
    totals on measured outcomes and from the plan, and the investors' result."""
    lines = [t("settle.title", lang, id=c.id), "", t("settle.decisions", lang)]
    for d in data["decisions"]:
        mark = "✓" if d["triggered"] else "✗"
        cohort = d["cohort"] or t("explain.scope.all_cohorts", lang)
        if d["period"] is not None:
            cohort = t("settle.decision_when", lang, cohort=cohort, period=d["period"])
        line = t("settle.decision_line", lang, mark=mark, rule=d["rule"], cohort=cohort,
                 reason=d["reason"])  # fmt: skip
        lines.append(f"  {line}")
    lines += ["", t("settle.payments", lang)]
    for p in data["payments"]:
        line = t(
            "settle.payment_line",
            lang,
            period=p["period"],
            start=p["start"],
            end=p["end"],
            budget_year=p["budget_year"],
            payer=p["payer"],
            amount=_cell(p["amount"], "money", c, lang),
            rule=p["rule"],
        )
        if p["basis"] == "modelled":
            line += " " + t("settle.modelled_mark", lang)
        lines.append("  " + line)
    lines.append("")
    by_basis = data["totals_by_basis"]
    if by_basis["modelled"]:
        for code, amount in (
            ("settle.total_measured", by_basis["measured"]),
            ("settle.total_modelled", by_basis["modelled"]),
            ("settle.total_due", data["total_payments"]),
        ):
            lines.append(t(code, lang, amount=_cell(amount, "money", c, lang)))
    else:
        lines.append(
            t("settle.total", lang, amount=_cell(data["total_payments"], "money", c, lang))
        )
    lines.append("")
    for tr in data["tranches"]:
        irr = data["parties"][tr["investor"]]["irr"]
        lines.append(
            "  "
            + t(
                "settle.investor_line",
                lang,
                id=tr["id"],
                drawn=_cell(tr["drawn"], "money", c, lang),
                back=_cell(tr["capital_returned"], "money", c, lang),
                ret=_cell(tr["returns"], "money", c, lang),
                irr=_cell(irr, "rate", c, lang),
            )
        )
    return "\n".join(lines)
