"""effekt value against hand-computed values: one cohort, one metric, a few unit-cost rows.

The contract: 100 referred in year 1 (yearly periods, no lag), 50 % with the programme
against a 30 % matched comparison, so 20 outcomes gained in 2027. Unit costs (the Swedish
table, each row's own price year): a school year 112,200 SEK (2018, kommun, not cashable);
a SiS treatment-day fee 3,528 SEK (2020, kommun, cashable); a year of activity compensation
105,480 SEK (2020, Försäkringskassan, a transfer to the individual). KPI annual averages
(1980 = 100): 2018 328.40, 2020 335.92, 2025 417.98 (the last published), then 2 % a year.
The kommun's payments are money of the day paid (2027), deflated to the price year.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from small_contracts import avoided_cost, checked, valued_contract_text

from effekt.cli import main
from effekt.contract.model import Contract
from effekt.services.value import value_json

SCHOOL = 112_200.0  # se_grundskola_elev_ar, 2018 prices
FEE_DAY = 3_528.0  # se_sis_avgift_behandling_oppen_2020h2, 2020 prices
ACTIVITY = 105_480.0  # se_aktivitetsersattning_hel_ar_low_derived, 2020 prices
KPI_2018, KPI_2020 = 328.40, 335.92
KPI_2027 = 417.98 * 1.02**2  # extrapolated from 2025 at the Riksbank's 2 % target
TO_2018 = KPI_2018 / KPI_2027  # 2027 kronor into 2018 prices
GAINED = 100 * (0.5 - 0.3)


def contract(*avoided_costs: str, **options: Any) -> Contract:
    """The contract of the module docstring, its metric avoiding ``avoided_costs``; ``options``
    (price, price year, horizon, discount rates, adjustments) as ``valued_contract_text``'s."""
    return checked(valued_contract_text(*avoided_costs, **options))


def by_year(data: dict[str, Any], actor: str, block: str, discounted: bool = False) -> list[float]:
    key = "by_year_discounted" if discounted else "by_year"
    return list(data["actors"][actor][block][key])


def test_savings_rebase_a_row_to_the_price_year_with_the_kpi() -> None:
    data = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 1), price_year=2020))
    assert data["price_year"] == 2020
    per_outcome = SCHOOL * KPI_2020 / KPI_2018  # 114,769.62
    assert by_year(data, "kommun", "savings") == pytest.approx([GAINED * per_outcome, 0, 0])


def test_attribution_optimism_bias_and_drop_off_reduce_savings_by_hand() -> None:
    adj = "[metrics.adjustments]\nattribution = 0.1\noptimism_bias = 0.15\ndrop_off = 0.2\n"
    data = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 2), adjustments=adj))
    # 20 × 112,200 × 0.9 × 0.85 = 1,716,660 in the first year, × 0.8 in the second
    first = GAINED * SCHOOL * 0.9 * 0.85
    assert first == pytest.approx(1_716_660)
    assert by_year(data, "kommun", "savings") == pytest.approx([first, first * 0.8, 0.0])


def test_the_valuation_rate_discounts_from_the_end_of_each_year() -> None:
    data = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 2), rate=0.035))
    year = GAINED * SCHOOL
    assert by_year(data, "kommun", "savings", discounted=True) == pytest.approx(
        [year / 1.035, year / 1.035**2, 0.0]
    )
    # the kommun pays 20 × 1,000 at the end of 2027: in 2018 prices, discounted
    assert by_year(data, "kommun", "costs", discounted=True) == pytest.approx(
        [20_000 * TO_2018 / 1.035, 0, 0]
    )


def test_a_partys_own_rate_wins_over_the_valuation_rate_for_its_actor() -> None:
    c = contract(
        avoided_cost("se_sis_avgift_behandling_oppen_2020h2", 10, 1),
        avoided_cost("se_aktivitetsersattning_hel_ar_low_derived", 0.5, 1),
        price_year=2020,
        rate=0.035,
        kommun_rate=0.05,
    )
    data = value_json(c)
    kommun = by_year(data, "kommun", "savings", discounted=True)[0]
    fk = by_year(data, "forsakringskassan", "savings", discounted=True)[0]
    assert kommun == pytest.approx(GAINED * 10 * FEE_DAY / 1.05)
    assert fk == pytest.approx(GAINED * 0.5 * ACTIVITY / 1.035)


def test_payer_shares_follow_the_savings_sum_to_one_and_name_the_actor_not_at_the_table() -> None:
    c = contract(
        # 35,280 a year for the kommun, 52,740 for Försäkringskassan
        avoided_cost("se_sis_avgift_behandling_oppen_2020h2", 10, 1),
        avoided_cost("se_aktivitetsersattning_hel_ar_low_derived", 0.5, 1),
        price_year=2020,
    )
    data = value_json(c)
    kommun, fk = 10 * FEE_DAY, 0.5 * ACTIVITY
    assert data["payer_share_proposal"] == pytest.approx(
        {"kommun": kommun / (kommun + fk), "forsakringskassan": fk / (kommun + fk)}
    )
    assert sum(data["payer_share_proposal"].values()) == pytest.approx(1.0)
    assert data["commissioner_share"] == pytest.approx(kommun / (kommun + fk))  # 0.4008
    assert data["non_party_actors"] == ["forsakringskassan"]
    assert data["actors"]["forsakringskassan"]["party"] is None


def test_a_transfer_saves_its_payer_costs_the_individual_and_cancels_for_society() -> None:
    c = contract(
        avoided_cost("se_sis_avgift_behandling_oppen_2020h2", 10, 1),
        avoided_cost("se_aktivitetsersattning_hel_ar_low_derived", 0.5, 1),
        price_year=2020,
    )
    data = value_json(c)
    transfer = GAINED * 0.5 * ACTIVITY
    assert data["actors"]["forsakringskassan"]["savings"]["total"] == pytest.approx(transfer)
    assert data["actors"]["individual"]["savings"]["total"] == pytest.approx(-transfer)
    # society keeps only the real resource: the kommun's treatment days
    assert data["actors"]["society"]["savings"]["total"] == pytest.approx(GAINED * 10 * FEE_DAY)


def test_max_price_is_the_discounted_saving_of_one_outcome_from_the_lines_start_year() -> None:
    c = contract(
        avoided_cost("se_sis_avgift_behandling_oppen_2020h2", 10, 2),
        avoided_cost("se_aktivitetsersattning_hel_ar_low_derived", 0.5, 2, start_year=1),
        price_year=2020,
        rate=0.035,
    )
    prices = value_json(c)["max_price_per_outcome"]["m"]
    kommun = 10 * FEE_DAY * (1 / 1.035 + 1 / 1.035**2)
    fk = 0.5 * ACTIVITY * (1 / 1.035**2 + 1 / 1.035**3)  # from the second year on
    assert prices["kommun"] == pytest.approx(kommun)
    assert prices["forsakringskassan"] == pytest.approx(fk)
    assert prices["public_sector"] == pytest.approx(kommun + fk)
    assert prices["total"] == pytest.approx(kommun)  # the transfer is not a saving for society


def test_savings_of_a_line_that_starts_later_arrive_later() -> None:
    data = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 1, start_year=1)))
    assert by_year(data, "kommun", "savings") == pytest.approx([0, GAINED * SCHOOL, 0])


def test_benefit_cost_ratio_is_public_savings_over_public_costs_discounted() -> None:
    data = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 2), rate=0.035))
    savings = GAINED * SCHOOL * (1 / 1.035 + 1 / 1.035**2)
    costs = 20_000 * TO_2018 / 1.035
    assert data["benefit_cost_ratio"] == pytest.approx(savings / costs, rel=1e-6)


def test_break_even_is_the_first_year_the_cumulative_public_net_stays_positive() -> None:
    # the kommun pays 20 × 300,000 = 6,000,000 in 2027 (4,531,047 in 2018 prices) and saves
    # 2,244,000 a year for three years: cumulative net −2,287,047, −43,047, +2,200,953
    data = value_json(
        contract(avoided_cost("se_grundskola_elev_ar", 1, 3), price=300_000, horizon=4)
    )
    assert data["break_even_year"] == 2029
    short = value_json(
        contract(avoided_cost("se_grundskola_elev_ar", 1, 2), price=300_000, horizon=4)
    )
    assert short["break_even_year"] is None


def test_nothing_saved_and_nothing_spent_is_no_break_even() -> None:
    # the template: no avoided costs, and its commissioner stands for no public actor
    result = CliRunner().invoke(main, ["init"])
    template = checked(result.output)
    data = value_json(template)
    assert data["actors"]["public_sector"]["savings"]["total"] == 0
    assert data["break_even_year"] is None


def test_cashable_share_counts_only_rows_that_release_budget() -> None:
    c = contract(
        avoided_cost("se_grundskola_elev_ar", 1, 1),  # not cashable: capacity, not budget
        avoided_cost("se_sis_avgift_behandling_oppen_2020h2", 10, 1),  # cashable fee
        price_year=2020,
    )
    data = value_json(c)
    school = SCHOOL * KPI_2020 / KPI_2018
    assert data["cashable_share"] == pytest.approx(10 * FEE_DAY / (10 * FEE_DAY + school))
    assert data["actors"]["kommun"]["cashable_savings_discounted"] == pytest.approx(
        GAINED * 10 * FEE_DAY
    )


def test_net_is_savings_less_costs_for_every_actor_and_year() -> None:
    data = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 2), rate=0.035))
    for a in data["actors"].values():
        for key in ("by_year", "by_year_discounted"):
            assert a["net"][key] == pytest.approx(
                [s - c for s, c in zip(a["savings"][key], a["costs"][key], strict=True)], abs=0.02
            )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_value_command_prints_the_matrix_and_the_json_keys(tmp_path: Any, lang: str) -> None:
    src = tmp_path / "small.toml"
    text = valued_contract_text(
        avoided_cost("se_sis_avgift_behandling_oppen_2020h2", 10, 1),
        avoided_cost("se_aktivitetsersattning_hel_ar_low_derived", 0.5, 1),
        price_year=2020,
    )
    src.write_text(text, encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["value", str(src), "--lang", lang])
    assert res.exit_code == 0, res.output
    heading = "Vem betalar, vem sparar" if lang == "sv" else "Who pays, who saves"
    assert heading in res.output and "Försäkringskassan" in res.output  # by name, not by id
    assert "forsakringskassan" not in res.output
    data = json.loads(runner.invoke(main, ["value", str(src), "--json", "--lang", lang]).output)
    assert {
        "actors",
        "commissioner_share",
        "payer_share_proposal",
        "max_price_per_outcome",
    } <= data.keys()
    for block in ("savings", "costs", "net"):
        assert {"by_year", "total", "by_year_discounted", "total_discounted"} <= data["actors"][
            "kommun"
        ][block].keys()


def test_value_names_each_metric_by_its_name_not_its_id() -> None:
    hemma = Path(__file__).parents[2] / "examples" / "hemmasittare.toml"
    res = CliRunner().invoke(main, ["value", str(hemma), "--lang", "sv"])
    assert res.exit_code == 0, res.output
    assert "Högsta motiverade pris per utfall för ”Tillbaka i skolan”" in res.output
    assert "back_in_school" not in res.output


def test_payments_are_deflated_to_the_price_year_like_the_savings() -> None:
    # the same contract valued in 2027 prices: the 2027 payment is already in them
    data = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 1), price_year=2027))
    assert by_year(data, "kommun", "costs") == pytest.approx([20_000, 0, 0], abs=0.01)
    assert data["index_extrapolated"] is True
    # and in 2020 prices, 2027 kronor are worth KPI 2020 / KPI 2027 of theirs
    earlier = value_json(contract(avoided_cost("se_grundskola_elev_ar", 1, 1), price_year=2020))
    assert by_year(earlier, "kommun", "costs")[0] == pytest.approx(
        20_000 * KPI_2020 / KPI_2027, abs=0.01
    )
