"""A contract under a scenario is checked whole, as a file is: the file's [scenarios],
--scenario and the values effekt solve tries."""

from __future__ import annotations

import json
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from contract_strategies import contracts
from hypothesis import given, settings

from effekt.cli import main
from effekt.contract.load import Document, check_document, load_contract
from effekt.contract.locate import Locator
from effekt.contract.model import Contract
from effekt.contract.problems import Problem
from effekt.contract.scenarios import changed_contract
from effekt.errors import ContractInvalid, NoSolution, UsageError
from effekt.services.scenarios import parse_scenario, with_overrides
from effekt.services.solve import solve

EXAMPLES = Path(__file__).parents[2] / "examples"
HEMMA = EXAMPLES / "hemmasittare.toml"


def with_scenario(tmp_path: Path, line: str) -> Path:
    """The example with ``line`` added to its pessimistic scenario."""
    text = HEMMA.read_text(encoding="utf-8")
    assert "[scenarios.pessimistic]\n" in text
    path = tmp_path / "c.toml"
    path.write_text(text.replace("[scenarios.pessimistic]\n", f"[scenarios.pessimistic]\n{line}\n"))
    return path


@settings(max_examples=60, deadline=None)
@given(c=contracts(uncertain=True))
def test_a_scenario_that_changes_nothing_gives_the_same_contract(c: Contract) -> None:
    # the generator builds models directly, so some break a rule across fields: those
    # must stay refused, the others come back whole
    changed, errors = changed_contract(c, {})
    _, found = check_document(Document(c.model_dump(mode="json", by_alias=True), Locator(), "", ""))
    assert [p.code for p in errors] == [p.code for p in found if p.severity == "error"]
    if not errors:
        assert changed is not None
        assert changed.model_dump() == c.model_dump()


def test_a_file_scenario_that_breaks_the_contract_is_an_error_at_the_scenario(
    tmp_path: Path,
) -> None:
    path = with_scenario(tmp_path, '"costs.setup" = -4')
    with pytest.raises(ContractInvalid) as err:
        load_contract(path)
    [problem] = err.value.problems
    assert problem.path == "scenarios.pessimistic"
    assert problem.line == HEMMA.read_text().splitlines().index("[scenarios.pessimistic]") + 1
    assert problem.message("en") == (
        "Under this scenario the contract is not valid — "
        "costs.setup: The value -4 cannot be negative."
    )
    res = CliRunner().invoke(main, ["check", str(path), "--lang", "sv"])
    assert res.exit_code == 1
    assert "Med det här scenariot är kontraktet inte giltigt — costs.setup: Värdet -4" in res.output


def scenario_problem(path: Path, fmt: str = "toml") -> Problem:
    """The one problem of the contract at ``path``, rewritten in ``fmt`` first."""
    if fmt != "toml":
        data = json.loads(json.dumps(tomllib.loads(path.read_text()), default=str))
        text = json.dumps(data) if fmt == "json" else yaml.safe_dump(data, allow_unicode=True)
        path = path.with_suffix(f".{fmt}")
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractInvalid) as err:
        load_contract(path)
    [problem] = err.value.problems
    return problem


@pytest.mark.parametrize(
    ("fmt", "write", "en", "sv"),
    [
        ("toml", '"costs.setup" = 450_000', "without quotes", "utan citattecken"),
        ("json", '"costs.setup": 450000', "without quotes", "utan citattecken"),
        # YAML writes the text without quotes: the advice is not to drop them
        ("yaml", "costs.setup: 450000", "without spaces, thousands separators or currency",
         "utan mellanslag, tusentalsavgränsare eller valuta"),
    ],
)  # fmt: skip
def test_a_file_scenarios_problem_shows_the_override_to_write_in_the_files_own_syntax(
    tmp_path: Path, fmt: str, write: str, en: str, sv: str
) -> None:
    problem = scenario_problem(with_scenario(tmp_path, '"costs.setup" = "450 000 kr"'), fmt)
    if fmt == "yaml":
        assert "costs.setup: 450 000 kr" in problem_file(tmp_path, fmt).read_text()
    assert problem.message("en").endswith(f"{en}: {write}.")
    assert problem.message("sv").endswith(f"{sv}: {write}.")


def problem_file(tmp_path: Path, fmt: str) -> Path:
    """The contract file ``scenario_problem`` wrote in ``fmt``."""
    return (tmp_path / "c.toml").with_suffix(f".{fmt}")


@pytest.mark.parametrize(
    ("line", "write"),
    [
        ('"metrics[gymnasiebehorighet].expected" = "38 %"',
         '"metrics[gymnasiebehorighet].expected" = 0.38 (a percentage'),
        ('"cohorts[0].referral_periods" = 2.5',
         '"cohorts[0].referral_periods" = 2 or "cohorts[0].referral_periods" = 3.'),
        ('"uncertainty.person_level" = "true"', '"uncertainty.person_level" = true,'),
        ('"rules[0].price" = { dist = "normal", mean = "450 000", sd = 1 }',
         "without quotes: mean = 450_000."),  # inside the override's table: its own key
    ],
)  # fmt: skip
def test_a_file_scenarios_problem_shows_the_key_the_scenario_writes(
    tmp_path: Path, line: str, write: str
) -> None:
    assert write in scenario_problem(with_scenario(tmp_path, line)).message("en")


def test_fixing_a_correlated_input_drops_its_correlations_only_in_the_scenario() -> None:
    c = load_contract(HEMMA)
    assert any("success" in p.between for p in c.uncertainty.correlations)
    changed = with_overrides(c, {"metrics[0].expected": 0.38}, "pessimistic")
    assert changed.metrics[0].expected == 0.38
    assert all("success" not in p.between for p in changed.uncertainty.correlations)
    assert len(load_contract(HEMMA).uncertainty.correlations) == len(c.uncertainty.correlations)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "The scenario low makes the contract invalid — costs.setup: "
            "The value -5 cannot be negative.",
        ),
        ("sv", "Scenariot low gör kontraktet ogiltigt — costs.setup: Värdet -5 kan inte"),
    ],
)
def test_a_command_line_scenario_that_breaks_the_contract_is_a_usage_error(
    lang: str, expected: str
) -> None:
    res = CliRunner().invoke(
        main, ["model", str(HEMMA), "--scenario", "low=costs.setup=-5", "--lang", lang]
    )
    assert res.exit_code == 2, res.output
    assert expected in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    ("spec", "lang", "said"),
    [
        ("low=costs.setup=450 000", "en",
         '"450 000" is read as text, not a number: write it as one number, without spaces, '
         "thousands separators or currency: --scenario low=costs.setup=450000."),
        ("low=costs.setup=450 000", "sv",
         '"450 000" läses som text, inte som ett tal: skriv det som ett enda tal, utan '
         "mellanslag, tusentalsavgränsare eller valuta: --scenario low=costs.setup=450000."),
        ('low=costs.setup="450000"', "sv",
         '"450000" är text, inte ett tal: skriv talet självt, utan citattecken: '
         "--scenario low=costs.setup=450000."),
        ("low=cohorts[0].referral_periods=2.5", "en",
         "write --scenario 'low=cohorts[0].referral_periods=2' "
         "or --scenario 'low=cohorts[0].referral_periods=3'."),
        ('low=uncertainty.person_level="true"', "en",
         "write --scenario low=uncertainty.person_level=true, without quotes."),
        ("low=uncertainty.person_level=True", "en",
         '"True" is read as text, not true or false: '
         "write --scenario low=uncertainty.person_level=true, in lower case."),
        ("low=uncertainty.person_level=True", "sv",
         '"True" läses som text, inte som true eller false: '
         "skriv --scenario low=uncertainty.person_level=true, med små bokstäver."),
        ("low=cohorts[0].engagement=most", "sv",
         "cohorts[0].engagement: Här behövs ett tal (eller, för ett osäkert värde, en "
         "fördelning som --scenario 'low=cohorts[0].engagement="
         '{"dist": "beta", "mean": 0.4, "sd": 0.1}' + "')."),
    ],
)  # fmt: skip
def test_a_command_line_scenarios_problem_shows_what_to_type_on_the_command_line(
    spec: str, lang: str, said: str
) -> None:
    res = CliRunner().invoke(main, ["model", str(HEMMA), "--scenario", spec, "--lang", lang])
    assert res.exit_code == 2, res.output
    assert res.output.rstrip().endswith(said)


def test_a_command_lines_example_is_typed_as_it_reads() -> None:
    # the example of the message above, typed as a shell would pass it, gives the scenario
    c = load_contract(HEMMA)
    with pytest.raises(UsageError) as err:
        with_overrides(c, {"cohorts[0].referral_periods": 2.5}, "low")
    example = err.value.render("en").rsplit(" or ", 1)[1].rstrip(".")
    _, spec = shlex.split(example)
    changed = with_overrides(c, parse_scenario(spec, c).overrides, "low")
    assert changed.cohorts[0].referral_periods == 3


def typed(command: str) -> list[str]:
    """The arguments a shell passes to effekt for ``command``, FILE being the example."""
    return [str(HEMMA) if a == "FILE" else a for a in shlex.split(command)[1:]]


def test_a_command_line_scenario_sets_distributions_lists_and_text_with_commas() -> None:
    args = typed(
        "effekt model FILE --json --scenario "
        """'low=metrics[0].expected={"dist": "beta", "mean": 0.3, "sd": 0.05},"""
        """cohorts[2].start_delay={"dist":"empirical","values":[0,1]},"""
        """population.eligibility=["Årskurs 6–9, i kommunen", "Samtycke"],"""
        """parties[0].name="Kommunen \\"Norr, Syd\\"",costs.setup=450000'"""
    )
    c = load_contract(HEMMA)
    scenario = parse_scenario(args[-1], c)
    assert scenario.name == "low"
    assert scenario.overrides == {
        "metrics[0].expected": {"dist": "beta", "mean": 0.3, "sd": 0.05},
        "cohorts[2].start_delay": {"dist": "empirical", "values": [0, 1]},
        "population.eligibility": ["Årskurs 6–9, i kommunen", "Samtycke"],
        "parties[0].name": 'Kommunen "Norr, Syd"',
        "costs.setup": 450000,
    }
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["scenarios"]["low"]["parties"] != out["parties"]


@pytest.mark.parametrize(
    "typed_scenario",
    [
        "low=costs.setup=1,500",
        "'low=costs.setup=1,500,cohorts[0].size=20'",
        "'low=costs.setup=\"1,500\"'",
        "'low=costs.setup=1,500 kr'",
    ],
)
def test_a_number_cut_at_its_comma_is_read_both_ways_not_refused_as_a_form(
    typed_scenario: str,
) -> None:
    res = CliRunner().invoke(main, typed(f"effekt model FILE --scenario {typed_scenario}"))
    assert res.exit_code == 2, res.output
    assert "is not of the form" not in res.output
    assert "write --scenario low=costs.setup=1500 if the comma separates thousands" in res.output
    assert "or --scenario low=costs.setup=1.5 if it is a decimal comma" in res.output
    assert ("without quotes" in res.output) is ('"' in typed_scenario)


@pytest.mark.parametrize(
    "spec", ["low=costs.setup=1,cohorts", "low=costs.setup=1,,cohorts[0].size=2", "low=a=1,=2"]
)
def test_a_change_that_is_neither_path_value_nor_a_numbers_digits_is_a_form_error(
    spec: str,
) -> None:
    with pytest.raises(UsageError) as err:
        parse_scenario(spec, load_contract(HEMMA))
    assert err.value.code == "scenario.bad_spec"


def test_the_distribution_a_command_line_problem_offers_is_typed_as_it_reads() -> None:
    c = load_contract(HEMMA)
    with pytest.raises(UsageError) as err:
        with_overrides(c, {"cohorts[0].engagement": "most"}, "low")
    example = err.value.render("en").split("such as ", 1)[1].removesuffix(").")
    _, spec = shlex.split(example)
    changed = with_overrides(c, parse_scenario(spec, c).overrides, "low")
    assert changed.cohorts[0].engagement.mean == 0.4  # type: ignore[union-attr]


def test_every_problem_a_scenario_causes_is_counted() -> None:
    c = load_contract(HEMMA)
    with pytest.raises(UsageError) as err:
        with_overrides(c, {"costs.setup": -5, "cohorts[1].engagement": 3}, "x")
    assert err.value.code == "scenario.invalid_more"
    assert err.value.render("en").endswith("(and 1 more problem)")


def test_solve_searches_only_values_that_give_a_valid_contract() -> None:
    c = load_contract(HEMMA)
    with pytest.raises(NoSolution) as err:
        solve(c, "cohorts[1].engagement", "fond.irr=0.5")
    assert err.value.params["low"] == 0.0
    assert 0.999 < err.value.params["high"] <= 1.0  # the share's edge, not 10 × 0.85
    found = solve(c, "cohorts[1].engagement", "fond.irr=0.05")
    assert 0 <= found.value <= 1


def test_solve_over_a_range_of_invalid_values_says_why() -> None:
    c = load_contract(HEMMA)
    with pytest.raises(UsageError) as err:
        solve(c, "cohorts[1].engagement", "fond.irr=0.05", low=2, high=3)
    assert "must lie between 0 and 1, not 2" in err.value.render("en")


def test_a_scenario_called_base_does_not_take_the_base_cases_place(tmp_path: Path) -> None:
    # the table and the workbook keyed the base case "base": the scenario overwrote it
    from openpyxl import load_workbook

    from effekt.i18n import translate

    runner = CliRunner()
    base = json.loads(runner.invoke(main, ["model", str(HEMMA), "--json"]).output)
    paid = base["totals"]["outcome_payments"]
    book = tmp_path / "case.xlsx"
    spec = "base=rules[0].price=1"
    out = runner.invoke(main, ["model", str(HEMMA), "--scenario", spec, "--xlsx", str(book)])
    assert out.exit_code == 0, out.output
    sheet = load_workbook(book)["Scenarios"]
    label = translate("xlsx.totals.outcome_payments", "en")
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == label)
    assert row[1] == pytest.approx(paid)
    assert row[2] < paid
    text = runner.invoke(main, ["model", str(HEMMA), "--scenario", spec, "--lang", "en"])
    label = translate("xlsx.outcome_payments", "en")
    line = next(x for x in text.output.splitlines() if x.startswith(label))
    assert line.count(f"SEK {paid:,.0f}") == 1  # the base case's, beside the scenario's


def test_two_scenarios_of_one_name_are_refused_not_one_dropped() -> None:
    out = CliRunner().invoke(
        main,
        ["model", str(HEMMA), "--scenario", "lo=costs.setup=1", "--scenario", "lo=costs.setup=2",
         "--lang", "en"],
    )  # fmt: skip
    assert out.exit_code == 2
    assert 'Two scenarios are called "lo"' in out.output
    assert "Traceback" not in out.output


@pytest.mark.parametrize(
    ("spec", "lang", "said"),
    [
        ("lo=cohorts[k1].size=[1,2]", "en", "— cohorts[k1].size: A number is needed here"),
        ("lo=cohorts[k1].size=[1,2]", "sv", "— cohorts[k1].size: Här behövs ett tal"),
        ('lo=cohorts[k2].size={"dist": "normal", "mean": 40, "sd": -6}', "en",
         "— cohorts[k2].size.sd: The value -6 is too small"),
        ('lo=cohorts[k2].size={"dist": "normal", "mean": 40, "sd": -6}', "sv",
         "— cohorts[k2].size.sd: Värdet -6 är för litet"),
    ],
)  # fmt: skip
def test_a_command_line_scenarios_problem_names_the_field_by_id_when_typed_by_id(
    spec: str, lang: str, said: str
) -> None:
    res = CliRunner().invoke(main, ["model", str(HEMMA), "--scenario", spec, "--lang", lang])
    assert res.exit_code == 2, res.output
    assert said in res.output
    assert "cohorts[0]" not in res.output and "cohorts[1]" not in res.output


@pytest.mark.parametrize(
    ("line", "en", "sv"),
    [
        ('"cohorts[k1].size" = [1, 2]',
         "— cohorts[k1].size: A number is needed here", "— cohorts[k1].size: Här behövs ett tal"),
        ('"cohorts[k2].size" = { dist = "normal", mean = 40, sd = -6 }',
         "— cohorts[k2].size.sd: The value -6 is too small",
         "— cohorts[k2].size.sd: Värdet -6 är för litet"),
        # typed by position, named by position
        ('"cohorts[1].size" = [1, 2]',
         "— cohorts[1].size: A number is needed here", "— cohorts[1].size: Här behövs ett tal"),
    ],
)  # fmt: skip
def test_a_file_scenarios_problem_names_the_field_as_the_scenario_writes_it(
    tmp_path: Path, line: str, en: str, sv: str
) -> None:
    problem = scenario_problem(with_scenario(tmp_path, line))
    assert en in problem.message("en")
    assert sv in problem.message("sv")


def test_a_field_set_by_position_keeps_its_position_beside_one_set_by_id() -> None:
    c = load_contract(HEMMA)
    overrides = {"cohorts[k1].size": [1, 2], "cohorts[0].engagement": "most"}
    _, errors = changed_contract(c, overrides)
    assert sorted(p.path for p in errors) == ["cohorts[0].engagement", "cohorts[k1].size"]
