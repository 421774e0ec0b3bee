"""Personnummer and samordningsnummer validation and normalisation."""

from __future__ import annotations

import doctest
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from effekt.errors import DataError
from effekt.privacy import personnummer as pnr

TODAY = date(2025, 6, 1)


def _luhn(nine: str) -> str:
    """Check digit by the textbook rule, written independently of the module."""
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(pnr)
    assert result.attempted >= 4
    assert result.failed == 0


@pytest.mark.parametrize(
    "form", ["811218-9876", "8112189876", "198112189876", "19811218-9876", "  811218-9876\n"]
)
def test_every_accepted_form_normalises_to_twelve_digits(form: str) -> None:
    check = pnr.validate(form, today=TODAY)
    assert check.ok
    assert check.normalised == "198112189876"
    assert check.kind == "personnummer"


def test_plus_sign_means_the_person_is_a_hundred_or_older() -> None:
    assert pnr.normalise("121212+1212", today=TODAY) == "191212121212"
    assert pnr.normalise("121212-1212", today=TODAY) == "201212121212"


def test_ten_digit_number_born_later_in_the_year_belongs_to_the_previous_century() -> None:
    june_first = "250601" + "123"
    july_first = "250701" + "123"
    assert pnr.normalise(june_first + _luhn(june_first), today=TODAY).startswith("2025")
    assert pnr.normalise(july_first + _luhn(july_first), today=TODAY).startswith("1925")


def test_samordningsnummer_adds_sixty_to_the_day() -> None:
    check = pnr.validate("701063-2391", today=TODAY)
    assert check.kind == "samordningsnummer"
    assert check.normalised == "197010632391"  # the number keeps its day 63


def test_samordningsnummer_day_beyond_the_month_is_not_a_date() -> None:
    nine = "700292" + "239"  # 92 - 60 = 32 February
    assert pnr.validate(nine + _luhn(nine), today=TODAY).reason == "date"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("811218-9875", "checksum"),
        ("811318-9876", "date"),
        ("19000229-" + "000" + _luhn("000229000"), "date"),  # 1900 was not a leap year
        ("20991218-9876", "future"),
        ("81121-89876", "format"),
        ("811218/9876", "format"),
        ("19811218+9876", "format"),
        ("abcdef-ghij", "format"),
        ("501011234", "lost_zero"),  # 05MMDDNNNN from a number cell in Excel
        ("1234567890123", "format"),
        ("", "empty"),
        (None, "empty"),
    ],
)
def test_invalid_numbers_get_a_reason_code(number: str | None, reason: str) -> None:
    check = pnr.validate(number, today=TODAY)
    assert not check.ok
    assert check.reason == reason
    assert check.normalised is None


def test_nine_digits_are_said_to_have_lost_their_leading_zero_in_excel() -> None:
    from effekt.i18n import translate

    assert translate("privacy.pnr.lost_zero", "en") == (
        "The personnummer has 9 digits: most likely a number cell in Excel has dropped its "
        "leading zero (05MMDDNNNN). Format the column as text in Excel, or export it from "
        "the source system again."
    )
    assert translate("privacy.pnr.lost_zero", "sv") == (
        "Personnumret har 9 siffror: troligen har en talcell i Excel tappat den inledande "
        "nollan (05MMDDNNNN). Formatera kolumnen som text i Excel, eller ta ut den ur "
        "källsystemet igen."
    )
    assert "YYMMDDNNNN" in translate("privacy.pnr.format", "en")


def test_leap_day_of_2000_is_a_valid_date() -> None:
    nine = "000229" + "000"
    assert pnr.validate("20" + nine + _luhn(nine), today=TODAY).ok


def test_normalise_raises_a_data_error_that_does_not_echo_the_number() -> None:
    with pytest.raises(DataError) as err:
        pnr.normalise("811218-9875", today=TODAY)
    assert err.value.code == "privacy.pnr.checksum"
    for lang in ("en", "sv"):
        assert "9875" not in err.value.render(lang)
        assert "811218" not in err.value.render(lang)


def test_repr_of_a_result_hides_the_number() -> None:
    assert "9876" not in repr(pnr.validate("811218-9876", today=TODAY))


def test_series_validation_keeps_the_index_and_checks_every_row() -> None:
    values = pd.Series(["811218-9876", "811218-9875", None, "701063-2391"], index=[10, 11, 12, 13])
    result = pnr.validate_series(values, today=TODAY)
    assert list(result.index) == [10, 11, 12, 13]
    assert result["normalised"].tolist() == ["198112189876", pd.NA, pd.NA, "197010632391"]
    assert result["reason"].tolist() == [pd.NA, "checksum", "empty", pd.NA]
    assert result["kind"].tolist() == ["personnummer", pd.NA, pd.NA, "samordningsnummer"]


def test_series_normalisation_lists_every_bad_row_by_label_only() -> None:
    values = pd.Series(["811218-9876", "811218-9875", "xx"], index=["anna", "row-2", "row-3"])
    with pytest.raises(DataError) as err:
        pnr.normalise_series(values, today=TODAY)
    message = err.value.render("en")
    assert err.value.code == "privacy.pnr.invalid_rows"
    assert err.value.params["count"] == 2
    assert "row-2: checksum" in message and "row-3: format" in message
    assert "9875" not in message


def test_series_normalisation_of_valid_rows() -> None:
    out = pnr.normalise_series(["811218-9876", "8112189876"], today=TODAY)
    assert out.tolist() == ["198112189876", "198112189876"]


@settings(max_examples=200, deadline=None)
@given(
    born=st.dates(min_value=date(1890, 1, 1), max_value=TODAY),
    serial=st.integers(0, 999),
    co_ordination=st.booleans(),
    form=st.sampled_from(["12", "12-", "10", "10sep"]),
)
def test_generated_valid_numbers_normalise_and_a_wrong_check_digit_is_caught(
    born: date, serial: int, co_ordination: bool, form: str
) -> None:
    day = born.day + (60 if co_ordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    twelve = f"{born.year}{nine[2:]}{_luhn(nine)}"
    sep = (
        "+"
        if TODAY.year - born.year > 100
        or (TODAY.year - born.year == 100 and (born.month, born.day) <= (TODAY.month, TODAY.day))
        else "-"
    )
    text = {
        "12": twelve,
        "12-": twelve[:8] + "-" + twelve[8:],
        "10": twelve[2:] if sep == "-" else twelve[2:8] + "+" + twelve[8:],
        "10sep": twelve[2:8] + sep + twelve[8:],
    }[form]
    check = pnr.validate(text, today=TODAY)
    assert check.normalised == twelve
    assert check.kind == ("samordningsnummer" if co_ordination else "personnummer")
    wrong = text[:-1] + str((int(text[-1]) + 1) % 10)
    assert pnr.validate(wrong, today=TODAY).reason == "checksum"
