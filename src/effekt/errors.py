"""The one exception tree of effekt.

Every error carries a stable ``code`` and its ``params``, so that the message can be
rendered in Swedish or English from the catalogs in :mod:`effekt.i18n`; entrypoints map
each branch to an exit code (CLI) or an HTTP status (web). Users never see a traceback.

::

    EffektError                      code "error"                 exit 1
    ├── UsageError                   wrong command-line use       exit 2
    ├── InputError                   a file or value we cannot use exit 1
    │   ├── ContractInvalid          the contract has problems (carries them all)
    │   ├── DataError                participant or outcome data is unusable
    │   └── ReferenceDataError       unit costs / price indices missing or malformed
    ├── ComputationError             a number cannot be computed  exit 1
    │   └── NoSolution               a goal seek has no root in range
    ├── OutputError                  a file cannot be written (disk full…) exit 1
    └── ConfigurationError           settings refused (placeholder secret, bad URL) exit 2
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "ComputationError",
    "ConfigurationError",
    "ContractInvalid",
    "DataError",
    "EffektError",
    "InputError",
    "NoSolution",
    "OutputError",
    "ReferenceDataError",
    "UsageError",
]


@runtime_checkable
class Stated(Protocol):
    """A parameter that says itself in a language (a problem with its place, a target the
    way an answer shows it): rendered with ``stated(lang)``."""

    def stated(self, lang: str = "en") -> str: ...


class EffektError(Exception):
    """Base of every error effekt raises on purpose.

    ``code`` names a message in the catalogs (``i18n/messages/*.toml``); ``params`` fill
    its placeholders. ``str(err)`` renders in English, so logs and tests stay readable.
    """

    exit_code: int = 1
    default_code: str = "error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.default_code
        self.params: Mapping[str, Any] = params
        super().__init__(self.code)

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` ("sv" or "en")."""
        from effekt.i18n import translate

        params = {k: _rendered(v, lang) for k, v in self.params.items()}
        return translate(self.code, lang, **params)

    def __str__(self) -> str:
        return self.render("en")


def _rendered(value: Any, lang: str) -> Any:
    """A parameter as the message shows it: a phrase translated, a problem or anything else
    :class:`Stated` stated, a decimal the language's way."""
    from effekt.i18n import Phrase, translate
    from effekt.i18n.format import significant

    if isinstance(value, Phrase):
        return translate(value.code, lang)
    if isinstance(value, Stated):
        return value.stated(lang)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict):
        return translate(str(value[0]), lang, **value[1])  # another message: (code, params)
    if isinstance(value, float):
        return significant(value, lang, 6)
    return value


class UsageError(EffektError):
    """The command was called wrongly (unknown option value, missing argument)."""

    exit_code = 2
    default_code = "usage.error"


class InputError(EffektError):
    """A file or value given to effekt cannot be used."""

    default_code = "input.error"


class ContractInvalid(InputError):
    """A contract file has errors. ``problems`` holds every one of them."""

    default_code = "contract.invalid"

    def __init__(self, problems: list[Any], /, code: str | None = None, **params: Any) -> None:
        self.problems = problems
        errors = sum(1 for p in problems if getattr(p, "severity", "error") == "error")
        super().__init__(code or self.default_code, count=errors, **params)


class DataError(InputError):
    """Participant-level or outcome data cannot be used as given."""

    default_code = "data.error"


class ReferenceDataError(InputError):
    """Unit costs, price indices or other reference data are missing or malformed."""

    default_code = "reference.error"


class ComputationError(EffektError):
    """A requested number cannot be computed from valid inputs."""

    default_code = "computation.error"


class NoSolution(ComputationError):
    """A goal seek found no value in its range that meets the target."""

    default_code = "solve.no_solution"


class OutputError(EffektError):
    """A report, workbook or chart could not be written; the old file, if any, is untouched."""

    default_code = "output.cannot_write"


class ConfigurationError(EffektError):
    """A setting was refused."""

    exit_code = 2
    default_code = "config.error"
