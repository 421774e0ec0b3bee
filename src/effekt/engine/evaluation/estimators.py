"""Effect estimators: the number the evaluator reports, with its interval.

Every estimator returns an :class:`Effect`. The designs:

* **historical baseline** — treated mean (or event rate) against a baseline with its own
  standard error, or a fixed known value: :func:`historical_baseline`,
  :func:`historical_baseline_rate`;
* **randomised trial / matched comparison** — :func:`difference_in_means` (Welch),
  :func:`difference_in_proportions` (Newcombe or Wald), and for event counts
  :func:`rate_difference`, :func:`rate_ratio` and the Peterborough metric
  :func:`relative_reduction` ``R = 1 - F_T/F_C``, each with a Poisson, negative-binomial
  or robust (sandwich) variance and optional matching weights on the comparison group;
* **bootstrap** — :func:`bootstrap` (percentile or BCa) for any vectorised statistic;
* **difference-in-differences** — :func:`difference_in_differences` (2 × 2, OLS
  interaction coefficient, heteroskedasticity- or cluster-robust SE).

Intervals use ``confidence`` (0.95 by default); all functions are pure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

from effekt.errors import ComputationError, DataError, InputError
from effekt.i18n import Phrase

__all__ = [
    "Effect",
    "RateModel",
    "Statistic",
    "bootstrap",
    "difference_in_differences",
    "difference_in_means",
    "difference_in_proportions",
    "historical_baseline",
    "historical_baseline_rate",
    "mean_difference",
    "mean_reduction",
    "nb2_dispersion",
    "rate_difference",
    "rate_ratio",
    "relative_reduction",
]

FloatArray = npt.NDArray[np.float64]
RateModel = Literal["poisson", "negbin", "robust"]
Statistic = Callable[[FloatArray, FloatArray], FloatArray]


@dataclass(frozen=True)
class Effect:
    """An estimated effect and its interval.

    ``estimate`` is on the scale named by ``method`` (a difference, a rate ratio, or a
    relative reduction); ``se`` is its standard error on that scale. For count outcomes
    ``rate_ratio`` and its (log-scale Wald) interval are filled in as well.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    method: str
    confidence: float = 0.95
    p_value: float | None = None
    rate_ratio: float | None = None
    rate_ratio_ci_low: float | None = None
    rate_ratio_ci_high: float | None = None


# --- input checks -------------------------------------------------------------------------


def _word(what: str) -> Phrase:
    """What a message names ("treated counts"), as the catalog phrase ``stats.what.*`` the
    message is said with in the user's language."""
    return Phrase("stats.what." + what.replace(" ", "_").replace("-", "_"))


def _values(x: npt.ArrayLike, what: str, *, minimum: int = 1) -> FloatArray:
    a = np.asarray(x, dtype=np.float64).ravel()
    if a.size < minimum:
        raise DataError("stats.too_few", what=_word(what), count=a.size, minimum=minimum)
    if not np.all(np.isfinite(a)):
        raise DataError("stats.not_finite", what=_word(what))
    return a


def _counts(x: npt.ArrayLike, what: str) -> FloatArray:
    a = _values(x, what)
    if np.any(a < 0):
        raise DataError("stats.negative", what=_word(what))
    return a


def _like(x: npt.ArrayLike | None, shape_of: FloatArray, what: str) -> FloatArray:
    """Exposures or weights: ones when not given, positive and the same length otherwise."""
    if x is None:
        return np.ones_like(shape_of)
    a = _values(x, what)
    if a.shape != shape_of.shape:
        raise DataError(
            "stats.length_mismatch", what=_word(what), expected=shape_of.size, got=a.size
        )
    if np.any(a < 0) or not np.any(a > 0):
        raise DataError("stats.negative", what=_word(what))
    return a


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InputError("stats.invalid_parameter", name="confidence", value=confidence)
    return float(stats.norm.isf((1 - confidence) / 2))


def _normal_p(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


# --- means and proportions ---------------------------------------------------------------


def difference_in_means(
    treated: npt.ArrayLike, control: npt.ArrayLike, *, confidence: float = 0.95
) -> Effect:
    """Difference in means with Welch's unequal-variance SE and t interval.

    ``SE = sqrt(s_T^2/n_T + s_C^2/n_C)``; Welch–Satterthwaite degrees of freedom
    ``df = SE^4 / ((s_T^2/n_T)^2/(n_T-1) + (s_C^2/n_C)^2/(n_C-1))``.
    """
    t = _values(treated, "treated", minimum=2)
    c = _values(control, "control", minimum=2)
    _z(confidence)
    v_t, v_c = t.var(ddof=1) / t.size, c.var(ddof=1) / c.size
    se = math.sqrt(v_t + v_c)
    estimate = float(t.mean() - c.mean())
    if se == 0:
        raise ComputationError("stats.no_variation", what=_word("difference in means"))
    df = (v_t + v_c) ** 2 / (v_t**2 / (t.size - 1) + v_c**2 / (c.size - 1))
    q = float(stats.t.isf((1 - confidence) / 2, df))
    return Effect(
        estimate=estimate,
        se=se,
        ci_low=estimate - q * se,
        ci_high=estimate + q * se,
        n_treated=t.size,
        n_control=c.size,
        method="difference in means (Welch t)",
        confidence=confidence,
        p_value=float(2 * stats.t.sf(abs(estimate) / se, df)),
    )


def historical_baseline(
    treated: npt.ArrayLike,
    baseline_mean: float,
    *,
    baseline_se: float = 0.0,
    baseline_n: int = 0,
    confidence: float = 0.95,
) -> Effect:
    """Treated mean against a historical baseline mean (a proportion is a mean of 0/1).

    ``SE = sqrt(s_T^2/n_T + baseline_se^2)``. With a fixed, known baseline
    (``baseline_se = 0``) the interval is the one-sample t interval (``n_T - 1`` df);
    otherwise it is normal.
    """
    t = _values(treated, "treated", minimum=2)
    _z(confidence)
    if not math.isfinite(baseline_mean) or not baseline_se >= 0:
        raise InputError("stats.invalid_parameter", name="baseline", value=baseline_mean)
    se = math.sqrt(t.var(ddof=1) / t.size + baseline_se**2)
    if se == 0:
        raise ComputationError("stats.no_variation", what=_word("historical baseline"))
    estimate = float(t.mean() - baseline_mean)
    if baseline_se == 0:
        dist: stats.rv_continuous = stats.t(t.size - 1)
        label = "treated mean vs fixed baseline (t)"
    else:
        dist = stats.norm()
        label = "treated mean vs estimated baseline (normal)"
    q = float(dist.isf((1 - confidence) / 2))
    return Effect(
        estimate=estimate,
        se=se,
        ci_low=estimate - q * se,
        ci_high=estimate + q * se,
        n_treated=t.size,
        n_control=baseline_n,
        method=label,
        confidence=confidence,
        p_value=float(2 * dist.sf(abs(estimate) / se)),
    )


def _wilson(successes: float, n: float, z: float) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def difference_in_proportions(
    treated: npt.ArrayLike,
    control: npt.ArrayLike,
    *,
    confidence: float = 0.95,
    method: Literal["newcombe", "wald"] = "newcombe",
) -> Effect:
    """Difference in proportions ``p_T - p_C`` of two 0/1 outcome arrays.

    ``se`` is the unpooled Wald SE ``sqrt(p_T(1-p_T)/n_T + p_C(1-p_C)/n_C)``, and the
    p-value the pooled two-proportion z test. The interval is Newcombe's hybrid score
    interval (method 10, from the two Wilson intervals ``(l_i, u_i)``)::

        [d - sqrt((p_T - l_T)^2 + (u_C - p_C)^2),  d + sqrt((u_T - p_T)^2 + (p_C - l_C)^2)]

    which keeps its coverage for the small cohorts of a SIB; ``method="wald"`` gives
    ``d +- z SE``.
    """
    t = _values(treated, "treated")
    c = _values(control, "control")
    if not (np.isin(t, (0.0, 1.0)).all() and np.isin(c, (0.0, 1.0)).all()):
        raise DataError("stats.not_binary", what=_word("outcome"))
    z = _z(confidence)
    x_t, x_c, n_t, n_c = float(t.sum()), float(c.sum()), t.size, c.size
    p_t, p_c = x_t / n_t, x_c / n_c
    d = p_t - p_c
    se = math.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
    pooled = (x_t + x_c) / (n_t + n_c)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    p_value = 1.0 if se0 == 0 else _normal_p(d / se0)
    if method == "newcombe":
        l_t, u_t = _wilson(x_t, n_t, z)
        l_c, u_c = _wilson(x_c, n_c, z)
        low = d - math.sqrt((p_t - l_t) ** 2 + (u_c - p_c) ** 2)
        high = d + math.sqrt((u_t - p_t) ** 2 + (p_c - l_c) ** 2)
        label = "difference in proportions (Newcombe hybrid score)"
    elif method == "wald":
        low, high = d - z * se, d + z * se
        label = "difference in proportions (Wald)"
    else:
        raise InputError("stats.invalid_option", name="method", value=method)
    return Effect(d, se, low, high, n_t, n_c, label, confidence, p_value)


# --- event rates ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Arm:
    """One group's event rate ``F = sum w y / sum w x`` and ``Var(log F)``."""

    rate: float
    var_log: float
    n: int


def _nb2_loglik(log_alpha: float, y: FloatArray, mu: FloatArray, w: FloatArray) -> float:
    theta = math.exp(-log_alpha)  # 1/alpha
    ll = (
        special.gammaln(y + theta)
        - special.gammaln(theta)
        - special.gammaln(y + 1)
        + theta * (np.log(theta) - np.log(theta + mu))
        + special.xlogy(y, mu)
        - y * np.log(theta + mu)
    )
    return float(np.dot(w, ll))


def nb2_dispersion(
    counts: npt.ArrayLike,
    means: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> float:
    """Maximum-likelihood NB2 overdispersion ``alpha`` (``Var(y) = mu + alpha mu^2``).

    ``means`` are the fitted means ``mu_i`` (here each group's rate times exposure, which
    are the NB2 ML estimates of the means when exposure is equal within a group). The
    (weighted) log-likelihood is maximised over ``log alpha`` in ``[-20, 6]`` by scipy's
    bounded Brent method (``scipy.optimize.minimize_scalar``) on the distinct
    ``(y, mu)`` pairs. Returns 0 when the counts are not overdispersed.
    """
    y = _counts(counts, "counts")
    mu = _like(means, y, "means")
    w = _like(weights, y, "weights")
    keep = w > 0
    pairs, inverse = np.unique(np.column_stack([y[keep], mu[keep]]), axis=0, return_inverse=True)
    freq = np.bincount(inverse.ravel(), weights=w[keep]).astype(np.float64)
    yy, mm = pairs[:, 0], np.maximum(pairs[:, 1], 1e-300)
    # method-of-moments check first: no overdispersion at all means alpha = 0
    if np.dot(freq, (yy - mm) ** 2 - yy) <= 0:
        return 0.0
    res = optimize.minimize_scalar(
        lambda la: -_nb2_loglik(la, yy, mm, freq),
        bounds=(-20.0, 6.0),
        method="bounded",
        options={"xatol": 1e-8},
    )
    alpha = math.exp(float(res.x))
    return 0.0 if alpha < 1e-8 else alpha


def _arm(y: FloatArray, x: FloatArray, w: FloatArray, model: str, alpha: float, group: str) -> _Arm:
    events = float(np.dot(w, y))
    person_time = float(np.dot(w, x))
    if events <= 0:
        raise ComputationError("stats.no_events", group=_word(f"{group} arm"))
    rate = events / person_time
    if model == "poisson":
        var_total = float(np.dot(w * w, rate * x))
    elif model == "negbin":
        var_total = float(np.dot(w * w, rate * x + alpha * (rate * x) ** 2))
    else:  # robust: sandwich for the ratio estimator, small-sample factor m/(m-1)
        m = int(np.count_nonzero(w))
        factor = m / (m - 1) if m > 1 else math.inf
        var_total = factor * float(np.dot(w * w, (y - rate * x) ** 2))
    return _Arm(rate=rate, var_log=var_total / events**2, n=y.size)


def _two_arms(
    treated_counts: npt.ArrayLike,
    control_counts: npt.ArrayLike,
    treated_exposure: npt.ArrayLike | None,
    control_exposure: npt.ArrayLike | None,
    control_weights: npt.ArrayLike | None,
    model: str,
) -> tuple[_Arm, _Arm, str]:
    if model not in ("poisson", "negbin", "robust"):
        raise InputError("stats.invalid_option", name="model", value=model)
    y_t = _counts(treated_counts, "treated counts")
    y_c = _counts(control_counts, "control counts")
    x_t = _like(treated_exposure, y_t, "treated exposure")
    x_c = _like(control_exposure, y_c, "control exposure")
    w_t = np.ones_like(y_t)
    w_c = _like(control_weights, y_c, "control weights")
    alpha = 0.0
    label = {"poisson": "Poisson", "robust": "robust (sandwich)"}.get(model, "")
    if model == "negbin":
        f_t = float(y_t.sum() / x_t.sum())
        f_c = float(np.dot(w_c, y_c) / np.dot(w_c, x_c))
        alpha = nb2_dispersion(
            np.concatenate([y_t, y_c]),
            np.concatenate([f_t * x_t, f_c * x_c]),
            np.concatenate([w_t, w_c]),
        )
        label = f"negative binomial NB2 (ML alpha = {alpha:.3g})"
    arm_t = _arm(y_t, x_t, w_t, model, alpha, "treated")
    arm_c = _arm(y_c, x_c, w_c, model, alpha, "control")
    return arm_t, arm_c, label


def _ratio_effect(
    arm_t: _Arm,
    rate_c: float,
    var_log_c: float,
    n_c: int,
    label: str,
    scale: Literal["ratio", "difference", "reduction"],
    interval: str,
    confidence: float,
) -> Effect:
    z = _z(confidence)
    rr = arm_t.rate / rate_c
    se_log = math.sqrt(arm_t.var_log + var_log_c)
    rr_low, rr_high = rr * math.exp(-z * se_log), rr * math.exp(z * se_log)
    p_value = _normal_p(math.log(rr) / se_log) if se_log > 0 else 0.0
    if scale == "ratio":
        estimate, se, low, high = rr, rr * se_log, rr_low, rr_high
        method = f"rate ratio, {label}, log-Wald interval"
    elif scale == "difference":
        estimate = arm_t.rate - rate_c
        se = math.sqrt(arm_t.rate**2 * arm_t.var_log + rate_c**2 * var_log_c)
        low, high = estimate - z * se, estimate + z * se
        method = f"rate difference, {label}, Wald interval"
    elif interval == "delta":
        estimate, se = 1 - rr, rr * se_log
        low, high = estimate - z * se, estimate + z * se
        method = f"relative reduction 1 - F_T/F_C, {label}, delta-method interval"
    elif interval == "log":
        estimate, se = 1 - rr, rr * se_log
        low, high = 1 - rr_high, 1 - rr_low
        method = f"relative reduction 1 - F_T/F_C, {label}, log-scale interval"
    else:
        raise InputError("stats.invalid_option", name="interval", value=interval)
    return Effect(
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        n_treated=arm_t.n,
        n_control=n_c,
        method=method,
        confidence=confidence,
        p_value=p_value,
        rate_ratio=rr,
        rate_ratio_ci_low=rr_low,
        rate_ratio_ci_high=rr_high,
    )


def rate_ratio(
    treated_counts: npt.ArrayLike,
    control_counts: npt.ArrayLike,
    *,
    treated_exposure: npt.ArrayLike | None = None,
    control_exposure: npt.ArrayLike | None = None,
    control_weights: npt.ArrayLike | None = None,
    model: RateModel = "negbin",
    confidence: float = 0.95,
) -> Effect:
    """Rate ratio ``RR = F_T / F_C`` with a Wald interval on the log scale.

    Each group's rate is ``F = sum w_i y_i / sum w_i x_i`` (counts ``y``, exposure ``x``,
    e.g. years at risk; matching weights ``w`` on the comparison group, 1 for treated), and::

        Var(log F) = sum w_i^2 V_i / (sum w_i y_i)^2
        V_i = F x_i                          model="poisson"  (unweighted: 1/events)
        V_i = F x_i + alpha (F x_i)^2        model="negbin"   (alpha: :func:`nb2_dispersion`)
        V_i = m/(m-1) (y_i - F x_i)^2        model="robust"   (sandwich, no count model)

    ``RR * exp(+-z sqrt(Var(log F_T) + Var(log F_C)))``. Unweighted Poisson equals
    ``statsmodels`` ``confint_poisson_2indep(method="wald-log")``. Reconviction counts
    are overdispersed, so the Poisson interval is too narrow for them: use ``negbin``
    or ``robust`` for payment decisions.
    """
    arm_t, arm_c, label = _two_arms(
        treated_counts, control_counts, treated_exposure, control_exposure, control_weights, model
    )
    return _ratio_effect(arm_t, arm_c.rate, arm_c.var_log, arm_c.n, label, "ratio", "", confidence)


def rate_difference(
    treated_counts: npt.ArrayLike,
    control_counts: npt.ArrayLike,
    *,
    treated_exposure: npt.ArrayLike | None = None,
    control_exposure: npt.ArrayLike | None = None,
    control_weights: npt.ArrayLike | None = None,
    model: RateModel = "negbin",
    confidence: float = 0.95,
) -> Effect:
    """Difference in event rates ``F_T - F_C`` (events per unit of exposure).

    ``SE = sqrt(F_T^2 Var(log F_T) + F_C^2 Var(log F_C))`` with the variances of
    :func:`rate_ratio`; normal (Wald) interval.
    """
    arm_t, arm_c, label = _two_arms(
        treated_counts, control_counts, treated_exposure, control_exposure, control_weights, model
    )
    return _ratio_effect(
        arm_t, arm_c.rate, arm_c.var_log, arm_c.n, label, "difference", "", confidence
    )


def relative_reduction(
    treated_counts: npt.ArrayLike,
    control_counts: npt.ArrayLike,
    *,
    treated_exposure: npt.ArrayLike | None = None,
    control_exposure: npt.ArrayLike | None = None,
    control_weights: npt.ArrayLike | None = None,
    model: RateModel = "negbin",
    interval: Literal["delta", "log"] = "delta",
    confidence: float = 0.95,
) -> Effect:
    """The Peterborough metric ``R = 1 - F_T / F_C`` (proportional reduction in frequency).

    Delta method: ``SE(R) = RR * SE(log RR)`` and ``R +- z SE(R)`` (``interval="delta"``);
    or the transformed log interval ``1 - RR exp(+-z SE(log RR))`` (``interval="log"``),
    which never goes above 1. Variances as in :func:`rate_ratio`.
    """
    arm_t, arm_c, label = _two_arms(
        treated_counts, control_counts, treated_exposure, control_exposure, control_weights, model
    )
    return _ratio_effect(
        arm_t, arm_c.rate, arm_c.var_log, arm_c.n, label, "reduction", interval, confidence
    )


def historical_baseline_rate(
    treated_counts: npt.ArrayLike,
    baseline_rate: float,
    *,
    treated_exposure: npt.ArrayLike | None = None,
    baseline_events: float | None = None,
    baseline_se_log: float | None = None,
    model: RateModel = "negbin",
    interval: Literal["delta", "log"] = "delta",
    confidence: float = 0.95,
) -> Effect:
    """Relative reduction ``R = 1 - F_T / baseline_rate`` against a historical rate.

    The baseline is fixed and known (no sampling error) unless ``baseline_events`` (the
    event count it was estimated from: ``Var(log rate) = 1/events``, Poisson) or
    ``baseline_se_log`` (its standard error on the log scale, e.g. from an overdispersed
    fit) is given. The treated group's variance follows ``model`` as in
    :func:`rate_ratio`; for ``negbin`` the dispersion is fitted on the treated counts.
    """
    if model not in ("poisson", "negbin", "robust"):
        raise InputError("stats.invalid_option", name="model", value=model)
    if not (math.isfinite(baseline_rate) and baseline_rate > 0):
        raise InputError("stats.invalid_parameter", name="baseline_rate", value=baseline_rate)
    y = _counts(treated_counts, "treated counts")
    x = _like(treated_exposure, y, "treated exposure")
    w = np.ones_like(y)
    alpha, label = 0.0, {"poisson": "Poisson", "robust": "robust (sandwich)"}.get(model, "")
    if model == "negbin":
        alpha = nb2_dispersion(y, y.sum() / x.sum() * x)
        label = f"negative binomial NB2 (ML alpha = {alpha:.3g})"
    var_log_c = 0.0
    if baseline_se_log is not None:
        var_log_c = float(baseline_se_log) ** 2
    elif baseline_events is not None:
        if not baseline_events > 0:
            raise InputError(
                "stats.invalid_parameter", name="baseline_events", value=baseline_events
            )
        var_log_c = 1.0 / float(baseline_events)
    arm_t = _arm(y, x, w, model, alpha, "treated")
    effect = _ratio_effect(
        arm_t, baseline_rate, var_log_c, 0, label, "reduction", interval, confidence
    )
    fixed = "fixed" if var_log_c == 0 else "estimated"
    return replace(effect, method=f"{effect.method}, vs {fixed} historical baseline")


# --- bootstrap -----------------------------------------------------------------------


def mean_difference(treated: FloatArray, control: FloatArray) -> FloatArray:
    """Bootstrap statistic ``mean_T - mean_C`` along the last axis."""
    return np.asarray(treated.mean(axis=-1) - control.mean(axis=-1), dtype=np.float64)


def mean_reduction(treated: FloatArray, control: FloatArray) -> FloatArray:
    """Bootstrap statistic ``1 - mean_T / mean_C`` (Peterborough ``R``, equal exposure)."""
    return np.asarray(1.0 - treated.mean(axis=-1) / control.mean(axis=-1), dtype=np.float64)


_BLOCK = 100_000  # elements per resampling block: ~0.8 MB arrays stay cache- and allocator-friendly


def _replicates(
    t: FloatArray, c: FloatArray, statistic: Statistic, n_resamples: int, rng: np.random.Generator
) -> FloatArray:
    """Resample each group with replacement, ``block`` rows at a time.

    The treated and control index streams come from two child generators, so the result
    does not depend on the block size.
    """
    g_t, g_c = rng.spawn(2)
    rows = max(1, _BLOCK // (t.size + c.size))
    out = np.empty(n_resamples)
    for start in range(0, n_resamples, rows):
        b = min(rows, n_resamples - start)
        it = g_t.integers(0, t.size, size=(b, t.size))
        ic = g_c.integers(0, c.size, size=(b, c.size))
        out[start : start + b] = statistic(t[it], c[ic])
    return out


def _jackknife(
    values: FloatArray, other: FloatArray, statistic: Statistic, first: bool
) -> FloatArray:
    """Leave-one-out statistics over ``values`` with ``other`` held fixed."""
    n = values.size
    rows = max(1, _BLOCK // max(n + other.size, 1))
    out = np.empty(n)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        idx = np.arange(start, stop)
        keep = np.arange(n - 1)[None, :]
        loo = values[keep + (keep >= idx[:, None])]
        fixed = np.broadcast_to(other, (stop - start, other.size))
        out[start:stop] = statistic(loo, fixed) if first else statistic(fixed, loo)
    return out


def bootstrap(
    treated: npt.ArrayLike,
    control: npt.ArrayLike,
    statistic: Statistic = mean_difference,
    *,
    rng: np.random.Generator | int,
    n_resamples: int = 2000,
    method: Literal["bca", "percentile"] = "bca",
    confidence: float = 0.95,
) -> Effect:
    """Bootstrap interval for ``statistic(treated, control)``, resampling each group.

    ``statistic`` takes two arrays whose last axis holds the people and returns one value
    per row (vectorised, e.g. :func:`mean_difference`, :func:`mean_reduction`). ``rng`` is
    a seeded ``numpy.random.Generator`` or a seed. ``se`` is the SD of the replicates.

    * percentile: the ``(1-c)/2`` and ``(1+c)/2`` quantiles of the replicates;
    * BCa (Efron 1987): quantiles at ``Phi(z0 + (z0 + z_q)/(1 - a (z0 + z_q)))`` with
      bias correction ``z0 = Phi^-1(share of replicates below the estimate, ties half)``
      and acceleration ``a = sum (m - j_i)^3 / (6 (sum (m - j_i)^2)^1.5)`` from the
      leave-one-out (jackknife) statistics ``j_i`` of each group, ``m`` their group mean.

    For matching *with* replacement the naive bootstrap is not valid (Abadie & Imbens
    2008); resample matched sets instead.
    """
    t = _values(treated, "treated", minimum=2)
    c = _values(control, "control", minimum=2)
    z = _z(confidence)
    if n_resamples < 100:
        raise InputError("stats.invalid_parameter", name="n_resamples", value=n_resamples)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    estimate = float(statistic(t[None, :], c[None, :])[0])
    reps = _replicates(t, c, statistic, n_resamples, gen)
    if not np.all(np.isfinite(reps)):
        raise ComputationError("stats.bootstrap_not_finite", what=_word("bootstrap"))
    q = np.array([(1 - confidence) / 2, (1 + confidence) / 2])
    if method == "bca":
        share = np.count_nonzero(reps < estimate) + 0.5 * np.count_nonzero(reps == estimate)
        z0 = float(stats.norm.ppf(share / n_resamples))
        num, den = 0.0, 0.0
        for jack in (_jackknife(t, c, statistic, True), _jackknife(c, t, statistic, False)):
            dev = jack.mean() - jack
            num += float(np.sum(dev**3))
            den += float(np.sum(dev**2))
        a = num / (6.0 * den**1.5) if den > 0 else 0.0
        zq = np.array([-z, z])
        q = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
        label = f"bootstrap BCa ({n_resamples} resamples)"
    elif method == "percentile":
        label = f"bootstrap percentile ({n_resamples} resamples)"
    else:
        raise InputError("stats.invalid_option", name="method", value=method)
    if not np.all(np.isfinite(q)):
        raise ComputationError("stats.bootstrap_not_finite", what=_word("bootstrap"))
    low, high = np.quantile(reps, q)
    return Effect(
        estimate=estimate,
        se=float(reps.std(ddof=1)),
        ci_low=float(low),
        ci_high=float(high),
        n_treated=t.size,
        n_control=c.size,
        method=label,
        confidence=confidence,
    )


# --- difference-in-differences -------------------------------------------------------


def _binary(x: npt.ArrayLike, what: str, n: int) -> FloatArray:
    a = np.asarray(x).ravel()
    if a.size != n:
        raise DataError("stats.length_mismatch", what=_word(what), expected=n, got=a.size)
    a = a.astype(np.float64)
    if not np.isin(a, (0.0, 1.0)).all():
        raise DataError("stats.not_binary", what=_word(what))
    return a


def difference_in_differences(
    outcome: npt.ArrayLike,
    treated_group: npt.ArrayLike,
    post_period: npt.ArrayLike,
    *,
    cluster: npt.ArrayLike | None = None,
    se: Literal["robust", "classical"] = "robust",
    confidence: float = 0.95,
) -> Effect:
    """2 × 2 difference-in-differences from group and period columns (one row per
    person-period).

    OLS of ``y = b0 + b1 G + b2 P + b3 G P``; the effect is the interaction coefficient
    ``b3 = (ybar_11 - ybar_10) - (ybar_01 - ybar_00)``. Standard errors:

    * ``cluster`` given (e.g. person ids when people appear in both periods): CR1,
      ``V = G/(G-1) (n-1)/(n-4) (X'X)^-1 [sum_g X_g'e_g e_g'X_g] (X'X)^-1``, t with
      ``G - 1`` df;
    * otherwise ``se="robust"``: HC1, ``n/(n-4) (X'X)^-1 [sum e_i^2 x_i x_i'] (X'X)^-1``;
      ``se="classical"``: ``s^2 (X'X)^-1``; t with ``n - 4`` df.
    """
    y = _values(outcome, "outcome")
    g = _binary(treated_group, "treated_group", y.size)
    p = _binary(post_period, "post_period", y.size)
    _z(confidence)
    for gv in (0.0, 1.0):
        for pv in (0.0, 1.0):
            if not np.any((g == gv) & (p == pv)):
                raise DataError("stats.did_cell_empty", group=int(gv), period=int(pv))
    X = np.column_stack([np.ones_like(y), g, p, g * p])
    n, k = X.shape
    if n <= k:
        raise DataError("stats.too_few", what=_word("observations"), count=n, minimum=k + 1)
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ (X.T @ y)
    e = y - X @ beta
    if cluster is not None:
        ids = np.asarray(cluster).ravel()
        if ids.size != n:
            raise DataError(
                "stats.length_mismatch", what=_word("cluster"), expected=n, got=ids.size
            )
        _, groups = np.unique(ids, return_inverse=True)
        n_groups = int(groups.max()) + 1
        if n_groups < 2:
            raise DataError("stats.too_few", what=_word("clusters"), count=n_groups, minimum=2)
        scores = np.zeros((n_groups, k))
        np.add.at(scores, groups.ravel(), X * e[:, None])
        factor = n_groups / (n_groups - 1) * (n - 1) / (n - k)
        cov = factor * bread @ (scores.T @ scores) @ bread
        df = n_groups - 1
        label = (
            f"difference-in-differences (OLS interaction, cluster-robust CR1, {n_groups} clusters)"
        )
    elif se == "robust":
        cov = n / (n - k) * bread @ ((X * (e**2)[:, None]).T @ X) @ bread
        df = n - k
        label = "difference-in-differences (OLS interaction, robust HC1)"
    elif se == "classical":
        cov = float(e @ e) / (n - k) * bread
        df = n - k
        label = "difference-in-differences (OLS interaction, classical)"
    else:
        raise InputError("stats.invalid_option", name="se", value=se)
    estimate, s = float(beta[3]), math.sqrt(float(cov[3, 3]))
    if s == 0:
        raise ComputationError("stats.no_variation", what=_word("difference-in-differences"))
    q = float(stats.t.isf((1 - confidence) / 2, df))
    return Effect(
        estimate=estimate,
        se=s,
        ci_low=estimate - q * s,
        ci_high=estimate + q * s,
        n_treated=int(np.count_nonzero(g)),
        n_control=int(n - np.count_nonzero(g)),
        method=label,
        confidence=confidence,
        p_value=float(2 * stats.t.sf(abs(estimate) / s, df)),
    )
