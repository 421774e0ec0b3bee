"""The förstudie: each checklist item's status from the contract, the verdict and its reasons."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from html_checks import fetched
from small_contracts import avoided_cost, checked, valued_contract_text

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.services.forstudie import feasibility_json

EXAMPLES = Path(__file__).parents[2] / "examples"

# 2,000 referred; each outcome avoids ten SiS treatment-day fees a year for two years
BASE = valued_contract_text(
    avoided_cost("se_sis_avgift_behandling_oppen_2020h2", 10, 2),
    size=2000,
    per_participant=500,
    opening_balance=1_000_000,
    definition="in treatment less often",
    data_source="social services register",
    baseline=0.2,
    payment_lag=1,
    price_year=2020,
    horizon=4,
    rate=0.035,
)


def study(text: str = BASE, lang: str = "en", **swap: str) -> dict[str, Any]:
    for old, new in swap.items():
        assert old in text, old  # the test changes what it means to change
        text = text.replace(old, new)
    return feasibility_json(checked(text), None, lang)


def item(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(i for i in data["checklist"] if i["item"] == key)


def test_a_large_cohort_with_a_matched_comparison_and_cashable_savings_has_only_conditions() -> (
    None
):
    data = study()
    assert item(data, "measurable_outcome")["status"] == "met"
    assert item(data, "counterfactual")["status"] == "met"
    assert item(data, "cashable_savings")["status"] == "met"
    assert item(data, "provider_capacity")["status"] == "met"
    # evidence and data access always need work before procurement
    assert item(data, "evidence")["status"] == "partly"
    assert item(data, "data_access")["status"] == "partly"
    assert data["verdict"] == "suitable_with_conditions"
    assert len(data["verdict_reasons"]) == 2


def test_no_counterfactual_is_not_met_and_the_contract_is_not_yet_suitable() -> None:
    data = study(
        **{
            'counterfactual = "matched_comparison"': 'counterfactual = "none"',
            "baseline = 0.2\n": "",
            "above_baseline = true": "above_baseline = false",
        }
    )
    assert item(data, "counterfactual")["status"] == "not_met"
    assert data["verdict"] == "not_yet_suitable"
    assert any("“m” has no counterfactual" in r for r in data["verdict_reasons"])


def test_a_historical_baseline_is_partly_met_with_the_reason() -> None:
    data = study(**{'"matched_comparison"': '"historical_baseline"'})
    cf = item(data, "counterfactual")
    assert cf["status"] == "partly"
    assert "historical baseline" in cf["reasons"][0]


def test_an_outcome_without_a_data_source_is_not_measurable() -> None:
    data = study(**{'data_source = "social services register"\n': ""})
    assert item(data, "measurable_outcome")["status"] == "not_met"
    assert data["verdict"] == "not_yet_suitable"


def test_an_expected_effect_below_the_mde_at_this_cohort_size_is_not_measurable() -> None:
    # 40 referred, 0.25 against 0.20: the smallest detectable difference at n = 40 (1:1) is
    # about 27 percentage points, far above the expected 5
    data = study(**{"size = 2000": "size = 40", "expected = 0.5": "expected = 0.25"})
    row = data["power"][0]
    assert row["expected_effect"] == pytest.approx(0.05) and row["mde"] > 0.25
    assert not row["effect_detectable"]
    assert item(data, "measurable_outcome")["status"] == "not_met"
    assert data["verdict"] == "not_yet_suitable"
    assert "payments would depend on chance" in data["verdict_reasons"][0]


def test_savings_that_only_free_capacity_are_not_cashable() -> None:
    data = study(
        **{
            "se_sis_avgift_behandling_oppen_2020h2": "se_grundskola_elev_ar",
            "quantity = 10": "quantity = 1",
        }
    )
    assert not data["value"]["cashable_share"]
    assert item(data, "cashable_savings")["status"] == "not_met"


def test_a_price_above_the_public_saving_per_outcome_is_flagged() -> None:
    data = study(**{"price = 1_000": "price = 100_000"})
    price = data["prices"][0]
    # one outcome saves 10 × 3,528 a year for two years, at 3.5 %: 66,996.9
    limit = 35_280 * (1 / 1.035 + 1 / 1.035**2)
    assert price["max_public_price"] == pytest.approx(limit, abs=0.01)
    assert price["above_savings"] is True
    assert item(data, "cashable_savings")["status"] == "partly"


def test_a_rate_card_on_every_outcome_pays_more_per_outcome_gained() -> None:
    # paying 1,000 for each of 0.5 outcomes per person when 0.2 would come anyway is
    # 1,000 × 0.5 / 0.3 per outcome gained
    data = study(**{"above_baseline = true": "above_baseline = false"})
    assert data["prices"][0]["price_per_outcome_gained"] == pytest.approx(
        1_000 * 0.5 / 0.3, abs=0.01
    )


def test_a_provider_without_cash_for_its_peak_need_is_partly_capable() -> None:
    data = study(**{"opening_balance = 1_000_000": "opening_balance = 0"})
    assert item(data, "provider_capacity")["status"] == "partly"


def test_the_providers_peak_cash_need_is_in_whole_kronor_as_every_other_amount() -> None:
    data = study(
        lang="sv",
        **{
            "opening_balance = 1_000_000": "opening_balance = 0",
            "per_participant = 500": "per_participant = 500.3331",
        },
    )
    (reason,) = item(data, "provider_capacity")["reasons"]
    assert reason.endswith("(250\xa0167\xa0kr)."), reason  # not 250 166,55 kr


def test_an_outcome_that_mostly_comes_anyway_leads_the_verdict_with_the_pre_post_warning() -> None:
    data = study(**{"baseline = 0.2": "baseline = 0.4"})
    assert item(data, "counterfactual")["status"] == "partly"
    assert any("pre/post" in r and "m 80" in r for r in data["verdict_reasons"])


@pytest.mark.parametrize(
    ("lang", "trials", "usual_care", "pre_post"),
    [
        ("en", "Back2School", "usual care", "pre/post measurement would pay for change"),
        ("sv", "Back2School", "sedvanligt stöd", "före/efter-mätning skulle betala för förändring"),
    ],
)
def test_hemmasittare_verdict_warns_that_attendance_rises_without_the_programme(
    lang: str, trials: str, usual_care: str, pre_post: str
) -> None:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    data = feasibility_json(c, EXAMPLES, lang)
    assert data["verdict"] == "not_yet_suitable"
    reasons = data["verdict_reasons"]
    # first: the expected effect over the counterfactual is below what 120 pupils can detect
    assert "16,1" in reasons[0] or "16.1" in reasons[0]
    assert "17,7" in reasons[0] or "17.7" in reasons[0]
    # then: attendance rises almost as much under usual care (Back2School, Reissner)
    assert trials in reasons[1] and "Reissner" in reasons[1] and usual_care in reasons[1]
    assert pre_post in reasons[1]


@pytest.mark.parametrize(("lang", "heading"), [("en", "Verdict"), ("sv", "Bedömning")])
def test_feasibility_command_prints_the_verdict_followed_by_its_reasons(
    lang: str, heading: str
) -> None:
    res = CliRunner().invoke(
        main, ["feasibility", str(EXAMPLES / "hemmasittare.toml"), "--lang", lang]
    )
    assert res.exit_code == 0, res.output
    after = res.output.split(heading + "\n", 1)[1].splitlines()
    assert len(after) >= 3 and after[1].startswith("  - ")
    assert "Back2School" in after[2]


def test_feasibility_html_in_swedish_is_one_self_contained_page(tmp_path: Path) -> None:
    out = tmp_path / "forstudie.html"
    res = CliRunner().invoke(
        main,
        ["feasibility", str(EXAMPLES / "hemmasittare.toml"), "--html", str(out), "--lang", "sv"],
    )
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="sv">' in page and "Bedömning" in page and "Ännu inte lämpligt" in page
    assert "sedvanligt stöd" in page
    assert "<link" not in page and "<script" not in page and not fetched(page)


@pytest.mark.parametrize(
    ("lang", "saves", "pays"), [("en", "saves", "pays"), ("sv", "sparar", "betalar")]
)
def test_feasibility_shows_the_wrong_pocket_matrix_by_year_and_the_payer_share_proposal(
    lang: str, saves: str, pays: str
) -> None:
    res = CliRunner().invoke(
        main, ["feasibility", str(EXAMPLES / "hemmasittare.toml"), "--lang", lang]
    )
    assert res.exit_code == 0, res.output
    head = next(line for line in res.output.splitlines() if "2027" in line and "2036" in line)
    assert head.split()[0] == "2027"
    matrix = res.output.split(head, 1)[1]
    fk = next(line for line in matrix.splitlines() if "Försäkringskassan" in line)
    assert saves in fk and "[" not in fk  # saves without being a party: the wrong pocket
    assert any(line.strip().startswith(pays) for line in res.output.splitlines())
    # its share of the payer-share proposal, by name (en: "… (Försäkringskassan) 12.0 %")
    proposal = next(
        line
        for line in res.output.splitlines()
        if "samfinansiering" in line or "co-commissioning" in line
    )
    assert re.search(r"Försäkringskassan\)? 12\xa0%", proposal), proposal


# --- the evidence behind the intervention -----------------------------------------------

TRIAL = """
[[evidence]]
citation = "A trial (2020)"
design = "rct"
n = 400
metric = "m"
effect_measure = "absolute_difference"
effect = 0.35
ci_low = 0.25
ci_high = 0.45
"""


def test_without_recorded_studies_the_evidence_item_is_partly_met_and_asks_for_them() -> None:
    ev = item(study(), "evidence")
    assert ev["status"] == "partly"
    assert ev["reasons"] == [
        "The contract records no studies behind the intervention ([[evidence]]): document the "
        "trials behind it — their design, size and effect on the paid outcomes — so that the "
        "expected effect and the price can be checked against them."
    ]


def test_a_trial_showing_more_than_the_expected_effect_meets_the_evidence_item() -> None:
    data = study(BASE + TRIAL)
    ev = item(data, "evidence")
    assert ev["status"] == "met"
    assert ev["reasons"][0] == (
        "Controlled studies show an effect, and none shows less than the contract expects."
    )
    assert "+35.0 percentage points at the contract's baseline of 20\u00a0%" in ev["reasons"][1]
    assert data["verdict"] == "suitable_with_conditions" and len(data["verdict_reasons"]) == 1


def test_expecting_more_than_a_trials_upper_bound_fails_the_evidence_item() -> None:
    data = study(
        BASE + TRIAL.replace("0.35", "0.10").replace("0.25", "0.05").replace("0.45", "0.15")
    )
    ev = item(data, "evidence")
    assert ev["status"] == "not_met" and data["verdict"] == "not_yet_suitable"
    assert "the price would pay for an effect the evidence does not show" in ev["reasons"][1]
    comparison = data["evidence"]["studies"][0]["comparison"]
    assert comparison["expects_more_than_upper"] is True
    assert comparison["expected_gain"] == pytest.approx(0.3)


def test_only_a_pre_post_study_says_that_pre_post_change_is_not_an_effect() -> None:
    data = study(BASE + TRIAL.replace('design = "rct"', 'design = "pre_post"'), lang="sv")
    ev = item(data, "evidence")
    assert ev["status"] == "partly"
    assert "en före/efter-förändring är inte en effekt" in ev["reasons"][0]
    assert "A trial (2020) (före/efter-studie, n = 400)" in ev["reasons"][-1]


def test_a_larger_comparison_group_lowers_the_mde_in_the_forstudie() -> None:
    small = {"size = 2000": "size = 100"}
    one = study(**small)["power"][0]
    three = study(**small, **{"baseline = 0.2": "baseline = 0.2\ncomparison_ratio = 3"})
    assert three["power"][0]["mde"] < one["mde"]


@pytest.mark.parametrize(
    ("lang", "lead", "reissner", "b2s", "pre_post"),
    [
        (
            "en",
            "The controlled studies do not show the effect the contract expects",
            "Reissner et al. (2015), Dtsch Arztebl Int (randomised controlled trial, n = 112) "
            "on “Tillbaka i skolan”: +1.1 percentage points at the contract's baseline of 33 % "
            "(95 % CI -10.8 to +15.3), against the +12.0 percentage points the contract "
            "expects. The interval includes zero: the study cannot tell its effect from no "
            "effect. The contract expects more than the study's point estimate.",
            "found no significant difference in “Tillbaka i skolan”",
            "These show change, not an effect.",
        ),
        (
            "sv",
            "De kontrollerade studierna visar inte den effekt som kontraktet förväntar sig",
            "Reissner et al. (2015), Dtsch Arztebl Int (randomiserad kontrollerad studie, "
            "n = 112) om ”Tillbaka i skolan”: +1,1 procentenheter vid kontraktets jämförelsenivå "
            "33 % (95 % KI −10,8 till +15,3), mot de +12,0 procentenheter som kontraktet "
            "förväntar sig. Intervallet innefattar noll: studien kan inte skilja sin effekt "
            "från ingen effekt alls. Kontraktet förväntar sig mer än studiens punktskattning.",
            "fann ingen signifikant skillnad i ”Tillbaka i skolan”",
            "Dessa visar förändring, inte effekt.",
        ),
    ],
)
def test_hemmasittare_evidence_does_not_show_the_effect_the_contract_expects(
    lang: str, lead: str, reissner: str, b2s: str, pre_post: str
) -> None:
    data = feasibility_json(load_contract(EXAMPLES / "hemmasittare.toml"), EXAMPLES, lang)
    ev = item(data, "evidence")
    assert ev["status"] == "partly"
    assert ev["reasons"][0].startswith(lead)
    assert ev["reasons"][1] == reissner.replace(" %", "\u00a0%")
    assert b2s in ev["reasons"][2] and "Johnsen et al. (2024)" in ev["reasons"][2]
    assert ev["reasons"][-1].endswith(pre_post) and "Strömbeck" in ev["reasons"][-1]
    assert any(lead in r for r in data["verdict_reasons"])  # the verdict says it too


def test_hemmasittare_json_carries_each_studys_comparison() -> None:
    data = feasibility_json(load_contract(EXAMPLES / "hemmasittare.toml"), EXAMPLES, "en")
    ev = data["evidence"]
    assert (ev["status"], ev["reason"]) == ("partly", "no_effect")
    reissner = ev["studies"][0]
    assert (reissner["design"], reissner["controlled"], reissner["shows"]) == (
        "rct",
        True,
        "no_effect",
    )
    assert reissner["comparison"] == {
        "baseline": 0.33,
        "expected_gain": 0.12,
        "gain": 0.010876,
        "gain_ci_low": -0.107804,
        "gain_ci_high": 0.153423,
        "includes_no_effect": True,
        "expects_more_than_point": True,
        "expects_more_than_upper": False,
    }
    b2s = ev["studies"][1]
    assert b2s["shows"] == "no_effect" and b2s["comparison"] is None
    assert b2s["not_compared"] == "no_estimate"
    assert [s["controlled"] for s in ev["studies"]] == [True, True, True, False, False, False]


def test_a_review_finding_an_effect_without_numbers_asks_for_its_interval() -> None:
    review = """
[[evidence]]
citation = "A review (2018)"
design = "systematic_review"
metric = "m"
finding = "effect"
"""
    ev = item(study(BASE + review, lang="sv"), "evidence")
    assert ev["status"] == "partly"
    assert ev["reasons"] == [
        "Ingen kontrollerad studie redovisar en effekt med dess konfidensintervall: redovisa "
        "en för det betalda utfallet, så att den förväntade effekten och priset kan prövas "
        "mot den.",
        "A review (2018) (systematisk översikt) fann en signifikant effekt på ”m”; "
        "effektens storlek är inte redovisad.",
    ]


def test_the_study_names_metrics_by_their_name_not_their_id() -> None:
    from click.testing import CliRunner

    from effekt.cli import main

    hem = Path(__file__).resolve().parents[2] / "examples" / "hemmasittare.toml"
    out = CliRunner().invoke(main, ["feasibility", str(hem), "--lang", "sv"]).output
    assert "”Tillbaka i skolan”" in out and "Behörig till gymnasiet" in out
    assert "”back_in_school”" not in out and "”gymnasiebehorighet”" not in out


def test_a_contract_without_avoided_costs_is_told_to_value_them_not_that_none_is_cashable() -> None:
    data = study(**{'data_source = "social services register"\n': ""})
    without = valued_contract_text(data_source="register")  # no avoided_costs line at all
    data = feasibility_json(checked(without), None, "en")
    cashable = item(data, "cashable_savings")
    assert cashable["status"] == "not_met"
    [reason] = cashable["reasons"]
    assert reason.startswith("The contract values no avoided public costs")
    assert "per outcome gained, more than" not in reason  # no saving of SEK 0 to compare with


def test_a_paid_outcome_without_a_data_source_is_named_under_data_access() -> None:
    data = study(**{'data_source = "social services register"\n': ""})
    [reason] = item(data, "data_access")["reasons"]
    assert reason.endswith("no data source named yet for m.")
