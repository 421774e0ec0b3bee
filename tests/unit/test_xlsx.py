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
    ("contract", "lang", "sheet", "year", "total"),
    [
        (HEMMA, "en", "Payments", "Budget year", "Total"),
        (HEMMA, "sv", "Betalningar", "Budgetår", "Summa"),
        (PETERBOROUGH, "en", "Payments", "Budget year", "Total"),
    ],
)
def test_the_workbook_gives_the_payments_by_budget_year_and_payer_of_the_json(
    tmp_path: Path, contract: Path, lang: str, sheet: str, year: str, total: str
) -> None:
    wb, case = model(tmp_path, contract, "--lang", lang)
    table = block(wb[sheet], year)
    payers = list(next(iter(case["outcome_payments_by_year"].values())))
    assert list(table[0]) == [year, *payers, total]
    by_year = {r[0]: r[1:] for r in table[1:]}
    for when, paid in case["outcome_payments_by_year"].items():
        assert by_year[when] == pytest.approx([*paid.values(), sum(paid.values())])
    assert by_year[total][-1] == pytest.approx(case["totals"]["outcome_payments"])


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
