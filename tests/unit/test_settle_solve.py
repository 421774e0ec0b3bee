"""effekt settle, solve and scenarios: decisions from measured outcomes, goal seek, overrides."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.contract.outcomes_file import OutcomesFile, load_outcomes
from effekt.errors import ContractInvalid, NoSolution, UsageError
from effekt.services.business_case import business_case_json
from effekt.services.scenarios import parse_scenario, with_overrides
from effekt.services.settle import settle_json
from effekt.services.solve import solve

EXAMPLES = Path(__file__).parents[2] / "examples"
PETERBOROUGH = EXAMPLES / "peterborough.toml"
HEMMA = EXAMPLES / "hemmasittare.toml"


def test_peterborough_cohort_one_misses_early_payment_and_the_pooled_result_triggers_final() -> (
    None
):
    c = load_contract(PETERBOROUGH)
    data = settle_json(c, load_outcomes(EXAMPLES / "peterborough.outcomes.toml"))
    decisions = {(d["rule"], d["cohort"]): d for d in data["decisions"]}
    assert decisions[("early", "cohort1")]["triggered"] is False
    assert decisions[("early", "cohort1")]["effect"] == pytest.approx(1 - 142 / 155)
    assert decisions[("final", None)]["triggered"] is True
    assert decisions[("final", None)]["effect"] == pytest.approx(0.09)
    # the final payment follows the configured terms: price × events avoided over 2,000 prisoners
    assert data["total_payments"] == pytest.approx(20_000 * 2000 * 1.55 * 0.09)
    by_payer = {}
    for p in data["payments"]:
        by_payer[p["payer"]] = by_payer.get(p["payer"], 0) + p["amount"]
    assert by_payer["moj"] == pytest.approx(0.8 * data["total_payments"])
    assert by_payer["blf"] == pytest.approx(0.2 * data["total_payments"])


def test_settle_json_has_the_documented_keys_and_reasons_in_both_languages() -> None:
    runner = CliRunner()
    out = {}
    for lang in ("sv", "en"):
        res = runner.invoke(
            main,
            [
                "settle",
                str(PETERBOROUGH),
                "--outcomes",
                str(EXAMPLES / "peterborough.outcomes.toml"),
                "--json",
                "--lang",
                lang,
            ],
        )
        assert res.exit_code == 0, res.output
        out[lang] = json.loads(res.output)
        assert {"payments", "decisions", "total_payments"} <= out[lang].keys()
        for d in out[lang]["decisions"]:
            assert {"rule", "cohort", "triggered", "reason"} <= d.keys()
    assert out["sv"]["decisions"][0]["reason"] != out["en"]["decisions"][0]["reason"]


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "  period 24, 2016-06-09 to 2016-09-08 (budget year 2016/17): "
               "moj pays £4,464,000 under final"),
        ("sv", "  period 24, 2016-06-09 till 2016-09-08 (budgetår 2016/17): "
               "moj betalar 4 464 000 GBP enligt final"),
    ],
)  # fmt: skip
def test_settle_text_gives_each_payments_dates_and_budget_year(lang: str, line: str) -> None:
    outcomes = str(EXAMPLES / "peterborough.outcomes.toml")
    res = CliRunner().invoke(
        main, ["settle", str(PETERBOROUGH), "--outcomes", outcomes, "--lang", lang]
    )
    assert res.exit_code == 0, res.output
    assert line in res.output.replace("\u00a0", " ").splitlines()


def test_an_unmeasured_cohort_pays_nothing() -> None:
    c = load_contract(PETERBOROUGH)
    data = OutcomesFile.model_validate(
        {
            "measurements": [
                {
                    "metric": "reconviction_events",
                    "cohort": "cohort1",
                    "n": 1000,
                    "treated": 1.2,
                    "baseline": 1.55,
                }
            ]
        }
    )
    result = settle_json(c, data)
    early = [d for d in result["decisions"] if d["rule"] == "early"]
    assert [(d["cohort"], d["triggered"], d["measured"]) for d in early] == [
        ("cohort1", True, True),
        ("cohort2", False, False),  # decided on nobody: it says so, and pays nothing
    ]
    assert early[1]["reason"].startswith("No measurement for this cohort")
    assert result["total_payments"] == pytest.approx(20_000 * 1000 * 0.35)


def test_outcomes_for_an_unknown_metric_are_refused_with_a_clear_code() -> None:
    c = load_contract(PETERBOROUGH)
    data = OutcomesFile.model_validate(
        {"measurements": [{"metric": "nope", "cohort": "cohort1", "treated": 1.0}]}
    )
    with pytest.raises(ContractInvalid) as exc:
        settle_json(c, data)
    assert [p.code for p in exc.value.problems] == ["outcomes.unknown_metric"]


def test_solve_finds_the_price_that_gives_the_investor_six_percent() -> None:
    c = load_contract(HEMMA)
    sol = solve(c, "rules[skolnarvaro].price", "fond.irr=0.06")
    check = business_case_json(with_overrides(c, {"rules[skolnarvaro].price": sol.value}))
    assert check["parties"]["fond"]["irr"] == pytest.approx(0.06, abs=1e-6)


def test_a_wide_search_range_finds_the_root_as_closely_as_a_narrow_one() -> None:
    # the root's tolerance had grown with the range: at --high 1e15 the price found was
    # 25 off, its IRR 0.060001, and that was reported as a jump "from 0.060001 to 0.060001"
    c = load_contract(HEMMA)
    narrow = solve(c, "rules[skolnarvaro].price", "fond.irr=0.06")
    wide = solve(c, "rules[skolnarvaro].price", "fond.irr=0.06", low=0, high=1e15)
    assert wide.value == pytest.approx(narrow.value, rel=1e-6)  # the IRR's own precision
    assert wide.achieved == pytest.approx(0.06, abs=1e-8)


def test_solve_finds_the_success_rate_at_which_investors_get_their_money_back() -> None:
    c = load_contract(HEMMA)
    sol = solve(c, "metrics[back_in_school].expected", "fond.moic=1", low=0.33, high=0.6)
    check = business_case_json(with_overrides(c, {"metrics[back_in_school].expected": sol.value}))
    assert check["parties"]["fond"]["moic"] == pytest.approx(1.0, abs=1e-6)


def test_solve_reports_a_jump_at_a_threshold_instead_of_a_false_root() -> None:
    c = load_contract(PETERBOROUGH)
    with pytest.raises(NoSolution) as exc:
        solve(c, "metrics[0].expected", "trusts.moic=1", low=1.0, high=1.55)
    assert exc.value.code == "solve.discontinuous"


def test_solve_says_when_there_is_no_solution_in_range() -> None:
    c = load_contract(HEMMA)
    with pytest.raises(NoSolution):
        solve(c, "rules[skolnarvaro].price", "fond.irr=0.5", low=0, high=10)
    res = CliRunner().invoke(
        main,
        [
            "solve",
            str(HEMMA),
            "--vary",
            "rules[skolnarvaro].price",
            "--target",
            "fond.irr=0.5",
            "--low",
            "0",
            "--high",
            "10",
        ],
    )
    assert res.exit_code == 1 and "Traceback" not in res.output


def test_solve_says_the_target_it_cannot_meet_the_way_its_answer_says_one() -> None:
    # before: "… uppfyller målet fond.irr=50%", as typed, where an answer says "fond.irr = 6 %"
    code, out = solve_cli("--target", "fond.irr=50%", "--low", "0", "--high", "10", "--lang", "sv")
    assert code == 1, out
    assert "uppfyller målet fond.irr = 50\u00a0%." in out, out
    code, out = solve_cli("--target", "fond.npv=1e9", "--low", "0", "--high", "10", "--lang", "en")
    assert code == 1, out
    assert "meets the target fond.npv = SEK 1,000,000,000." in out, out
    # a whole-number term's search too
    res = CliRunner().invoke(
        main,
        ["solve", str(HEMMA), "--vary", "term_periods", "--target", "fond.moic=9"]
        + ["--low", "10", "--high", "20", "--lang", "en"],
    )
    assert res.exit_code == 1, res.output
    assert "meets the target fond.moic = 9×." in res.output, res.output


def solve_cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(
        main, ["solve", str(HEMMA), "--vary", "rules[skolnarvaro].price", *args]
    )
    return res.exit_code, res.output


def test_solve_refuses_a_target_party_that_is_not_in_the_contract() -> None:
    # before: "not of the form PARTY.npv…=VALUE", which it is
    code, out = solve_cli("--target", "fonden.npv=0", "--lang", "sv")
    assert code == 2, out
    assert 'Målet fonden.npv=0 nämner parten "fonden", som inte finns i kontraktet' in out
    # the deal account and the outside account are targets too (deal.total=0 is solved)
    assert (
        "kommun, region, utforare, fond, stiftelse, intermediar, utvarderare, deal, outside" in out
    )
    assert "formen" not in out


def test_solve_refuses_a_total_the_business_case_does_not_have() -> None:
    # before: every value gave nothing, so "no value meets the target", exit 1
    code, out = solve_cli("--target", "totals.payments=5000000", "--lang", "en")
    assert code == 2, out
    assert 'The target totals.payments=5000000 names the total "payments"' in out
    assert "totals.outcome_payments" in out and "totals.capital_drawn" in out


def test_solve_refuses_an_irr_for_a_party_whose_role_has_none() -> None:
    # before: a commissioner's IRR is undefined at every value: "no value meets", exit 1
    code, out = solve_cli("--target", "kommun.irr=0.05", "--lang", "sv")
    assert code == 2, out
    assert "kommun har ingen IRR – dess roll sätter inga pengar på spel" in out
    assert "kommun.npv eller kommun.total" in out
    code, out = solve_cli("--target", "intermediar.moic=1", "--lang", "en")
    assert code == 2 and "intermediar has no money multiple" in out, out


@pytest.mark.parametrize(
    ("option", "value"), [("--low", "-inf"), ("--high", "inf"), ("--low", "nan")]
)
def test_solve_refuses_a_search_range_end_that_is_not_a_finite_number(
    option: str, value: str
) -> None:
    # before: -inf was quietly replaced by the current value, inf searched nonsense values
    code, out = solve_cli("--target", "fond.npv=0", option, value, "--lang", "sv")
    assert code == 2, out
    assert f"{option} {value} är inget ändligt tal" in out


@pytest.mark.parametrize(
    ("vary", "option", "value"),
    [
        ("rules[skolnarvaro].price", "--high", "1e308"),
        ("financing.tranches[senior].commitment", "--high", "1e16"),
        ("costs.setup", "--low", "-1e300"),
    ],
)
def test_solve_refuses_a_range_end_beyond_any_amount_of_money(
    vary: str, option: str, value: str
) -> None:
    # before: searched, with NumPy overflow warnings on standard error
    res = CliRunner().invoke(
        main,
        ["solve", str(HEMMA), "--vary", vary, "--target", "fond.irr=0.06", option, value]
        + ["--lang", "en"],
    )
    assert res.exit_code == 2, res.output
    assert f"{option} {float(value):g} lies beyond what any amount can be" in res.output
    assert f"{vary} is an amount of money, at most 1,000,000,000,000,000" in res.output
    assert "RuntimeWarning" not in res.output


def test_solve_searches_up_to_the_largest_amount() -> None:
    c = load_contract(HEMMA)
    sol = solve(c, "rules[skolnarvaro].price", "fond.npv=0", low=0, high=1e15)
    assert 0 < sol.value < 1e15


def test_solve_refuses_a_range_that_holds_no_whole_value_of_a_whole_number_term() -> None:
    # before: "No value of term_periods between 15 and 14 meets the target", exit 1
    res = CliRunner().invoke(
        main,
        ["solve", str(HEMMA), "--vary", "term_periods", "--target", "fond.irr=6%"]
        + ["--low", "14.2", "--high", "14.8", "--lang", "sv"],
    )
    assert res.exit_code == 2, res.output
    assert "Mellan --low 14,2 och --high 14,8 finns inget heltal" in res.output
    assert "mellan 15 och 14" not in res.output


def test_solve_refuses_a_target_value_that_is_not_a_finite_number() -> None:
    # before: 1e400 was read as infinity and the whole range searched: "no value meets", exit 1
    code, out = solve_cli("--target", "fond.npv=1e400", "--lang", "sv")
    assert code == 2, out
    assert "Målet fond.npv=1e400 har inget ändligt värde" in out


def irr_with(c, param: str, value: int) -> float:
    return business_case_json(with_overrides(c, {param: value}))["parties"]["fond"]["irr"]


@pytest.mark.parametrize(
    ("param", "target", "low", "high"),
    [
        ("term_periods", "fond.irr=0.06", None, None),  # 0…200 value by value
        ("cohorts[k1].referral_periods", "fond.irr=0.06", 1, 1000),  # a grid, then halving
    ],
)
def test_solve_over_a_whole_number_gives_the_two_whole_values_the_target_lies_between(
    param: str, target: str, low: int | None, high: int | None
) -> None:
    # before: only the grid's whole values were valid contracts, so "no value meets"
    c = load_contract(HEMMA)
    sol = solve(c, param, target, low=low, high=high)
    assert sol.whole and sol.value == int(sol.value) and sol.other_value is not None
    assert abs(sol.value - sol.other_value) == 1
    at, other = irr_with(c, param, int(sol.value)), irr_with(c, param, int(sol.other_value))
    assert (at - 0.06) * (other - 0.06) < 0  # the target lies between them
    assert abs(at - 0.06) <= abs(other - 0.06)  # the nearer first
    # as the business case gives them, rounded alike: no float noise from target − goal + goal
    assert sol.achieved == at and sol.other_achieved == other


def test_solve_json_gives_both_whole_values_results_as_the_text_rounds_them() -> None:
    # before: "other_achieved": 0.024278999999999995 beside "achieved": 0.060594
    res = CliRunner().invoke(
        main,
        ["solve", str(HEMMA), "--vary", "term_periods", "--target", "fond.irr=6%", "--json"],
    )
    assert res.exit_code == 0, res.output
    shown = json.loads(res.output)
    assert (shown["achieved"], shown["other_achieved"]) == (0.060594, 0.024279)


def test_a_whole_number_search_passes_over_values_where_the_target_is_undefined() -> None:
    # a long range, searched on a grid then halved; the target undefined (an IRR before
    # anything is paid back) at 11…30. Before, halving looked only above the middle, found
    # nothing defined before the bracket's end, and never ended.
    from effekt.services import solve as solving

    c = load_contract(HEMMA)

    def measure(x: object) -> float:
        term = x.term_periods  # type: ignore[attr-defined]
        return math.nan if 11 <= term <= 30 else float(term - 20)

    sol = solving._solve_whole(c, "term_periods", "fond.npv=0", 0.0, measure, 20, 10, 1000)
    assert sol.whole and {sol.value, sol.other_value} == {10.0, 31.0}
    assert sol.achieved == -10.0 and sol.other_achieved == 11.0


def test_solve_over_a_whole_number_says_so_in_swedish() -> None:
    res = CliRunner().invoke(
        main,
        ["solve", str(HEMMA), "--vary", "term_periods", "--target", "fond.irr=6%", "--lang", "sv"],
    )
    assert res.exit_code == 0, res.output
    assert re.fullmatch(
        r"term_periods är ett heltal, och målet fond\.irr = 6 % ligger mellan två av dem: "
        r"term_periods = \d+ ger [\d,]+ %, \d+ ger [\d,]+ % \(\d+ beräkningar\)\.\n",
        res.output.replace("\u00a0", " "),
    )


def test_scenarios_override_terms_by_path_and_refuse_unknown_paths() -> None:
    c = load_contract(HEMMA)
    low = parse_scenario("low=metrics[back_in_school].expected=0.3,cohorts[0].size=20", c)
    changed = with_overrides(c, low.overrides)
    assert low.name == "low" and changed.metrics[0].expected == 0.3
    assert changed.cohorts[0].size == 20
    assert parse_scenario("pessimistic", c).overrides == {
        "metrics[0].expected": 0.38,
        "cohorts[0].engagement": 0.7,
    }
    with pytest.raises(UsageError):
        with_overrides(c, {"metrics[9].expected": 0.3})
    res = CliRunner().invoke(main, ["model", str(HEMMA), "--scenario", "x=nope.field=1"])
    assert res.exit_code == 2


def test_model_writes_csv_that_balances_and_an_xlsx_with_a_sheet_per_party(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["model", str(HEMMA), "--csv"])
    assert res.exit_code == 0
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 + 20
    for line in lines[1:]:
        values = [float(v) for v in line.split(",")[2:]]
        assert abs(sum(values)) < 0.05  # each flow is rounded to öre
    path = tmp_path / "case.xlsx"
    res = runner.invoke(
        main, ["model", str(HEMMA), "--xlsx", str(path), "--scenario", "pessimistic"]
    )
    assert res.exit_code == 0, res.output
    wb = load_workbook(path)
    c = load_contract(HEMMA)
    assert {p.id for p in c.parties} <= set(wb.sheetnames)
    # summary, payments, waterfall, inputs, parties, deal, outside, scenarios
    assert len(wb.sheetnames) == 1 + 3 + len(c.parties) + 2 + 1


def test_model_json_holds_every_party_and_the_totals() -> None:
    res = CliRunner().invoke(main, ["model", str(HEMMA), "--json"])
    data = json.loads(res.output)
    assert {"fond", "kommun", "deal", "outside"} <= data["parties"].keys()
    for p in data["parties"].values():
        assert {"role", "cash_flows", "npv", "irr", "moic"} <= p.keys()
        assert len(p["cash_flows"]) == 20
        if p["irr"] is None:
            assert p["irr_reason"]
    assert {"outcome_payments", "capital_drawn"} <= data["totals"].keys()
    assert len(data["periods"]) == 20


def test_the_business_case_table_names_parties_by_id_and_the_accounts_by_role_only() -> None:
    res = CliRunner().invoke(main, ["model", str(HEMMA), "--lang", "sv"])
    assert res.exit_code == 0, res.output
    rows = {line.split()[0]: line for line in res.output.splitlines() if "kr" in line}
    assert "kommun" in rows and "fond" in rows
    accounts = [
        line for line in res.output.splitlines() if "affärens konto" in line or "utanför" in line
    ]
    assert len(accounts) == 2 and all(line.startswith("—") for line in accounts)
    assert not any(line.startswith(("deal ", "outside ")) for line in res.output.splitlines())


def test_solve_writes_the_value_found_the_swedish_way() -> None:
    args = ["solve", str(HEMMA), "--vary", "rules[skolnarvaro].price", "--target", "fond.irr=0.05"]
    sv = CliRunner().invoke(main, [*args, "--lang", "sv"]).output
    en = CliRunner().invoke(main, [*args, "--lang", "en"]).output
    assert re.match(r"rules\[skolnarvaro\]\.price = \d{3}\u00a0\d{3} ger ", sv), sv
    assert "ger fond.irr = 5\u00a0% (uppnått 5\u00a0%;" in sv
    assert re.match(r"rules\[skolnarvaro\]\.price = \d{3},\d{3} gives ", en), en
    assert "gives fond.irr = 5\u00a0% (reached 5\u00a0%;" in en


@pytest.mark.parametrize("target", ["fond.irr=0,05", "fond.irr=5%", "fond.irr=5 %"])
def test_a_target_may_be_written_with_a_decimal_comma_or_as_a_percentage(target: str) -> None:
    c = load_contract(HEMMA)
    assert solve(c, "rules[skolnarvaro].price", target).value == pytest.approx(
        solve(c, "rules[skolnarvaro].price", "fond.irr=0.05").value
    )


def test_a_jump_at_a_threshold_is_reported_with_the_languages_numbers() -> None:
    c = load_contract(PETERBOROUGH)
    with pytest.raises(NoSolution) as exc:
        solve(c, "metrics[0].expected", "trusts.moic=1", low=1.0, high=1.55)
    value = exc.value.params["value"]
    assert isinstance(value, float)
    assert f"{value:.6g}".replace(".", ",") in exc.value.render("sv")
    assert f"{value:.6g}" in exc.value.render("en")


@pytest.mark.parametrize(
    ("row", "sv", "en"),
    [
        ("n = -3\ntreated = 1.4",
         "measurements[0].n: Värdet -3 är för litet; det måste vara större än 0.",
         "measurements[0].n: The value -3 is too small; it must be greater than 0."),
        ('n = "x"\ntreated = 1.4', "measurements[0].n: Här behövs ett tal.",
         "measurements[0].n: A number is needed here."),
        ("n = 40\ntreated = 0.4\nbaseline_cuont = 3",
         'measurements[0].baseline_cuont: "baseline_cuont" är inte ett fält i den här tabellen; '
         'kontrollera stavningen eller ta bort det. Menade du "baseline_count"?',
         'measurements[0].baseline_cuont: "baseline_cuont" is not a field of this table; check '
         'the spelling or remove it. Did you mean "baseline_count"?'),
    ],
)  # fmt: skip
def test_a_bad_outcomes_file_is_explained_in_the_users_language(
    tmp_path: Path, row: str, sv: str, en: str
) -> None:
    path = tmp_path / "outcomes.toml"
    text = f'[[measurements]]\nmetric = "m"\ncohort = "k1"\n{row}\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractInvalid) as exc:
        load_outcomes(path)
    [problem] = exc.value.problems
    assert problem.stated("sv") == sv and problem.stated("en") == en
    assert problem.file == str(path) and problem.line is not None
    field = problem.path.rsplit(".", 1)[1]
    assert text.splitlines()[problem.line - 1].startswith(f"{field} = ")  # on its own line


def test_swedish_scenarios_table_labels_its_rows_and_base_case_in_swedish() -> None:
    res = CliRunner().invoke(
        main, ["model", str(HEMMA), "--scenario", "pessimistic", "--lang", "sv"]
    )
    assert res.exit_code == 0, res.output
    table = res.output.split("Scenarier sida vid sida")[1]
    assert "grundfall" in table and "kommun nuvärde" in table and "fond IRR/år" in table
    assert "base" not in table and "NPV" not in table


def test_the_scenarios_table_shows_the_figures_the_workbooks_scenarios_sheet_shows(
    tmp_path: Path,
) -> None:
    # before: the text gave an IRR for investors only and no multiple, the workbook an IRR
    # and multiple for every party with money at risk (the provider, a foundation)
    path = tmp_path / "case.xlsx"
    args = ["model", str(HEMMA), "--scenario", "pessimistic", "--xlsx", str(path)]
    assert CliRunner().invoke(main, args).exit_code == 0
    sheet = load_workbook(path)["Scenarios"]
    parties = {p.id for p in load_contract(HEMMA).parties}
    in_sheet = {
        str(row[0].value)
        for row in sheet.iter_rows(min_row=2)
        if row[0].value and str(row[0].value).split(" ")[0] in parties
    }
    text = CliRunner().invoke(main, args[:4]).output.split("Scenarios side by side")[1]
    in_text = {line.split("  ")[0] for line in text.splitlines() if line.split(" ")[0] in parties}
    assert in_text == in_sheet
    assert {"utforare IRR/yr", "stiftelse multiple"} <= in_text


def test_a_swedish_workbook_has_swedish_labels_and_no_internal_codes(tmp_path: Path) -> None:
    path = tmp_path / "case.xlsx"
    args = ["model", str(HEMMA), "--xlsx", str(path), "--scenario", "pessimistic", "--lang", "sv"]
    assert CliRunner().invoke(main, args).exit_code == 0
    wb = load_workbook(path)
    assert {"affärens konto", "utanför"} <= set(wb.sheetnames)
    assert not {"deal", "outside"} & set(wb.sheetnames)
    cells = {
        str(value)
        for name in ("Sammanfattning", "Scenarier")
        for row in wb[name].iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    }
    assert {"beställare", "investerare", "affärens konto", "insatt kapital", "grundfall"} <= cells
    assert "kommun nuvärde" in cells and "utfallsbetalningar före utfallstaket" in cells
    codes = {"commissioner", "investor", "deal", "outside", "base", "capital_drawn", "referred"}
    assert not codes & cells
    assert not any("." in c and c.split(".")[-1] in ("npv", "irr", "moic") for c in cells)


def test_every_total_of_the_business_case_has_a_label_in_the_workbook() -> None:
    from effekt.i18n import catalog

    totals = business_case_json(load_contract(HEMMA))["totals"]
    assert all(f"xlsx.totals.{key}" in catalog() for key in totals)


def test_the_workbook_gives_a_return_only_to_parties_with_money_at_risk(tmp_path: Path) -> None:
    path = tmp_path / "case.xlsx"
    args = ["model", str(HEMMA), "--xlsx", str(path), "--scenario", "pessimistic"]
    assert CliRunner().invoke(main, [*args, "--lang", "en"]).exit_code == 0
    wb = load_workbook(path)
    rows = {r[0]: r for r in wb.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    # the summary's columns: party, name, role, total, NPV, IRR, multiple, …
    assert rows["region"][5] is None and rows["region"][6] is None  # a payer: no IRR, no multiple
    assert rows["fond"][5] is not None and rows["fond"][6] is not None  # an investor
    labels = [str(r[0]) for r in wb.worksheets[-1].iter_rows(values_only=True)]  # scenarios
    assert any(str(x).startswith("region") for x in labels)
    assert not any(str(x).startswith("region") and "IRR" in str(x) for x in labels)
    assert any(str(x).startswith("fond") and "IRR" in str(x) for x in labels)


def test_the_workbook_formats_money_rates_and_multiples_as_such(tmp_path: Path) -> None:
    path = tmp_path / "case.xlsx"
    args = ["model", str(HEMMA), "--xlsx", str(path), "--scenario", "pessimistic"]
    assert CliRunner().invoke(main, args).exit_code == 0
    wb = load_workbook(path)
    summary = wb.worksheets[0]
    fond = next(r for r in summary.iter_rows() if r[0].value == "fond")
    # total, NPV, IRR, multiple, peak cash need: after the party's id, name and role
    assert [c.number_format for c in fond[3:8]] == ["#,##0", "#,##0", "0.0%", '0.00"×"', "#,##0"]
    assert isinstance(fond[5].value, float)  # a number Excel can compute with, not text
    scenarios = wb.worksheets[-1]
    irr = next(r for r in scenarios.iter_rows() if str(r[0].value).startswith("fond IRR"))
    assert {c.number_format for c in irr[1:]} == {"0.0%"}


def test_the_business_case_names_the_activity_fees_inside_the_rules_payments() -> None:
    # hemmasittare pays 10,000 per participant who starts as an activity fee: not an outcome
    case = business_case_json(load_contract(HEMMA))
    totals, rules = case["totals"], case["rules"]
    assert totals["activity_fees"] == pytest.approx(rules["aktivitet"])
    assert totals["outcome_payments"] == pytest.approx(sum(rules.values()))
    for lang, text in (
        ("en", "Payments under the rules SEK 9,752,398 (of which activity fees SEK 1,061,347)"),
        ("sv", "Betalningar enligt reglerna 9 752 398 kr (varav aktivitetsarvoden 1 061 347 kr)"),
    ):
        out = CliRunner().invoke(main, ["model", str(HEMMA), "--lang", lang]).output
        assert text in out.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_search_range_upside_down_is_a_usage_error() -> None:
    args = ["solve", str(HEMMA), "--vary", "rules[0].price", "--target", "fond.irr=6%"]
    result = CliRunner().invoke(main, [*args, "--low", "10", "--high", "5", "--lang", "en"])
    assert result.exit_code == 2
    assert "--low 10 is not below --high 5" in result.output


def test_json_and_csv_together_is_a_usage_error_not_a_silent_choice() -> None:
    result = CliRunner().invoke(main, ["model", str(HEMMA), "--json", "--csv", "--lang", "en"])
    assert result.exit_code == 2
    assert "Give --json or --csv, not both" in result.output


def test_solve_with_only_a_low_end_above_the_default_range_searches_upward_from_it() -> None:
    # before: the default high end (10 × the current value) stayed below the given low end,
    # and the answer spoke of an upside-down range the user never gave: "between
    # 100,000,000 and 4,500,000", or "Between --low 1,000.5 and --high 200 there is no
    # whole number" with no --high given at all
    base = ["solve", str(HEMMA), "--target", "fond.irr=6%", "--lang", "en"]
    res = CliRunner().invoke(main, [*base, "--vary", "rules[0].price", "--low", "1e8"])
    assert "between 100,000,000 and 1,000,000,000" in res.output, res.output
    res = CliRunner().invoke(main, [*base, "--vary", "term_periods", "--low", "1000.5"])
    assert "--high" not in res.output and "no whole number" not in res.output, res.output


def test_solve_with_only_a_high_end_below_the_default_range_searches_downward_from_it() -> None:
    # before: "no value between 0 and 0" (the range [0, -5] narrowed); now the range reaches
    # down from -5, and a price there is refused as the contract refuses it: not negative
    c = load_contract(HEMMA)
    with pytest.raises(UsageError) as exc:
        solve(c, "rules[0].price", "fond.irr=6%", high=-5.0)
    assert "rules[0].price=-50.0" in exc.value.render("en")
    assert "cannot be negative" in exc.value.render("en")
