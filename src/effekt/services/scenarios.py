"""Scenarios: a contract with some terms changed by field path (``metrics[0].expected=0.3``)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from effekt.contract.model import Contract
from effekt.contract.scenarios import changed_contract
from effekt.contract.written_numbers import read_number
from effekt.errors import UsageError

__all__ = ["Scenario", "parse_scenario", "with_overrides"]


@dataclass(frozen=True)
class Scenario:
    """A scenario as ``--scenario`` gives it: its name, the value each path is set to, and
    the paths whose value was typed bare, read as text because it is no JSON (``450 000``,
    not ``"450 000"``)."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    unquoted: frozenset[str] = frozenset()


def _changes(text: str) -> list[str]:
    """``text`` cut at each comma outside braces, brackets and double quotes, so that a
    value may be a JSON table, list or text with commas in it."""
    parts: list[str] = []
    depth, quoted, escaped, start = 0, False, False, 0
    for i, char in enumerate(text):
        if quoted:
            quoted = char != '"' or escaped
            escaped = char == "\\" and not escaped
        elif char == '"':
            quoted = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def parse_scenario(spec: str, c: Contract) -> Scenario:
    """``NAME=PATH=VALUE[,PATH=VALUE…]`` or ``NAME`` (a scenario of the file).

    A VALUE is read as JSON (``0.3``, ``{"dist": "beta", …}``, ``"text"``), else as the
    text typed; commas inside braces, brackets and quotes belong to it. A comma followed by
    no ``PATH=`` but by the rest of a number (``1,500``) belongs to it too: the contract's
    check then says what the number can mean, rather than that the form is wrong.
    """
    name, _, rest = spec.partition("=")
    name = name.strip()
    if not name:
        raise UsageError("scenario.bad_spec", spec=spec)
    if not rest:
        if name not in c.scenarios:
            raise UsageError(
                "scenario.unknown", name=name, known=", ".join(sorted(c.scenarios)) or "—"
            )
        return Scenario(name, dict(c.scenarios[name]))
    changes: list[tuple[str, str]] = []
    for part in _changes(rest):
        path, sep, value = part.partition("=")
        if sep and path.strip():
            changes.append((path.strip(), value))
        elif changes and read_number(cut := f"{changes[-1][1]},{part}") is not None:
            changes[-1] = (changes[-1][0], cut)
        else:
            raise UsageError("scenario.bad_spec", spec=spec)
    overrides: dict[str, Any] = {}
    bare: set[str] = set()
    for path, value in changes:
        try:
            overrides[path] = json.loads(value)
        except json.JSONDecodeError:
            overrides[path] = value.strip()
            bare.add(path)
    return Scenario(name, overrides, frozenset(bare))


def with_overrides(
    c: Contract, overrides: dict[str, Any], name: str = "", unquoted: Collection[str] = ()
) -> Contract:
    """The contract with each ``path → value`` set, checked whole as ``effekt check`` checks
    a file; a path that does not exist, or a contract the change makes invalid, is a usage
    error naming the scenario (``name``) and the first problem. A named scenario is one
    typed as ``--scenario``: the problem's example is what to type there; ``unquoted`` are
    the paths whose value was typed without quotes."""
    bare = [(path,) for path in unquoted]
    try:
        changed, errors = changed_contract(c, overrides, typed=name or None, unquoted=bare)
    except KeyError as exc:
        raise UsageError("scenario.unknown_path", path=str(exc.args[0])) from None
    if changed is None:
        changes = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in overrides.items()
        )
        more = len(errors) - 1
        code = "scenario.invalid_more" if more else "scenario.invalid"
        raise UsageError(code, name=name or changes, because=errors[0], count=more)
    return changed
