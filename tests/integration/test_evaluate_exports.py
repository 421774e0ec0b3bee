"""``effekt evaluate`` on the CSV files Swedish kommuner export: the hemmasittare example
written as Excel and older programs write it gives the same result as the original.

Each export is built from ``examples/data/hemmasittare_participants.csv``: UTF-8 with the
byte-order mark of Excel's "CSV UTF-8"; Swedish Excel's "CSV (semikolonavgränsad)" with
decimal commas and thousands separators; Windows-1252 (with and without the mapping
saying so); tab-separated ``.txt``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from effekt.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = EXAMPLES / "data" / "hemmasittare_participants.csv"
MAPPING = EXAMPLES / "hemmasittare.mapping.toml"
CONTRACT = ["--contract", str(EXAMPLES / "hemmasittare.toml"), "--metric", "back_in_school"]
THOUSANDS = [" ", "\u00a0", "\u202f"]  # space, no-break space, narrow no-break space


def run(data: Path, mapping: Path = MAPPING, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["evaluate", str(data), *CONTRACT, "--mapping", str(mapping), *args],
        env={"EFFEKT_PSEUDONYM_KEY": ""},
    )


def result(data: Path, mapping: Path = MAPPING) -> dict[str, Any]:
    out = run(data, mapping, "--json")
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def comparable(out: dict[str, Any], rename: dict[str, str] | None = None) -> dict[str, Any]:
    """What must not depend on how the file was written: the effects, the counts, and the
    data quality — every missing, invalid and excluded value by row number. ``rename``:
    the original names of renamed columns, given as {original: new}."""
    keep = {k: out[k] for k in ("populations", "n_treated", "n_control", "quality", "policies")}
    keep["balance"] = out["balance"]
    keep["decisions"] = out["decisions"]
    text = json.dumps(keep, ensure_ascii=False, sort_keys=True)
    for old, new in (rename or {}).items():
        text = text.replace(new, old)
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def original() -> dict[str, Any]:
    return comparable(result(DATA))


def example_rows() -> tuple[list[str], list[list[str]]]:
    """The example's comment lines and its rows (header first), split at the commas."""
    lines = DATA.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = [line.split(",") for line in lines if line and not line.startswith("#")]
    return comments, rows


def swedish(value: str, row: int) -> str:
    """A number as Swedish Excel writes it: a decimal comma."""
    return value.replace(".", ",")


def in_minutes(value: str, row: int) -> str:
    """Days as minutes of 1000.5 days' worth (the attendance share stays the same), with a
    thousands separator and a decimal comma: ``67`` → ``67 033,5``."""
    if not value:
        return value
    whole, half = divmod(int(value) * 2001, 2)
    head, tail = divmod(whole, 1000)
    sep = THOUSANDS[row % len(THOUSANDS)]
    number = f"{head}{sep}{tail:03d}" if head else str(tail)
    return number + (",5" if half else "")


def export(
    path: Path,
    *,
    sep: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
    rewrite: dict[str, Callable[[str, int], str]] | None = None,
    rename: dict[str, str] | None = None,
    names: str | None = None,
) -> Path:
    """The example written as a program would write it."""
    comments, rows = example_rows()
    header = rows[0]
    body = [list(r) for r in rows[1:]]
    for column, change in (rewrite or {}).items():
        i = header.index(column)
        for k, r in enumerate(body):
            r[i] = change(r[i], k)
    if names is not None:
        i = header.index("elevnamn")
        for k, r in enumerate(body):
            r[i] = f"{names} {k:04d}"
    header = [(rename or {}).get(c, c) for c in header]
    lines = [*comments, sep.join(header), *(sep.join(r) for r in body)]
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    path.write_bytes(text.encode(encoding))
    return path


def mapping_copy(path: Path, *, source: str = "", rename: dict[str, str] | None = None) -> Path:
    """The example mapping with lines added under [source] and columns renamed."""
    text = MAPPING.read_text(encoding="utf-8")
    text = text.replace("[source]\n", f"[source]\n{source}\n", 1)
    for old, new in (rename or {}).items():
        text = text.replace(f'"{old}"', f'"{new}"')
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------- the exports


def test_excel_csv_utf8_with_a_byte_order_mark_gives_the_original_result(
    tmp_path: Path, original: dict[str, Any]
) -> None:
    data = export(tmp_path / "export.csv", bom=True)
    assert data.read_bytes().startswith(b"\xef\xbb\xbf#")
    assert comparable(result(data)) == original


def test_byte_order_mark_before_the_header_needs_no_comment_setting(
    tmp_path: Path, original: dict[str, Any]
) -> None:
    """Without ``comment = "#"`` the leading comment lines are skipped as well when a
    byte-order mark stands before the first of them."""
    data = export(tmp_path / "export.csv", bom=True)
    plain = MAPPING.read_text(encoding="utf-8").replace('comment = "#"', "")
    mapping = tmp_path / "m.toml"
    mapping.write_text(plain, encoding="utf-8")
    assert comparable(result(data, mapping)) == original


def test_swedish_excel_semicolons_and_decimal_commas_give_the_original_result(
    tmp_path: Path, original: dict[str, Any]
) -> None:
    data = export(
        tmp_path / "export.csv",
        sep=";",
        bom=True,
        rewrite={"franvaro_fore": swedish, "narvarodagar": in_minutes, "skoldagar": in_minutes},
    )
    text = data.read_text(encoding="utf-8-sig")
    assert ";0,87;" in text
    for sep in THOUSANDS:
        assert re.search(rf";\d+{sep}\d{{3}},5;", text), repr(sep)
    assert comparable(result(data)) == original


def test_windows_1252_file_reads_with_the_encoding_named_in_the_mapping(
    tmp_path: Path, original: dict[str, Any]
) -> None:
    rename = {"franvaro_fore": "frånvaro_före"}
    data = export(tmp_path / "export.csv", encoding="cp1252", rename=rename, names="Åsa Öberg")
    assert "ö".encode("cp1252") in data.read_bytes()
    mapping = mapping_copy(tmp_path / "m.toml", source='encoding = "cp1252"', rename=rename)
    assert comparable(result(data, mapping), rename) == original


def test_tab_separated_txt_gives_the_original_result(
    tmp_path: Path, original: dict[str, Any]
) -> None:
    data = export(tmp_path / "export.txt", sep="\t", newline="\n")
    assert comparable(result(data)) == original


def test_excels_unicode_text_utf16_with_its_mark_gives_the_original_result(
    tmp_path: Path, original: dict[str, Any]
) -> None:
    # Excel's "Unicode text": UTF-16 little-endian with a byte-order mark, tab-separated
    data = export(tmp_path / "export.txt", sep="\t", encoding="utf-16", names="Elev Åström")
    assert data.read_bytes()[:2] == b"\xff\xfe"
    assert comparable(result(data)) == original


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["is not UTF-8 text", "line 5 of the file", "CSV UTF-8", 'encoding = "cp1252"']),
        ("sv", ["är inte text i UTF-8", "filens rad 5", "CSV UTF-8", 'encoding = "cp1252"']),
    ],
)
def test_windows_1252_file_without_the_setting_is_refused_with_what_to_do(
    tmp_path: Path, lang: str, words: list[str]
) -> None:
    data = export(tmp_path / "export.csv", encoding="cp1252", names="Åsa Öberg")
    out = run(data, MAPPING, "--lang", lang, "--json")
    assert out.exit_code == 1
    assert out.stderr == ""  # asked for JSON: the refusal is JSON on standard output
    [problem] = json.loads(out.stdout)["problems"]
    assert problem["file"] == str(data)
    message = " ".join(problem["message"].split())
    assert str(data) in message
    for word in words:
        assert word in message
    assert "Traceback" not in out.output and "UnicodeDecodeError" not in out.output
    assert "Öberg" not in out.output and not re.search(r"\d{6}-\d{4}", out.output)


def test_semicolon_file_with_decimal_points_asks_for_the_decimal_setting(
    tmp_path: Path, original: dict[str, Any]
) -> None:
    data = export(tmp_path / "export.csv", sep=";")
    out = run(data, MAPPING, "--lang", "sv")
    assert out.exit_code == 1
    assert 'kolumnen "franvaro_fore"' in out.stderr and "rad 1" in out.stderr
    assert 'decimal = "."' in out.stderr
    mapping = mapping_copy(tmp_path / "m.toml", source='decimal = "."')
    assert comparable(result(data, mapping)) == original
