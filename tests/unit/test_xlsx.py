"""The business case workbook (``effekt model --xlsx``): every figure the text and JSON give,
in cells a controller can audit, in Swedish and English."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from small_contracts import example_with

from effekt.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples"
HEMMA = EXAMPLES / "hemmasittare.toml"
PETERBOROUGH = EXAMPLES / "peterborough.toml"


def model(tmp_path: Path, contract: Path, *args: str) -> tuple[Any, dict[str, Any]]:
    """The workbook ``effekt model`` writes for ``contract`` and the JSON of the same run."""
    path = tmp_path / "case.xlsx"
    runner = CliRunner()
    wrote = runner.invoke(main, ["model", str(contract), "--xlsx", str(path), *args])
    assert wrote.exit_code == 0, wrote.output
    printed = runner.invoke(main, ["model", str(contract), "--json"])
    assert printed.exit_code == 0, printed.output
    return load_workbook(path), json.loads(printed.output)


def rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def block(ws: Worksheet, first: str) -> list[tuple[Any, ...]]:
    """The table whose header row starts with ``first``, down to the first empty row."""
    out: list[tuple[Any, ...]] = []
    for r in ws.iter_rows(values_only=True):
        if out and all(v is None for v in r):
            break
        if out or r[0] == first:
            out.append(r)
    assert out, f"no table headed {first!r} on {ws.title}"
    return out


@pytest.mark.parametrize(
    ("contract", "lang", "sheet", "year", "total", "unit"),
    [
        (HEMMA, "en", "Payments", "Budget year", "Total", "SEK"),
        (HEMMA, "sv", "Betalningar", "Budgetår", "Summa", "kr"),
        (PETERBOROUGH, "en", "Payments", "Budget year", "Total", "GBP"),
    ],
)
def test_the_workbook_gives_the_payments_by_budget_year_and_payer_of_the_json(
    tmp_path: Path, contract: Path, lang: str, sheet: str, year: str, total: str, unit: str
) -> None:
    wb, case = model(tmp_path, contract, "--lang", lang)
    table = block(wb[sheet], year)
    payers = list(next(iter(case["outcome_payments_by_year"].values())))
    assert list(table[0]) == [year, *payers, f"{total} ({unit})"]
    by_year = {r[0]: r[1:] for r in table[1:]}
    for when, paid in case["outcome_payments_by_year"].items():
        assert by_year[when] == pytest.approx([*paid.values(), sum(paid.values())])
    assert by_year[total][-1] == pytest.approx(case["totals"]["outcome_payments"])


def test_payers_with_different_budget_years_each_have_their_column_in_every_year(
    tmp_path: Path,
) -> None:
    # the MoJ books by calendar year, the lottery fund from April: no year has both
    contract = example_with(
        tmp_path,
        "budget_year_start_month = 4       # UK fiscal year starts in April",
        "budget_year_start_month = 1",
        "peterborough",
    )
    wb, case = model(tmp_path, contract, "--lang", "en")
    table = block(wb["Payments"], "Budget year")
    assert list(table[0]) == ["Budget year", "moj", "blf", "Total (GBP)"]
    by_year = {r[0]: r[1:] for r in table[1:]}
    for when, paid in case["outcome_payments_by_year"].items():
        row = [paid.get("moj"), paid.get("blf"), sum(paid.values())]
        assert by_year[when] == pytest.approx(row)
    moj = sum(paid.get("moj", 0.0) for paid in case["outcome_payments_by_year"].values())
    assert by_year["Total"][0] == pytest.approx(moj)
    assert by_year["Total"][-1] == pytest.approx(case["totals"]["outcome_payments"])


def test_the_workbook_gives_each_rules_payments_of_the_json(tmp_path: Path) -> None:
    wb, case = model(tmp_path, HEMMA, "--lang", "en")
    table = block(wb["Payments"], "Rule")
    paid = {r[0]: r[1] for r in table[1:]}
    assert paid == pytest.approx({**case["rules"], "Total": case["totals"]["outcome_payments"]})


@pytest.mark.parametrize(("lang", "sheet"), [("en", "Waterfall"), ("sv", "Vattenfall")])
def test_the_workbook_gives_the_waterfall_per_tranche_of_the_json(
    tmp_path: Path, lang: str, sheet: str
) -> None:
    wb, case = model(tmp_path, HEMMA, "--lang", lang)
    table = rows(wb[sheet])
    assert len(table) == 1 + len(case["tranches"])
    fields = ("drawn", "capital_returned", "returns", "guarantee_and_first_loss")
    for row, tranche in zip(table[1:], case["tranches"], strict=True):
        assert row[:2] == (tranche["id"], tranche["investor"])
        assert row[3:] == pytest.approx([tranche[f] for f in fields])
    seniority = {
        "en": {"senior", "junior (first loss)"},
        "sv": {"senior", "junior (första förlust)"},
    }
    assert {row[2] for row in table[1:]} == seniority[lang]


def party_sheet(ws: Worksheet) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    """A party's sheet: its period rows and its total row."""
    table = rows(ws)
    return table[1:-1], table[-1]


@pytest.mark.parametrize("contract", [HEMMA, PETERBOROUGH, EXAMPLES / "norrkoping.toml"])
def test_each_party_sheet_discounts_its_flows_to_the_npv_of_the_json(
    tmp_path: Path, contract: Path
) -> None:
    wb, case = model(tmp_path, contract, "--lang", "en")
    for pid, party in case["parties"].items():
        if pid in ("deal", "outside"):
            continue
        periods, total = party_sheet(wb[pid])
        assert [r[2] for r in periods] == pytest.approx(party["cash_flows"])
        assert periods[0][4] == 1.0  # the first period's flows are not discounted
        factors = [r[4] for r in periods]
        assert factors == sorted(factors, reverse=True) or party["discount_rate"] == 0
        assert [r[5] for r in periods] == pytest.approx([r[2] * r[4] for r in periods], abs=0.01)
        assert total[2] == pytest.approx(party["total"], abs=0.01)
        assert total[5] == pytest.approx(party["npv"], abs=0.5)


def test_the_summary_gives_each_partys_discount_rate_and_payback_period(tmp_path: Path) -> None:
    wb, case = model(tmp_path, HEMMA, "--lang", "en")
    table = block(wb.worksheets[0], "party")
    head = list(table[0])
    rate, payback = head.index("discount rate/yr"), head.index("payback period")
    by_party = {r[0]: r for r in table[1:]}
    for pid in ("kommun", "fond", "stiftelse"):
        assert by_party[pid][rate] == case["parties"][pid]["discount_rate"]
        assert by_party[pid][payback] == case["parties"][pid]["payback_period"]
    fond = next(r for r in wb.worksheets[0].iter_rows() if r[0].value == "fond")
    assert fond[rate].number_format == "0.0%"


@pytest.mark.parametrize(
    ("lang", "party", "name"), [("en", "party", "name"), ("sv", "part", "namn")]
)
def test_the_summary_names_each_party_beside_its_id(
    tmp_path: Path, lang: str, party: str, name: str
) -> None:
    wb, case = model(tmp_path, HEMMA, "--lang", lang)
    table = block(wb.worksheets[0], party)
    assert list(table[0][:2]) == [party, name]
    names = {r[0]: r[1] for r in table[1:]}
    assert names["kommun"] == "Exempelkommun (socialnämnden och barn- och utbildningsnämnden)"
    assert names["fond"] == "Social investeringsfond"
    assert names["—"] is None  # the deal's and the outside world's accounts: no party's name
    assert len(table) - 1 == len(case["parties"])
    # wide enough to read the names (before: 18 characters, the kommun's name cut at a third)
    assert wb.worksheets[0].column_dimensions["B"].width >= 60


@pytest.mark.parametrize(
    ("contract", "lang", "npv", "flow"),
    [
        (HEMMA, "en", "NPV (SEK)", "Cash flow (SEK)"),
        (HEMMA, "sv", "nuvärde (kr)", "Kassaflöde (kr)"),
        (PETERBOROUGH, "en", "NPV (GBP)", "Cash flow (GBP)"),
        (PETERBOROUGH, "sv", "nuvärde (GBP)", "Kassaflöde (GBP)"),
    ],
)
def test_every_money_column_names_its_currency(
    tmp_path: Path, contract: Path, lang: str, npv: str, flow: str
) -> None:
    wb, case = model(tmp_path, contract, "--lang", lang)
    summary = block(wb.worksheets[0], {"en": "party", "sv": "part"}[lang])
    assert npv in summary[0]
    party = next(iter(case["parties"]))
    assert flow in rows(wb[party])[0]


def test_period_starts_are_dates_and_headers_stay_in_view(tmp_path: Path) -> None:
    import datetime as dt

    wb, case = model(tmp_path, HEMMA, "--lang", "sv")
    ws = wb["kommun"]
    assert ws.cell(row=2, column=2).value == dt.datetime(2027, 1, 1)
    assert ws.cell(row=2, column=2).number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "A2"
    summary = wb.worksheets[0]
    header = next(r[0].row for r in summary.iter_rows() if r[0].value == "part")
    assert summary.freeze_panes == f"A{header + 1}"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("positive when the party receives money", "(1 + rate)^(-(t - 1)/4)", "simulate")),
        ("sv", ("positiva när parten tar emot pengar", "(1 + räntan)^(-(t - 1)/4)", "simulate")),
    ],
)
def test_the_summary_says_how_to_read_its_figures(
    tmp_path: Path, lang: str, words: tuple[str, ...]
) -> None:
    wb, _ = model(tmp_path, HEMMA, "--lang", lang)
    text = " ".join(str(v) for r in rows(wb.worksheets[0]) for v in r if isinstance(v, str))
    assert "Tillbaka till skolan – Exempelkommun" in text  # the contract's name
    for word in words:
        assert word in text


def test_the_inputs_sheet_gives_each_input_its_value_here_as_written_and_its_source(
    tmp_path: Path,
) -> None:
    wb, _ = model(tmp_path, HEMMA, "--lang", "en")
    table = block(wb["Inputs"], "Input")
    assert table[0] == (
        "Input",
        "Value in this case",
        "As written in the contract",
        "Source or note",
    )
    by_input = {r[0]: r[1:] for r in table[1:]}
    value, written, source = by_input["costs.per_participant"]
    assert value == pytest.approx((45_000 + 60_000 + 80_000) / 3)  # a triangular's mean
    assert (
        written
        == '{ dist = "triangular", low = 45000, mode = 60000, high = 80000, id = "cost_pp" }'
    )
    assert source.startswith("Provider costs are ASSUMPTIONS")  # the costs' note
    value, written, source = by_input["metrics[back_in_school].expected"]
    assert value == pytest.approx(0.45) and 'dist = "beta"' in written
    assert source.startswith("Comparison: pupils with the same absence pattern")
    assert by_input["costs.setup"][:2] == (300_000, "300000")
    assert by_input["cohorts[k2].size"][0] == pytest.approx(40)
    assert by_input["rules[skolnarvaro].price"][0] == pytest.approx(450_000)


def test_the_inputs_sheet_names_the_contracts_sources_and_the_price_index(tmp_path: Path) -> None:
    from effekt.contract.load import load_contract
    from effekt.engine.payments import index_factors

    wb, _ = model(tmp_path, HEMMA, "--lang", "sv")
    ws = wb["Indata"]
    text = [str(v) for r in rows(ws) for v in r if v is not None]
    c = load_contract(HEMMA)
    assert all(source in text for source in c.sources)
    assert any("KPI, SCB" in cell and "2026" in cell for cell in text)
    factors = block(ws, "År")
    by_year = {r[0]: r[1] for r in factors[1:]}
    expected = dict(zip((d.year for d in c.period_dates()), index_factors(c), strict=True))
    assert by_year == pytest.approx(expected)


@pytest.mark.parametrize(("lang", "head"), [("en", "Scenario"), ("sv", "Scenario")])
def test_the_scenarios_sheet_says_what_each_scenario_changes(
    tmp_path: Path, lang: str, head: str
) -> None:
    wb, _ = model(
        tmp_path,
        HEMMA,
        "--scenario",
        "pessimistic",
        "--scenario",
        "dyr=costs.per_participant=90000",
        "--lang",
        lang,
    )
    changes = [r[:3] for r in block(wb.worksheets[-1], head)]
    assert changes[1:] == [
        ("pessimistic", "metrics[0].expected", 0.38),
        ("pessimistic", "cohorts[0].engagement", 0.7),
        ("dyr", "costs.per_participant", 90000),
    ]


def _as_json(contract: Path, to: Path) -> Path:
    """The same contract written as JSON."""
    import tomllib

    to.write_text(json.dumps(tomllib.loads(contract.read_text()), default=str), encoding="utf-8")
    return to


@pytest.mark.parametrize(
    ("notation", "written"),
    [
        ("toml", '{ dist = "beta", mean = 0.4, sd = 0.1 }'),
        ("json", '{"dist": "beta", "mean": 0.4, "sd": 0.1}'),
    ],
)
def test_the_scenarios_sheet_writes_a_distribution_as_the_contract_writes_it(
    tmp_path: Path, notation: str, written: str
) -> None:
    contract = HEMMA if notation == "toml" else _as_json(HEMMA, tmp_path / "hemma.json")
    spec = 'osaker=metrics[0].expected={"dist": "beta", "mean": 0.4, "sd": 0.1}'
    wb, _ = model(tmp_path, contract, "--scenario", spec, "--lang", "en")
    changes = [r[:3] for r in block(wb.worksheets[-1], "Scenario")]
    assert changes[1:] == [("osaker", "metrics[0].expected", written)]
    inputs = {r[0]: r[2] for r in block(wb["Inputs"], "Input")[1:]}
    cost = inputs["costs.per_participant"]
    assert cost.startswith(
        {"toml": '{ dist = "triangular"', "json": '{"dist": "triangular"'}[notation]
    )


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "owed by the deal and unpaid at the end of the term"),
        ("sv", "affärens skuld som är obetald vid löptidens slut"),
    ],
)
def test_the_summary_totals_say_what_the_deal_still_owes_at_the_end(
    tmp_path: Path, lang: str, label: str
) -> None:
    wb, case = model(tmp_path, HEMMA, "--lang", lang)
    totals = {r[0]: r[1] for r in rows(wb.worksheets[0]) if len(r) > 1}
    assert totals[label] == case["totals"]["unpaid_at_end"]
    assert not any(str(k).startswith("xlsx.totals.") for k in totals)
