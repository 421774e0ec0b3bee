"""Field paths (``rules[2].price``) into a contract's data, and overrides by path.

Used by scenarios (``--scenario NAME=PATH=VALUE,…``), ``effekt solve --vary PATH`` and
the file's own ``[scenarios]`` tables.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["apply_overrides", "parse_path", "resolve_path", "written_by_id"]

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*)|\[(\d+)\]|\[([A-Za-z0-9_\-]+)\]")


def parse_path(path: str) -> list[str | int] | None:
    """``"rules[2].price"`` → ``["rules", 2, "price"]``; ``metrics[back_in_school]`` picks by id."""
    parts: list[str | int] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if text[pos] == "." and parts:
            pos += 1
        m = _PART.match(text, pos)
        if not m:
            return None
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            parts.append("#" + m.group(3))
        pos = m.end()
    return parts or None


def _step(node: Any, part: str | int) -> tuple[Any, str | int] | None:
    if isinstance(part, int):
        if isinstance(node, list) and 0 <= part < len(node):
            return node[part], part
        return None
    if part.startswith("#"):
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, dict) and item.get("id") == part[1:]:
                    return item, i
        return None
    if isinstance(node, dict):
        return node.get(part), part
    return None


def resolve_path(data: Any, path: str) -> list[str | int] | None:
    """The concrete key list for ``path`` in ``data`` if its parent exists, else None.

    The last key may be absent (an override may set a field left at its default).
    """
    parts = parse_path(path)
    if parts is None:
        return None
    node = data
    concrete: list[str | int] = []
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        if last and isinstance(part, str) and not part.startswith("#") and isinstance(node, dict):
            concrete.append(part)
            return concrete
        step = _step(node, part)
        if step is None or (step[0] is None and not last):
            return None
        node, key = step
        concrete.append(key)
    return concrete


def written_by_id(data: Any, path: str) -> dict[tuple[str | int, ...], str]:
    """Each place ``path`` reaches in ``data`` by an id, and the place it sets → ``path``
    as written up to there: ``cohorts[k1].size`` gives ``("cohorts", 0)`` → ``"cohorts[k1]"``
    and ``("cohorts", 0, "size")`` → ``"cohorts[k1].size"``, so that a problem there is
    named as the user wrote it."""
    parts, keys = parse_path(path), resolve_path(data, path)
    if parts is None or keys is None:
        return {}
    out: dict[tuple[str | int, ...], str] = {}
    written = ""
    for k, part in enumerate(parts):
        if isinstance(part, int) or part.startswith("#"):
            written += f"[{part if isinstance(part, int) else part[1:]}]"
        else:
            written += f".{part}" if written else part
        if k == len(parts) - 1 or (isinstance(part, str) and part.startswith("#")):
            out[tuple(keys[: k + 1])] = written
    return out


def get_path(data: Any, path: str) -> Any:
    keys = resolve_path(data, path)
    if keys is None:
        raise KeyError(path)
    node = data
    for key in keys:
        node = node[key] if not isinstance(node, dict) else node.get(key)
    return node


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each ``path → value`` set. Raises KeyError for a bad path."""
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        keys = resolve_path(out, path)
        if keys is None:
            raise KeyError(path)
        node: Any = out
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return out
