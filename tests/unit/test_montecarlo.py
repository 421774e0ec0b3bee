"""The Monte Carlo: the deterministic case as a special case, analytic checks, chunking, funds."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats
from small_contracts import contract_text

from effekt.contract.load import load_contract
from effekt.contract.model import Contract
from effekt.contract.quantity import expected
from effekt.engine.montecarlo import (
    Accumulator,
    Fund,
    FundEntry,
    chunk_seeds,
    chunk_sizes,
    combine,
    simulate_chunk,
    simulate_fund_chunk,
)
from effekt.services.business_case import business_case_json

EXAMPLES = Path(__file__).parents[2] / "examples"

# the tables after the head (SEK, yearly from 2027, three years); RATE and PERSON are filled in
SIMPLE = """\
[[parties]]
id = "kommun"
role = "commissioner"

[[parties]]
id = "fond"
role = "investor"

[[parties]]
id = "utforare"
role = "provider"

[[cohorts]]
id = "c1"
start_period = 1
size = 100

[costs]
per_participant = 300

[[metrics]]
id = "m"
definition = "achieved"
kind = "binary"
unit = "person"
direction = "increase"
population = "referred"
lag_periods = 0
counterfactual = "none"
expected = RATE

[[rules]]
kind = "rate_card"
metric = "m"
price = 1000

[payment]
payment_lag_periods = 0

[[financing.tranches]]
investor = "fond"
commitment = 100000

[uncertainty]
person_level = PERSON
"""


def _simple(tmp_path: Path, rate: str, person: bool = False, name: str = "simple") -> Contract:
    tables = SIMPLE.replace("RATE", rate).replace("PERSON", "true" if person else "false")
    f = tmp_path / f"{name}.toml"
    f.write_text(contract_text(name, tables), encoding="utf-8")
    return load_contract(f)


def _run(c: Contract, paths: int, seed: int, chunk: int = 10_000, **kw: Any):
    sizes = chunk_sizes(paths, chunk)
    return combine(
        simulate_chunk(c, n, ss, **kw)
        for n, ss in zip(sizes, chunk_seeds(seed, len(sizes)), strict=True)
    )


def _zero_variance(node: Any) -> Any:
    """Every distribution replaced by one with the same mean and no spread."""
    if isinstance(node, dict) and "dist" in node:
        from pydantic import TypeAdapter

        from effekt.contract.quantity import Distribution

        mean = expected(TypeAdapter(Distribution).validate_python(node))
        kept = {k: node[k] for k in ("dist", "id") if node.get(k) is not None}
        if node["dist"] in ("beta", "normal", "lognormal"):
            return {**kept, "mean": mean, "sd": 0.0}
        if node["dist"] == "triangular":
            return {**kept, "low": mean, "mode": mean, "high": mean}
        if node["dist"] == "uniform":
            return {**kept, "low": mean, "high": mean}
        return {**kept, "values": [mean]}
    if isinstance(node, dict):
        return {k: _zero_variance(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_zero_variance(v) for v in node]
    return node


@pytest.mark.parametrize("name", ["hemmasittare", "peterborough", "norrkoping"])
def test_a_simulation_without_variance_equals_the_deterministic_business_case(name) -> None:
    c = load_contract(EXAMPLES / f"{name}.toml")
    data = _zero_variance(c.model_dump(mode="json"))
    data["uncertainty"]["person_level"] = False
    flat = Contract.model_validate(data)
    case = business_case_json(flat)
    res = _run(flat, 300, seed=4, chunk=128)
    for pid, p in case["parties"].items():
        if p["role"] in ("deal", "outside"):
            continue
        for kind in ("npv", "moic", "total"):
            want = p[kind]
            if want is None:
                assert res.defined(f"party/{pid}/{kind}") == 0.0
                continue
            got = res.stat(f"party/{pid}/{kind}")
            # the business case rounds totals to 2 decimals, NPVs and multiples to 6
            assert got["mean"] == pytest.approx(want, rel=1e-9, abs=0.005)
            assert got["se"] == pytest.approx(0.0, abs=1e-6 * max(1.0, abs(want)))
            if kind != "total":  # quantiles are of single-precision values
                for q in ("p5", "p50", "p95"):
                    assert got[q] == pytest.approx(want, rel=1e-6, abs=1e-6)
        if p["irr"] is not None:
            assert res.stat(f"party/{pid}/irr")["mean"] == pytest.approx(p["irr"], abs=1e-6)


def test_mean_outcome_payment_is_price_times_cohort_times_mean_rate(tmp_path) -> None:
    c = _simple(tmp_path, '{ dist = "beta", mean = 0.4, sd = 0.1, id = "rate" }')
    res = _run(c, 20_000, seed=1)
    got = res.stat("outlay/2027/kommun")
    # outlay = 1000 × 100 × rate: mean 40,000, sd 10,000
    assert got["mean"] == pytest.approx(40_000, abs=4 * got["se"])
    assert got["se"] == pytest.approx(10_000 / math.sqrt(20_000), rel=0.05)
    # quantiles of the beta distribution, with the quantile's MC standard error
    a, b = 0.4 * 23, 0.6 * 23  # k = m(1 − m)/sd² − 1 = 23
    for q in (0.05, 0.5, 0.95):
        x = stats.beta.ppf(q, a, b)
        se = math.sqrt(q * (1 - q) / 20_000) / stats.beta.pdf(x, a, b) * 100_000
        assert res.quantiles("outlay/2027/kommun", [q])[0] == pytest.approx(x * 100_000, abs=4 * se)


def test_person_level_draws_add_binomial_variance_around_the_same_mean(tmp_path) -> None:
    c = _simple(tmp_path, '{ dist = "beta", mean = 0.4, sd = 0.1, id = "rate" }', person=True)
    n, mu, s2, N = 100, 0.4, 0.01, 20_000
    res = _run(c, N, seed=2)
    got = res.stat("outlay/2027/kommun")
    # Var(successes) = n²σ² + n(μ(1 − μ) − σ²)
    sd = 1000 * math.sqrt(n * n * s2 + n * (mu * (1 - mu) - s2))
    assert got["mean"] == pytest.approx(1000 * n * mu, abs=4 * sd / math.sqrt(N))
    assert got["se"] * math.sqrt(N) == pytest.approx(sd, rel=0.04)
    assert res.stat("outlay/2027/kommun")["p50"] % 1000 == 0  # whole persons


def test_uniform_rate_gives_linear_quantiles_and_the_loss_probability(tmp_path) -> None:
    c = _simple(tmp_path, '{ dist = "uniform", low = 0.2, high = 0.6, id = "rate" }')
    N = 20_000
    res = _run(c, N, seed=3)
    for q in (0.05, 0.5, 0.95):
        want = 100_000 * (0.2 + 0.4 * q)
        se = 100_000 * 0.4 * math.sqrt(q * (1 - q) / N)
        assert res.quantiles("outlay/2027/kommun", [q])[0] == pytest.approx(want, abs=4 * se)
    # the commissioner pays and gets nothing back: a loss on every path
    assert res.probability("party/kommun/loss") == 1.0


def test_expected_shortfall_is_the_mean_of_the_worst_five_percent(tmp_path) -> None:
    c = _simple(tmp_path, '{ dist = "uniform", low = 0.2, high = 0.6, id = "rate" }')
    res = _run(c, 10_000, seed=8)
    x = np.sort(res.stored["party/kommun/npv"].astype(np.float64))
    assert res.shortfall("party/kommun/npv") == pytest.approx(x[:500].mean())
    assert res.shortfall("party/kommun/npv") < res.stat("party/kommun/npv")["p5"]


def test_a_value_the_same_on_every_path_has_it_as_every_quantile_and_its_shortfall(
    tmp_path,
) -> None:
    # the stored copy for quantiles is single precision: before, a one-path run showed an
    # NPV mean of -2,124,357 beside p5 … p95 of -2,124,356
    c = _simple(tmp_path, '{ dist = "uniform", low = 0.2, high = 0.6, id = "rate" }')
    one = _run(c, 1, seed=3)
    for name in ("party/kommun/npv", "party/fond/npv", "outlay/2027/kommun"):
        mean = one.stat(name)["mean"]
        assert one.quantiles(name, [0.05, 0.5, 0.95]) == [mean, mean, mean]
        assert one.shortfall(name) == mean
    many = _run(c, 2_000, seed=3)  # with spread: quantiles from the stored values
    p5, p95 = many.quantiles("outlay/2027/kommun", [0.05, 0.95])
    assert p5 is not None and p95 is not None and p5 < p95


def test_results_do_not_depend_on_the_order_chunks_arrive_in(tmp_path) -> None:
    c = _simple(tmp_path, '{ dist = "beta", mean = 0.4, sd = 0.1, id = "rate" }', person=True)
    sizes = chunk_sizes(2_500, 1_000)
    assert sizes == [1_000, 1_000, 500]
    chunks = [simulate_chunk(c, n, ss) for n, ss in zip(sizes, chunk_seeds(6, 3), strict=True)]
    in_order = combine(chunks)
    acc = Accumulator(sizes)
    for i in (2, 0, 1):
        acc.add(i, chunks[i])
    shuffled = acc.result()
    assert shuffled.moments == in_order.moments
    for name, x in in_order.stored.items():
        assert np.array_equal(x, shuffled.stored[name], equal_nan=True)


def test_merged_moments_equal_those_of_all_paths_at_once(tmp_path) -> None:
    c = _simple(tmp_path, '{ dist = "lognormal", mean = 0.4, sd = 0.2, id = "rate" }')
    res = _run(c, 3_000, seed=7, chunk=700)
    x = res.stored["outlay/2027/kommun"]  # single precision; moments are double
    n, mean, m2 = res.moments["outlay/2027/kommun"]
    assert n == 3_000
    assert mean == pytest.approx(x.astype(np.float64).mean(), rel=1e-6)
    assert m2 / (n - 1) == pytest.approx(x.astype(np.float64).var(ddof=1), rel=1e-5)


def test_a_different_seed_gives_different_paths_and_the_same_seed_the_same(tmp_path) -> None:
    c = _simple(tmp_path, '{ dist = "beta", mean = 0.4, sd = 0.1, id = "rate" }')
    a, b, a2 = _run(c, 1_000, 1), _run(c, 1_000, 2), _run(c, 1_000, 1)
    assert not np.array_equal(a.stored["party/kommun/npv"], b.stored["party/kommun/npv"])
    assert np.array_equal(a.stored["party/kommun/npv"], a2.stored["party/kommun/npv"])


def test_a_shared_shock_makes_two_contracts_outcomes_move_together(tmp_path) -> None:
    rate = '{ dist = "beta", mean = 0.4, sd = 0.1, id = "rate" }'
    a, b = _simple(tmp_path, rate, name="a"), _simple(tmp_path, rate, name="b")
    entries = (FundEntry("a", a), FundEntry("b", b))
    ss = np.random.SeedSequence(12)
    with_shock = simulate_fund_chunk(
        Fund("f", entries, {"economy": {"a:rate": 0.9, "b:rate": 0.9}}), 5_000, ss
    )
    without = simulate_fund_chunk(Fund("f", entries, {}), 5_000, ss)

    def corr(ch):
        x = ch.stored["contract/a/outlay/2027/kommun"]
        y = ch.stored["contract/b/outlay/2027/kommun"]
        return stats.spearmanr(x, y)[0]

    # the two contracts' normals correlate by 0.9² = 0.81 (rank: 6/π·asin(0.405) ≈ 0.80)
    assert corr(with_shock) == pytest.approx(6 / math.pi * math.asin(0.81 / 2), abs=0.03)
    assert abs(corr(without)) < 0.05
    # the fund's commissioner pays both contracts
    fund_outlay = with_shock.stored["fund/outlay/2027/kommun"]
    both = (
        with_shock.stored["contract/a/outlay/2027/kommun"]
        + with_shock.stored["contract/b/outlay/2027/kommun"]
    )
    assert np.allclose(fund_outlay, both, rtol=1e-6)


def test_society_npv_uses_the_valuation_when_the_contract_has_avoided_costs() -> None:
    from pathlib import Path

    from effekt.contract.load import load_contract
    from effekt.engine.cashflow import cash_flows
    from effekt.engine.inputs import expected_inputs
    from effekt.engine.montecarlo import society_flows
    from effekt.services.simulate import outcome_values, society_method
    from effekt.services.value import value_json

    c = load_contract(Path(__file__).parents[2] / "examples" / "hemmasittare.toml")
    values = outcome_values(c)
    assert values is not None and society_method(c) == "avoided_costs_less_delivery_costs_and_fees"
    prices = value_json(c)["max_price_per_outcome"]
    assert values == {m: p["total"] for m, p in prices.items()}
    inp = expected_inputs(c)
    cf = cash_flows(c, inp)
    flows = society_flows(c, cf, inp, values)
    gained = {
        m.id: float(np.maximum(cf.outcomes[m.id].treated - cf.outcomes[m.id].baseline, 0).sum())
        for m in c.metrics
    }
    fees = sum(
        float(cf.flow(p.id).sum()) for p in c.parties if p.role in ("intermediary", "evaluator")
    )
    expected_total = sum(gained[m] * values[m] for m in gained) - float(cf.costs.sum()) - fees
    assert float(flows.sum()) == pytest.approx(expected_total, rel=1e-9)


def test_getting_exactly_the_money_back_is_not_a_loss_but_a_cent_less_is() -> None:
    from effekt.engine.montecarlo import _loss, summarise

    back = np.array([1.0, 1.0 - 1e-15, 1.0 - 1e-6, 0.5, 1.2]) * 1e6
    flows = np.column_stack([np.full(5, -1e6), back])
    counts = summarise({"party/fond/loss": _loss(flows)}).counts
    assert counts["party/fond/loss"] == 2
    # a provider paid before it pays out has no multiple, but its loss is counted
    assert _loss(np.array([[100.0, -150.0], [100.0, -50.0]])).tolist() == [1.0, 0.0]


def test_an_unknown_engine_is_refused_before_anything_runs() -> None:
    from effekt.errors import UsageError
    from effekt.services.simulate import simulate

    c = load_contract(EXAMPLES / "hemmasittare.toml")
    with pytest.raises(UsageError) as err:
        simulate(c, 100, 1, engine="fortran")
    assert err.value.code == "simulate.engine"


def test_json_figures_have_no_negative_zero() -> None:
    from effekt.services.simulate import _num

    assert str(_num(-0.0)) == "0.0" and _num(-1e-9) == 0.0 and _num(-2.5) == -2.5


def _with_discounting(c: Contract, steps: list[tuple[int, float]]) -> Contract:
    from effekt.contract.model import Discounting, DiscountStep

    assert c.valuation is not None
    d = Discounting(
        kind="declining", schedule=[DiscountStep(from_year=y, rate=r) for y, r in steps]
    )
    return c.model_copy(update={"valuation": c.valuation.model_copy(update={"discounting": d})})


def test_society_npv_follows_a_declining_discount_schedule() -> None:
    from effekt.engine.cashflow import cash_flows
    from effekt.engine.inputs import expected_inputs
    from effekt.engine.montecarlo import path_values, society_flows
    from effekt.services.simulate import outcome_values

    base = load_contract(EXAMPLES / "hemmasittare.toml")
    values = outcome_values(base)
    inp = expected_inputs(base)
    cf = cash_flows(base, inp)
    flows = society_flows(base, cf, inp, values)[0]
    years = np.arange(flows.size) / base.periods_per_year
    constant = path_values(base, cf, inp, values)["society/npv"][0]
    assert constant == pytest.approx(float((flows * 1.035**-years).sum()), rel=1e-12)
    # one step at 3.5 % from the start is the constant rate
    one_step = _with_discounting(base, [(0, 0.035)])
    assert path_values(one_step, cf, inp, values)["society/npv"][0] == pytest.approx(
        constant, rel=1e-12
    )
    # no discounting from the third year on: flows after two years keep their value then
    stepped = _with_discounting(base, [(0, 0.035), (2, 0.0)])
    hand = float((flows * 1.035 ** -np.minimum(years, 2.0)).sum())
    got = path_values(stepped, cf, inp, values)["society/npv"][0]
    assert got == pytest.approx(hand, rel=1e-12) and got != pytest.approx(constant, rel=1e-6)


@pytest.mark.parametrize("paths", ["99999999999999999999", "10000000000000"])
def test_more_paths_than_memory_can_hold_are_refused_before_any_work(paths: str) -> None:
    # before: exit 3, "an internal error (MemoryError). This is a bug"
    from click.testing import CliRunner

    from effekt.cli import main

    res = CliRunner().invoke(
        main, ["simulate", str(EXAMPLES / "hemmasittare.toml"), "--paths", paths, "--lang", "sv"]
    )
    assert res.exit_code == 2, res.output
    assert f"--paths {paths} behöver minst" in res.output
    assert "minne" in res.output and "bugg" not in res.output


def test_a_chunk_too_large_for_its_figures_says_inf_without_a_warning_in_any_process(
    tmp_path: Path,
) -> None:
    # a continuous metric of 1e300 (not an amount): the chunk's summary overflows float32
    # and the squares of its moments; a Dask worker has no CLI around it to hide the
    # RuntimeWarning, so the chunk itself must not raise one
    import warnings

    from effekt.engine.montecarlo import simulate_chunk

    text = (EXAMPLES / "norrkoping.toml").read_text(encoding="utf-8")
    text = text.replace("baseline = 600_000", "baseline = 1e300", 1).replace(
        'expected = { dist = "normal", mean = 560_000, sd = 80_000, id = "cost_with" }',
        "expected = 9e299",
        1,
    )
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    c = load_contract(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chunk = simulate_chunk(c, 50, np.random.SeedSequence(1), None)
    assert np.isinf(chunk.stored["society/npv"]).all()
