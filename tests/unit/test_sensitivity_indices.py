"""effekt sensitivity's variance-based indices against analytic values, within the Monte Carlo
error the command reports for them.

The contract: the kommun pays 1,000 SEK for each of N referred pupils who achieves the
outcome, at rate r, with N ~ U(50, 150) and r ~ U(0.3, 0.5) independent, and all of it
goes on to the provider (no costs, no investors: all is excess, shared to the provider): the
kommun's total is Y = −1,000 · N · r. For a product of independent inputs
Var(NR) = E[N]²·Var(r) + E[r]²·Var(N) + Var(N)·Var(r), the first-order index of N is
E[r]²·Var(N) / Var(NR) and its total index adds the interaction Var(N)·Var(r): 0.787
and 0.803 for N, 0.197 and 0.213 for r — unequal, so an estimator that swapped the roles
of the two sample matrices (and gave the other input's index) would fail.
"""

from __future__ import annotations

import math

import pytest
from small_contracts import PARTIES, checked, contract_text

from effekt.services.sensitivity import sensitivity

TABLES = """\
[[cohorts]]
id = "c1"
start_period = 1
size = { dist = "uniform", low = 50, high = 150, id = "size" }

[[metrics]]
id = "m"
definition = "achieved"
kind = "binary"
unit = "person"
direction = "increase"
population = "referred"
lag_periods = 0
counterfactual = "none"
expected = { dist = "uniform", low = 0.3, high = 0.5, id = "rate" }

[[rules]]
kind = "rate_card"
metric = "m"
price = 1000

[payment]
payment_lag_periods = 0

[financing.excess_sharing]
payers = 0
provider = 1
"""

E_N, V_N = 100.0, 100.0**2 / 12
E_R, V_R = 0.4, 0.2**2 / 12
VAR = E_N**2 * V_R + E_R**2 * V_N + V_N * V_R
FIRST = {"size": E_R**2 * V_N / VAR, "rate": E_N**2 * V_R / VAR}
TOTAL = {"size": (E_R**2 * V_N + V_N * V_R) / VAR, "rate": (E_N**2 * V_R + V_N * V_R) / VAR}


def indices(paths: int, seed: int) -> dict[str, dict[str, float]]:
    data = sensitivity(
        checked(contract_text("product", PARTIES, TABLES)), "kommun.total", paths, seed
    )
    assert data["sobol"]["variance"] == pytest.approx(1000**2 * VAR, rel=0.1)
    return {r["input"]: r for r in data["sobol"]["indices"]}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_indices_of_a_product_of_two_inputs_match_the_analytic_ones_within_their_error(
    seed: int,
) -> None:
    got = indices(20_000, seed)
    assert set(got) == {"size", "rate"}
    for name in ("size", "rate"):
        r = got[name]
        assert r["first_order_se"] > 0 and r["total_se"] > 0
        assert r["first_order"] == pytest.approx(FIRST[name], abs=4 * r["first_order_se"])
        assert r["total"] == pytest.approx(TOTAL[name], abs=4 * r["total_se"])


def test_the_reported_error_shrinks_with_the_square_root_of_the_paths() -> None:
    small, large = indices(2_000, 5), indices(32_000, 5)
    for name in ("size", "rate"):
        ratio = small[name]["first_order_se"] / large[name]["first_order_se"]
        assert ratio == pytest.approx(math.sqrt(16), rel=0.25)


@pytest.mark.parametrize("paths", ["99999999999999999999", "100000000000"])
def test_more_base_paths_than_memory_can_hold_are_refused_before_any_work(paths: str) -> None:
    # before: exit 3, "an internal error (ValueError / MemoryError). This is a bug"
    from pathlib import Path

    from click.testing import CliRunner

    from effekt.cli import main

    hemma = Path(__file__).parents[2] / "examples" / "hemmasittare.toml"
    res = CliRunner().invoke(main, ["sensitivity", str(hemma), "--paths", paths, "--lang", "en"])
    assert res.exit_code == 2, res.output
    assert f"--paths {paths} needs at least" in res.output and "memory" in res.output
    assert "bug" not in res.output
