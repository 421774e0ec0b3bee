"""What changed between two versions of a contract, term by term.

Lists are aligned by their items' ``id`` where items have one (so moving a rule is not
a change of every rule after it), otherwise by position. Paths are written like
``rules[skolnarvaro].price`` for items with ids and ``cohorts[0].size`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Change", "diff_data"]


@dataclass(frozen=True)
class Change:
    path: str
    kind: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None


def _key(item: Any, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return str(item["id"])
    return str(index)


def _plain(x: Any) -> Any:
    """A date as JSON writes it: TOML and YAML read ``2027-01-01`` as a date, JSON as text,
    and the same contract in two formats is the same contract."""
    return x.isoformat() if isinstance(x, dt.date) else x


def _walk(path: str, a: Any, b: Any, out: list[Change]) -> None:
    a, b = _plain(a), _plain(b)
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append(Change(sub, "removed", old=a[k]))
            elif k not in a:
                out.append(Change(sub, "added", new=b[k]))
            else:
                _walk(sub, a[k], b[k], out)
    elif isinstance(a, list) and isinstance(b, list) and (any(isinstance(x, dict) for x in a + b)):
        ka = {_key(x, i): x for i, x in enumerate(a)}
        kb = {_key(x, i): x for i, x in enumerate(b)}
        for k in list(ka) + [k for k in kb if k not in ka]:
            sub = f"{path}[{k}]"
            if k not in kb:
                out.append(Change(sub, "removed", old=ka[k]))
            elif k not in ka:
                out.append(Change(sub, "added", new=kb[k]))
            else:
                _walk(sub, ka[k], kb[k], out)
    elif (
        a != b
        or type(a) is not type(b)
        and not (isinstance(a, int | float) and isinstance(b, int | float) and a == b)
    ):
        if a != b:
            out.append(Change(path, "changed", old=a, new=b))


def diff_data(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Every term that differs between the raw data of two contract files."""
    out: list[Change] = []
    _walk("", a, b, out)
    return out
