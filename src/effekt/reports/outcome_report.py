"""The verified outcome report, rendered: text for the terminal and one self-contained HTML
page, sv or en.

What it publishes is picked by :func:`effekt.reports.outcome_data.report_data` (see there);
its sections are in :mod:`effekt.reports.outcome_sections`, its payments in
:mod:`effekt.reports.outcome_payments`, its HTML pieces in :mod:`effekt.reports.outcome_html`.

:func:`render_text` and :func:`render_html` say it in Swedish or English: figures in the
language's format and every code in the result (method, measure, policy, sensitivity, the
plan's field names) in words, by :mod:`effekt.reports.outcome_phrases`. The HTML's balance
section shows the balance ("love") plot, inline SVG from :mod:`effekt.reports.balance_plot`,
above the table of SMDs before and after matching, to their two published decimals; one
that rounds to the other side of the threshold than its verdict says which side it is on.
"""

from __future__ import annotations

from html import escape
from typing import Any

from effekt.i18n import translate as t
from effekt.reports.outcome_data import report_data
from effekt.reports.outcome_html import (
    CSS,
    balance_html,
    html_table,
    payments_html,
    published_html,
)
from effekt.reports.outcome_payments import by_budget_year, events_hidden, payment_totals
from effekt.reports.outcome_phrases import (
    decision_cells,
    decision_line,
    run_fields,
)
from effekt.reports.outcome_sections import (
    balance_line,
    binary_outcome,
    measurements_section,
    report_subtitle,
    report_title,
    sections,
)
from effekt.reports.text import aligned

__all__ = ["render_html", "render_text"]


def render_text(result: dict[str, Any], lang: str = "en") -> str:
    """A plain-text summary of the report for the terminal."""
    d = report_data(result)
    parts = [report_title(d, lang), report_subtitle(d, lang)]
    for s in sections(d, lang):
        parts += ["", s.heading, *(f"  {p}" for p in s.paragraphs)]
        if s.table is not None:
            parts += [f"    {line}".rstrip() for line in aligned(s.table, left=3)]
    balance = balance_line(d, lang)
    if balance is not None:
        parts += ["", t("report.balance", lang), f"  {balance}"]
    if d["decisions"]:
        parts += ["", t("report.decision", lang)]
        parts += ["  " + decision_line(row, lang, binary_outcome(d)) for row in d["decisions"]]
    if d["payments"] is not None:
        parts += ["", t("report.payments", lang)]
        parts += [f"  {line}" for line in payment_totals(d["payments"], lang, events_hidden(d))]
        parts += by_budget_year(d["payments"], lang)
    measured = measurements_section(d, lang)
    if measured is not None:
        parts += ["", measured.heading, *(f"  {p}" for p in measured.paragraphs)]
        assert measured.table is not None
        parts += [f"    {line}".rstrip() for line in aligned(measured.table, left=1)]
    return "\n".join(parts) + "\n"


def render_html(result: dict[str, Any], lang: str = "en") -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no links out)."""
    d = report_data(result)
    title = escape(report_title(d, lang))
    html = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="muted">{escape(report_subtitle(d, lang))}</p>',
    ]
    for s in sections(d, lang):
        html.append(f"<h2>{escape(s.heading)}</h2>")
        html.extend(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        if s.table is not None:
            html.append(html_table(s.table[0], s.table[1:]))
    if d["decisions"]:
        html.append(f"<h2>{escape(t('report.decision', lang))}</h2>")
        head = [t(f"report.{c}", lang) for c in ("rule", "measure", "value", "threshold", "met")]
        rows = [decision_cells(row, lang, binary_outcome(d)) for row in d["decisions"]]
        html.append(html_table([*head, t("report.basis_column", lang)], rows))
    if d["payments"] is not None:
        html.append(payments_html(d["payments"], lang, events_hidden(d)))
    measured = measurements_section(d, lang)
    if measured is not None and measured.table is not None:
        html.append(f"<h2>{escape(measured.heading)}</h2>")
        html.extend(f"<p>{escape(p)}</p>" for p in measured.paragraphs)
        html.append(html_table(measured.table[0], measured.table[1:]))
    if d["balance"]:
        html.append(balance_html(d, lang))
    html.append(published_html(d["published"], lang))
    html.append(f"<h2>{escape(t('report.run', lang))}</h2>")
    head = [t("report.field", lang), t("report.value", lang)]
    html.append(html_table(head, run_fields(d["run"], lang)))
    html.append(f'<p class="muted">{escape(t("report.privacy_note", lang))}</p>')
    html.append("</body></html>\n")
    return "\n".join(html)
