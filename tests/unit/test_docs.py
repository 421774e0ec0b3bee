"""The docs are tested: generated pages match the code, and nothing is left undocumented.

Regenerate the generated files with::

    effekt schema --reference > docs/reference/contract.md
    effekt schema > docs/schema/contract.schema.json
    effekt schema --portfolio > docs/schema/portfolio.schema.json
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest

from effekt.cli import main
from effekt.contract.locate import format_path
from effekt.contract.model import Contract
from effekt.contract.portfolio import Portfolio
from effekt.contract.reference import (
    _models,
    contract_schema,
    portfolio_schema,
    reference_markdown,
    schema_text,
)
from effekt.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = [
    ROOT / "examples" / f"{name}.toml" for name in ("hemmasittare", "peterborough", "norrkoping")
]
REGENERATE = "regenerate it: effekt schema {args} > docs/{file}"


def iso_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso_dates(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


# --- generated files --------------------------------------------------------------------


def test_field_reference_has_not_drifted_from_the_models() -> None:
    page = (DOCS / "reference" / "contract.md").read_text(encoding="utf-8")
    assert page == reference_markdown(), REGENERATE.format(
        args="--reference", file="reference/contract.md"
    )


@pytest.mark.parametrize(
    ("file", "args", "schema"),
    [
        ("schema/contract.schema.json", "", contract_schema),
        ("schema/portfolio.schema.json", "--portfolio", portfolio_schema),
    ],
)
def test_published_json_schema_has_not_drifted_from_the_models(
    file: str, args: str, schema: Any
) -> None:
    text = (DOCS / file).read_text(encoding="utf-8")
    assert text == schema_text(schema()), REGENERATE.format(args=args, file=file)


def test_reference_has_a_row_with_a_meaning_for_every_field() -> None:
    page = (DOCS / "reference" / "contract.md").read_text(encoding="utf-8")
    sections = dict((s.split("\n", 1)[0].strip(), s) for s in page.split("\n## ")[1:] if s.strip())
    for model in _models(Contract) + _models(Portfolio):
        assert model.__name__ in sections, model.__name__
        for name, f in model.model_fields.items():
            assert f"| `{f.alias or name}` |" in sections[model.__name__], (model, name)
            assert f.description, f"{model.__name__}.{name} has no description"


# --- the JSON Schema --------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_published_schema_validates_the_example(example: Path) -> None:
    schema = json.loads((DOCS / "schema" / "contract.schema.json").read_text(encoding="utf-8"))
    data = iso_dates(tomllib.loads(example.read_text(encoding="utf-8")))
    assert list(validator(schema).iter_errors(data)) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("rules", 0, "kind"), "rate_cards"),
        (("start",), "2027-02-30"),
        (("parties", 0, "role"), "supplier"),
        (("cohorts", 0, "nonsense"), 1),
    ],
)
def test_published_schema_rejects_a_broken_example(path: tuple[Any, ...], value: Any) -> None:
    schema = json.loads((DOCS / "schema" / "contract.schema.json").read_text(encoding="utf-8"))
    data = iso_dates(tomllib.loads((ROOT / "examples" / "hemmasittare.toml").read_text()))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert list(validator(schema).iter_errors(data)), format_path(path)


def test_portfolio_schema_validates_a_portfolio() -> None:
    schema = json.loads((DOCS / "schema" / "portfolio.schema.json").read_text(encoding="utf-8"))
    portfolio = {
        "format_version": 1,
        "kind": "portfolio",
        "id": "fond",
        "contracts": [{"path": "hemmasittare.toml"}, {"path": "norrkoping.toml", "weight": 0.5}],
        "shocks": [{"id": "arbetsmarknad", "loadings": {"se-norrkoping:cost_with": 0.3}}],
    }
    assert list(validator(schema).iter_errors(portfolio)) == []
    assert list(validator(schema).iter_errors({**portfolio, "contracts": []}))


# --- the CLI and settings pages ---------------------------------------------------------


def _sections(page: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in page.split("\n## ")[1:]:
        heading, _, body = part.partition("\n")
        out[heading.strip()] = body
    return out


def test_every_cli_command_and_option_is_documented() -> None:
    sections = _sections((DOCS / "cli.md").read_text(encoding="utf-8"))
    assert main.commands, "the CLI has no commands"
    for name, command in main.commands.items():
        section = sections.get(f"`effekt {name}`")
        assert section is not None, f"docs/cli.md has no section for `effekt {name}`"
        for param in command.params:
            if isinstance(param, click.Option):
                long_names = [o for o in param.opts if o.startswith("--")]
                assert any(f"`{o}" in section for o in long_names), (name, param.opts)
            else:
                assert param.human_readable_name.upper() in section, (name, param.name)


def test_the_readme_command_table_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `effekt (\w+)", readme, flags=re.MULTILINE))
    assert listed == set(main.commands), (set(main.commands) - listed, listed - set(main.commands))


def test_cli_page_lists_every_exit_code_the_cli_uses() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    table = _sections(page)["Exit codes"]
    codes = {int(c) for c in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}
    assert {0, 1, 2, 3} <= codes
    cli_source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "src" / "effekt" / "cli").glob("*.py"))
    )
    used = {int(c) for c in re.findall(r"sys\.exit\((\d+)\)", cli_source)}
    assert used, "no sys.exit(N) found in src/effekt/cli/"
    assert used <= codes, used - codes


def test_every_setting_is_documented() -> None:
    page = (DOCS / "settings.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| `")
    }
    for setting in SETTINGS:
        row = rows.get(f"`{setting.name}`")
        assert row is not None, f"docs/settings.md has no row for {setting.name}"
        assert f"`{setting.env}`" in row
        if setting.default:
            assert f"`{setting.default}`" in row


def test_conventions_page_states_the_cli_exit_codes_and_the_path_format() -> None:
    page = (DOCS / "conventions.md").read_text(encoding="utf-8")
    assert "rules[2].price" in page
    assert format_path(("rules", 2, "price")) == "rules[2].price"
    for code in range(4):
        assert re.search(rf"\b{code}\b", page.split("Exit codes", 1)[1].split("\n- ", 1)[0])


# --- the public API ---------------------------------------------------------------------

PINNED = {
    "effekt.errors": [
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
    ],
    "effekt.contract.load": [
        "Document",
        "check_document",
        "contract_of",
        "is_portfolio",
        "load_contract",
        "load_portfolio",
        "looks_like_contract",
        "looks_like_mapping",
        "notation",
        "other_kind",
        "parse_text",
        "problems_from_validation",
        "read_document",
    ],
    "effekt.contract.problems": ["Problem", "Severity"],
    "effekt.i18n": ["LANGUAGES", "Phrase", "SINGULARS", "catalog", "default_language", "translate"],
    "effekt.settings": ["SETTINGS", "Setting", "Settings", "load_settings"],
    "effekt.cli": ["main"],
}


@pytest.mark.parametrize("module", sorted(PINNED))
def test_public_api_is_pinned(module: str) -> None:
    mod = importlib.import_module(module)
    assert mod.__all__ == PINNED[module]
    assert mod.__all__ == sorted(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name}"


def test_every_exception_is_drawn_in_the_error_tree() -> None:
    import effekt.errors as errors

    drawing = errors.__doc__ or ""
    for name in errors.__all__:
        assert re.search(rf"[─ ]{name}\b", drawing), f"{name} is not in the tree in errors.py"
