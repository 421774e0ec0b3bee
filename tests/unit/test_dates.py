"""Dates read in one form per column and never guessed: ISO 8601, YYYYMMDD, date cells, or
the mapping's date_format; anything else stops with its file, column, row and form."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from effekt.errors import DataError
from effekt.evaluation_io.date_formats import date_format_ok
from effekt.evaluation_io.dates import DateReader, form_of, to_dates

D = pd.Timestamp


def refusal(values: list[object], date_format: str | None = None, **where: str) -> DataError:
    reader = DateReader(where.get("path", "deltagare.csv"), date_format)
    with pytest.raises(DataError) as info:
        reader.read(pd.Series(values, name=where.get("column", "remissdatum")))
    return info.value


# ------------------------------------------------------------ read without a setting


def test_iso_dates_with_and_without_a_time_in_one_column_are_all_read() -> None:
    dates = to_dates(pd.Series(["2027-05-22", "2027-05-22 00:00", " 2027-06-01T13:45:00", ""]))
    assert dates.tolist()[:3] == [D("2027-05-22"), D("2027-05-22"), D("2027-06-01 13:45")]
    assert pd.isna(dates.iloc[3])


def test_an_iso_column_is_read_exactly_as_pandas_reads_iso_8601() -> None:
    values = pd.Series(["2027-05-22", None, "2027-06-01 13:45:10.5", " 2027-01-31 "], name="d")
    expected = pd.to_datetime(values.str.strip(), format="ISO8601", errors="coerce")
    pd.testing.assert_series_equal(to_dates(values), expected)


def test_compact_register_dates_read() -> None:
    assert to_dates(pd.Series(["20270522", None, "19991231"])).tolist() == [
        D("2027-05-22"), pd.NaT, D("1999-12-31")
    ]  # fmt: skip
    # a CSV or Excel reader gives such a column as numbers, with decimals when a cell is empty
    assert to_dates(pd.Series([20270522, 20270101])).tolist() == [D("2027-05-22"), D("2027-01-01")]
    assert to_dates(pd.Series([20270522.0, np.nan])).tolist()[0] == D("2027-05-22")


def test_a_compact_date_that_does_not_exist_stops_with_its_row() -> None:
    err = refusal(["20270522", "20271301", "20270230"])
    assert (err.code, err.params["row"], err.params["rows"]) == (
        "import.date_impossible",
        2,
        "2, 3",
    )
    assert err.params["form"] == "NNNNNNNN"


def test_date_cells_of_excel_and_parquet_are_taken_as_they_are() -> None:
    stamps = pd.Series(pd.to_datetime(["2027-05-22 13:45", None]))
    assert to_dates(stamps) is stamps
    mixed = pd.Series([dt.datetime(2027, 5, 22, 8), dt.date(2027, 6, 1), "2027-07-01", None])
    assert to_dates(mixed).tolist() == [
        D("2027-05-22 08:00"), D("2027-06-01"), D("2027-07-01"), pd.NaT
    ]  # fmt: skip


def test_an_empty_column_is_all_missing() -> None:
    assert to_dates(pd.Series([None, np.nan, " "])).isna().all()


# ------------------------------------------------------------- never a guess, never lost


def test_us_style_date_without_format_stops_with_row_and_form() -> None:
    err = refusal(["2027-05-22", "01/02/2027"])
    assert err.code == "import.date_unreadable"
    assert (err.params["row"], err.params["count"], err.params["form"]) == (2, 1, "NN/NN/NNNN")
    en = err.render("en")
    assert en == (
        'deltagare.csv: column "remissdatum", row 2, has a value in the form NN/NN/NNNN that '
        "cannot be read as a date (N stands for a digit). Write dates as 2027-05-22, or set "
        'date_format under [source] in the mapping file, e.g. date_format = "%d/%m/%Y".'
    )
    assert err.render("sv") == (
        'deltagare.csv: kolumnen "remissdatum", rad 2, har ett värde i formen NN/NN/NNNN som '
        "inte kan läsas som ett datum (N står för en siffra). Skriv datum som 2027-05-22 eller "
        'ange date_format under [source] i mappningsfilen, till exempel date_format = "%d/%m/%Y".'
    )
    assert "01/02/2027" not in en


def test_a_column_of_day_month_dates_is_never_read_month_first() -> None:
    """pandas read 01/02/2027 as 2 January; a Swedish file means 1 February."""
    err = refusal(["01/02/2027", "03/04/2027", "05/06/2027"])
    assert (err.code, err.params["rows"], err.params["count"]) == (
        "import.date_unreadable", "1, 2, 3", 3
    )  # fmt: skip


def test_impossible_date_stops_import() -> None:
    err = refusal(["2027-05-22", "2027-02-30", "2027-06-01 25:00"])
    assert err.code == "import.date_impossible"
    assert (err.params["row"], err.params["rows"], err.params["form"]) == (2, "2, 3", "NNNN-NN-NN")
    assert "row 2 has a date in the form NNNN-NN-NN" in err.render("en")
    assert "rad 2 har ett datum i formen NNNN-NN-NN (N står för en siffra) som inte finns" in (
        err.render("sv")
    )


def test_a_word_in_a_date_column_stops_with_its_row_and_not_the_word() -> None:
    err = refusal(["2027-05-22", None, "okänt"])
    assert (err.code, err.params["row"], err.params["form"]) == (
        "import.date_unreadable", 3, "aaaaa"
    )  # fmt: skip
    for lang in ("en", "sv"):
        assert "okänt" not in err.render(lang)
    assert "(N står för en siffra, a för en bokstav)" in err.render("sv")


def test_a_column_of_excel_serial_numbers_is_told_to_be_formatted_as_dates_in_excel() -> None:
    # a date column formatted as "General" in Excel is saved as its serial numbers
    err = refusal([46529, "46530", None, 46540.0])
    assert (err.code, err.params["form"]) == ("import.date_unreadable", "NNNNN")
    assert err.render("en").endswith(
        "row 1 has the form NNNNN (N stands for a digit). These look like the numbers Excel "
        "keeps dates as (46529 is 2027-05-22), saved from a column not formatted as dates: "
        "format the column as dates in Excel (yyyy-mm-dd) and save the file again. effekt "
        "does not read them as dates itself, since dates are never guessed."
    )
    assert err.render("sv").endswith(
        "rad 1 har formen NNNNN (N står för en siffra). De ser ut som de tal Excel lagrar datum "
        "som (46529 är 2027-05-22), sparade från en kolumn som inte är formaterad som datum: "
        "formatera kolumnen som datum i Excel (åååå-mm-dd) och spara filen igen. effekt läser "
        "dem inte som datum själv, eftersom datum aldrig gissas."
    )


def test_mixed_iso_and_compact_dates_stop_at_the_compact_one() -> None:
    err = refusal(["2027-05-22", "20270601"])
    assert (err.code, err.params["row"], err.params["form"]) == (
        "import.date_unreadable", 2, "NNNNNNNN"
    )  # fmt: skip


def test_rows_are_numbered_as_the_file_numbers_them() -> None:
    reader = DateReader("d.csv")
    with pytest.raises(DataError) as info:
        reader.read(pd.Series(["2027-05-22", "22/05/2027"], name="d"), pd.Series([7, 12]))
    assert info.value.params["row"] == 12


def test_at_most_five_rows_are_listed_with_the_count_of_all() -> None:
    err = refusal(["2027-01-01", *["1.2.2027"] * 7])
    assert (err.params["rows"], err.params["count"]) == ("2, 3, 4, 5, 6, …", 7)
    assert err.render("en").startswith(
        'deltagare.csv: column "remissdatum" has 7 values that cannot be read as dates, in '
        "rows 2, 3, 4, 5, 6, …; row 2 has the form N.N.NNNN (N stands for a digit)."
    )
    assert 'kolumnen "remissdatum" har 7 värden som inte kan läsas som datum, på raderna' in (
        err.render("sv")
    )


def test_a_long_value_is_shown_as_the_start_of_its_form() -> None:
    assert form_of("Anna Andersson, ring efter lunch") == "aaaa aaaaaaaaa, aaaa aaa…"
    assert form_of("31/01/2027 13:45") == "NN/NN/NNNN NN:NN"


# ------------------------------------------------------------------ with date_format


def test_day_first_dates_are_read_with_the_mapping_date_format() -> None:
    dates = to_dates(pd.Series(["01/02/2027", "31/01/2027", "1/2/2027", None]), "%d/%m/%Y")
    assert dates.tolist() == [D("2027-02-01"), D("2027-01-31"), D("2027-02-01"), pd.NaT]


@pytest.mark.parametrize(
    ("date_format", "written", "day"),
    [
        ("%d.%m.%Y", "22.05.2027", "2027-05-22"),
        ("%d.%m.%y", "22.05.27", "2027-05-22"),
        ("%m/%d/%Y", "05/22/2027", "2027-05-22"),
        ("%d %b %Y", "22 May 2027", "2027-05-22"),
        ("%d %B %Y", "22 may 2027", "2027-05-22"),
        ("%d/%m/%Y %H:%M", "22/05/2027 8:05", "2027-05-22 08:05"),
        ("%d%m%Y", "01022027", "2027-02-01"),
    ],
)
def test_a_date_format_reads_its_own_form(date_format: str, written: str, day: str) -> None:
    assert to_dates(pd.Series([written]), date_format).tolist() == [D(day)]


def test_with_a_date_format_another_form_stops_with_its_row() -> None:
    err = refusal(["22.05.2027", "2027-05-23"], "%d.%m.%Y")
    assert err.code == "import.date_not_in_format"
    assert (err.params["row"], err.params["form"]) == (2, "NNNN-NN-NN")
    assert 'cannot be read as a date with date_format = "%d.%m.%Y"' in err.render("en")
    assert 'som inte kan läsas som ett datum med date_format = "%d.%m.%Y"' in err.render("sv")


def test_a_day_next_to_another_number_needs_its_leading_zero() -> None:
    """1022027 by %d%m%Y could be 10 February or 1 February: it is refused, not guessed."""
    err = refusal(["01022027", "1022027"], "%d%m%Y")
    assert (err.code, err.params["row"], err.params["form"]) == (
        "import.date_not_in_format", 2, "NNNNNNN"
    )  # fmt: skip


def test_a_day_that_does_not_exist_in_the_date_format_stops_as_impossible() -> None:
    err = refusal(["30/02/2027"], "%d/%m/%Y")
    assert (err.code, err.params["row"]) == ("import.date_impossible", 1)


def test_a_word_that_is_no_month_name_stops_with_its_row() -> None:
    err = refusal(["22 Oct 2027", "22 okto 2027", "22 okt.. 2027"], "%d %b %Y")
    assert (err.code, err.params["rows"], err.params["form"]) == (
        "import.date_not_in_format", "2, 3", "NN aaaa NNNN"
    )  # fmt: skip


def test_an_events_file_is_named_with_its_own_table() -> None:
    reader = DateReader("brott.csv", "%d/%m/%Y", '[[events]] id = "brott"')
    with pytest.raises(DataError) as info:
        reader.read(pd.Series(["22/05/2027", "23/05/2027", "2027-05-24"], name="datum"))
    assert 'change date_format under [[events]] id = "brott" in the mapping file' in (
        info.value.render("en")
    )


@pytest.mark.parametrize(
    "pattern", ["%d/%m/%Y", "%Y-%m-%d", "%Y%m%d", "%d.%m.%y", "%d %b %Y", "%B %d, %Y",
                "%d/%m/%Y %H:%M:%S", "%d/%m/%Y 100%%"],
)  # fmt: skip
def test_a_date_format_with_year_month_and_day_is_taken(pattern: str) -> None:
    assert date_format_ok(pattern)


@pytest.mark.parametrize(
    "pattern", ["", "dd/mm/yyyy", "%d/%m", "%m/%Y", "%d/%Y", "%d/%m/%Y/%y", "%d/%m/%Y %H %H",
                "%j/%Y", "%d/%m/%Y %z", "%x", "%d/%m/%Y %", "%d/%b/%m/%Y"],
)  # fmt: skip
def test_a_date_format_without_one_year_month_and_day_is_refused(pattern: str) -> None:
    assert not date_format_ok(pattern)


# ------------------------------------------- month names in Swedish and English, any locale

SWEDISH = "januari februari mars april maj juni juli augusti september oktober november december"
ENGLISH = "January February March April May June July August September October November December"


@pytest.mark.parametrize(
    ("date_format", "written", "day"),
    [
        ("%d %B %Y", "1 mars 2027", "2027-03-01"),
        ("%d %b %Y", "1 mar 2027", "2027-03-01"),
        ("%d %b %Y", "15 okt. 2027", "2027-10-15"),
        ("%d %b. %Y", "15 okt. 2027", "2027-10-15"),
        ("%d %b %Y", "15 OKT 2027", "2027-10-15"),
        ("%d %B %Y", "31 maj 2027", "2027-05-31"),
        ("%d %b %Y", "31 Maj 2027", "2027-05-31"),
        ("%d %B %Y", "1 sept. 2027", "2027-09-01"),
        ("%B %d, %Y", "October 15, 2027", "2027-10-15"),
        ("%d-%b-%y", "15-okt-27", "2027-10-15"),
        ("%d%b%Y", "1mar2027", "2027-03-01"),
        ("%d %B %Y %H:%M", "1 augusti 2027 13:45", "2027-08-01 13:45"),
    ],
)
def test_a_month_name_is_read_in_swedish_or_english(
    date_format: str, written: str, day: str
) -> None:
    assert to_dates(pd.Series([written]), date_format).tolist() == [D(day)]


@pytest.mark.parametrize("date_format", ["%d %b %Y", "%d %B %Y"])
def test_every_month_name_full_or_short_means_its_own_month(date_format: str) -> None:
    names = [*SWEDISH.split(), *ENGLISH.split()]
    short = [name[:3] for name in names]
    written = [f"1 {name} 2027" for name in names + short]
    months = [d.month for d in to_dates(pd.Series(written), date_format)]
    assert months == list(range(1, 13)) * 4


@pytest.fixture
def swedish_lc_time(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """The process's LC_TIME set to Swedish, as a host program that calls
    setlocale(LC_ALL, "") would leave it. Where the machine lacks the locale it is compiled
    for the test (localedef, from Debian's libc-bin), its definition installed first if
    need be (Debian's ``locales``, as the MatchIt comparison installs R); the test fails
    with a clear message if that is impossible — it is never skipped."""
    import locale
    import shutil
    import subprocess
    from pathlib import Path

    before = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, "sv_SE.UTF-8")
    except locale.Error:
        source = Path("/usr/share/i18n/locales/sv_SE")
        apt = shutil.which("apt-get")
        if not source.exists() and apt is not None:
            for step in ([apt, "update"], [apt, "install", "-y", "--no-install-recommends",
                                           "locales"]):  # fmt: skip
                subprocess.run(step, capture_output=True, check=False)
        localedef = shutil.which("localedef")
        if localedef is None or not source.exists():
            pytest.fail("A Swedish LC_TIME is needed: install Debian's locales and libc-bin")
        folder = tmp_path_factory.mktemp("locales")
        made = subprocess.run(
            [localedef, "-i", "sv_SE", "-f", "UTF-8", str(folder / "sv_SE.UTF-8")],
            capture_output=True,
            text=True,
            check=False,
        )
        monkeypatch.setenv("LOCPATH", str(folder))
        try:
            locale.setlocale(locale.LC_TIME, "sv_SE.UTF-8")
        except locale.Error:
            pytest.fail(f"Compiling a Swedish LC_TIME failed: {made.stderr.strip()}")
    yield locale.setlocale(locale.LC_TIME)
    locale.setlocale(locale.LC_TIME, before)


def test_month_names_are_read_the_same_whatever_the_locale(swedish_lc_time: str) -> None:
    import time

    assert time.strftime("%B", time.struct_time((2027, 10, 1, 0, 0, 0, 4, 274, 0))) == "oktober"
    written = pd.Series(["22 Oct 2027", "22 okt 2027", "22 October 2027", "22 oktober 2027"])
    assert to_dates(written, "%d %b %Y").tolist() == [D("2027-10-22")] * 4


# ------------------------------------------- a column in another form: a date_format to set


@pytest.mark.parametrize(
    ("values", "suggested"),
    [
        (["25/03/2027", "1/4/2027"], ("%d/%m/%Y",)),
        (["03/25/2027", "4/1/2027"], ("%m/%d/%Y",)),
        (["2027.03.01", "2027.12.31"], ("%Y.%m.%d",)),
        (["2027/3/1"], ("%Y/%m/%d",)),
        (["31.03.27", "01.04.27"], ("%d.%m.%y",)),
        (["1 mars 2027", "15 okt. 2027", "31 maj 2027"], ("%d %B %Y",)),
        (["15 okt. 2027", "1 mars 2027"], ("%d %b %Y",)),
        (["March 1, 2027", "Oct 15, 2027"], ("%B %d, %Y",)),
        (["1-Mar-27"], ("%d-%b-%y",)),
        (["31/03/2027 13:45", "1/4/2027 8:05"], ("%d/%m/%Y %H:%M",)),
        (["31/03/2027 13:45:10"], ("%d/%m/%Y %H:%M:%S",)),
        (["31012027", "15022027"], ("%d%m%Y",)),  # read as YYYYMMDD: months 20 and 20
    ],
)
def test_a_column_in_another_form_is_given_the_date_format_that_reads_it(
    values: list[str], suggested: tuple[str, ...]
) -> None:
    err = refusal(values)
    assert err.params["suggested"] == suggested
    for pattern in suggested:  # it reads them, and is only suggested: the import stopped
        assert DateReader(date_format=pattern).read(pd.Series(values)).notna().all()


def test_day_first_or_month_first_is_left_to_the_user_when_both_read_the_column() -> None:
    err = refusal(["01/03/2027", "12/11/2027", "5/6/2027"])
    assert err.params["suggested"] == ("%d/%m/%Y", "%m/%d/%Y")
    assert err.render("en") == (
        'deltagare.csv: column "remissdatum" has 3 values that cannot be read as dates, in rows '
        "1, 2, 3; row 1 has the form NN/NN/NNNN (N stands for a digit). All 3 are read both by "
        'date_format = "%d/%m/%Y", day first (01/03/2027 is 1 March 2027), and by date_format = '
        '"%m/%d/%Y", month first (01/03/2027 is 3 January 2027): no day or month in them is above '
        "12, so only the file's maker knows which. Check which it is and write it under [source] "
        "in the mapping file; effekt does not guess."
    )
    assert err.render("sv") == (
        'deltagare.csv: kolumnen "remissdatum" har 3 värden som inte kan läsas som datum, på '
        "raderna 1, 2, 3; rad 1 har formen NN/NN/NNNN (N står för en siffra). Alla 3 kan läsas både "
        'med date_format = "%d/%m/%Y", dagen först (01/03/2027 är 1 mars 2027), och med '
        'date_format = "%m/%d/%Y", månaden först (01/03/2027 är 3 januari 2027): ingen dag eller '
        "månad i dem är över 12, så bara den som har tagit fram filen vet vilket som gäller. Ta "
        "reda på vilket det är och skriv det under [source] i mappningsfilen; effekt gissar inte."
    )


def test_a_suggested_date_format_is_named_with_where_to_write_it() -> None:
    err = refusal(["2027.03.01", "", "2027.12.31"])
    assert err.render("en").endswith(
        "row 1 has the form NNNN.NN.NN (N stands for a digit). All 2 are read by "
        'date_format = "%Y.%m.%d": if that is how the file writes its dates, write it under '
        "[source] in the mapping file. effekt does not do so itself, since dates are never guessed."
    )
    assert err.render("sv").endswith(
        "rad 1 har formen NNNN.NN.NN (N står för en siffra). Alla 2 kan läsas med "
        'date_format = "%Y.%m.%d": om det är så filen skriver sina datum, skriv det under '
        "[source] i mappningsfilen. effekt gör det inte själv, eftersom datum aldrig gissas."
    )
    one = refusal(["1 mars 2027"])
    assert one.render("en").endswith(
        'It is read by date_format = "%d %B %Y": if that is how the file writes its dates, write '
        "it under [source] in the mapping file. effekt does not do so itself, since dates are "
        "never guessed."
    )
    assert 'Värdet kan läsas med date_format = "%d %B %Y": om det är så' in one.render("sv")
    for said in (err, one):
        for lang in ("en", "sv"):
            assert "2027.03.01" not in said.render(lang) and "mars" not in said.render(lang)


def test_a_date_format_that_does_not_fit_the_column_is_given_the_one_that_does() -> None:
    err = refusal(["31/03/2027", "1/4/2027"], "%d.%m.%Y", column="release")
    assert (err.code, err.params["suggested"]) == ("import.date_not_in_format", ("%d/%m/%Y",))
    assert 'All 2 are read by date_format = "%d/%m/%Y": if that is' in err.render("en")


def test_an_events_file_is_told_to_write_the_suggestion_under_its_own_table() -> None:
    reader = DateReader("brott.csv", None, '[[events]] id = "brott"')
    with pytest.raises(DataError) as info:
        reader.read(pd.Series(["31/03/2027"], name="datum"))
    assert 'write it under [[events]] id = "brott" in the mapping file' in info.value.render("en")


def test_a_few_values_in_another_form_get_no_suggestion() -> None:
    """One stray value among good ones is a mistake to correct, not the column's form."""
    err = refusal(["2027-05-22", "2027-05-23", "31/03/2027"])
    assert err.params["suggested"] == ()
    assert err.render("en").endswith('e.g. date_format = "%d/%m/%Y".')


@pytest.mark.parametrize(
    "values",
    [
        ["31/03/2027", "2027.03.31", "1/4/2027"],  # two forms: none reads them all
        ["okänt", "saknas"],
        ["31/31/2027", "1/1/2027"],  # neither order reads 31/31
        ["2027-02-30", "2027-02-31"],  # ISO, but days that do not exist
    ],
)
def test_no_date_format_is_suggested_unless_one_reads_every_failing_value(
    values: list[str],
) -> None:
    assert refusal(values).params["suggested"] == ()


def test_date_formats_module_examples_hold() -> None:
    import doctest

    from effekt.evaluation_io import date_formats

    assert doctest.testmod(date_formats).failed == 0


def test_a_suggestion_says_where_to_write_a_format_for_the_column_alone() -> None:
    reader = DateReader("deltagare.csv", "%Y-%m-%d", own_table="[columns.date_formats]")
    with pytest.raises(DataError) as info:
        reader.read(pd.Series(["2027.03.01", "2027.12.31"], name="utskriven"))
    assert info.value.render("en").endswith(
        'All 2 are read by date_format = "%Y.%m.%d": if that is how the file writes its dates, '
        "write it under [source] in the mapping file; if only this column is written so, write "
        'utskriven = "%Y.%m.%d" under [columns.date_formats] instead. effekt does not do so '
        "itself, since dates are never guessed."
    )
    assert (
        'om bara den här kolumnen skrivs så, skriv i stället utskriven = "%Y.%m.%d" under '
        "[columns.date_formats]" in info.value.render("sv")
    )
    with pytest.raises(DataError) as info:
        reader.read(pd.Series(["01/03/2027", "12/11/2027"], name="utskriven"))
    assert (
        'if only this column is written so, write utskriven = "%d/%m/%Y" or "%m/%d/%Y" under '
        "[columns.date_formats] instead" in info.value.render("en")
    )


def test_a_column_with_its_own_date_format_is_told_to_change_that_one() -> None:
    reader = DateReader(
        "deltagare.csv", "%Y-%m-%d", own_table="[columns.date_formats]",
        formats={"utskriven": "%d.%m.%Y"},
    )  # fmt: skip
    with pytest.raises(DataError) as info:
        reader.read(pd.Series(["2027.03.01", "2027.12.31"], name="utskriven"))
    err = info.value
    assert (err.params["date_format"], err.params["table"]) == (
        "%d.%m.%Y", "[columns.date_formats]"
    )  # fmt: skip
    assert err.render("en").endswith(
        'All 2 are read by date_format = "%Y.%m.%d": if that is how the column is written, write '
        'utskriven = "%Y.%m.%d" under [columns.date_formats] in the mapping file. effekt does '
        "not do so itself, since dates are never guessed."
    )
