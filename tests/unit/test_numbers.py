"""Numbers as files write them: a value is read with the file's decimal sign only, and a
value that is not a number that way is unreadable — never another number."""

from __future__ import annotations

import doctest
import math

import pandas as pd
import pytest

from effekt.evaluation_io import numbers
from effekt.evaluation_io.numbers import (
    decimal_sign,
    has_numbers,
    numeric_column,
    other_sign_fits,
    parse_number,
    to_numbers,
)


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(numbers).failed == 0


@pytest.mark.parametrize(
    ("setting", "delimiter", "sign"),
    [
        ("auto", ";", ","),  # Swedish Excel: ; because the comma is the decimal sign
        ("auto", ",", "."),
        ("auto", "\t", "."),
        ("auto", "|", "."),
        ("auto", "", "."),  # Excel or Parquet: no separator
        (",", ",", ","),  # declared: the setting, whatever the separator
        (".", ";", "."),
    ],
)
def test_decimal_sign_is_a_comma_only_in_a_semicolon_file_unless_declared(
    setting: str, delimiter: str, sign: str
) -> None:
    assert decimal_sign(setting, delimiter) == sign


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0,87", 0.87),
        ("12", 12.0),
        ("-3,5", -3.5),
        ("\u22120,5", -0.5),  # U+2212 MINUS SIGN
        ("+2,25", 2.25),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),  # no-break space
        ("1\u202f234\u202f567", 1234567.0),  # narrow no-break space
        ("1,234", 1.234),  # a decimal comma: by the file's convention, not a thousand
        ("1,5E-03", 0.0015),
        (",5", 0.5),
        (" 0,87 ", 0.87),
    ],
)
def test_swedish_numbers_are_read_with_a_decimal_comma(text: str, value: float) -> None:
    assert parse_number(text, ",") == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize(
    "text",
    ["1.234", "0.87", "1.234,5", "12 34", "1 2345", "1  234", "abc", "0,8,7", "87 %", "1 234.5"],
)
def test_a_value_the_comma_convention_cannot_read_is_unreadable(text: str) -> None:
    assert parse_number(text, ",") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.87", 0.87), ("-12", -12.0), ("\u22120.5", -0.5), ("1.5e-3", 0.0015), ("1.234", 1.234)],
)
def test_numbers_with_a_decimal_point_are_read_as_written(text: str, value: float) -> None:
    assert parse_number(text, ".") == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["1,234", "0,87", "1 234", "1 234.5", "abc", "inf", "1.2.3"])
def test_a_value_the_point_convention_cannot_read_is_unreadable(text: str) -> None:
    assert parse_number(text, ".") is None


def test_empty_values_are_missing_and_words_are_unreadable() -> None:
    values, bad = to_numbers(pd.Series(["0,87", "", "  ", None, "abc", "1\u00a0234"]), ",")
    assert values.iloc[0] == 0.87 and values.iloc[5] == 1234.0
    assert all(math.isnan(v) for v in values.iloc[1:5])
    assert bad.tolist() == [False, False, False, False, True, False]


def test_a_column_already_read_as_numbers_is_left_as_it_is() -> None:
    values, bad = to_numbers(pd.Series([1, 2, 3]), ",")
    assert values.tolist() == [1.0, 2.0, 3.0] and not bad.any()


def test_one_thousand_two_hundred_and_thirty_four_is_never_read_from_the_other_convention() -> None:
    assert to_numbers(pd.Series(["1,234"]), ".")[1].tolist() == [True]
    assert to_numbers(pd.Series(["1.234"]), ",")[1].tolist() == [True]
    assert to_numbers(pd.Series(["1,234"]), ",")[0].tolist() == [1.234]
    assert to_numbers(pd.Series(["1.234"]), ".")[0].tolist() == [1.234]


def test_a_column_wholly_in_the_other_convention_is_found_with_its_first_row() -> None:
    assert other_sign_fits(pd.Series(["12", "0.87", None, "0.5"]), ",") == 1
    assert other_sign_fits(pd.Series(["1,234", "0,5"]), ".") == 0


@pytest.mark.parametrize(
    "values",
    [
        ["0,87", "0.5"],  # mixed: the odd value is unreadable, by its row
        ["0.87", "abc"],  # a word: not a column of numbers written the other way
        ["1", "2"],  # whole numbers read the same either way
        ["0,87"],  # the file's own convention
    ],
)
def test_a_column_not_wholly_in_the_other_convention_is_not_flagged(values: list[str]) -> None:
    assert other_sign_fits(pd.Series(values), ",") is None


def test_a_column_of_numbers_becomes_numbers_and_whole_numbers_stay_integers() -> None:
    col = numeric_column(pd.Series(["0,87", "1 234,5", None]), ",")
    assert col is not None and col.tolist()[:2] == [0.87, 1234.5]
    whole = numeric_column(pd.Series(["12", "1 000"]), ",")
    assert whole is not None and whole.dtype == "int64" and whole.tolist() == [12, 1000]


def test_a_column_with_one_word_stays_text() -> None:
    assert numeric_column(pd.Series(["0,87", "okänd"]), ",") is None
    assert numeric_column(pd.Series(["Syntetisk elev 1"]), ",") is None


def test_a_column_of_words_has_no_numbers_either_way() -> None:
    assert not has_numbers(pd.Series(["pojke", "flicka", None]))
    assert has_numbers(pd.Series(["pojke", "0,5"]))
    assert has_numbers(pd.Series(["pojke", "0.5"]))
