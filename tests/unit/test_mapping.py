"""The mapping file: the example loads, and each mistake is refused naming its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from effekt.errors import DataError, InputError
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
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, MINIMAL.replace('key_env = "K"', "")))
    assert info.value.code == "mapping.no_key_source"
    assert info.value.params["field"] == "identifier"


def test_two_key_sources_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace('key_env = "K"', 'key_env = "K"\nkey_file = "k.hex"')
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, text))
    assert info.value.code == "mapping.two_key_sources"


def test_unknown_field_is_refused_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, MINIMAL + 'cohrot = "kohort"\n'))
    assert info.value.code == "mapping.invalid"
    assert info.value.params["field"] == "columns.cohrot"


def test_attendance_outcome_without_scheduled_days_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + '[[outcomes]]\nmetric = "m"\nkind = "attendance_share"\nattended = "a"\n'
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, text))
    assert info.value.code == "mapping.outcome_incomplete"
    assert info.value.params["field"] == "outcomes.0"


def test_unknown_missing_data_policy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, MINIMAL + '[missing_data]\npolicy = "impute"\n'))
    assert info.value.params["field"] == "missing_data.policy"


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
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, MINIMAL + f"[source]\n{line}\n"))
    assert info.value.code == code
    assert info.value.params["field"] == f"source.{line.split(' ')[0]}"


def test_a_decimal_sign_other_than_point_comma_or_auto_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, MINIMAL + '[source]\ndecimal = ";"\n'))
    assert info.value.params["field"] == "source.decimal"
