"""click's usage errors are said in the user's language, name what is wrong, and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from effekt.cli import main
from effekt.cli.usage import LocalisedGroup, language_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEM = str(EXAMPLES / "hemmasittare.toml")
OTHER = {"sv": "en", "en": "sv"}


def run(args: list[str], lang_env: str | None = None, **env: str | None) -> Result:
    env = {"EFFEKT_LANG": lang_env, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, **env}
    return CliRunner(env=env).invoke(main, args, prog_name="effekt")


def assert_usage_error(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)


# Each kind of usage error: the arguments ({lang} is where --lang goes) and the message's
# last line in Swedish and in English.
CASES = {
    "unknown-option": (
        ["simulate", "--lang", "{lang}", "--pathz", "3", HEM],
        "Fel: Okänd flagga '--pathz'. Menade du '--paths'?",
        "Error: No such option '--pathz'. Did you mean '--paths'?",
    ),
    "missing-argument": (
        ["simulate", "--lang", "{lang}"],
        "Fel: Argumentet FIL saknas.",
        "Error: Missing argument FILE.",
    ),
    "missing-option": (
        ["settle", "--lang={lang}", HEM],
        "Fel: Flaggan '--outcomes' saknas.",
        "Error: Missing option '--outcomes'.",
    ),
    "not-an-integer": (
        ["simulate", HEM, "--paths", "abc", "--lang", "{lang}"],
        "Fel: Ogiltigt värde för '--paths': 'abc' är inte ett heltal.",
        "Error: Invalid value for '--paths': 'abc' is not an integer.",
    ),
    "not-a-number": (
        ["solve", HEM, "--low", "lågt", "--lang", "{lang}"],
        "Fel: Ogiltigt värde för '--low': 'lågt' är inte ett tal.",
        "Error: Invalid value for '--low': 'lågt' is not a number.",
    ),
    "not-a-choice": (
        ["simulate", HEM, "--engine", "fast", "--lang", "{lang}"],
        "Fel: Ogiltigt värde för '--engine': 'fast' är inte ett giltigt val; välj bland"
        " 'compiled', 'numpy'.",
        "Error: Invalid value for '--engine': 'fast' is not one of 'compiled', 'numpy'.",
    ),
    "below-int-range": (
        ["simulate", HEM, "--paths", "0", "--lang", "{lang}"],
        "Fel: Ogiltigt värde för '--paths': 0 är för litet; det minsta tillåtna är 1.",
        "Error: Invalid value for '--paths': 0 is too small; the smallest allowed is 1.",
    ),
    "below-float-range": (
        ["evaluate", "data.csv", "--caliper", "-0.5", "--lang", "{lang}"],
        "Fel: Ogiltigt värde för '--caliper': -0.5 är för litet; det minsta tillåtna är 0.",
        "Error: Invalid value for '--caliper': -0.5 is too small; the smallest allowed is 0.",
    ),
    "directory-for-file": (
        ["check", str(EXAMPLES), "--lang", "{lang}"],
        f"Fel: Ogiltigt värde för FIL: Filen '{EXAMPLES}' är en katalog.",
        f"Error: Invalid value for FILE: File '{EXAMPLES}' is a directory.",
    ),
    "option-needs-a-value": (
        ["model", "--lang", "{lang}", HEM, "--xlsx"],
        "Fel: Flaggan '--xlsx' kräver ett värde.",
        "Error: Option '--xlsx' requires a value.",
    ),
    "flag-given-a-value": (
        ["check", HEM, "--json=yes", "--lang", "{lang}"],
        "Fel: Flaggan '--json' tar inget värde.",
        "Error: Option '--json' does not take a value.",
    ),
    "extra-argument": (
        ["check", HEM, "extra.toml", "--lang", "{lang}"],
        "Fel: Oväntat extra argument: extra.toml.",
        "Error: Unexpected extra argument: extra.toml.",
    ),
    "extra-arguments": (
        ["explain", "--lang", "{lang}", HEM, "a.toml", "b.toml"],
        "Fel: Oväntade extra argument: a.toml b.toml.",
        "Error: Unexpected extra arguments: a.toml b.toml.",
    ),
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_usage_error_is_said_in_the_language_of_lang_and_exits_2(kind: str, lang: str) -> None:
    args, sv, en = CASES[kind]
    # The environment asks for the other language: --lang on the command line wins.
    result = run([a.format(lang=lang) for a in args], lang_env=OTHER[lang])
    assert_usage_error(result)
    assert result.output.rstrip().splitlines()[-1] == (sv if lang == "sv" else en)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sv", "Fel: Okänt kommando 'simulat'. Menade du 'simulate'?"),
        ("en", "Error: No such command 'simulat'. Did you mean 'simulate'?"),
    ],
)
def test_unknown_command_is_said_in_the_default_language_with_a_suggestion(
    lang: str, expected: str
) -> None:
    result = run(["simulat", HEM], lang_env=lang)
    assert_usage_error(result)
    assert result.output.rstrip().splitlines()[-1] == expected


def test_unknown_command_that_starts_a_command_name_suggests_it() -> None:
    result = run(["sens"], lang_env="sv")
    assert_usage_error(result)
    assert "Okänt kommando 'sens'. Menade du 'sensitivity'?" in result.output


def test_usage_and_help_lines_are_translated() -> None:
    sv = run(["simulate", "--lang", "sv"]).output.splitlines()
    en = run(["simulate", "--lang", "en"]).output.splitlines()
    assert sv[:3] == [
        "Användning: effekt simulate [FLAGGOR] FIL",
        "Skriv 'effekt simulate --help' för hjälp.",
        "",
    ]
    assert en[:3] == [
        "Usage: effekt simulate [OPTIONS] FILE",
        "Try 'effekt simulate --help' for help.",
        "",
    ]


def test_usage_error_follows_effekt_lang_without_lang() -> None:
    result = run(["simulate", "--pathz", "3", HEM], lang_env="sv")
    assert_usage_error(result)
    assert "Okänd flagga '--pathz'" in result.output


def test_usage_error_follows_the_locale_without_lang_or_effekt_lang() -> None:
    result = run(["settle", HEM], LANG="sv_SE.UTF-8")
    assert_usage_error(result)
    assert "Flaggan '--outcomes' saknas." in result.output
    result = run(["settle", HEM], LANG="en_GB.UTF-8")
    assert "Missing option '--outcomes'." in result.output


def test_an_invalid_lang_is_reported_in_the_default_language_with_the_choices() -> None:
    result = run(["check", HEM, "--lang", "de"], lang_env="sv")
    assert_usage_error(result)
    assert (
        "Fel: Ogiltigt värde för '--lang': 'de' är inte ett giltigt val; välj bland 'sv', 'en'."
        in result.output
    )


def test_an_option_the_group_does_not_have_is_reported_in_the_language_asked_for() -> None:
    result = run(["--lang", "sv", "--json", "check", HEM], lang_env="en")
    assert_usage_error(result)
    assert "Användning: effekt [FLAGGOR] KOMMANDO [ARGUMENT]..." in result.output
    assert "Fel: Okänd flagga '--json'." in result.output


def test_lang_before_the_command_applies_to_it_unless_the_command_has_its_own() -> None:
    before = run(["--lang", "sv", "check", HEM], lang_env="en")
    assert before.exit_code == 0, before.output
    assert "Kontraktet är giltigt" in before.output
    own = run(["--lang", "sv", "check", HEM, "--lang", "en"], lang_env="sv")
    assert own.exit_code == 0 and "The contract is valid" in own.output


def test_help_and_version_are_not_errors() -> None:
    assert run(["simulate", "--help"], lang_env="sv").exit_code == 0
    assert run(["--version"], lang_env="sv").exit_code == 0
    bare = run([], lang_env="sv")
    assert "Kommandon:" in bare.output and "Traceback" not in bare.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "--lang", "en", "x"], "en"),
        (["check", "--lang=en", "x"], "en"),
        (["check", "--lang", "en", "--lang", "EN"], "en"),
        (["check", "--lang", "sv", "--lang", "en"], "en"),
        (["check", "--lang", "de"], "sv"),
        (["check", "--lang"], "sv"),
        (["check", "--", "--lang", "en"], "sv"),
    ],
    ids=["separate", "equals", "any-case", "last-wins", "invalid", "no-value", "after-dashes"],
)
def test_language_is_read_from_the_raw_arguments_else_the_environment(
    args: list[str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EFFEKT_LANG", "sv")
    assert language_of(args) == expected


# --- the kinds effekt's own commands do not use, on a small group -------------------------


@click.group(cls=LocalisedGroup)
def tool() -> None:
    """A small CLI with every kind of parameter."""


@tool.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--share", type=click.FloatRange(0, 1, max_open=True), default=0.5)
@click.option("--mode", type=click.Choice(["fast", "slow"]), required=True)
@click.option("--flag", type=bool, default=False)
def go(source: str, share: float, mode: str, flag: bool) -> None:
    if source.endswith(".bad"):
        raise click.BadParameter("the file is empty", param_hint="'SOURCE'")
    if source.endswith(".odd"):
        raise click.UsageError("something else went wrong")


def run_tool(args: list[str], lang: str) -> Result:
    return CliRunner(env={"EFFEKT_LANG": lang}).invoke(tool, args)


@pytest.mark.parametrize(
    ("args", "sv", "en"),
    [
        (
            ["go", "nowhere.toml", "--mode", "fast"],
            "Fel: Ogiltigt värde för SOURCE: Filen 'nowhere.toml' finns inte.",
            "Error: Invalid value for SOURCE: File 'nowhere.toml' does not exist.",
        ),
        (
            ["go", "{file}", "--mode", "fast", "--share", "1"],
            "Fel: Ogiltigt värde för '--share': 1.0 är för stort; det måste vara mindre än 1.",
            "Error: Invalid value for '--share': 1.0 is too large; it must be less than 1.",
        ),
        (
            ["go", "{file}"],
            "Fel: Flaggan '--mode' saknas. Välj bland: 'fast', 'slow'.",
            "Error: Missing option '--mode'. Choose from: 'fast', 'slow'.",
        ),
        (
            ["go", "{file}", "--mode", "fast", "--flag", "kanske"],
            "Fel: Ogiltigt värde för '--flag': 'kanske' is not a valid boolean.",
            "Error: Invalid value for '--flag': 'kanske' is not a valid boolean.",
        ),
        (
            ["go", "{bad}", "--mode", "fast"],
            "Fel: Ogiltigt värde för 'SOURCE': the file is empty",
            "Error: Invalid value for 'SOURCE': the file is empty",
        ),
        (
            ["go", "{odd}", "--mode", "fast"],
            "Fel: something else went wrong",
            "Error: something else went wrong",
        ),
    ],
    ids=["path-missing", "above-open-range", "missing-choice", "unknown-kind", "custom", "plain"],
)
def test_other_usage_errors_are_translated_or_keep_clicks_text_after_a_translated_prefix(
    args: list[str], sv: str, en: str, tmp_path: Path
) -> None:
    files = {name: tmp_path / f"source.{name}" for name in ("file", "bad", "odd")}
    for path in files.values():
        path.write_text("x")
    for lang, expected in (("sv", sv), ("en", en)):
        result = run_tool([a.format(**files) for a in args], lang)
        assert_usage_error(result)
        last = result.output.rstrip().splitlines()[-1]
        assert last.startswith(expected), (lang, last)


def test_console_script_says_usage_errors_in_the_locale_language() -> None:
    script = Path(sys.executable).with_name("effekt")
    assert script.exists(), "make installs the package, and its console script, into the venv"
    env = {k: v for k, v in os.environ.items() if k not in ("EFFEKT_LANG", "LC_ALL")}
    env["LANG"] = "sv_SE.UTF-8"
    done = subprocess.run(
        [str(script), "simulate"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == "Användning: effekt simulate [FLAGGOR] FIL"
    assert done.stderr.rstrip().splitlines()[-1] == "Fel: Argumentet FIL saknas."
