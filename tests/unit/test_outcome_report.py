"""The verified outcome report says everything in the chosen language: Swedish figures and
money in Swedish, no English fragments, the Rosenbaum sentence that is true for the
result, the plan's fields labelled but kept exactly as hashed, small counts suppressed."""

from __future__ import annotations

import copy
import doctest
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from effekt.reports import outcome_phrases
from effekt.reports.outcome_data import report_data
from effekt.reports.outcome_phrases import num, p_value
from effekt.reports.outcome_report import render_html, render_text
from effekt.services.evaluation_plan import AnalysisPlan

NBSP = "\u00a0"
MINUS = "\u2212"

PLAN = AnalysisPlan(
    method="psm",
    treatment="grupp",
    outcome="back_in_school",
    outcome_kind="binary",
    direction="increase",
    population="referred",
    covariates=("alder", "kon", "franvaro_fore", "tidigare_stod"),
    cohort="kohort",
    engaged="deltog",
    contract_id="hemmasittare-exempelkommun",
    metric="back_in_school",
).as_json()

EFFECT: dict[str, Any] = {
    "population": "intention_to_treat",
    "estimate": 0.05833333333333335,
    "se": 0.061959734042947114,
    "ci_low": -0.0631055138825233,
    "ci_high": 0.17977218054919,
    "confidence": 0.95,
    "p_value": 0.3464632084738729,
    "method": "propensity-score matching without replacement 1:1 (MatchIt nearest, "
    "largest score first), SE clustered on matched sets",
    "method_code": "psm_without_replacement",
    "method_params": {"ratio": 1},
    "treated_mean": 0.48333333333333334,
    "counterfactual_mean": 0.425,
    "n_treated": 120,
    "n_control": 120,
    "n_control_weighted": 120.0,
}

BASE: dict[str, Any] = {
    "plan": PLAN,
    "contract_name": "Tillbaka till skolan – Exempelkommun",
    "plan_sha256": "d4" * 32,
    "population": "intention_to_treat",
    "effect": EFFECT,
    "populations": {
        "intention_to_treat": EFFECT,
        "engaged_only": {**EFFECT, "estimate": 0.1154, "ci_low": -0.005594, "ci_high": 0.2364},
    },
    "populations_not_analysed": {},
    "naive": {"estimate": 0.06539440203562341, "treated_mean": 0.4833, "control_mean": 0.4179},
    "decisions": [
        {
            "rule": "skolnarvaro",
            "kind": "rate_card",
            "basis": "point_estimate",
            "per_person": 0.05833333333333335,
            "above_baseline": True,
        },
        {
            "rule": "grind",
            "kind": "gate",
            "basis": "point_estimate",
            "measure": "level",
            "scope": "all_cohorts",
            "value": 0.48333333333333334,
            "ci_low": 0.39354845348487294,
            "ci_high": 0.5731182131817938,
            "decided_on": 0.48333,
            "threshold": 0.25,
            "met": True,
        },
    ],  # fmt: skip
    "settlement": {  # as settle_json gives it, cut short
        "currency": "SEK",
        "total_payments": 4834877.52,
        "totals_by_basis": {"measured": 3773530.8, "modelled": 1061346.72},
        "payments": [
            {
                "payer": "kommun",
                "period": 2,
                "start": "2027-04-01",
                "end": "2027-06-30",
                "budget_year": "2027",
                "metric": None,
                "rule": "aktivitet",
                "basis": "modelled",
                "amount": 121380.0,
            },
            {
                "payer": "kommun",
                "period": 9,
                "start": "2029-01-01",
                "end": "2029-03-31",
                "budget_year": "2029",
                "metric": "back_in_school",
                "rule": "skolnarvaro",
                "basis": "measured",
                "amount": 1638630.0,
            },
            {
                "payer": "kommun",
                "period": 13,
                "start": "2030-01-01",
                "end": "2030-03-31",
                "budget_year": "2030",
                "metric": "back_in_school",
                "rule": "skolnarvaro",
                "basis": "measured",
                "amount": 1002841.56,
            },
        ],
        "decisions": [
            {
                "rule": "behorighet",
                "metric": "gymnasiebehorighet",
                "cohort": None,
                "triggered": False,
                "measured": False,
                "effect": None,
                "threshold": 0.05,
                "period": None,
                "reason": "Not measured: …",
            },
            {
                "rule": "grind",
                "metric": "back_in_school",
                "cohort": None,
                "triggered": True,
                "measured": True,
                "effect": 0.483333,
                "threshold": 0.25,
                "period": 12,
                "reason": "The measured effect 48.33 % reaches the threshold 25 %.",
            },
        ],
    },  # fmt: skip
    "balance": {
        "alder": {"smd_before": -0.03976315725192857, "smd_after": -0.0120022433, "passed": True},
        "tidigare_stod": {"smd_before": 0.7264204238620036, "smd_after": 0.0, "passed": True},
    },
    "balance_passed": True,
    "sensitivity": {
        "status": "not_significant",
        "alpha": 0.05,
        "max_gamma": 1000.0,
        "critical_gamma": 1.0,
        "n_sets": 120,
    },  # fmt: skip
    "published": {
        "rows": [{"cohort": "k1", "group": "treated"}, {"cohort": "k1", "group": "comparison"}],
        "columns": ["achieved", "not_achieved"],
        "cells": [[19, 21], [12, 22]],
        "row_totals": [40, 34],
        "group_totals": {
            "treated": {"cells": [19, 21], "total": 40},
            "comparison": {"cells": [12, 22], "total": 34},
        },
        "column_totals": [31, 43],
        "total": 74,
        "threshold": 5,
        "suppressed_cells": 0,
    },
    "publication": {
        "pooled": True,
        "hidden_effects": [],
        "cohorts_paid_per_outcome": [],
        "naive": True,
        "other_populations": True,
        "balance_hidden": [],
        "rows_read": True,
    },  # fmt: skip
    "quality": {
        "rows_read": 1720,
        "duplicates": {"count": 0, "rows": []},
        "missing": {"franvaro_fore": {"count": 6, "rows": [243, 482, 483, 535, 573, 581]}},
        "out_of_range": {},
        "excluded": {"ineligible": {"count": 60, "rows": list(range(1, 61))}},
    },
    "policies": {
        "missing_data": "exclude_and_report",
        "attrition": "worst_case",
        "imputed_worst_case_treated": 5,
    },  # fmt: skip
    "run": {
        "plan_sha256": "d4" * 32,
        "data_sha256": "47" * 32,
        "mapping_sha256": None,
        "contract_sha256": "c3" * 32,
        "seed": 0,
        "packages": {"effekt": "0.1.0", "statsmodels": "not installed"},
        "python": "3.11.7",
        "pseudonym_key": "ephemeral",
        "created_utc": "2026-01-01T00:00:00Z",
    },
}

# English built in services or in the renderers that used to reach the Swedish report
ENGLISH = ["Method", "method:", "propensity-score", "without replacement", "largest score",
           "SE clustered", " level ", "stays significant", "Rosenbaum bounds", "Total outcome",
           "SEK", "<th>basis", "ephemeral", "not installed", "method = ", "Plan hash",
           "Verified", "delivery plan", "Activity fees", "Not measured", "Paid on"]  # fmt: skip


def result(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    out.update(copy.deepcopy(changes))
    return out


def renderings(r: dict[str, Any], lang: str) -> dict[str, str]:
    return {"text": render_text(r, lang), "html": render_html(r, lang)}


def outside_the_plan_and_run_record(text: str) -> str:
    """Everything but the plan's values (JSON, as hashed), the run record's versions and CSS."""
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    text = re.sub(r"<h2>(Analysplan|Analysis plan)</h2>.*?</table>", "", text, flags=re.S)
    text = re.sub(r"<h2>(Körningsuppgifter|Run record)</h2>.*?</table>", "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.startswith("    "))


# ------------------------------------------------------------------ figures


def test_figures_keep_four_significant_digits_in_the_languages_format() -> None:
    assert doctest.testmod(outcome_phrases).failed == 0
    assert num(0.05833333, "sv") == "0,05833"
    assert num(-0.0631055, "sv") == f"{MINUS}0,06311"
    assert num(-0.0631055, "en") == "-0.06311"
    assert num(0.425, "sv") == "0,425"  # no trailing zeros
    assert num(12345.678, "sv") == f"12{NBSP}346"  # whole numbers in full, not 1.235e+04
    assert num(12345.678, "en") == "12,346"
    assert num(0.0, "sv") == "0" and num(None, "sv") == "–"
    assert p_value(0.3464, "sv") == "= 0,346" and p_value(0.00001, "en") == "< 0.001"


@pytest.mark.parametrize("kind", ["text", "html"])
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("sv", ["Skattad effekt 5,8 procentenheter (95 % konfidensintervall −6,3 till 18 "
                "procentenheter; standardfel 6,2 procentenheter; p = 0,346).",
                "Medelvärde med insats 48,3 %; kontrafaktiskt medelvärde 42,5 %.",
                "Ojusterad skillnad före matchning: 6,5 procentenheter.",
                "endast de som deltog: 11,5 procentenheter (−0,6 till 23,6 procentenheter).",
                "48,3 % (39,4 till 57,3 %)",
                "över alla kohorter 5,8 procentenheter över det kontrafaktiska utfallet"]),
        ("en", ["Estimated effect 5.8 percentage points (95 % confidence interval -6.3 to 18 "
                "percentage points; standard error 6.2 percentage points; p = 0.346).",
                "Treated mean 48.3 %; counterfactual mean 42.5 %.",
                "Unadjusted difference before matching: 6.5 percentage points.",
                "only those who engaged: 11.5 percentage points (-0.6 to 23.6 percentage points).",
                "48.3 % (39.4 to 57.3 %)",
                "over all cohorts 5.8 percentage points above the counterfactual"]),
    ],
)  # fmt: skip
def test_a_yes_no_outcomes_effect_is_in_percentage_points_and_its_shares_in_percent(
    kind: str, lang: str, said: list[str]
) -> None:
    """As the measurements behind the payments and the settlement's reasons say them."""
    out = renderings(result(), lang)[kind].replace(NBSP, " ")
    for line in said:
        assert line in out
    threshold = {"text": "≥ 25 %?", "html": "<td>25 %</td>"}[kind]
    assert threshold in out


@pytest.mark.parametrize(
    ("lang", "said"),
    [("sv", "över alla kohorter nådde 48,3 % av deltagarna utfallet"),
     ("en", "over all cohorts 48.3 % of the participants achieved it")],
)  # fmt: skip
def test_a_rate_card_paying_every_outcome_gives_the_share_achieving_it(
    lang: str, said: str
) -> None:
    decisions = copy.deepcopy(BASE["decisions"])
    decisions[0].update(per_person=0.48333333333333334, above_baseline=False)
    out = render_text(result(decisions=decisions), lang).replace(NBSP, " ")
    assert said in out


def test_an_outcome_that_is_not_yes_no_keeps_its_own_units() -> None:
    plan = {**PLAN, "outcome_kind": "continuous"}
    out = render_text(result(plan=plan), "en")
    assert "Estimated effect 0.05833 (95\u00a0% confidence interval -0.06311 to 0.1798" in out
    assert "percentage points" not in out.split("Measurements")[0]


@pytest.mark.parametrize("kind", ["text", "html"])
def test_swedish_report_has_decimal_commas_and_no_english(kind: str) -> None:
    out = renderings(result(), "sv")[kind]
    assert f"Skattad effekt 5,8 procentenheter (95{NBSP}% konfidensintervall {MINUS}6,3" in out
    assert "standardfel 6,2 procentenheter; p = 0,346" in out
    assert "endast de som deltog: 11,5 procentenheter" in out
    assert f"48,3{NBSP}% (39,4 till 57,3{NBSP}%)" in out
    assert not re.search(r"\d\.\d", outside_the_plan_and_run_record(out))
    found = [w for w in ENGLISH if w in out]
    assert found == []
    assert "Metod: matchning på propensity score utan återläggning 1:1" in out
    assert "standardfel klustrade på de matchade grupperna" in out
    assert "Saknade värden: utesluts och redovisas nedan" in out


@pytest.mark.parametrize("kind", ["text", "html"])
def test_swedish_report_writes_money_as_kronor(kind: str) -> None:
    out = renderings(result(), "sv")[kind]
    assert f"mätt: 3{NBSP}773{NBSP}530,80{NBSP}kr." in out
    if kind == "html":
        assert f"<td>1{NBSP}002{NBSP}841,56{NBSP}kr</td>" in out


@pytest.mark.parametrize("kind", ["text", "html"])
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("sv", ["Verifierade utfallsbetalningar, på de utfall som denna utvärdering mätt: "
                "3 773 530,80 kr.",
                "Aktivitetsarvode enligt kontraktets genomförandeplan, inte verifierat av denna "
                "utvärdering: 1 061 346,72 kr.",
                "Summa att betala: 4 834 877,52 kr.",
                "Mättes inte i denna utvärdering, så inget betalas enligt: "
                "behorighet (gymnasiebehorighet)."]),
        ("en", ["Verified outcome payments, on the outcomes this evaluation measured: "
                "SEK 3,773,530.80.",
                "Activity fees from the contract's delivery plan, not verified by this "
                "evaluation: SEK 1,061,346.72.",
                "Total payments due: SEK 4,834,877.52.",
                "Not measured by this evaluation, so nothing is paid under: "
                "behorighet (gymnasiebehorighet)."]),
    ],
)  # fmt: skip
def test_report_keeps_the_verified_total_apart_from_the_planned_activity_fees(
    kind: str, lang: str, said: list[str]
) -> None:
    out = renderings(result(), lang)[kind].replace(NBSP, " ").replace("&#x27;", "'")
    for line in said:
        assert line in out
    if kind == "html":  # every payment says what it is paid on
        measured, planned = {"sv": ("1 638 630 kr</td><td>uppmätt utfall",
                                    "121 380 kr</td><td>genomförandeplanen (inte verifierad)"),
                             "en": ("SEK 1,638,630</td><td>measured outcome",
                                    "SEK 121,380</td><td>delivery plan (not verified)")}[lang]  # fmt: skip
        assert measured in out and planned in out


def test_report_without_activity_fees_gives_the_verified_total_alone() -> None:
    settlement = copy.deepcopy(BASE["settlement"])
    settlement["payments"] = settlement["payments"][1:]
    settlement["totals_by_basis"] = {"measured": 3773530.8, "modelled": 0.0}
    settlement["total_payments"] = 3773530.8
    settlement["decisions"] = settlement["decisions"][1:]
    out = render_text(result(settlement=settlement), "en")
    payments = out[out.index("Payments due") : out.index("  By budget year")]
    assert payments.strip().splitlines()[1:] == [
        "  Verified outcome payments, on the outcomes this evaluation measured: SEK 3,773,530.80."
    ]
    assert report_data(result(settlement=settlement))["payments"]["totals_by_basis"] == {
        "measured": 3773530.8,
        "modelled": 0.0,
    }


@pytest.mark.parametrize("kind", ["text", "html"])
def test_english_report_keeps_english_figures(kind: str) -> None:
    out = renderings(result(), "en")[kind]
    pp = " percentage points"
    assert f"Estimated effect 5.8{pp} (95{NBSP}% confidence interval -6.3 to 18{pp}" in out
    assert "p = 0.346" in out
    assert "Total payments due: SEK 4,834,877.52." in out
    level = f"48.3{NBSP}% (39.4 to 57.3{NBSP}%)"
    assert f"grind: level {level} ≥ 25{NBSP}%? yes [the point estimate]" in out or (
        kind == "html" and f"<td>level</td><td>{level}</td><td>25{NBSP}%</td>" in out
    )
    assert not re.search(r"\d,\d{1,2}\D", outside_the_plan_and_run_record(out))  # no 0,5


def test_decision_names_the_measure_in_the_language() -> None:
    level = f"48,3{NBSP}% (39,4 till 57,3{NBSP}%)"
    assert f"grind: nivå {level} ≥ 25{NBSP}%? ja [punktskattningen]" in render_text(result(), "sv")
    html = render_html(result(), "sv")
    assert "<td>nivå</td>" in html and "<td>pris per utfall</td>" in html
    assert "<th>Beslutsgrund</th>" in html


# ------------------------------------------------------------------ the method


def test_method_is_named_from_its_code_and_params() -> None:
    with_replacement = {**EFFECT, "method_code": "psm_with_replacement",
                        "method_params": {"ratio": 2, "tolerance": 1e-5}}  # fmt: skip
    r = result(effect=with_replacement)
    assert "med återläggning 1:2 (som Match() i R-paketet Matching, lika avstånd inom 0,00001)" in (
        render_text(r, "sv")
    )
    assert "with replacement 1:2 (Match() conventions, ties within 0.00001)" in render_text(r, "en")


def test_a_result_without_a_method_code_shows_its_stored_label() -> None:
    old = {k: v for k, v in EFFECT.items() if k not in ("method_code", "method_params")}
    assert f"Method: {EFFECT['method']}." in render_text(result(effect=old), "en")


# ------------------------------------------------------------ Rosenbaum bounds


@pytest.mark.parametrize("kind", ["text", "html"])
def test_rosenbaum_sentence_says_a_non_significant_result_is_not_significant(kind: str) -> None:
    sv, en = (renderings(result(), lang)[kind] for lang in ("sv", "en"))
    assert "effekten är inte signifikant" in sv and "ens utan dold snedvridning (Γ = 1)" in sv
    assert "förblir signifikant" not in sv
    assert "the effect is not significant" in en and "even without hidden bias (Γ = 1)" in en
    assert "stays significant" not in en


def test_rosenbaum_sentence_keeps_gamma_for_a_significant_result() -> None:
    sens = {"status": "significant_up_to", "alpha": 0.05, "max_gamma": 1000.0,
            "critical_gamma": 1.2189}  # fmt: skip
    r = result(sensitivity=sens)
    sv, en = render_text(r, "sv"), render_text(r, "en")
    assert "resultatet förblir signifikant" in sv and "upp till Γ = 1,22" in sv
    assert f"5{NBSP}%-nivån" in sv
    assert "the result stays significant" in en and "up to Γ = 1.22" in en
    assert "not significant" not in en


def test_rosenbaum_sentence_for_a_result_significant_at_every_gamma_examined() -> None:
    sens = {"status": "significant_throughout", "alpha": 0.05, "max_gamma": 1000.0,
            "critical_gamma": None}  # fmt: skip
    en = render_text(result(sensitivity=sens), "en")
    assert "for every hidden bias examined, up to Γ = 1,000." in en


@pytest.mark.parametrize(("gamma", "says"), [(1.0, "not significant"), (1.5, "up to Γ = 1.5")])
def test_rosenbaum_sentence_for_a_result_from_before_the_status(gamma: float, says: str) -> None:
    assert says in render_text(result(sensitivity={"critical_gamma": gamma}), "en")


# ------------------------------------------------------------------ the plan


@pytest.mark.parametrize("kind", ["text", "html"])
def test_plan_fields_are_labelled_and_kept_exactly_as_hashed(kind: str) -> None:
    out = renderings(result(), "sv")[kind]
    assert "Planens fält, med värdena exakt som de hashades (JSON):" in out
    if kind == "text":
        line = next(x for x in out.splitlines() if " covariates " in x)
        assert line.split() == ["Bakgrundsvariabler", "covariates", '["alder",', '"kon",',
                                '"franvaro_fore",', '"tidigare_stod"]']  # fmt: skip
        assert re.search(r"Konfidensgrad +confidence +0\.95$", out, flags=re.M)
        assert re.search(r"Matchning med återläggning +replace +false$", out, flags=re.M)
    else:
        assert "<td>Metod</td><td>method</td><td>psm</td>" in out
        assert "<td>Konfidensgrad</td><td>confidence</td><td>0.95</td>" in out
    assert "contract_sha256" not in out.split("Effekt")[0]  # in the run record, not the plan


# ------------------------------------------------------------------ balance


@pytest.mark.parametrize(("lang", "heading"), [("sv", "Balans i bakgrundsvariabler"),
                                               ("en", "Covariate balance")])  # fmt: skip
def test_html_balance_section_draws_the_plot_above_its_table(lang: str, heading: str) -> None:
    html = render_html(result(), lang)
    section = html.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    assert section.index("<svg") < section.index("</svg>") < section.index("<table>")
    plot = ET.fromstring(section[section.index("<svg") : section.index("</svg>") + 6])
    words = {e.text for e in plot.iter("text")}
    assert {"alder", "tidigare_stod"} <= words
    assert html.count("<svg") == 1 and "<svg" not in render_text(result(), lang)


def test_html_without_balance_has_no_plot() -> None:
    assert "<svg" not in render_html(result(balance={}, balance_passed=None), "en")


# ------------------------------------------------------------------ small cells


def test_small_counts_stay_suppressed() -> None:
    quality = copy.deepcopy(BASE["quality"])
    quality["duplicates"] = {"count": 6, "rows": [1, 2, 3, 4, 5, 6]}  # three persons twice
    quality["excluded"]["duplicate"] = {"count": 3, "rows": [4, 5, 6]}  # the rows dropped
    table = copy.deepcopy(BASE["published"])
    table["cells"][0][0] = table["row_totals"][0] = None  # the treated row total is suppressed
    table["group_totals"]["treated"]["total"] = None  # and, with one cohort, the group's
    r = result(quality=quality, published=table)
    assert report_data(r)["effect"]["n_treated"] is None
    for lang, words in (
        ("sv", "Analyserade deltagare: – med insats"),
        ("en", "analysed: – treated"),
    ):
        text, html = render_text(r, lang), render_html(r, lang)
        assert words in text and words in html
        assert "< 5" in text  # the three duplicates dropped
        assert "<td>–</td>" in html


@pytest.mark.parametrize(("lang", "said"), [
    ("sv", "Lästa rader: 1\u00a0720. Borttagna dubbletter (personens första rad behölls): 5."),
    ("en", "Rows read: 1,720. Duplicate rows dropped (each person's first row kept): 5."),
])  # fmt: skip
def test_the_duplicates_published_are_the_rows_dropped_not_every_row_written_twice(
    lang: str, said: str
) -> None:
    # five persons written twice: ten rows involved, five dropped, the first of each kept
    quality = copy.deepcopy(BASE["quality"])
    quality["duplicates"] = {"count": 10, "rows": list(range(1, 11))}
    quality["excluded"]["duplicate"] = {"count": 5, "rows": [2, 4, 6, 8, 10]}
    r = result(quality=quality)
    assert report_data(r)["quality"]["duplicates"] == 5
    assert said in render_text(r, lang) and said in render_html(r, lang).replace("&#x27;", "'")


def test_run_record_is_labelled_in_the_language() -> None:
    html = render_html(result(), "sv")
    assert "<td>Slumpfrö</td><td>0</td>" in html
    assert "<td>statsmodels</td><td>inte installerad</td>" in html
    assert "tillfällig (slumpad för den här körningen och inte sparad)" in html
    assert "<td>Mappningsfilens hashvärde (sha256)</td><td>–</td>" in html


@pytest.mark.parametrize("kind", ["text", "html"])
def test_swedish_report_calls_the_referred_what_the_contract_summary_calls_them(kind: str) -> None:
    out = renderings(result(), "sv")[kind]
    assert "Effekt — alla som remitterats (intention to treat)" in out  # as in effekt explain
    assert "en remitterad deltagare utan uppmätt utfall" in out
    assert "anvisad" not in out


def test_a_rule_decided_per_cohort_does_not_show_the_pooled_answer_as_its_decision() -> None:
    # threshold 0.49 on the level: pooled 0.4833 says "no", but k2 at 0.50 is paid
    from effekt.reports.outcome_phrases import decision_cells, decision_line

    row = {
        "rule": "behorighet", "kind": "threshold", "basis": "point_estimate",
        "measure": "level", "scope": "cohort", "per_cohort": True, "value": 0.4833,
        "ci_low": 0.3935, "ci_high": 0.5731, "decided_on": 0.4833, "threshold": 0.49,
        "met": False,
    }  # fmt: skip
    line = decision_line(row, "en")
    assert "decided cohort by cohort against ≥ 0.49" in line and "? no" not in line
    assert decision_cells(row, "sv")[4] == "per kohort (se betalningarna)"


@pytest.mark.parametrize(
    ("measure", "binary", "value", "low", "shown", "shown_low"),
    [
        ("relative_reduction", False, 0.0996, 0.0999, "9.96\u00a0%", "9.99"),
        ("level", True, 0.49996, 0.4, "49.996\u00a0%", "40"),
        ("difference", True, 0.0999, 0.05, "9.99 percentage points", "5"),
        ("difference", False, 0.099996, 0.05, "0.099996", "0.05"),
    ],
)
def test_a_decided_figure_just_below_its_threshold_is_not_written_as_the_threshold(
    measure: str, binary: bool, value: float, low: float, shown: str, shown_low: str
) -> None:
    # the payment turns on the comparison: "10 % >= 10 %? no" reads as a wrong decision
    from effekt.reports.outcome_phrases import decision_cells, decision_line

    threshold = 0.5 if measure == "level" else 0.1
    row = {
        "rule": "final", "kind": "threshold", "basis": "lower_bound", "measure": measure,
        "value": value, "ci_low": low, "ci_high": 0.2 if measure != "level" else 0.6,
        "threshold": threshold, "met": False,
    }  # fmt: skip
    line = decision_line(row, "en", binary)
    assert f" {shown} ({shown_low} to " in line, line
    assert shown in decision_cells(row, "en", binary)[2]


def test_a_decided_figure_away_from_its_threshold_keeps_its_usual_precision() -> None:
    from effekt.reports.outcome_phrases import decision_line

    row = {
        "rule": "final", "kind": "threshold", "basis": "point_estimate",
        "measure": "relative_reduction", "value": 0.12345, "ci_low": 0.05, "ci_high": 0.2,
        "threshold": 0.1, "met": True,
    }  # fmt: skip
    assert "12.3\u00a0% (5 to 20\u00a0%) ≥ 10\u00a0%? yes" in decision_line(row, "en")


# ------------------------------------------------- figures beside the effect, hidden

HIDDEN = {"pooled": True, "hidden_effects": [], "cohorts_paid_per_outcome": [], "naive": False,
          "other_populations": False, "balance_hidden": ["tidigare_stod"], "rows_read": False}  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("sv", ["Den ojusterade skillnaden före matchning visas inte",
                "Som jämförelse, endast de som deltog: visas inte.",
                "Lästa rader: –.", "Antalet lästa rader visas inte (–)"]),
        ("en", ["The unadjusted difference before matching is not shown",
                "For comparison, only those who engaged: not shown.",
                "Rows read: –.", "The number of rows read is not shown (–)"]),
    ],
)  # fmt: skip
@pytest.mark.parametrize("kind", ["text", "html"])
def test_a_figure_that_would_give_a_count_away_is_not_shown_and_the_report_says_why(
    kind: str, lang: str, said: list[str]
) -> None:
    out = renderings(result(publication=HIDDEN), lang)[kind].replace("&#x27;", "'")
    for sentence in said:
        assert sentence in out
    for figure in ("06539", "1154", "1720", "1 720", "1,720"):  # naive, engaged, rows read
        assert figure not in out.replace(NBSP, " ")


@pytest.mark.parametrize(("lang", "note"), [
    ("sv", "En bakgrundsvariabel som visas med – har ett av sina värden hos 1–4 personer"),
    ("en", "A covariate shown with – has 1–4 persons with one of its values"),
])  # fmt: skip
def test_a_covariate_with_a_small_count_shows_only_whether_it_is_balanced(
    lang: str, note: str
) -> None:
    html = render_html(result(publication=HIDDEN), lang)
    section = html.split("<svg", 1)[1]
    assert note in html
    assert "<td>tidigare_stod</td><td>–</td><td>–</td>" in section
    assert "0,73" not in html and "0.73" not in html  # its SMD before matching
    assert report_data(result(publication=HIDDEN))["balance"]["alder"]["smd_after"] == -0.01


ROUNDED_TO_THE_THRESHOLD = {
    "alder": {"label": "alder", "smd_before": -0.0398, "smd_after": -0.012, "passed": True},
    "konpojke": {"label": "kon: pojke", "smd_before": -0.0348, "smd_after": -0.1024,
                 "passed": False},
}  # fmt: skip


@pytest.mark.parametrize(("lang", "rows"), [
    ("sv", ["<td>alder</td><td>−0,04</td><td>−0,01</td>",
            "<td>kon: pojke</td><td>−0,03</td><td>−0,10 (|SMD| över 0,1 före avrundning)</td>"]),
    ("en", ["<td>alder</td><td>-0.04</td><td>-0.01</td>",
            "<td>kon: pojke</td><td>-0.03</td><td>-0.10 (|SMD| above 0.1 before rounding)</td>"]),
])  # fmt: skip
def test_an_smd_that_rounds_to_the_threshold_but_is_not_balanced_says_it_is_above_it(
    lang: str, rows: list[str]
) -> None:
    # −0.1024 is published as −0.10; shown bare beside "not balanced (|SMD| > 0.1)" it read
    # as balanced
    r = result(balance=ROUNDED_TO_THE_THRESHOLD, balance_passed=False)
    html = render_html(r, lang)
    table = html.split("</svg>", 1)[1]
    for row in rows:
        assert row in table
    assert "kon: pojke" in render_text(r, lang).split("|SMD| >", 1)[1]  # the verdict
    assert report_data(r)["balance"]["konpojke"]["smd_after"] == -0.1  # no precision given back


@pytest.mark.parametrize(("lang", "cell"), [
    ("sv", "<td>0,13 (|SMD| högst 0,127 före avrundning)</td>"),
    ("en", "<td>0.13 (|SMD| at most 0.127 before rounding)</td>"),
])  # fmt: skip
def test_an_smd_that_rounds_above_the_threshold_but_is_balanced_says_it_is_at_most_it(
    lang: str, cell: str
) -> None:
    balance = {"alder": {"label": "alder", "smd_before": 0.3, "smd_after": 0.126, "passed": True}}
    plan = {**PLAN, "balance_threshold": 0.127}
    html = render_html(result(plan=plan, balance=balance), lang)
    assert cell in html.split("</svg>", 1)[1]


def test_the_json_report_holds_no_balance_means_nor_rosenbaum_bounds_per_gamma() -> None:
    balance = {"konpojke": {"label": "kon: pojke", "mean_treated": 0.475,
                            "mean_control_before": 0.4924, "mean_control_after": 0.4833,
                            "smd_before": -0.0348, "smd_after": -0.0167, "passed": True}}  # fmt: skip
    sensitivity = {**BASE["sensitivity"], "gamma": [1.0, 1.25], "p_upper": [0.17, 0.45]}
    data = report_data(result(balance=balance, sensitivity=sensitivity))
    assert data["balance"] == {"konpojke": {"label": "kon: pojke", "smd_before": -0.03,
                                            "smd_after": -0.02, "passed": True}}  # fmt: skip
    assert "p_upper" not in data["sensitivity"] and "gamma" not in data["sensitivity"]
    assert data["sensitivity"]["n_sets"] == 120  # the published number of treated


@pytest.mark.parametrize(("lang", "line"), [("sv", "standardfel –; p = –"),
                                            ("en", "standard error –; p = –")])  # fmt: skip
def test_without_the_pooled_means_the_standard_error_and_p_value_are_not_shown(
    lang: str, line: str
) -> None:
    r = result(publication={**BASE["publication"], "pooled": False})
    text = render_text(r, lang)
    assert line in text
    assert "0,06196" not in text and "0.06196" not in text and "0.346" not in text


# ------------------------------------------------------------- a count outcome's events


@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("sv", ["för ett utfall som räknar händelser är ett medelvärde gånger antalet personer",
            "För kohorterna som visas med – (k1)"],
     "den publicerade tabellen döljer en summa"),
    ("en", ["for a count outcome, a mean times the number of persons is their number of events",
            "For the cohorts shown with – (k1)"],
     "the published table hides a total"),
])  # fmt: skip
@pytest.mark.parametrize("kind", ["text", "html"])
def test_a_count_whose_events_single_out_hides_the_means_and_says_why(
    kind: str, lang: str, said: list[str], not_said: str
) -> None:
    measurements = {"kind": "count", "method": "rct", "threshold": 5,
                    "rows": [{"cohort": "k1", "n_treated": 40, "treated": None,
                              "counterfactual": None, "difference": None}],
                    "suppressed_cohorts": 1, "events_suppressed_cohorts": ["k1"],
                    "pooled_counterfactual_suppressed": False}  # fmt: skip
    publication = {**BASE["publication"], "pooled": False, "events_single_out": True}
    r = result(publication=publication, measurements=measurements)
    out = renderings(r, lang)[kind].replace("&#x27;", "'")
    for sentence in said:
        assert sentence in out
    assert not_said not in out  # the table hides nothing
    assert report_data(r)["pooled_hidden_because"] == ["events"]
    assert "0,4833" not in out and "0.4833" not in out  # the treated mean


# ------------------------------------------------------------- the data-quality counts


@pytest.mark.parametrize(("lang", "said"), [
    ("sv", ["Saknade eller ogiltiga värden i franvaro_fore: –.",
            "Ett antal som visas med – här eller bland dem med insats som lämnades utanför "
            "publiceras inte"]),
    ("en", ["Missing or invalid values in franvaro_fore: –.",
            "A count shown with – here or among the treated left out is not published"]),
])  # fmt: skip
@pytest.mark.parametrize("kind", ["text", "html"])
def test_a_quality_count_that_would_give_a_small_one_away_is_not_shown_and_the_report_says_why(
    kind: str, lang: str, said: list[str]
) -> None:
    publication = {**BASE["publication"], "quality_hidden": ["missing:franvaro_fore"]}
    r = result(publication=publication)
    out = renderings(r, lang)[kind]
    for sentence in said:
        assert sentence in out
    assert report_data(r)["quality"]["missing"] == {"franvaro_fore": None}


def test_a_columns_invalid_values_are_published_once_among_its_missing_ones() -> None:
    quality = copy.deepcopy(BASE["quality"])
    quality["out_of_range"] = {"franvaro_fore": {"count": 2, "rows": [243, 482]},
                               "narvarodagar/skoldagar": {"count": 7, "rows": list(range(7))}}  # fmt: skip
    published = report_data(result(quality=quality))["quality"]
    assert published["missing"] == {"franvaro_fore": 6}  # the 2 invalid among them
    assert published["out_of_range"] == {"narvarodagar/skoldagar": 7}  # not a column


# ------------------------------------------------------------- the contract and its dates


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Verified outcome report: Tillbaka till skolan – Exempelkommun "
               "(hemmasittare-exempelkommun)"),
        ("sv", "Verifierad utfallsrapport: Tillbaka till skolan – Exempelkommun "
               "(hemmasittare-exempelkommun)"),
    ],
)  # fmt: skip
def test_the_report_is_titled_with_the_contracts_name_and_id(lang: str, title: str) -> None:
    out = renderings(result(), lang)
    assert out["text"].splitlines()[0] == title
    assert f"<title>{title}</title>" in out["html"]
    assert f"<h1>{title}</h1>" in out["html"]


def test_a_report_without_the_contracts_name_is_titled_with_its_id() -> None:
    out = renderings(result(contract_name=None), "en")
    title = "Verified outcome report: hemmasittare-exempelkommun"
    assert out["text"].splitlines()[0] == title
    assert f"<h1>{title}</h1>" in out["html"]


@pytest.mark.parametrize(
    ("lang", "head", "row"),
    [
        ("en", "<th>Period</th><th>Dates</th><th>Budget year</th>",
         "<td>9</td><td>2029-01-01 – 2029-03-31</td><td>2029</td><td>SEK 1,638,630</td>"),
        ("sv", "<th>Period</th><th>Datum</th><th>Budgetår</th>",
         "<td>9</td><td>2029-01-01 – 2029-03-31</td><td>2029</td><td>1 638 630 kr</td>"),
    ],
)  # fmt: skip
def test_each_payment_gives_its_periods_dates_and_budget_year(
    lang: str, head: str, row: str
) -> None:
    out = render_html(result(), lang).replace(NBSP, " ")
    assert head in out
    assert row in out


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("en", ["  By budget year and payer:", "    2027: kommun SEK 121,380",
                "    2029: kommun SEK 1,638,630", "    2030: kommun SEK 1,002,841.56"]),
        ("sv", ["  Per budgetår och betalare:", "    2027: kommun 121 380 kr",
                "    2029: kommun 1 638 630 kr", "    2030: kommun 1 002 841,56 kr"]),
    ],
)  # fmt: skip
def test_the_text_gives_the_payments_by_budget_year_and_payer(lang: str, lines: list[str]) -> None:
    out = render_text(result(), lang).replace(NBSP, " ")
    payments = out.splitlines()
    for line in lines:
        assert line in payments


def test_budget_years_are_listed_in_order_whatever_the_order_of_the_payments() -> None:
    # payers with April and January budget years: the payments come "2027/28" first
    r = result()
    payments = r["settlement"]["payments"]
    payments[0] = {**payments[0], "payer": "region", "budget_year": "2027/28"}
    payments.reverse()
    lines = [x.strip() for x in render_text(r, "en").splitlines()]
    years = [x.split(":")[0] for x in lines if re.match(r"^20\d\d(/\d\d)?: ", x)]
    assert years == sorted(years) and "2027/28" in years


# ------------------------------------------- what a payment per outcome can give away


@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("sv", ["För kohorterna vars siffror är undertryckta (k1) är en betalning per utfall",
            "För kohorterna vars medelvärden döljs eftersom deras händelser skulle peka ut "
            "personer (k2) är en betalning per utfall"],
     "små kohorter"),
    ("en", ["For the cohorts whose figures are suppressed (k1), a payment per outcome",
            "For the cohorts whose means are hidden because their events would single "
            "persons out (k2), a payment per outcome"],
     "small cohorts"),
])  # fmt: skip
@pytest.mark.parametrize("kind", ["text", "html"])
def test_the_payments_warning_names_why_each_cohort_is_hidden(
    kind: str, lang: str, said: list[str], not_said: str
) -> None:
    # k2 has 40 treated: hidden because its events single a person out, not for being small
    rows = [{"cohort": c, "n_treated": 40, "treated": None, "counterfactual": None,
             "difference": None} for c in ("k1", "k2")]  # fmt: skip
    measurements = {"kind": "count", "method": "rct", "threshold": 5, "rows": rows,
                    "suppressed_cohorts": 2, "events_suppressed_cohorts": ["k2"],
                    "pooled_counterfactual_suppressed": False}  # fmt: skip
    publication = {**BASE["publication"], "cohorts_paid_per_outcome": ["k1", "k2"]}
    out = renderings(result(publication=publication, measurements=measurements), lang)[kind]
    out = out.replace("&#x27;", "'")
    for sentence in said:
        assert sentence in out
    assert not_said not in out
    assert out.count("Betalningarna publiceras i sin helhet" if lang == "sv" else
                     "The payments are published in full") == 1  # fmt: skip


# ------------------------------------------------ each hidden figure, its own reason


@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("sv", ["Den ojusterade skillnaden före matchning visas inte (–): den beräknas på "
            "personerna bakom medelvärdena över alla kohorter",
            "Som jämförelse, endast de som deltog: visas inte. Dess siffror beräknas på "
            "personerna med insats bakom medelvärdena över alla kohorter"],
     ["även de med insats som lämnades utanför", "hur många med insats som deltog eller"]),
    ("en", ["The unadjusted difference before matching is not shown (–): it is computed over "
            "the persons behind the means over all cohorts",
            "For comparison, only those who engaged: not shown. Its figures are computed over "
            "the treated behind the means over all cohorts"],
     ["the treated left out and the comparison persons not matched included",
      "how many of the treated did or did not engage"]),
])  # fmt: skip
@pytest.mark.parametrize("kind", ["text", "html"])
def test_figures_hidden_with_the_pooled_means_say_so_not_a_reason_of_their_own(
    kind: str, lang: str, said: list[str], not_said: list[str]
) -> None:
    table = copy.deepcopy(BASE["published"])
    table["group_totals"]["treated"]["cells"] = [None, None]  # the pooled means hidden
    publication = {**BASE["publication"], "pooled": False, "naive": False,
                   "other_populations": False}  # fmt: skip
    r = result(publication=publication, published=table)
    out = renderings(r, lang)[kind].replace("&#x27;", "'")
    for sentence in said:
        assert sentence in out
    for sentence in not_said:
        assert sentence not in out
    hidden = report_data(r)["hidden_because"]
    assert hidden == {"naive": "pooled", "other_populations": "pooled"}


@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("sv", "Ett antal som visas med – här eller bland dem med insats som lämnades utanför",
     "Antalet lästa rader visas inte"),
    ("en", "A count shown with – here or among the treated left out is not published",
     "The number of rows read is not shown"),
])  # fmt: skip
@pytest.mark.parametrize("kind", ["text", "html"])
def test_rows_read_hidden_by_the_quality_check_are_not_blamed_on_a_small_part(
    kind: str, lang: str, said: str, not_said: str
) -> None:
    # every part of the rows read is 0 or 5 or more; the data-quality check hid them
    publication = {**BASE["publication"], "rows_read": False, "quality_hidden": ["rows_read"]}
    r = result(publication=publication)
    out = renderings(r, lang)[kind].replace("&#x27;", "'")
    assert said in out
    assert not_said not in out
    assert report_data(r)["hidden_because"] == {"rows_read": "quality"}


def test_rows_read_hidden_for_a_small_part_say_so() -> None:
    r = result(publication={**BASE["publication"], "rows_read": False})
    assert "The number of rows read is not shown" in render_text(r, "en")
    assert report_data(r)["hidden_because"] == {"rows_read": "parts"}
