"""The bundled examples are valid contracts, in TOML and in their YAML and JSON copies."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from effekt.cli import main
from effekt.contract.load import check_document, load_contract, parse_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ["hemmasittare", "peterborough", "norrkoping"]


def iso_dates(value: Any) -> Any:
    """The TOML data with every date written as an ISO string, as YAML and JSON files hold it."""
    if isinstance(value, dict):
        return {k: iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso_dates(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def example_data(name: str) -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", NAMES)
def test_example_checks_without_errors(name: str) -> None:
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / f"{name}.toml"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True
    assert [p for p in report["problems"] if p["severity"] == "error"] == []


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_into_a_contract(name: str) -> None:
    contract = load_contract(EXAMPLES / f"{name}.toml")
    assert contract.id
    assert contract.rules and contract.metrics and contract.cohorts
    assert {p.role for p in contract.parties} & {"commissioner", "outcome_fund"}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_yaml_and_json_copies_give_the_same_contract(name: str, fmt: str, tmp_path: Path) -> None:
    data = iso_dates(example_data(name))
    text = (
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        if fmt == "yaml"
        else json.dumps(data, ensure_ascii=False, indent=2)
    )
    copy = tmp_path / f"{name}.{fmt}"
    copy.write_text(text, encoding="utf-8")

    result = CliRunner().invoke(main, ["check", str(copy), "--json"])
    assert result.exit_code == 0, result.output
    assert load_contract(copy) == load_contract(EXAMPLES / f"{name}.toml")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_copies_report_the_same_problems_at_their_own_lines(fmt: str) -> None:
    data = iso_dates(example_data("hemmasittare"))
    data["rules"][0]["metric"] = "back_in_schol"
    text = yaml.safe_dump(data, sort_keys=False) if fmt == "yaml" else json.dumps(data, indent=2)
    _, problems = check_document(parse_text(text, fmt))

    (problem,) = [p for p in problems if p.severity == "error"]
    assert (problem.code, problem.path) == ("contract.unknown_ref", "rules[0].metric")
    assert problem.line is not None
    assert "back_in_schol" in text.splitlines()[problem.line - 1]
