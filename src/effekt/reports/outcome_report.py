"""The verified outcome report: self-contained HTML (no external files) and JSON, sv or en.

:func:`report_data` picks from the evaluation result (``services.evaluate.evaluate``) what
may be published: the plan and its hash, the effect with its interval, the decision under
the contract's decision basis, the payments, balance, sensitivity, the suppressed counts,
data-quality counts, the treated left out of the analysis and the run record, and the
per-cohort measurements behind the payments as the service suppressed them
(:func:`effekt.services.publication.published_measurements`). It leaves out everything at
row level (row numbers) and the unsuppressed measurements. Beside the table, it publishes
only what gives away no small count or person's value (:mod:`effekt.services.publication`
gives the reasons, figure by figure; the result carries the service's verdicts in
``publication``): a group's size only when the table publishes that group's total; the
treated and counterfactual means over all cohorts, the rate ratio, the standard error and
p-value and the decision values that would give the means only when the table publishes
every group total (the means times the sizes are those totals); the settle engine's
effects only for cohorts whose measurements are published; the naive comparison (its
estimate alone) and the other population's effect only where they give away no small
count of the persons outside the table or of those who did not engage; the balance as
standardised mean differences to two decimals, never the means, and none for a covariate
with a small count; the Rosenbaum bounds as the sentence's figures, never the p-values per
Γ; the rows read only when nothing that became of them is small. Payments are published
in full, and the report names the hidden cohorts whose payments per outcome can give a
count away, each by why it is hidden (the table's rule, or a count outcome's events).
Small counts are shown as "< 5", hidden figures as "–" with a sentence why.

:func:`render_text` and :func:`render_html` say it in Swedish or English: figures in the
language's format and every code in the result (method, measure, policy, sensitivity, the
plan's field names) in words, by :mod:`effekt.reports.outcome_phrases`. The HTML's balance
section shows the balance ("love") plot, inline SVG from :mod:`effekt.reports.balance_plot`,
above the table of SMDs before and after matching, to their two published decimals; one
that rounds to the other side of the threshold than its verdict says which side it is on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from effekt.contract.explain import effect_text
from effekt.i18n import translate as t
from effekt.i18n.format import money, percent
from effekt.reports.balance_plot import balance_svg
from effekt.reports.outcome_phrases import (
    count,
    decision_cells,
    decision_line,
    difference,
    level,
    method,
    num,
    p_value,
    plan_fields,
    policy,
    run_fields,
    sensitivity,
    smd,
)
from effekt.reports.text import aligned
from effekt.services.publication import (
    group_size_published,
    pooled_published,
    published_balance,
    published_decisions,
    published_effect,
    published_left_out,
    published_sensitivity,
)

__all__ = ["render_html", "render_text", "report_data", "report_json"]


def _small(n: int | None, limit: int) -> int | str | None:
    if n is None:
        return None
    return f"< {limit}" if 0 < n < limit else n


def _settlement_decisions(
    settlement: dict[str, Any], publication: dict[str, Any]
) -> list[dict[str, Any]]:
    """The settle engine's decisions, without the effects the service found would give a
    hidden count away (their reason says so instead)."""
    hidden = {(h["rule"], h["cohort"]): h["reason"] for h in publication["hidden_effects"]}
    out = []
    for d in settlement["decisions"]:
        reason = hidden.get((d["rule"], d["cohort"]))
        out.append(d if reason is None else {**d, "effect": None, "reason": reason,
                                             "suppressed": True})  # fmt: skip
    return out


def _pooled_hidden_because(result: dict[str, Any]) -> list[str]:
    """Why the means over all cohorts are hidden: the table hides a group total or the
    counts behind the pooled counterfactual ("table"), a count outcome's events would
    single persons out ("events"), or both."""
    events = bool(result["publication"].get("events_single_out", False))
    table = not pooled_published(result["published"], result.get("measurements"))
    return ["table"] * (table or not events) + ["events"] * events


def _hidden_because(
    result: dict[str, Any], publication: dict[str, Any], pooled: bool, quality: set[str]
) -> dict[str, str]:
    """Why the naive comparison, the other population's figures and the rows read are
    hidden, where they are, one reason each: "pooled" (published only with the means over
    all cohorts, which are hidden), "counts" (a count of 1–4 among the persons they
    add), "events" (a count outcome's events of those persons would single one out);
    for the rows read "parts" (one part of them is 1–4) or "quality" (the data-quality
    check hid them, with the counts beside them)."""
    given = publication.get("hidden_because", {})
    out = {}
    others = [k for k in result["populations"] if k != result["population"]]
    for figure, present in (("naive", result.get("naive") is not None),
                            ("other_populations", bool(others))):  # fmt: skip
        if present and not publication[figure]:
            out[figure] = "pooled" if not pooled else given.get(figure, "counts")
    if not publication["rows_read"]:
        out["rows_read"] = "quality" if "rows_read" in quality else "parts"
    return out


def report_data(result: dict[str, Any]) -> dict[str, Any]:
    """The publishable part of an evaluation result (see the module docstring)."""
    table = result["published"]
    limit = int(table["threshold"])
    publication = result["publication"]
    pooled = bool(publication["pooled"])
    effect = published_effect(result["effect"], table, pooled)
    quality = result["quality"]
    excluded = quality["excluded"]
    hidden = set(publication.get("quality_hidden", []))

    def shown(name: str, n: int) -> int | str | None:
        return None if name in hidden else _small(n, limit)

    q = {
        "rows_read": quality["rows_read"] if publication["rows_read"] else None,
        # the rows dropped (each person's first row is kept), not every row of a person
        # written twice: rows read less these and the ineligible are the rows analysed
        "duplicates": shown("duplicates", excluded.get("duplicate", {}).get("count", 0)),
        # a column's invalid values are among its missing ones, counted once
        "missing": {k: shown(f"missing:{k}", v["count"]) for k, v in quality["missing"].items()},
        "out_of_range": {
            k: shown(f"out_of_range:{k}", v["count"])
            for k, v in quality["out_of_range"].items()
            if k not in quality["missing"]
        },
        "ineligible": shown("ineligible", excluded.get("ineligible", {}).get("count", 0)),
        "hidden": bool(hidden),
    }
    policies = {
        k: (shown(f"policies:{k}", v) if isinstance(v, int) else v)
        for k, v in result["policies"].items()
        if not isinstance(v, dict)
    }
    settlement = result.get("settlement")
    naive = result.get("naive")
    because = _hidden_because(result, publication, pooled, hidden)
    return {
        "contract": result["plan"].get("contract_id"),
        "contract_name": result.get("contract_name"),
        "metric": result["plan"].get("metric") or result["plan"].get("outcome"),
        "population": result["population"],
        "plan": result["plan"],
        "plan_sha256": result["plan_sha256"],
        "effect": effect,
        "other_populations": {
            k: (
                {x: v[x] for x in ("estimate", "ci_low", "ci_high", "se")}
                if publication["other_populations"]
                else None
            )
            for k, v in result["populations"].items()
            if k != result["population"]
        },
        # only the code: a reason's parameters may be small counts
        "other_populations_not_analysed": {
            k: v["code"] for k, v in result.get("populations_not_analysed", {}).items()
        },
        # its means are over every treated and comparison person, analysed or not
        "naive": None
        if naive is None
        else {"estimate": naive["estimate"] if publication["naive"] else None},
        "pooled_published": pooled,
        # why each hidden figure beside the table is hidden, one reason each
        "hidden_because": because,
        # why not: the table hides a group total, or a count outcome's events single out
        "pooled_hidden_because": [] if pooled else _pooled_hidden_because(result),
        "decisions": published_decisions(result.get("decisions", []), pooled),
        "payments": None
        if settlement is None
        else {
            "currency": settlement["currency"],
            "total": settlement["total_payments"],
            "totals_by_basis": settlement["totals_by_basis"],
            "payments": settlement["payments"],
            "decisions": _settlement_decisions(settlement, publication),
            "suppressed_cohorts_paid_per_outcome": publication["cohorts_paid_per_outcome"],
        },
        "measurements": result.get("measurements"),
        "left_out": published_left_out(
            result.get("left_out"),
            effect["n_treated"],
            limit,
            [h.split(":", 1)[1] for h in hidden if h.startswith("left_out:")],
        ),
        "balance": published_balance(result["balance"], publication["balance_hidden"]),
        "balance_passed": result["balance_passed"],
        "balance_threshold": result["plan"].get("balance_threshold"),
        "sensitivity": published_sensitivity(
            result["sensitivity"], group_size_published(table, "treated")
        ),
        "published": table,
        "quality": q,
        "policies": policies,
        "run": result["run"],
    }


def report_json(result: dict[str, Any]) -> str:
    """The publishable report as JSON text."""
    return json.dumps(report_data(result), ensure_ascii=False, indent=2)


@dataclass
class _Section:
    """A heading, its paragraphs and, optionally, a table (head row, body rows)."""

    heading: str
    paragraphs: list[str]
    table: list[list[str]] | None = None


def _binary(d: dict[str, Any]) -> bool:
    """Whether the outcome is yes/no: its shares are then said in percent, its differences
    in percentage points, as the measurements behind the payments say them."""
    return bool(d["plan"].get("outcome_kind") == "binary")


def _suffix(because: dict[str, str], figure: str) -> str:
    """The end of the code of a hidden figure's sentence, by why it is hidden (the
    sentence without an end gives the counts' reason)."""
    return {"pooled": "_pooled", "events": "_events"}.get(because.get(figure, ""), "")


def _effect(d: dict[str, Any], lang: str) -> _Section:
    e = d["effect"]
    pop = t(f"report.population.{d['population']}", lang)
    binary = _binary(d)
    lines = [
        t(
            "report.effect_line",
            lang,
            estimate=difference(e["estimate"], lang, binary),
            confidence=percent(e["confidence"], lang),
            low=difference(e["ci_low"], lang, binary, unit=False),
            high=difference(e["ci_high"], lang, binary),
            se=difference(e["se"], lang, binary),
            p=p_value(e["p_value"], lang),
        ),
        t(
            "report.means_line",
            lang,
            treated=level(e["treated_mean"], lang, binary),
            counterfactual=level(e["counterfactual_mean"], lang, binary),
            method=method(e, lang),
        ),
        t(
            "report.counts_line",
            lang,
            treated=count(e["n_treated"], lang),
            control=count(e["n_control"], lang),
        ),
    ]
    for reason in d["pooled_hidden_because"]:
        code = "report.pooled_suppressed" + ("_events" if reason == "events" else "")
        lines.append(t(code, lang, limit=int(d["published"]["threshold"]) - 1))
    if d.get("left_out"):
        lines.append(_left_out_line(d["left_out"], lang))
    if e.get("rate_ratio") is not None:
        lines.append(
            t(
                "report.rate_ratio_line",
                lang,
                ratio=num(e["rate_ratio"], lang),
                low=num(e["rate_ratio_ci_low"], lang),
                high=num(e["rate_ratio_ci_high"], lang),
            )
        )
    limit = int(d["published"]["threshold"]) - 1
    because = d["hidden_because"]
    if d.get("naive") and d["plan"]["method"] == "psm":
        naive = d["naive"]["estimate"]
        if naive is None:
            code = "report.naive_suppressed" + _suffix(because, "naive")
            lines.append(t(code, lang, limit=limit))
        else:
            lines.append(t("report.naive_line", lang, naive=difference(naive, lang, binary)))
    for name, other in d["other_populations"].items():
        if other is None:
            population = t(f"report.population.{name}", lang)
            code = "report.other_population_suppressed" + _suffix(because, "other_populations")
            lines.append(t(code, lang, population=population, limit=limit))
            continue
        lines.append(
            t(
                "report.other_population",
                lang,
                population=t(f"report.population.{name}", lang),
                estimate=difference(other["estimate"], lang, binary),
                low=difference(other["ci_low"], lang, binary, unit=False),
                high=difference(other["ci_high"], lang, binary),
            )
        )
    for name, code in d.get("other_populations_not_analysed", {}).items():
        lines.append(
            t(
                "report.other_population_not_analysed",
                lang,
                population=t(f"report.population.{name}", lang),
                code=code,
            )
        )
    return _Section(t("report.effect", lang) + f" — {pop}", lines)


def _left_out_line(x: dict[str, Any], lang: str) -> str:
    reasons = []
    for reason in x["reasons"]:
        code = reason
        if reason == "not_matched" and x.get("caliper") is None:
            code = "not_matched_no_caliper"
        caliper = "–" if x.get("caliper") is None else num(x["caliper"], lang)
        reasons.append(
            t(f"report.left_out_reason.{code}", lang, count=count(x[reason], lang), caliper=caliper)
        )
    return t(
        "report.left_out_line",
        lang,
        total=count(x["population_treated"], lang),
        analysed=count(x["analysed"], lang),
        left_out=count(x["left_out"], lang),
        reasons="; ".join(reasons),
    )


def _measurements(d: dict[str, Any], lang: str) -> _Section | None:
    """Per cohort, the figures the payments came from (already suppressed)."""
    m = d.get("measurements")
    if not m or not m["rows"]:
        return None
    binary = m["kind"] == "binary"

    def level(x: float | None) -> str:
        return "–" if x is None else (percent(x, lang) if binary else num(x, lang))

    def difference(x: float | None) -> str:
        if x is None:
            return "–"
        return effect_text("absolute_difference", x, "binary", lang) if binary else num(x, lang)

    head = [
        t("report.cohort", lang),
        t("report.measurements_column.n_treated", lang),
        t("report.measurements_column.treated." + ("binary" if binary else "other"), lang),
        t("report.measurements_column.counterfactual", lang),
        t("report.measurements_column.difference", lang),
    ]
    rows = [
        [
            r["cohort"],
            count(r["n_treated"], lang),
            level(r["treated"]),
            level(r["counterfactual"]),
            difference(r["difference"]),
        ]
        for r in m["rows"]
    ]
    note = {"psm": "matched", "did": "did"}.get(m["method"], "pooled")
    paragraphs = [t(f"report.measurements_note.{note}", lang)]
    events = m.get("events_suppressed_cohorts", [])
    by_table = [r for r in m["rows"] if r["treated"] is None and r["cohort"] not in events]
    if by_table or any(r["n_treated"] is None for r in m["rows"]):
        paragraphs.append(t("report.measurements_suppressed", lang, limit=m["threshold"] - 1))
    if events:
        paragraphs.append(
            t("report.measurements_suppressed_events", lang, cohorts=", ".join(events))
        )
    return _Section(t("report.measurements", lang), paragraphs, [head, *rows])


def _quality(d: dict[str, Any], lang: str) -> _Section:
    q = d["quality"]
    lines = [
        t(
            "report.quality_line",
            lang,
            rows=count(q["rows_read"], lang),
            duplicates=count(q["duplicates"], lang),
            ineligible=count(q["ineligible"], lang),
        ),
        t(
            "report.policy_line",
            lang,
            missing=policy("missing_data", d["policies"].get("missing_data"), lang),
            attrition=policy("attrition", d["policies"].get("attrition"), lang),
        ),
    ]
    limit = int(d["published"]["threshold"]) - 1
    if d["hidden_because"].get("rows_read") == "parts":  # else the quality sentence says why
        lines.append(t("report.rows_read_suppressed", lang, limit=limit))
    # an invalid value is set to missing when it is found, so "missing" counts it already
    for col, n in {**q["out_of_range"], **q["missing"]}.items():
        lines.append(t("report.missing_line", lang, column=col, count=count(n, lang)))
    if q["hidden"]:
        lines.append(t("report.quality_suppressed", lang, limit=limit))
    return _Section(t("report.quality", lang), lines)


def _balance_line(d: dict[str, Any], lang: str) -> str | None:
    if not d["balance"] or d["balance_passed"] is None:
        return None
    threshold = num(d["balance_threshold"], lang)
    if d["balance_passed"]:
        return t("report.balance_passed", lang, threshold=threshold)
    failed = [b.get("label", name) for name, b in d["balance"].items() if not b.get("passed", True)]
    return t("report.balance_failed", lang, threshold=threshold, covariates=", ".join(failed))


def _sections(d: dict[str, Any], lang: str) -> list[_Section]:
    """The sections the text and HTML renderings share."""
    plan_head = [t("report.field", lang), t("report.key", lang), t("report.value", lang)]
    out = [
        _Section(
            t("report.plan", lang),
            [t("report.plan_fixed", lang, hash=d["plan_sha256"]), t("report.plan_fields", lang)],
            [plan_head, *plan_fields(d["plan"], lang)],
        ),
        _effect(d, lang),
    ]
    rosenbaum = sensitivity(d["sensitivity"], lang)
    if rosenbaum is not None:
        out.append(_Section(t("report.sensitivity", lang), [rosenbaum]))
    out.append(_quality(d, lang))
    return out


def _title(d: dict[str, Any], lang: str) -> str:
    """The report's title, naming the contract by its name and id (the id alone when the
    contract has no name; no contract, the title alone)."""
    if not d["contract"]:
        return t("report.title", lang)
    name = d.get("contract_name")
    contract = f"{name} ({d['contract']})" if name else d["contract"]
    return t("report.title_contract", lang, contract=contract)


def _subtitle(d: dict[str, Any], lang: str) -> str:
    """The metric and population under the title (the contract is in the title)."""
    pop = t(f"report.population.{d['population']}", lang)
    return t("report.subtitle", lang, metric=d["metric"], population=pop)


def render_text(result: dict[str, Any], lang: str = "en") -> str:
    """A plain-text summary of the report for the terminal."""
    d = report_data(result)
    parts = [_title(d, lang), _subtitle(d, lang)]
    for s in _sections(d, lang):
        parts += ["", s.heading, *(f"  {p}" for p in s.paragraphs)]
        if s.table is not None:
            parts += [f"    {line}".rstrip() for line in aligned(s.table, left=3)]
    balance = _balance_line(d, lang)
    if balance is not None:
        parts += ["", t("report.balance", lang), f"  {balance}"]
    if d["decisions"]:
        parts += ["", t("report.decision", lang)]
        parts += ["  " + decision_line(row, lang, _binary(d)) for row in d["decisions"]]
    if d["payments"] is not None:
        parts += ["", t("report.payments", lang)]
        parts += [f"  {line}" for line in _payment_totals(d["payments"], lang, _events_hidden(d))]
        parts += _by_budget_year(d["payments"], lang)
    measured = _measurements(d, lang)
    if measured is not None:
        parts += ["", measured.heading, *(f"  {p}" for p in measured.paragraphs)]
        assert measured.table is not None
        parts += [f"    {line}".rstrip() for line in aligned(measured.table, left=1)]
    return "\n".join(parts) + "\n"


def _by_budget_year(p: dict[str, Any], lang: str) -> list[str]:
    """The payments due by budget year and payer, as ``effekt model`` gives the business
    case's: each payment in its payer's budget year (the settlement's ``budget_year``)."""
    by_year: dict[str, dict[str, float]] = {}
    for x in p["payments"]:
        row = by_year.setdefault(x["budget_year"], {})
        row[x["payer"]] = row.get(x["payer"], 0.0) + x["amount"]
    if not by_year:
        return []
    lines = [f"  {t('report.by_budget_year', lang)}"]
    for year, payers in sorted(by_year.items()):  # "2027" before "2027/28" before "2028"
        cells = ", ".join(
            f"{payer} {money(round(amount, 2), p['currency'], lang)}"
            for payer, amount in payers.items()
        )
        lines.append(f"    {year}: {cells}")
    return lines


def _payment_totals(p: dict[str, Any], lang: str, events: list[str]) -> list[str]:
    """The verified total (payments on what was measured) apart from the activity fees the
    contract's delivery plan gives, the sum due, the rules nothing was measured for, and
    what a payment per outcome can give away of a hidden cohort (``events``: the cohorts
    hidden because their events would single a person out)."""
    cur = p["currency"]
    by_basis = p["totals_by_basis"]
    lines = [t("report.payments_verified", lang, total=money(by_basis["measured"], cur, lang))]
    if by_basis["modelled"]:
        lines.append(
            t("report.payments_modelled", lang, total=money(by_basis["modelled"], cur, lang))
        )
        lines.append(t("report.payments_due", lang, total=money(p["total"], cur, lang)))
    unmeasured: dict[tuple[str, str], list[str]] = {}
    for x in p["decisions"]:
        if x.get("measured", True) is False:
            cohorts = unmeasured.setdefault((x["rule"], x.get("metric") or ""), [])
            if x["cohort"] is not None:
                cohorts.append(x["cohort"])
    if unmeasured:
        rules = "; ".join(
            f"{rule} ({metric}: {', '.join(cohorts)})" if cohorts else f"{rule} ({metric})"
            for (rule, metric), cohorts in unmeasured.items()
        )
        lines.append(t("report.payments_not_measured", lang, rules=rules))
    if p["suppressed_cohorts_paid_per_outcome"]:
        lines.append(_payments_reveal(p["suppressed_cohorts_paid_per_outcome"], events, lang))
    return lines


def _events_hidden(d: dict[str, Any]) -> list[str]:
    """The cohorts whose measurements are hidden because a count outcome's events would
    single a person out (the others are hidden by the published table's rule)."""
    return list((d.get("measurements") or {}).get("events_suppressed_cohorts", []))


def _payments_reveal(cohorts: list[str], events: list[str], lang: str) -> str:
    """What the payments per outcome of the hidden cohorts can give away, by why each
    cohort is hidden: the table's rule (a count the tables hide) or, for a count
    outcome, events that would single a person out (how few had more than two)."""
    by_table = [c for c in cohorts if c not in events]
    by_events = [c for c in cohorts if c in events]
    sentences = [t("report.payments_reveal", lang)]
    if by_table:
        sentences.append(t("report.payments_reveal_table", lang, cohorts=", ".join(by_table)))
    if by_events:
        sentences.append(t("report.payments_reveal_events", lang, cohorts=", ".join(by_events)))
    return " ".join(sentences)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #bbb;padding:.25rem .6rem;
text-align:right}th:first-child,td:first-child{text-align:left}.muted{color:#555;font-size:.9rem}
code{font-size:.85rem;word-break:break-all}svg{display:block;max-width:100%;height:auto}
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    h = "".join(f"<th>{escape(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def render_html(result: dict[str, Any], lang: str = "en") -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no links out)."""
    d = report_data(result)
    title = escape(_title(d, lang))
    html = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="muted">{escape(_subtitle(d, lang))}</p>',
    ]
    for s in _sections(d, lang):
        html.append(f"<h2>{escape(s.heading)}</h2>")
        html.extend(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        if s.table is not None:
            html.append(_table(s.table[0], s.table[1:]))
    if d["decisions"]:
        html.append(f"<h2>{escape(t('report.decision', lang))}</h2>")
        head = [t(f"report.{c}", lang) for c in ("rule", "measure", "value", "threshold", "met")]
        rows = [decision_cells(row, lang, _binary(d)) for row in d["decisions"]]
        html.append(_table([*head, t("report.basis_column", lang)], rows))
    if d["payments"] is not None:
        html.append(_payments_html(d["payments"], lang, _events_hidden(d)))
    measured = _measurements(d, lang)
    if measured is not None and measured.table is not None:
        html.append(f"<h2>{escape(measured.heading)}</h2>")
        html.extend(f"<p>{escape(p)}</p>" for p in measured.paragraphs)
        html.append(_table(measured.table[0], measured.table[1:]))
    if d["balance"]:
        html.append(_balance_html(d, lang))
    html.append(_published_html(d["published"], lang))
    html.append(f"<h2>{escape(t('report.run', lang))}</h2>")
    head = [t("report.field", lang), t("report.value", lang)]
    html.append(_table(head, run_fields(d["run"], lang)))
    html.append(f'<p class="muted">{escape(t("report.privacy_note", lang))}</p>')
    html.append("</body></html>\n")
    return "\n".join(html)


def _payments_html(p: dict[str, Any], lang: str, events: list[str]) -> str:
    totals = "".join(f"<p>{escape(line)}</p>" for line in _payment_totals(p, lang, events))
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
    return f"<h2>{heading}</h2>{totals}" + _table(head, rows)


def _balance_html(d: dict[str, Any], lang: str) -> str:
    note = t("report.balance_note", lang, threshold=num(d["balance_threshold"], lang))
    paras = [note] + [x for x in [_balance_line(d, lang)] if x is not None]
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
        + _table(head, rows)
    )


def _published_html(table: dict[str, Any], lang: str) -> str:
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
    return f"<h2>{escape(t('report.published', lang))}</h2><p>{escape(note)}</p>" + _table(
        head, rows
    )
