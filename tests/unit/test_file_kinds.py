"""A file of another of effekt's formats given in the wrong place is named for what it is,
not listed as a dozen unknown fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.contract.outcomes_file import load_outcomes
from effekt.errors import ContractInvalid, DataError
from effekt.evaluation_io.mapping import load_mapping

EXAMPLES = Path(__file__).parents[2] / "examples"
CONTRACT = EXAMPLES / "hemmasittare.toml"
OUTCOMES = EXAMPLES / "peterborough.outcomes.toml"
MAPPING = EXAMPLES / "hemmasittare.mapping.toml"


@pytest.mark.parametrize(
    ("path", "code"),
    [(OUTCOMES, "contract.is_outcomes_file"), (MAPPING, "contract.is_mapping_file")],
)
def test_an_outcomes_or_mapping_file_read_as_a_contract_is_one_problem_naming_it(
    path: Path, code: str
) -> None:
    with pytest.raises(ContractInvalid) as err:
        load_contract(path)
    assert [p.code for p in err.value.problems] == [code]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "This is an outcomes file (measured outcomes per metric and cohort)"),
        ("sv", "Det här är en utfallsfil (uppmätta utfall per mått och kohort)"),
    ],
)
def test_check_on_an_outcomes_file_says_where_it_belongs(lang: str, expected: str) -> None:
    res = CliRunner().invoke(main, ["check", str(OUTCOMES), "--lang", lang])
    assert res.exit_code == 1
    assert expected in res.output
    assert "settle" in res.output
    assert (
        len([line for line in res.output.splitlines() if ": error: " in line or ": fel: " in line])
        == 1
    )


def test_a_contract_with_a_stray_measurements_table_is_still_checked_as_a_contract(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(CONTRACT.read_text(encoding="utf-8") + "\n[[measurements]]\nmetric = 'x'\n")
    with pytest.raises(ContractInvalid) as err:
        load_contract(path)
    assert [p.code for p in err.value.problems] == ["contract.unknown_field"]


def test_a_contract_given_as_the_outcomes_file_is_named_as_a_contract() -> None:
    with pytest.raises(DataError) as err:
        load_outcomes(CONTRACT)
    assert err.value.code == "outcomes.is_contract"
    assert "is a contract, not an outcomes file" in err.value.render("en")


def test_a_contract_given_as_the_mapping_is_named_as_a_contract_in_swedish() -> None:
    with pytest.raises(DataError) as err:
        load_mapping(CONTRACT)
    assert err.value.code == "mapping.is_contract"
    assert "är ett kontrakt, inte en mappningsfil" in err.value.render("sv")
