"""The outcome report's HTML pieces: the inline CSS, a table, and the payments, balance
(with its plot) and published-table sections."""

from __future__ import annotations

from html import escape
from typing import Any

from effekt.i18n import translate as t
from effekt.i18n.format import money
from effekt.reports.balance_plot import balance_svg
from effekt.reports.outcome_payments import payment_totals
from effekt.reports.outcome_phrases import (
    count,
    num,
    smd,
)
from effekt.reports.outcome_sections import balance_line

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #bbb;padding:.25rem .6rem;
text-align:right}th:first-child,td:first-child{text-align:left}.muted{color:#555;font-size:.9rem}
code{font-size:.85rem;word-break:break-all}svg{display:block;max-width:100%;height:auto}
"""


def html_table(head: list[str], rows: list[list[str]]) -> str:
    h = "".join(f"<th>{escape(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def payments_html(p: dict[str, Any], lang: str, events: list[str]) -> str:
    totals = "".join(f"<p>{escape(line)}</p>" for line in payment_totals(p, lang, events))
    columns = ("payer", "rule", "period", "dates", "budget_year", "amount", "paid_on")
    head = [t(f"report.{c}", lang) for c in columns]
    rows = [
        [
            x["payer"],
            x["rule"],
            str(x["period"]),
            f"{x['start']} – {x['end']}",
            x["budget_year"],
            money(x["amount"], p["currency"], lang),
            t(f"report.paid_on_name.{x['basis']}", lang),
        ]
        for x in p["payments"]
    ]
    heading = escape(t("report.payments", lang))
    return f"<h2>{heading}</h2>{totals}" + html_table(head, rows)


def balance_html(d: dict[str, Any], lang: str) -> str:
    note = t("report.balance_note", lang, threshold=num(d["balance_threshold"], lang))
    paras = [note] + [x for x in [balance_line(d, lang)] if x is not None]
    if any(b.get("suppressed") for b in d["balance"].values()):
        limit = int(d["published"]["threshold"]) - 1
        paras.append(t("report.balance_suppressed", lang, limit=limit))
    head = [t(f"report.{c}", lang) for c in ("covariate", "smd_before", "smd_after")]
    threshold = d["balance_threshold"]
    rows = [
        [
            b.get("label", name),
            smd(b["smd_before"], lang),
            smd(b["smd_after"], lang, threshold, b.get("passed")),
        ]
        for name, b in d["balance"].items()
    ]
    plot = "" if threshold is None else balance_svg(d["balance"], float(threshold), lang)
    return (
        f"<h2>{escape(t('report.balance', lang))}</h2>"
        + "".join(f"<p>{escape(p)}</p>" for p in paras)
        + plot
        + html_table(head, rows)
    )


def published_html(table: dict[str, Any], lang: str) -> str:
    cats = [
        t(f"report.category.{c}", lang) if c in ("achieved", "not_achieved", "n") else c
        for c in table["columns"]
    ]
    head = [t("report.cohort", lang), t("report.group", lang), *cats, t("report.total", lang)]
    rows = [
        [
            r["cohort"],
            t(f"report.group_name.{r['group']}", lang),
            *[count(v, lang) for v in table["cells"][i]],
            count(table["row_totals"][i], lang),
        ]
        for i, r in enumerate(table["rows"])
    ]
    for group, totals in table["group_totals"].items():
        name = t(f"report.group_name.{group}", lang)
        rows.append(
            [
                t("report.total", lang),
                name,
                *[count(v, lang) for v in totals["cells"]],
                count(totals["total"], lang),
            ]
        )
    rows.append(
        [
            t("report.total", lang),
            "",
            *[count(v, lang) for v in table["column_totals"]],
            count(table["total"], lang),
        ]
    )
    note = t("report.published_note", lang, limit=int(table["threshold"]) - 1)
    if table.get("comparison_outside_cohorts"):
        note += " " + t("report.published_comparison_pool", lang)
    return f"<h2>{escape(t('report.published', lang))}</h2><p>{escape(note)}</p>" + html_table(
        head, rows
    )
