"""A number written as text, as spreadsheets and Swedish texts write it, is read for what it
means; the message says how the file should write it, in the file's own syntax, and gives
both readings where the text can mean two numbers."""

from __future__ import annotations

import doctest
import json
import tomllib
from typing import Any

import pytest
import yaml
from small_contracts import MINIMAL

from effekt.contract import notation, written_numbers
from effekt.contract.load import check_document, parse_text
from effekt.contract.problems import Problem
from effekt.contract.written_numbers import read_number


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(written_numbers).failed == 0
    assert doctest.testmod(notation).failed == 0


@pytest.mark.parametrize(
    ("written", "toml", "plain"),
    [
        ("450000", "450000", "450000"),
        ("12,000,000", "12_000_000", "12000000"),
        ("450 000", "450_000", "450000"),
        ("450\u00a0000", "450_000", "450000"),  # no-break space, as Swedish Excel writes it
        ("450\u202f000", "450_000", "450000"),  # narrow no-break space
        ("450 000 kr", "450_000", "450000"),
        ("450\u00a0000\u00a0kr", "450_000", "450000"),
        ("SEK 450 000", "450_000", "450000"),
        ("450 000:-", "450_000", "450000"),
        ("1 200,50", "1_200.5", "1200.5"),
        ("1,200.50", "1_200.5", "1200.5"),
        ("1.200,50", "1_200.5", "1200.5"),
        ("1.500.000", "1_500_000", "1500000"),
        ("0,85", "0.85", "0.85"),
        ("−1 250", "-1_250", "-1250"),  # the minus sign U+2212
        ("-SEK 7,424,683", "-7_424_683", "-7424683"),
        ("45 %", "0.45", "0.45"),
        ("7,5 %", "0.075", "0.075"),
        ("100%", "1", "1"),
        (" 20 ", "20", "20"),
    ],
)
def test_a_number_written_as_text_is_read_as_it_means(written: str, toml: str, plain: str) -> None:
    found = read_number(written)
    assert found is not None
    [reading] = found.readings
    assert (reading.written("toml"), reading.written("json"), reading.written("yaml")) == (
        toml,
        plain,
        plain,
    )


@pytest.mark.parametrize(
    ("written", "figure"), [("7,5 %", "7,5"), ("\u22125 %", "-5"), ("SEK 450 000", "450 000")]
)
def test_the_figure_is_kept_as_written_with_its_sign(written: str, figure: str) -> None:
    found = read_number(written)
    assert found is not None and found.figure == figure


@pytest.mark.parametrize(
    ("written", "thousands", "decimal"),
    [
        ("1,500", "1_500", "1.5"),
        ("SEK 450,000", "450_000", "450"),
        ("-2,250", "-2_250", "-2.25"),
    ],
)
def test_a_comma_before_three_digits_is_read_both_ways(
    written: str, thousands: str, decimal: str
) -> None:
    found = read_number(written)
    assert found is not None
    assert [r.written("toml") for r in found.readings] == [thousands, decimal]


@pytest.mark.parametrize("written", ["0,500", "1,50", "1234,500", "1.500"])
def test_a_comma_or_point_that_cannot_group_thousands_is_a_decimal_sign(written: str) -> None:
    found = read_number(written)
    assert found is not None and len(found.readings) == 1


@pytest.mark.parametrize(
    "written", ["lots", "", "1 2", "12,00,000", "450 tkr", "1,2,3", "abc 450", "4 5 %", "--3"]
)
def test_text_that_is_no_number_is_not_read_as_one(written: str) -> None:
    assert read_number(written) is None


def _check(fmt: str, table: str, key: str, value: Any) -> Problem:
    """The problem at ``table.key`` of MINIMAL, set to ``value`` and written in ``fmt``."""
    data = tomllib.loads(MINIMAL)
    section, _, index = table.partition(".")
    node = data[section][int(index)] if index else data.setdefault(section, {})
    node[key] = value
    if fmt == "json":
        text = json.dumps(data, default=str, ensure_ascii=False)
    elif fmt == "yaml":
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    else:
        text = MINIMAL.replace("price = 1000", f"price = {json.dumps(value, ensure_ascii=False)}")
        assert (table, key) == ("rules.0", "price"), "TOML: only the price is edited"
    _, problems = check_document(parse_text(text, fmt, f"c.{fmt}"))
    [found] = problems
    return found


@pytest.mark.parametrize(
    ("fmt", "write"),
    [("toml", "price = 12_000_000"), ("json", '"price": 12000000'), ("yaml", "price: 12000000")],
)
def test_the_message_says_how_to_write_the_number_in_the_files_own_syntax(
    fmt: str, write: str
) -> None:
    found = _check(fmt, "rules.0", "price", "12,000,000")
    if fmt == "yaml":  # YAML writes 12,000,000 without quotes: none to drop
        assert found.code == "contract.number_as_text_unquoted"
        assert f"thousands separators or currency: {write}" in found.message("en")
        assert f"tusentalsavgränsare eller valuta: {write}" in found.message("sv")
        return
    assert found.code == "contract.number_as_text"
    assert f"without quotes: {write}" in found.message("en")
    assert f"utan citattecken: {write}" in found.message("sv")


@pytest.mark.parametrize("written", ["450 000 kr", "SEK 450\u00a0000", "450\u202f000"])
def test_amounts_as_spreadsheets_write_them_get_the_hint(written: str) -> None:
    found = _check("toml", "rules.0", "price", written)
    assert found.code == "contract.number_as_text"
    assert "price = 450_000" in found.message("en")


@pytest.mark.parametrize("fmt", ["toml", "json", "yaml"])
def test_an_ambiguous_number_gets_both_readings_not_a_guess(fmt: str) -> None:
    found = _check(fmt, "rules.0", "price", "1,500")
    bare = "_unquoted" if fmt == "yaml" else ""  # YAML writes 1,500 without quotes
    assert found.code == f"contract.number_as_text_ambiguous{bare}"
    thousands, decimal = {
        "toml": ("price = 1_500", "price = 1.5"),
        "json": ('"price": 1500', '"price": 1.5'),
        "yaml": ("price: 1500", "price: 1.5"),
    }[fmt]
    for lang in ("en", "sv"):
        said = found.message(lang)
        assert thousands in said and decimal in said, said
    assert "thousands" in found.message("en") and "decimal comma" in found.message("en")
    assert "tusental" in found.message("sv") and "decimalkomma" in found.message("sv")
