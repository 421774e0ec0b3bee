"""The wrong-pocket matrix and the förstudie as readable text, in Swedish or English."""

from __future__ import annotations

import html
from typing import Any

from effekt.contract.explain import effect_text
from effekt.i18n import translate as t
from effekt.i18n.format import money, number, percent, rate
from effekt.reports.text import aligned, contract_label

__all__ = [
    "feasibility_html",
    "feasibility_text",
    "matrix_rows",
    "power_effect",
    "unit_cost_lines",
    "value_text",
]


def _m(x: float, currency: str, lang: str) -> str:
    return money(round(x) + 0.0, currency, lang)


def matrix_rows(
    actors: dict[str, Any], years: list[str], currency: str, lang: str
) -> list[list[str]]:
    """The wrong-pocket matrix: per actor a row for what it saves, pays and nets, by year
    (thousands) with the totals, undiscounted and discounted; the first row is the head,
    ``years`` the years' labels ("2027", or "2010/11" for a contract starting in September)."""
    head = ["", "", *years, t("value.total", lang), t("value.discounted", lang)]
    rows = [head]
    for a in actors.values():
        if not any(a[k]["total"] for k in ("savings", "costs")):
            continue
        label = a["name"] + (f" [{a['party']}]" if a["party"] else "")
        for key, row in (
            ("savings", "value.row_savings"),
            ("costs", "value.row_costs"),
            ("net", "value.row_net"),
        ):
            block = a[key]
            rows.append(
                [
                    label if key == "savings" else "",
                    t(row, lang),
                    *[number(v / 1000, lang) for v in block["by_year"]],
                    _m(block["total"], currency, lang),
                    _m(block["total_discounted"], currency, lang),
                ]
            )
    return rows


def _thousands(currency: str, lang: str) -> str:
    """The unit of the year columns, the totals being in full: "(åren i tkr, summorna i kr)"."""
    code = "value.thousands_sek" if currency == "SEK" else "value.thousands"
    return t(code, lang, currency=currency)


def _actor_names(actors: dict[str, Any]) -> dict[str, str]:
    """Actor id → its name in the report's language (ids are for the file, not the reader)."""
    return {a: x["name"] for a, x in actors.items()}


def _proposal(value: dict[str, Any], names: dict[str, str], lang: str) -> str:
    """The payer shares in proportion to savings, by actor name."""
    shares = ", ".join(
        f"{names.get(a, a)} {percent(s, lang)}" for a, s in value["payer_share_proposal"].items()
    )
    return t("value.proposal", lang, shares=shares or t("value.none", lang))


def _unbooked(value: dict[str, Any], lang: str) -> list[str]:
    """A line naming the paying parties with no ``actor``, whose payments no row shows, by
    their names (the id of a party without one)."""
    parties = value.get("payers_without_actor") or []
    if not parties:
        return []
    names = value.get("party_names", {})
    named = ", ".join(names.get(p, p) for p in parties)
    return [t("value.payers_without_actor", lang, parties=named)]


def unit_cost_lines(value: dict[str, Any], lang: str) -> list[str]:
    """Each unit cost the savings are valued at: what one outcome avoids, the row's amount
    in its price year, its source, and how sure the figure is."""
    names = value.get("metric_names", {})
    lines = []
    for u in value.get("unit_costs", []):
        mark = "" if u["uncertainty"] == "verified" else t(f"value.mark.{u['uncertainty']}", lang)
        lines.append(
            t(
                "value.unit_cost_line",
                lang,
                metric=names.get(u["metric"], u["metric"]),
                description=u["description"],
                actor=u["actor_name"],
                amount=money(u["amount"], u["currency"], lang),
                unit=u["unit"],
                price_year=u["price_year"],
                quantity=number(u["quantity"], lang, 2).rstrip("0").rstrip(".,"),
                count=u["years"],
                source=u["source"],
                mark=mark,
            )
        )
    return lines


def value_text(data: dict[str, Any], lang: str = "en") -> str:
    """Actors × years: what each saves, pays and nets; then shares, prices, BCR."""
    cur = data["currency"]
    rows = matrix_rows(data["actors"], data["year_labels"], cur, lang)
    lines = [
        t(
            "value.title",
            lang,
            contract=contract_label(data),
            currency=cur,
            price_year=data["price_year"],
        ),
        _thousands(cur, lang),
        "",
        *aligned(rows, left=2, rule=False),
    ]
    lines.append("")
    if data["commissioner_share"] is not None:
        lines.append(
            t("value.commissioner_share", lang, share=percent(data["commissioner_share"], lang))
        )
    names = _actor_names(data["actors"])
    lines.append(_proposal(data, names, lang))
    if data["non_party_actors"]:
        invite = ", ".join(names.get(a, a) for a in data["non_party_actors"])
        lines.append(t("value.not_at_table", lang, actors=invite))
    metric_names = data.get("metric_names", {})
    for metric, prices in data["max_price_per_outcome"].items():
        if prices is None:  # the metric names no avoided costs: not valued, not worth 0
            name = metric_names.get(metric, metric)
            lines.append(t("value.max_price_not_valued", lang, metric=name))
            continue
        parts = ", ".join(
            f"{names.get(a, a)} {_m(v, cur, lang)}"
            for a, v in prices.items()
            if a not in ("public_sector", "total", "individual")
        )
        lines.append(
            t(
                "value.max_price",
                lang,
                metric=metric_names.get(metric, metric),
                total=_m(prices.get("public_sector", 0.0), cur, lang),
                parts=parts or t("value.none", lang),
            )
        )
    lines.extend(_unbooked(data, lang))
    lines.append(_bcr(data, lang))
    lines.append(_prices_note(data, lang))
    sources = unit_cost_lines(data, lang)
    if sources:
        lines += ["", t("value.unit_costs", lang), *[f"  - {x}" for x in sources]]
    return "\n".join(lines)


def _bcr(data: dict[str, Any], lang: str) -> str:
    """The benefit–cost ratio and break-even year; in words, when no metric is valued."""
    if not any(p is not None for p in data["max_price_per_outcome"].values()):
        return t("value.bcr_not_valued", lang)
    bcr = data["benefit_cost_ratio"]
    return t(
        "value.bcr",
        lang,
        bcr="—" if bcr is None else number(bcr, lang, 2),
        year=data["break_even_year_label"] or t("feasibility.never", lang),
    )


#: The price indices' names, by series (engine.valuation.indices.DEFAULT_SERIES).
_INDEX_NAMES = {
    "se_kpi_faststallda_arsmedel": "value.index_se_kpi",
    "uk_gdp_deflator_ons_ybgb": "value.index_uk_gdp_deflator",
}


def _prices_note(data: dict[str, Any], lang: str) -> str:
    """In which prices the matrix is, and how the contract's payments got there."""
    index = data["price_index"]
    series = index["series"]
    name = t(_INDEX_NAMES[series], lang) if series in _INDEX_NAMES else series
    assumed = (
        t(
            "value.index_assumed",
            lang,
            year=index["last_published_year"],
            rate=percent(index["assumed_growth"], lang),
        )
        if data["index_extrapolated"]
        else ""
    )
    return t("value.prices_note", lang, price_year=data["price_year"], index=name, assumed=assumed)


def _discounting(pc: dict[str, Any], lang: str) -> str:
    """The problem cost's discounting: "3.5 %", or "3.5 % falling to 3.0 % from year 31"."""
    if pc.get("discount_schedule"):
        steps = pc["discount_schedule"]
        first = percent(steps[0][1], lang)
        rest = ", ".join(
            t("feasibility.rate_from_year", lang, rate=percent(r, lang), year=y)
            for y, r in steps[1:]
        )
        return f"{first}, {rest}" if rest else first
    return percent(pc.get("discount_rate", 0.035), lang)


def power_effect(row: dict[str, Any], value: float, lang: str) -> str:
    """A power row's effect, threshold or MDE in its unit: a relative effect or a binary
    level in percent, a difference of shares in percentage points, else a number."""
    return effect_text(row["measure"], value, row.get("kind", "binary"), lang)


def _sections(data: dict[str, Any], lang: str) -> list[tuple[str, list[str]]]:
    cur = data["currency"]
    out: list[tuple[str, list[str]]] = []
    pc = data["problem_cost"]
    if pc:
        lines = [
            t(
                "feasibility.society",
                lang,
                price_year=pc["price_year"],
                undiscounted=_m(pc["society_undiscounted"], cur, lang),
                discounted=_m(pc["society_discounted"], cur, lang),
                rate=_discounting(pc, lang),
                public=_m(pc["public_sector_undiscounted"], cur, lang),
            )
        ]
        names = {a: x["name"] for a, x in data["wrong_pocket"].items()}
        lines += [
            f"{names.get(a, a)}: {_m(v, cur, lang)}" for a, v in pc["by_actor_undiscounted"].items()
        ]
        lines.append(pc["note"])
        out.append((t("feasibility.problem", lang), lines))
    # the totals, when there is no year-by-year matrix to show them
    wp = (
        []
        if data.get("wrong_pocket_by_year")
        else [
            f"{x['name']}{' [' + x['party'] + ']' if x['party'] else ''}: "
            f"{t('value.row_savings', lang)} {_m(x['savings'], cur, lang)}, {t('value.row_costs', lang)} "
            f"{_m(x['costs'], cur, lang)}, {t('value.row_net', lang)} {_m(x['net'], cur, lang)}"
            for x in data["wrong_pocket"].values()
            if x["savings"] or x["costs"]
        ]
    )
    v = data["value"]
    wp.append(_proposal(v, _actor_names(data["wrong_pocket"]), lang))
    wp.extend(_unbooked(v, lang))
    wp.append(_prices_note(v, lang))
    out.append((t("feasibility.wrong_pocket", lang, years=len(v["years"])), wp))
    sources = unit_cost_lines(v, lang)
    if sources:
        out.append((t("value.unit_costs", lang), sources))
    pw = []
    for p in data["power"]:
        pw.append(
            t(
                "feasibility.power_line",
                lang,
                rule=p["rule"],
                metric=p.get("metric_name", p["metric"]),
                effect=power_effect(p, p["expected_effect"], lang),
                threshold="—" if p["threshold"] is None else power_effect(p, p["threshold"], lang),
                mde="—" if p["mde"] is None else power_effect(p, p["mde"], lang),
                n=number(p["n"], lang),
                verdict=t(
                    "feasibility.detectable" if p["detectable"] else "feasibility.not_detectable",
                    lang,
                ),
            )
        )
    if pw:  # no heading over nothing: a contract whose rules have no effect to detect
        out.append((t("feasibility.power", lang), pw))
    tm = data["timing"]
    share = tm["share_within_budget_period"]
    out.append(
        (
            t("feasibility.timing_heading", lang),
            [
                t(
                    "feasibility.timing_no_savings" if share is None else "feasibility.timing",
                    lang,
                    first=tm["first_saving_year_label"] or t("feasibility.never", lang),
                    break_even=tm["break_even_year_label"] or t("feasibility.never", lang),
                    share="" if share is None else percent(share, lang),
                    budget=tm["budget_period_years"],
                    term=tm["term_years"],
                )
            ],
        )
    )
    bc = data["business_case"]
    inv = ", ".join(
        f"{x.get('name', pid)} {t('table.irr', lang)} "
        f"{'—' if x['irr'] is None else rate(x['irr'], lang)}"
        for pid, x in bc["investors"].items()
    )
    case = t(
        "feasibility.case" if bc["activity_fees"] else "feasibility.case_without_fees",
        lang,
        payments=_m(bc["outcome_payments"], cur, lang),
    )
    # the investors' returns, when the contract has investors
    out.append((t("feasibility.case_heading", lang), [f"{case}; {inv}" if inv else case]))
    checks = [
        f"[{c['status_label']}] {c['label']}"
        + (": " + " ".join(c["reasons"]) if c["reasons"] else "")
        for c in data["checklist"]
    ]
    out.append((t("feasibility.checklist", lang), checks))
    out.append(
        (t("feasibility.verdict_heading", lang), [data["verdict_label"], *data["verdict_reasons"]])
    )
    return out


def _title(data: dict[str, Any], lang: str) -> str:
    """The förstudie's title: the contract's name with its id in brackets (the id alone for
    a contract without a name)."""
    return t("feasibility.title", lang, contract=contract_label(data))


def feasibility_text(data: dict[str, Any], lang: str = "en") -> str:
    lines = [_title(data, lang), ""]
    verdict = t("feasibility.verdict_heading", lang)
    wrong_pocket = t("feasibility.wrong_pocket", lang, years=len(data["value"]["years"]))
    for title, body in _sections(data, lang):
        if title:
            lines.append(title)
        if title == wrong_pocket and data.get("wrong_pocket_by_year"):
            rows = matrix_rows(
                data["wrong_pocket_by_year"], data["value"]["year_labels"], data["currency"], lang
            )
            lines.append("  " + _thousands(data["currency"], lang))
            lines += ["  " + r for r in aligned(rows, left=2, rule=False)]
        if title == verdict:  # the verdict itself, then its reasons
            lines.append(f"  {body[0]}")
            body = body[1:]
        lines += [f"  - {b}" for b in body]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _html_matrix(rows: list[list[str]], caption: str, lang: str) -> str:
    """The wrong-pocket matrix as a table a screen reader can read: every column headed, and
    each actor's name heading its three rows (saves, pays, net)."""
    esc = html.escape
    names = [t("value.actor_column", lang), t("value.flow_column", lang), *rows[0][2:]]
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in names)
    body = []
    for r in rows[1:]:
        actor = f'<th scope="row" rowspan="3">{esc(r[0])}</th>' if r[0] else ""
        flow = f'<td class="flow">{esc(r[1])}</td>'
        body.append(f"<tr>{actor}{flow}" + "".join(f"<td>{esc(c)}</td>" for c in r[2:]) + "</tr>")
    return (
        f'<table class="matrix"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def feasibility_html(data: dict[str, Any], lang: str = "en") -> str:
    """A self-contained HTML page: inline CSS, no scripts, no external resources."""
    esc = html.escape
    parts = [
        "<!doctype html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        f"<title>{esc(_title(data, lang))}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.45;"
        "color:#1b1b1b}h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:1px solid #ccc}"
        "table.matrix{border-collapse:collapse;font-size:.8rem}"
        ".matrix td,.matrix th{padding:.15rem .4rem;text-align:right;white-space:nowrap}"
        ".matrix th[scope=row],.matrix td.flow,.matrix caption{text-align:left}"
        ".matrix th[scope=row]{font-weight:normal;vertical-align:top}"
        ".matrix tbody tr:nth-child(3n){border-bottom:1px solid #ccc}"
        "li{margin:.3rem 0}.verdict{font-weight:bold;padding:.6rem;background:#f3f0e6;border-left:4px solid #b58900}"
        "</style></head><body>",
        f"<h1>{esc(_title(data, lang))}</h1>",
    ]
    wrong_pocket = t("feasibility.wrong_pocket", lang, years=len(data["value"]["years"]))
    for title, body in _sections(data, lang):
        if title:
            parts.append(f"<h2>{esc(title)}</h2>")
        if title == wrong_pocket and data.get("wrong_pocket_by_year"):
            rows = matrix_rows(
                data["wrong_pocket_by_year"], data["value"]["year_labels"], data["currency"], lang
            )
            parts.append(_html_matrix(rows, _thousands(data["currency"], lang), lang))
        if title == t("feasibility.verdict_heading", lang):
            parts.append(f'<p class="verdict">{esc(body[0])}</p>')
            body = body[1:]
        parts.append("<ul>" + "".join(f"<li>{esc(b)}</li>" for b in body) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
