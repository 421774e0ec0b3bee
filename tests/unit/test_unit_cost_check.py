"""effekt check finds a unit-cost id or table the valuation cannot find, at its field."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from small_contracts import example_with

from effekt.cli import main
from effekt.contract.load import read_document
from effekt.services.contract_check import check_contract

ROW = "se_resursskola_hogstadiet_stockholm_2021_derived"


def test_a_misspelt_unit_cost_id_is_an_error_at_its_field_with_the_closest_id(
    tmp_path: Path,
) -> None:
    path = example_with(tmp_path, f'unit_cost = "{ROW}"', 'unit_cost = "se_resursskola_hogstadiet"')
    contract, problems = check_contract(read_document(path))
    [p] = [p for p in problems if p.code == "contract.unknown_unit_cost"]
    assert contract is None
    assert p.path == "metrics[0].avoided_costs[0].unit_cost"
    assert (
        p.line is not None
        and 'unit_cost = "se_resursskola_hogstadiet"' in (path.read_text().splitlines()[p.line - 1])
    )
    assert p.message("en").endswith(f'Did you mean "{ROW}"?')
    result = CliRunner().invoke(main, ["check", str(path), "--lang", "sv"])
    assert result.exit_code == 1
    assert 'Ingen av kontraktets enhetskostnadstabeller har raden "se_resursskola_hogstadiet"' in (
        result.output
    )


def test_a_table_that_cannot_be_found_is_an_error_at_the_tables(tmp_path: Path) -> None:
    path = example_with(tmp_path, 'unit_cost_tables = ["se"]', 'unit_cost_tables = ["egna.csv"]')
    contract, problems = check_contract(read_document(path))
    [p] = [p for p in problems if p.code == "contract.unit_costs_unreadable"]
    assert contract is None
    assert p.path == "valuation.unit_cost_tables"
    assert "egna.csv" in p.message("en") and "EFFEKT_UNIT_COST_DIR" in p.message("en")


def test_a_table_in_the_unit_cost_folder_is_found(tmp_path: Path) -> None:
    shipped = (Path(__file__).parents[2] / "src/effekt/data/unit_costs/se.csv").read_text()
    folder = tmp_path / "tabeller"
    folder.mkdir()
    (folder / "egna.csv").write_text(shipped, encoding="utf-8")
    path = example_with(tmp_path, 'unit_cost_tables = ["se"]', 'unit_cost_tables = ["egna.csv"]')
    contract, problems = check_contract(read_document(path), "en", [folder])
    assert contract is not None
    assert not [p for p in problems if p.severity == "error"]
