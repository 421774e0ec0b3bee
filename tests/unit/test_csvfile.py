"""Reading a CSV export: the byte-order mark, the separator sniffed from the header line,
the decimal sign that follows from it, and an encoding that is refused, never guessed."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from effekt.errors import DataError
from effekt.evaluation_io import csvfile
from effekt.evaluation_io.csvfile import decode, header_line, read_csv, sniff_delimiter
from effekt.evaluation_io.importer import read_table
from effekt.evaluation_io.mapping import Source


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(csvfile).failed == 0


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("personnummer,grupp,alder", ","),
        ("personnummer;grupp;alder", ";"),
        ("personnummer\tgrupp\talder", "\t"),
        ("personnummer|grupp|alder", "|"),
        ("personnummer", ","),  # one column: nothing to count
        ("", ","),
        ("a;b;c,d", ";"),  # the most frequent wins
        ("a;b,c", ","),  # a tie: the first in the order , ; tab |
        ('"efternamn, förnamn";grupp', ";"),  # a separator inside quotes is not counted
        ("a\tb\tc;d", "\t"),
    ],
)
def test_separator_is_the_most_frequent_candidate_in_the_header(
    header: str, delimiter: str
) -> None:
    assert sniff_delimiter(header) == delimiter


def test_header_is_the_first_line_after_leading_comment_lines() -> None:
    text = "# export från skolsystemet; 2027\n# a,b,c,d\npnr;grupp\n1;2\n"
    assert header_line(text) == "pnr;grupp"


def test_header_skips_lines_that_are_only_a_comment_with_the_comment_setting() -> None:
    text = "% from the school system, 2027\n\npnr;grupp % the header\n1;2\n"
    assert header_line(text, "%") == "pnr;grupp "


def test_byte_order_mark_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbfpnr;grupp\n")
    assert decode(path, "utf-8") == "pnr;grupp\n"
    assert decode(path, "UTF8") == "pnr;grupp\n"


@pytest.mark.parametrize(("encoding", "code"), [("utf-8", "import.not_utf8"),
                                                ("ascii", "import.not_in_encoding")])  # fmt: skip
def test_text_not_in_the_encoding_is_refused_with_the_line_of_the_first_bad_byte(
    tmp_path: Path, encoding: str, code: str
) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("pnr,namn\n1,Ola\n2,Åsa Öberg\n".encode("cp1252"))
    with pytest.raises(DataError) as info:
        decode(path, encoding)
    assert info.value.code == code
    assert info.value.params["line"] == 3
    assert "Åsa" not in str(info.value) and "\\xc5" not in str(info.value)


def test_windows_1252_is_read_when_it_is_named(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("pnr;kön\n1;flicka\n".encode("cp1252"))
    frame, _ = read_csv(path, Source(encoding="cp1252"))
    assert list(frame.columns) == ["pnr", "kön"]


def test_semicolon_file_is_read_with_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "\ufeffid;andel;minuter;namn\r\n1;0,87;1 234,5;Åsa\r\n2;;2 000;Ola\r\n", encoding="utf-8"
    )
    frame, decimal = read_csv(path, Source())
    assert decimal == ","
    assert frame["andel"].tolist()[0] == 0.87 and frame["andel"].isna().tolist() == [False, True]
    assert frame["minuter"].tolist() == [1234.5, 2000.0]
    assert frame["namn"].tolist() == ["Åsa", "Ola"]
    assert frame["id"].dtype == "int64"


def test_declared_separator_and_decimal_sign_are_used_as_given(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('id,andel\n1,"0,87"\n2,"1,234"\n', encoding="utf-8")
    frame, decimal = read_csv(path, Source(delimiter=",", decimal=","))
    assert decimal == "," and frame["andel"].tolist() == [0.87, 1.234]
    frame, decimal = read_csv(path, Source())
    assert decimal == "." and frame["andel"].tolist() == ["0,87", "1,234"]  # left as text


def test_tab_separated_txt_is_sniffed_and_tsv_is_always_tab(tmp_path: Path) -> None:
    txt = tmp_path / "d.txt"
    txt.write_text("id\tandel\n1\t0.5\n", encoding="utf-8")
    assert list(read_table(txt).columns) == ["id", "andel"]
    tsv = tmp_path / "d.tsv"
    tsv.write_text("id\tandel;x\n1\t0.5;y\n", encoding="utf-8")  # more ; than tabs: a .tsv
    assert list(read_table(tsv).columns) == ["id", "andel;x"]


def test_byte_order_mark_is_stripped_from_column_names_whatever_the_encoding(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbfpnr,grupp\n1,2\n")
    assert list(read_table(path, Source(encoding="utf-8-sig")).columns) == ["pnr", "grupp"]
    assert list(read_table(path, Source(encoding="utf-8")).columns) == ["pnr", "grupp"]


@pytest.mark.parametrize(
    ("mark", "text_encoding"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
)
def test_a_byte_order_mark_names_the_encoding_over_a_cp1252_setting(
    tmp_path: Path, mark: bytes, text_encoding: str
) -> None:
    # last month's export needed encoding = "cp1252"; this month's is saved as CSV UTF-8
    path = tmp_path / "d.csv"
    path.write_bytes(mark + "pnr;kön\n1;flicka\n".encode(text_encoding))
    frame = read_table(path, Source(encoding="cp1252"))
    assert list(frame.columns) == ["pnr", "kön"] and frame["kön"].tolist() == ["flicka"]


@pytest.mark.parametrize("setting", ["utf-32", "utf-8", "cp1252"])
def test_a_utf_32_byte_order_mark_is_not_read_as_utf_16(tmp_path: Path, setting: str) -> None:
    # FF FE 00 00 starts with the UTF-16 LE mark: read as UTF-16 it was a NUL per letter
    path = tmp_path / "d.csv"
    path.write_bytes("pnr;kön\n1;flicka\n".encode("utf-32"))
    frame = read_table(path, Source(encoding=setting))
    assert list(frame.columns) == ["pnr", "kön"] and frame["kön"].tolist() == ["flicka"]


def test_leading_comments_after_a_byte_order_mark_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbf# synthetic; seed 1\r\nid;t\r\n1;0\r\n")
    frame = read_table(path)
    assert list(frame.columns) == ["id", "t"] and frame["t"].tolist() == [0]
