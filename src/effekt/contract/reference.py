"""The field reference (docs/reference/contract.md) and JSON Schemas, made from the models.

The docs are generated, never written by hand: ``effekt schema --reference`` prints the
page and a test fails when docs/ has drifted from the models.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from effekt.contract.model import Contract
from effekt.contract.portfolio import Portfolio

__all__ = ["contract_schema", "portfolio_schema", "reference_markdown"]


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of a contract file."""
    schema = Contract.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://effekt.example/schema/contract-1.json"
    return schema


def portfolio_schema() -> dict[str, Any]:
    """The JSON Schema of a portfolio file."""
    schema = Portfolio.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner = args[0]
        meta = [a for a in args[1:] if not isinstance(a, FieldInfo)]
        if typing.get_origin(inner) in (typing.Union, types.UnionType) and any(
            "Discriminator" in type(m).__name__ for m in meta
        ):
            names = [_type_name(a) for a in typing.get_args(inner)]
            return "number or distribution" if "number" in names else " or ".join(names)
        if any("Tag" in type(m).__name__ for m in meta):
            return _type_name(inner)
        return _type_name(inner)
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        suffix = " (optional)" if type(None) in args else ""
        return " or ".join(dict.fromkeys(names)) + suffix
    if origin is typing.Literal:
        return ", ".join(f'"{a}"' for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"table of {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {float: "number", int: "integer", str: "text", bool: "true/false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen.append(tp)
            for f in tp.model_fields.values():
                visit(f.annotation)
            return
        for arg in typing.get_args(tp):
            visit(arg)

    visit(root)
    return seen


def _default(f: FieldInfo) -> str:
    if f.is_required():
        return "required"
    if f.default_factory is not None:
        return "(empty)" if f.default_factory in (list, dict) else "(defaults)"
    if f.default is PydanticUndefined or f.default is None:
        return "—"
    return f"`{json.dumps(f.default)}`"


def reference_markdown() -> str:
    """The field reference as Markdown, one section per table."""
    lines = [
        "# Contract file reference",
        "",
        "Generated from the models in `src/effekt/contract/` by `effekt schema --reference`;",
        "do not edit by hand (a test fails when this page drifts from the code).",
        "Conventions (periods, signs, rates) are in [conventions.md](../conventions.md).",
        "A *number or distribution* is a plain number or a table such as",
        '`{ dist = "beta", mean = 0.45, sd = 0.10 }` — see [Beta](#beta) and its siblings.',
        "A number is written without quotes (`size = 120`, `margin = 0.05`): text such as",
        '`"120"` or `"5 %"` is refused, with how to write it, and `true` or `false` is not',
        "a number. A whole number may stand where a decimal one is due, and `3.0` where a",
        "whole number is. An amount of money — a price, a cost, a fee, a grant, a",
        "commitment, a cap, a balance, a credit line — is not negative and at most",
        "1,000,000,000,000,000 (10^15, a thousand billion) in the contract's currency, and so",
        "is the mean of a distribution given for one. A number of persons — a cohort's",
        "size, those eligible in a year, a comparison group — is at most 1,000,000,000",
        "(a billion), and so is the mean of a distribution given for a cohort's size.",
        "",
    ]
    for model in _models(Contract) + [m for m in _models(Portfolio) if m not in _models(Contract)]:
        lines += [f"## {model.__name__}", "", (model.__doc__ or "").strip().splitlines()[0], ""]
        lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
        for name, f in model.model_fields.items():
            desc = (f.description or "").replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| `{f.alias or name}` | {_type_name(f.annotation)} | {_default(f)} | {desc} |"
            )
        lines.append("")
    return "\n".join(lines)
