"""The settings do what docs/settings.md says: read once by ``effekt``, refused with exit 2,
``EFFEKT_WORKERS`` and ``EFFEKT_DASK_TIMEOUT`` for ``simulate``, ``EFFEKT_UNIT_COST_DIR``
(after the contract's own folder) for the valuation wherever the command runs."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import effekt.services.simulate as simulate_service
from effekt.cli import main
from effekt.services.simulate import SOCIETY_METHOD, SOCIETY_VALUATION

ROOT = Path(__file__).resolve().parents[2]
HEMMA = ROOT / "examples" / "hemmasittare.toml"
SHIPPED_SE = ROOT / "src" / "effekt" / "data" / "unit_costs" / "se.csv"
CLEAN = {
    "EFFEKT_LANG": None,
    "LC_ALL": None,
    "LC_MESSAGES": None,
    "LANG": None,
    "EFFEKT_WORKERS": None,
    "EFFEKT_DASK_TIMEOUT": None,
    "EFFEKT_UNIT_COST_DIR": None,
}


def run(args: list[str], **env: str) -> Result:
    return CliRunner(env={**CLEAN, **env}).invoke(main, args, prog_name="effekt")


def contract_with_own_table(folder: Path, table_beside: bool = False) -> Path:
    """hemmasittare reading its unit costs from ``kommunens.csv`` (the shipped rows), which
    lies beside it if ``table_beside``."""
    folder.mkdir(parents=True, exist_ok=True)
    if table_beside:
        (folder / "kommunens.csv").write_bytes(SHIPPED_SE.read_bytes())
    text = HEMMA.read_text(encoding="utf-8")
    assert 'unit_cost_tables = ["se"]' in text
    path = folder / "kontrakt.toml"
    path.write_text(
        text.replace('unit_cost_tables = ["se"]', 'unit_cost_tables = ["kommunens.csv"]'),
        encoding="utf-8",
    )
    return path


# ------------------------------------------------------------------ read once, refused


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"EFFEKT_WORKERS": "0"},
            "Inställningen EFFEKT_WORKERS godtas inte: den måste vara minst 1, inte 0.",
        ),
        (
            {"EFFEKT_DASK_TIMEOUT": "snart"},
            'Inställningen EFFEKT_DASK_TIMEOUT godtas inte: "snart" är inte ett antal sekunder',
        ),
        (
            {"EFFEKT_UNIT_COST_DIR": "/finns/inte"},
            "Inställningen EFFEKT_UNIT_COST_DIR godtas inte: /finns/inte är ingen mapp.",
        ),
    ],
    ids=["workers", "timeout", "folder"],
)
def test_a_refused_setting_stops_any_command_with_exit_2_in_the_language_asked_for(
    env: dict[str, str], expected: str
) -> None:
    result = run(["check", str(HEMMA), "--lang", "sv"], **env)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_a_refused_language_setting_is_said_in_the_locales_language() -> None:
    result = run(["check", str(HEMMA)], EFFEKT_LANG="de", LANG="sv_SE.UTF-8")
    assert result.exit_code == 2
    assert 'Inställningen EFFEKT_LANG godtas inte: "de" är varken sv eller en.' in result.output


# ------------------------------------------------------------------ EFFEKT_WORKERS


@pytest.fixture
def workers_used(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker counts ``simulate`` hands to its process pool (the real pool still runs)."""
    seen: list[int] = []
    real = simulate_service._run_processes

    def spy(*args: Any, **kwargs: Any) -> None:
        seen.append(args[4])
        real(*args, **kwargs)

    monkeypatch.setattr(simulate_service, "_run_processes", spy)
    return seen


def test_simulate_takes_its_workers_from_effekt_workers(workers_used: list[int]) -> None:
    result = run(["simulate", str(HEMMA), "--paths", "200", "--json"], EFFEKT_WORKERS="2")
    assert result.exit_code == 0, result.output
    assert workers_used == [2]


def test_workers_on_the_command_line_win_over_effekt_workers(workers_used: list[int]) -> None:
    args = ["simulate", str(HEMMA), "--paths", "200", "--json", "--workers", "1"]
    assert run(args, EFFEKT_WORKERS="2").exit_code == 0
    assert workers_used == []  # one worker: run in this process, no pool


def test_workers_with_a_scheduler_address_is_a_usage_error() -> None:
    args = ["simulate", str(HEMMA), "--dask", "tcp://127.0.0.1:1", "--workers", "2"]
    result = run([*args, "--lang", "en"])
    assert result.exit_code == 2
    assert "a cluster address sets its own workers" in result.output


# ------------------------------------------------------------------ EFFEKT_DASK_TIMEOUT


def test_a_scheduler_that_does_not_answer_is_named_within_the_timeout() -> None:
    args = ["simulate", str(HEMMA), "--paths", "200", "--dask", "tcp://127.0.0.1:1"]
    result = run([*args, "--lang", "sv"], EFFEKT_DASK_TIMEOUT="1")
    assert result.exit_code == 2, result.output
    assert (
        "Ingen Dask-schemaläggare svarade på tcp://127.0.0.1:1 inom 1 s (EFFEKT_DASK_TIMEOUT)."
        in result.output
    )


def test_an_address_that_is_not_one_is_a_usage_error() -> None:
    result = run(["simulate", str(HEMMA), "--dask", "schemalaggaren", "--lang", "en"])
    assert result.exit_code == 2
    assert '"schemalaggaren" is not a Dask scheduler address: give tcp://HOST:PORT' in (
        result.output
    )


# ------------------------------------------------------------------ EFFEKT_UNIT_COST_DIR


def test_a_table_beside_the_contract_is_found_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = contract_with_own_table(tmp_path / "avtal", table_beside=True)
    monkeypatch.chdir(tmp_path)
    own = json.loads(run(["value", str(contract), "--json"]).output)
    shipped = json.loads(run(["value", str(HEMMA), "--json"]).output)
    assert own["max_price_per_outcome"] == shipped["max_price_per_outcome"]


def test_a_table_in_effekt_unit_cost_dir_is_found(tmp_path: Path) -> None:
    contract = contract_with_own_table(tmp_path / "avtal")
    tables = tmp_path / "kostnader"
    tables.mkdir()
    (tables / "kommunens.csv").write_bytes(SHIPPED_SE.read_bytes())
    result = run(["feasibility", str(contract), "--json"], EFFEKT_UNIT_COST_DIR=str(tables))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["value"]["max_price_per_outcome"]


def test_a_table_found_nowhere_names_every_place_looked(tmp_path: Path) -> None:
    contract = contract_with_own_table(tmp_path / "avtal")
    tables = tmp_path / "kostnader"
    tables.mkdir()
    result = run(["value", str(contract), "--lang", "sv"], EFFEKT_UNIT_COST_DIR=str(tables))
    assert result.exit_code == 1
    assert "Enhetskostnadstabellen kommunens.csv i valuation.unit_cost_tables hittades inte" in (
        result.output
    )
    assert str(tmp_path / "avtal" / "kommunens.csv") in result.output
    assert str(tables / "kommunens.csv") in result.output


def test_simulate_values_society_with_a_table_beside_the_contract_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = contract_with_own_table(tmp_path / "avtal", table_beside=True)
    monkeypatch.chdir(tmp_path)
    result = run(["simulate", str(contract), "--paths", "200", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["society_method"] == SOCIETY_VALUATION


def test_simulate_stops_when_the_valuation_cannot_be_made_instead_of_a_stand_in(
    tmp_path: Path,
) -> None:
    contract = contract_with_own_table(tmp_path / "avtal")
    result = run(["simulate", str(contract), "--paths", "200", "--json", "--lang", "en"])
    assert result.exit_code == 1
    assert SOCIETY_METHOD not in result.output
    assert "The unit-cost table kommunens.csv named in valuation.unit_cost_tables" in (
        result.output
    )


def test_a_scheduler_host_that_does_not_exist_is_named_at_once() -> None:
    # .invalid never resolves (RFC 2606): no waiting out EFFEKT_DASK_TIMEOUT
    address = "tcp://schemalaggare.invalid:8786"
    start = time.perf_counter()
    result = run(["simulate", str(HEMMA), "--dask", address, "--lang", "sv"])
    assert result.exit_code == 2, result.output
    assert (
        f"Värddatorn schemalaggare.invalid i Dask-schemaläggarens adress {address} går inte "
        "att hitta från den här datorn."
    ) in result.output
    assert time.perf_counter() - start < 10


def test_a_scheduler_host_without_a_scheme_is_checked_as_tcp_at_once() -> None:
    # Dask reads "host:port" as tcp://host:port; the name is checked the same way
    start = time.perf_counter()
    result = run(["simulate", str(HEMMA), "--dask", "schemalaggare.invalid:8786", "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "schemalaggare.invalid" in result.output and "cannot be found" in result.output
    assert time.perf_counter() - start < 10
