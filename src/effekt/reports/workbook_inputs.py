"""The business case workbook's inputs sheet: what the case was computed from.

Every numeric input the engine computes with, by the field path ``--scenario`` takes
(``cohorts[k1].size``), at the value this case uses (a distribution's mean), as the
contract writes it, and with its source: the distribution's ``note``, else the note of its
section. Then the price index the payments are indexed by, year by year, and the sources
the contract names.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.styles import Font

from effekt.contract.model import Contract
from effekt.contract.notation import Number, Value, inline_table
from effekt.contract.quantity import Quantity, expected
from effekt.engine.inputs import quantity_fields
from effekt.engine.payments import INDEX_SERIES, index_factors
from effekt.i18n import translate as t
from effekt.i18n.format import percent

__all__ = ["bold_row", "inputs_sheet"]

_INDEXED = re.compile(r"^(cohorts|metrics|rules)\[(\d+)\]")


def _named(c: Contract, path: str) -> str:
    """``cohorts[0].size`` → ``cohorts[k1].size``: the id where the item has one."""
    m = _INDEXED.match(path)
    if m is None:
        return path
    section, k = m.group(1), int(m.group(2))
    items: list[Any] = getattr(c, section)
    ident = items[k].id
    return path if ident is None else f"{section}[{ident}]{path[m.end() :]}"


def _plain(value: float) -> int | float:
    """A number as the file would write it: 300000, not 300000.0."""
    return int(value) if float(value).is_integer() else value


def _toml(value: Any) -> Value:
    if isinstance(value, list):  # an empirical distribution's values
        return Number("[" + ", ".join(str(_plain(x)) for x in value) + "]")
    return _plain(value) if isinstance(value, int | float) else str(value)


def _written(q: Quantity, notation: str) -> str:
    """The input as the contract's ``notation`` (toml, json or yaml) writes it."""
    if isinstance(q, int | float):
        return str(_plain(q))
    fields = q.model_dump(exclude_none=True)
    fields.pop("note", None)
    ident = fields.pop("id", None)
    table = {"dist": fields.pop("dist"), **fields, **({"id": ident} if ident else {})}
    return inline_table(notation, {k: _toml(v) for k, v in table.items()})


def _section_note(c: Contract, path: str) -> str | None:
    m = _INDEXED.match(path)
    if path.startswith("costs."):
        return c.costs.note
    if m is not None and m.group(1) == "metrics":
        return c.metrics[int(m.group(2))].note
    if m is not None and m.group(1) == "rules":
        return c.rules[int(m.group(2))].note
    return None


def _is_written(c: Contract, path: str) -> bool:
    """Whether the file gives the input (else the engine uses a default)."""
    owner: Any = c
    parts = re.findall(r"([a-z_]+)(?:\[(\d+)\])?", path)
    for name, index in parts[:-1]:
        owner = getattr(owner, name)
        if index:
            owner = owner[int(index)]
    return parts[-1][0] in owner.model_fields_set


def bold_row(ws: Any) -> None:
    """The sheet's last row in bold: a header."""
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def _index_line(c: Contract, lang: str) -> str:
    idx = c.payment.indexation
    assert idx is not None
    rate = percent(idx.rate, lang) if idx.rate is not None else None
    if idx.series == "fixed":
        return t("xlsx.index.fixed", lang, rate=rate or percent(0.0, lang), year=idx.base_year)
    from effekt.data.reference import price_indices

    last = int(price_indices()[INDEX_SERIES[idx.series]].years[-1])
    series = t(f"xlsx.index.{idx.series}", lang)
    after = t("xlsx.index.after", lang, year=last, rate=rate) if rate is not None else ""
    return t("xlsx.index.series", lang, series=series, year=idx.base_year, after=after)


def inputs_sheet(ws: Any, c: Contract, lang: str, notation: str = "toml") -> None:
    """Fill ``ws`` with the inputs (as written in the contract's ``notation``: toml, json
    or yaml), the price index and the sources of ``c``."""
    ws.append([t("xlsx.inputs.title", lang)])
    ws.append(
        [
            t("xlsx.inputs.input", lang),
            t("xlsx.inputs.value", lang),
            t("xlsx.inputs.written", lang),
            t("xlsx.inputs.source", lang),
        ]
    )
    bold_row(ws)
    ws.freeze_panes = "A3"
    for path, q in quantity_fields(c):
        written = _written(q, notation) if _is_written(c, path) else None
        note = getattr(q, "note", None) or _section_note(c, path)
        ws.append([_named(c, path), expected(q), written, note])
    if c.payment.indexation is not None:
        ws.append([])
        ws.append([_index_line(c, lang)])
        ws.append([t("xlsx.index.year", lang), t("xlsx.index.factor", lang)])
        bold_row(ws)
        years = [d.year for d in c.period_dates()]
        factors = dict(zip(years, index_factors(c).tolist(), strict=True))
        for year, factor in factors.items():
            ws.append([year, factor])
            ws.cell(row=ws.max_row, column=2).number_format = "0.0000"
    if c.sources:
        ws.append([])
        ws.append([t("xlsx.inputs.sources", lang)])
        bold_row(ws)
        for source in c.sources:
            ws.append([source])
    for column, width in zip("ABCD", (36, 18, 60, 60), strict=True):
        ws.column_dimensions[column].width = width
