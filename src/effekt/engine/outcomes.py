"""Outcomes per metric and cohort, when they are measured, and the measured effects."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from effekt.contract.metrics import Metric
from effekt.contract.model import Contract
from effekt.engine.inputs import Inputs
from effekt.engine.timeline import shift

__all__ = [
    "Outcomes",
    "effect",
    "effect_se",
    "measured_outcomes",
    "metric_rates",
    "person_level_draws",
    "person_variance",
]

FloatArray = npt.NDArray[np.float64]


@dataclass
class Outcomes:
    """Counts for one metric, shape (paths, cohorts, periods), by measurement period.

    ``measured``: persons in the metric's population whose outcome is measured in t;
    ``treated``: outcome units among them (persons achieving, events, days, or the sum of
    a continuous value); ``baseline``: the counterfactual units for the same persons.
    """

    measured: FloatArray
    treated: FloatArray
    baseline: FloatArray
    decision_period: npt.NDArray[np.int64]  # (paths, cohorts): last measurement period


def person_variance(m: Metric, rate: FloatArray) -> FloatArray:
    """Variance of one person's outcome: p(1−p) binary; μ + μ²/k counts; sd² continuous."""
    if m.kind == "binary":
        return rate * (1 - rate)
    if m.kind in ("count", "duration"):
        k = m.dispersion
        return rate + (rate**2 / k if k else 0.0)
    sd = m.dispersion or 0.0
    return np.full_like(rate, sd**2)


def measured_outcomes(
    c: Contract,
    inp: Inputs,
    j: int,
    referred: FloatArray,
    enrolled: FloatArray,
    rng: np.random.Generator | None = None,
) -> Outcomes:
    """Outcomes of metric ``j`` by cohort and measurement period.

    measured[t + lag] = population[t]; treated = measured × expected (or, with ``rng`` and
    person-level draws, a binomial / negative-binomial draw around it); baseline =
    measured × baseline.
    """
    m = c.metrics[j]
    population = referred if m.population == "referred" else enrolled
    lag = np.rint(np.maximum(inp[f"metrics[{j}].lag_periods"], 0)).astype(np.int64)
    measured = shift(population, lag)
    rate, base = metric_rates(c, inp, j)
    treated = measured * rate
    if rng is not None and c.uncertainty.person_level:
        treated = person_level_draws(c, inp, j, measured, rng)
    T = measured.shape[-1]
    has = measured > 0
    last = np.where(has.any(axis=-1), T - 1 - has[..., ::-1].argmax(axis=-1), T - 1)
    return Outcomes(measured, treated, measured * base, last.astype(np.int64))


def metric_rates(c: Contract, inp: Inputs, j: int) -> tuple[FloatArray, FloatArray]:
    """Metric ``j``'s expected and baseline rate per path, shape (paths, 1, 1)."""
    m = c.metrics[j]
    rate = np.maximum(inp[f"metrics[{j}].expected"], 0)[:, None, None]
    base = np.maximum(inp[f"metrics[{j}].baseline"], 0)[:, None, None]
    if m.kind == "binary":
        rate, base = np.minimum(rate, 1), np.minimum(base, 1)
    return rate, base


def person_level_draws(
    c: Contract, inp: Inputs, j: int, measured: FloatArray, rng: np.random.Generator
) -> FloatArray:
    """Outcome units of metric ``j`` drawn person by person for the persons ``measured``
    (paths, cohorts, periods): binomial, (negative) binomial counts, or normal sums."""
    rate, _ = metric_rates(c, inp, j)
    return _person_draws(c.metrics[j], rng, measured, np.broadcast_to(rate, measured.shape))


def _person_draws(
    m: Metric, rng: np.random.Generator, n: FloatArray, rate: FloatArray
) -> FloatArray:
    persons = np.rint(n).astype(np.int64)
    if m.kind == "binary":
        # only where someone is measured: a draw for no persons is 0 and takes nothing
        # from the generator, so leaving those out changes no draw and saves most calls
        draws = np.zeros(n.shape)
        some = persons > 0
        draws[some] = rng.binomial(persons[some], np.clip(rate[some], 0, 1))
        return np.minimum(draws, n)  # n may be fractional where referrals are spread
    if m.kind in ("count", "duration"):
        mu = persons * rate
        if m.dispersion:
            k = m.dispersion * np.maximum(persons, 1)
            lam = rng.gamma(np.maximum(k, 1e-12), np.where(k > 0, mu / np.maximum(k, 1e-12), 0))
            return rng.poisson(lam).astype(np.float64)
        return rng.poisson(mu).astype(np.float64)
    sd = m.dispersion or 0.0
    return persons * rate + rng.normal(0, 1, n.shape) * sd * np.sqrt(persons)


def effect(treated: FloatArray, baseline: FloatArray, measure: str, direction: str) -> FloatArray:
    """The effect from per-person treated and baseline values.

    relative_reduction 1 − T/B; relative_increase T/B − 1; absolute_difference T − B
    (B − T when lower is better); level T.
    """
    # a baseline of 1e-300 gives an infinite ratio, as in the compiled engine: no warning
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if measure == "relative_reduction":
            out = np.where(baseline > 0, 1 - treated / baseline, 0.0)
        elif measure == "relative_increase":
            out = np.where(baseline > 0, treated / baseline - 1, 0.0)
        elif measure == "absolute_difference":
            out = treated - baseline if direction == "increase" else baseline - treated
        else:
            out = treated
    return np.asarray(out, dtype=np.float64)


def effect_se(
    m: Metric, treated: FloatArray, baseline: FloatArray, n: FloatArray, measure: str
) -> FloatArray:
    """Standard error of the effect for ``n`` persons against the metric's comparison group.

    Var(T̄ − B̄) = v_T/n + v_B/n_C, with n_C the metric's ``comparison_size``, else
    ``comparison_ratio`` × n, else n (an equally large comparison); no comparison variance
    when the counterfactual is ``none`` or the measure is ``level``; relative measures
    divide by the baseline.
    """
    n_safe = np.maximum(n, 1)
    var = person_variance(m, treated) / n_safe
    if measure != "level" and m.counterfactual != "none":
        if m.comparison_size is not None:
            n_c = np.full_like(n_safe, float(m.comparison_size), dtype=np.float64)
        else:
            n_c = n_safe * (m.comparison_ratio or 1.0)
        var = var + person_variance(m, baseline) / n_c
    se = np.sqrt(np.maximum(var, 0.0))  # a rate outside its range (p > 1) has no spread
    if measure in ("relative_reduction", "relative_increase"):
        se = np.where(baseline > 0, se / np.maximum(baseline, 1e-300), 0.0)
    return np.asarray(se, dtype=np.float64)


def decision_value(
    value: FloatArray, se: FloatArray, basis: str, confidence: float
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """(the value compared with a threshold, an extra condition) under a decision basis.

    point_estimate: the estimate; lower_confidence_bound: estimate − z·se;
    significance_and_point_estimate: the estimate, provided estimate > z·se.
    """
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    ok = np.ones_like(value, dtype=bool)
    if basis == "lower_confidence_bound":
        return value - z * se, ok
    if basis == "significance_and_point_estimate":
        return value, value > z * se
    return value, ok
