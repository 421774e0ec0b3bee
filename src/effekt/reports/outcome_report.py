"""The verified outcome report: self-contained HTML (no external files) and JSON, sv or en.

:func:`report_data` picks from the evaluation result (``services.evaluate.evaluate``) what
may be published: the plan and its hash, the effect with its interval, the decision under
the contract's decision basis, the payments, balance, sensitivity, the suppressed counts,
data-quality counts and the run record. It leaves out everything at row level (row
numbers, per-cohort measurements). Group sizes are published only when every cohort's
row total for that group is published in the suppressed table (otherwise a suppressed
total could be worked out from them); small data-quality counts are shown as "< 5".
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

from effekt.i18n import translate as t

__all__ = ["render_html", "render_text", "report_data", "report_json"]


def _small(n: int | None, limit: int) -> int | str | None:
    if n is None:
        return None
    return f"< {limit}" if 0 < n < limit else n


def _group_size(table: dict[str, Any], group: str) -> bool:
    totals = [
        table["row_totals"][i] for i, row in enumerate(table["rows"]) if row["group"] == group
    ]
    return all(v is not None for v in totals)


def report_data(result: dict[str, Any]) -> dict[str, Any]:
    """The publishable part of an evaluation result (see the module docstring)."""
    table = result["published"]
    limit = int(table["threshold"])
    effect = dict(result["effect"])
    if not _group_size(table, "treated"):
        effect["n_treated"] = None
    if not _group_size(table, "comparison"):
        effect["n_control"] = None
        effect["n_control_weighted"] = None
    quality = result["quality"]
    q = {
        "rows_read": quality["rows_read"],
        "duplicates": _small(quality["duplicates"]["count"], limit),
        "missing": {k: _small(v["count"], limit) for k, v in quality["missing"].items()},
        "out_of_range": {k: _small(v["count"], limit) for k, v in quality["out_of_range"].items()},
        "ineligible": _small(
            len(quality["excluded"].get("ineligible", {}).get("rows", []))
            if "ineligible" in quality["excluded"]
            else 0,
            limit,
        ),
    }
    policies = {
        k: (_small(v, limit) if isinstance(v, int) else v)
        for k, v in result["policies"].items()
        if not isinstance(v, dict)
    }
    settlement = result.get("settlement")
    return {
        "contract": result["plan"].get("contract_id"),
        "metric": result["plan"].get("metric") or result["plan"].get("outcome"),
        "population": result["population"],
        "plan": result["plan"],
        "plan_sha256": result["plan_sha256"],
        "effect": effect,
        "other_populations": {
            k: {x: v[x] for x in ("estimate", "ci_low", "ci_high", "se")}
            for k, v in result["populations"].items()
            if k != result["population"]
        },
        # only the code: a reason's parameters may be small counts
        "other_populations_not_analysed": {
            k: v["code"] for k, v in result.get("populations_not_analysed", {}).items()
        },
        "naive": result.get("naive"),
        "decisions": result.get("decisions", []),
        "payments": None
        if settlement is None
        else {
            "currency": settlement["currency"],
            "total": settlement["total_payments"],
            "payments": settlement["payments"],
            "decisions": settlement["decisions"],
        },
        "balance": result["balance"],
        "balance_passed": result["balance_passed"],
        "balance_threshold": result["plan"].get("balance_threshold"),
        "sensitivity": result["sensitivity"],
        "published": table,
        "quality": q,
        "policies": policies,
        "run": result["run"],
    }


def report_json(result: dict[str, Any]) -> str:
    """The publishable report as JSON text."""
    return json.dumps(report_data(result), ensure_ascii=False, indent=2)


def _num(x: Any, digits: int = 4) -> str:
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    v = float(x)
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "∞"
    return f"{v:,.{digits}g}" if abs(v) >= 1e4 else f"{v:.{digits}g}"


def _lines(d: dict[str, Any], lang: str) -> list[tuple[str, list[str]]]:
    """(section heading, paragraphs) for the text and HTML renderings."""
    e = d["effect"]
    pop = t(f"report.population.{d['population']}", lang)
    effect = [
        t(
            "report.effect_line",
            lang,
            estimate=_num(e["estimate"]),
            confidence=_num(100 * e["confidence"], 3),
            low=_num(e["ci_low"]),
            high=_num(e["ci_high"]),
            se=_num(e["se"]),
            p=_num(e["p_value"], 3),
        ),
        t(
            "report.means_line",
            lang,
            treated=_num(e["treated_mean"]),
            counterfactual=_num(e["counterfactual_mean"]),
            method=e["method"],
        ),
        t(
            "report.counts_line",
            lang,
            treated=_num(e["n_treated"], 6),
            control=_num(e["n_control"], 6),
        ),
    ]
    if e.get("rate_ratio") is not None:
        effect.append(
            t(
                "report.rate_ratio_line",
                lang,
                ratio=_num(e["rate_ratio"]),
                low=_num(e["rate_ratio_ci_low"]),
                high=_num(e["rate_ratio_ci_high"]),
            )
        )
    if d.get("naive") and d["plan"]["method"] == "psm":
        effect.append(t("report.naive_line", lang, naive=_num(d["naive"]["estimate"])))
    for label, other in d["other_populations"].items():
        effect.append(
            t(
                "report.other_population",
                lang,
                population=t(f"report.population.{label}", lang),
                estimate=_num(other["estimate"]),
                low=_num(other["ci_low"]),
                high=_num(other["ci_high"]),
            )
        )
    for label, code in d.get("other_populations_not_analysed", {}).items():
        effect.append(
            t(
                "report.other_population_not_analysed",
                lang,
                population=t(f"report.population.{label}", lang),
                code=code,
            )
        )
    plan = d["plan"]
    out = [
        (
            t("report.plan", lang),
            [
                t("report.plan_fixed", lang, hash=d["plan_sha256"]),
                ", ".join(
                    f"{k} = {v}"
                    for k, v in plan.items()
                    if v not in (None, [], "") and k not in ("contract_sha256", "mapping_sha256")
                ),
            ],
        ),
        (t("report.effect", lang) + f" — {pop}", effect),
    ]
    if d["sensitivity"] and d["sensitivity"].get("critical_gamma") is not None:
        out.append(
            (
                t("report.sensitivity", lang),
                [t("report.gamma_line", lang, gamma=_num(d["sensitivity"]["critical_gamma"], 3))],
            )
        )
    q = d["quality"]
    quality = [
        t(
            "report.quality_line",
            lang,
            rows=q["rows_read"],
            duplicates=q["duplicates"],
            ineligible=q["ineligible"],
        ),
        t(
            "report.policy_line",
            lang,
            missing=d["policies"].get("missing_data"),
            attrition=d["policies"].get("attrition"),
        ),
    ]
    for col, n in {**q["missing"], **q["out_of_range"]}.items():
        quality.append(t("report.missing_line", lang, column=col, count=n))
    out.append((t("report.quality", lang), quality))
    return out


def render_text(result: dict[str, Any], lang: str = "en") -> str:
    """A plain-text summary of the report for the terminal."""
    d = report_data(result)
    parts = [t("report.title", lang)]
    for heading, paras in _lines(d, lang):
        parts.append("")
        parts.append(heading)
        parts.extend(f"  {p}" for p in paras)
    if d["decisions"]:
        parts.append("")
        parts.append(t("report.decision", lang))
        for row in d["decisions"]:
            parts.append("  " + _decision_text(row, lang))
    if d["payments"] is not None:
        parts.append(
            "  "
            + t(
                "report.payments_total",
                lang,
                total=_num(d["payments"]["total"], 12),
                currency=d["payments"]["currency"],
            )
        )
    return "\n".join(parts) + "\n"


def _decision_text(row: dict[str, Any], lang: str) -> str:
    basis = t(f"report.basis_name.{row['basis']}", lang)
    if "threshold" in row:
        met = t("report.yes" if row["met"] else "report.no", lang)
        return (
            f"{row['rule']}: {row['measure']} {_num(row['value'])} "
            f"({_num(row['ci_low'])}–{_num(row['ci_high'])}) ≥ {_num(row['threshold'])}? "
            f"{met} [{basis}]"
        )
    return f"{row['rule']}: " + t("report.per_person", lang, value=_num(row["per_person"]))


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #bbb;padding:.25rem .6rem;
text-align:right}th:first-child,td:first-child{text-align:left}.muted{color:#555;font-size:.9rem}
code{font-size:.85rem;word-break:break-all}
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    h = "".join(f"<th>{escape(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def render_html(result: dict[str, Any], lang: str = "en") -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no links out)."""
    d = report_data(result)
    pop = t(f"report.population.{d['population']}", lang)
    html = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(t('report.title', lang))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(t('report.title', lang))}</h1>",
        '<p class="muted">'
        + escape(
            t(
                "report.subtitle",
                lang,
                contract=d["contract"] or "–",
                metric=d["metric"],
                population=pop,
            )
        )
        + "</p>",
    ]
    for heading, paras in _lines(d, lang):
        html.append(f"<h2>{escape(heading)}</h2>")
        html.extend(f"<p>{escape(p)}</p>" for p in paras)
    if d["decisions"]:
        html.append(f"<h2>{escape(t('report.decision', lang))}</h2>")
        rows = []
        for row in d["decisions"]:
            if "threshold" in row:
                rows.append(
                    [
                        row["rule"],
                        row["measure"],
                        f"{_num(row['value'])} ({_num(row['ci_low'])} – {_num(row['ci_high'])})",
                        _num(row["threshold"]),
                        t("report.yes" if row["met"] else "report.no", lang),
                        t(f"report.basis_name.{row['basis']}", lang),
                    ]
                )
            else:
                rows.append(
                    [
                        row["rule"],
                        row["kind"],
                        t("report.per_person", lang, value=_num(row["per_person"])),
                        "–",
                        "–",
                        t(f"report.basis_name.{row['basis']}", lang),
                    ]
                )
        html.append(
            _table(
                [
                    t("report.rule", lang),
                    t("report.measure", lang),
                    t("report.value", lang),
                    t("report.threshold", lang),
                    t("report.met", lang),
                    "basis",
                ],
                rows,
            )
        )
    if d["payments"] is not None:
        p = d["payments"]
        html.append(f"<h2>{escape(t('report.payments', lang))}</h2>")
        html.append(
            "<p>"
            + escape(
                t("report.payments_total", lang, total=_num(p["total"], 12), currency=p["currency"])
            )
            + "</p>"
        )
        html.append(
            _table(
                [
                    t("report.payer", lang),
                    t("report.rule", lang),
                    t("report.period", lang),
                    t("report.amount", lang),
                ],
                [
                    [x["payer"], x["rule"], str(x["period"]), f"{x['amount']:,.2f}"]
                    for x in p["payments"]
                ],
            )
        )
    if d["balance"]:
        html.append(f"<h2>{escape(t('report.balance', lang))}</h2>")
        html.append(
            "<p>"
            + escape(t("report.balance_note", lang, threshold=_num(d["balance_threshold"])))
            + "</p>"
        )
        html.append(
            _table(
                [
                    t("report.covariate", lang),
                    t("report.smd_before", lang),
                    t("report.smd_after", lang),
                ],
                [
                    [name, _num(b["smd_before"], 3), _num(b["smd_after"], 3)]
                    for name, b in d["balance"].items()
                ],
            )
        )
    html.append(_published_html(d["published"], lang))
    run = d["run"]
    html.append(f"<h2>{escape(t('report.run', lang))}</h2>")
    html.append(
        _table(
            ["", ""],
            [
                ["plan_sha256", run["plan_sha256"]],
                ["data_sha256", run["data_sha256"]],
                ["mapping_sha256", str(run["mapping_sha256"])],
                ["contract_sha256", str(run["contract_sha256"])],
                ["seed", str(run["seed"])],
                ["python", run["python"]],
                *[[k, v] for k, v in run["packages"].items()],
                ["pseudonym_key", run["pseudonym_key"]],
                ["created_utc", run["created_utc"]],
            ],
        )
    )
    html.append(f'<p class="muted">{escape(t("report.privacy_note", lang))}</p>')
    html.append("</body></html>\n")
    return "\n".join(html)


def _published_html(table: dict[str, Any], lang: str) -> str:
    cats = [
        t(f"report.category.{c}", lang) if c in ("achieved", "not_achieved", "n") else c
        for c in table["columns"]
    ]
    head = [t("report.cohort", lang), t("report.group", lang), *cats, t("report.total", lang)]

    def c(v: int | None) -> str:
        return "–" if v is None else str(v)

    rows = [
        [
            r["cohort"],
            t(f"report.group_name.{r['group']}", lang),
            *[c(v) for v in table["cells"][i]],
            c(table["row_totals"][i]),
        ]
        for i, r in enumerate(table["rows"])
    ]
    rows.append(
        [t("report.total", lang), "", *[c(v) for v in table["column_totals"]], c(table["total"])]
    )
    note = t("report.published_note", lang, limit=int(table["threshold"]) - 1)
    return f"<h2>{escape(t('report.published', lang))}</h2><p>{escape(note)}</p>" + _table(
        head, rows
    )
