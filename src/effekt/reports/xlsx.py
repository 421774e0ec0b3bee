"""The business case as an Excel workbook: a summary sheet, the payments by budget year,
payer and rule, the waterfall per tranche, a sheet per party, scenarios."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from effekt.contract.parties import RISKING_ROLES
from effekt.i18n import translate as t

__all__ = ["business_case_xlsx"]

_ACCOUNTS = ("deal", "outside")  # the deal's own cash and the outside world: no party of the file

#: Number formats (Excel shows the separators of the reader's locale): money in whole
#: units, a rate as a percentage, a money multiple with ×, a count of persons.
MONEY, RATE, MULTIPLE, COUNT = "#,##0", "0.0%", '0.00"×"', "#,##0"
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


def _bold_row(ws: Any) -> None:
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def _payments_sheet(ws: Any, case: dict[str, Any], lang: str) -> None:
    """What the payers pay under the rules, by budget year and payer, then by rule: the
    figures of the text's "by budget year and payer" and of the JSON's ``rules``."""
    by_year = case["outcome_payments_by_year"]
    payers = list(next(iter(by_year.values()), {}))
    with_fees = bool(case["totals"].get("activity_fees"))
    ws.append([t("table.by_year_with_activity" if with_fees else "table.by_year", lang)])
    ws.append([t("xlsx.budget_year", lang), *payers, t("xlsx.total", lang)])
    _bold_row(ws)
    for year, paid in by_year.items():
        ws.append([year, *paid.values(), round(sum(paid.values()), 2)])
        _formatted(ws, {2 + k: MONEY for k in range(len(payers) + 1)})
    sums = [round(sum(paid[p] for paid in by_year.values()), 2) for p in payers]
    ws.append([t("xlsx.total", lang), *sums, case["totals"]["outcome_payments"]])
    _formatted(ws, {2 + k: MONEY for k in range(len(payers) + 1)})
    _bold_row(ws)
    ws.append([])
    ws.append([t("xlsx.rule", lang), t("xlsx.payments", lang)])
    _bold_row(ws)
    for rule, amount in case["rules"].items():
        ws.append([rule, amount])
        _formatted(ws, {2: MONEY})
    ws.append([t("xlsx.total", lang), case["totals"]["outcome_payments"]])
    _formatted(ws, {2: MONEY})
    _bold_row(ws)
    _widths(ws, 14, 16)


def _waterfall_sheet(ws: Any, case: dict[str, Any], lang: str) -> None:
    """Per tranche: drawn, capital returned, return, guarantee and first-loss cover."""
    fields = ("drawn", "capital_returned", "returns", "guarantee_and_first_loss")
    ws.append(
        [
            t("xlsx.tranche", lang),
            t("xlsx.investor", lang),
            t("xlsx.seniority", lang),
            *[t(f"xlsx.waterfall.{f}", lang) for f in fields],
        ]
    )
    _bold_row(ws)
    for tr in case["tranches"]:
        seniority = t(f"seniority.{tr['seniority']}", lang)
        ws.append([tr["id"], tr["investor"], seniority, *[tr[f] for f in fields]])
        _formatted(ws, {4 + k: MONEY for k in range(len(fields))})
    _widths(ws, 14, 18)


def business_case_xlsx(
    case: dict[str, Any], scenarios: dict[str, dict[str, Any]], lang: str = "en"
) -> bytes:
    """``case`` (business_case_json) and its scenarios as the bytes of an .xlsx workbook."""
    wb = Workbook()
    bold = Font(bold=True)
    used: set[str] = set()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_name(t("xlsx.summary", lang), used)
    ws.append([t("xlsx.contract", lang), case["contract"], case["currency"]])
    ws.append([])
    head = [
        t("table.party", lang),
        t("table.role", lang),
        t("table.total", lang),
        t("table.npv", lang),
        t("table.irr", lang),
        t("table.moic", lang),
        t("table.peak", lang),
    ]
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for pid, p in case["parties"].items():
        party = "—" if pid in _ACCOUNTS else pid  # the accounts are named by their role
        role = t(f"role.{p['role']}", lang)
        irr, moic = (p["irr"], p["moic"]) if p["role"] in RISKING_ROLES else (None, None)
        ws.append([party, role, p["total"], p["npv"], irr, moic, p["peak_cash_need"]])
        _formatted(ws, {3: MONEY, 4: MONEY, 5: RATE, 6: MULTIPLE, 7: MONEY})
    ws.append([])
    for key, value in case["totals"].items():
        ws.append([t(f"xlsx.totals.{key}", lang), value])
        _formatted(ws, {2: COUNT if key in _COUNTS else MONEY})
    _widths(ws, 28, 18)
    _payments_sheet(wb.create_sheet(_sheet_name(t("xlsx.payments_sheet", lang), used)), case, lang)
    _waterfall_sheet(
        wb.create_sheet(_sheet_name(t("xlsx.waterfall_sheet", lang), used)), case, lang
    )
    for pid, p in case["parties"].items():
        title = t(f"xlsx.account.{pid}", lang) if pid in _ACCOUNTS else pid
        sheet = wb.create_sheet(_sheet_name(title, used))
        sheet.append(
            [
                t("xlsx.period", lang),
                t("xlsx.start", lang),
                t("xlsx.flow", lang),
                t("xlsx.cumulative", lang),
            ]
        )
        for cell in sheet[1]:
            cell.font = bold
        cum = 0.0
        for period, flow in zip(case["periods"], p["cash_flows"], strict=True):
            cum += flow
            sheet.append([period["period"], period["start"], flow, round(cum, 2)])
            _formatted(sheet, {3: MONEY, 4: MONEY})
        _widths(sheet, 10, 16)
    comp = wb.create_sheet(_sheet_name(t("xlsx.scenarios", lang), used))
    names = ["base", *scenarios]
    comp.append([t("xlsx.measure", lang), t("xlsx.base", lang), *scenarios])
    for cell in comp[1]:
        cell.font = bold
    cases = {"base": case, **scenarios}
    for pid, p in case["parties"].items():
        who = t(f"role.{p['role']}", lang) if pid in _ACCOUNTS else pid
        fields = ("npv", "irr", "moic") if p["role"] in RISKING_ROLES else ("npv",)
        for field in fields:
            label = f"{who} {t(f'table.{field}', lang)}"
            comp.append([label, *[cases[n]["parties"][pid][field] for n in names]])
            _formatted(comp, {2 + k: _FIELD_FORMAT[field] for k in range(len(names))})
    for key in case["totals"]:
        label = t(f"xlsx.totals.{key}", lang)
        comp.append([label, *[cases[n]["totals"][key] for n in names]])
        fmt = COUNT if key in _COUNTS else MONEY
        _formatted(comp, {2 + k: fmt for k in range(len(names))})
    _widths(comp, 36, 18)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
