"""Who was treated is read row by row: a typo or an empty cell is a problem of its row,
never a participant quietly put in the comparison group."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.evaluation_io.flags import yes_no
from effekt.evaluation_io.importer import ImportRejected
from effekt.evaluation_io.mapping import Columns


def read(
    values: list[object], yes: list[object] | None = None, required: bool = True
) -> list[bool]:
    series = pd.Series(values)
    rows = pd.Series(range(1, len(values) + 1))
    return yes_no(series, rows, "t", yes, required=required).tolist()


def rejected(values: list[object], yes: list[object] | None = None) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as exc:
        read(values, yes)
    return [(p.row, p.code) for p in exc.value.problems]


def test_numbers_words_and_booleans_are_read_as_yes_or_no() -> None:
    assert read([1, 0, 1.0, 0.0, True, False]) == [True, False, True, False, True, False]
    assert read(["ja", "Nej", " YES ", "no", "1", "0", "true", "FALSE"]) == [
        True, False, True, False, True, False, True, False,
    ]  # fmt: skip


def test_swedish_excels_true_and_false_are_yes_and_no() -> None:
    # a Swedish Excel writes TRUE/FALSE cells to CSV as SANT/FALSKT; they had been refused
    # without a mapping, and counted as "not engaged" under the mapping's default yes-values
    assert read(["SANT", "falskt", "Sant"]) == [True, False, True]
    assert read(["SANT", "FALSKT"], yes=Columns().engaged_values) == [True, False]


def test_a_column_read_as_decimals_still_matches_a_mappings_values() -> None:
    # an empty cell elsewhere makes pandas read 1 as 1.0; "1" in the mapping still matches
    assert read([1.0, 0.0, 1.0], yes=["1"]) == [True, False, True]
    assert read(["insats", "jämförelse"], yes=["Insats"]) == [True, False]


def test_an_empty_cell_is_a_problem_of_its_row() -> None:
    assert rejected([1.0, 0.0, math.nan]) == [(3, "evaluation.flag_missing")]
    assert rejected(["insats", None, ""], yes=["insats"]) == [
        (2, "evaluation.flag_missing"),
        (3, "evaluation.flag_missing"),
    ]


def test_a_value_that_is_neither_yes_nor_no_is_a_problem_of_its_row() -> None:
    assert rejected([1, 0, "x", 2]) == [
        (3, "evaluation.flag_unreadable"),
        (4, "evaluation.flag_unreadable"),
    ]


def test_an_optional_column_reads_an_empty_cell_as_no() -> None:
    assert read([1, None, 0], required=False) == [True, False, False]


def test_evaluate_refuses_a_typo_in_the_treatment_column_by_row_number(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id,t,y\n1,1,1\n2,0,0\n3,x,1\n4,1,0\n5,0,1\n6,1,1\n", encoding="utf-8")
    args = ["evaluate", str(data), "--treatment", "t", "--outcome", "y", "--method", "rct"]
    result = CliRunner().invoke(main, [*args, "--lang", "sv"])
    assert result.exit_code == 1
    assert "rad 3: t: varken ja eller nej" in result.output
    assert "1 rad har ett problem" in result.output
    assert ",x," not in result.output  # row numbers, never values


def test_evaluate_json_gives_the_bad_rows_as_json_problems_on_stdout(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id,t,y\n1,1,1\n2,0,0\n3,x,1\n4,1,0\n5,,1\n6,1,1\n", encoding="utf-8")
    args = ["evaluate", str(data), "--treatment", "t", "--outcome", "y", "--method", "rct"]
    result = CliRunner().invoke(main, [*args, "--json", "--lang", "sv"])
    assert result.exit_code == 1
    shown = json.loads(result.stdout)  # docs/cli.md: with --json, the problems are JSON
    assert shown["valid"] is False
    assert shown["summary"].startswith("Data kan inte importeras: 2 rader har problem")
    assert [
        (p["file"], p["row"], p["column"], p["severity"], p["code"]) for p in shown["problems"]
    ] == [
        (str(data), 3, "t", "error", "evaluation.flag_unreadable"),
        (str(data), 5, "t", "error", "evaluation.flag_missing"),
    ]
    assert shown["problems"][0]["message"].startswith("varken ja eller nej")
    assert ",x," not in result.output  # row numbers, never values


def test_evaluate_without_a_mapping_names_a_file_with_no_row_under_its_header(
    tmp_path: Path,
) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id,t,y\n,,\n", encoding="utf-8")
    args = ["evaluate", str(data), "--treatment", "t", "--outcome", "y", "--method", "rct"]
    result = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"effekt: {data}: the file has a header line but no row of data under it.\n"
    )


@pytest.mark.parametrize(
    ("lang", "rows", "said"),
    [
        ("en", "3,x,1", "1 row has a problem (in problems, by row number and column)"),
        ("en", "3,x,1\n4,z,0", "2 rows have problems (in problems, by row number and column)"),
        ("sv", "3,x,1", "1 rad har ett problem (i problems, med radnummer och kolumn)"),
        ("sv", "3,x,1\n4,z,0", "2 rader har problem (i problems, med radnummer och kolumn)"),
    ],
)
def test_evaluate_json_summary_points_to_the_problems_not_to_rows_listed_above(
    tmp_path: Path, lang: str, rows: str, said: str
) -> None:
    # nothing stands above the JSON: the text's "listed above by row number" was untrue there
    data = tmp_path / "d.csv"
    data.write_text(f"id,t,y\n1,1,1\n2,0,0\n{rows}\n6,1,1\n", encoding="utf-8")
    args = ["evaluate", str(data), "--treatment", "t", "--outcome", "y", "--method", "rct"]
    result = CliRunner().invoke(main, [*args, "--json", "--lang", lang])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)["summary"]
    assert said in summary and "above" not in summary and "ovan" not in summary


def test_a_value_in_neither_of_the_mappings_lists_is_a_problem_of_its_row() -> None:
    series, rows = pd.Series(["insats", "jamforelse", "insast"]), pd.Series([1, 2, 3])
    with pytest.raises(ImportRejected) as exc:
        yes_no(series, rows, "grupp", ["insats"], no_values=["jamforelse"])
    assert [(p.row, p.code) for p in exc.value.problems] == [(3, "evaluation.flag_unlisted")]
    # without comparison_values, any other value is comparison, as before
    assert yes_no(series, rows, "grupp", ["insats"]).tolist() == [True, False, False]


def test_the_example_mapping_refuses_a_typo_in_the_group_column(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    text = (root / "data" / "hemmasittare_participants.csv").read_text(encoding="utf-8")
    data = tmp_path / "deltagare.csv"
    data.write_text(text.replace(",insats,", ",insast,", 1), encoding="utf-8")
    args = ["evaluate", str(data), "--contract", str(root / "hemmasittare.toml"), "--mapping"]
    args += [str(root / "hemmasittare.mapping.toml"), "--metric", "back_in_school", "--lang", "sv"]
    result = CliRunner().invoke(main, args, env={"EFFEKT_PSEUDONYM_KEY": ""})
    assert result.exit_code == 1, result.output
    assert re.search(
        r"rad 1: grupp: varken ett värde för insats eller för jämförelse", result.output
    )


def test_leading_comment_lines_are_skipped_and_a_hash_in_the_data_is_data(tmp_path: Path) -> None:
    from effekt.evaluation_io.importer import read_table

    data = tmp_path / "d.csv"
    data.write_text("# synthetic\n# seed 1\nid,t,note\n1,1,a#b\n2,0,c\n", encoding="utf-8")
    frame = read_table(data)
    assert list(frame.columns) == ["id", "t", "note"]
    assert frame["note"].tolist() == ["a#b", "c"]


def test_a_whole_column_in_the_wrong_form_lists_twenty_rows_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    data = tmp_path / "d.csv"
    rows = "".join(f"{i},x,1\n" for i in range(1, 31))
    data.write_text("id,t,y\n" + rows, encoding="utf-8")
    args = ["evaluate", str(data), "--treatment", "t", "--outcome", "y", "--method", "rct"]
    result = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 1
    listed = [line for line in result.output.splitlines() if line.startswith("row ")]
    assert len(listed) == 20 and listed[-1].startswith("row 20: t:")
    assert "… and 10 more rows with the same problem in t" in result.output
