"""The business case as an Excel workbook: a summary sheet, the payments by budget year,
payer and rule, the waterfall per tranche, the inputs, a sheet per party, scenarios."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from effekt.contract.model import Contract
from effekt.contract.notation import written
from effekt.contract.parties import RISKING_ROLES
from effekt.engine.finance import period_rate
from effekt.i18n import translate as t
from effekt.reports.workbook_inputs import bold_row, inputs_sheet

__all__ = ["business_case_xlsx"]

_ACCOUNTS = ("deal", "outside")  # the deal's own cash and the outside world: no party of the file

#: Number formats (Excel shows the separators of the reader's locale): money in whole
#: units, a rate as a percentage, a money multiple with ×, a count of persons, a discount
#: factor, a date as ISO 8601 writes it (the same in Swedish and English).
MONEY, RATE, MULTIPLE, COUNT = "#,##0", "0.0%", '0.00"×"', "#,##0"
FACTOR, DATE = "0.0000", "yyyy-mm-dd"
_FIELD_FORMAT = {"npv": MONEY, "irr": RATE, "moic": MULTIPLE}
_COUNTS = ("referred", "enrolled")


def _formatted(ws: Any, formats: dict[int, str]) -> None:
    """Give the last row's cells (1-based columns) their number formats."""
    for column, fmt in formats.items():
        ws.cell(row=ws.max_row, column=column).number_format = fmt


def _widths(ws: Any, first: int, rest: int) -> None:
    """Column widths to read the figures without widening them by hand."""
    for k, column in enumerate(ws.iter_cols(min_row=1, max_row=1)):
        ws.column_dimensions[column[0].column_letter].width = first if k == 0 else rest


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "sheet"
    out, n = base, 1
    while out in used:
        n += 1
        out = f"{base[:25]}_{n}"
    used.add(out)
    return out


def _unit(currency: str, lang: str) -> str:
    """The currency as the language writes it after an amount: "SEK", "kr", "GBP"."""
    return "kr" if lang == "sv" and currency == "SEK" else currency


def _in_currency(label: str, currency: str, lang: str) -> str:
    """A money column's header with its unit: "NPV (SEK)", "nuvärde (kr)"."""
    return f"{label} ({_unit(currency, lang)})"


def _payments_sheet(ws: Any, case: dict[str, Any], lang: str) -> None:
    """What the payers pay under the rules, by budget year and payer, then by rule: the
    figures of the text's "by budget year and payer" and of the JSON's ``rules``."""
    by_year = case["outcome_payments_by_year"]
    # every payer in every year: payers whose budget years start in different months
    # book in differently labelled years ("2027", "2027/28"), so a year may lack one
    payers = list(dict.fromkeys(p for paid in by_year.values() for p in paid))
    with_fees = bool(case["totals"].get("activity_fees"))
    ws.append([t("table.by_year_with_activity" if with_fees else "table.by_year", lang)])
    total = _in_currency(t("xlsx.total", lang), case["currency"], lang)
    ws.append([t("xlsx.budget_year", lang), *payers, total])
    bold_row(ws)
    for year, paid in by_year.items():
        ws.append([year, *[paid.get(p) for p in payers], round(sum(paid.values()), 2)])
        _formatted(ws, {2 + k: MONEY for k in range(len(payers) + 1)})
    sums = [round(sum(paid.get(p, 0.0) for paid in by_year.values()), 2) for p in payers]
    ws.append([t("xlsx.total", lang), *sums, case["totals"]["outcome_payments"]])
    _formatted(ws, {2 + k: MONEY for k in range(len(payers) + 1)})
    bold_row(ws)
    ws.append([])
    ws.append(
        [t("xlsx.rule", lang), _in_currency(t("xlsx.payments", lang), case["currency"], lang)]
    )
    bold_row(ws)
    for rule, amount in case["rules"].items():
        ws.append([rule, amount])
        _formatted(ws, {2: MONEY})
    ws.append([t("xlsx.total", lang), case["totals"]["outcome_payments"]])
    _formatted(ws, {2: MONEY})
    bold_row(ws)
    _widths(ws, 14, 16)


def _waterfall_sheet(ws: Any, case: dict[str, Any], lang: str) -> None:
    """Per tranche: drawn, capital returned, return, guarantee and first-loss cover."""
    fields = ("drawn", "capital_returned", "returns", "guarantee_and_first_loss")
    ws.append(
        [
            t("xlsx.tranche", lang),
            t("xlsx.investor", lang),
            t("xlsx.seniority", lang),
            *[_in_currency(t(f"xlsx.waterfall.{f}", lang), case["currency"], lang) for f in fields],
        ]
    )
    bold_row(ws)
    for tr in case["tranches"]:
        seniority = t(f"seniority.{tr['seniority']}", lang)
        ws.append([tr["id"], tr["investor"], seniority, *[tr[f] for f in fields]])
        _formatted(ws, {4 + k: MONEY for k in range(len(fields))})
    _widths(ws, 14, 18)


def _summary_sheet(ws: Any, c: Contract, case: dict[str, Any], lang: str) -> None:
    """The contract, every party's key figures (each party by its id and its name), the
    totals, and how to read them."""
    cur = case["currency"]
    names = {p.id: p.name for p in c.parties}
    ws.append([t("xlsx.contract", lang), case["contract"], c.name])
    ws.append([t("xlsx.currency", lang), cur])
    ws.append([])
    ws.append(
        [
            t("table.party", lang),
            t("table.party_name", lang),
            t("table.role", lang),
            _in_currency(t("table.total", lang), cur, lang),
            _in_currency(t("table.npv", lang), cur, lang),
            t("table.irr", lang),
            t("table.moic", lang),
            _in_currency(t("table.peak", lang), cur, lang),
            t("xlsx.discount_rate", lang),
            t("xlsx.payback", lang),
        ]
    )
    bold_row(ws)
    ws.freeze_panes = f"A{ws.max_row + 1}"
    for pid, p in case["parties"].items():
        party = "—" if pid in _ACCOUNTS else pid  # the accounts are named by their role
        role = t(f"role.{p['role']}", lang)
        risking = p["role"] in RISKING_ROLES  # returns and payback: on money put at risk
        irr, moic = (p["irr"], p["moic"]) if risking else (None, None)
        ws.append(
            [
                party,
                names.get(pid),
                role,
                p["total"],
                p["npv"],
                irr,
                moic,
                p["peak_cash_need"],
                p["discount_rate"],
                p["payback_period"] if risking else None,
            ]
        )
        _formatted(ws, {4: MONEY, 5: MONEY, 6: RATE, 7: MULTIPLE, 8: MONEY, 9: RATE})
    ws.append([])
    ws.append([t("xlsx.totals_heading", lang, currency=_unit(cur, lang))])
    bold_row(ws)
    for key, value in case["totals"].items():
        ws.append([t(f"xlsx.totals.{key}", lang), value])
        _formatted(ws, {2: COUNT if key in _COUNTS else MONEY})
    ws.append([])
    notes = (
        t("xlsx.note.flows", lang, currency=cur),
        t("xlsx.note.npv", lang, m=c.periods_per_year),
        t("xlsx.note.returns", lang),
        t("xlsx.note.one_case", lang),
    )
    for note in notes:
        ws.append([note])
    _widths(ws, 28, 18)
    # the party's name: as wide as the longest (within reason), not cut at 18 characters
    longest = max((len(p.name or "") for p in c.parties), default=0)
    ws.column_dimensions["B"].width = min(max(18, longest) + 2, 60)


def _party_sheet(ws: Any, c: Contract, p: dict[str, Any], case: dict[str, Any], lang: str) -> None:
    """One account's flow per period, its running total, and its discounting to the NPV:
    the discount factor at the party's rate and the discounted flow, which add up to it."""
    cur = case["currency"]
    ws.append(
        [
            t("xlsx.period", lang),
            t("xlsx.start", lang),
            _in_currency(t("xlsx.flow", lang), cur, lang),
            _in_currency(t("xlsx.cumulative", lang), cur, lang),
            t("xlsx.discount_factor", lang),
            _in_currency(t("xlsx.discounted", lang), cur, lang),
        ]
    )
    bold_row(ws)
    ws.freeze_panes = "A2"
    rate = float(period_rate(p["discount_rate"], c.periods_per_year))
    cum = discounted_sum = 0.0
    for k, (period, flow) in enumerate(zip(case["periods"], p["cash_flows"], strict=True)):
        cum += flow
        factor = (1.0 + rate) ** -k  # the first period's flows are not discounted
        discounted = round(flow * factor, 2) + 0.0
        discounted_sum += discounted
        start = dt.date.fromisoformat(period["start"])
        ws.append([period["period"], start, flow, round(cum, 2), factor, discounted])
        _formatted(ws, {2: DATE, 3: MONEY, 4: MONEY, 5: FACTOR, 6: MONEY})
    ws.append([t("xlsx.total", lang), None, p["total"], None, None, round(discounted_sum, 2)])
    _formatted(ws, {3: MONEY, 6: MONEY})
    bold_row(ws)
    _widths(ws, 10, 16)


def _scenarios_sheet(
    ws: Any,
    case: dict[str, Any],
    scenarios: dict[str, dict[str, Any]],
    changes: dict[str, dict[str, Any]],
    lang: str,
    notation: str,
) -> None:
    """The key figures of each scenario next to the base case, then what each changes: a
    number or text as a cell, a table or list (a distribution) as the contract's
    ``notation`` (toml, json or yaml) writes it."""
    ws.append([t("xlsx.measure", lang), t("xlsx.base", lang), *scenarios])
    bold_row(ws)
    ws.freeze_panes = "B2"
    cases = [case, *scenarios.values()]  # by position: a scenario may be called "base"
    for pid, p in case["parties"].items():
        who = t(f"role.{p['role']}", lang) if pid in _ACCOUNTS else pid
        fields = ("npv", "irr", "moic") if p["role"] in RISKING_ROLES else ("npv",)
        for field in fields:
            label = f"{who} {t(f'table.{field}', lang)}"
            ws.append([label, *[x["parties"][pid][field] for x in cases]])
            _formatted(ws, {2 + k: _FIELD_FORMAT[field] for k in range(len(cases))})
    for key in case["totals"]:
        label = t(f"xlsx.totals.{key}", lang)
        ws.append([label, *[x["totals"][key] for x in cases]])
        fmt = COUNT if key in _COUNTS else MONEY
        _formatted(ws, {2 + k: fmt for k in range(len(cases))})
    if changes:
        ws.append([])
        head = [t("xlsx.scenario", lang), t("xlsx.inputs.input", lang)]
        ws.append([*head, t("xlsx.scenario_value", lang)])
        bold_row(ws)
        for name, overrides in changes.items():
            for path, value in overrides.items():
                shown = value if isinstance(value, int | float | str) else written(notation, value)
                ws.append([name, path, shown])
    _widths(ws, 36, 18)


def business_case_xlsx(
    c: Contract,
    case: dict[str, Any],
    scenarios: dict[str, dict[str, Any]],
    lang: str = "en",
    changes: dict[str, dict[str, Any]] | None = None,
    notation: str = "toml",
) -> bytes:
    """``case`` (business_case_json of ``c``) and its scenarios as the bytes of an .xlsx
    workbook; ``changes``: each scenario's overrides (field path → value), written as the
    contract's ``notation`` (toml, json or yaml) writes them."""
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_name(t("xlsx.summary", lang), used)
    _summary_sheet(ws, c, case, lang)
    _payments_sheet(wb.create_sheet(_sheet_name(t("xlsx.payments_sheet", lang), used)), case, lang)
    _waterfall_sheet(
        wb.create_sheet(_sheet_name(t("xlsx.waterfall_sheet", lang), used)), case, lang
    )
    inputs = wb.create_sheet(_sheet_name(t("xlsx.inputs.sheet", lang), used))
    inputs_sheet(inputs, c, lang, notation)
    for pid, p in case["parties"].items():
        title = t(f"xlsx.account.{pid}", lang) if pid in _ACCOUNTS else pid
        _party_sheet(wb.create_sheet(_sheet_name(title, used)), c, p, case, lang)
    _scenarios_sheet(
        wb.create_sheet(_sheet_name(t("xlsx.scenarios", lang), used)),
        case,
        scenarios,
        changes or {},
        lang,
        notation,
    )
    wb.properties.title = t("table.title", lang, id=c.id, name=f": {c.name}" if c.name else "")
    wb.properties.creator = "effekt"
    wb.properties.language = lang
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
