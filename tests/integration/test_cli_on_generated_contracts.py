"""Every command on generated contracts: an answer or a clear message, never an internal error.

The contract strategy of the engine's property tests (``tests/unit/contract_strategies.py``)
makes valid contracts with uncertain inputs of every kind; each is written as TOML and run
through the commands a user runs on a contract file. Exit 0 or 1 is an answer; exit 3 is
effekt's internal error (a bug) and fails the test with the command and the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tomli_w
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
from contract_strategies import contracts  # noqa: E402

from effekt.cli import main  # noqa: E402
from effekt.contract.model import Contract  # noqa: E402

COMMANDS = [
    ["check"],
    ["summary"],
    ["explain"],
    ["model", "--json"],
    ["model"],
    ["simulate", "--paths", "64", "--seed", "3", "--json"],
    ["simulate", "--paths", "64", "--seed", "3", "--lang", "sv"],
    ["sensitivity", "--paths", "16"],
    ["value"],
    ["feasibility", "--lang", "sv"],
]


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(contracts(uncertain=True))
def test_every_command_answers_a_generated_contract_without_an_internal_error(
    tmp_path_factory: object, c: Contract
) -> None:
    folder = tmp_path_factory.mktemp("generated")  # type: ignore[attr-defined]
    path = folder / "contract.toml"
    path.write_bytes(tomli_w.dumps(c.model_dump(mode="json", exclude_none=True)).encode())
    runner = CliRunner()
    for command in COMMANDS:
        result = runner.invoke(main, [command[0], str(path), *command[1:]])
        assert result.exit_code in (0, 1), (command, result.exit_code, result.output[-800:])
        assert "Traceback" not in result.output, (command, result.output[-800:])
