"""effekt diff --effect: what an amendment does to each party's business case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from small_contracts import example_with

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.services.amendment import amendment_effect
from effekt.services.business_case import business_case_json

HEMMA = Path(__file__).parents[2] / "examples" / "hemmasittare.toml"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_the_effect_of_a_higher_price_is_models_figures_before_and_after(
    tmp_path: Path,
) -> None:
    path = example_with(tmp_path, "price = 450_000 ", "price = 480_000 ")
    effect = amendment_effect(load_contract(HEMMA), load_contract(path))
    before, after = (
        business_case_json(load_contract(HEMMA)),
        business_case_json(load_contract(path)),
    )
    kommun = effect["parties"]["kommun"]["npv"]
    assert kommun["before"] == before["parties"]["kommun"]["npv"]
    assert kommun["after"] == after["parties"]["kommun"]["npv"]
    assert kommun["change"] == pytest.approx(kommun["after"] - kommun["before"])
    paid = effect["totals"]["outcome_payments"]
    assert paid["change"] > 0
    assert paid["after"] == after["totals"]["outcome_payments"]
    assert "irr" in effect["parties"]["fond"] and "irr" not in effect["parties"]["kommun"]


def test_diff_with_effect_prints_the_table_in_swedish(tmp_path: Path) -> None:
    path = example_with(tmp_path, "price = 450_000 ", "price = 480_000 ")
    res = run("diff", str(HEMMA), str(path), "--effect", "--lang", "sv")
    assert res.exit_code == 1, res.output
    assert "ändrat   rules[skolnarvaro].price: 450000 → 480000" in res.output
    assert "Effekt på affärskalkylen" in res.output
    line = next(x for x in res.output.splitlines() if x.startswith("kommun "))
    assert "−6\u00a0873\u00a0840\u00a0kr" in line  # the NPV before, as model shows it
    assert (
        "betalningar enligt reglerna (aktivitetsarvoden inräknade): 9\u00a0752\u00a0398\u00a0kr → "
        in (res.output)
    )


def test_diff_json_with_effect_holds_the_changes_and_the_effect(tmp_path: Path) -> None:
    path = example_with(tmp_path, "price = 450_000 ", "price = 480_000 ")
    res = run("diff", str(HEMMA), str(path), "--effect", "--json")
    data = json.loads(res.output)
    assert [c["path"] for c in data["changes"]] == ["rules[skolnarvaro].price"]
    assert set(data["effect"]) == {"currency", "parties", "totals"}
    assert data["effect"]["parties"]["fond"]["irr"]["after"] is not None


def test_diff_json_without_effect_is_still_the_list_of_changes(tmp_path: Path) -> None:
    path = example_with(tmp_path, "price = 450_000 ", "price = 480_000 ")
    data = json.loads(run("diff", str(HEMMA), str(path), "--json").output)
    assert isinstance(data, list) and data[0]["kind"] == "changed"


def test_a_party_added_by_the_amendment_has_nothing_before(tmp_path: Path) -> None:
    path = example_with(
        tmp_path,
        "[population]",
        '[[parties]]\nid = "radgivare"\nrole = "intermediary"\n\n[population]',
    )
    effect = amendment_effect(load_contract(HEMMA), load_contract(path))
    assert effect["parties"]["radgivare"]["npv"] == {"before": None, "after": 0.0, "change": None}


def test_an_invalid_new_version_shows_its_problems_not_an_effect(tmp_path: Path) -> None:
    path = example_with(tmp_path, "price = 450_000 ", "price = -5 ")
    res = run("diff", str(HEMMA), str(path), "--effect", "--lang", "en")
    assert res.exit_code == 2  # 1 would say the versions differ
    assert "rules[0].price" in res.output
    assert "Effect on the business case" not in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    ("name", "text"),
    [("data.csv", "id,x\n1,2\n"), ("broken.toml", "id = \n"), ("empty.json", "")],
)
def test_a_version_diff_cannot_read_exits_2_not_1_which_says_they_differ(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    for args in ((str(HEMMA), str(path)), (str(path), str(HEMMA), "--json")):
        res = run("diff", *args)
        assert res.exit_code == 2, res.output
        assert name in res.output and "Traceback" not in res.output
    assert run("diff", str(HEMMA), str(HEMMA)).exit_code == 0


def test_diff_refuses_a_contract_against_a_portfolio_with_exit_2(tmp_path: Path) -> None:
    # before: every term of the one listed as removed and the fund's as added, exit 1
    fund = tmp_path / "fond.toml"
    fund.write_text(
        f'format_version = 1\nkind = "portfolio"\nid = "fonden"\n\n[[contracts]]\n'
        f'path = "{HEMMA.as_posix()}"\nid = "hemma"\n',
        encoding="utf-8",
    )
    res = run("diff", str(HEMMA), str(fund), "--lang", "sv")
    assert res.exit_code == 2, res.output
    assert "borttaget" not in res.output
    assert f"{fund} är en portfölj och {HEMMA} ett kontrakt" in res.output
    res = run("diff", str(fund), str(HEMMA), "--json", "--lang", "en")
    assert res.exit_code == 2, res.output
    assert f"{fund} is a portfolio and {HEMMA} a contract" in res.output
    assert run("diff", str(fund), str(fund)).exit_code == 0  # two versions of a fund


def test_a_change_of_currency_shows_each_amount_in_its_own_and_no_money_difference() -> None:
    # before: "9 752 398 GBP → 5 200 000 GBP (−4 552 398 GBP)", the SEK labelled GBP
    pboro = HEMMA.parent / "peterborough.toml"
    effect = amendment_effect(load_contract(HEMMA), load_contract(pboro))
    assert effect["totals"]["outcome_payments"]["change"] is None
    assert effect["parties"]["kommun"]["npv"]["change"] is None
    res = run("diff", str(HEMMA), str(pboro), "--effect", "--lang", "sv")
    assert res.exit_code == 1, res.output
    text = res.output.replace("\u00a0", " ")
    assert "9 752 398 kr → 5 200 000 GBP (—)" in text
    assert "9 752 398 GBP" not in text
