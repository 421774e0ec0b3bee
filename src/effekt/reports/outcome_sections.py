"""The outcome report's sections the text and HTML renderings share: the plan, the effect
(with the figures beside it and why any is hidden), the Rosenbaum bounds, the data quality,
the balance sentence and the measurements behind the payments; the title and subtitle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from effekt.contract.explain import effect_text
from effekt.i18n import translate as t
from effekt.i18n.format import percent
from effekt.reports.outcome_phrases import (
    count,
    difference,
    level,
    method,
    num,
    p_value,
    plan_fields,
    policy,
    sensitivity,
)
from effekt.reports.text import contract_label


@dataclass
class Section:
    """A heading, its paragraphs and, optionally, a table (head row, body rows)."""

    heading: str
    paragraphs: list[str]
    table: list[list[str]] | None = None


def binary_outcome(d: dict[str, Any]) -> bool:
    """Whether the outcome is yes/no: its shares are then said in percent, its differences
    in percentage points, as the measurements behind the payments say them."""
    return bool(d["plan"].get("outcome_kind") == "binary")


def _suffix(because: dict[str, str], figure: str) -> str:
    """The end of the code of a hidden figure's sentence, by why it is hidden (the
    sentence without an end gives the counts' reason)."""
    return {"pooled": "_pooled", "events": "_events"}.get(because.get(figure, ""), "")


def _effect(d: dict[str, Any], lang: str) -> Section:
    e = d["effect"]
    pop = t(f"report.population.{d['population']}", lang)
    binary = binary_outcome(d)
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
    return Section(t("report.effect", lang) + f" — {pop}", lines)


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


def measurements_section(d: dict[str, Any], lang: str) -> Section | None:
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
    return Section(t("report.measurements", lang), paragraphs, [head, *rows])


def _quality(d: dict[str, Any], lang: str) -> Section:
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
    return Section(t("report.quality", lang), lines)


def balance_line(d: dict[str, Any], lang: str) -> str | None:
    if not d["balance"] or d["balance_passed"] is None:
        return None
    threshold = num(d["balance_threshold"], lang)
    if d["balance_passed"]:
        return t("report.balance_passed", lang, threshold=threshold)
    failed = [b.get("label", name) for name, b in d["balance"].items() if not b.get("passed", True)]
    return t("report.balance_failed", lang, threshold=threshold, covariates=", ".join(failed))


def sections(d: dict[str, Any], lang: str) -> list[Section]:
    """The sections the text and HTML renderings share."""
    plan_head = [t("report.field", lang), t("report.key", lang), t("report.value", lang)]
    out = [
        Section(
            t("report.plan", lang),
            [t("report.plan_fixed", lang, hash=d["plan_sha256"]), t("report.plan_fields", lang)],
            [plan_head, *plan_fields(d["plan"], lang)],
        ),
        _effect(d, lang),
    ]
    rosenbaum = sensitivity(d["sensitivity"], lang)
    if rosenbaum is not None:
        out.append(Section(t("report.sensitivity", lang), [rosenbaum]))
    out.append(_quality(d, lang))
    return out


def report_title(d: dict[str, Any], lang: str) -> str:
    """The report's title, naming the contract by its name and id (the id alone when the
    contract has no name; no contract, the title alone)."""
    if not d["contract"]:
        return t("report.title", lang)
    return t("report.title_contract", lang, contract=contract_label(d))


def report_subtitle(d: dict[str, Any], lang: str) -> str:
    """The metric and population under the title (the contract is in the title)."""
    pop = t(f"report.population.{d['population']}", lang)
    return t("report.subtitle", lang, metric=d["metric"], population=pop)
