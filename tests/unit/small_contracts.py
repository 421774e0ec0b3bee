"""Small contracts for the tests, written as TOML text.

Each is a Swedish kommun's contract in SEK, in yearly periods from 1 January 2027 over a
three-year term: the head that ``contract_text`` writes. The tables after the head are the
test's own, or these:

- ``MINIMAL``, the smallest valid contract: the kommun ("kommun") pays the provider
  ("utforare") 1,000 SEK for each pupil of one cohort of 20 ("k1") who attends school;
- ``paid_late``: the provider spends 500 on each of 20 pupils in year 1 and the kommun pays
  1,000 for each of the 10 in school in year 3, so the provider's fee (10,000) falls due
  two years before any payment; ``INTERMEDIARY`` adds an intermediary paid 1,000 a year
  by the deal;
- ``valued_contract_text``, a contract to value (`effekt value`, the förstudie): the kommun
  ("k") pays the provider ("p") for each outcome above the baseline of one metric ("m"),
  and each outcome avoids the public costs of its ``avoided_cost`` rows.

``checked`` parses and checks a text and returns the contract; ``example_with`` writes a
bundled example with one term changed.
"""

from __future__ import annotations

from pathlib import Path

from effekt.contract.load import check_document, parse_text
from effekt.contract.model import Contract

__all__ = [
    "INTERMEDIARY",
    "MINIMAL",
    "PARTIES",
    "avoided_cost",
    "checked",
    "cohort",
    "contract_text",
    "example_with",
    "paid_late",
    "valued_contract_text",
]


def contract_text(id: str, *tables: str) -> str:
    """The head with the contract's ``id``, then ``tables`` in order, a blank line between."""
    head = f"""\
format_version = 1
id = "{id}"
currency = "SEK"
start = 2027-01-01
period = "year"
term_periods = 3
"""
    return "\n".join([head, *tables])


def checked(text: str) -> Contract:
    """The contract in ``text``; the test fails with the problems' codes if it is not valid."""
    contract, problems = check_document(parse_text(text, "toml"))
    assert contract is not None, [p.code for p in problems]
    return contract


PARTIES = """\
[[parties]]
id = "kommun"
role = "commissioner"

[[parties]]
id = "utforare"
role = "provider"
"""


def cohort(size: int = 20) -> str:
    """The one cohort, "k1": ``size`` pupils referred in the first year."""
    return f"""\
[[cohorts]]
id = "k1"
start_period = 1
size = {size}
"""


MINIMAL = contract_text(
    "minimal",
    PARTIES,
    cohort(20),
    """\
[[metrics]]
id = "i_skolan"
definition = "Attends school."
expected = 0.5
""",
    """\
[[rules]]
id = "pris"
kind = "rate_card"
metric = "i_skolan"
price = 1000
""",
)


def paid_late(*tables: str) -> Contract:
    """The kommun pays 1,000 a pupil in school (10 of 20) in year 3 — measured a year after,
    paid a year after that — for the 500 the provider spends on each pupil in year 1: the
    provider's fee falls due two years before any payment. ``tables`` follow."""
    return checked(
        contract_text(
            "paid-late",
            PARTIES,
            cohort(20),
            "[costs]\nper_participant = 500\ndelivery_periods = 1\n",
            '[[metrics]]\nid = "i_skolan"\ndefinition = "Attends school."\n'
            "expected = 0.5\nlag_periods = 1\n",
            '[[rules]]\nid = "pris"\nkind = "rate_card"\nmetric = "i_skolan"\nprice = 1000\n',
            *tables,
        )
    )


#: An intermediary paid 1,000 a year by the deal (for ``paid_late``).
INTERMEDIARY = (
    '[[parties]]\nid = "mellan"\nrole = "intermediary"\n\n'
    '[[fees]]\nparty = "mellan"\nkind = "management"\nper_period = 1000\npaid_by = "deal"\n'
)


def avoided_cost(unit_cost: str, quantity: float, years: int, start_year: int | None = None) -> str:
    """A row of the metric's avoided costs: each outcome avoids ``quantity`` of the unit cost
    ``unit_cost`` a year for ``years`` years, from ``start_year`` years after it (default 0)."""
    row = f"""\
[[metrics.avoided_costs]]
unit_cost = "{unit_cost}"
quantity = {quantity}
years = {years}
"""
    return row if start_year is None else row + f"start_year = {start_year}\n"


def valued_contract_text(
    *avoided_costs: str,
    size: int = 100,
    definition: str = "in school",
    data_source: str = "school register",
    counterfactual: str = "matched_comparison",
    baseline: float = 0.3,
    adjustments: str = "",
    price: float = 1_000,
    per_participant: float | None = None,
    opening_balance: float | None = None,
    kommun_rate: float | None = None,
    payment_lag: int = 0,
    price_year: int = 2018,
    horizon: int = 3,
    rate: float = 0.0,
) -> str:
    """A contract to value: ``size`` referred in the first year, 50 % reaching the outcome
    against ``baseline``, the kommun paying ``price`` for each outcome above the baseline.

    ``avoided_costs`` and ``adjustments`` (a ``[metrics.adjustments]`` table) follow the
    metric; ``rate`` discounts the valuation, ``kommun_rate`` is the kommun's own rate (a
    party's rate wins over the valuation's). Amounts are written with digit grouping.
    """
    kommun = "" if kommun_rate is None else f"discount_rate = {kommun_rate}"
    provider = "" if opening_balance is None else f"opening_balance = {opening_balance:_}"
    costs = "" if per_participant is None else f"[costs]\nper_participant = {per_participant:_}"
    rows = "".join(avoided_costs)
    return contract_text(
        "small",
        f"""\
[[parties]]
id = "k"
role = "commissioner"
actor = "kommun"
{kommun}
[[parties]]
id = "p"
role = "provider"
{provider}
[[cohorts]]
id = "c"
start_period = 1
size = {size}
{costs}
[[metrics]]
id = "m"
definition = "{definition}"
data_source = "{data_source}"
counterfactual = "{counterfactual}"
expected = 0.5
baseline = {baseline}
{adjustments}{rows}
[[rules]]
kind = "rate_card"
metric = "m"
price = {price:_}
above_baseline = true
[payment]
payment_lag_periods = {payment_lag}
[financing]
excess_sharing = {{ payers = 0.0, provider = 1.0 }}  # no investors: the provider keeps the payment
[valuation]
price_year = {price_year}
horizon_years = {horizon}
discounting = {{ kind = "constant", rate = {rate} }}
""",
    )


EXAMPLES = Path(__file__).parents[2] / "examples"


def example_with(folder: Path, old: str, new: str, example: str = "hemmasittare") -> Path:
    """``examples/<example>.toml`` with the first ``old`` (which must be there) replaced by
    ``new``, written to ``folder``; its path."""
    text = (EXAMPLES / f"{example}.toml").read_text(encoding="utf-8")
    assert old in text
    path = folder / f"{example}_changed.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path
