"""Sampling contract inputs: marginals, zero variance, the Gaussian copula, shared shocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from effekt.contract.load import load_contract
from effekt.contract.model import Contract
from effekt.contract.quantity import (
    Beta,
    Empirical,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
    expected,
    variance,
)
from effekt.engine.inputs import quantity_fields
from effekt.engine.sampling import (
    inverse_cdf,
    nearest_correlation,
    quantile,
    sample_inputs,
    sampling_plan,
)

EXAMPLES = Path(__file__).parents[2] / "examples"
N = 40_000


def _hemmasittare():
    return load_contract(EXAMPLES / "hemmasittare.toml")


@pytest.mark.parametrize(
    "dist",
    [
        Beta(dist="beta", mean=0.3, sd=0.1),
        Normal(dist="normal", mean=40, sd=6),
        Lognormal(dist="lognormal", mean=2.0, sd=0.8),
        Triangular(dist="triangular", low=45_000, mode=60_000, high=80_000),
        Uniform(dist="uniform", low=-1, high=3),
        Empirical(dist="empirical", values=[0, 0, 0, 1]),
    ],
    ids=lambda d: d.dist,
)
def test_each_marginal_has_its_mean_and_variance_within_monte_carlo_error(dist) -> None:
    z = np.random.default_rng(11).standard_normal(N)
    x = inverse_cdf(dist, z)
    sd = np.sqrt(variance(dist))
    assert abs(x.mean() - expected(dist)) < 4 * sd / np.sqrt(N)
    # the variance's standard error: sd² · sqrt((kurtosis − 1)/N), kurtosis ≤ 9 here
    assert abs(x.var() - variance(dist)) < 4 * sd**2 * np.sqrt(8 / N)


@pytest.mark.parametrize(
    "dist",
    [
        Beta(dist="beta", mean=0.45, sd=0.0),
        Normal(dist="normal", mean=40.3, sd=0.0, low=20, high=60),
        Lognormal(dist="lognormal", mean=1.7, sd=0.0),
        Triangular(dist="triangular", low=0.1, mode=0.1, high=0.1),
        Uniform(dist="uniform", low=7.25, high=7.25),
        Empirical(dist="empirical", values=[3.0, 3.0]),
    ],
    ids=lambda d: d.dist,
)
def test_a_distribution_without_variance_gives_its_expected_value_exactly(dist) -> None:
    x = inverse_cdf(dist, np.random.default_rng(1).standard_normal(100))
    assert (x == expected(dist)).all()


def test_the_triangular_quantile_function_inverts_its_cdf() -> None:
    tri = Triangular(dist="triangular", low=2, mode=3, high=7)
    u = np.linspace(0.01, 0.99, 50)
    ref = stats.triang.ppf(u, (3 - 2) / (7 - 2), loc=2, scale=5)
    assert np.allclose(quantile(tri, u), ref, rtol=1e-12)


def test_the_rank_correlation_of_correlated_inputs_is_rho() -> None:
    c = _hemmasittare()  # success ~ eligibility rho 0.6, success ~ baseline rho 0.5
    plan = sampling_plan(c)
    inp = sample_inputs(plan, np.random.default_rng(5), N)
    success, eligibility = inp["metrics[0].expected"], inp["metrics[1].expected"]
    baseline = inp["metrics[0].baseline"]
    # the standard error of Spearman's rho is about (1 − rho²)/sqrt(N) < 0.005 here
    assert stats.spearmanr(success, eligibility)[0] == pytest.approx(0.6, abs=0.02)
    assert stats.spearmanr(success, baseline)[0] == pytest.approx(0.5, abs=0.02)
    assert abs(stats.spearmanr(success, inp["costs.per_participant"])[0]) < 0.02


def test_an_inconsistent_correlation_matrix_is_replaced_by_the_nearest_valid_one() -> None:
    bad = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cholesky(bad)
    fixed = nearest_correlation(bad)
    np.linalg.cholesky(fixed)
    assert np.allclose(np.diag(fixed), 1.0)
    assert fixed[0, 1] > 0 and fixed[1, 2] < 0


def test_plain_numbers_repeat_and_every_engine_input_is_drawn() -> None:
    c = _hemmasittare()
    inp = sample_inputs(sampling_plan(c), np.random.default_rng(2), 1000)
    assert set(inp) == {path for path, _ in quantity_fields(c)}
    assert (inp["cohorts[1].engagement"] == 0.85).all()
    assert inp["cohorts[0].size"].std() > 0
    assert inp["cohorts[0].size"].min() >= 20 and inp["cohorts[0].size"].max() <= 60


def test_a_baseline_that_defaults_to_the_expected_rate_is_the_same_draw() -> None:
    c = _hemmasittare()
    data = c.model_dump(mode="json")
    data["metrics"][1]["expected"] = {"dist": "beta", "mean": 0.3, "sd": 0.08}
    data["metrics"][1]["baseline"] = None
    data["uncertainty"]["correlations"] = data["uncertainty"]["correlations"][1:]
    c2 = type(c).model_validate(data)
    inp = sample_inputs(sampling_plan(c2), np.random.default_rng(3), 500)
    assert inp["metrics[1].expected"] is inp["metrics[1].baseline"]
    assert inp["metrics[1].expected"].std() > 0


def test_a_shock_loading_is_the_correlation_between_the_shock_and_the_input() -> None:
    c = _hemmasittare()
    plan = sampling_plan(c, {"economy": {"success": 0.8}})
    rng = np.random.default_rng(9)
    shock = rng.standard_normal((N, 1))
    inp = sample_inputs(plan, rng, N, shock)
    rho = stats.spearmanr(shock[:, 0], inp["metrics[0].expected"])[0]
    assert rho == pytest.approx(6 / np.pi * np.arcsin(0.8 / 2), abs=0.02)
    # the input keeps its marginal: the mixture is still a standard normal
    assert inp["metrics[0].expected"].mean() == pytest.approx(0.45, abs=4 * 0.1 / np.sqrt(N))


def _pinv_used(q: Beta) -> bool:
    from effekt.engine.sampling import _beta_inverse

    a, b = (float(x) for x in q.shape())
    return _beta_inverse(min(a, b), max(a, b)) is not None


# (0.97, 0.02) is Beta(≈70, ≈2): its mass against 1 once took UNU.RAN minutes to set up;
# mirrored, it is Beta(≈2, ≈70) with the mass towards 0, and quick.
@pytest.mark.parametrize(
    ("mean", "sd"),
    [(0.45, 0.10), (0.85, 0.05), (0.1, 0.05), (0.97, 0.02), (0.9, 0.05)],
)
def test_beta_quantiles_match_scipy_to_the_pinv_resolution(mean: float, sd: float) -> None:
    from effekt.engine.sampling import PINV_U_RESOLUTION

    q = Beta(dist="beta", mean=mean, sd=sd)
    a, b = q.shape()
    assert _pinv_used(q)  # the fast inverse is used here
    u = np.concatenate([np.random.default_rng(3).random(20_000), [1e-9, 0.5, 1 - 1e-9]])
    x = quantile(q, u)
    # the error is in probability: F(x) is within the resolution of u
    assert np.abs(stats.beta.cdf(x, a, b) - u).max() < 10 * PINV_U_RESOLUTION
    # and the values themselves agree where the quantile is not ill-conditioned
    central = (u > 1e-6) & (u < 1 - 1e-6)
    assert np.abs(x - stats.beta.ppf(u, a, b))[central].max() < 1e-7


@pytest.mark.parametrize(
    ("mean", "sd"),
    [
        (0.5, 0.35),  # a = b < 1: poles at both ends
        (0.2, 0.3),  # a < 1: a pole at 0
        (0.8, 0.3),  # b < 1: a pole at 1
        (0.05, 0.04),  # a ≈ 1.4: an infinite slope at 0
        (0.5, 0.28),  # a = b ≈ 1.1: infinite slopes at both ends
        (0.001, 0.001),  # b ≈ 1000: needle-thin
    ],
)
def test_a_beta_outside_the_pinv_shapes_falls_back_to_the_exact_quantile(
    mean: float, sd: float
) -> None:
    q = Beta(dist="beta", mean=mean, sd=sd)
    a, b = q.shape()
    assert not _pinv_used(q)
    u = np.array([0.001, 0.5, 0.999])
    assert np.array_equal(quantile(q, u), stats.beta.ppf(u, a, b))


def _with(c: Contract, change: Callable[[dict[str, Any]], None]) -> Contract:
    data = c.model_dump(mode="json")
    change(data)
    return Contract.model_validate(data)


def test_draws_outside_an_inputs_domain_are_clipped_to_it() -> None:
    def widen(d: dict[str, Any]) -> None:
        d["metrics"][0]["expected"] = {"dist": "normal", "mean": 0.5, "sd": 0.6}  # binary
        d["cohorts"][0]["engagement"] = {"dist": "uniform", "low": -0.5, "high": 1.5}
        d["costs"]["per_participant"] = {"dist": "normal", "mean": 1000.0, "sd": 2000.0}

    c = _with(_hemmasittare(), widen)
    plan = sampling_plan(c)
    inp = sample_inputs(plan, np.random.default_rng(11), N)
    rate, engaged, cost = (
        inp["metrics[0].expected"],
        inp["cohorts[0].engagement"],
        inp["costs.per_participant"],
    )
    assert rate.min() == 0.0 and rate.max() == 1.0  # a binary rate is a share
    assert engaged.min() == 0.0 and engaged.max() == 1.0
    assert cost.min() == 0.0 and cost.max() > 1000.0  # a cost is not negative
    # the clipped draws pile up at the ends; inside, the distribution is untouched
    assert (rate == 0.0).mean() == pytest.approx(stats.norm.cdf(0, 0.5, 0.6), abs=0.01)
    assert ((rate > 0) & (rate < 1)).mean() == pytest.approx(
        stats.norm.cdf(1, 0.5, 0.6) - stats.norm.cdf(0, 0.5, 0.6), abs=0.01
    )


def test_draws_that_cannot_leave_the_domain_are_not_clipped() -> None:
    plan = sampling_plan(_hemmasittare())  # betas on shares, bounded normals on sizes
    assert plan.variables and plan.clip == {}
    c = _with(_hemmasittare(), lambda d: d["metrics"][1].update(kind="count"))
    # a count's rate may exceed 1, so a beta on it is within [0, ∞)
    assert "metrics[1].expected" not in sampling_plan(c).clip
