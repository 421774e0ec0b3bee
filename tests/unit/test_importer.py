"""The importer: identifiers validated and pseudonymised at once, raw columns dropped,
data quality reported by row number — never by value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from effekt.errors import ConfigurationError, ContractInvalid, DataError
from effekt.evaluation_io.importer import (
    PSEUDONYM,
    ROW,
    ImportRejected,
    import_events,
    import_participants,
    load_key,
    read_table,
)
from effekt.evaluation_io.mapping import Mapping, Source, load_mapping
from effekt.privacy.pseudonym import PseudonymKey, generate_key

TODAY = dt.date(2026, 1, 1)
KEY_HEX = "8f" + "".join(f"{i:02x}" for i in range(1, 32))


def luhn(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return nine + str((10 - total % 10) % 10)


def pnr(yymmdd: str, serial: int) -> str:
    ten = luhn(f"{yymmdd}{serial:03d}")
    return f"{ten[:6]}-{ten[6:]}"


PEOPLE = [pnr("120305", 981), pnr("130611", 982), pnr("110101", 983), pnr("140228", 984)]


def mapping(**extra: object) -> Mapping:
    data: dict[str, object] = {
        "identifier": {"column": "pnr", "key_env": "KEY", "drop": ["namn"]},
        "columns": {"treatment": "grupp", "treated_values": ["insats"]},
        "covariates": [{"column": "alder", "min": 6, "max": 19}],
        "eligibility": [{"column": "alder", "op": ">=", "value": 12}],
    }
    data.update(extra)
    return Mapping.model_validate(data)


def frame(ids: list[str], ages: list[object] | None = None) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "pnr": ids,
            "namn": [f"Namn {i}" for i in range(n)],
            "grupp": ["insats", "jamforelse"] * (n // 2) + ["insats"] * (n % 2),
            "alder": ages if ages is not None else [14] * n,
        }
    )


def run(tmp_path: Path, df: pd.DataFrame, m: Mapping | None = None, suffix: str = ".csv"):
    path = tmp_path / f"data{suffix}"
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_excel(path, index=False)
    return import_participants(path, m or mapping(), environ={"KEY": KEY_HEX}, today=TODAY)


def test_identifier_and_name_columns_are_replaced_by_a_pseudonym(tmp_path: Path) -> None:
    res = run(tmp_path, frame(PEOPLE))
    assert "pnr" not in res.frame.columns and "namn" not in res.frame.columns
    assert res.frame[PSEUDONYM].str.startswith("ps1_").all()
    assert res.frame[PSEUDONYM].nunique() == 4
    assert res.key_source == "env:KEY"
    text = res.frame.to_csv()
    for p in PEOPLE:
        assert p not in text and p.replace("-", "") not in text


def test_pseudonym_is_the_keyed_hmac_of_the_normalised_number(tmp_path: Path) -> None:
    from effekt.privacy.pseudonym import pseudonymise_personnummer

    res = run(tmp_path, frame(PEOPLE))
    key = PseudonymKey.from_text(KEY_HEX)
    assert res.frame[PSEUDONYM].iloc[0] == pseudonymise_personnummer(PEOPLE[0], key, today=TODAY)


def test_data_hash_is_the_sha256_of_the_file_bytes(tmp_path: Path) -> None:
    import hashlib

    res = run(tmp_path, frame(PEOPLE))
    assert res.data_sha256 == hashlib.sha256((tmp_path / "data.csv").read_bytes()).hexdigest()


def test_invalid_personnummer_lists_row_numbers_and_reasons_not_values(tmp_path: Path) -> None:
    bad_check = PEOPLE[1][:-1] + str((int(PEOPLE[1][-1]) + 1) % 10)
    ids = [PEOPLE[0], bad_check, "12-34", PEOPLE[3]]
    with pytest.raises(ImportRejected) as info:
        run(tmp_path, frame(ids))
    problems = info.value.problems
    assert [(p.row, p.code) for p in problems] == [
        (2, "privacy.pnr.checksum"),
        (3, "privacy.pnr.format"),
    ]
    rendered = str(info.value) + repr(problems)
    assert bad_check not in rendered and "12-34" not in rendered


def test_same_person_written_two_ways_is_a_duplicate(tmp_path: Path) -> None:
    twelve = "20" + PEOPLE[0].replace("-", "")
    with pytest.raises(ImportRejected) as info:
        run(tmp_path, frame([PEOPLE[0], PEOPLE[1], twelve, PEOPLE[3]]))
    assert [(p.row, p.code) for p in info.value.problems] == [
        (1, "import.duplicate"),
        (3, "import.duplicate"),
    ]


def test_keep_first_policy_drops_later_duplicates_and_reports_them(tmp_path: Path) -> None:
    m = mapping(duplicates={"policy": "keep_first"})
    res = run(tmp_path, frame([PEOPLE[0], PEOPLE[1], PEOPLE[0], PEOPLE[3]]), m)
    assert res.quality.duplicates == [1, 3]
    assert res.quality.excluded["duplicate"] == [3]
    assert res.frame[ROW].tolist() == [1, 2, 4]


def test_out_of_range_values_become_missing_and_are_reported(tmp_path: Path) -> None:
    m = mapping(eligibility=[])
    res = run(tmp_path, frame(PEOPLE, [14, 42, None, 13]), m)
    assert res.quality.out_of_range == {"alder": [2]}
    assert res.quality.missing == {"alder": [2, 3]}
    assert res.frame["alder"].isna().tolist() == [False, True, True, False]


def test_rows_outside_the_eligibility_rules_are_excluded_and_reported(tmp_path: Path) -> None:
    res = run(tmp_path, frame(PEOPLE, [14, 11, 12, 16]))
    assert res.quality.ineligible == {"alder >= 12": [2]}
    assert res.quality.excluded["ineligible"] == [2]
    assert res.frame[ROW].tolist() == [1, 3, 4]


def test_in_rule_compares_as_text(tmp_path: Path) -> None:
    m = mapping(eligibility=[{"column": "grupp", "op": "in", "value": ["insats"]}])
    res = run(tmp_path, frame(PEOPLE), m)
    assert res.frame[ROW].tolist() == [1, 3]


@pytest.mark.parametrize(
    ("rule", "value"),
    [({"op": "<=", "value": "tolv"}, "'tolv'"), ({"op": ">=", "value": [12, 13]}, "[12, 13]")],
)
def test_an_eligibility_rule_that_cannot_compare_says_which_rule_and_why(
    tmp_path: Path, rule: dict[str, object], value: str
) -> None:
    m = mapping(
        eligibility=[
            {"column": "grupp", "op": "in", "value": ["insats"]},
            {"column": "alder", **rule},
        ]
    )
    with pytest.raises(DataError) as err:
        run(tmp_path, frame(PEOPLE), m)
    assert err.value.code == "import.eligibility_not_comparable"
    for lang, words in (
        ("sv", "Mappningens eligibility[1]"),
        ("en", "The mapping's eligibility[1]"),
    ):
        message = err.value.render(lang)
        assert words in message and f"alder {rule['op']} {value}" in message


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_parquet_and_excel_give_the_same_frame_as_csv(tmp_path: Path, suffix: str) -> None:
    df = frame(PEOPLE)
    a = run(tmp_path, df).frame
    b = run(tmp_path, df, suffix=suffix).frame
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_other_identifiers_keep_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,grupp,alder\n0012,insats,14\n12,jamforelse,14\n")
    m = mapping(identifier={"column": "id", "kind": "other", "key_env": "KEY"})
    res = import_participants(path, m, environ={"KEY": KEY_HEX})
    assert res.frame[PSEUDONYM].nunique() == 2


def test_key_is_read_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "project.key").write_text(generate_key())
    m = mapping(identifier={"column": "pnr", "key_file": "project.key"})
    _, source = load_key(m.identifier, tmp_path, environ={})  # type: ignore[arg-type]
    assert source == "file:project.key"


def test_missing_key_variable_is_refused(tmp_path: Path) -> None:
    df = frame(PEOPLE)
    df.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(ConfigurationError) as info:
        import_participants(tmp_path / "d.csv", mapping(), environ={}, today=TODAY)
    assert info.value.code == "privacy.key.env_missing"


def test_ephemeral_key_is_used_only_when_the_mapping_allows_it(tmp_path: Path) -> None:
    m = mapping(identifier={"column": "pnr", "key_env": "KEY", "if_key_missing": "ephemeral"})
    df = frame(PEOPLE)
    df.to_csv(tmp_path / "d.csv", index=False)
    a = import_participants(tmp_path / "d.csv", m, environ={}, today=TODAY)
    b = import_participants(tmp_path / "d.csv", m, environ={}, today=TODAY)
    assert a.key_source == "ephemeral"
    assert set(a.frame[PSEUDONYM]).isdisjoint(set(b.frame[PSEUDONYM]))


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    from effekt.errors import DataError

    path = tmp_path / "d.json"
    path.write_text("{}")
    with pytest.raises(DataError) as info:
        read_table(path)
    assert info.value.code == "import.unknown_format"


def test_one_rejected_row_is_written_in_the_singular(tmp_path: Path) -> None:
    bad_check = PEOPLE[1][:-1] + str((int(PEOPLE[1][-1]) + 1) % 10)
    with pytest.raises(ImportRejected) as info:
        run(tmp_path, frame([PEOPLE[0], bad_check, PEOPLE[3]]))
    assert "1 rad har ett problem" in info.value.render("sv")
    assert "1 row has a problem" in info.value.render("en")
    assert "rad(er)" not in info.value.render("sv") and "row(s)" not in info.value.render("en")


# --- numbers as Swedish files write them (evaluation_io/numbers.py) ---------------------


def write(tmp_path: Path, header: str, rows: list[str], sep: str = ";") -> Path:
    """A file of PEOPLE, one person a row, with the given columns after the identifier."""
    path = tmp_path / "d.csv"
    lines = [f"pnr{sep}{header}"] + [f"{p}{sep}{r}" for p, r in zip(PEOPLE, rows, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def imported(path: Path, **extra: object):
    m = mapping(identifier={"column": "pnr", "key_env": "KEY"}, **extra)
    return import_participants(path, m, environ={"KEY": KEY_HEX}, today=TODAY)


def test_decimal_commas_in_a_semicolon_file_are_read_for_ranges_and_eligibility(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "grupp;alder;franvaro", [f"{g};14;{f}" for g, f in
                 zip(["insats", "jamforelse"] * 2, ["0,87", "0,4", "1 234,5", ""], strict=True)])  # fmt: skip
    res = imported(
        path,
        covariates=[{"column": "franvaro", "min": 0, "max": 1}],
        eligibility=[{"column": "franvaro", "op": ">=", "value": 0.5}],
    )
    assert res.quality.out_of_range == {"franvaro": [3]}  # 1 234,5 is read, and above 1
    assert res.quality.missing == {"franvaro": [3, 4]}
    assert res.quality.ineligible == {"franvaro >= 0.5": [2, 3, 4]}
    assert res.frame["franvaro"].tolist() == [0.87]


def test_a_decimal_point_among_decimal_commas_is_invalid_by_its_row_not_read(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, "grupp;franvaro", ["insats;0,87", "insats;0.5", "insats;abc", "insats;0,6"]
    )
    res = imported(path, covariates=[{"column": "franvaro"}], eligibility=[])
    assert res.quality.out_of_range == {"franvaro": [2, 3]}
    assert res.quality.missing == {"franvaro": [2, 3]}
    assert res.frame["franvaro"].tolist()[0::3] == [0.87, 0.6]


def test_a_column_wholly_in_decimal_points_in_a_semicolon_file_asks_for_the_setting(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "grupp;franvaro", ["insats;12", "insats;0.5", "insats;0.7", "insats;"])
    with pytest.raises(DataError) as info:
        imported(path, covariates=[{"column": "franvaro"}], eligibility=[])
    assert info.value.code == "import.decimal_point_unexpected"
    assert info.value.params["row"] == 2 and info.value.params["column"] == "franvaro"
    assert 'decimal = "."' in info.value.render("sv")
    res = imported(path, covariates=[{"column": "franvaro"}], eligibility=[],
                   source={"decimal": "."})  # fmt: skip
    assert res.frame["franvaro"].tolist()[:3] == [12.0, 0.5, 0.7]


def test_a_range_column_with_no_number_in_it_stops_the_import_naming_its_form(
    tmp_path: Path,
) -> None:
    # Excel's percent cells exported as text: every row missing would leave nobody to
    # analyse, and the user would be told there is no treated person rather than why
    path = write(tmp_path, "grupp;franvaro", ["insats;87 %", "jamforelse;40 %", "insats;", "x;5 %"])
    with pytest.raises(DataError) as info:
        imported(path, covariates=[{"column": "franvaro", "min": 0, "max": 1}], eligibility=[])
    err = info.value
    assert (err.code, err.params["column"], err.params["row"]) == (
        "import.no_numbers",
        "franvaro",
        1,
    )
    assert err.render("en") == (
        f'{path}: no value in column "franvaro" can be read as a number; row 1 has the form '
        "NN % (N stands for a digit). Write the numbers without a unit or percent sign (0.87 "
        "or 0,87, not 87\u00a0%), or check that the mapping names the right column."
    )
    assert err.render("sv") == (
        f'{path}: inget värde i kolumnen "franvaro" kan läsas som ett tal; rad 1 har formen '
        "NN % (N står för en siffra). Skriv talen utan enhet eller procenttecken (0,87 eller "
        "0.87, inte 87\u00a0%), eller kontrollera att mappningsfilen anger rätt kolumn."
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"decimal": ","}, [1.234, 0.5]),  # declared: a decimal comma
        ({"decimal": "."}, None),  # declared: a decimal point, so "1,234" is invalid
        ({}, "import.decimal_comma_unexpected"),  # auto in a comma file: asked, not guessed
    ],
)
def test_one_comma_two_three_four_in_a_comma_file_is_read_only_as_declared(
    tmp_path: Path, source: dict[str, str], expected: object
) -> None:
    path = write(
        tmp_path, "grupp,varde", ['insats,"1,234"', 'insats,"0,5"', "insats,", "insats,"], sep=","
    )
    extra = {"covariates": [{"column": "varde"}], "eligibility": [], "source": source}
    if isinstance(expected, str):
        with pytest.raises(DataError) as info:
            imported(path, **extra)
        assert info.value.code == expected and info.value.params["row"] == 1
        assert 'decimal = ","' in info.value.render("en")
        return
    res = imported(path, **extra)
    if expected is None:
        assert res.quality.out_of_range == {"varde": [1, 2]}
        assert res.frame["varde"].isna().all()
    else:
        assert res.frame["varde"].tolist()[:2] == expected


def test_one_comma_two_three_four_in_a_semicolon_file_is_a_decimal_comma(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "grupp;varde", ["insats;1,234", "insats;2", "insats;", "insats;0,5"])
    res = imported(path, covariates=[{"column": "varde"}], eligibility=[])
    assert res.frame["varde"].tolist()[0] == 1.234 and not res.quality.out_of_range


def test_outcome_columns_with_decimal_commas_are_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path, "grupp;dagar;av", ["insats;40,5;81", "insats;ej;81", "insats;;81", "insats;3;4"]
    )
    m = {
        "outcomes": [
            {"metric": "m", "kind": "attendance_share", "attended": "dagar", "scheduled": "av"}
        ],  # fmt: skip
        "covariates": [],
        "eligibility": [],
    }
    res = imported(path, **m)
    assert res.frame["dagar"].tolist()[0] == 40.5
    assert res.quality.out_of_range == {"dagar": [2]}
    assert res.quality.missing == {"dagar": [2, 3]}


def test_a_numeric_covariate_of_words_is_left_as_words(tmp_path: Path) -> None:
    path = write(
        tmp_path, "grupp;kon", ["insats;pojke", "insats;flicka", "insats;pojke", "insats;"]
    )
    res = imported(path, covariates=[{"column": "kon"}], eligibility=[])
    assert res.frame["kon"].tolist()[:3] == ["pojke", "flicka", "pojke"]
    assert not res.quality.out_of_range and res.quality.missing == {"kon": [4]}


def test_excel_text_cells_with_decimal_commas_are_read_when_declared(tmp_path: Path) -> None:
    df = frame(PEOPLE)
    df["franvaro"] = ["0,87", "0,5", "0,75", "1"]
    path = tmp_path / "d.xlsx"
    df.to_excel(path, index=False)
    cov = [{"column": "franvaro", "min": 0, "max": 1}]
    with pytest.raises(DataError) as info:
        run(tmp_path, df, mapping(covariates=cov), suffix=".xlsx")
    assert info.value.code == "import.decimal_comma_unexpected"
    res = run(tmp_path, df, mapping(covariates=cov, source={"decimal": ","}), suffix=".xlsx")
    assert res.frame["franvaro"].tolist() == [0.87, 0.5, 0.75, 1.0]


@pytest.mark.parametrize(
    ("sheet", "en", "sv"),
    [
        (
            "data",
            'the workbook has no sheet "data"',
            'arbetsboken har inget blad "data"',
        ),
        (
            2,
            "the workbook has 2 sheets, so no sheet number 2 (0 is the first)",
            "arbetsboken har 2 blad, så inget blad nummer 2 (0 är det första)",
        ),
    ],
)
def test_a_sheet_the_workbook_lacks_is_refused_with_the_sheets_it_has(
    tmp_path: Path, sheet: str | int, en: str, sv: str
) -> None:
    path = tmp_path / "d.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"Läs mig": ["uttag 2027"]}).to_excel(book, sheet_name="Info", index=False)
        frame(PEOPLE).to_excel(book, sheet_name="Data", index=False)
    with pytest.raises(DataError) as info:
        read_table(path, Source(sheet=sheet))
    assert info.value.render("en") == (
        f"{path}: {en}; its sheets are: Info, Data. Write one of them under [source] in the "
        'mapping file: sheet = "Data" (a name in quotes), or a number, 0 for the first.'
    )
    assert info.value.render("sv") == (
        f"{path}: {sv}; dess blad är: Info, Data. Skriv ett av dem under [source] i "
        'mappningsfilen: sheet = "Data" (ett namn inom citattecken), eller ett nummer, 0 för '
        "det första."
    )
    assert list(read_table(path, Source(sheet="Data")).columns)[:2] == ["pnr", "namn"]


# --- columns the data lacks, named where the mapping names them -------------------------

MAPPING_FILE = """format_version = 1
[identifier]
column = "pnr"
key_env = "KEY"
drop = ["namn"]
[columns]
treatment = "grupp"
treated_values = ["insats"]
engaged = "deltagit"
[[covariates]]
column = "ålder"
[[eligibility]]
column = "alder"
op = ">="
value = 12
"""


def lacking(tmp_path: Path, text: str, df: pd.DataFrame) -> ContractInvalid:
    """The error of importing ``df`` with the mapping file ``text``."""
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    df.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(ContractInvalid) as info:
        import_participants(
            tmp_path / "d.csv", load_mapping(tmp_path / "m.toml"), environ={"KEY": KEY_HEX}
        )
    return info.value


def test_a_column_the_data_lacks_is_named_where_the_mapping_names_it_with_the_nearest_one(
    tmp_path: Path,
) -> None:
    text = MAPPING_FILE.replace('engaged = "deltagit"\n', "")
    err = lacking(tmp_path, text, frame(PEOPLE))
    [problem] = err.problems
    assert (problem.path, problem.line, problem.file) == (
        "covariates[0].column", 10, str(tmp_path / "m.toml")
    )  # fmt: skip
    assert problem.stated("sv") == (
        'covariates[0].column: Data saknar kolumnen "ålder" (en kovariat). Menade du "alder"?'
    )
    assert problem.stated("en") == (
        'covariates[0].column: The data has no column "ålder" (a covariate). Did you mean "alder"?'
    )
    data = tmp_path / "d.csv"
    assert err.render("sv") == (
        f"Datafilen {data} saknar 1 kolumn som mappningen anger; dess kolumner är: "
        "pnr, namn, grupp, alder."
    )
    assert err.render("en") == (
        f"The data file {data} lacks 1 column the mapping names; its columns are: "
        "pnr, namn, grupp, alder."
    )
    for lang in ("sv", "en"):  # the names of columns, never a value in them
        shown = err.render(lang) + problem.message(lang)
        assert not any(p in shown for p in PEOPLE) and "Namn 0" not in shown


def test_a_missing_engaged_column_is_refused_like_any_other(tmp_path: Path) -> None:
    df = frame(PEOPLE).assign(deltog=["ja", "nej", "ja", "nej"])
    err = lacking(tmp_path, MAPPING_FILE.replace('"ålder"', '"alder"'), df)
    [problem] = err.problems
    assert (problem.path, problem.line) == ("columns.engaged", 9)
    assert problem.message("en") == (
        'The data has no column "deltagit" (the column of who engaged). Did you mean "deltog"?'
    )
    assert problem.message("sv") == (
        'Data saknar kolumnen "deltagit" (kolumnen för vem som deltog). Menade du "deltog"?'
    )


def test_a_column_written_in_other_capitals_in_the_data_is_suggested_by_its_own_name(
    tmp_path: Path,
) -> None:
    # Excel exports headers as typed: "ALDER" for "alder" is the nearest column there is
    text = MAPPING_FILE.replace('"ålder"', '"alder"')
    df = frame(PEOPLE).rename(columns={"alder": "ALDER"}).assign(Deltagit=["ja"] * 4)
    err = lacking(tmp_path, text, df)
    said = {p.path: p.message("en") for p in err.problems}
    assert said == {
        "columns.engaged": 'The data has no column "deltagit" (the column of who engaged). '
        'Did you mean "Deltagit"?',
        "covariates[0].column": 'The data has no column "alder" (a covariate). '
        'Did you mean "ALDER"?',
        "eligibility[0].column": 'The data has no column "alder" (an eligibility rule). '
        'Did you mean "ALDER"?',
    }


def test_a_column_the_mapping_names_written_twice_in_the_header_is_refused(
    tmp_path: Path,
) -> None:
    # the reader renames the second "alder" to "alder.1": without a check the first is
    # read unseen, and a second name column ("namn.1") would stay in the data
    text = MAPPING_FILE.replace('"ålder"', '"alder"').replace('engaged = "deltagit"\n', "")
    df = frame(PEOPLE).assign(extra=[20, 21, 22, 23], namn2=["N"] * 4)
    df.columns = ["pnr", "namn", "grupp", "alder", "alder", "namn"]
    err = lacking(tmp_path, text, df)
    said = {(p.path, p.line): p.message("en") for p in err.problems}
    assert said == {
        ("identifier.drop[0]", 5): 'The data has more than one column "namn" (columns 2 '
        "and 6): rename or remove all but one, so that it is clear which is meant.",
        ("covariates[0].column", 10): 'The data has more than one column "alder" (columns 4 '
        "and 5): rename or remove all but one, so that it is clear which is meant.",
        ("eligibility[0].column", 12): 'The data has more than one column "alder" (columns 4 '
        "and 5): rename or remove all but one, so that it is clear which is meant.",
    }
    assert err.problems[0].message("sv") == (
        'Data har mer än en kolumn "namn" (kolumn 2 och 6): byt namn på eller ta bort alla '
        "utom en, så att det är klart vilken som avses."
    )
    assert err.render("en") == (
        f"The header of the data file {tmp_path / 'd.csv'} names a column more than once: "
        "alder, namn."
    )
    assert "Namn 0" not in err.render("en") + "".join(said.values())


def test_a_misspelt_direct_identifier_to_drop_stops_the_import_instead_of_staying(
    tmp_path: Path,
) -> None:
    # "nam" for "namn": silently ignored, the names would have stayed in the data
    text = MAPPING_FILE.replace('drop = ["namn"]', 'drop = ["nam"]').replace('"ålder"', '"alder"')
    df = frame(PEOPLE).assign(deltagit=["ja", "nej", "ja", "nej"])
    err = lacking(tmp_path, text, df)
    [problem] = err.problems
    assert (problem.path, problem.line) == ("identifier.drop[0]", 5)
    assert problem.message("en") == (
        'The data has no column "nam" (a direct identifier to remove at import, in '
        'identifier.drop). Did you mean "namn"?'
    )
    assert problem.message("sv") == (
        'Data saknar kolumnen "nam" (en direkt identifierande uppgift som ska tas bort vid '
        'importen, i identifier.drop). Menade du "namn"?'
    )


def test_every_column_the_data_lacks_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    df = frame(PEOPLE).rename(columns={"pnr": "personnummer", "alder": "age"})
    err = lacking(tmp_path, MAPPING_FILE, df)
    assert [(p.path, p.line) for p in err.problems] == [
        ("identifier.column", 3),
        ("columns.engaged", 9),
        ("covariates[0].column", 11),
        ("eligibility[0].column", 13),
    ]
    assert err.render("en").startswith(f"The data file {tmp_path / 'd.csv'} lacks 4 columns")
    assert err.render("sv").startswith(f"Datafilen {tmp_path / 'd.csv'} saknar 4 kolumner")
    roles = [p.message("sv").split("(")[1].split(")")[0] for p in err.problems]
    assert roles == ["identitetskolumnen", "kolumnen för vem som deltog", "en kovariat",
                     "en urvalsregel"]  # fmt: skip


def test_a_file_without_a_header_line_is_named_as_such_and_its_first_row_not_shown(
    tmp_path: Path,
) -> None:
    df = frame(PEOPLE)
    first = df.iloc[0].astype(str).tolist()  # the first person's row stands as the header
    df = df.iloc[1:].set_axis(first, axis=1)
    err = lacking(tmp_path, MAPPING_FILE.replace('engaged = "deltagit"\n', ""), df)
    assert [p.path for p in err.problems] == [
        "identifier.column", "identifier.drop[0]", "columns.treatment", "covariates[0].column",
        "eligibility[0].column",
    ]  # fmt: skip
    assert err.code == "import.missing_columns_no_header"
    assert "har filen en rubrikrad?" in err.render("sv")
    assert "does the file have a header line?" in err.render("en")
    for lang in ("sv", "en"):
        shown = err.render(lang) + "".join(p.message(lang) for p in err.problems)
        assert PEOPLE[0] not in shown and "Namn 0" not in shown
        assert "Did you mean" not in shown and "Menade du" not in shown


def test_a_column_an_events_file_lacks_is_named_where_the_mapping_names_it(
    tmp_path: Path,
) -> None:
    text = MAPPING_FILE.replace('engaged = "deltagit"\n', "").replace('"ålder"', '"alder"')
    text += '[[events]]\nid = "brott"\nfile = "e.csv"\nid_column = "pnr"\ndate_column = "datum"\n'
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    pd.DataFrame({"pnr": PEOPLE[:2], "dag": ["2027-01-01", "2027-02-01"]}).to_csv(
        tmp_path / "e.csv", index=False
    )
    m = load_mapping(tmp_path / "m.toml")
    with pytest.raises(ContractInvalid) as info:
        import_events(m.events[0], m, PseudonymKey.from_text(KEY_HEX), today=TODAY)
    [problem] = info.value.problems
    assert (problem.path, problem.line) == ("events[0].date_column", 19)
    assert problem.message("sv") == (
        'Data saknar kolumnen "datum" (en kolumn i händelsefilen brott).'
    )
    assert str(tmp_path / "e.csv") in info.value.render("en")


def test_rows_of_separators_after_the_data_are_not_participants(tmp_path: Path) -> None:
    # Excel writes the used but empty rows below a table as ";;;": nobody is in them
    rows = ["insats;14", "jamforelse;13", "insats;15", "jamforelse;12"]
    path = write(tmp_path, "grupp;alder", rows)
    with path.open("a", encoding="utf-8") as f:
        f.write(";;\n;;\n")
    res = imported(path)
    assert res.quality.rows_read == 4 and len(res.frame) == 4


def test_a_row_of_separators_between_participants_is_still_a_problem_of_its_row(
    tmp_path: Path,
) -> None:
    # in the middle it is a row someone emptied: kept, so that the row numbers still count
    path = tmp_path / "d.csv"
    path.write_text(f"pnr;grupp;alder\n{PEOPLE[0]};insats;14\n;;\n{PEOPLE[1]};insats;13\n")
    with pytest.raises(ImportRejected) as info:
        imported(path)
    assert [(p.row, p.column) for p in info.value.problems][:1] == [(2, "pnr")]


def test_a_header_without_a_row_under_it_is_named_so(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("pnr;grupp;alder\n;;\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        imported(path)
    assert info.value.render("en") == (
        f"{path}: the file has a header line but no row of data under it."
    )
    assert info.value.render("sv") == (
        f"{path}: filen har en rubrikrad men ingen rad med data under den."
    )


def test_an_empty_file_is_named_as_empty_not_as_a_parser_error(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(MAPPING_FILE, encoding="utf-8")
    (tmp_path / "d.csv").write_bytes(b"")
    with pytest.raises(DataError) as info:
        import_participants(
            tmp_path / "d.csv", load_mapping(tmp_path / "m.toml"), environ={"KEY": KEY_HEX}
        )
    assert info.value.code == "import.empty"
    assert info.value.render("sv").endswith(
        "filen är tom — inte ens en rubrikrad med kolumnnamnen."
    )


# ------------------------------------------------------------- dates, never guessed


def dated(**source: str) -> Mapping:
    return mapping(
        columns={"treatment": "grupp", "treated_values": ["insats"], "referral_date": "remiss"},
        source=source,
    )


def test_referral_dates_are_read_as_dates_at_import(tmp_path: Path) -> None:
    df = frame(PEOPLE).assign(remiss=["2027-01-10", "2027-02-01 13:45", None, "2027-03-01"])
    res = run(tmp_path, df, dated())
    assert res.frame["remiss"].tolist() == [
        pd.Timestamp("2027-01-10"), pd.Timestamp("2027-02-01 13:45"), pd.NaT,
        pd.Timestamp("2027-03-01"),
    ]  # fmt: skip
    assert res.quality.missing["remiss"] == [3]


def test_a_date_that_cannot_be_read_stops_the_import_even_in_an_excluded_row(
    tmp_path: Path,
) -> None:
    df = frame(PEOPLE, ages=[14, 10, 14, 14])  # row 2 is not eligible
    df["remiss"] = ["2027-01-10", "10/01/2027", "2027-01-12", "2027-01-13"]
    with pytest.raises(DataError) as info:
        run(tmp_path, df, dated())
    err = info.value
    assert (err.code, err.params["column"], err.params["row"]) == (
        "import.date_unreadable", "remiss", 2
    )  # fmt: skip
    assert err.params["path"] == str(tmp_path / "data.csv")
    assert err.params["table"] == "[source]"


def test_day_first_referral_dates_are_read_with_the_mapping_date_format(tmp_path: Path) -> None:
    df = frame(PEOPLE).assign(remiss=["01/02/2027", "31/01/2027", "1/2/2027", "12/01/2027"])
    res = run(tmp_path, df, dated(date_format="%d/%m/%Y"))
    assert res.frame["remiss"].dt.strftime("%Y-%m-%d").tolist() == [
        "2027-02-01", "2027-01-31", "2027-02-01", "2027-01-12"
    ]  # fmt: skip


def test_a_csv_date_column_keeps_its_leading_zero(tmp_path: Path) -> None:
    """pandas would read 01022027 as the number 1022027; the date column is read as text."""
    df = frame(PEOPLE).assign(remiss=["01022027", "31012027", "15032027", "09122027"])
    res = run(tmp_path, df, dated(date_format="%d%m%Y"))
    assert res.frame["remiss"].dt.strftime("%Y-%m-%d").tolist() == [
        "2027-02-01", "2027-01-31", "2027-03-15", "2027-12-09"
    ]  # fmt: skip


def test_compact_register_dates_are_read_from_a_csv_without_a_setting(tmp_path: Path) -> None:
    df = frame(PEOPLE).assign(remiss=["20270201", "20270131", None, "20271209"])
    res = run(tmp_path, df, dated())
    assert res.frame["remiss"].dt.strftime("%Y-%m-%d").tolist()[:2] == ["2027-02-01", "2027-01-31"]


def test_excel_date_cells_are_dates_whatever_the_date_format(tmp_path: Path) -> None:
    df = frame(PEOPLE).assign(
        remiss=pd.to_datetime(["2027-02-01", "2027-01-31", None, "2027-12-09"])
    )
    res = run(tmp_path, df, dated(date_format="%d/%m/%Y"), suffix=".xlsx")
    assert res.frame["remiss"].tolist()[:2] == [
        pd.Timestamp("2027-02-01"),
        pd.Timestamp("2027-01-31"),
    ]


EVENTS = '[[events]]\nid = "brott"\nfile = "e.csv"\nid_column = "pnr"\ndate_column = "datum"\n'


def events_of(tmp_path: Path, text: str, dates: list[str]) -> pd.DataFrame:
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    pd.DataFrame({"pnr": PEOPLE[: len(dates)], "datum": dates}).to_csv(
        tmp_path / "e.csv", index=False
    )
    m = load_mapping(tmp_path / "m.toml")
    return import_events(m.events[0], m, PseudonymKey.from_text(KEY_HEX), today=TODAY)


def test_an_events_file_takes_the_source_date_format_unless_it_has_its_own(
    tmp_path: Path,
) -> None:
    base = MAPPING_FILE.replace('engaged = "deltagit"\n', "")
    day_first = base + '[source]\ndate_format = "%d/%m/%Y"\n' + EVENTS
    out = events_of(tmp_path, day_first, ["01/02/2027", "31/01/2027"])
    assert out["datum"].dt.strftime("%Y-%m-%d").tolist() == ["2027-02-01", "2027-01-31"]
    own = day_first + 'date_format = "%Y-%m-%d"\n'
    out = events_of(tmp_path, own, ["2027-02-01", "2027-01-31"])
    assert out["datum"].dt.strftime("%Y-%m-%d").tolist() == ["2027-02-01", "2027-01-31"]


def test_an_impossible_event_date_stops_naming_the_events_file_and_its_table(
    tmp_path: Path,
) -> None:
    text = MAPPING_FILE.replace('engaged = "deltagit"\n', "") + EVENTS
    with pytest.raises(DataError) as info:
        events_of(tmp_path, text, ["2027-02-01", "2027-02-30", "2027-03-01"])
    err = info.value
    assert (err.code, err.params["column"], err.params["row"]) == (
        "import.date_impossible", "datum", 2
    )  # fmt: skip
    assert (err.params["path"], err.params["table"]) == (
        str(tmp_path / "e.csv"), '[[events]] id = "brott"'
    )  # fmt: skip


@pytest.mark.parametrize("value", [dt.date(2027, 2, 1), "2027-02-01", 20270201])
def test_an_eligibility_rule_on_a_date_column_compares_dates_however_written(
    tmp_path: Path, value: object
) -> None:
    # dates are read at import, so a rule written as a date, ISO text or the register's
    # 20270201 compares with dates (before, a number against dates excluded everyone)
    df = frame(PEOPLE).assign(remiss=["2027-01-10", "2027-02-01", "2027-03-01", "2027-02-02"])
    m = mapping(
        columns={"treatment": "grupp", "treated_values": ["insats"], "referral_date": "remiss"},
        eligibility=[{"column": "remiss", "op": ">=", "value": value}],
    )
    res = run(tmp_path, df, m)
    assert res.frame[ROW].tolist() == [2, 3, 4]


def test_an_eligibility_value_that_is_no_date_on_a_date_column_says_how_to_write_one(
    tmp_path: Path,
) -> None:
    df = frame(PEOPLE).assign(remiss=["2027-01-10", "2027-02-01", "2027-03-01", "2027-02-02"])
    m = mapping(
        columns={"treatment": "grupp", "treated_values": ["insats"], "referral_date": "remiss"},
        eligibility=[{"column": "remiss", "op": ">=", "value": "snart"}],
    )
    with pytest.raises(DataError) as err:
        run(tmp_path, df, m)
    assert err.value.code == "import.eligibility_not_a_date"
    assert err.value.render("sv") == (
        "Mappningens eligibility[0]: kolumnen \"remiss\" innehåller datum, och 'snart' är inget "
        "datum. Skriv datumet som 2028-01-01 (eller 20280101)."
    )


def test_a_date_column_written_its_own_way_takes_its_own_date_format(tmp_path: Path) -> None:
    # the file-wide date_format reads the referral date; the anchor has its own
    m = mapping(
        columns={
            "treatment": "grupp",
            "treated_values": ["insats"],
            "referral_date": "remiss",
            "date_formats": {"utskriven": "%Y%m%d"},
        },
        outcomes=[{"metric": "m", "kind": "value", "column": "alder", "anchor": "utskriven"}],
        source={"date_format": "%d/%m/%Y"},
    )
    df = frame(PEOPLE).assign(
        remiss=["01/02/2027", "31/01/2027", "1/2/2027", "12/01/2027"],
        utskriven=["20270301", "20270302", "20270303", "20270304"],
    )
    res = run(tmp_path, df, m)
    assert res.frame["remiss"].dt.strftime("%Y-%m-%d").tolist() == [
        "2027-02-01", "2027-01-31", "2027-02-01", "2027-01-12"
    ]  # fmt: skip
    assert res.frame["utskriven"].dt.strftime("%Y-%m-%d").tolist()[:2] == [
        "2027-03-01", "2027-03-02"
    ]  # fmt: skip


def test_a_column_not_read_by_its_own_date_format_is_told_where_that_is_written(
    tmp_path: Path,
) -> None:
    m = dated(date_format="%Y-%m-%d")
    m = m.model_copy(
        update={"columns": m.columns.model_copy(update={"date_formats": {"remiss": "%d.%m.%Y"}})}
    )
    df = frame(PEOPLE).assign(remiss=["01.02.2027", "31.01.2027", "2027-02-01", "12.01.2027"])
    with pytest.raises(DataError) as info:
        run(tmp_path, df, m)
    err = info.value
    assert (err.code, err.params["row"], err.params["date_format"]) == (
        "import.date_not_in_format", 3, "%d.%m.%Y"
    )  # fmt: skip
    assert err.params["table"] == "[columns.date_formats]"


def test_an_events_column_written_its_own_way_takes_its_own_date_format(tmp_path: Path) -> None:
    base = MAPPING_FILE.replace('engaged = "deltagit"\n', "")
    text = (
        base
        + '[source]\ndate_format = "%d/%m/%Y"\n'
        + EVENTS
        + ('date_formats = { datum = "%Y%m%d" }\n')
    )
    out = events_of(tmp_path, text, ["20270201", "20270131"])
    assert out["datum"].dt.strftime("%Y-%m-%d").tolist() == ["2027-02-01", "2027-01-31"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_column_named_like_a_renamed_duplicate_is_its_own_column(
    tmp_path: Path, suffix: str
) -> None:
    # "alder.1" written so in the header (a survey's item 1 of alder, say) is not a second
    # "alder": before, it was refused as "more than one column alder (columns 4 and 5)"
    df = frame(PEOPLE).assign(**{"alder.1": [1, 2, 3, 4], "namn.2": ["x"] * 4})
    res = run(tmp_path, df, suffix=suffix)
    assert len(res.frame) == 4


def test_a_column_written_twice_in_an_excel_header_is_refused(tmp_path: Path) -> None:
    df = frame(PEOPLE).assign(extra=[20, 21, 22, 23])
    df.columns = ["pnr", "namn", "grupp", "alder", "alder"]
    with pytest.raises(ContractInvalid) as info:
        run(tmp_path, df, suffix=".xlsx")
    assert "more than one column" in info.value.problems[0].message("en")
