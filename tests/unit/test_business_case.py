"""The business case (``effekt model``): what the deal still owes at the end of the term."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_contracts import INTERMEDIARY, paid_late

from effekt.contract.load import load_contract
from effekt.services.business_case import business_case_json
from effekt.services.tables import business_case_text

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_the_business_case_says_what_each_party_is_still_owed_at_the_end() -> None:
    case = business_case_json(paid_late(INTERMEDIARY))
    unpaid = {pid: p["unpaid_at_end"] for pid, p in case["parties"].items()}
    assert unpaid == {
        "kommun": 0.0,
        "utforare": 3_000.0,
        "mellan": 0.0,
        "deal": 0.0,
        "outside": 0.0,
    }
    assert case["totals"]["unpaid_at_end"] == 3_000.0


def test_a_deal_fee_still_owed_at_the_end_is_said_for_its_party() -> None:
    case = business_case_json(
        paid_late(INTERMEDIARY, "[financing]\nrecycle_outcome_payments = false\n")
    )
    assert case["parties"]["utforare"]["unpaid_at_end"] == pytest.approx(30_000 / 13, abs=0.01)
    assert case["parties"]["mellan"]["unpaid_at_end"] == pytest.approx(9_000 / 13, abs=0.01)
    assert case["totals"]["unpaid_at_end"] == pytest.approx(3_000, abs=0.01)


def test_the_text_says_what_is_unpaid_at_the_end_in_both_languages() -> None:
    c = paid_late(INTERMEDIARY)
    case = business_case_json(c)
    en = business_case_text(c, case, "en")
    # Swedish money groups thousands with a no-break space
    sv = business_case_text(c, case, "sv").replace("\u00a0", " ").replace("\u202f", " ")
    assert "unpaid at the end of the term (the deal had no cash left): utforare SEK 3,000" in en
    assert "obetald vid löptidens slut (affären hade inga pengar kvar): utforare 3 000 kr" in sv
    assert "mellan" not in en.split("unpaid at the end")[1].splitlines()[0]


def test_the_text_says_nothing_of_unpaid_fees_when_all_is_paid() -> None:
    c = paid_late()
    case = business_case_json(c)
    assert case["totals"]["unpaid_at_end"] == 0.0
    assert "unpaid at the end" not in business_case_text(c, case, "en")


@pytest.mark.parametrize("name", ["hemmasittare", "peterborough", "norrkoping"])
def test_the_examples_owe_nothing_at_the_end(name: str) -> None:
    c = load_contract(EXAMPLES / f"{name}.toml")
    case = business_case_json(c)
    assert case["totals"]["unpaid_at_end"] == 0.0
    assert all(p["unpaid_at_end"] == 0.0 for p in case["parties"].values())
    assert "unpaid at the end" not in business_case_text(c, case, "en")
