"""How the verified outcome report says things, in Swedish or English.

Numbers keep four significant digits in the language's format (:mod:`effekt.i18n.format`:
decimal comma, no-break thousands spaces and the minus sign U+2212 in Swedish; decimal
point, thousands commas and the hyphen-minus in English); money is
:func:`~effekt.i18n.format.money`. Everything the evaluation result holds as a code — the
method and its parameters, the rule's measure, the policies, the sensitivity status, the
plan's field names — is translated here from the catalogue (``report.*`` in
``i18n/messages/evaluation_report.toml``), so no English built in a service reaches a
Swedish report. Values are never changed: a plan value is shown exactly as it was hashed,
a suppressed count exactly as it was published.
"""

from __future__ import annotations

import json
import math
from typing import Any

from effekt.i18n import catalog
from effekt.i18n import translate as t
from effekt.i18n.format import minus_sign, number, percent, significant
from effekt.services.publication_figures import SMD_DECIMALS

__all__ = [
    "count",
    "decision_cells",
    "decision_interval",
    "decision_line",
    "difference",
    "label",
    "level",
    "method",
    "num",
    "p_value",
    "plan_fields",
    "policy",
    "run_fields",
    "sensitivity",
    "smd",
]

_PLAN_HIDDEN = ("contract_sha256", "mapping_sha256")  # in the run record instead


def label(code: str, lang: str, fallback: str, **params: Any) -> str:
    """``code`` translated, or ``fallback`` when the catalogue has no such code."""
    return t(code, lang, **params) if code in catalog() else fallback


def num(x: Any, lang: str, digits: int = 4) -> str:
    """A figure with ``digits`` significant digits (whole numbers in full), "–" if missing.

    >>> num(-0.0631079, "sv"), num(-0.0631079, "en"), num(6783255.41, "sv")
    ('−0,06311', '-0.06311', '6\\xa0783\\xa0255')
    """
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    v = float(x)
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else minus_sign(lang) + "∞"
    return significant(v, lang, digits)


def level(x: Any, lang: str, binary: bool, unit: bool = True, decimals: int = 1) -> str:
    """A level (a mean, a rate): a yes/no outcome's share in percent, "48,3 %" — the
    measurements behind the payments and the settlement's reasons say it so — else
    :func:`num`. ``unit=False`` leaves the "%" to the figure that follows ("39,4 till 57,3 %")."""
    if not binary or x is None:
        return num(x, lang, 3 + decimals)
    text = percent(float(x), lang, decimals)
    return text if unit else text.removesuffix("\u00a0%")


def difference(x: Any, lang: str, binary: bool, unit: bool = True, decimals: int = 1) -> str:
    """A difference (an effect, its interval, its standard error): a yes/no outcome's in
    percentage points, "5,8 procentenheter", else :func:`num`."""
    if not binary or x is None:
        return num(x, lang, 3 + decimals)
    points = percent(float(x), lang, decimals).removesuffix("\u00a0%")
    return t("explain.percentage_points", lang, n=points) if unit else points


def _measured(
    measure: str | None,
    x: Any,
    lang: str,
    binary: bool,
    unit: bool = True,
    against: Any = None,
) -> str:
    """A rule's measure: a relative effect in percent, a level or a difference as above.
    ``against``: the threshold ``x`` is decided against; ``x`` then has the decimals it
    needs to stay on its side of it ("9,96 %" against 10 %, never "10 %")."""
    percent_like = measure in ("relative_reduction", "relative_increase") or binary
    decimals = _decimals_against(x, against, percent_like)
    if measure in ("relative_reduction", "relative_increase"):
        return level(x, lang, True, unit, decimals)
    if measure == "level":
        return level(x, lang, binary, unit, decimals)
    return difference(x, lang, binary, unit, decimals)


def _decimals_against(x: Any, threshold: Any, percent_like: bool) -> int:
    """The decimals (of a percentage; beyond 3 significant digits for a number) ``x`` is
    written with so that, rounded, it is on the same side of ``threshold`` as it is: 1
    unless that rounding would put it on or across the threshold."""
    if x is None or threshold is None or not math.isfinite(float(x)):
        return 1
    v, limit = float(x), float(threshold)
    for decimals in range(1, 10):
        if percent_like:
            shown = round(v * 100, decimals) / 100
        else:
            shown = float(f"{v:.{3 + decimals}g}")
        if (shown > limit) == (v > limit) and (shown < limit) == (v < limit):
            return decimals
    return 10


def smd(value: Any, lang: str, threshold: Any = None, passed: bool | None = None) -> str:
    """A published standardised mean difference to :data:`SMD_DECIMALS` decimals ("−0,10"),
    "–" if missing. Its verdict (``passed``, judged on the unrounded figure against
    ``threshold``) can differ from what the rounded figure says; then the side of the
    threshold the unrounded figure is on is said beside it, no more precise than the two:

    >>> smd(-0.1, "sv", 0.1, passed=False), smd(-0.1, "en", 0.1, passed=True), smd(0.0, "sv")
    ('−0,10 (|SMD| över 0,1 före avrundning)', '-0.10', '0,00')
    """
    if value is None or not math.isfinite(float(value)):
        return num(value, lang)
    text = number(float(value), lang, SMD_DECIMALS)
    if threshold is None or passed is None or (abs(float(value)) <= threshold) == passed:
        return text
    side = "at_most" if passed else "above"
    return t(f"report.smd_side.{side}", lang, smd=text, threshold=num(threshold, lang))


def count(n: int | str | None, lang: str) -> str:
    """A published count: "–" when suppressed, "< 5" kept as published, else in full."""
    if n is None:
        return "–"
    if isinstance(n, str):
        return n
    return number(n, lang)


def p_value(p: float | None, lang: str) -> str:
    """The p-value with its relation, "= 0,346" or "< 0,001" (the template says "p {p}")."""
    if p is None or math.isnan(p):
        return "= –"
    if p < 0.001:
        return "< " + number(0.001, lang, 3)
    return "= " + num(p, lang, 3)


def _param(value: Any, lang: str) -> str:
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value).lower()
    if isinstance(value, int):
        return number(value, lang)
    if isinstance(value, float):
        return num(value, lang, 3)
    return str(value)


def method(effect: dict[str, Any], lang: str) -> str:
    """The estimator, from ``method_code`` and ``method_params``; results without a code (from
    before it existed) show their stored label."""
    code = effect.get("method_code")
    fallback = str(effect.get("method") or "–")
    if not code:
        return fallback
    params = {k: _param(v, lang) for k, v in (effect.get("method_params") or {}).items()}
    return label(f"report.method.{code}", lang, fallback, **params)


def sensitivity(s: dict[str, Any] | None, lang: str) -> str | None:
    """The Rosenbaum sentence that is true for this result, or None when there are no bounds.

    A result that is not significant even without hidden bias (Γ = 1) says so: the bounds
    then say nothing more about robustness.
    """
    if not s:
        return None
    gamma = s.get("critical_gamma")
    status = s.get("status")
    if status is None:  # a result from before ``status``: the critical Γ is 1 if not significant
        if gamma is None:
            return None
        status = "not_significant" if gamma <= 1 else "significant_up_to"
    return label(
        f"report.gamma.{status}",
        lang,
        str(status),
        gamma=num(gamma, lang, 3),
        max_gamma=num(s.get("max_gamma"), lang),
        level=percent(float(s.get("alpha", 0.05)), lang),
    )


def policy(kind: str, value: Any, lang: str) -> str:
    """A missing-data or attrition policy in words (its code if unknown)."""
    return label(f"report.policy.{kind}.{value}", lang, str(value))


def plan_fields(plan: dict[str, Any], lang: str) -> list[list[str]]:
    """[label, key, value] per field set in the plan; values exactly as hashed (JSON)."""
    rows = []
    for key, value in plan.items():
        if value in (None, [], "") or key in _PLAN_HIDDEN:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append([label(f"report.plan_field.{key}", lang, key), key, text])
    return rows


def _key_source(value: str, lang: str) -> str:
    kind, _, name = value.partition(":")
    return label(f"report.key_source.{kind}", lang, value, name=name)


def run_fields(run: dict[str, Any], lang: str) -> list[list[str]]:
    """[label, value] for the run record (hashes and versions as they are)."""
    rows = [
        [label(f"report.run_field.{k}", lang, k), "–" if run.get(k) is None else str(run[k])]
        for k in ("plan_sha256", "data_sha256", "mapping_sha256", "contract_sha256", "seed")
    ]
    rows.append([label("report.run_field.python", lang, "python"), str(run["python"])])
    for name, version in run["packages"].items():
        shown = t("report.not_installed", lang) if version == "not installed" else version
        rows.append([name, shown])
    key = _key_source(str(run["pseudonym_key"]), lang)
    rows.append([label("report.run_field.pseudonym_key", lang, "pseudonym_key"), key])
    rows.append([label("report.run_field.created_utc", lang, "created_utc"), run["created_utc"]])
    return rows


def _measure(row: dict[str, Any], lang: str) -> str:
    if "measure" in row:
        return label(f"report.measure_name.{row['measure']}", lang, str(row["measure"]))
    return label(f"report.rule_kind.{row['kind']}", lang, str(row["kind"]))


def decision_interval(row: dict[str, Any], lang: str, binary: bool = False) -> str:
    """The value a rule was decided on, with its interval: "48,3 % (39,4 till 57,3 %)" for
    a yes/no outcome's level, "0,4833 (0,3935 till 0,5731)" for a number; "–" when it is
    not published."""
    if row["value"] is None:
        return "–"
    measure = row.get("measure")
    return t(
        "report.interval",
        lang,
        value=_measured(measure, row["value"], lang, binary, against=row.get("threshold")),
        low=_measured(measure, row["ci_low"], lang, binary, False, row.get("threshold")),
        high=_measured(measure, row["ci_high"], lang, binary, against=row.get("threshold")),
    )


def _per_person(row: dict[str, Any], lang: str, binary: bool) -> str:
    """A rate card's result over all cohorts: for a yes/no outcome the difference from the
    counterfactual in percentage points (or, for a card that pays every outcome, the share
    achieving it), else the outcomes paid per participant."""
    value = row["per_person"]
    if binary and row.get("above_baseline", True):
        return t("report.per_person_binary", lang, value=difference(value, lang, True))
    if binary:
        return t("report.per_person_level", lang, value=level(value, lang, True))
    return t("report.per_person", lang, value=num(value, lang))


def decision_line(row: dict[str, Any], lang: str, binary: bool = False) -> str:
    """One rule's decision as a sentence for the text report."""
    if "threshold" not in row:
        return f"{row['rule']}: {_per_person(row, lang, binary)}"
    # a rule decided per cohort: the pooled value informs, its yes/no decides nothing
    code = "report.decision_line_per_cohort" if row.get("per_cohort") else "report.decision_line"
    return t(
        code,
        lang,
        rule=row["rule"],
        measure=_measure(row, lang),
        interval=decision_interval(row, lang, binary),
        threshold=_measured(row.get("measure"), row["threshold"], lang, binary),
        met=t("report.yes" if row["met"] else "report.no", lang),
        basis=t(f"report.basis_name.{row['basis']}", lang),
    )


def decision_cells(row: dict[str, Any], lang: str, binary: bool = False) -> list[str]:
    """One rule's decision as the HTML table's cells."""
    basis = t(f"report.basis_name.{row['basis']}", lang)
    if "threshold" not in row:
        return [row["rule"], _measure(row, lang), _per_person(row, lang, binary), "–", "–", basis]
    met = t("report.yes" if row["met"] else "report.no", lang)
    if row.get("per_cohort"):
        met = t("report.per_cohort_met", lang)
    return [
        row["rule"],
        _measure(row, lang),
        decision_interval(row, lang, binary),
        _measured(row.get("measure"), row["threshold"], lang, binary),
        met,
        basis,
    ]
