"""click's usage errors in the user's language.

click reports wrong command-line use (an unknown option or command, a missing argument, a
value of the wrong type) in English. :class:`LocalisedGroup` catches each usage error where
click raises it and raises a :class:`LocalisedUsageError` instead, which says the same
thing — the option, the argument, the value — from the catalog in Swedish or English,
with the same exit code (2)::

    Användning: effekt simulate [OPTIONS] FILE
    Skriv 'effekt simulate --help' för hjälp.

    Fel: Okänd flagga '--pathz'. Menade du '--paths'?

The language is ``--lang`` read from the raw arguments (parsing has failed, so the options
were never parsed), else :func:`effekt.i18n.default_language`. Facts come from the
exception's attributes (the parameter, its type, its choices); the bad value is read back
from click's message only where it has a known shape. An error this module does not
recognise keeps click's own text after a translated prefix, so nothing is lost.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Sequence
from typing import IO, Any

import click

from effekt.cli.help import LocalisedHelpMixin, explicit_language, swedish_metavars
from effekt.i18n import default_language, translate

__all__ = ["LocalisedGroup", "LocalisedUsageError", "describe", "language_of"]

_LANG_KEY = "effekt_usage_lang"
# click ≥ 8.2 shows the help as a usage error when a group is run without a command.
_HELP_ERRORS: tuple[type[click.UsageError], ...] = tuple(
    getattr(click.exceptions, name)
    for name in ("NoArgsIsHelpError",)
    if hasattr(click.exceptions, name)
)
_QUOTED = r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_NOT_A_NUMBER = re.compile(rf"{_QUOTED} is not a valid [\w ]+\.", re.DOTALL)
_NOT_A_CHOICE = re.compile(rf"{_QUOTED} is not .*", re.DOTALL)
_OUT_OF_RANGE = re.compile(r"(?P<value>\S+) is not in the range \S+\.")
_PATH_FAILURE = re.compile(
    rf"\w+ {_QUOTED} (?P<what>does not exist|is a file|is a directory"
    r"|is not readable|is not writable|is not executable)\.",
    re.DOTALL,
)
_PATH_CODES = {
    "does not exist": "usage.path_not_found",
    "is a file": "usage.path_is_file",
    "is a directory": "usage.path_is_directory",
    "is not readable": "usage.path_not_readable",
    "is not writable": "usage.path_not_writable",
    "is not executable": "usage.path_not_executable",
}
_PATH_NOUNS = {"file": "usage.the_file", "directory": "usage.the_directory"}
_REQUIRES = re.compile(r"Option .+ requires (?:an argument|(?P<count>\d+) arguments)\.")
_TAKES_NO_VALUE = re.compile(r"Option .+ does not take a value\.")
_NO_SUCH_COMMAND = re.compile(rf"No such command {_QUOTED}\.", re.DOTALL)
_EXTRA_ARGUMENTS = re.compile(
    r"Got unexpected extra argument(?P<plural>s?) \((?P<args>.*)\)", re.DOTALL
)


def language_of(args: Sequence[str]) -> str:
    """The language asked for by ``--lang X`` or ``--lang=X`` in ``args``, else the default.

    The last valid value wins, as when click parses it; arguments after ``--`` are not options.
    """
    return explicit_language(args) or default_language()


def _quote(text: str) -> str:
    return f"'{text}'"


def _written_value(match: re.Match[str] | None) -> str | None:
    """The value click wrote with ``repr`` in its message, or None."""
    if match is None:
        return None
    try:
        value = ast.literal_eval(match["value"])
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _quoted_value(match: re.Match[str] | None) -> str | None:
    """The value click wrote with ``repr``, quoted the same way in both languages."""
    value = _written_value(match)
    return None if value is None else _quote(value)


def _param_name(param: click.Parameter | None) -> str | None:
    """``'--paths'`` for an option (all its names), ``FILE`` for an argument."""
    if isinstance(param, click.Option) and param.opts:
        return " / ".join(_quote(o) for o in param.opts)
    if param is not None:
        return param.human_readable_name
    return None


def _in_language(name: str, lang: str) -> str:
    """An argument's placeholder as the help writes it (``FILE`` is ``FIL`` in Swedish)."""
    return swedish_metavars(name) if lang == "sv" else name


def _suggestions(close: Sequence[str], lang: str) -> str:
    if not close:
        return ""
    listed = ", ".join(_quote(p) for p in sorted(close))
    if len(close) == 1:
        return " " + translate("usage.did_you_mean", lang, possibility=listed)
    return " " + translate("usage.did_you_mean_one_of", lang, possibilities=listed)


def _no_such_option(exc: click.NoSuchOption, lang: str) -> str:
    text = translate("usage.no_such_option", lang, name=exc.option_name)
    return text + _suggestions(exc.possibilities or [], lang)


def _no_such_command(name: str, ctx: click.Context | None, lang: str) -> str:
    text = translate("usage.no_such_command", lang, name=name)
    if ctx is not None and isinstance(ctx.command, click.Group):
        commands = ctx.command.list_commands(ctx)
        close = {c for c in commands if len(name) >= 2 and c.startswith(name)}
        close.update(difflib.get_close_matches(name, commands))
        text += _suggestions(sorted(close), lang)
    return text


def _choices(param: click.Parameter) -> str:
    choices = getattr(param.type, "choices", ())
    return ", ".join(_quote(str(c)) for c in choices)


def _missing(exc: click.MissingParameter, lang: str) -> str:
    param = exc.param
    kind = exc.param_type or (param.param_type_name if param is not None else "parameter")
    name = exc.param_hint if isinstance(exc.param_hint, str) else _param_name(param)
    code = {"argument": "usage.missing_argument", "option": "usage.missing_option"}.get(
        kind, "usage.missing_parameter"
    )
    text = translate(code, lang, name=_in_language(name or "", lang))
    if param is not None and isinstance(param.type, click.Choice):
        text += " " + translate("usage.choose_from", lang, choices=_choices(param))
    if exc.message:
        text += f" {exc.message}"
    return text


def _range_reason(
    param_type: click.types._NumberRangeBase[Any, Any], raw: str, lang: str
) -> str | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    low, high = param_type.min, param_type.max
    if low is not None and (value < low or (param_type.min_open and value == low)):
        code = "usage.too_small_open" if param_type.min_open else "usage.too_small"
        return translate(code, lang, value=raw, limit=low)
    if high is not None and (value > high or (param_type.max_open and value == high)):
        code = "usage.too_large_open" if param_type.max_open else "usage.too_large"
        return translate(code, lang, value=raw, limit=high)
    return None


def _type_reason(param: click.Parameter, message: str, lang: str) -> str | None:
    """Why the value was refused, from the parameter's type; None when not recognised."""
    kind = param.type
    if isinstance(kind, click.types._NumberRangeBase):
        match = _OUT_OF_RANGE.fullmatch(message)
        if match is not None:
            return _range_reason(kind, match["value"], lang)
    if isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
        value = _quoted_value(_NOT_A_NUMBER.fullmatch(message))
        code = (
            "usage.not_an_integer"
            if isinstance(kind, click.types.IntParamType)
            else "usage.not_a_number"
        )
        return translate(code, lang, value=value) if value else None
    if isinstance(kind, click.Choice):
        value = _quoted_value(_NOT_A_CHOICE.fullmatch(message))
        if value is None:
            return None
        return translate("usage.not_a_choice", lang, value=value, choices=_choices(param))
    if isinstance(kind, click.Path):
        match = _PATH_FAILURE.fullmatch(message)
        path = _quoted_value(match)
        if match is None or path is None:
            return None
        noun = translate(_PATH_NOUNS.get(kind.name, "usage.the_path"), lang)
        return translate(_PATH_CODES[match["what"]], lang, noun=noun, path=path)
    return None


def _bad_parameter(exc: click.BadParameter, lang: str) -> str:
    reason = _type_reason(exc.param, exc.message, lang) if exc.param is not None else None
    reason = reason or exc.message
    if isinstance(exc.param_hint, str):
        name: str | None = exc.param_hint
    elif exc.param_hint is not None:
        name = " / ".join(_quote(h) for h in exc.param_hint)
    else:
        name = _param_name(exc.param)
    if name is None:
        return translate("usage.invalid_value_unnamed", lang, message=reason)
    return translate("usage.invalid_value", lang, param=_in_language(name, lang), message=reason)


def _bad_option_usage(exc: click.BadOptionUsage, lang: str) -> str:
    name = _quote(exc.option_name)
    requires = _REQUIRES.fullmatch(exc.message)
    if requires is not None and requires["count"]:
        return translate("usage.requires_values", lang, name=name, count=requires["count"])
    if requires is not None:
        return translate("usage.requires_value", lang, name=name)
    if _TAKES_NO_VALUE.fullmatch(exc.message):
        return translate("usage.takes_no_value", lang, name=name)
    return exc.format_message()


def _plain(exc: click.UsageError, lang: str) -> str:
    command_name = getattr(exc, "command_name", None)  # click.NoSuchCommand, click ≥ 8.4
    if command_name is None:
        command_name = _written_value(_NO_SUCH_COMMAND.fullmatch(exc.message))
    if isinstance(command_name, str):
        return _no_such_command(command_name, exc.ctx, lang)
    extra = _EXTRA_ARGUMENTS.fullmatch(exc.message)
    if extra is not None:
        code = "usage.extra_arguments" if extra["plural"] else "usage.extra_argument"
        return translate(code, lang, args=extra["args"])
    if exc.message == "Missing command.":
        return translate("usage.missing_command", lang)
    return exc.format_message()


def describe(exc: click.UsageError, lang: str) -> str:
    """The error's message in ``lang``, without the "Error:" prefix."""
    if isinstance(exc, click.NoSuchOption):
        return _no_such_option(exc, lang)
    if isinstance(exc, click.MissingParameter):
        return _missing(exc, lang)
    if isinstance(exc, click.BadParameter):
        return _bad_parameter(exc, lang)
    if isinstance(exc, click.BadOptionUsage):
        return _bad_option_usage(exc, lang)
    return _plain(exc, lang)


def _usage_line(ctx: click.Context, lang: str) -> str:
    formatter = ctx.make_formatter()
    pieces = _in_language(" ".join(ctx.command.collect_usage_pieces(ctx)), lang)
    prefix = translate("usage.usage_prefix", lang) + " "
    formatter.write_usage(ctx.command_path, pieces, prefix=prefix)
    return formatter.getvalue().rstrip("\n")


class LocalisedUsageError(click.UsageError):
    """A click usage error, said in ``lang``; shown like click's (usage, hint, error)."""

    def __init__(self, original: click.UsageError, lang: str) -> None:
        super().__init__(describe(original, lang), original.ctx)
        self.original = original
        self.lang = lang

    def show(self, file: IO[Any] | None = None) -> None:
        try:
            text = self._text()
        except Exception:  # noqa: BLE001 - never worse than click's own message
            self.original.show(file)
            return
        color = self.ctx.color if self.ctx is not None else None
        click.echo(text, file=file, err=True, color=color)

    def _text(self) -> str:
        ctx, lang = self.ctx, self.lang
        error = translate("usage.error_line", lang, message=self.format_message())
        if ctx is None:
            return error
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            option = max(ctx.command.get_help_option_names(ctx), key=len)
            hint = translate("usage.try_help", lang, command=ctx.command_path, option=option)
            hint += "\n"
        return f"{_usage_line(ctx, lang)}\n{hint}\n{error}"


def _localised(exc: click.UsageError, lang: str) -> click.UsageError:
    if isinstance(exc, (LocalisedUsageError, *_HELP_ERRORS)):
        return exc  # already said, or the help text itself
    try:
        return LocalisedUsageError(exc, lang)
    except Exception:  # noqa: BLE001 - never worse than click's own message
        return exc


class LocalisedGroup(LocalisedHelpMixin, click.Group):
    """A command group whose usage errors and help, and its commands', are in the user's
    language."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        lang = language_of(args)
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _localised(exc, lang) from exc
        ctx.meta[_LANG_KEY] = lang
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            lang = ctx.meta.get(_LANG_KEY) or default_language()
            raise _localised(exc, lang) from exc
