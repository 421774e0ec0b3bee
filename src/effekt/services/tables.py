"""Readable text tables of results, in Swedish or English."""

from __future__ import annotations

from typing import Any

from effekt.contract.model import Contract
from effekt.i18n import translate as t
from effekt.i18n.format import money, number, percent

__all__ = ["business_case_text"]


def _cell(value: Any, kind: str, c: Contract, lang: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return money(round(value) + 0.0, c.currency, lang)
    if kind == "rate":
        return percent(value, lang)
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
    for pid, p in data["parties"].items():
        rows.append(
            [
                pid,
                t(f"role.{p['role']}", lang),
                _cell(p["total"], "money", c, lang),
                _cell(p["npv"], "money", c, lang),
                _cell(p["irr"], "rate", c, lang),
                _cell(p["moic"], "x", c, lang),
                _cell(p["peak_cash_need"], "money", c, lang),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [t("table.title", lang, id=c.id, name=c.name or ""), ""]
    for n, r in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    tot = data["totals"]
    lines += [
        "",
        t(
            "table.totals",
            lang,
            payments=_cell(tot["outcome_payments"], "money", c, lang),
            drawn=_cell(tot["capital_drawn"], "money", c, lang),
            costs=_cell(tot["delivery_costs"], "money", c, lang),
        ),
    ]
    lines += ["", t("table.by_year", lang)]
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
    lines += ["", t("table.note", lang)]
    return "\n".join(lines)
