"""Scenarios: a contract with some terms changed by field path (``metrics[0].expected=0.3``)."""

from __future__ import annotations

import json
from typing import Any

from effekt.contract.model import Contract
from effekt.contract.scenarios import changed_contract
from effekt.errors import UsageError

__all__ = ["parse_scenario", "with_overrides"]


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_scenario(spec: str, c: Contract) -> tuple[str, dict[str, Any]]:
    """``NAME=PATH=VALUE[,PATH=VALUE…]`` or ``NAME`` (a scenario of the file) → (name, overrides)."""
    name, _, rest = spec.partition("=")
    name = name.strip()
    if not name:
        raise UsageError("scenario.bad_spec", spec=spec)
    if not rest:
        if name not in c.scenarios:
            raise UsageError(
                "scenario.unknown", name=name, known=", ".join(sorted(c.scenarios)) or "—"
            )
        return name, dict(c.scenarios[name])
    overrides: dict[str, Any] = {}
    for part in rest.split(","):
        path, sep, value = part.partition("=")
        if not sep or not path.strip():
            raise UsageError("scenario.bad_spec", spec=spec)
        overrides[path.strip()] = _value(value.strip())
    return name, overrides


def with_overrides(c: Contract, overrides: dict[str, Any], name: str = "") -> Contract:
    """The contract with each ``path → value`` set, checked whole as ``effekt check`` checks
    a file; a path that does not exist, or a contract the change makes invalid, is a usage
    error naming the scenario (``name``) and the first problem. A named scenario is one
    typed as ``--scenario``: the problem's example is what to type there."""
    try:
        changed, errors = changed_contract(c, overrides, typed=name or None)
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
