"""The values a contract's inputs can take: one rule for the engine's clipping and for
`effekt check`, which warns when a distribution reaches outside them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from small_contracts import PARTIES, contract_text

from effekt.contract.domain import AMOUNT_RANGE, NON_NEGATIVE, PERSONS_RANGE, SHARE, domain
from effekt.contract.load import check_document, load_contract, parse_text
from effekt.contract.problems import Problem
from effekt.contract.quantity import (
    Beta,
    Distribution,
    Empirical,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
    probability_outside,
)
from effekt.engine.inputs import input_domain, quantity_fields
from effekt.engine.sampling import sample_inputs, sampling_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CONTRACTS = ["hemmasittare", "peterborough", "norrkoping"]
OUTSIDE = "contract.distribution_outside_domain"
MEAN_OUTSIDE = "contract.distribution_mean_outside_domain"

CONTRACT = contract_text(
    "liten",
    PARTIES,
    """\
[[cohorts]]
id = "k1"
start_period = 1
size = {size}
engagement = {engagement}

[costs]
setup = {setup}

[[metrics]]
id = "i_skolan"
definition = "Attends school."
kind = "{kind}"
expected = {expected}

[[rules]]
id = "pris"
kind = "rate_card"
metric = "i_skolan"
price = {price}
""",
)
DEFAULTS = {
    "size": "20",
    "engagement": "0.8",
    "setup": "0",
    "kind": "binary",
    "expected": "0.5",
    "price": "1000",
}


def check(extra: str = "", **fields: str) -> list[Problem]:
    text = CONTRACT.format(**(DEFAULTS | fields)) + extra
    return check_document(parse_text(text, "toml"))[1]


def domain_problems(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.code in (OUTSIDE, MEAN_OUTSIDE)]


# -- the rule ----------------------------------------------------------------------------


def test_shares_lie_in_zero_to_one_amounts_up_to_a_thousand_billion_the_rest_not_negative() -> None:
    assert domain("cohorts", "engagement") == SHARE
    assert domain("metrics", "expected") == domain("metrics", "baseline") == SHARE
    assert domain("metrics", "expected", "count") == NON_NEGATIVE
    assert domain("metrics", "lag_periods") == NON_NEGATIVE
    assert domain("cohorts", "size") == PERSONS_RANGE == (0.0, 1e9)
    for section, name in [("costs", "setup"), ("rules", "price"), ("rules", "saving_per_outcome")]:
        assert domain(section, name) == AMOUNT_RANGE == (0.0, 1e15)


@pytest.mark.parametrize("name", CONTRACTS)
def test_the_engine_keeps_shares_in_zero_to_one_amounts_to_the_bound_and_the_rest_not_negative(
    name: str,
) -> None:
    c = load_contract(EXAMPLES / f"{name}.toml")
    kinds = {f"metrics[{j}]": m.kind for j, m in enumerate(c.metrics)}
    for path, _ in quantity_fields(c):
        owner, field = path.rsplit(".", 1)
        share = field == "engagement" or (
            field in ("expected", "baseline") and kinds[owner] == "binary"
        )
        amount = field in (
            "setup",
            "fixed_per_period",
            "per_participant",
            "price",
            "saving_per_outcome",
        )
        persons = path.startswith("cohorts[") and field == "size"
        expected = PERSONS_RANGE if persons else NON_NEGATIVE
        assert input_domain(c, path) == (
            SHARE if share else AMOUNT_RANGE if amount else expected
        ), path


# -- the mass outside --------------------------------------------------------------------

LOG_S = math.sqrt(math.log1p(0.4**2 / 0.5**2))  # the lognormal's σ; its median is 0.5/√(1 + cv²)
LOG_SCALE = 0.5 / math.sqrt(1 + 0.4**2 / 0.5**2)
CASES: list[tuple[Distribution, float, float, float]] = [
    (
        Normal(dist="normal", mean=0.8, sd=0.15),
        0.0,
        1.0,
        stats.norm.cdf(0, 0.8, 0.15) + stats.norm.sf(1, 0.8, 0.15),
    ),
    (
        Normal(dist="normal", mean=0.5, sd=0.6),
        0.0,
        1.0,
        stats.norm.cdf(0, 0.5, 0.6) + stats.norm.sf(1, 0.5, 0.6),
    ),
    (Normal(dist="normal", mean=0.8, sd=0.3, low=0.1, high=1.0), 0.0, 1.0, 0.0),
    (
        Normal(dist="normal", mean=0.8, sd=0.3, low=0.0, high=1.2),
        0.0,
        1.0,
        stats.norm.sf(1, 0.8, 0.3),
    ),
    (
        Lognormal(dist="lognormal", mean=0.5, sd=0.4),
        0.0,
        1.0,
        stats.lognorm.sf(1, LOG_S, scale=LOG_SCALE),
    ),
    (Lognormal(dist="lognormal", mean=5.0, sd=4.0), 0.0, math.inf, 0.0),
    (Uniform(dist="uniform", low=-500, high=2000), 0.0, math.inf, 0.2),
    (Uniform(dist="uniform", low=0.0, high=1.0), 0.0, 1.0, 0.0),
    (
        Triangular(dist="triangular", low=-1, mode=2, high=5),
        0.0,
        math.inf,
        stats.triang.cdf(0, 0.5, -1, 6),
    ),
    (
        Triangular(dist="triangular", low=0.2, mode=0.9, high=1.4),
        0.0,
        1.0,
        stats.triang.sf(1, 0.7 / 1.2, 0.2, 1.2),
    ),
    (Empirical(dist="empirical", values=[0.4, 0.5, 1.0, 1.1]), 0.0, 1.0, 0.25),
    (Beta(dist="beta", mean=0.5, sd=0.2), 0.0, 1.0, 0.0),
    (Beta(dist="beta", mean=0.5, sd=0.2), 0.0, 0.7, stats.beta.sf(0.7, 2.625, 2.625)),
]


@pytest.mark.parametrize(("q", "low", "high", "mass"), CASES, ids=[c[0].dist for c in CASES])
def test_probability_outside_an_interval_matches_scipy(
    q: Distribution, low: float, high: float, mass: float
) -> None:
    assert probability_outside(q, low, high) == pytest.approx(mass, rel=1e-9, abs=1e-12)


def test_a_distribution_with_no_spread_is_outside_entirely_or_not_at_all() -> None:
    assert probability_outside(Normal(dist="normal", mean=1.2, sd=0), 0, 1) == 1.0
    assert probability_outside(Uniform(dist="uniform", low=0.3, high=0.3), 0, 1) == 0.0
    assert probability_outside(Normal(dist="normal", mean=2, sd=1, low=-1, high=-1), 0, 1) == 1.0
    assert probability_outside(-3.0, 0, math.inf) == 1.0


def test_the_mass_outside_is_the_share_of_draws_the_simulation_clips() -> None:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    data = c.model_dump(mode="json")
    engagement = {"dist": "normal", "mean": 0.8, "sd": 0.15}
    price = {"dist": "triangular", "low": -20_000, "mode": 60_000, "high": 80_000}
    data["cohorts"][0]["engagement"] = engagement
    data["rules"][0]["price"] = price
    c = type(c).model_validate(data)
    draws = sample_inputs(sampling_plan(c), np.random.default_rng(3), 200_000)
    clipped_engagement = (draws["cohorts[0].engagement"] == 1.0).mean()
    clipped_price = (draws["rules[0].price"] == 0.0).mean()
    assert clipped_engagement == pytest.approx(
        probability_outside(Normal(**engagement), *SHARE), abs=0.003
    )
    assert clipped_price == pytest.approx(
        probability_outside(Triangular(**price), *NON_NEGATIVE), abs=0.003
    )


# -- effekt check ------------------------------------------------------------------------


def test_a_normal_on_engagement_reaching_past_one_is_warned_about_at_its_path() -> None:
    problems = check(engagement='{ dist = "normal", mean = 0.8, sd = 0.15 }')
    (p,) = domain_problems(problems)
    assert (p.code, p.severity, p.path) == (OUTSIDE, "warning", "cohorts[0].engagement")
    assert p.line == CONTRACT.splitlines().index("engagement = {engagement}") + 1
    en, sv = p.message("en"), p.message("sv")
    assert "normal (mean = 0.8, sd = 0.15)" in en and "[0, 1]" in en
    assert "9.1\u00a0%" in en and "9,1\u00a0%" in sv  # P(X > 1) = 0.0912
    assert "clips" in en and "mean" in en
    assert "kapar" in sv and "medelvärde" in sv
    assert not any(p.severity == "error" for p in problems)


def test_a_distribution_reaching_outside_leaves_the_contract_valid() -> None:
    text = CONTRACT.format(**DEFAULTS | {"price": '{ dist = "normal", mean = 900, sd = 600 }'})
    contract, problems = check_document(parse_text(text, "toml"))
    assert contract is not None
    assert [(p.code, p.severity) for p in problems] == [(OUTSIDE, "warning")]


def test_a_beta_on_a_share_is_not_warned_about() -> None:
    problems = check(
        engagement='{ dist = "beta", mean = 0.9, sd = 0.09 }',
        expected='{ dist = "beta", mean = 0.5, sd = 0.2 }',
    )
    assert domain_problems(problems) == []


def test_a_uniform_price_reaching_below_zero_is_warned_about() -> None:
    (p,) = domain_problems(check(price='{ dist = "uniform", low = -500, high = 2000 }'))
    assert (p.code, p.severity, p.path) == (OUTSIDE, "warning", "rules[0].price")
    assert "[0, 1,000,000,000,000,000]" in p.message("en") and "20\u00a0%" in p.message("en")
    assert "[0, 1\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000]" in p.message("sv")
    assert "e+" not in p.message("en") + p.message("sv")


def test_a_domain_is_written_as_the_messages_language_writes_numbers() -> None:
    (p,) = domain_problems(check(size='{ dist = "normal", mean = 999_999_990, sd = 10 }'))
    assert "[0, 1,000,000,000]" in p.message("en")
    assert "[0, 1\u00a0000\u00a0000\u00a0000]" in p.message("sv")
    (p,) = domain_problems(check(price='{ dist = "normal", mean = 900, sd = 600 }'))
    assert "[0, 1,000,000,000,000,000]" in p.message("en")


def test_a_tail_outside_the_domain_below_one_in_a_thousand_is_not_warned_about() -> None:
    # P(X > 1) = 1 − Φ(3.33) ≈ 0.04 %
    assert domain_problems(check(engagement='{ dist = "normal", mean = 0.8, sd = 0.06 }')) == []


def test_a_lognormal_is_fine_for_an_amount_but_not_for_a_share_it_can_exceed() -> None:
    lognormal = '{ dist = "lognormal", mean = 0.6, sd = 0.3 }'
    assert domain_problems(check(price=lognormal, setup=lognormal)) == []
    (p,) = domain_problems(check(engagement=lognormal))
    assert (p.code, p.path) == (OUTSIDE, "cohorts[0].engagement")


def test_a_count_metrics_rate_may_exceed_one_but_a_binary_metrics_may_not() -> None:
    rate = '{ dist = "normal", mean = 1.5, sd = 0.3 }'
    assert domain_problems(check(kind="count", expected=rate)) == []
    (p,) = domain_problems(check(kind="binary", expected=rate))
    assert (p.code, p.path) == (MEAN_OUTSIDE, "metrics[0].expected")


def test_a_distribution_whose_mean_is_outside_the_domain_is_an_error() -> None:
    problems = check(setup='{ dist = "triangular", low = -900, mode = -300, high = 300 }')
    (p,) = domain_problems(problems)  # the mean's error, not also the mass's warning
    assert (p.code, p.severity, p.path) == (MEAN_OUTSIDE, "error", "costs.setup")
    sv = "[0, 1\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000]"
    assert "-300" in p.message("en") and sv in p.message("sv")


def test_a_normal_bounded_inside_the_domain_is_not_warned_about() -> None:
    bounded = '{ dist = "normal", mean = 0.95, sd = 0.2, low = 0, high = 1 }'
    assert domain_problems(check(engagement=bounded)) == []


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ("lag_periods = { dist = 'uniform', low = -1, high = 2 }", "metrics[0].lag_periods"),
        ("baseline = { dist = 'empirical', values = [0.2, 0.4, 1.3] }", "metrics[0].baseline"),
    ],
)
def test_every_input_the_engine_reads_is_checked(extra: str, path: str) -> None:
    problems = check(expected=f"0.5\n{extra}")
    assert [(p.code, p.path) for p in domain_problems(problems)] == [(OUTSIDE, path)]


def test_a_tiers_price_and_a_cohorts_delay_are_checked() -> None:
    tiers = """
[[rules]]
id = "steg"
kind = "tiers"
metric = "i_skolan"
measure = "level"

[[rules.tiers]]
from_effect = 0.5
price = { dist = "normal", mean = 100, sd = 80 }
"""
    problems = check(tiers, size="20\nstart_delay = { dist = 'empirical', values = [-1, 0, 1, 2] }")
    assert {(p.code, p.path) for p in domain_problems(problems)} == {
        (OUTSIDE, "rules[1].tiers[0].price"),
        (OUTSIDE, "cohorts[0].start_delay"),
    }


def test_a_distribution_set_by_a_scenario_is_checked_at_the_scenarios_path() -> None:
    scenario = """
[scenarios.optimistic]
"cohorts[k1].engagement" = { dist = "normal", mean = 0.9, sd = 0.1 }
"""
    (p,) = domain_problems(check(scenario))
    assert (p.code, p.path) == (OUTSIDE, "scenarios.optimistic.cohorts[k1].engagement")
    assert p.line == CONTRACT.count("\n") + 3


@pytest.mark.parametrize("name", CONTRACTS)
def test_the_examples_raise_no_domain_problem(name: str) -> None:
    doc = parse_text((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8"), "toml")
    assert domain_problems(check_document(doc)[1]) == []
