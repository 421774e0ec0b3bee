"""One rule for a number's sign (CLDR): Swedish text writes U+2212, English text the
hyphen-minus, a zero has no sign, and the machine-readable outputs keep plain ASCII numbers
whatever the language."""

from __future__ import annotations

import csv
import doctest
import io
import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from effekt.cli import main
from effekt.i18n import format as fmt
from effekt.i18n.format import minus_sign, money, number, percent, signed

MINUS, NBSP = "\u2212", "\u00a0"
HEMMA = Path(__file__).parents[2] / "examples" / "hemmasittare.toml"


# ------------------------------------------------------------------ the rule


def test_swedish_negative_numbers_use_the_minus_sign() -> None:
    assert minus_sign("sv") == MINUS
    assert number(-7424683, "sv") == f"{MINUS}7{NBSP}424{NBSP}683"
    assert number(-0.0631, "sv", 4) == f"{MINUS}0,0631"
    assert money(-7424683, "SEK", "sv") == f"{MINUS}7{NBSP}424{NBSP}683{NBSP}kr"
    assert money(-12.5, "EUR", "sv") == f"{MINUS}12,50{NBSP}EUR"
    assert percent(-0.407, "sv") == f"{MINUS}40,7{NBSP}%"


def test_english_negative_numbers_use_the_hyphen_minus() -> None:
    assert minus_sign("en") == "-"
    assert number(-7424683, "en") == "-7,424,683"
    assert money(-7424683, "SEK", "en") == "-SEK 7,424,683"
    assert money(-4440000, "GBP", "en") == "-£4,440,000"
    assert percent(-0.407, "en") == f"-40.7{NBSP}%"


def test_positive_numbers_have_no_sign_in_either_language() -> None:
    assert number(7424683, "sv") == f"7{NBSP}424{NBSP}683"
    assert number(7424683, "en") == "7,424,683"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_number_that_rounds_to_zero_is_written_without_a_sign(lang: str) -> None:
    zero, zero_2 = "0", "0,00" if lang == "sv" else "0.00"
    assert number(-0.4, lang) == zero
    assert number(-0.0, lang) == zero
    assert number(-0.004, lang, 2) == zero_2
    assert money(-0.001, "SEK", lang) in (f"0{NBSP}kr", "SEK 0")
    assert percent(-1e-12, lang) == f"0{NBSP}%"
    assert signed(-0.004, lang, 2) == zero_2 and signed(0.004, lang, 2) == zero_2


def test_signed_writes_plus_and_the_languages_minus() -> None:
    assert signed(1.06, "sv", 1) == "+1,1"
    assert signed(-10.83, "sv", 1) == f"{MINUS}10,8"
    assert signed(15.3, "en", 1) == "+15.3"
    assert signed(-10.83, "en", 1) == "-10.8"
    assert signed(-1234.5, "sv") == f"{MINUS}1{NBSP}234"


def test_the_format_modules_examples_hold() -> None:
    result = doctest.testmod(fmt)
    assert result.attempted > 0 and result.failed == 0


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)


@given(finite, st.integers(0, 4))
def test_swedish_and_english_write_the_same_number(value: float, decimals: int) -> None:
    sv, en = number(value, "sv", decimals), number(value, "en", decimals)
    assert "-" not in sv and MINUS not in en
    as_en = sv.replace(MINUS, "-").replace(NBSP, "").replace(",", ".")
    assert as_en == en.replace(",", "")
    # rounding moves a value by at most half a unit of the last digit (0.875 → 0.88 by
    # exactly that much, which float subtraction makes a hair more)
    assert math.isclose(
        float(as_en), value, abs_tol=0.5 * 10**-decimals + 1e-9 * max(1, abs(value))
    )


@given(finite, st.integers(0, 4), st.sampled_from(["sv", "en"]))
def test_no_zero_ever_carries_a_sign(value: float, decimals: int, lang: str) -> None:
    for text in (number(value, lang, decimals), signed(value, lang, decimals)):
        if not re.search("[1-9]", text):
            assert text[0] == "0"


# ------------------------------------------------------------------ through the commands


def model(*args: str) -> str:
    res = CliRunner().invoke(main, ["model", str(HEMMA), *args])
    assert res.exit_code == 0, res.output
    return res.output


def test_swedish_business_case_table_writes_negative_kronor_with_the_minus_sign() -> None:
    out = model("--lang", "sv")
    assert re.search(rf"{MINUS}\d{{1,3}}({NBSP}\d{{3}})*{NBSP}kr", out)
    assert not re.search(r"-\d", out)  # the table's rule under the head is dashes only


def test_english_business_case_table_writes_negative_amounts_with_the_hyphen_minus() -> None:
    out = model("--lang", "en")
    assert re.search(r"-SEK \d{1,3}(,\d{3})*", out)
    assert MINUS not in out


def test_csv_keeps_ascii_minus() -> None:
    rows = list(csv.reader(io.StringIO(model("--csv", "--lang", "sv"))))
    flows = [float(cell) for row in rows[1:] for cell in row[2:]]  # period, start, flows…
    assert MINUS not in "".join(",".join(r) for r in rows)
    assert any(f < 0 for f in flows)


def test_json_keeps_negative_numbers_as_numbers() -> None:
    out = model("--json", "--lang", "sv")
    data = json.loads(out)
    assert MINUS not in out
    assert data["parties"]["kommun"]["npv"] < 0


def test_xlsx_cells_keep_negative_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "case.xlsx"
    model("--xlsx", str(path), "--lang", "sv")
    cells = [c.value for ws in load_workbook(path) for row in ws.iter_rows() for c in row]
    assert any(isinstance(v, int | float) and v < 0 for v in cells)
    assert not any(isinstance(v, str) and MINUS in v for v in cells)


def test_significant_keeps_the_figures_asked_for_in_the_languages_way() -> None:
    assert fmt.significant(1.23456, "sv") == "1,235"
    assert fmt.significant(-0.0631079, "sv") == MINUS + "0,06311"
    assert fmt.significant(444722.4, "en", 3) == "444,722"
    assert fmt.significant(0.5, "en", 6) == "0.5"
    assert fmt.significant(0.0, "sv") == "0"


def test_a_contracts_payer_shares_are_summed_in_the_languages_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(HEMMA.read_text().replace("payer_share = 0.7", "payer_share = 0.6667"))
    sv = CliRunner().invoke(main, ["check", str(bad), "--lang", "sv"]).output
    en = CliRunner().invoke(main, ["check", str(bad), "--lang", "en"]).output
    assert "summerar till 96,67\u00a0%" in sv
    assert "add up to 96.67\u00a0%" in en


def test_no_amount_in_the_business_case_is_a_negative_zero() -> None:
    # the deal account's first period is −4e−11 before rounding: it was written "-0.0"
    out = CliRunner().invoke(main, ["model", str(HEMMA), "--csv"]).output
    cells = [c for line in out.splitlines()[1:] for c in line.split(",")[2:]]
    assert cells and "-0.0" not in cells
    data = json.loads(CliRunner().invoke(main, ["model", str(HEMMA), "--json"]).output)
    flows = [v for p in data["parties"].values() for v in p["cash_flows"]]
    assert not any(v == 0 and math.copysign(1, v) < 0 for v in flows)


# ------------------------------------------------------------------ rates in a column


def test_a_rate_keeps_its_decimals_so_a_column_of_rates_lines_up() -> None:
    assert fmt.rate(0.0694, "en") == f"6.9{NBSP}%"
    assert fmt.rate(-0.01, "en") == f"-1.0{NBSP}%"
    assert fmt.rate(0.0, "sv") == f"0,0{NBSP}%"
    assert fmt.rate(-1.0, "sv") == f"{MINUS}100,0{NBSP}%"
    assert fmt.rate(-0.00001, "en") == f"0.0{NBSP}%"  # no sign on a zero


@pytest.mark.parametrize(
    ("lang", "fond", "stiftelse", "pessimistic"),
    [
        ("en", "6.9 %", "0.0 %", ["0.0 %", "-100.0 %", "0.0 %"]),
        ("sv", "6,9 %", "0,0 %", ["0,0 %", f"{MINUS}100,0 %", "0,0 %"]),
    ],
)
def test_the_business_case_writes_every_irr_with_one_decimal(
    lang: str, fond: str, stiftelse: str, pessimistic: list[str]
) -> None:
    out = model("--lang", lang, "--scenario", "pessimistic", "--scenario", "optimistic")
    lines = out.replace(NBSP, " ").splitlines()
    role = "investor" if lang == "en" else "investerare"
    party = {line.split()[0]: line for line in lines if f" {role} " in line}
    assert f" {fond} " in party["fond"] and f" {stiftelse} " in party["stiftelse"]
    [scenario] = [line for line in lines if line.startswith("stiftelse IRR")]
    assert [cell.strip() for cell in re.split(r" {2,}", scenario)[1:]] == pessimistic
