"""Readable text of a simulation or a sensitivity analysis, in Swedish or English."""

from __future__ import annotations

from typing import Any

from effekt.contract.parties import RISKING_ROLES
from effekt.i18n import translate as t
from effekt.i18n.format import money, number, percent, rate
from effekt.reports.text import aligned as table
from effekt.reports.text import contract_label

__all__ = ["output_change", "output_value", "output_words", "sensitivity_text", "simulate_text"]


#: The share of paths below which a quantile is marked as taken over part of them only.
_ALL_PATHS = 0.995


def _m(v: float | None, cur: str, lang: str) -> str:
    return "—" if v is None else money(round(v) + 0.0, cur, lang)


def _p(v: float | None, lang: str) -> str:
    return "—" if v is None else percent(v, lang)


def _irr(v: float | None, lang: str) -> str:
    """An IRR with one decimal, as the business case's table writes it."""
    return "—" if v is None else rate(v, lang)


def _x(v: float | None, lang: str) -> str:
    return "—" if v is None else number(v, lang, 2) + "×"


def _index(v: float | None, lang: str, se: float | None = None) -> str:
    """An index to three decimals; with its standard error, ± its 95 % margin."""
    if v is None:
        return "—"
    margin = "" if se is None else f" ± {number(1.96 * se, lang, 3)}"
    return number(v, lang, 3) + margin


def _role(role: str, lang: str) -> str:
    return t(f"role.{role}", lang)


def simulate_text(data: dict[str, Any], lang: str = "en") -> str:
    """Per party: NPV mean (p5–p95), IRR p50 (p5–p95), multiple p50, P(loss), shortfall."""
    cur = data["currency"]
    name = data.get("contract") or data.get("fund")
    lines = [
        t("simulate.title", lang, id=name, paths=number(data["paths"], lang), seed=data["seed"]),
        "",
    ]
    lines += _parties(data, cur, lang, fund="fund" in data)
    if "fund" in data:
        lines.append(t("simulate.fund_rows", lang))
    lines += ["", t("simulate.outlay_title", lang)]
    rows = [[t("simulate.col.year", lang), t("simulate.col.payer", lang), "p50", "p90", "p95"]]
    for year, payers in data["outlay"].items():
        for payer, q in payers.items():
            rows.append([year, payer] + [_m(q[k], cur, lang) for k in ("p50", "p90", "p95")])
    lines += ["  " + line for line in table(rows)]
    lines.append("")
    gap = data["provider_cash_gap_probability"]
    if gap is not None:
        lines.append(t("simulate.cash_gap", lang, p=_p(gap, lang)))
    lines.append(
        t(
            "simulate.society",
            lang,
            p=_p(data["society_p_positive_npv"], lang),
            mean=_m(data["society_npv"]["mean"], cur, lang),
        )
    )
    method = data.get("society_method", "")
    lines.append(
        t(
            "simulate.society_note_valuation"
            if method.startswith("avoided_costs")
            else "simulate.society_note",
            lang,
        )
    )
    for cid, block in data.get("contracts", {}).items():
        lines += ["", t("simulate.contract", lang, id=cid, weight=number(block["weight"], lang, 2))]
        lines += _parties(block, block["currency"], lang)
    lines += ["", t("simulate.note", lang)]
    return "\n".join(lines)


def _parties(data: dict[str, Any], cur: str, lang: str, fund: bool = False) -> list[str]:
    """The parties' table; a fund's rows are its roles, every contract's parties of that
    role together ("all" in the party column)."""
    rows = [
        [
            t("table.party", lang),
            t("table.role", lang),
            t("simulate.col.npv", lang),
            t("simulate.col.npv_range", lang),
            t("simulate.col.irr", lang),
            t("simulate.col.irr_range", lang),
            t("simulate.col.moic", lang),
            t("simulate.col.p_loss", lang),
            t("simulate.col.shortfall", lang),
        ]
    ]
    notes = []
    for pid, p in data["parties"].items():
        npv, irr, mo = p["npv"], p["irr"], p["moic"]
        # a return is a property of money put at risk: payers, fee takers and the accounts
        # have no IRR or multiple (null in the JSON) and no probability of loss in the table
        invests = p["role"] in RISKING_ROLES
        who = t("simulate.all_of_role", lang) if fund else pid
        defined = (p.get("irr_defined", 1.0), p.get("moic_defined", 1.0))
        # quantiles over part of the paths only: marked, and the share said below
        never = invests and max(defined) == 0.0  # on no path: nothing to mark, one line why
        mark = "*" if invests and min(defined) < _ALL_PATHS and not never else ""
        if never:
            party = who if not fund else _role(p["role"], lang)
            notes.append(t("simulate.never_defined", lang, party=party))
        if mark:
            notes.append(
                t(
                    "simulate.defined_on",
                    lang,
                    party=who if not fund else _role(p["role"], lang),
                    irr=_p(defined[0], lang),
                    moic=_p(defined[1], lang),
                )
            )
        rows.append(
            [
                who,
                _role(p["role"], lang),
                _m(npv["mean"], cur, lang),
                f"{_m(npv['p5'], cur, lang)} … {_m(npv['p95'], cur, lang)}",
                _irr(irr["p50"], lang) + mark if invests else "—",
                f"{_irr(irr['p5'], lang)} … {_irr(irr['p95'], lang)}{mark}" if invests else "—",
                _x(mo["p50"], lang) + mark if invests else "—",
                _p(p["p_loss"], lang) if invests else "—",
                _m(p["expected_shortfall_5"], cur, lang),
            ]
        )
    return table(rows) + notes


def output_value(data: dict[str, Any], v: float | None, lang: str) -> str:
    """A value of the sensitivity's output the language's way: an IRR as a percentage, a
    multiple with ×, an NPV or total as money."""
    unit = data["output"].rsplit(".", 1)[-1]
    if unit == "irr":
        return _irr(v, lang)
    if unit == "moic":
        return _x(v, lang)
    return _m(v, data["currency"], lang)


def output_words(data: dict[str, Any], lang: str) -> str:
    """The sensitivity's output in words, its party by name: "nuvärde (Social
    investeringsfond)", not ``fond.npv`` (the id for a party without a name)."""
    party, kind = data["output"].rsplit(".", 1)
    name = data.get("party_name") or party
    return t("sensitivity.output", lang, kind=t(f"table.{kind}", lang), party=name)


def _input_value(row: dict[str, Any], v: float, lang: str, currency: str) -> str:
    """An input's value in the tornado as what it is: a whole number of periods as the
    engine rounds it, money as money, else four decimals below 10 and none above."""
    kind = row.get("kind", "number")
    if kind == "whole":
        return number(round(v), lang)
    if kind == "money":
        return _m(v, currency, lang)
    return number(v, lang, 4 if abs(v) < 10 else 0)


def output_change(data: dict[str, Any], v: float | None, lang: str, sign: bool = False) -> str:
    """A change in the sensitivity's output: an IRR's in percentage points (a difference of
    rates is not a rate), anything else as :func:`output_value` writes it; ``sign``: a
    rise with its +."""
    if v is None or data["output"].rsplit(".", 1)[-1] != "irr":
        return output_value(data, v, lang)
    points = percent(v, lang).removesuffix("\u00a0%")
    plus = "+" if sign and v > 0 and points.strip("0.,") else ""
    return t("explain.percentage_points", lang, n=plus + points)


def sensitivity_text(data: dict[str, Any], lang: str = "en") -> str:
    """The tornado (output at each input's p10 and p90) and the variance-based indices."""

    def val(v: float | None) -> str:
        return output_value(data, v, lang)

    lines = [
        t("sensitivity.title", lang, id=contract_label(data), output=output_words(data, lang)),
        t("sensitivity.base", lang, value=val(data["base"])),
        "",
        t("sensitivity.tornado", lang),
    ]
    rows = [
        [
            t("sensitivity.col.input", lang),
            t("sensitivity.col.low", lang),
            t("sensitivity.col.high", lang),
            t("sensitivity.col.at_low", lang),
            t("sensitivity.col.at_high", lang),
            t("sensitivity.col.swing", lang),
        ]
    ]
    for r in data["tornado"]:
        rows.append(
            [
                r["input"],
                _input_value(r, r["low"], lang, data["currency"]),
                _input_value(r, r["high"], lang, data["currency"]),
                val(r["output_low"]),
                val(r["output_high"]),
                output_change(data, r["swing"], lang),
            ]
        )
    lines += ["  " + line for line in table(rows, left=1)]
    lines += ["", t("sensitivity.sobol", lang, paths=number(data["sobol"]["base_paths"], lang))]
    if data["sobol"]["variance"] is None:  # nothing to apportion: the output never moves
        lines += ["  " + t("sensitivity.no_variance", lang), "", t("sensitivity.note", lang)]
        return "\n".join(lines)
    rows = [
        [
            t("sensitivity.col.input", lang),
            t("sensitivity.col.first", lang),
            t("sensitivity.col.total", lang),
        ]
    ]
    for r in data["sobol"]["indices"]:
        rows.append(
            [
                r["input"],
                _index(r["first_order"], lang, r.get("first_order_se")),
                _index(r["total"], lang, r.get("total_se")),
            ]
        )
    lines += ["  " + line for line in table(rows, left=1)]
    lines += ["", t("sensitivity.note", lang)]
    return "\n".join(lines)
