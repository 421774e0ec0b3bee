"""How a value is written in each format of a contract file, for the examples messages give.

A message that shows what to write shows it as the file writes it: ``price = 450_000`` in
TOML, ``"price": 450000`` in JSON, ``price: 450000`` in YAML, ``450000`` in a CSV file
(whose column names the value); a distribution as
``{ dist = "beta", mean = 0.45, sd = 0.1 }``, ``{"dist": "beta", "mean": 0.45, "sd": 0.1}``
or ``{dist: beta, mean: 0.45, sd: 0.1}``. The words around it come from the catalogue.

>>> assignment("json", "price", 450_000), assignment("yaml", "person_level", True)
('"price": 450000', 'person_level: true')
>>> assignment("toml", "price", Number("450_000"))
'price = 450_000'
>>> inline_table("toml", {"dist": "beta", "mean": 0.45})
'{ dist = "beta", mean = 0.45 }'

A scenario typed on the command line is shown as it is typed there, its value as JSON (as
``--scenario`` reads it) and the argument quoted where a shell needs it:

>>> command_line("low", "costs.setup", "450000")
'--scenario low=costs.setup=450000'
>>> command_line("low", "metrics[0].expected", "0.3")
"--scenario 'low=metrics[0].expected=0.3'"
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

__all__ = [
    "Number",
    "Value",
    "assignment",
    "command_line",
    "inline_table",
    "key",
    "literal",
    "written",
]

#: A value an example shows: text, a number, true/false, or a number already written
#: (``Number``: digits as the file should have them, such as ``450_000`` in TOML).
Value = str | int | float | bool

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_PLAIN_YAML = re.compile(r"[A-Za-z_][A-Za-z0-9_ .-]*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


class Number(str):
    """A number as the file should write it, digits and all (``450_000``, ``0.45``)."""


def literal(fmt: str, value: Value) -> str:
    """``value`` as ``fmt`` writes it: text in quotes (in YAML only where it must be)."""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if fmt == "yaml" and _plain_yaml(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return repr(value) if isinstance(value, float) else str(value)


def key(fmt: str, name: str) -> str:
    """A key as ``fmt`` writes it: JSON always in quotes, TOML and YAML only where needed
    (``"costs.setup"`` in TOML, ``costs.setup`` in YAML)."""
    if fmt == "yaml" and _plain_yaml(name):
        return name
    if fmt == "json" or not _BARE_KEY.fullmatch(name):
        return json.dumps(name, ensure_ascii=False)
    return name


def assignment(fmt: str, name: str | None, value: Value) -> str:
    """``name`` set to ``value`` as one line of ``fmt`` (the value alone without a name,
    as in a list, and in a CSV cell)."""
    if name is None or fmt == "csv":
        return literal(fmt, value)
    separator = " = " if fmt == "toml" else ": "
    return key(fmt, name) + separator + literal(fmt, value)


def inline_table(fmt: str, pairs: Mapping[str, Value]) -> str:
    """A table of ``pairs`` written on one line in ``fmt``."""
    inner = ", ".join(assignment(fmt, k, v) for k, v in pairs.items())
    return f"{{ {inner} }}" if fmt == "toml" else f"{{{inner}}}"


def written(fmt: str, value: Any) -> str:
    """Any value a contract holds as ``fmt`` writes it inline: a table (a distribution) as
    :func:`inline_table`, a list in brackets, a number or text as :func:`literal`.

    >>> written("toml", {"dist": "empirical", "values": [0.3, 0.4]})
    '{ dist = "empirical", values = [0.3, 0.4] }'
    >>> written("yaml", {"dist": "beta", "mean": 0.4})
    '{dist: beta, mean: 0.4}'
    """
    if isinstance(value, Mapping):
        return inline_table(fmt, {str(k): Number(written(fmt, v)) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return "[" + ", ".join(written(fmt, v) for v in value) + "]"
    if isinstance(value, str | int | float | bool):
        return literal(fmt, value)
    return literal(fmt, str(value))


def command_line(scenario: str, path: str, value: str) -> str:
    """``--scenario NAME=PATH=VALUE`` for the scenario ``scenario``, ``value`` written as
    JSON writes it (:func:`literal` or :func:`inline_table` with ``"json"``), in single
    quotes where a shell would otherwise read it (``[0]``, a space, braces)."""
    return "--scenario " + shlex.quote(f"{scenario}={path}={value}")


def _plain_yaml(text: str) -> bool:
    """Whether YAML reads ``text`` unquoted as this same text (not a number, a boolean)."""
    return bool(_PLAIN_YAML.fullmatch(text)) and text.lower() not in _YAML_WORDS
