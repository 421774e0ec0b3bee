"""The cash-flow engine: money is conserved, caps bind, outcomes never exceed the cohort."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from small_contracts import INTERMEDIARY, paid_late

from effekt.contract.load import check_document, load_contract, parse_text
from effekt.engine.cashflow import cash_flows, path_flows
from effekt.engine.inputs import expected_inputs, quantity_fields
from effekt.engine.payments import capped

EXAMPLES = Path(__file__).parents[2] / "examples"


def _contract(name: str):
    return load_contract(EXAMPLES / f"{name}.toml")


@pytest.mark.parametrize("name", ["hemmasittare", "peterborough", "norrkoping"])
def test_accounts_balance_in_every_period_for_the_examples(name: str) -> None:
    c = _contract(name)
    cf = cash_flows(c, expected_inputs(c))
    assert np.abs(cf.flows.sum(axis=1)).max() < 1e-6
    assert abs(cf.flow("deal").sum()) < 1e-6  # the deal ends with no cash


def _random_inputs(c, rng: np.random.Generator, paths: int):
    inp = expected_inputs(c, paths)
    for name in inp:
        inp[name] = inp[name] * rng.uniform(0.0, 2.0, paths)
    return inp


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    name=st.sampled_from(["hemmasittare", "peterborough", "norrkoping"]),
    cap=st.floats(0, 20_000_000),
    price=st.floats(0, 1_000_000),
    upfront=st.booleans(),
    at_end=st.booleans(),
)
def test_money_is_conserved_and_caps_bind_for_generated_contracts(
    seed, name, cap, price, upfront, at_end
) -> None:
    c = _contract(name)
    data = c.model_dump(mode="json")
    data["payment"]["cap"] = cap
    data["financing"]["drawdown"] = "upfront" if upfront else "as_needed"
    data["financing"]["distribution"] = "at_end" if at_end else "when_received"
    for rule in data["rules"]:
        if "price" in rule:
            rule["price"] = price
    c2 = type(c).model_validate(data)
    rng = np.random.default_rng(seed)
    cf = cash_flows(c2, _random_inputs(c2, rng, 50), rng)
    assert np.abs(cf.flows.sum(axis=1)).max() < 1e-6 * max(1.0, np.abs(cf.flows).max())
    assert (cf.payments.by_rule.sum(axis=(1, 2)) <= cap + 1e-6).all()
    binary = [m.id for m in c2.metrics if m.kind == "binary"]
    for mid in binary:
        o = cf.outcomes[mid]
        assert (o.treated <= o.measured + 1e-9).all()


def test_cumulative_cap_pays_until_the_cap_and_nothing_after() -> None:
    out = capped(np.array([[40.0, 40.0, 40.0]]), 100.0)
    assert out.tolist() == [[40.0, 40.0, 20.0]]


def test_deterministic_case_is_the_engine_on_one_path_at_expected_values() -> None:
    c = _contract("hemmasittare")
    one = cash_flows(c, expected_inputs(c, 1))
    many = cash_flows(c, expected_inputs(c, 5))
    assert np.allclose(many.flows, one.flows)
    assert {name for name, _ in quantity_fields(c)} == set(expected_inputs(c))


def test_peterborough_cohort_effect_below_ten_percent_pays_no_early_payment() -> None:
    c = _contract("peterborough")
    cf = cash_flows(c, expected_inputs(c))
    early = [d for d in cf.payments.decisions if d.rule == "early"]
    final = [d for d in cf.payments.decisions if d.rule == "final"]
    assert early and not any(d.triggered[0] for d in early)
    assert round(float(early[0].effect[0]), 3) == round(1 - 1.42 / 1.55, 3)  # 8.4 %
    assert final and final[0].triggered[0]
    rules = [c.rule_id(k) for k in range(len(c.rules))]
    paid = cf.payments.by_rule[0].sum(axis=1)
    assert paid[rules.index("early")] == 0
    # final = price × events avoided over both cohorts: 20,000 × 2,000 × (1.55 − 1.42)
    assert paid[rules.index("final")] == pytest.approx(20_000 * 2000 * 0.13)


def test_a_gate_that_is_not_met_blocks_the_rule_it_guards() -> None:
    c = _contract("norrkoping")
    data = c.model_dump(mode="json")
    data["metrics"][1]["expected"] = 0.2  # school results below the 50 % gate
    c2 = type(c).model_validate(data)
    cf = cash_flows(c2, expected_inputs(c2))
    rules = [c2.rule_id(k) for k in range(len(c2.rules))]
    assert cf.payments.by_rule[0, rules.index("bonus")].sum() == 0
    cf_open = cash_flows(c, expected_inputs(c))
    assert cf_open.payments.by_rule[0, rules.index("bonus")].sum() == pytest.approx(2_000_000)


def test_tier_boundary_hit_exactly_pays_that_tier() -> None:
    text = (EXAMPLES / "peterborough.toml").read_text(encoding="utf-8")
    text = text.replace(
        'kind = "threshold"\nmetric = "reconviction_events"\nmeasure = "relative_reduction"\nscope = "all_cohorts"',
        'kind = "tiers"\nmetric = "reconviction_events"\nmeasure = "relative_reduction"\nscope = "all_cohorts"\ntiers = [{ from_effect = 0.05, amount = 100 }, { from_effect = 0.08387096774193549, amount = 200 }, { from_effect = 0.2, amount = 300 }]',
        1,
    )
    text = text.replace(
        'threshold = 0.075                 # ≥ 7.5 % across the pilot (C, E §1.1.1)\nprice = 20_000                    # ASSUMPTION (as above)\nnet_of = ["early"]                # early payments are deducted from the final one (ASSUMPTION)\n',
        "",
    )
    doc = parse_text(text, "toml")
    c, problems = check_document(doc)
    assert c is not None, [p.code for p in problems]
    cf = cash_flows(c, expected_inputs(c))
    assert cf.payments.by_rule[0, 1].sum() == pytest.approx(200)


def test_tranches_of_the_same_seniority_are_repaid_pro_rata_and_junior_only_after() -> None:
    c = _contract("hemmasittare")
    data = c.model_dump(mode="json")
    data["rules"][0]["price"] = 150_000  # outcomes fall short: capital is lost
    data["financing"]["tranches"][1]["seniority"] = "senior"
    both_senior = type(c).model_validate(data)
    cf = cash_flows(both_senior, expected_inputs(both_senior))
    drawn = cf.deal.drawn[0].sum(axis=1)
    back = cf.deal.capital_back[0].sum(axis=1)
    assert back[0] < drawn[0]  # a loss
    assert back[0] / drawn[0] == pytest.approx(back[1] / drawn[1])
    data["financing"]["tranches"][1]["seniority"] = "junior"
    with_junior = type(c).model_validate(data)
    cf = cash_flows(with_junior, expected_inputs(with_junior))
    back_j = cf.deal.capital_back[0].sum(axis=1)
    drawn_j = cf.deal.drawn[0].sum(axis=1)
    assert back_j[0] / drawn_j[0] > back_j[1] / drawn_j[1]


def test_a_provider_without_investors_is_paid_its_fee_when_the_payments_come() -> None:
    # the fee the deal could not pay when due had been lost, and the payments meant for
    # the provider went back to the kommun as excess: the provider was never paid
    c = paid_late()
    pf = path_flows(c, cash_flows(c, expected_inputs(c)))
    provider, kommun = pf.flow("utforare")[0], pf.flow("kommun")[0]
    assert provider.tolist() == pytest.approx([-10_000, 0, 10_000])
    assert kommun.tolist() == pytest.approx([0, 0, -10_000])


def test_a_fee_unpaid_when_capital_runs_out_is_paid_after_capital_back() -> None:
    c = paid_late(
        '[[parties]]\nid = "fond"\nrole = "investor"\n\n[financing]\n\n'
        '[[financing.tranches]]\nid = "t"\ninvestor = "fond"\ncommitment = 4000\n'
        "return_cap = 0.0\n"
    )
    pf = path_flows(c, cash_flows(c, expected_inputs(c)))
    # 4,000 drawn and paid to the provider in year 1; the other 6,000 of its fee is owed
    # and paid in year 3 from the kommun's 10,000, after the investor's 4,000 come back
    assert pf.flow("fond")[0].tolist() == pytest.approx([-4_000, 0, 4_000])
    assert pf.flow("utforare")[0].tolist() == pytest.approx([-6_000, 0, 6_000])
    assert pf.flow("kommun")[0].tolist() == pytest.approx([0, 0, -10_000])


def test_a_deal_fee_unpaid_when_due_is_paid_when_the_payments_come() -> None:
    # the intermediary's fee the deal could not pay in years 1 and 2 had been lost, and the
    # outcome payments that could pay it went to the provider's owed fee instead
    c = paid_late(INTERMEDIARY)
    pf = path_flows(c, cash_flows(c, expected_inputs(c)))
    # year 3: the fee of all three years (3,000) first, then 7,000 of the provider's 10,000
    assert pf.flow("mellan")[0].tolist() == pytest.approx([0, 0, 3_000])
    assert pf.flow("utforare")[0].tolist() == pytest.approx([-10_000, 0, 7_000])
    assert pf.flow("kommun")[0].tolist() == pytest.approx([0, 0, -10_000])
    assert pf.flow("deal")[0].tolist() == pytest.approx([0, 0, 0])


def test_a_deal_fee_unpaid_when_capital_runs_out_is_paid_before_capital_back() -> None:
    c = paid_late(
        INTERMEDIARY + '\n[[parties]]\nid = "fond"\nrole = "investor"\n\n[financing]\n\n'
        '[[financing.tranches]]\nid = "t"\ninvestor = "fond"\ncommitment = 4000\n'
        "return_cap = 0.0\n"
    )
    pf = path_flows(c, cash_flows(c, expected_inputs(c)))
    # the 4,000 drawn in year 1 all go to the provider; in year 3 the fees carried from
    # years 1 and 2 are paid with year 3's, before capital back and the provider's owed fee
    assert pf.flow("mellan")[0].tolist() == pytest.approx([0, 0, 3_000])
    assert pf.flow("fond")[0].tolist() == pytest.approx([-4_000, 0, 4_000])
    assert pf.flow("utforare")[0].tolist() == pytest.approx([-6_000, 0, 3_000])


def test_a_deal_fee_still_unpaid_in_the_last_period_is_paid_with_the_providers_owed_fee() -> None:
    # outcome payments that may not fund delivery never pay the fees when due; in the last
    # period, after capital back, what is still owed on the fees is paid pro rata with what
    # is owed to the provider (3,000 and 10,000 from the kommun's 10,000)
    c = paid_late(INTERMEDIARY + "\n[financing]\nrecycle_outcome_payments = false\n")
    pf = path_flows(c, cash_flows(c, expected_inputs(c)))
    assert pf.flow("mellan")[0].tolist() == pytest.approx([0, 0, 30_000 / 13])
    assert pf.flow("utforare")[0].tolist() == pytest.approx([-10_000, 0, 100_000 / 13])
    assert pf.flow("kommun")[0].tolist() == pytest.approx([0, 0, -10_000])
    assert pf.flow("deal")[0].tolist() == pytest.approx([0, 0, 0])


def test_what_the_deal_still_owes_at_the_end_of_the_term_is_kept() -> None:
    # the provider's fee was 10,000; the kommun's 10,000 paid the intermediary's 3,000 first,
    # so 3,000 of the provider's fee is still owed when the term ends and the deal is empty
    c = paid_late(INTERMEDIARY)
    deal = cash_flows(c, expected_inputs(c)).deal
    assert deal.provider_unpaid.tolist() == pytest.approx([3_000])
    assert deal.deal_fees_unpaid[0].tolist() == pytest.approx([0])


def test_what_is_still_owed_is_shared_pro_rata_between_the_provider_and_the_fees() -> None:
    # 10,000 pays 13,000 owed pro rata: 3,000/13 of the provider's and 9,000/13 of the fee
    # are still owed at the end
    c = paid_late(INTERMEDIARY + "\n[financing]\nrecycle_outcome_payments = false\n")
    deal = cash_flows(c, expected_inputs(c)).deal
    assert deal.provider_unpaid.tolist() == pytest.approx([30_000 / 13])
    assert deal.deal_fees_unpaid[0].tolist() == pytest.approx([9_000 / 13])


@pytest.mark.parametrize("name", ["hemmasittare", "peterborough", "norrkoping"])
def test_nothing_is_owed_at_the_end_in_the_examples(name: str) -> None:
    c = _contract(name)
    deal = cash_flows(c, expected_inputs(c)).deal
    assert deal.provider_unpaid.tolist() == pytest.approx([0])
    assert np.abs(deal.deal_fees_unpaid).max(initial=0.0) < 1e-6
