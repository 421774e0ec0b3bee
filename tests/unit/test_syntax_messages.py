"""A syntax error in a contract (TOML, JSON, YAML) or an outcomes file is explained in the
user's language, with its line and column — not in the parser's English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from effekt.contract.load import parse_text, read_document
from effekt.contract.outcomes_file import load_outcomes
from effekt.contract.syntax import _TABLES, syntax_detail
from effekt.errors import ContractInvalid, DataError
from effekt.i18n import catalog


def problem_text(text: str, fmt: str, lang: str) -> tuple[int | None, str]:
    with pytest.raises(ContractInvalid) as err:
        parse_text(text, fmt, "c." + fmt)
    [p] = err.value.problems
    return p.line, p.message(lang)


@pytest.mark.parametrize(
    ("text", "line", "sv"),
    [
        # a Swedish decimal comma: the most likely mistake of all
        (
            "format_version = 1\n[costs]\nmargin = 0,1\n",
            3,
            "decimaler skrivs med punkt, 0.85, inte 0,85",
        ),
        ("id = hemmasittare\n", 1, "text skrivs inom citattecken"),
        ('name = "Tillbaka i skolan\n', 1, "en text saknar sitt avslutande citattecken"),
        ("[costs\nsetup = 1\n", 1, "tabellrubriken avslutas inte med ]"),
        ("[costs]\nsetup = 1\nsetup = 2\n", 3, "ett värde anges två gånger"),
        ("[costs]\n[costs]\n", 2, "tabellen costs deklareras två gånger"),
        ("setup 100\n", 1, "ett = saknas efter nyckeln"),
        ("[costs]\nsetup = 450 000\n", 2, "skriv 450000 eller 450_000"),
        ("start = 2027-13-01\n", 1, "datumet går inte att läsa eller finns inte"),
        ("start = 2027-02-30\n", 1, "skriv det som 2027-01-01"),
        ("a = 1\nvalues = [1, 2\n", 2, "en lista [ … ] är inte avslutad"),
    ],
)
def test_a_toml_mistake_is_explained_in_swedish_on_its_line(text: str, line: int, sv: str) -> None:
    found_line, message = problem_text(text, "toml", "sv")
    assert found_line == line
    assert sv in message
    assert re.search(r"\(kolumn \d+\)", message) or "lista" in message  # at the end: no column
    assert message.startswith("Filen går inte att läsa som den är skriven: ")


def test_the_english_message_names_the_column_too() -> None:
    line, message = problem_text("[costs]\nmargin = 0,1\n", "toml", "en")
    assert line == 2
    assert message == (
        "The file cannot be read as written: something follows the value on the same line "
        "(decimals take a point, 0.85, not 0,85; one key = value per line) (column 11). "
        "Correct the syntax on this line."
    )


def test_a_trailing_comma_in_json_is_explained() -> None:
    line, message = problem_text('{\n  "id": "x",\n}\n', "json", "sv")
    assert line == 3
    assert "JSON tillåter inget kommatecken efter sista delen" in message


def test_a_tab_in_yaml_indentation_is_explained() -> None:
    line, message = problem_text("costs:\n\tsetup: 1\n", "yaml", "sv")
    assert line == 2
    assert "YAML tillåter inte tabbar för indrag" in message


@pytest.mark.parametrize(
    ("text", "line", "sv"),
    [
        ("parties: [\n", 2, "filen slutar där ett värde väntas (en lista [ eller tabell { som"),
        # where the list opens, not where the next key shows it was not closed
        (
            "parties: [1, 2\nid: x\n",
            1,
            "listan eller tabellen som öppnas här stängs inte: ett "
            "kommatecken eller ] väntades före rad 2",
        ),
        ("costs:\n  setup: 1\n fixed: 2\n", 3, "indraget stämmer inte med raderna ovanför"),
        # the key without its colon, not the line after it
        ("id: x\nterm_periods\n", 2, "en nyckel utan kolon: skriv nyckel: värde"),
        ("id: x\nterm_periods\ncurrency: SEK\n", 2, "en nyckel utan kolon"),
        # a quote left open: where it opens, not where the next quote closes it
        (
            "id: 'x\nname: y\nstart: '2027-01-01'\n",
            1,
            "citattecknet som öppnas här stängs inte på samma rad",
        ),
        ('id: x\nname: "y\n', 2, "en text saknar sitt avslutande citattecken"),
        # a key indented under the value above: not a colon "not allowed"
        (
            "parties:\n- id: k\n   role: commissioner\n",
            3,
            "raden är indragen längre än nyckeln ovanför (som börjar i kolumn 3)",
        ),
        ("costs: *grund\n", 1, "aliaset 'grund' hänvisar inte till något ankare"),
        ("id: x\nid: y\n", 2, "nyckeln 'id' skrivs en andra gång i samma tabell"),
    ],
)
def test_common_yaml_mistakes_are_explained_in_swedish_on_the_line_that_makes_them(
    text: str, line: int, sv: str
) -> None:
    found_line, message = problem_text(text, "yaml", "sv")
    assert found_line == line
    assert sv in message
    assert "expected" not in message and "found" not in message


def test_a_key_written_twice_in_json_is_refused_at_the_second() -> None:
    text = '{"parties": [{"id": "a"}, {"id": "b",\n  "role": "x",\n  "id": "c"}]}'
    line, message = problem_text(text, "json", "en")
    assert line == 3
    assert "the key 'id' is written a second time in the same table" in message


@pytest.mark.parametrize("char", ["\x00", "\x0f", "\x9c"])
def test_a_key_written_twice_in_json_is_placed_when_a_control_character_follows(
    char: str,
) -> None:
    # the place is found with the YAML reader, which refuses control characters outright
    text = '{"a": {"id": 1,\n  "id": 2},\n "b": "x' + char + '"}'
    line, message = problem_text(text, "json", "en")
    assert line == 2
    assert "the key 'id' is written a second time in the same table" in message


def test_a_message_the_table_does_not_know_keeps_the_parsers_words() -> None:
    found = syntax_detail("toml", "Something new (at line 3, column 4)")
    assert found == ("Something new", 3, 4, False)
    assert syntax_detail("yaml", "a strange problem").detail == "a strange problem"


def test_every_syntax_code_has_both_languages() -> None:
    codes = {code for table in _TABLES.values() for _, code in table}
    for code in codes:
        assert {"en", "sv"} <= set(catalog()[code]), code


def test_an_outcomes_file_with_a_decimal_comma_names_its_line_in_swedish(tmp_path: Path) -> None:
    path = tmp_path / "utfall.toml"
    path.write_text('format_version = 1\ncontract = "x"\n[[measurements]]\ntreated = 0,5\n')
    with pytest.raises(DataError) as err:
        load_outcomes(path)
    assert err.value.render("sv") == (
        f"{path}, rad 4: utfallsfilen kan inte läsas: något följer efter värdet på samma rad "
        "(decimaler skrivs med punkt, 0.85, inte 0,85; en nyckel = värde per rad)"
    )


def test_a_contract_saved_as_windows_1252_is_named_so_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "kontrakt.toml"
    path.write_bytes('format_version = 1\nname = "Tillbaka till skolan – Växjö"\n'.encode("cp1252"))
    with pytest.raises(ContractInvalid) as err:
        read_document(path)
    [p] = err.value.problems
    assert p.line == 2
    assert "filen är inte text i UTF-8 (sparades den som Windows-1252/ANSI" in p.message("sv")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "kontrakt.toml"
    path.write_bytes(b"\xef\xbb\xbfformat_version = 1\n")
    assert read_document(path).data == {"format_version": 1}
