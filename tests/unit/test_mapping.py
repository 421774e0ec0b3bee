"""The mapping file: the example loads, and every mistake is reported at once, each with
its line, field path and a message in Swedish or English, as the contract checker does."""

from __future__ import annotations

from pathlib import Path

import pytest

from effekt.contract.problems import Problem
from effekt.errors import ContractInvalid, DataError, InputError
from effekt.evaluation_io.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hemmasittare.mapping.toml"

MINIMAL = """
format_version = 1
[identifier]
column = "pnr"
key_env = "K"
[columns]
treatment = "grupp"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[Problem]:
    """The problems of a mapping file with ``text``, which must be refused."""
    with pytest.raises(ContractInvalid) as info:
        load_mapping(write(tmp_path, text))
    assert info.value.code == "mapping.invalid"
    return info.value.problems


def the_problem(tmp_path: Path, text: str) -> Problem:
    """The one problem of a mapping file with ``text``."""
    found = problems(tmp_path, text)
    assert len(found) == 1, [p.stated() for p in found]
    return found[0]


def test_example_mapping_loads_with_roles_and_policies() -> None:
    m = load_mapping(EXAMPLE)
    assert m.identifier is not None and m.identifier.column == "personnummer"
    assert m.identifier.drop == ["elevnamn"]
    assert m.columns.treated_values == ["insats"]
    assert [c.column for c in m.covariates] == ["alder", "kon", "franvaro_fore", "tidigare_stod"]
    spec = m.outcome("back_in_school")
    assert spec is not None and spec.kind == "attendance_share" and spec.at_least == 0.8
    assert m.missing_data.policy == "exclude_and_report"
    assert m.attrition.policy == "worst_case"
    assert Path(m.base_dir) == EXAMPLE.parent


def test_paths_in_the_mapping_are_relative_to_the_mapping_file(tmp_path: Path) -> None:
    m = load_mapping(write(tmp_path, MINIMAL))
    assert m.resolve("events.csv") == tmp_path / "events.csv"


def test_identifier_without_a_key_source_is_refused(tmp_path: Path) -> None:
    found = the_problem(tmp_path, MINIMAL.replace('key_env = "K"', ""))
    assert (found.code, found.path, found.line) == ("mapping.no_key_source", "identifier", 3)


def test_two_key_sources_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace('key_env = "K"', 'key_env = "K"\nkey_file = "k.hex"')
    assert the_problem(tmp_path, text).code == "mapping.two_key_sources"


def test_unknown_field_is_refused_with_its_path_and_the_field_meant(tmp_path: Path) -> None:
    found = the_problem(tmp_path, MINIMAL + 'cohrot = "kohort"\n')
    assert (found.code, found.path, found.line) == ("contract.unknown_field", "columns.cohrot", 8)
    assert found.message("en").endswith('Did you mean "cohort"?')
    assert found.message("sv").endswith('Menade du "cohort"?')


def test_attendance_outcome_without_scheduled_days_is_refused_naming_what_it_lacks(
    tmp_path: Path,
) -> None:
    text = MINIMAL + '[[outcomes]]\nmetric = "m"\nkind = "attendance_share"\nattended = "a"\n'
    found = the_problem(tmp_path, text)
    assert (found.code, found.path, found.line) == ("mapping.outcome_incomplete", "outcomes[0]", 8)
    assert "attendance_share also needs: scheduled" in found.message("en")
    assert "attendance_share behöver också: scheduled" in found.message("sv")


def test_unknown_missing_data_policy_is_refused_listing_the_policies(tmp_path: Path) -> None:
    found = the_problem(tmp_path, MINIMAL + '[missing_data]\npolicy = "impute"\n')
    assert (found.code, found.path) == ("contract.bad_choice", "missing_data.policy")
    assert "complete_case, exclude_and_report, worst_case" in found.message("en")


def test_toml_syntax_error_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, "format_version = = 1"))
    assert info.value.code == "mapping.syntax"
    assert ", rad 1: mappningsfilen går inte att läsa som TOML: värdet går inte att läsa" in (
        info.value.render("sv")
    )


def test_missing_mapping_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_mapping(tmp_path / "nowhere.toml")
    assert info.value.code == "file.not_found"


def test_source_defaults_sniff_the_separator_and_the_decimal_sign(tmp_path: Path) -> None:
    source = load_mapping(write(tmp_path, MINIMAL)).source
    assert (source.delimiter, source.decimal, source.encoding) == ("auto", "auto", "utf-8")


@pytest.mark.parametrize(
    ("line", "value"),
    [('delimiter = "\\t"', "\t"), ("delimiter = ';'", ";"), ('encoding = "cp1252"', "cp1252"),
     ('decimal = ","', ",")],
)  # fmt: skip
def test_source_settings_are_read_as_given(tmp_path: Path, line: str, value: str) -> None:
    source = load_mapping(write(tmp_path, MINIMAL + f"[source]\n{line}\n")).source
    assert getattr(source, line.split(" ")[0]) == value


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ('delimiter = "\\\\t"', "mapping.bad_delimiter"),  # a backslash and a t: two characters
        ('delimiter = ""', "mapping.bad_delimiter"),
        ('encoding = "windows-1252x"', "mapping.unknown_encoding"),
        ('encoding = "base64"', "mapping.unknown_encoding"),  # a codec, not a text encoding
    ],
)
def test_an_unusable_source_setting_is_refused_naming_its_field(
    tmp_path: Path, line: str, code: str
) -> None:
    found = the_problem(tmp_path, MINIMAL + f"[source]\n{line}\n")
    assert (found.code, found.path, found.line) == (code, f"source.{line.split(' ')[0]}", 9)


def test_a_date_format_is_read_for_the_file_and_its_events_take_their_own(
    tmp_path: Path,
) -> None:
    events = '[[events]]\nid = "brott"\nfile = "e.csv"\nid_column = "pnr"\ndate_column = "d"\n'
    m = load_mapping(write(tmp_path, MINIMAL + events + '[source]\ndate_format = "%d/%m/%Y"\n'))
    assert (m.source.date_format, m.events[0].date_format) == ("%d/%m/%Y", None)
    own = events + 'date_format = "%Y%m%d"\n'
    assert load_mapping(write(tmp_path, MINIMAL + own)).events[0].date_format == "%Y%m%d"
    assert load_mapping(write(tmp_path, MINIMAL)).source.date_format is None


@pytest.mark.parametrize(
    ("pattern", "because", "meant"),
    [
        ("", "date_format is empty", ""),
        ("dd/mm/yyyy", '"dd/mm/yyyy" has no directive (a % and a letter, such as %d for the day)',
         "%d/%m/%Y"),
        ("ÅÅÅÅ-MM-DD", '"ÅÅÅÅ-MM-DD" has no directive (a % and a letter, such as %d for the day)',
         "%Y-%m-%d"),
        ("--", '"--" has no directive (a % and a letter, such as %d for the day)', ""),
        ("dd/mm/yyyy hh:mm", '"dd/mm/yyyy hh:mm" has no directive (a % and a letter, such as '
         "%d for the day)", ""),  # mm is the minute here: nothing is said to be meant
        ("%d/%m/%Y %Q", '"%d/%m/%Y %Q" holds %Q, which effekt does not read dates by', ""),
        ("%j/%Y %a %z", '"%j/%Y %a %z" holds %j, %a, %z, which effekt does not read dates by',
         ""),
        ("%d.%m.%Y %", '"%d.%m.%Y %" ends with a % without a letter (a percent sign is written %%)',
         ""),
        ("%d/%m/%Y/%Y", '"%d/%m/%Y/%Y" gives a part of the date more than once (%Y, %Y)', ""),
        ("%d/%b/%m/%Y", '"%d/%b/%m/%Y" gives a part of the date more than once (%b, %m)', ""),
        ("%H:%M", '"%H:%M" is a time of day without a date', ""),
        ("%d/%m", '"%d/%m" has no year', ""),
        ("%d/%Y", '"%d/%Y" has no month', ""),
        ("%m/%Y", '"%m/%Y" has no day', ""),
        ("%Y", '"%Y" has no month and no day', ""),
        ("%B %d", '"%B %d" has no year', ""),
        ("%d/%M/%Y", '"%d/%M/%Y" has no month: %M is the minute, the month is %m', "%d/%m/%Y"),
    ],
)  # fmt: skip
def test_an_unusable_date_format_is_refused_saying_what_is_wrong(
    tmp_path: Path, pattern: str, because: str, meant: str
) -> None:
    found = the_problem(tmp_path, MINIMAL + f'[source]\ndate_format = "{pattern}"\n')
    assert (found.code, found.path, found.line) == (
        "mapping.bad_date_format",
        "source.date_format",
        9,
    )
    assert found.message("en").startswith(
        because + ". A date_format is a strftime pattern with the year (%Y, or %y for two "
        "digits), the month (%m, or %b or %B for its name in Swedish or English) and the day "
        '(%d) once each, and the time (%H, %M, %S) if need be, such as "%d/%m/%Y", "%Y.%m.%d" '
        'or "%d %B %Y".'
    )
    assert found.message("en").endswith(f'Did you mean "{meant}"?' if meant else '"%d %B %Y".')
    assert "Ett date_format är ett strftime-mönster med året" in found.message("sv")


@pytest.mark.parametrize(
    ("pattern", "because"),
    [
        ("", "date_format är tomt"),
        ("dd/mm/yyyy", '"dd/mm/yyyy" har inga direktiv (ett % och en bokstav, som %d för dagen)'),
        ("%d/%m/%Y %Q", '"%d/%m/%Y %Q" innehåller %Q, som effekt inte läser datum med'),
        ("%j/%Y %a", '"%j/%Y %a" innehåller %j, %a, som effekt inte läser datum med'),
        ("%d.%m.%Y %", '"%d.%m.%Y %" slutar med ett % utan bokstav (ett procenttecken skrivs %%)'),
        ("%d/%m/%Y/%Y", '"%d/%m/%Y/%Y" anger en del av datumet mer än en gång (%Y, %Y)'),
        ("%H:%M", '"%H:%M" är ett klockslag utan datum'),
        ("%d/%m", '"%d/%m" saknar år'),
        ("%Y", '"%Y" saknar månad och dag'),
        ("%d/%M/%Y", '"%d/%M/%Y" saknar månad: %M är minuten, månaden är %m'),
    ],
)  # fmt: skip
def test_an_unusable_date_format_is_explained_in_swedish(
    tmp_path: Path, pattern: str, because: str
) -> None:
    found = the_problem(tmp_path, MINIMAL + f'[source]\ndate_format = "{pattern}"\n')
    assert found.message("sv").startswith(because + ". Ett date_format är ett strftime-mönster")


def test_invalid_date_format_of_an_events_source_is_reported_with_its_line(tmp_path: Path) -> None:
    events = (
        '[[events]]\nid = "brott"\nfile = "e.csv"\nid_column = "pnr"\ndate_column = "d"\n'
        'date_format = "%d/%m"\n'
    )
    found = the_problem(tmp_path, MINIMAL + events)
    assert (found.code, found.path, found.line) == (
        "mapping.bad_date_format", "events[0].date_format", 13
    )  # fmt: skip


def test_a_decimal_sign_other_than_point_comma_or_auto_is_refused(tmp_path: Path) -> None:
    found = the_problem(tmp_path, MINIMAL + '[source]\ndecimal = ";"\n')
    assert (found.code, found.path) == ("contract.bad_choice", "source.decimal")


# ------------------------------------------------------------- every mistake at once


def with_mistakes() -> str:
    """The example mapping with four mistakes, as a commissioner might make them."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for right, wrong in [
        ('treatment = "grupp"', 'treatmnt = "grupp"'),
        ('column = "kon"\n', 'column = "kon"\nmin = "sex"\n'),
        ('kind = "attendance_share"', 'kind = "attendance"'),
        ('policy = "worst_case" ', 'policy = "worstcase" '),
    ]:
        assert right in text
        text = text.replace(right, wrong, 1)
    return text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                'columns.treatmnt: "treatmnt" is not a field of this table; check the spelling '
                'or remove it. Did you mean "treatment"?',
                "covariates[1].min: A number is needed here.",
                "outcomes[0].kind: This value is not allowed; choose one of value, "
                'attendance_share, event_count, days_in_state, status_at. Did you mean "attendance_share"?',
                "attrition.policy: This value is not allowed; choose one of worst_case, "
                'exclude_and_report. Did you mean "worst_case"?',
                "The mapping file has 4 errors.",
            ],
        ),
        (
            "sv",
            [
                'columns.treatmnt: "treatmnt" är inte ett fält i den här tabellen; kontrollera '
                'stavningen eller ta bort det. Menade du "treatment"?',
                "covariates[1].min: Här behövs ett tal.",
                "outcomes[0].kind: Värdet är inte tillåtet; välj ett av value, attendance_share, "
                'event_count, days_in_state, status_at. Menade du "attendance_share"?',
                "attrition.policy: Värdet är inte tillåtet; välj ett av worst_case, "
                'exclude_and_report. Menade du "worst_case"?',
                "Mappningsfilen har 4 fel.",
            ],
        ),
    ],
)  # fmt: skip
def test_every_mistake_in_a_mapping_is_reported_at_once_with_its_line_and_path(
    tmp_path: Path, lang: str, expected: list[str]
) -> None:
    text = with_mistakes()
    with pytest.raises(ContractInvalid) as info:
        load_mapping(write(tmp_path, text))
    lines = text.splitlines()
    found = info.value.problems
    assert [p.stated(lang) for p in found] + [info.value.render(lang)] == expected
    for p, word in zip(found, ["treatmnt", "sex", "attendance", "worstcase"], strict=True):
        assert p.file == str(tmp_path / "m.toml") and p.line is not None
        assert word in lines[p.line - 1]  # the line the mistake is written on


def test_one_mistake_is_counted_in_the_singular(tmp_path: Path) -> None:
    with pytest.raises(ContractInvalid) as info:
        load_mapping(write(tmp_path, MINIMAL + 'cohrot = "kohort"\n'))
    assert info.value.render("en") == "The mapping file has 1 error."
    assert info.value.render("sv") == "Mappningsfilen har 1 fel."


@pytest.mark.parametrize(
    ("text", "path", "code"),
    [
        ("[[eligibility]]\ncolumn = \"a\"\nop = \"in\"\nvalue = { x = 1 }\n",
         "eligibility[0].value", "mapping.bad_rule_value"),
        ("[columns]\ntreatment = \"g\"\ntreated_values = [[1]]\n",
         "columns.treated_values[0]", "mapping.not_a_scalar"),
        ("[source]\nsheet = 1.5\n", "source.sheet", "mapping.bad_sheet"),
        ("[source]\ncomment = \"//\"\n", "source.comment", "mapping.bad_comment"),
        ("[[outcomes]]\nmetric = \"m\"\ncolumn = \"y\"\nwindow_days = 1.5\n",
         "outcomes[0].window_days", "mapping.not_a_whole_number"),
        ("[[events]]\nid = \"Brott\"\nfile = \"e.csv\"\nid_column = \"pnr\"\n",
         "events[0].id", "mapping.bad_id"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_kind_is_one_problem_in_words_not_pydantic_english(
    tmp_path: Path, text: str, path: str, code: str
) -> None:
    found = the_problem(tmp_path, "format_version = 1\n" + text)
    assert (found.path, found.code) == (path, code)
    for lang in ("en", "sv"):
        message = found.message(lang)
        assert "Input should" not in message and "{" not in message


EVENTS = """
[[events]]
id = "brott"
file = "e.csv"
id_column = "pnr"
date_column = "datum"
"""


@pytest.mark.parametrize(
    ("text", "path", "code"),
    [
        ('[[outcomes]]\nmetric = "r"\nkind = "event_count"\nevents = "brot"\nanchor = "d"\n',
         "outcomes[0].events", "mapping.unknown_events"),
        ('[[outcomes]]\nmetric = "r"\nkind = "event_count"\nevents = "brott"\n',
         "outcomes[0]", "mapping.outcome_needs_anchor"),
        ('[[outcomes]]\nmetric = "r"\nkind = "status_at"\nevents = "brott"\nanchor = "d"\n',
         "events[0]", "mapping.events_need_column"),
        ('[[outcomes]]\nmetric = "r"\ncolumn = "a"\n[[outcomes]]\nmetric = "r"\ncolumn = "b"\n',
         "outcomes[1].metric", "mapping.duplicate_outcome"),
    ],
)  # fmt: skip
def test_an_outcome_that_cannot_be_computed_is_refused_when_the_mapping_is_read(
    tmp_path: Path, text: str, path: str, code: str
) -> None:
    found = the_problem(tmp_path, MINIMAL + EVENTS + text)
    assert (found.path, found.code) == (path, code)
    assert found.line is not None


@pytest.mark.parametrize(
    ("text", "path", "field", "role_en"),
    [
        ('cohort = "pnr"\n', "columns.cohort", "identifier.column", "the cohort column"),
        ('drop = ["namn"]\n[[covariates]]\ncolumn = "namn"\n', "covariates[0].column",
         "identifier.drop", "a covariate"),
    ],
)  # fmt: skip
def test_a_column_removed_at_import_cannot_also_have_a_role(
    tmp_path: Path, text: str, path: str, field: str, role_en: str
) -> None:
    # the identifier is pseudonymised and dropped before any role reads its column
    if text.startswith("drop"):
        mapping = MINIMAL.replace('key_env = "K"\n', 'key_env = "K"\n' + text.split("[[")[0])
        mapping += "[[" + text.split("[[")[1]
    else:
        mapping = MINIMAL + text
    found = the_problem(tmp_path, mapping)
    assert (found.path, found.code) == (path, "mapping.removed_column_in_role")
    column = "pnr" if field == "identifier.column" else "namn"
    assert found.message("en") == (
        f'"{column}" is removed at import ({field}), so it cannot also be {role_en}; '
        "name another column here."
    )
    assert found.message("sv").startswith(f'"{column}" tas bort vid importen ({field}), så ')


def test_an_unknown_events_source_suggests_the_one_meant(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + EVENTS
        + ('[[outcomes]]\nmetric = "r"\nkind = "event_count"\nevents = "brot"\nanchor = "d"\n')
    )
    found = the_problem(tmp_path, text)
    assert found.message("sv") == (
        'Mappningen har ingen händelsekälla som heter "brot". Menade du "brott"?'
    )


def test_a_share_threshold_written_as_a_percentage_is_refused_with_the_share_to_write(
    tmp_path: Path,
) -> None:
    # 80 for 80 %: no one's attendance share reaches 80, the effect would be zero
    text = MINIMAL + (
        '[[outcomes]]\nmetric = "m"\nkind = "attendance_share"\nattended = "a"\n'
        'scheduled = "s"\nat_least = 80\n'
    )
    [found] = problems(tmp_path, text)
    assert (found.path, found.line, found.code) == (
        "outcomes[0].at_least",
        13,
        "mapping.share_threshold_percent",
    )
    assert found.message("en").endswith(
        "so no one would reach it. For 80\u00a0%, write at_least = 0.8."
    )
    assert found.message("sv").endswith(
        "så ingen skulle nå gränsen. För 80\u00a0%, skriv at_least = 0.8."
    )


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        ('kind = "status_at"\nevents = "brott"\nanchor = "d"\nat_least = -0.5\n',
         "mapping.share_threshold"),
        ('kind = "event_count"\nevents = "brott"\nanchor = "d"\nat_least = 0\n',
         "mapping.count_threshold"),
        ('column = "x"\nmin = 0\nmax = 10\nat_least = 12\n', "mapping.threshold_outside_range"),
        ('column = "x"\nmin = 0\nmax = 10\nat_least = 0\n', "mapping.threshold_outside_range"),
    ],
)  # fmt: skip
def test_a_threshold_everyone_or_no_one_reaches_is_refused(
    tmp_path: Path, outcome: str, code: str
) -> None:
    spells = (
        'start_column = "s"\nend_column = "e"' if "status_at" in outcome else 'date_column = "d"'
    )
    text = MINIMAL + EVENTS.replace('date_column = "datum"', spells)
    [found] = problems(tmp_path, text + f'[[outcomes]]\nmetric = "m"\n{outcome}')
    assert (found.path, found.code) == ("outcomes[0].at_least", code)
    for lang in ("en", "sv"):
        assert "{" not in found.message(lang)


def test_a_threshold_inside_the_valid_values_is_accepted(tmp_path: Path) -> None:
    text = MINIMAL + '[[outcomes]]\nmetric = "m"\ncolumn = "x"\nmin = 0\nmax = 10\nat_least = 10\n'
    assert load_mapping(write(tmp_path, text)).outcomes[0].at_least == 10


def test_a_date_column_can_have_its_own_date_format_beside_the_files(tmp_path: Path) -> None:
    text = MINIMAL + 'referral_date = "remiss"\ndate_formats = { remiss = "%Y%m%d" }\n'
    m = load_mapping(write(tmp_path, text + '[source]\ndate_format = "%d/%m/%Y"\n'))
    assert (m.source.date_format, m.columns.date_formats) == ("%d/%m/%Y", {"remiss": "%Y%m%d"})


def test_an_unusable_date_format_of_a_column_is_refused_at_its_line(tmp_path: Path) -> None:
    text = MINIMAL + 'referral_date = "remiss"\ndate_formats = { remiss = "%d/%m" }\n'
    found = the_problem(tmp_path, text)
    assert (found.code, found.path, found.line) == (
        "mapping.bad_date_format", "columns.date_formats.remiss", 9
    )  # fmt: skip


def test_a_date_format_for_a_column_that_is_no_date_column_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + 'referral_date = "remiss"\ndate_formats = { remis = "%d/%m/%Y" }\n'
    found = the_problem(tmp_path, text)
    assert (found.code, found.path, found.line) == (
        "mapping.date_format_not_a_date_column", "columns.date_formats.remis", 9
    )  # fmt: skip
    assert found.message("en") == (
        'date_formats names "remis", which the mapping does not read as a date; its date '
        'columns are: remiss. Did you mean "remiss"?'
    )
    assert found.message("sv").startswith('date_formats nämner "remis", som mappningen inte')
    events = (
        '[[events]]\nid = "brott"\nfile = "e.csv"\nid_column = "pnr"\ndate_column = "d"\n'
        'date_formats = { pnr = "%d/%m/%Y" }\n'
    )
    found = the_problem(tmp_path, MINIMAL + events)
    assert (found.code, found.path) == (
        "mapping.date_format_not_a_date_column", "events[0].date_formats.pnr"
    )  # fmt: skip
