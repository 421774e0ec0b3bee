"""The model behind a place in a file: which table a field path leads to, the fields that
table has, and whether the value there is a percentage written as a decimal.

The checker uses it to say what the file's author meant: the fields a misspelt key was
likely meant to be; for a share or rate written as text (``"45 %"``), that the file
writes it as 0.45 — a hint that would mislead for an amount or a count; and, for a decimal
where a whole number is due, only the whole numbers the field takes (a period from 1).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from effekt.contract.base import AMOUNT, PERCENTAGE
from effekt.contract.domain import SHARE, domain
from effekt.contract.locate import PathKey
from effekt.contract.model import Contract

__all__ = ["accepts", "is_amount", "known_fields", "takes_percentage"]


def known_fields(root: type[BaseModel], path: PathKey, data: Any) -> list[str]:
    """The field names of the table at ``path``, to suggest one for a misspelt key."""
    tp = _table_model(_walk(root, path, data)[0], _at(data, path))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


def takes_percentage(root: type[BaseModel], path: PathKey, data: Any) -> bool:
    """Whether the value at ``path`` is a share or a rate, which the file writes as a
    decimal (0.05 for 5 %): a field marked so (``Share``, ``Rate``, …), a value inside one
    (a distribution of a share), or an input whose domain is [0, 1] — a cohort's
    engagement, a binary metric's expected and baseline (:func:`effekt.contract.domain.domain`).
    """
    marked = _walk(root, path, data, PERCENTAGE)[1]
    if marked:
        return True
    if not (issubclass(root, Contract) and len(path) >= 3 and isinstance(path[2], str)):
        return False
    section, entry = path[0], _at(data, path[:2])
    kind = entry.get("kind", "binary") if isinstance(entry, dict) else "binary"
    return domain(str(section), path[2], str(kind)) == SHARE


def is_amount(root: type[BaseModel], path: PathKey, data: Any) -> bool:
    """Whether the value at ``path`` is an amount of money (``Money``, a price or a cost), at
    most :data:`effekt.contract.base.MAX_AMOUNT`; or a figure inside one (a distribution's)."""
    return _walk(root, path, data, AMOUNT)[1]


def accepts(root: type[BaseModel], path: PathKey, data: Any, value: Any) -> bool:
    """Whether the field at ``path`` takes ``value`` by its own type and bounds (``0`` is no
    period: a period is at least 1); the rules across fields are not asked. True where the
    models do not lead to ``path``."""
    tp = _walk(root, path, data)[0]
    if tp is None:
        return True
    try:
        TypeAdapter(tp).validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def _walk(
    root: type[BaseModel], path: PathKey, data: Any, marker: object = PERCENTAGE
) -> tuple[Any, bool]:
    """The type of the value at ``path``, with its field's bounds (None when the models do
    not lead there), and whether a field on the way is marked with ``marker`` (a percentage,
    an amount)."""
    tp: Any = root
    node = data
    marked = False
    for part in path:
        tp = _table_model(tp, node)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            f = tp.model_fields.get(part)
            if f is None:
                return None, marked
            marked = marked or marker in f.metadata or _marked(f.annotation, marker)
            tp = typing.Annotated[f.annotation, *f.metadata] if f.metadata else f.annotation
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return None, marked
        node = _child(node, part)
    return tp, marked


def _marked(tp: Any, marker: object) -> bool:
    """Whether ``tp`` (a field's type, not the tables it holds) is marked with ``marker``:
    ``Share``, ``Share | None``, ``dict[str, Share]``, ``list[Annotated[float, PERCENTAGE]]``."""
    if typing.get_origin(tp) is typing.Annotated:
        return marker in tp.__metadata__ or _marked(typing.get_args(tp)[0], marker)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return False
    return any(_marked(a, marker) for a in typing.get_args(tp))


def _table_model(tp: Any, node: Any) -> Any:
    """Strip Annotated and pick the union member that ``node`` (the file's value) chose."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [_table_model(a, node) for a in typing.get_args(tp)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        for m in models:
            for tag in ("kind", "dist"):
                f = m.model_fields.get(tag)
                if (
                    f is not None
                    and isinstance(node, dict)
                    and node.get(tag) in typing.get_args(f.annotation)
                ):
                    return m
        containers = [m for m in members if typing.get_origin(m) in (list, dict)]
        return models[0] if len(models) == 1 else (containers[0] if containers else None)
    return tp


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = _child(data, part)
    return data


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None
