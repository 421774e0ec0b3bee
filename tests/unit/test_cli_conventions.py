"""Every command keeps the CLI's conventions: exit codes 0/1/2, never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from effekt.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEM = EXAMPLES / "hemmasittare.toml"
FILE_COMMANDS = ["check", "summary", "explain"]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_valid_contract_exits_0(command: str) -> None:
    result = run(command, str(HEM), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.strip()


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_invalid_contract_exits_1_with_its_problems(command: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(HEM.read_text(encoding="utf-8").replace('role = "provider"', "role = 7"))
    result = run(command, str(broken), "--lang", "en")
    assert result.exit_code == 1
    assert "parties[2].role" in result.output
    assert_no_traceback(result)


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_missing_file_exits_2(command: str, tmp_path: Path) -> None:
    result = run(command, str(tmp_path / "nowhere.toml"), "--lang", "sv")
    assert result.exit_code == 2
    assert "finns inte" in result.output
    assert_no_traceback(result)


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(HEM), "--lang", "de"],
        ["check", str(HEM), "--no-such-option"],
        ["check"],
        ["no-such-command"],
        ["diff", str(HEM)],
        ["schema", "--lang", "fr"],
    ],
    ids=["bad-lang", "bad-option", "no-file", "no-command", "diff-one-file", "schema-bad-lang"],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert_no_traceback(result)


def test_directory_is_refused_with_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "contract.toml"
    folder.mkdir()
    result = run("check", str(folder))
    assert result.exit_code == 2
    assert_no_traceback(result)


def _garbage(tmp_path: Path) -> dict[str, Path]:
    files = {
        "binary.toml": bytes(range(256)) * 4,
        "binary.json": b"\x00\xff\xfe" * 100,
        "empty.toml": b"",
        "empty.yaml": b"",
        "empty.json": b"",
        "latin1.toml": 'name = "Norrköping"\n'.encode("latin-1"),
        "huge-number.toml": b"format_version = 1\nterm_periods = " + b"9" * 4000 + b"\n",
        "huge-number.json": b'{"format_version": 1e999999, "term_periods": ' + b"9" * 5000 + b"}",
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "deep-object.json": b'{"a":' * 600 + b"1" + b"}" * 600,
        "deep.yaml": b"a: " + b"[" * 5_000 + b"]" * 5_000 + b"\n",
        "deep.toml": b"a = " + b"[" * 5_000 + b"]" * 5_000 + b"\n",
        "alias-cycle.yaml": b"a: &x [*x]\n",
        "laughs.yaml": (
            b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + b"".join(
                bytes(f"{chr(98 + i)}: &{chr(98 + i)} [", "ascii")
                + b",".join([bytes(f"*{chr(97 + i)}", "ascii")] * 10)
                + b"]\n"
                for i in range(9)
            )
        ),
        "list.json": b"[1, 2, 3]",
        "string.yaml": b"just a sentence\n",
        "nul.toml": b'id = "a\x00b"\n',
        "unknown.txt": b"format_version = 1\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return {name: tmp_path / name for name in files}


def test_garbage_input_gets_a_message_never_a_traceback(tmp_path: Path) -> None:
    for name, path in _garbage(tmp_path).items():
        for command in FILE_COMMANDS:
            result = run(command, str(path), "--lang", "en")
            assert result.exit_code == 1, (name, command, result.exit_code, result.output)
            assert_no_traceback(result)
            assert result.output.strip(), (name, command)
            assert "internal error" not in result.output, (name, command, result.output)


def test_garbage_json_report_is_still_json(tmp_path: Path) -> None:
    for name, path in _garbage(tmp_path).items():
        result = run("check", str(path), "--json", "--lang", "sv")
        assert result.exit_code == 1, name
        if name == "unknown.txt":
            continue  # an unknown file type is refused before any report
        report = json.loads(result.output)
        assert report["valid"] is False and report["problems"], name


@pytest.mark.parametrize("broken", [False, True])
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_check_json_names_the_file_and_sums_up_as_the_text_does(
    broken: bool, lang: str, tmp_path: Path
) -> None:
    path = tmp_path / "kontrakt.toml"
    text = HEM.read_text(encoding="utf-8")
    path.write_text(text.replace('role = "provider"', "role = 7") if broken else text)
    said = run("check", str(path), "--lang", lang).output.strip().splitlines()
    report = json.loads(run("check", str(path), "--json", "--lang", lang).output)
    severities = [p["severity"] for p in report["problems"]]
    assert report["file"] == str(path)
    assert report["valid"] is not broken
    assert report["errors"] == severities.count("error") == (1 if broken else 0)
    assert report["warnings"] == severities.count("warning") > 0
    assert report["summary"] == said[-1]
    assert {p["file"] for p in report["problems"]} == {str(path)}


def test_file_that_is_too_large_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"description": "' + "x" * 5_100_000 + '"}')
    result = run("check", str(big), "--lang", "en")
    assert result.exit_code == 1
    assert "larger than" in result.output


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_init_writes_a_template_that_passes_check(lang: str, tmp_path: Path) -> None:
    target = tmp_path / f"ny.{lang}.toml"
    result = run("init", str(target), "--lang", lang)
    assert result.exit_code == 0, result.output
    check = run("check", str(target), "--json", "--lang", lang)
    assert check.exit_code == 0, check.output
    assert json.loads(check.output)["valid"] is True


def test_init_prints_the_template_without_a_file() -> None:
    sv, en = run("init", "--lang", "sv"), run("init", "--lang", "en")
    assert sv.exit_code == en.exit_code == 0
    assert "format_version = 1" in sv.output and sv.output != en.output


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "kontrakt.toml"
    target.write_text("keep me")
    refused = run("init", str(target), "--lang", "en")
    assert refused.exit_code == 2
    assert target.read_text() == "keep me"
    forced = run("init", str(target), "--force", "--lang", "en")
    assert forced.exit_code == 0
    assert target.read_text() != "keep me"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["init", "", "--lang", "sv"], "Här behövs ett filnamn"),
        (["init", "", "--lang", "en"], "A file name is needed"),
        (["model", str(HEM), "--xlsx", "", "--lang", "en"], "A file name is needed"),
    ],
)
def test_an_empty_output_file_name_is_a_usage_error_asking_for_one(
    args: list[str], says: str
) -> None:
    # before: ". är en mapp, inte en fil" — the empty name read as the current folder
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "mapp" not in result.output and "folder" not in result.output


def test_diff_of_a_file_with_itself_exits_0() -> None:
    result = run("diff", str(HEM), str(HEM), "--lang", "en")
    assert result.exit_code == 0
    assert "No differences" in result.output


def test_the_same_contract_as_toml_and_as_json_has_no_differences(tmp_path: Path) -> None:
    # TOML reads start = 2027-01-01 as a date, JSON as text: the same term all the same
    import tomllib

    data = tomllib.loads(HEM.read_text(encoding="utf-8"))
    as_json = tmp_path / "same.json"
    as_json.write_text(json.dumps(data, default=str), encoding="utf-8")
    result = run("diff", str(HEM), str(as_json), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "No differences" in result.output


def test_diff_against_a_mapping_file_is_a_usage_error_naming_it() -> None:
    mapping = HEM.with_name("hemmasittare.mapping.toml")
    result = run("diff", str(HEM), str(mapping), "--lang", "en")
    assert result.exit_code == 2
    assert f"{mapping}: This is a mapping file" in result.output


def test_diff_lists_the_changed_term_by_path_and_exits_1(tmp_path: Path) -> None:
    text = HEM.read_text(encoding="utf-8")
    new = tmp_path / "new.toml"
    new.write_text(re.sub(r"(?m)^term_periods = \d+", "term_periods = 24", text, count=1))
    result = run("diff", str(HEM), str(new), "--lang", "sv")
    assert result.exit_code == 1
    assert re.search(r"term_periods: 20 → 24", result.output), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_diff_names_list_items_by_their_id(tmp_path: Path) -> None:
    text = HEM.read_text(encoding="utf-8")
    edited = re.sub(r'(?m)^(id = "skolnarvaro"\nkind = "rate_card"\nmetric = .*\n)price = [0-9_]+',
                    r"\1price = 1", text, count=1)  # fmt: skip
    assert edited != text
    new = tmp_path / "new.toml"
    new.write_text(edited)
    result = run("diff", str(HEM), str(new), "--json")
    assert result.exit_code == 1
    (change,) = json.loads(result.output)
    assert change["path"] == "rules[skolnarvaro].price"
    assert (change["kind"], change["new"]) == ("changed", 1)


def test_diff_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = run("diff", str(HEM), str(tmp_path / "nowhere.toml"))
    assert result.exit_code == 2
    assert_no_traceback(result)


def test_schema_prints_json_and_the_reference_prints_markdown() -> None:
    assert json.loads(run("schema").output)["title"] == "Contract"
    assert json.loads(run("schema", "--portfolio").output)["title"] == "Portfolio"
    assert run("schema", "--reference").output.startswith("# Contract file reference")


def test_language_comes_from_effekt_lang_when_not_given(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.toml")
    sv = CliRunner(env={"EFFEKT_LANG": "sv"}).invoke(main, ["check", missing])
    en = CliRunner(env={"EFFEKT_LANG": "en"}).invoke(main, ["check", missing])
    assert "finns inte" in sv.output and "does not exist" in en.output


def test_an_invalid_contract_under_json_is_json_like_check_gives(tmp_path: Path) -> None:
    broken = tmp_path / "c.toml"
    broken.write_text(
        re.sub(r"(?m)^term_periods = \d+", "term_periods = 0", HEM.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    result = run("model", str(broken), "--json", "--lang", "sv")
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["valid"] is False
    assert any(p["path"] == "term_periods" and p["file"] == str(broken) for p in shown["problems"])


def test_no_numpy_overflow_warning_reaches_standard_error(tmp_path: Path) -> None:
    # a cohort of 1e300 persons (not an amount, so not bounded): the engine overflows, and
    # NumPy's RuntimeWarnings had been printed under the result
    import effekt

    text = HEM.read_text(encoding="utf-8")
    size = 'size = { dist = "normal", mean = 40, sd = 6, low = 20, high = 60, id = "referrals_k1" }'
    assert size in text
    path = tmp_path / "huge.toml"
    path.write_text(text.replace(size, "size = 1e300"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(effekt.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "effekt", "simulate", str(path), "--paths", "20", "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "Warning" not in done.stderr, done.stderr
