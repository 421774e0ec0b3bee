"""``--help`` in the user's language.

The English help is click's own, written beside each command (its docstring and each
option's ``help=``). The Swedish help is a translation table, ``i18n/help_sv.toml``,
keyed by command and parameter name; :class:`LocalisedCommand` and
:class:`LocalisedHelpGroup` render it with click's formatter, so both languages share
the layout: the usage line, the text, the options with their defaults and ranges, and a
group's commands::

    Användning: effekt simulate [FLAGGOR] FIL

      Risk under osäkerhet: varje parts nuvärde, IRR och multipel över simulerade
      scenarier.
    ...
    Flaggor:
      --paths HELTAL   Antal simulerade scenarier.  [standard: 10000; x>=1]

The language is the one the command's messages use: ``--lang`` anywhere on the command
line (read from the raw arguments, since ``--help`` stops parsing), else
:func:`effekt.i18n.default_language`. A test holds the table to the commands: every
command and option has its Swedish text, and no text is left over.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Sequence
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import Any

import click

from effekt.i18n import LANGUAGES, default_language

__all__ = [
    "LocalisedCommand",
    "LocalisedHelpMixin",
    "command_line_language",
    "explicit_language",
    "help_table",
    "option_key",
    "set_help_language",
    "short_help",
    "swedish_metavars",
]

#: The language of the help being shown; set as the command line is read.
_HELP_LANG: ContextVar[str | None] = ContextVar("effekt_help_lang", default=None)
_METAVAR = re.compile(r"\b[A-Z][A-Z_]*(?: RANGE)?\b")


@cache
def help_table() -> dict[str, Any]:
    """The Swedish help: headings, metavars, shared options and every command."""
    text = (resources.files("effekt.i18n") / "help_sv.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def explicit_language(args: Sequence[str]) -> str | None:
    """The language of ``--lang X`` / ``--lang=X`` in ``args`` (the last valid one), or None.

    Arguments after ``--`` are not options.
    """
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        else:
            continue
        if value.strip().lower() in LANGUAGES:
            found = value.strip().lower()
    return found


def command_line_language() -> str | None:
    """The language ``--lang`` asks for anywhere on this command line, read from the raw
    arguments before click has parsed them; None if it does not say."""
    return _HELP_LANG.get()


def set_help_language(lang: str) -> None:
    """The language of any help shown while this command line is handled."""
    _HELP_LANG.set(lang)


def swedish_metavars(text: str) -> str:
    """``[OPTIONS] FILE`` → ``[FLAGGOR] FIL``: every upper-case placeholder the table knows."""
    names: dict[str, str] = help_table()["metavars"]
    return _METAVAR.sub(lambda m: names.get(m[0], m[0]), text)


def _swedish_extra(param: click.Option, ctx: click.Context) -> str:
    """click's ``[default: …; x>=1; required]`` after an option's help, in Swedish."""
    words: dict[str, str] = help_table()["headings"]
    extra = param.get_help_extra(ctx)
    items = []
    if "envvars" in extra:
        items.append(words["envvar"].format(var=", ".join(extra["envvars"])))
    if "default" in extra:
        items.append(words["default"].format(default=extra["default"]))
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(words["required"])
    return f"[{'; '.join(items)}]" if items else ""


def option_key(option: click.Option) -> str:
    """An option's key in the table: its first long name without the dashes (``paths``)."""
    names = [o for o in option.opts if o.startswith("--")] or option.opts
    return names[0].lstrip("-")


def _option_help(command: str, option: click.Option) -> str:
    """The option's Swedish help; its English help if the table has none (a test fails then)."""
    table = help_table()
    own: dict[str, str] = table["commands"].get(command, {}).get("options", {})
    shared: dict[str, str] = table["shared"]
    key = option_key(option)
    return own.get(key) or shared.get(key) or option.help or ""


def short_help(text: str, limit: int) -> str:
    """A command's line in its group's list: the first sentence, cut at ``limit`` with "..."."""
    first = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())
    end = first.find(". ")
    if end >= 0:
        first = first[: end + 1]
    if len(first) <= limit:
        return first
    out = ""
    for word in first.split():
        if len(out) + len(word) + 1 + 3 > limit:
            break
        out = f"{out} {word}".lstrip()
    return out + "..."


class LocalisedHelpMixin:
    """Swedish ``--help`` for a click command or group (English is click's own)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        lang = explicit_language(args)
        if lang is not None:
            set_help_language(lang)
        elif parent is None:
            _HELP_LANG.set(None)  # a new command line: the environment decides
        ctx: click.Context = super().make_context(info_name, args, parent, **extra)  # type: ignore[misc]
        return ctx

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if (_HELP_LANG.get() or default_language()) != "sv":
            super().format_help(ctx, formatter)  # type: ignore[misc]
            return
        command: click.Command = self  # type: ignore[assignment]
        name = command.name or "effekt"
        table = help_table()
        words: dict[str, str] = table["headings"]
        pieces = " ".join(command.collect_usage_pieces(ctx))
        formatter.write_usage(ctx.command_path, swedish_metavars(pieces), prefix=words["usage"])
        text = inspect.cleandoc(table["commands"].get(name, {}).get("text") or command.help or "")
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)
        rows = []
        for param in command.get_params(ctx):
            if not isinstance(param, click.Option) or param.hidden:
                continue
            spec = swedish_metavars(param.get_help_spec(ctx) or "")
            extra = _swedish_extra(param, ctx)
            help_text = _option_help(name, param)
            rows.append((spec, f"{help_text}  {extra}" if extra else help_text))
        if rows:
            with formatter.section(words["options"]):
                formatter.write_dl(rows)
        if isinstance(command, click.Group):
            self._format_swedish_commands(ctx, formatter, command, words["commands"])

    @staticmethod
    def _format_swedish_commands(
        ctx: click.Context, formatter: click.HelpFormatter, group: click.Group, heading: str
    ) -> None:
        commands = []
        for sub in group.list_commands(ctx):
            cmd = group.get_command(ctx, sub)
            if cmd is not None and not cmd.hidden:
                commands.append((sub, cmd))
        if not commands:
            return
        limit = formatter.width - 6 - max(len(sub) for sub, _ in commands)
        table = help_table()["commands"]
        rows = []
        for sub, cmd in commands:
            text = table.get(sub, {}).get("text")
            short = short_help(text, limit) if text else cmd.get_short_help_str(limit)
            rows.append((sub, short))
        with formatter.section(heading):
            formatter.write_dl(rows)


class LocalisedCommand(LocalisedHelpMixin, click.Command):
    """A command whose ``--help`` is in the user's language."""
