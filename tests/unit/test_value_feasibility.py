"""effekt value and effekt feasibility: the wrong-pocket matrix, shares, prices, verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from html_checks import fetched
from small_contracts import avoided_cost, checked, example_with, valued_contract_text

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.data.reference import unit_costs
from effekt.services.forstudie import feasibility_json
from effekt.services.value import value_json

EXAMPLES = Path(__file__).parents[2] / "examples"


def small(rate: float = 0.0) -> str:
    """One school year avoided for two years per outcome, against a historical baseline;
    ``rate`` is both the kommun's own discount rate (a party's rate wins over the
    valuation's) and the valuation's."""
    return valued_contract_text(
        avoided_cost("se_grundskola_elev_ar", 1, 2),
        counterfactual="historical_baseline",
        kommun_rate=rate,
        rate=rate,
    )


def test_savings_match_the_hand_computation_for_one_metric_and_one_cost_row() -> None:
    row = unit_costs("se")["se_grundskola_elev_ar"]
    assert row.actor == "kommun" and row.price_year == "2018"
    data = value_json(checked(small()))
    # 100 referred, gain 0.5 − 0.3 = 0.2 → 20 outcomes in year 1 (lag 0); each avoids one
    # school year for 2 years, in 2018 prices (the row's own year): 20 × amount in 2027 and 2028
    k = data["actors"]["kommun"]["savings"]["by_year"]
    assert k == pytest.approx([20 * row.amount, 20 * row.amount, 0.0])
    # the kommun pays 1,000 per outcome above the baseline: 20 × 1,000 in year 1 (2027),
    # deflated to 2018 prices with the KPI (2025: 417.98, then 2 % a year)
    to_2018 = 328.40 / (417.98 * 1.02**2)
    assert data["actors"]["kommun"]["costs"]["by_year"] == pytest.approx(
        [20_000 * to_2018, 0, 0], abs=0.01
    )
    assert data["commissioner_share"] == pytest.approx(1.0)
    assert data["payer_share_proposal"] == {"kommun": 1.0}
    assert data["max_price_per_outcome"]["m"]["kommun"] == pytest.approx(2 * row.amount)
    assert data["break_even_year"] == 2027


def test_discounting_lowers_the_discounted_savings_by_the_hand_factor() -> None:
    row = unit_costs("se")["se_grundskola_elev_ar"]
    data = value_json(checked(small(0.035)))
    disc = data["actors"]["kommun"]["savings"]["by_year_discounted"]
    assert disc[0] == pytest.approx(20 * row.amount / 1.035)
    assert disc[1] == pytest.approx(20 * row.amount / 1.035**2)


def test_hemmasittare_shows_the_wrong_pocket_and_a_payer_share_proposal_in_both_languages() -> None:
    runner = CliRunner()
    texts = {}
    for lang in ("sv", "en"):
        res = runner.invoke(main, ["value", str(EXAMPLES / "hemmasittare.toml"), "--lang", lang])
        assert res.exit_code == 0, res.output
        texts[lang] = res.output
        data = json.loads(
            runner.invoke(main, ["value", str(EXAMPLES / "hemmasittare.toml"), "--json"]).output
        )
        proposal = data["payer_share_proposal"]
        assert sum(proposal.values()) == pytest.approx(1.0)
        assert "forsakringskassan" in proposal  # saves without being a party: the wrong pocket
        assert "forsakringskassan" in data["non_party_actors"]
        assert {
            "actors",
            "commissioner_share",
            "payer_share_proposal",
            "max_price_per_outcome",
        } <= data.keys()
        kommun = data["actors"]["kommun"]
        assert {"savings", "costs", "net"} <= kommun.keys()
        assert kommun["net"]["total"] == pytest.approx(
            kommun["savings"]["total"] - kommun["costs"]["total"]
        )
    assert "Vem betalar, vem sparar" in texts["sv"] and "Who pays, who saves" in texts["en"]
    assert "bör bjudas in" in texts["sv"]


def test_the_forstudie_verdict_reflects_that_attendance_rises_without_the_programme() -> None:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    for lang in ("sv", "en"):
        data = feasibility_json(c, EXAMPLES, lang)
        assert data["verdict"] in ("suitable_with_conditions", "not_yet_suitable")
        reasons = " ".join(data["verdict_reasons"])
        assert ("Back2School" in reasons) and ("Reissner" in reasons)
        counterfactual = next(i for i in data["checklist"] if i["item"] == "counterfactual")
        assert counterfactual["status"] != "met"
    res = CliRunner().invoke(
        main, ["feasibility", str(EXAMPLES / "hemmasittare.toml"), "--lang", "sv"]
    )
    assert res.exit_code == 0 and "Bedömning" in res.output and "sedvanligt stöd" in res.output


def test_feasibility_writes_a_self_contained_html_page(tmp_path: Path) -> None:
    out = tmp_path / "forstudie.html"
    res = CliRunner().invoke(
        main,
        ["feasibility", str(EXAMPLES / "hemmasittare.toml"), "--html", str(out), "--lang", "en"],
    )
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "Verdict" in page
    assert "<script" not in page and not fetched(page)  # sources are named, nothing is loaded


def test_a_contract_with_no_counterfactual_is_not_yet_suitable() -> None:
    text = (
        small()
        .replace('counterfactual = "historical_baseline"', 'counterfactual = "none"')
        .replace("above_baseline = true", "above_baseline = false")
    )
    assert feasibility_json(checked(text))["verdict"] == "not_yet_suitable"


def test_the_problem_cost_is_discounted_at_the_contracts_own_rate_and_says_so() -> None:
    from effekt.contract.model import Discounting, DiscountStep

    base = load_contract(EXAMPLES / "hemmasittare.toml")
    assert base.valuation is not None

    def at(d: Discounting):
        c = base.model_copy(
            update={"valuation": base.valuation.model_copy(update={"discounting": d})}
        )
        return feasibility_json(c, EXAMPLES, "sv")["problem_cost"]

    at_35 = at(Discounting(rate=0.035))
    at_zero = at(Discounting(rate=0.0))
    assert at_35["discount_rate"] == 0.035 and at_35["discount_schedule"] is None
    assert at_zero["society_discounted"] == at_zero["society_undiscounted"]
    assert at_35["society_discounted"] < at_zero["society_discounted"]
    steps = [DiscountStep(from_year=0, rate=0.035), DiscountStep(from_year=30, rate=0.03)]
    stepped = at(Discounting(kind="declining", schedule=steps))
    assert stepped["discount_schedule"] == [[1, 0.035], [31, 0.03]]
    # a lower rate from year 31 on: worth more than the constant 3.5 % and less than nothing
    assert (
        at_35["society_discounted"] < stepped["society_discounted"] < at_zero["society_discounted"]
    )


def test_the_feasibility_text_names_the_discount_rate_it_used() -> None:
    runner = CliRunner()
    sv = runner.invoke(main, ["feasibility", str(EXAMPLES / "hemmasittare.toml"), "--lang", "sv"])
    en = runner.invoke(main, ["feasibility", str(EXAMPLES / "hemmasittare.toml"), "--lang", "en"])
    assert sv.exit_code == 0 and en.exit_code == 0
    assert "diskonterat med 3,5\u00a0%" in sv.output  # Swedish: a no-break space before %
    assert "discounted at 3.5\u00a0%" in en.output


def test_the_value_title_names_the_contract_by_its_name_and_id_like_the_forstudie(
    tmp_path: Path,
) -> None:
    path = EXAMPLES / "peterborough.toml"
    text = CliRunner().invoke(main, ["value", str(path)]).output
    title = "Who pays, who saves: HMP Peterborough Social Impact Bond (uk-peterborough)"
    assert text.splitlines()[0].startswith(title + " (GBP")
    sv = CliRunner().invoke(main, ["value", str(path), "--lang", "sv"]).output
    assert sv.startswith("Vem betalar, vem sparar: HMP Peterborough Social Impact Bond (uk-")
    nameless = tmp_path / "nameless.toml"
    nameless.write_text(
        path.read_text().replace('name = "HMP Peterborough Social Impact Bond"\n', "", 1)
    )
    text = CliRunner().invoke(main, ["value", str(nameless)]).output
    assert text.startswith("Who pays, who saves: uk-peterborough (GBP"), text[:200]


def test_a_contract_with_no_valued_avoided_costs_says_so_instead_of_zero() -> None:
    data = value_json(checked(valued_contract_text()))
    assert data["max_price_per_outcome"] == {"m": None}, "not valued is null, not 0"
    assert data["benefit_cost_ratio"] is None
    study = feasibility_json(checked(valued_contract_text()))
    assert study["value"]["max_price_per_outcome"] == {"m": None}
    assert all(p["max_public_price"] is None for p in study["prices"])
    path = EXAMPLES / "norrkoping.toml"
    en = CliRunner().invoke(main, ["value", str(path)]).output
    sv = CliRunner().invoke(main, ["value", str(path), "--lang", "sv"]).output
    assert "SEK 0 for the public sector" not in en and "0.00" not in en
    assert "“Minskade placeringskostnader”: not valued" in en
    assert "add [[metrics.avoided_costs]]" in en
    assert "Benefit–cost ratio (public sector, discounted): not valued" in en
    assert "0 kr för den offentliga sektorn" not in sv and "0,00" not in sv
    assert "”Minskade placeringskostnader”: inte värderat" in sv
    assert "Nyttokostnadskvot (offentlig sektor, diskonterat): inte värderad" in sv
    data = json.loads(CliRunner().invoke(main, ["value", str(path), "--json"]).output)
    assert set(data["max_price_per_outcome"].values()) == {None}
    assert data["benefit_cost_ratio"] is None


def test_the_forstudie_says_which_paid_metric_is_not_valued_rather_than_pricing_it_at_0(
    tmp_path: Path,
) -> None:
    row = 'unit_cost = "se_aktivitetsersattning_hel_ar_low_derived"'
    path = example_with(tmp_path, f"[[metrics.avoided_costs]]\n{row}", f"# {row}")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("quantity = 0.1 ", "# quantity = 0.1 ", 1), encoding="utf-8")
    path.write_text(
        path.read_text(encoding="utf-8").replace("years = 5\nstart_year = 4\n", "", 1),
        encoding="utf-8",
    )
    data = feasibility_json(load_contract(path))
    assert data["value"]["max_price_per_outcome"]["gymnasiebehorighet"] is None
    assert data["value"]["max_price_per_outcome"]["back_in_school"] is not None
    [price] = [p for p in data["prices"] if p["rule"] == "behorighet"]
    assert price["max_public_price"] is None and price["above_savings"] is None
    [cashable] = [i for i in data["checklist"] if i["item"] == "cashable_savings"]
    reasons = " ".join(cashable["reasons"])
    assert "“Behörig till gymnasiet”: not valued" in reasons
    assert "Rule “behorighet” pays" not in reasons
