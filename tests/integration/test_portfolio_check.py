"""A portfolio (outcomes fund) is checked as a whole: every contract it lists, unique ids,
and shock loadings that name a contract and one of its uncertain inputs — a loading that
names nothing is an error, never a shock that silently moves nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from effekt.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def fund(folder: Path, loadings: str, extra: str = "") -> Path:
    path = folder / "fond.toml"
    path.write_text(
        f"""format_version = 1
kind = "portfolio"
id = "fonden"

[[contracts]]
path = "{EXAMPLES / "hemmasittare.toml"}"
id = "hemma"

[[contracts]]
path = "{EXAMPLES / "norrkoping.toml"}"
id = "norr"
weight = 0.5
{extra}
[[shocks]]
id = "arbetsmarknad"
loadings = {{ {loadings} }}
""",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> Result:
    env = {"EFFEKT_LANG": None, "LANG": None, "LC_ALL": None, "LC_MESSAGES": None}
    return CliRunner(env=env).invoke(main, list(args), prog_name="effekt")


def problems(path: Path, *, fund_only: bool = True) -> list[dict[str, object]]:
    """The problems ``check`` finds; with ``fund_only`` those of the fund file itself, not
    its contracts' own (hemmasittare always has a power warning)."""
    result = run("check", str(path), "--json", "--lang", "en")
    found = list(json.loads(result.output)["problems"])
    return [p for p in found if str(p["code"]).startswith("portfolio.")] if fund_only else found


def test_a_valid_fund_checks_with_its_contracts_and_shocks(tmp_path: Path) -> None:
    result = run("check", str(fund(tmp_path, '"hemma:success" = 0.5')), "--lang", "sv")
    assert result.exit_code == 0, result.output
    assert "Portföljen är giltig (kontrakt: 2, gemensamma chocker: 1)." in result.output


def test_every_loading_that_names_nothing_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = fund(
        tmp_path,
        '"hemma:success" = 0.5, "hemma:nope" = 0.3, "x:success" = 0.2, "bad" = 0.1, '
        '"norr:cost_with" = 1.5',
    )
    found = {p["code"]: p for p in problems(path)}
    assert set(found) == {
        "portfolio.unknown_input",
        "portfolio.unknown_contract",
        "portfolio.loading_key",
        "portfolio.loading_range",
    }
    lines = path.read_text(encoding="utf-8").splitlines()
    line = 1 + next(i for i, text in enumerate(lines) if text.startswith("loadings = "))
    assert all(p["line"] == line and p["severity"] == "error" for p in found.values())
    assert "(its uncertain inputs: referrals_k1," in str(found["portfolio.unknown_input"])
    assert "(it has: hemma, norr)" in str(found["portfolio.unknown_contract"]["message"])
    result = run("check", str(path), "--lang", "sv")
    assert result.exit_code == 1
    assert result.output.rstrip().endswith("Portföljen har 4 fel.")


def test_simulate_refuses_a_fund_whose_shock_moves_nothing(tmp_path: Path) -> None:
    path = fund(tmp_path, '"hemma:succes" = 0.5')
    result = run("simulate", str(path), "--paths", "100", "--lang", "en")
    assert result.exit_code == 1
    assert 'The loading "hemma:succes" names no uncertain input of hemma' in result.output
    assert result.output.rstrip().endswith("The portfolio has 1 error.")


def test_squared_loadings_over_one_warn_that_simulate_scales_them(tmp_path: Path) -> None:
    extra = '\n[[shocks]]\nid = "ekonomi"\nloadings = { "hemma:success" = 0.9 }\n'
    path = fund(tmp_path, '"hemma:success" = 0.5')
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    (warning,) = problems(path)
    assert warning["code"] == "portfolio.loadings_over_one"
    assert warning["severity"] == "warning"
    assert "add up to 1.06" in str(warning["message"])


def test_two_contracts_with_one_id_in_the_fund_is_an_error(tmp_path: Path) -> None:
    extra = f'\n[[contracts]]\npath = "{EXAMPLES / "norrkoping.toml"}"\nid = "norr"\n'
    path = fund(tmp_path, '"hemma:success" = 0.5', extra)
    (duplicate,) = problems(path)
    assert duplicate["code"] == "portfolio.duplicate_id"
    assert duplicate["path"] == "contracts[2]"


def test_a_broken_or_missing_contract_brings_its_own_problems(tmp_path: Path) -> None:
    broken = tmp_path / "trasig.toml"
    broken.write_text(
        (EXAMPLES / "norrkoping.toml").read_text(encoding="utf-8").replace("format_version = 1", "")
    )
    extra = '\n[[contracts]]\npath = "trasig.toml"\n\n[[contracts]]\npath = "saknas.toml"\n'
    found = problems(fund(tmp_path, '"hemma:success" = 0.5', extra), fund_only=False)
    codes = [(p["code"], p["path"]) for p in found]
    assert ("portfolio.contract_invalid", "contracts[2].path") in codes
    assert ("contract.missing", "format_version") in codes  # the contract's own problem
    missing = next(p for p in found if p["code"] == "portfolio.contract_unusable")
    assert missing["path"] == "contracts[3].path"
    assert "saknas.toml" in str(missing["message"]) and "does not exist" in str(missing["message"])


def test_a_contract_command_given_a_portfolio_says_what_it_is(tmp_path: Path) -> None:
    result = run("model", str(fund(tmp_path, '"hemma:success" = 0.5')), "--lang", "en")
    assert result.exit_code == 1
    assert "This is a portfolio file" in result.output


def test_a_funds_check_shows_its_contracts_warnings_too(tmp_path: Path) -> None:
    found = problems(fund(tmp_path, '"hemma:success" = 0.5'), fund_only=False)
    (warning,) = found
    assert warning["code"] == "contract.threshold_undetectable"  # hemmasittare's own
    assert warning["path"] == "rules[1].threshold"


def test_a_fund_of_contracts_in_different_currencies_is_an_error(tmp_path: Path) -> None:
    # before: simulate summed SEK and GBP into one figure, "-GBP/SEK 7,801,171"
    extra = f'\n[[contracts]]\npath = "{EXAMPLES / "peterborough.toml"}"\nid = "pboro"\n'
    path = fund(tmp_path, '"hemma:success" = 0.5', extra)
    (mixed,) = problems(path)
    assert mixed["code"] == "portfolio.mixed_currencies"
    assert mixed["path"] == "contracts[2]" and mixed["severity"] == "error"
    assert "pboro is in GBP, the fund's first contract (hemma) in SEK" in str(mixed["message"])
    result = run("simulate", str(path), "--paths", "20", "--lang", "sv")
    assert result.exit_code == 1, result.output
    assert "pboro är i GBP, fondens första kontrakt (hemma) i SEK" in result.output
    assert "GBP/SEK" not in result.output


def test_a_funds_weight_is_a_share_of_at_most_one(tmp_path: Path) -> None:
    # before: weight = 1e300 passed, and simulate overflowed with NumPy warnings
    path = fund(tmp_path, '"hemma:success" = 0.5')
    path.write_text(path.read_text(encoding="utf-8").replace("weight = 0.5", "weight = 1e300"))
    (too_large,) = [p for p in problems(path, fund_only=False) if p["severity"] == "error"]
    assert (too_large["code"], too_large["path"]) == (
        "contract.too_large_value",
        "contracts[1].weight",
    )
    assert too_large["line"] == 12


def test_a_fund_listing_a_folder_says_it_is_a_folder_as_check_does(tmp_path: Path) -> None:
    # before: 'unknown file type "(none)"' — a folder is no file, of any type
    (tmp_path / "mapp").mkdir()
    path = fund(tmp_path, '"hemma:success" = 0.5', '\n[[contracts]]\npath = "mapp"\n')
    mapp = str(tmp_path / "mapp")
    for lang, says in (
        ("en", f"File '{mapp}' is a directory."),
        ("sv", f"Filen '{mapp}' är en katalog."),
    ):
        direct = run("check", mapp, "--lang", lang)  # the message check gives a folder
        assert direct.exit_code == 2 and says in direct.output, direct.output
        listed = run("check", str(path), "--lang", lang)
        assert listed.exit_code == 1
        assert says in listed.output, listed.output
        assert "(none)" not in listed.output and "(ingen)" not in listed.output


def test_a_fund_listing_a_folder_says_so_in_words(tmp_path: Path) -> None:
    # before: 'unknown file type "Phrase(code='contract.no_suffix')"'
    (tmp_path / "mapp").mkdir()
    extra = '\n[[contracts]]\npath = "mapp"\n'
    found = problems(fund(tmp_path, '"hemma:success" = 0.5', extra))
    (unusable,) = found
    assert unusable["code"] == "portfolio.contract_unusable"
    assert "Phrase" not in str(unusable["message"]), unusable["message"]
    result = run("check", str(fund(tmp_path, '"hemma:success" = 0.5', extra)), "--lang", "sv")
    assert "Phrase" not in result.output and "mapp" in result.output, result.output
