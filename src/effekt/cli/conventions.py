"""What every command shares: the ``--lang`` and ``--json`` options, loading the contract,
and turning effekt's errors into messages and exit codes (never a traceback).
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from effekt.cli.help import command_line_language
from effekt.contract.problems import Problem
from effekt.errors import ContractInvalid, EffektError, InputError
from effekt.i18n import default_language, translate
from effekt.settings import Settings, load_settings

__all__ = [
    "EXIT_INTERNAL",
    "handled",
    "json_option",
    "lang_option",
    "language",
    "load_contract_file",
    "print_problems",
    "settings",
]


F = TypeVar("F", bound=Callable[..., Any])
EXIT_INTERNAL = 3
#: NumPy's floating-point warnings, said where they happen (in the engine's modules, not
#: NumPy's): "overflow encountered in multiply", "invalid value encountered in cast".
_NUMPY_FLOATING_POINT = r"(overflow|invalid value|divide by zero|underflow) encountered"


def lang_option(f: F) -> F:
    """``--lang sv|en``: the language of messages (default: from the environment)."""
    return click.option(
        "--lang",
        type=click.Choice(["sv", "en"]),
        default=None,
        help="Language of messages: sv or en (default: EFFEKT_LANG, then the locale, else en).",
    )(f)


def json_option(f: F) -> F:
    """``--json``: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def language(lang: str | None) -> str:
    """The language asked for with the command's ``--lang``, else with ``effekt --lang``
    before the command, else the environment's."""
    if lang:
        return lang
    ctx = click.get_current_context(silent=True)
    before = ctx.find_root().params.get("lang") if ctx is not None else None
    # before the command's options are parsed (the group's own checks): the raw arguments
    return str(before) if before else command_line_language() or default_language()


def settings() -> Settings:
    """The settings, read once by the ``effekt`` group for this command line (or now, for a
    command run on its own)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is not None and isinstance(root.obj, Settings):
        return root.obj
    loaded = load_settings()
    if root is not None:
        root.obj = loaded
    return loaded


def handled(f: F) -> F:
    """Run a command; turn effekt's errors into messages and exit codes, never a traceback,
    and keep NumPy's floating-point RuntimeWarnings (an overflow in a figure too large to
    mean anything) off standard error: the figures say it, as ``inf`` or ``nan``."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = language(kwargs.get("lang"))
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", _NUMPY_FLOATING_POINT, RuntimeWarning)
                return f(*args, **kwargs)
        except ContractInvalid as exc:
            if kwargs.get("as_json"):  # asked for JSON: the problems too, as check gives them
                problems = [{"file": p.file, **p.as_json(lang)} for p in exc.problems]
                _refusal_json(exc.render(lang), problems)
            else:
                print_problems(exc.problems, lang, stream=sys.stderr)
                click.echo(exc.render(lang), err=True)
            sys.exit(exc.exit_code)
        except EffektError as exc:
            if kwargs.get("as_json") and isinstance(exc, InputError):  # a file we cannot use
                said = exc.render(lang)
                _refusal_json(
                    said, [{"file": exc.params.get("path"), "code": exc.code, "message": said}]
                )
            else:
                click.echo(f"effekt: {exc.render(lang)}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(translate("cli.interrupted", lang), err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            click.echo(translate("cli.internal", lang, kind=type(exc).__name__), err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def _refusal_json(summary: str, problems: list[dict[str, Any]]) -> None:
    """Input that cannot be used, as JSON on standard output (docs/cli.md, ``--json``)."""
    shown = {"valid": False, "summary": summary, "problems": problems}
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2, default=str))


def print_problems(problems: list[Problem], lang: str, stream: Any = None) -> None:
    for p in problems:
        where = f"{p.where()}: " if p.where() else ""  # none for data made in memory
        sev = translate(f"cli.severity.{p.severity}", lang)
        path = f" {p.path}:" if p.path else ""
        click.echo(f"{where}{sev}:{path} {p.message(lang)}", file=stream)


def load_contract_file(file: str, lang: str) -> Any:
    from effekt.contract.load import load_contract

    if not Path(file).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=file)}", err=True)
        sys.exit(2)
    return load_contract(file)
