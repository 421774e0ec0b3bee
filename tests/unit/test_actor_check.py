"""A party's actor: a name the valuation cannot use is an error, in check and in value alike,
and a payer that names none is pointed out where its payments go missing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from small_contracts import example_with

from effekt.cli import main
from effekt.contract.load import read_document
from effekt.services.contract_check import check_contract

HEMMA = Path(__file__).parents[2] / "examples" / "hemmasittare.toml"
KOMMUN = 'actor = "kommun"'


def test_a_misspelt_actor_is_an_error_at_its_field_with_the_closest_actor(tmp_path: Path) -> None:
    path = example_with(tmp_path, KOMMUN, 'actor = "komun"')
    contract, problems = check_contract(read_document(path))
    [p] = [p for p in problems if p.code == "contract.unknown_actor"]
    assert contract is None
    assert p.path == "parties[0].actor"
    assert p.line is not None and 'actor = "komun"' in path.read_text().splitlines()[p.line - 1]
    message = p.message("en")
    assert 'Party "kommun"' in message and "forsakringskassan" in message
    assert message.endswith('Did you mean "kommun"?')
    result = CliRunner().invoke(main, ["check", str(path), "--lang", "sv"])
    assert result.exit_code == 1
    assert 'aktören "komun" finns inte i värderingens aktörshierarki' in result.output


def test_an_actor_of_the_other_country_is_an_error_not_an_internal_one(tmp_path: Path) -> None:
    path = example_with(tmp_path, KOMMUN, 'actor = "hmrc"')
    [p] = [p for p in check_contract(read_document(path))[1] if p.code.startswith("contract.act")]
    assert p.code == "contract.actor_other_country" and p.path == "parties[0].actor"
    result = CliRunner().invoke(main, ["value", str(path)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert '"hmrc" is an actor of the other country\'s hierarchy' in result.output
    message = next(line for line in result.output.splitlines() if '"hmrc"' in line)
    assert message == message.rstrip(), "no hint: no space left where it would have stood"


def test_value_refuses_a_misspelt_actor_instead_of_leaving_its_payments_out(
    tmp_path: Path,
) -> None:
    path = example_with(tmp_path, KOMMUN, 'actor = "kommunx"')
    result = CliRunner().invoke(main, ["value", str(path), "--lang", "sv"])
    assert result.exit_code == 1, result.output
    assert 'aktören "kommunx" finns inte' in result.output
    assert 'Menade du "kommun"?' in result.output


def test_a_payer_without_an_actor_is_named_where_its_payments_go_missing(tmp_path: Path) -> None:
    path = example_with(tmp_path, KOMMUN, "")
    data = json.loads(CliRunner().invoke(main, ["value", str(path), "--json"]).output)
    assert data["payers_without_actor"] == ["kommun"]
    text = CliRunner().invoke(main, ["value", str(path)]).output
    assert "Paying parties that name no actor: Exempelkommun" in text
    study = CliRunner().invoke(main, ["feasibility", str(path), "--lang", "sv"]).output
    assert "Betalande parter utan aktör: Exempelkommun" in study
    whole = json.loads(CliRunner().invoke(main, ["value", str(HEMMA), "--json"]).output)
    assert whole["payers_without_actor"] == []
    assert "name no actor" not in CliRunner().invoke(main, ["value", str(HEMMA)]).output


def test_the_new_contract_template_names_its_commissioners_actor(tmp_path: Path) -> None:
    for lang in ("en", "sv"):
        path = tmp_path / f"t_{lang}.toml"
        assert CliRunner().invoke(main, ["init", str(path), "--lang", lang]).exit_code == 0
        data = json.loads(CliRunner().invoke(main, ["value", str(path), "--json"]).output)
        assert data["payers_without_actor"] == []
        assert data["actors"]["kommun"]["party"] == "kommun"
        assert data["actors"]["kommun"]["costs"]["total"] > 0


def test_a_payer_without_an_actor_is_named_by_its_name_or_else_its_id(tmp_path: Path) -> None:
    path = example_with(tmp_path, KOMMUN, "")
    data = json.loads(CliRunner().invoke(main, ["value", str(path), "--json"]).output)
    assert data["payers_without_actor"] == ["kommun"], "the JSON keeps the id"
    name = "Exempelkommun (socialnämnden och barn- och utbildningsnämnden)"
    assert data["party_names"]["kommun"] == name
    text = CliRunner().invoke(main, ["value", str(path)]).output
    assert f"Paying parties that name no actor: {name}." in text
    study = CliRunner().invoke(main, ["feasibility", str(path), "--lang", "sv"]).output
    assert f"Betalande parter utan aktör: {name}." in study
    nameless = example_with(tmp_path, f"{KOMMUN}\n", "")
    nameless.write_text(nameless.read_text().replace(f'name = "{name}"\n', "", 1))
    text = CliRunner().invoke(main, ["value", str(nameless)]).output
    assert "Paying parties that name no actor: kommun." in text
