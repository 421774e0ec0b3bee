"""Power, minimum detectable effect (MDE) and required cohort size for a planned design.

Three outcome kinds, each with ``power_*``, ``mde_*`` and ``required_n_*``:

* **proportions** (share back in school) — arcsine (Cohen's *h*) normal approximation;
* **means** (days attended) — normal approximation with the two groups' standard deviations;
* **rates** (reconviction events per person, as Peterborough) — the log rate ratio with a
  Poisson (``dispersion=0``) or negative-binomial NB2 variance ``Var(y) = mu + dispersion mu^2``.

Every function uses the large-sample normal approximation. With ``z_a`` the critical value
(``z_{1-alpha/2}`` two-sided, ``z_{1-alpha}`` one-sided), ``d`` the effect on the test scale
and ``s`` its standard error under the alternative::

    power = Phi(|d|/s - z_a) + Phi(-|d|/s - z_a)          (second term two-sided only)
    MDE   : |d| = (z_a + z_{power}) s                      (the opposite tail is ignored;
                                                           it adds < 5e-5 at power >= 0.5)

The comparison group is ``n_comparison`` people, or ``ratio`` times the treated cohort when
``n_comparison`` is not given (``ratio=3`` for 3:1 matching). A historical baseline with a
known rate is ``ratio=math.inf`` (or ``n_comparison=math.inf``): its sampling error is zero.

Inputs broadcast against each other, so a grid of cohort sizes or baselines is one call.
Impossible combinations give ``nan`` rather than an exception (numpy-financial's rule);
invalid option values raise :class:`effekt.errors.InputError`.

>>> round(float(mde_rate(1.55, 1000)), 3)          # Peterborough-sized cohort, 1:1, Poisson
0.098
>>> int(required_n_rate(1.55, 0.10))     # 963.01, rounded up
964
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import stats

from effekt.errors import InputError

__all__ = [
    "Alternative",
    "Detectability",
    "detectable",
    "mde_means",
    "mde_proportions",
    "mde_rate",
    "power_means",
    "power_proportions",
    "power_rate",
    "required_n_means",
    "required_n_proportions",
    "required_n_rate",
]

Alternative = Literal["two-sided", "one-sided"]
Direction = Literal["increase", "decrease"]
FloatArray = npt.NDArray[np.float64]
Floats = float | FloatArray

_FIXED_POINT_STEPS = 200


def _f(x: npt.ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _out(x: FloatArray) -> Floats:
    """A Python float for scalar results, the array otherwise."""
    return float(x) if x.ndim == 0 else x


def _z_alpha(alpha: npt.ArrayLike, alternative: str) -> FloatArray:
    a = _f(alpha)
    a = np.where((a > 0) & (a < 1), a, np.nan)
    if alternative == "two-sided":
        return _f(stats.norm.isf(a / 2))
    if alternative == "one-sided":
        return _f(stats.norm.isf(a))
    raise InputError("stats.invalid_option", name="alternative", value=alternative)


def _z_power(power: npt.ArrayLike) -> FloatArray:
    p = _f(power)
    return _f(stats.norm.ppf(np.where((p > 0) & (p < 1), p, np.nan)))


def _power_from_ratio(signal: FloatArray, z_a: FloatArray, alternative: str) -> FloatArray:
    """Normal power for |effect| / SE = ``signal``."""
    high = stats.norm.cdf(signal - z_a)
    if alternative == "two-sided":
        return _f(high + stats.norm.cdf(-signal - z_a))
    return _f(high)


def _inverse_n(
    n_treated: npt.ArrayLike, n_comparison: npt.ArrayLike | None, ratio: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """1/n_T and 1/n_C (0 for an infinite comparison pool or known baseline)."""
    n_t = _f(n_treated)
    n_t = np.where(n_t > 0, n_t, np.nan)
    n_c = n_t * _f(ratio) if n_comparison is None else _f(n_comparison)
    n_c = np.where(n_c > 0, n_c, np.nan)
    return 1.0 / n_t, 1.0 / n_c


def _inverse_ratio(ratio: npt.ArrayLike) -> FloatArray:
    k = _f(ratio)
    return 1.0 / np.where(k > 0, k, np.nan)


# --- proportions (arcsine) ---------------------------------------------------------------


def _arcsine(p: FloatArray) -> FloatArray:
    p = np.where((p >= 0) & (p <= 1), p, np.nan)
    return _f(2.0 * np.arcsin(np.sqrt(p)))


def power_proportions(
    p_treated: npt.ArrayLike,
    p_comparison: npt.ArrayLike,
    n_treated: npt.ArrayLike,
    n_comparison: npt.ArrayLike | None = None,
    *,
    ratio: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Power to detect ``p_treated`` against ``p_comparison`` (arcsine approximation).

    Cohen's effect size ``h = 2 asin(sqrt(p_T)) - 2 asin(sqrt(p_C))`` has variance
    ``1/n_T + 1/n_C`` whatever the proportions, so::

        power = Phi(|h| / sqrt(1/n_T + 1/n_C) - z_a)  [+ Phi(-|h|/sqrt(...) - z_a) two-sided]

    This is what ``statsmodels.stats.power.NormalIndPower`` computes with
    ``proportion_effectsize``. Against a known baseline proportion use ``ratio=math.inf``.

    >>> round(float(power_proportions(0.60, 0.45, 200)), 3)
    0.854
    """
    inv_t, inv_c = _inverse_n(n_treated, n_comparison, ratio)
    h = np.abs(_arcsine(_f(p_treated)) - _arcsine(_f(p_comparison)))
    z_a = _z_alpha(alpha, alternative)
    return _out(_power_from_ratio(h / np.sqrt(inv_t + inv_c), z_a, alternative))


def mde_proportions(
    p_comparison: npt.ArrayLike,
    n_treated: npt.ArrayLike,
    n_comparison: npt.ArrayLike | None = None,
    *,
    ratio: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    power: npt.ArrayLike = 0.8,
    alternative: Alternative = "two-sided",
    direction: Direction = "increase",
) -> Floats:
    """The smallest treated proportion (``direction="increase"``) or largest
    (``"decrease"``) detectable against ``p_comparison``, as an absolute difference
    ``p_T - p_C`` (negative for a decrease).

    ``h* = (z_a + z_power) sqrt(1/n_T + 1/n_C)``; ``p_T = sin^2(asin(sqrt(p_C)) +- h*/2)``;
    ``nan`` when that would leave [0, 1].

    >>> round(float(mde_proportions(0.45, 40)), 3)      # a cohort of 40, 1:1
    0.301
    """
    if direction not in ("increase", "decrease"):
        raise InputError("stats.invalid_option", name="direction", value=direction)
    inv_t, inv_c = _inverse_n(n_treated, n_comparison, ratio)
    h = (_z_alpha(alpha, alternative) + _z_power(power)) * np.sqrt(inv_t + inv_c)
    sign = 1.0 if direction == "increase" else -1.0
    angle = _arcsine(_f(p_comparison)) / 2 + sign * h / 2
    inside = (angle >= 0) & (angle <= np.pi / 2)
    p_t = np.where(inside, np.sin(angle) ** 2, np.nan)
    return _out(_f(p_t - _f(p_comparison)))


def required_n_proportions(
    p_treated: npt.ArrayLike,
    p_comparison: npt.ArrayLike,
    *,
    ratio: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    power: npt.ArrayLike = 0.8,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Treated cohort size (rounded up) for the comparison ``ratio`` ``n_C / n_T``.

    ``n_T = (z_a + z_power)^2 (1 + 1/k) / h^2``.

    >>> int(required_n_proportions(0.60, 0.45))
    173
    """
    h = _arcsine(_f(p_treated)) - _arcsine(_f(p_comparison))
    z = _z_alpha(alpha, alternative) + _z_power(power)
    with np.errstate(divide="ignore"):
        n = z**2 * (1.0 + _inverse_ratio(ratio)) / h**2
    return _out(_ceil(n))


def _ceil(n: FloatArray) -> FloatArray:
    # a tiny tolerance so that 963.0000000001 is not reported as 964
    return _f(np.ceil(np.where(np.isfinite(n), n - 1e-9, n)))


# --- means -----------------------------------------------------------------------------


def _var_means(
    sd_treated: npt.ArrayLike,
    sd_comparison: npt.ArrayLike | None,
    inv_t: FloatArray,
    inv_c: FloatArray,
) -> FloatArray:
    s_t = _f(sd_treated)
    s_c = s_t if sd_comparison is None else _f(sd_comparison)
    return _f(s_t**2 * inv_t + s_c**2 * inv_c)


def power_means(
    difference: npt.ArrayLike,
    sd: npt.ArrayLike,
    n_treated: npt.ArrayLike,
    n_comparison: npt.ArrayLike | None = None,
    *,
    sd_comparison: npt.ArrayLike | None = None,
    ratio: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Power to detect a difference in means.

    ``SE = sqrt(sd_T^2/n_T + sd_C^2/n_C)`` (``sd_C = sd`` unless given);
    ``power = Phi(|difference|/SE - z_a)`` [+ the opposite tail two-sided]. With equal SDs
    this is ``statsmodels`` ``NormalIndPower`` at effect size ``difference/sd``.

    >>> round(float(power_means(5.0, 20.0, 100)), 3)
    0.424
    """
    inv_t, inv_c = _inverse_n(n_treated, n_comparison, ratio)
    se = np.sqrt(_var_means(sd, sd_comparison, inv_t, inv_c))
    z_a = _z_alpha(alpha, alternative)
    return _out(_power_from_ratio(np.abs(_f(difference)) / se, z_a, alternative))


def mde_means(
    sd: npt.ArrayLike,
    n_treated: npt.ArrayLike,
    n_comparison: npt.ArrayLike | None = None,
    *,
    sd_comparison: npt.ArrayLike | None = None,
    ratio: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    power: npt.ArrayLike = 0.8,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Minimum detectable difference in means: ``(z_a + z_power) SE``.

    >>> round(float(mde_means(1.0, 1000)), 4)       # in SD units, 1:1
    0.1253
    """
    inv_t, inv_c = _inverse_n(n_treated, n_comparison, ratio)
    se = np.sqrt(_var_means(sd, sd_comparison, inv_t, inv_c))
    return _out(_f((_z_alpha(alpha, alternative) + _z_power(power)) * se))


def required_n_means(
    difference: npt.ArrayLike,
    sd: npt.ArrayLike,
    *,
    sd_comparison: npt.ArrayLike | None = None,
    ratio: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    power: npt.ArrayLike = 0.8,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Treated n: ``(z_a + z_power)^2 (sd_T^2 + sd_C^2/k) / difference^2``, rounded up.

    >>> int(required_n_means(0.2, 1.0))
    393
    """
    var = _var_means(sd, sd_comparison, _f(1.0), _inverse_ratio(ratio))
    z = _z_alpha(alpha, alternative) + _z_power(power)
    with np.errstate(divide="ignore"):
        n = z**2 * var / _f(difference) ** 2
    return _out(_ceil(n))


# --- rates (Poisson / negative binomial) -----------------------------------------------


def _var_log_rr(
    rate_treated: FloatArray,
    rate_comparison: FloatArray,
    inv_t: FloatArray,
    inv_c: FloatArray,
    dispersion: FloatArray,
    exposure: FloatArray,
) -> FloatArray:
    """Var(log RR) = (1/(mu_T e) + a)/n_T + (1/(mu_C e) + a)/n_C (NB2; Poisson at a=0)."""
    a = np.where(dispersion >= 0, dispersion, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        v_t = (1.0 / (rate_treated * exposure) + a) * inv_t
        v_c = (1.0 / (rate_comparison * exposure) + a) * inv_c
    # a known baseline (inv_c == 0) contributes nothing, whatever its rate
    return _f(v_t + np.where(inv_c == 0, 0.0, v_c))


def power_rate(
    baseline_rate: npt.ArrayLike,
    relative_reduction: npt.ArrayLike,
    n_treated: npt.ArrayLike,
    n_comparison: npt.ArrayLike | None = None,
    *,
    ratio: npt.ArrayLike = 1.0,
    dispersion: npt.ArrayLike = 0.0,
    exposure: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Power to detect a relative reduction ``R = 1 - mu_T/mu_C`` in an event rate.

    ``baseline_rate`` is ``mu_C``, events per person per unit of ``exposure`` (e.g. 1.55
    reconvictions per person-year, exposure 1 year); ``mu_T = (1 - R) mu_C``. With the
    log rate ratio ``d = log(1 - R)`` and (evaluated at the alternative)::

        Var(d) = (1/(mu_T e) + a)/n_T + (1/(mu_C e) + a)/n_C

    where ``a = dispersion`` is the NB2 overdispersion (0 = Poisson),
    ``power = Phi(|d|/sqrt(Var) - z_a)`` [+ the opposite tail]. This equals
    ``statsmodels.stats.rates.power_negbin_ratio_2indep(..., method_var="alt")``.
    A negative ``R`` is an increase.

    >>> round(float(power_rate(1.55, 0.10, 1000)), 3)
    0.815
    """
    inv_t, inv_c = _inverse_n(n_treated, n_comparison, ratio)
    mu_c = _f(baseline_rate)
    rr = 1.0 - _f(relative_reduction)
    rr = np.where(rr > 0, rr, np.nan)
    var = _var_log_rr(mu_c * rr, mu_c, inv_t, inv_c, _f(dispersion), _f(exposure))
    signal = np.abs(np.log(rr)) / np.sqrt(var)
    return _out(_power_from_ratio(signal, _z_alpha(alpha, alternative), alternative))


def mde_rate(
    baseline_rate: npt.ArrayLike,
    n_treated: npt.ArrayLike,
    n_comparison: npt.ArrayLike | None = None,
    *,
    ratio: npt.ArrayLike = 1.0,
    dispersion: npt.ArrayLike = 0.0,
    exposure: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    power: npt.ArrayLike = 0.8,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Minimum detectable relative reduction ``R`` in an event rate.

    Solves ``-log(1 - R) = (z_a + z_power) sqrt(Var(R))`` (``Var`` as in :func:`power_rate`;
    it depends on ``R`` through ``mu_T``) by fixed-point iteration from ``Var(0)``, which
    converges to the smallest root. ``nan`` when no reduction is detectable (cohort far
    too small).

    >>> [round(float(x), 3) for x in mde_rate(1.55, [100, 1000], dispersion=1.0)]
    [0.419, 0.151]
    """
    inv_t, inv_c = _inverse_n(n_treated, n_comparison, ratio)
    mu_c = _f(baseline_rate)
    a, e = _f(dispersion), _f(exposure)
    z = _z_alpha(alpha, alternative) + _z_power(power)
    log_rr = np.zeros(np.broadcast(mu_c, inv_t, inv_c, a, e, z).shape)
    with np.errstate(invalid="ignore", over="ignore"):
        for _ in range(_FIXED_POINT_STEPS):
            new = -z * np.sqrt(_var_log_rr(mu_c * np.exp(log_rr), mu_c, inv_t, inv_c, a, e))
            if np.allclose(new, log_rr, rtol=0, atol=1e-13, equal_nan=True):
                break
            log_rr = np.where(np.isfinite(new), new, -np.inf)
        converged = np.isclose(log_rr, new, rtol=0, atol=1e-9) & np.isfinite(log_rr)
    return _out(_f(np.where(converged, 1.0 - np.exp(log_rr), np.nan)))


def required_n_rate(
    baseline_rate: npt.ArrayLike,
    relative_reduction: npt.ArrayLike,
    *,
    ratio: npt.ArrayLike = 1.0,
    dispersion: npt.ArrayLike = 0.0,
    exposure: npt.ArrayLike = 1.0,
    alpha: npt.ArrayLike = 0.05,
    power: npt.ArrayLike = 0.8,
    alternative: Alternative = "two-sided",
) -> Floats:
    """Treated n for comparison ratio ``k`` (``math.inf`` = known baseline), rounded up::

        n_T = (z_a + z_power)^2 [(1/(mu_T e) + a) + (1/(mu_C e) + a)/k] / log(1 - R)^2

    >>> [int(n) for n in required_n_rate(1.55, 0.10, dispersion=[0.5, 1.0, 2.0])]
    [1671, 2378, 3792]
    """
    mu_c = _f(baseline_rate)
    rr = 1.0 - _f(relative_reduction)
    rr = np.where(rr > 0, rr, np.nan)
    var1 = _var_log_rr(
        mu_c * rr, mu_c, _f(1.0), _inverse_ratio(ratio), _f(dispersion), _f(exposure)
    )
    z = _z_alpha(alpha, alternative) + _z_power(power)
    with np.errstate(divide="ignore"):
        n = z**2 * var1 / np.log(rr) ** 2
    return _out(_ceil(n))


# --- the check used by `effekt check` -------------------------------------------------


class Detectability(NamedTuple):
    """Whether a payment threshold can be detected with the planned cohort."""

    detectable: bool
    mde: float
    power_at_threshold: float


def detectable(
    threshold_relative_reduction: float,
    baseline_rate: float,
    n_treated: float,
    n_comparison: float | None = None,
    *,
    ratio: float = 1.0,
    dispersion: float = 0.0,
    exposure: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: Alternative = "two-sided",
) -> Detectability:
    """Can a rate reduction of ``threshold_relative_reduction`` be detected at this size?

    True when the design's MDE (:func:`mde_rate`) is at most the threshold, i.e. the power
    at the threshold reaches ``power``. ``effekt check`` warns otherwise ("the threshold
    cannot be detected at this cohort size with 80 % power").

    >>> detectable(0.10, 1.55, 100)
    Detectability(detectable=False, mde=0.2953..., power_at_threshold=0.1473...)
    """
    if not math.isfinite(threshold_relative_reduction) or not 0 < threshold_relative_reduction < 1:
        raise InputError(
            "stats.invalid_parameter",
            name="threshold_relative_reduction",
            value=threshold_relative_reduction,
        )
    mde = float(
        mde_rate(
            baseline_rate,
            n_treated,
            n_comparison,
            ratio=ratio,
            dispersion=dispersion,
            exposure=exposure,
            alpha=alpha,
            power=power,
            alternative=alternative,
        )
    )
    reached = float(
        power_rate(
            baseline_rate,
            threshold_relative_reduction,
            n_treated,
            n_comparison,
            ratio=ratio,
            dispersion=dispersion,
            exposure=exposure,
            alpha=alpha,
            alternative=alternative,
        )
    )
    ok = math.isfinite(mde) and mde <= threshold_relative_reduction + 1e-12
    return Detectability(detectable=ok, mde=mde, power_at_threshold=reached)
