"""``--help`` is in the user's language, and the Swedish table covers every command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from effekt.cli import main
from effekt.cli.help import LocalisedHelpMixin, help_table, option_key, short_help

COMMANDS = sorted(main.commands)


def run(args: list[str], lang_env: str | None = None, **env: str | None) -> Result:
    env = {"EFFEKT_LANG": lang_env, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, **env}
    return CliRunner(env=env).invoke(main, args, prog_name="effekt")


def context(command: click.Command) -> click.Context:
    """A context as the command line makes it (the group's settings, e.g. ``-h``, inherited):
    click keeps the help option it first builds for a command."""
    root = click.Context(main, info_name="effekt", **main.context_settings)
    return root if command is main else click.Context(command, parent=root, info_name=command.name)


def options_of(command: click.Command) -> list[click.Option]:
    ctx = context(command)
    return [p for p in command.get_params(ctx) if isinstance(p, click.Option) and not p.hidden]


def every_command() -> list[tuple[str, click.Command]]:
    return [("effekt", main), *((name, main.commands[name]) for name in COMMANDS)]


def test_every_command_and_option_has_its_swedish_help() -> None:
    table = help_table()
    shared = table["shared"]
    missing = []
    for name, command in every_command():
        entry = table["commands"].get(name, {})
        if not entry.get("text"):
            missing.append(name)
        own = entry.get("options", {})
        missing += [
            f"{name} --{option_key(o)}"
            for o in options_of(command)
            if option_key(o) not in own and option_key(o) not in shared
        ]
    assert missing == []


def test_the_swedish_table_has_no_text_without_a_command_or_option() -> None:
    table = help_table()
    commands = dict(every_command())
    assert set(table["commands"]) <= set(commands)
    used_shared = set()
    for name, entry in table["commands"].items():
        keys = {option_key(o) for o in options_of(commands[name])}
        assert set(entry.get("options", {})) <= keys, name
        used_shared |= keys - set(entry.get("options", {}))
    assert set(table["shared"]) <= used_shared


def test_every_placeholder_in_the_english_help_has_a_swedish_word() -> None:
    names = help_table()["metavars"]
    seen = set()
    for _, command in every_command():
        ctx = context(command)
        pieces = " ".join(command.collect_usage_pieces(ctx))
        specs = [o.get_help_spec(ctx) or "" for o in options_of(command)]
        for text in [pieces, *specs]:
            seen |= set(re.findall(r"\b[A-Z][A-Z_]*(?: RANGE)?\b", text))
    assert seen - set(names) == set()


def test_every_command_is_localised() -> None:
    assert all(isinstance(c, LocalisedHelpMixin) for _, c in every_command())


@pytest.mark.parametrize("name", COMMANDS)
def test_swedish_help_has_no_english_left(name: str) -> None:
    result = run([name, "--help", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"Användning: effekt {name} ")
    assert "Flaggor:" in out and "Options:" not in out
    assert "[default:" not in out and "required]" not in out
    assert "Show this message and exit." not in out
    for option in options_of(main.commands[name]):
        english = " ".join((option.help or "").split()[:4])
        assert english not in " ".join(out.split()), (name, option.opts)


def test_swedish_help_of_simulate_says_the_options_defaults_and_ranges() -> None:
    out = " ".join(run(["simulate", "--help", "--lang", "sv"]).output.split())
    assert "Användning: effekt simulate [FLAGGOR] FIL" in out
    assert "--paths HELTAL Antal simulerade scenarier. [standard: 10000; x>=1]" in out
    assert "--dask ADRESS|local" in out
    assert "-h, --help Visa den här hjälpen och avsluta." in out


def test_required_options_are_marked_in_swedish() -> None:
    out = " ".join(run(["settle", "--help", "--lang", "sv"]).output.split())
    assert (
        "--outcomes FIL Uppmätta utfall (TOML eller CSV; se docs/outcomes.md). [obligatorisk]"
        in out
    )


def test_group_help_lists_the_commands_in_swedish() -> None:
    result = run(["--lang", "sv", "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Användning: effekt [FLAGGOR] KOMMANDO [ARGUMENT]...")
    assert "Kommandon:" in result.output
    assert "  schema       Skriv ut JSON-schemat för kontraktsfilens format.\n" in result.output


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["model", "--help", "--lang", "sv"], {}, "Användning:"),
        (["model", "--lang=sv", "--help"], {}, "Användning:"),
        (["--lang", "sv", "model", "--help"], {}, "Användning:"),
        (["--lang", "sv", "model", "--help", "--lang", "en"], {}, "Usage:"),
        (["model", "--help"], {"LANG": "sv_SE.UTF-8"}, "Användning:"),
        (["model", "--help"], {"EFFEKT_LANG": "sv", "LANG": "en_GB.UTF-8"}, "Användning:"),
        (["model", "--help", "--lang", "en"], {"EFFEKT_LANG": "sv"}, "Usage:"),
        (["model", "--help"], {}, "Usage:"),
    ],
    ids=["lang", "lang-equals", "before", "command-wins", "locale", "env", "lang-over-env", "en"],
)
def test_help_language_follows_lang_then_the_environment(
    args: list[str], env: dict[str, str], expected: str
) -> None:
    result = run(args, **env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(expected)


def test_a_new_command_line_does_not_keep_the_last_ones_language() -> None:
    assert run(["check", "--help", "--lang", "sv"]).output.startswith("Användning:")
    assert run(["check", "--help"]).output.startswith("Usage:")


def test_english_help_is_clicks_own() -> None:
    out = run(["check", "--help", "--lang", "en"]).output
    assert out.startswith("Usage: effekt check [OPTIONS] FILE")
    assert "Validate a contract file and report every problem at once." in out
    assert "Show this message and exit." in out


def test_short_help_is_the_first_sentence_cut_at_the_limit() -> None:
    assert short_help("Skriv ut schemat. Slutkod 0.", 40) == "Skriv ut schemat."
    assert short_help("Ett två tre fyra fem sex", 14) == "Ett två tre..."
    assert short_help("Första stycket\nfortsätter.\n\nAndra.", 80) == "Första stycket fortsätter."


def test_console_script_shows_swedish_help_in_a_swedish_locale() -> None:
    script = Path(sys.executable).with_name("effekt")
    env = {k: v for k, v in os.environ.items() if k not in ("EFFEKT_LANG", "LC_ALL")}
    env["LANG"] = "sv_SE.UTF-8"
    done = subprocess.run(
        [str(script), "simulate", "-h"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Användning: effekt simulate [FLAGGOR] FIL"


def test_python_dash_m_effekt_runs_the_same_program_named_effekt() -> None:
    import effekt

    env = {k: v for k, v in os.environ.items() if k not in ("EFFEKT_LANG", "LC_ALL")}
    env["LANG"] = "en_US.UTF-8"
    env["PYTHONPATH"] = str(Path(effekt.__file__).parents[1])  # these sources, not another copy
    done = subprocess.run(
        [sys.executable, "-m", "effekt", "simulate", "-h"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Usage: effekt simulate [OPTIONS] FILE"
