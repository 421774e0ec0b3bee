"""The importer: identifiers validated and pseudonymised at once, raw columns dropped,
data quality reported by row number — never by value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from effekt.errors import ConfigurationError, DataError
from effekt.evaluation_io.importer import (
    PSEUDONYM,
    ROW,
    ImportRejected,
    import_participants,
    load_key,
    read_table,
)
from effekt.evaluation_io.mapping import Mapping
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
