"""Use case: what an amendment does to the business case (``effekt diff OLD NEW --effect``).

``diff`` lists the terms that changed; the parties want to know what the change means for
them. Both versions run through the same business case; per party its NPV, and for the
parties with money at risk its IRR and money multiple, before and after; and the deal's
totals (outcome payments, capital drawn, delivery costs). A party present in only one
version has ``None`` on the other side.
"""

from __future__ import annotations

from typing import Any

from effekt.contract.model import Contract
from effekt.contract.parties import RISKING_ROLES
from effekt.engine.cashflow import DEAL, OUTSIDE
from effekt.i18n import translate as t
from effekt.i18n.format import money, rate
from effekt.reports.text import aligned
from effekt.services.business_case import business_case_json

__all__ = ["TOTALS", "amendment_effect", "amendment_text"]

#: The deal's totals compared, in this order.
TOTALS = ("outcome_payments", "capital_drawn", "delivery_costs")


def _pair(before: Any, after: Any, comparable: bool = True) -> dict[str, Any]:
    """Before, after and the change; no change between amounts in two currencies."""
    both = before is not None and after is not None
    change = after - before if both and comparable else None
    return {"before": before, "after": after, "change": change}


def amendment_effect(old: Contract, new: Contract) -> dict[str, Any]:
    """Each party's NPV (IRR, money multiple) and the deal's totals, before and after."""
    a, b = business_case_json(old), business_case_json(new)
    same = a["currency"] == b["currency"]  # money in two currencies has no difference
    parties: dict[str, Any] = {}
    for pid in [*a["parties"], *(p for p in b["parties"] if p not in a["parties"])]:
        pa, pb = a["parties"].get(pid, {}), b["parties"].get(pid, {})
        role = pb.get("role") or pa.get("role")
        entry: dict[str, Any] = {"role": role, "npv": _pair(pa.get("npv"), pb.get("npv"), same)}
        if role in RISKING_ROLES:
            entry["irr"] = _pair(pa.get("irr"), pb.get("irr"))
            entry["moic"] = _pair(pa.get("moic"), pb.get("moic"))
        parties[pid] = entry
    totals = {k: _pair(a["totals"].get(k), b["totals"].get(k), same) for k in TOTALS}
    return {
        "currency": {"before": a["currency"], "after": b["currency"]},
        "parties": parties,
        "totals": totals,
    }


def amendment_text(effect: dict[str, Any], lang: str = "en") -> str:
    """The effect as a table: per party NPV before, after and the change; IRR before and
    after for the parties with money at risk; then the deal's totals."""
    currency = effect["currency"]

    def m(x: float | None, sign: bool = False, when: str = "after") -> str:
        if x is None:
            return "—"
        text = money(round(x) + 0.0, currency[when], lang)
        return "+" + text if sign and round(x) > 0 else text

    def r(x: float | None) -> str:
        return "—" if x is None else rate(x, lang)

    rows = [
        [
            t("table.party", lang),
            t("table.role", lang),
            t("amendment.npv_before", lang),
            t("amendment.npv_after", lang),
            t("amendment.change", lang),
            t("amendment.irr_before", lang),
            t("amendment.irr_after", lang),
        ]
    ]
    for pid, p in effect["parties"].items():
        npv, irr = p["npv"], p.get("irr")
        rows.append(
            [
                "—" if pid in (DEAL, OUTSIDE) else pid,  # the accounts by their role, as model
                t(f"role.{p['role']}", lang),
                m(npv["before"], when="before"),
                m(npv["after"]),
                m(npv["change"], sign=True),
                r(irr["before"]) if irr else "—",
                r(irr["after"]) if irr else "—",
            ]
        )
    lines = ["", t("amendment.title", lang), "", *aligned(rows)]
    lines.append("")
    for key, v in effect["totals"].items():
        lines.append(
            t(
                "amendment.total",
                lang,
                what=t(f"xlsx.totals.{key}", lang),
                before=m(v["before"], when="before"),
                after=m(v["after"]),
                change=m(v["change"], sign=True),
            )
        )
    if effect["currency"]["before"] != effect["currency"]["after"]:
        lines.append(t("amendment.currency_changed", lang, **effect["currency"]))
    return "\n".join(lines)
