"""effekt simulate and sensitivity end to end: the same seed gives the same JSON anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.services.simulate import QUIET_SCHEDULER

EXAMPLES = Path(__file__).parents[2] / "examples"
HEMMA = str(EXAMPLES / "hemmasittare.toml")


def _simulate(*args: str) -> str:
    result = CliRunner().invoke(main, ["simulate", HEMMA, "--paths", "21000", "--json", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_one_worker_two_workers_and_a_dask_cluster_give_identical_json() -> None:
    serial = _simulate("--seed", "42", "--workers", "1")
    assert _simulate("--seed", "42", "--workers", "2") == serial
    assert _simulate("--seed", "42", "--dask", "local", "--workers", "2") == serial
    data = json.loads(serial)
    assert data["paths"] == 21000 and data["seed"] == 42
    fond = data["parties"]["fond"]
    assert fond["role"] == "investor"
    for kind in ("npv", "irr", "moic"):
        assert set(fond[kind]) == {"mean", "se", "p5", "p50", "p95"}
        assert fond[kind]["p5"] <= fond[kind]["p50"] <= fond[kind]["p95"]
    assert 0 <= fond["p_loss"] <= 1
    assert set(data["outlay"]["2027"]["kommun"]) >= {"p50", "p90", "p95"}
    assert 0 <= data["provider_cash_gap_probability"] <= 1
    assert 0 <= data["society_p_positive_npv"] <= 1


def test_an_existing_dask_cluster_at_its_address_gives_identical_json() -> None:
    from distributed import LocalCluster

    serial = _simulate("--seed", "42")
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs=QUIET_SCHEDULER,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        assert _simulate("--seed", "42", "--dask", address) == serial


def test_another_seed_gives_other_results() -> None:
    a = json.loads(_simulate("--seed", "1"))
    b = json.loads(_simulate("--seed", "2"))
    assert a["parties"]["fond"]["npv"]["mean"] != b["parties"]["fond"]["npv"]["mean"]


def test_simulate_prints_a_table_in_swedish() -> None:
    result = CliRunner().invoke(main, ["simulate", HEMMA, "--paths", "2000", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    assert "Risk under osäkerhet" in result.output and "fond" in result.output


def _fund(folder: Path, *, with_norrkoping: bool = True) -> Path:
    """A portfolio file: hemmasittare, and Norrköping at half weight with a shared shock."""
    more = f"""
[[contracts]]
path = "{EXAMPLES / "norrkoping.toml"}"
id = "norr"
weight = 0.5

[[shocks]]
id = "arbetsmarknad"
loadings = {{ "hemma:success" = 0.5 }}
"""
    fund = folder / "fund.toml"
    fund.write_text(
        f"""
format_version = 1
kind = "portfolio"
id = "fonden"

[[contracts]]
path = "{EXAMPLES / "hemmasittare.toml"}"
id = "hemma"
"""
        + (more if with_norrkoping else ""),
        encoding="utf-8",
    )
    return fund


def test_a_portfolio_gives_results_per_contract_and_for_the_fund(tmp_path) -> None:
    fund = _fund(tmp_path)
    result = CliRunner().invoke(main, ["simulate", str(fund), "--paths", "3000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["fund"] == "fonden"
    assert set(data["contracts"]) == {"hemma", "norr"}
    assert data["contracts"]["norr"]["weight"] == 0.5
    assert "investor" in data["parties"] and "commissioner" in data["parties"]
    assert data["parties"]["investor"]["npv"]["mean"] is not None


def test_sensitivity_ranks_inputs_and_writes_a_chart(tmp_path) -> None:
    chart = tmp_path / "tornado.svg"
    result = CliRunner().invoke(
        main, ["sensitivity", HEMMA, "--paths", "256", "--json", "--chart", str(chart)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["output"] == "fond.npv"
    swings = [r["swing"] for r in data["tornado"]]
    assert swings == sorted(swings, reverse=True)
    assert data["tornado"][0]["input"] == "success"  # the outcome rate drives the investor
    assert {r["input"] for r in data["sobol"]["indices"]} == {r["input"] for r in data["tornado"]}
    assert chart.read_text(encoding="utf-8").startswith("<svg")


def test_sensitivity_refuses_an_unknown_output_as_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["sensitivity", HEMMA, "--output", "nobody.npv"])
    assert result.exit_code == 2
    assert "nobody.npv" in result.output


def test_the_compiled_and_the_numpy_engine_give_identical_json() -> None:
    # same draws (person-level on in the example), same flows to rounding, same figures
    compiled = _simulate("--seed", "5", "--engine", "compiled")
    assert _simulate("--seed", "5", "--engine", "numpy") == compiled
    data = json.loads(compiled)
    assert data["person_level"] is True


def test_a_contract_with_april_budget_years_simulates_with_outlay_by_uk_year() -> None:
    result = CliRunner().invoke(
        main,
        ["simulate", str(EXAMPLES / "peterborough.toml"), "--paths", "2000", "--json"],
    )
    assert result.exit_code == 0, result.output
    outlay = json.loads(result.output)["outlay"]
    assert "2010/11" in outlay and set(outlay["2010/11"]) == {"moj", "blf"}
    assert outlay["2010/11"]["moj"]["p50"] > 0


def test_a_period_across_the_budget_years_turn_is_booked_as_model_books_it() -> None:
    # peterborough's quarters start on 9 September, so one spans 1 April; its fee falls at
    # the quarter's end. Before, simulate booked it in the year of the quarter's first day.
    from effekt.contract.load import load_contract
    from effekt.engine.cashflow import cash_flows
    from effekt.engine.inputs import expected_inputs

    c = load_contract(EXAMPLES / "peterborough.toml")  # no uncertain input: one case
    cf = cash_flows(c, expected_inputs(c, 1), None)
    result = CliRunner().invoke(
        main, ["simulate", str(EXAMPLES / "peterborough.toml"), "--paths", "50", "--json"]
    )
    outlay = json.loads(result.output)["outlay"]
    for payer in ("moj", "blf"):
        booked: dict[str, float] = {}
        years = c.budget_years(c.party(payer).budget_year_start_month)
        for t, year in enumerate(years):
            booked[year] = booked.get(year, 0.0) - float(cf.flow(payer)[0, t])
        assert {y: outlay[y][payer]["mean"] for y in outlay} == pytest.approx(booked, abs=0.01)
    assert outlay["2010/11"]["moj"]["mean"] == 20_000  # two quarters' fees, not three


def test_an_unknown_engine_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["simulate", HEMMA, "--engine", "fortran"])
    assert result.exit_code == 2
    assert "fortran" in result.output


def test_sensitivity_of_an_output_that_never_moves_says_so_instead_of_failing() -> None:
    # the evaluator's fee is fixed: no input moves its NPV, so there is no variance
    for lang, words in (("sv", "ingen varians att fördela"), ("en", "no variance to apportion")):
        result = CliRunner().invoke(
            main,
            ["sensitivity", HEMMA, "--output", "utvarderare.npv", "--paths", "64", "--lang", lang],
        )
        assert result.exit_code == 0, result.output
        assert words in result.output
    data = json.loads(
        CliRunner()
        .invoke(
            main, ["sensitivity", HEMMA, "--output", "utvarderare.npv", "--paths", "64", "--json"]
        )
        .output
    )
    assert data["sobol"]["variance"] is None
    assert all(r["first_order"] is None for r in data["sobol"]["indices"])


def test_the_tornado_holds_an_input_within_its_domain_as_simulate_does(tmp_path: Path) -> None:
    text = Path(HEMMA).read_text(encoding="utf-8")
    wide = text.replace(
        'engagement = { dist = "beta", mean = 0.85, sd = 0.05 }',
        'engagement = { dist = "normal", mean = 0.85, sd = 0.3, id = "engagement_k1" }',
    )
    assert wide != text
    path = tmp_path / "wide.toml"
    path.write_text(wide, encoding="utf-8")
    result = CliRunner().invoke(main, ["sensitivity", str(path), "--paths", "64", "--json"])
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.output)["tornado"] if r["input"] == "engagement_k1")
    # p90 of the normal is 0.85 + 1.2816 × 0.3 ≈ 1.23: a share above 1, held at 1
    assert row["high"] == 1.0 and 0.0 < row["low"] < 0.85


def test_the_sensitivity_chart_is_headed_in_the_language_asked_for(tmp_path: Path) -> None:
    for lang, words in (("sv", "Variansbaserade index"), ("en", "Variance-based indices")):
        chart = tmp_path / f"tornado-{lang}.svg"
        result = CliRunner().invoke(
            main, ["sensitivity", HEMMA, "--paths", "32", "--chart", str(chart), "--lang", lang]
        )
        assert result.exit_code == 0, result.output
        svg = chart.read_text(encoding="utf-8")
        assert words in svg and svg.startswith("<svg")
    assert "varje indata" in (tmp_path / "tornado-sv.svg").read_text(encoding="utf-8")


def test_the_sensitivity_chart_can_be_read_on_its_own(tmp_path: Path) -> None:
    chart = tmp_path / "tornado.svg"
    args = ["sensitivity", HEMMA, "--paths", "32", "--chart", str(chart), "--json"]
    data = json.loads(CliRunner().invoke(main, [*args, "--lang", "sv"]).output)
    svg = chart.read_text(encoding="utf-8")
    # a legend for every colour, the base value with its currency, the ends of each axis
    for key in ("indata vid sin p10", "indata vid sin p90", "första ordningen", "totalt (med"):
        assert key in svg
    base = f"{round(data['base']):,}".replace(",", "\u00a0").replace("-", "\u2212")
    assert f"varje indata vid sitt förväntade värde: {base}\u00a0kr" in svg
    ends = [v for r in data["tornado"] for v in (r["output_low"], r["output_high"])]
    lowest = f"{round(min([*ends, data['base']])):,}".replace(",", "\u00a0").replace("-", "\u2212")
    assert f">{lowest}\u00a0kr</text>" in svg
    assert ">0,5</text>" in svg and ">1,0</text>" in svg


def test_float_noise_in_a_partys_flows_is_no_investment_and_no_loss() -> None:
    # Norrköping's provider is paid exactly its costs: its flows cancel to about −5e−10 SEK
    # on some paths, which must not read as money paid in and lost
    result = CliRunner().invoke(
        main, ["simulate", str(EXAMPLES / "norrkoping.toml"), "--paths", "20000", "--json"]
    )
    assert result.exit_code == 0, result.output
    provider = json.loads(result.output)["parties"]["team-nystart"]
    assert provider["p_loss"] == 0.0 and provider["moic_defined"] == 0.0
    assert provider["moic"]["p50"] is None and provider["irr"]["p50"] is None


def test_a_funds_table_in_swedish_names_its_roles_in_swedish(tmp_path: Path) -> None:
    fund = _fund(tmp_path, with_norrkoping=False)
    result = CliRunner().invoke(main, ["simulate", str(fund), "--paths", "2000", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    fund_table, contract_table = result.output.split("Kontrakt hemma")
    assert "alla  beställare" in fund_table and "alla  investerare" in fund_table
    assert "commissioner" not in fund_table and "investor" not in fund_table
    # one word for a contract in every command ("Kontrakt", never "Avtal")
    assert (
        "Avtal" not in result.output
        and "i fonden; kontraktets egna belopp, inte viktade" in contract_table
    )


def test_a_local_cluster_does_not_warn_when_another_holds_the_dashboard_port() -> None:
    import socket
    import warnings

    held = socket.socket()
    try:
        held.bind(("0.0.0.0", 8787))
        held.listen()
    except OSError:
        held.close()  # something else holds it already: the situation this test sets up
    probe = socket.create_connection(("127.0.0.1", 8787), timeout=5)  # refused if not taken
    probe.close()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = _simulate("--seed", "1", "--dask", "local", "--workers", "1")
    finally:
        held.close()
    assert json.loads(out)["paths"] == 21000
    assert [w for w in caught if "already in use" in str(w.message)] == []
