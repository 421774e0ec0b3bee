"""The years of ``effekt value``: contract years, labelled by the span they cover.

A contract year starts on the contract's start date and its anniversaries; a flow belongs to
the year that holds its period's last day (as ``effekt model`` books it), and is deflated
with the index of the calendar year of that day. Peterborough starts on 9 September 2010,
so its years are "2010/11" (9 September 2010 – 8 September 2011) and so on; its £4.16m
outcome payment falls at the end of the period ending 8 September 2016, in "2015/16", and is
money of 2016. A contract starting in January has calendar years, labelled as before.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner
from small_contracts import EXAMPLES

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.data.reference import price_indices
from effekt.engine.valuation.indices import index_value
from effekt.services.business_case import business_case
from effekt.services.value import value_json, year_labels

PETERBOROUGH = EXAMPLES / "peterborough.toml"


def _value(example: str, *args: str) -> str:
    res = CliRunner().invoke(main, ["value", str(EXAMPLES / f"{example}.toml"), *args])
    assert res.exit_code == 0, res.output
    return res.output


def test_a_year_starting_in_september_is_labelled_as_the_span_it_covers() -> None:
    c = load_contract(PETERBOROUGH)
    assert year_labels(c, 3) == ["2010/11", "2011/12", "2012/13"]
    data = value_json(c)
    assert data["years"] == list(range(2010, 2018))  # the calendar year each year starts in
    assert data["year_labels"] == [f"{y}/{(y + 1) % 100:02d}" for y in range(2010, 2018)]


def test_peterboroughs_big_payment_is_in_the_year_that_holds_its_date() -> None:
    c = load_contract(PETERBOROUGH)
    data = value_json(c)
    by_year = data["actors"]["criminal_justice"]["costs"]["by_year"]
    y = int(np.argmax(by_year))
    label = data["year_labels"][y]
    # the period whose end pays the £4.16m: the last day of that period, as model books it
    cf = business_case(c)
    t = int(np.argmin(cf.flows[0, cf.accounts.index("moj")]))
    paid = c.period_ends()[t]
    assert paid == dt.date(2016, 9, 8)
    year_start = dt.date(c.start.year + y, c.start.month, c.start.day)
    next_start = dt.date(c.start.year + y + 1, c.start.month, c.start.day)
    assert year_start <= paid < next_start
    assert label == "2015/16"
    first, last = label.split("/")
    assert int(first) <= paid.year <= int(first[:2] + last)  # the label spans the payment


def test_each_flow_is_deflated_with_the_index_of_the_calendar_year_it_is_paid_in() -> None:
    c = load_contract(PETERBOROUGH)
    data = value_json(c)
    cf = business_case(c)
    series = price_indices()[data["price_index"]["series"]]
    flows = cf.flows[0, cf.accounts.index("moj")]
    ends = c.period_ends()
    base = float(index_value(series, 2016.0)[0])
    expected = [0.0] * len(data["years"])
    for t, f in enumerate(flows):
        paid_at = float(index_value(series, float(ends[t].year))[0])
        expected[t // 4] -= float(f) * base / paid_at
    # in 2016 prices the payment of 2016 is what was paid: £4.16m, not £4.16m × a deflator
    assert data["actors"]["criminal_justice"]["costs"]["by_year"] == pytest.approx(
        expected, abs=0.01
    )
    # (deflated with 2015's index, as the year was once read, it was £4,285,509)
    assert data["actors"]["criminal_justice"]["costs"]["by_year"][5] < 4_250_000


def test_savings_and_costs_share_the_years() -> None:
    data = value_json(load_contract(PETERBOROUGH))
    for block in ("savings", "costs", "net"):
        assert len(data["actors"]["criminal_justice"][block]["by_year"]) == len(data["year_labels"])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_text_heads_peterboroughs_columns_with_the_spans(lang: str) -> None:
    out = _value("peterborough", "--lang", lang)
    head = next(line for line in out.splitlines() if line.strip().startswith("2010/11"))
    assert head.split()[:8] == [f"{y}/{(y + 1) % 100:02d}" for y in range(2010, 2018)]


def test_feasibility_heads_its_wrong_pocket_matrix_with_the_spans() -> None:
    res = CliRunner().invoke(main, ["feasibility", str(PETERBOROUGH)])
    assert res.exit_code == 0, res.output
    assert "2015/16" in res.output
    data = json.loads(CliRunner().invoke(main, ["feasibility", str(PETERBOROUGH), "--json"]).output)
    assert data["value"]["year_labels"][0] == "2010/11"


@pytest.mark.parametrize(("example", "first"), [("hemmasittare", 2027), ("norrkoping", 2016)])
def test_a_contract_starting_on_1_january_keeps_its_calendar_years(
    example: str, first: int
) -> None:
    c = load_contract(EXAMPLES / f"{example}.toml")
    assert c.start == dt.date(first, 1, 1)
    data = value_json(c)
    n = len(data["years"])
    assert data["years"] == list(range(first, first + n))
    assert data["year_labels"] == [str(y) for y in data["years"]]
    head = next(
        line for line in _value(example).splitlines() if line.strip().startswith(str(first))
    )
    assert head.split()[:n] == [str(y) for y in data["years"]]


@pytest.mark.parametrize("example", ["hemmasittare", "norrkoping"])
def test_a_january_contracts_periods_are_deflated_with_their_contract_years_index(
    example: str,
) -> None:
    # every period of contract year y ends in calendar year start + y: one index per year,
    # as before the periods were deflated one by one
    c = load_contract(EXAMPLES / f"{example}.toml")
    ends = c.period_ends()
    assert [d.year for d in ends] == [
        c.start.year + t // c.periods_per_year for t in range(len(ends))
    ]
