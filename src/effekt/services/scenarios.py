"""Scenarios: a contract with some terms changed by field path (``metrics[0].expected=0.3``)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from effekt.contract.model import Contract
from effekt.contract.overrides import apply_overrides
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


def with_overrides(c: Contract, overrides: dict[str, Any]) -> Contract:
    """The contract with each ``path → value`` set; a bad path or value is a usage error."""
    data = c.model_dump(mode="json", by_alias=True)
    try:
        changed = apply_overrides(data, overrides)
    except KeyError as exc:
        raise UsageError("scenario.unknown_path", path=str(exc.args[0])) from None
    try:
        return Contract.model_validate(changed).read_from(c.source_dir)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(x) for x in err["loc"])
        raise UsageError("scenario.bad_value", path=where, detail=err["msg"]) from None
