"""IRR and money multiple are returns on money put in first, by one rule in every command:
only a party with money at risk whose first non-zero flow is an outlay has them, and one
that pays and gets nothing back has -100 % and 0x (docs/engine.md, *Returns*)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.services.amendment import amendment_effect
from effekt.services.business_case import business_case_json
from effekt.services.scenarios import with_overrides
from effekt.services.simulate import simulate, simulate_json

EXAMPLES = Path(__file__).parents[2] / "examples"
HEMMA = str(EXAMPLES / "hemmasittare.toml")
LOW = "low=metrics[0].expected=0.3"  # the QA scenario: the stiftelse loses all it put in


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def low_case() -> dict[str, Any]:
    result = _cli("model", HEMMA, "--scenario", LOW, "--json")
    assert result.exit_code == 0, result.output
    low: dict[str, Any] = json.loads(result.output)["scenarios"]["low"]
    return low


def test_a_flow_that_receives_first_has_no_return(low_case: dict[str, Any]) -> None:
    provider = low_case["parties"]["utforare"]
    assert provider["cash_flows"][0] > 0 and provider["total"] < 0  # fees first, then a loss
    assert provider["irr"] is None and provider["irr_reason"] == "receives_first"
    assert provider["moic"] is None and provider["moic_reason"] == "receives_first"
    assert provider["xirr"] is None and provider["xirr_reason"] == "receives_first"
    # simulate: no path of the example has the provider pay first, so no quantiles at all
    c = load_contract(HEMMA)
    sim = simulate_json(c, simulate(c, 500, seed=1), seed=1)["parties"]["utforare"]
    assert sim["irr_defined"] == 0.0 and sim["moic_defined"] == 0.0
    assert sim["irr"]["p50"] is None and sim["moic"]["p50"] is None
    assert sim["p_loss"] > 0  # its losses are still counted: less back than it paid


def test_the_model_says_why_a_party_with_money_at_risk_has_no_return(tmp_path: Path) -> None:
    text = (EXAMPLES / "hemmasittare.toml").read_text(encoding="utf-8")
    low = tmp_path / "low.toml"
    low.write_text(
        text.replace(
            'mean = 0.45, sd = 0.10, id = "success"', 'mean = 0.30, sd = 0.10, id = "success"'
        ),
        encoding="utf-8",
    )
    en = _cli("model", str(low), "--lang", "en").output
    assert "utforare has no IRR or multiple: it receives money before it pays" in en
    sv = _cli("model", str(low), "--lang", "sv").output
    assert "utforare har ingen IRR eller multipel: den får pengar innan den betalar" in sv
    assert "kommun has no IRR" not in en  # a payer's — needs no note


def test_total_loss_is_minus_100_percent_in_model_and_simulate_alike(
    low_case: dict[str, Any],
) -> None:
    stiftelse = low_case["parties"]["stiftelse"]
    assert stiftelse["total"] == -1_000_000
    assert (stiftelse["irr"], stiftelse["moic"], stiftelse["xirr"]) == (-1.0, 0.0, -1.0)
    assert "irr_reason" not in stiftelse
    text = _cli("model", HEMMA, "--scenario", LOW).output
    line = next(line for line in text.splitlines() if line.startswith("stiftelse IRR"))
    assert line.endswith(" -100.0\u00a0%")  # one decimal, as every IRR in the table
    c = with_overrides(load_contract(HEMMA), {"metrics[0].expected": 0.3})
    model = business_case_json(c)["parties"]["stiftelse"]
    sim = simulate_json(c, simulate(c, 400, seed=2), seed=2)["parties"]["stiftelse"]
    assert model["irr"] == sim["irr"]["p50"] == -1.0
    assert model["moic"] == sim["moic"]["p50"] == 0.0


@pytest.mark.parametrize(
    ("lang", "lost", "note"),
    [
        ("en", "-100.0\u00a0%", "one that gets nothing back has -100.0\u00a0% and 0.00×;"),
        ("sv", "−100,0\u00a0%", "en som inte får något tillbaka har −100,0\u00a0% och 0,00×;"),
    ],
)
def test_the_models_note_writes_a_total_loss_as_its_table_does(
    lang: str, lost: str, note: str
) -> None:
    text = _cli("model", HEMMA, "--scenario", LOW, "--lang", lang).output
    assert note in text
    line = next(line for line in text.splitlines() if line.startswith("stiftelse IRR"))
    assert line.endswith(" " + lost)


def test_total_loss_is_minus_100_percent_in_settle_and_diff(tmp_path: Path) -> None:
    outcomes = (EXAMPLES / "peterborough.outcomes.toml").read_text(encoding="utf-8")
    failed = outcomes.replace("treated = 1.42 ", "treated = 1.60 ").replace(
        "relative_reduction = 0.09 ", "relative_reduction = -0.01 "
    )
    assert failed != outcomes
    path = tmp_path / "failed.outcomes.toml"
    path.write_text(failed, encoding="utf-8")
    peterborough = str(EXAMPLES / "peterborough.toml")
    settled = json.loads(_cli("settle", "--outcomes", str(path), peterborough, "--json").output)
    assert settled["total_payments"] == 0
    assert (settled["parties"]["trusts"]["irr"], settled["parties"]["trusts"]["moic"]) == (
        -1.0,
        0.0,
    )
    text = _cli("settle", "--outcomes", str(path), peterborough, "--lang", "en").output
    assert "return £0, IRR -100.0\u00a0%" in text
    base = load_contract(HEMMA)
    effect = amendment_effect(base, with_overrides(base, {"metrics[0].expected": 0.3}))
    assert effect["parties"]["stiftelse"]["irr"] == {"before": 0.0, "after": -1.0, "change": -1.0}
    assert effect["parties"]["utforare"]["irr"]["after"] is None  # receives first


def test_payers_fee_takers_and_accounts_have_no_return_in_the_json(
    low_case: dict[str, Any],
) -> None:
    for pid in ("kommun", "region", "intermediar", "utvarderare", "deal", "outside"):
        p = low_case["parties"][pid]
        assert p["irr"] is None and p["moic"] is None and p["xirr"] is None, pid
        assert p["irr_reason"] == p["moic_reason"] == "no_money_at_risk", pid
    c = load_contract(HEMMA)
    kommun = simulate_json(c, simulate(c, 200, seed=1), seed=1)["parties"]["kommun"]
    assert kommun["irr"]["mean"] is None and kommun["irr_defined"] == 0.0


def test_the_workbook_shows_the_total_loss_and_leaves_no_return_blank(tmp_path: Path) -> None:
    book = tmp_path / "case.xlsx"
    result = _cli("model", HEMMA, "--scenario", LOW, "--xlsx", str(book))
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(book).worksheets[-1].iter_rows(values_only=True))
    by_label = {row[0]: row[1:] for row in rows}
    assert by_label["stiftelse IRR/yr"] == (0.0, -1.0)
    assert by_label["utforare IRR/yr"] == (None, None)


def test_sensitivity_refuses_irr_of_a_commissioner() -> None:
    result = _cli("sensitivity", HEMMA, "--output", "kommun.irr", "--paths", "32")
    assert result.exit_code == 2
    assert "kommun has no IRR" in result.output
    assert "its role puts no money at risk" in result.output
    assert "kommun.npv" in result.output
    sv = _cli("sensitivity", HEMMA, "--output", "kommun.moic", "--paths", "32", "--lang", "sv")
    assert sv.exit_code == 2
    assert "har kommun ingen multipel" in sv.output and "kommun.npv" in sv.output


def test_sensitivity_refuses_the_return_of_a_provider_that_never_pays_first() -> None:
    result = _cli("sensitivity", HEMMA, "--output", "utforare.irr", "--paths", "32")
    assert result.exit_code == 2
    assert "utforare has no IRR" in result.output and "utforare.npv" in result.output


def test_irr_swings_are_in_percentage_points(tmp_path: Path) -> None:
    chart = tmp_path / "irr.svg"
    args = ["sensitivity", HEMMA, "--output", "fond.irr", "--paths", "32", "--chart", str(chart)]
    en = _cli(*args, "--lang", "en")
    assert en.exit_code == 0, en.output
    tornado = en.output.split("Tornado")[1].split("Variance-based")[0]
    swings = [line.rsplit("  ", 1)[-1] for line in tornado.splitlines()[3:] if line.strip()]
    assert swings and all(s.endswith("percentage points") for s in swings), swings
    assert all("%" not in s for s in swings)
    svg = chart.read_text(encoding="utf-8")
    assert "percentage points</text>" in svg  # the axis: the change from the base
    sv = _cli(*args, "--lang", "sv").output
    assert "procentenheter" in sv
    data = json.loads(_cli(*args[:-2], "--json").output)
    row = data["tornado"][0]
    assert row["swing"] == pytest.approx(abs(row["output_high"] - row["output_low"]), abs=1e-6)


def test_a_provider_without_a_return_on_any_path_is_said_once_not_starred() -> None:
    args = ["simulate", HEMMA, "--paths", "400", "--seed", "1", "--lang", "en"]
    out = CliRunner().invoke(main, args).output
    row = next(line for line in out.splitlines() if line.startswith("utforare "))
    assert "*" not in row
    assert "utforare: no IRR or multiple on any path" in out
    assert "* utforare" not in out
