"""Draws of every uncertain contract input for a chunk of paths (Gaussian copula).

Each distribution is drawn by its inverse CDF from a uniform, so correlations work the
same way for every marginal:

1. standard normals ``Z`` (paths × variables), one column per uncertain input;
2. correlated by the lower Cholesky factor ``L`` of the copula's correlation matrix,
   ``Z · Lᵀ`` (the nearest positive semi-definite matrix if the file's is not);
3. portfolio shocks mixed in: ``z = Σ_k λ_k·s_k + sqrt(1 − Σ_k λ_k²)·ε`` with a shared
   standard normal ``s_k`` per shock and path;
4. ``u = Φ(z)`` and each marginal's inverse CDF (normal and lognormal straight from
   ``z``, which is the same distribution without the round trip). The beta's inverse CDF
   has no closed form; it is inverted numerically by UNU.RAN's PINV (scipy's
   ``NumericalInversePolynomial``: a polynomial interpolation of the inverse CDF built
   once per shape, about 70 times faster than ``stats.beta.ppf``) to a u-resolution of
   10⁻¹², on the mirrored shape (a ≤ b) for densities smooth at both ends and not needle-thin;
   scipy's exact ``ppf`` elsewhere and where PINV cannot reach that accuracy.

The file's ``rho`` is a **rank** (Spearman) correlation; the copula uses the normal
correlation ``2·sin(π·rho/6)`` that gives exactly that rank correlation for continuous
marginals. A distribution with an ``id`` is one variable wherever it appears; one
without is its own variable (a metric's baseline that defaults to its expected rate is
the same variable). A distribution with zero variance gives its expected value exactly,
so a simulation with no uncertainty reproduces the deterministic business case.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from effekt.contract.model import Contract
from effekt.contract.quantity import (
    Beta,
    Distribution,
    Empirical,
    Lognormal,
    Normal,
    Quantity,
    Triangular,
    Uniform,
    expected,
    support,
)
from effekt.engine.inputs import Inputs, input_domain, quantity_fields

__all__ = [
    "SamplingPlan",
    "Variable",
    "inverse_cdf",
    "correlated_normals",
    "nearest_correlation",
    "quantile",
    "sample_inputs",
    "sampling_plan",
    "support",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Variable:
    """One uncertain input: its distribution and every field path that reads it."""

    name: str  # the distribution's id, else the first field path that reads it
    dist: Distribution
    paths: tuple[str, ...]


@dataclass(frozen=True)
class SamplingPlan:
    """How to draw a contract's inputs: the variables, the constants and the copula."""

    variables: tuple[Variable, ...]
    constants: dict[str, float]
    chol: FloatArray  # (V, V) lower Cholesky factor of the copula correlation
    loadings: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))  # (shocks, V)
    #: field path → (low, high) for the inputs whose distribution reaches outside the
    #: input's domain (:func:`input_domain`): their draws are clipped to it
    clip: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]


def _is_constant(q: Quantity) -> bool:
    return isinstance(q, int | float) or no_spread(q)


def no_spread(q: Distribution) -> bool:
    """Whether ``q`` has a single value (sd 0, low = high, or all values equal)."""
    if isinstance(q, Beta | Normal | Lognormal):
        return q.sd == 0.0
    if isinstance(q, Triangular | Uniform):
        return q.low == q.high
    return min(q.values) == max(q.values)


def sampling_plan(
    c: Contract, shocks: Mapping[str, Mapping[str, float]] | None = None
) -> SamplingPlan:
    """The variables of ``c``, its constants, the copula and the shock loadings.

    ``shocks``: shock id → {distribution id → loading} for this contract (portfolio
    loadings with the contract prefix removed); ids the engine does not read are ignored.
    """
    constants: dict[str, float] = {}
    groups: dict[str, tuple[Distribution, list[str]]] = {}
    by_object: dict[int, str] = {}
    for path, q in quantity_fields(c):
        if _is_constant(q):
            constants[path] = expected(q)
            continue
        assert not isinstance(q, int | float)
        key = q.id if q.id is not None else by_object.get(id(q), path)
        by_object[id(q)] = key
        if key in groups:
            groups[key][1].append(path)
        else:
            groups[key] = (q, [path])
    variables = tuple(Variable(k, d, tuple(p)) for k, (d, p) in groups.items())
    index = {v.name: i for i, v in enumerate(variables)}
    corr = np.eye(len(variables))
    for cor in c.uncertainty.correlations:
        a, b = cor.between
        if a in index and b in index and a != b:
            r = 2.0 * math.sin(math.pi * cor.rho / 6.0)
            corr[index[a], index[b]] = corr[index[b], index[a]] = r
    chol = np.asarray(
        np.linalg.cholesky(nearest_correlation(corr)) if variables else np.eye(0), dtype=np.float64
    )
    shock_list = list((shocks or {}).values())
    loadings = np.zeros((len(shock_list), len(variables)))
    for s, loads in enumerate(shock_list):
        for name, lam in loads.items():
            if name in index:
                loadings[s, index[name]] = lam
    total = (loadings**2).sum(axis=0)
    over = total > 1.0
    if over.any():  # loadings whose squares exceed 1 are scaled to a unit total
        loadings[:, over] /= np.sqrt(total[over])
    clip: dict[str, tuple[float, float]] = {}
    for v in variables:
        lowest, highest = support(v.dist)
        for path in v.paths:
            low, high = input_domain(c, path)
            if lowest < low or highest > high:
                clip[path] = (low, high)
    return SamplingPlan(variables, constants, chol, loadings, clip)


def nearest_correlation(corr: FloatArray, floor: float = 1e-10) -> FloatArray:
    """``corr`` if it is positive definite, else the nearest one by eigenvalue clipping.

    Eigenvalues below ``floor`` are raised to it and the diagonal rescaled to 1 (a
    matrix with rho = ±1 is only semi-definite; the floor keeps Cholesky defined).
    """
    try:
        np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh((corr + corr.T) / 2)
        fixed = (v * np.maximum(w, floor)) @ v.T
        d = np.sqrt(np.diag(fixed))
        out = fixed / np.outer(d, d)
        np.fill_diagonal(out, 1.0)
        return np.asarray(out, dtype=np.float64)
    return corr


def inverse_cdf(q: Distribution, z: FloatArray) -> FloatArray:
    """Values of ``q`` at standard normal scores ``z`` (its quantiles at u = Φ(z))."""
    if no_spread(q):
        return np.full(z.shape, expected(q))
    if isinstance(q, Normal):
        x = q.mean + q.sd * z
        if q.low is not None or q.high is not None:
            x = np.clip(x, q.low, q.high)
        return np.asarray(x, dtype=np.float64)
    if isinstance(q, Lognormal):
        mu, sigma = q.log_params()
        return np.asarray(np.exp(mu + sigma * z), dtype=np.float64)
    u = np.asarray(special.ndtr(z), dtype=np.float64)
    return quantile(q, u)


def quantile(q: Distribution, u: FloatArray) -> FloatArray:
    """The inverse CDF of ``q`` at probabilities ``u``."""
    if no_spread(q):
        return np.full(np.shape(u), expected(q))
    if isinstance(q, Normal | Lognormal):
        return inverse_cdf(q, np.asarray(special.ndtri(u), dtype=np.float64))
    if isinstance(q, Beta):
        a, b = (float(x) for x in q.shape())
        fast = _beta_inverse(min(a, b), max(a, b))
        if fast is None:
            return np.asarray(stats.beta.ppf(u, a, b), dtype=np.float64)
        x = 1.0 - fast(1.0 - u) if a > b else fast(u)  # a > b: X = 1 − Beta(b, a)
        return np.asarray(np.clip(x, 0.0, 1.0), dtype=np.float64)
    if isinstance(q, Triangular):
        lo, mode, hi = q.low, q.mode, q.high
        cut = (mode - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
        return np.asarray(np.where(u < cut, left, right), dtype=np.float64)
    if isinstance(q, Uniform):
        return np.asarray(q.low + (q.high - q.low) * u, dtype=np.float64)
    assert isinstance(q, Empirical)
    values = np.asarray(q.values, dtype=np.float64)
    k = np.minimum((u * len(values)).astype(np.int64), len(values) - 1)
    return np.asarray(values[k], dtype=np.float64)


#: PINV's maximal error in probability: far below any Monte Carlo standard error.
PINV_U_RESOLUTION = 1e-12


#: The shapes (a ≤ b after mirroring) where PINV is built fast and reliably: a density
#: smooth at both ends (a ≥ 2: no pole, no infinite slope) and not needle-thin (b ≤ 500).
#: Outside them UNU.RAN's set-up can take minutes (Beta(1.16, 1.73) took 200 s and then
#: failed) or fail, so scipy's exact ppf is used.
PINV_SHAPES = (2.0, 500.0)


class _BetaDensity:
    """Beta(a, b)'s density on (0, 1) for UNU.RAN: plain floats, no frozen-scipy overhead."""

    def __init__(self, a: float, b: float) -> None:
        self.a, self.b = a, b
        self.log_norm = float(special.betaln(a, b))

    def logpdf(self, x: float) -> float:
        if not 0.0 < x < 1.0:
            return -math.inf
        return (self.a - 1.0) * math.log(x) + (self.b - 1.0) * math.log1p(-x) - self.log_norm

    def pdf(self, x: float) -> float:
        return math.exp(self.logpdf(x)) if 0.0 < x < 1.0 else 0.0

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)


@functools.lru_cache(maxsize=128)
def _beta_inverse(a: float, b: float) -> Callable[[FloatArray], FloatArray] | None:
    """The numerical inverse CDF of Beta(a, b) with a ≤ b (PINV), or None where it is not
    used: outside :data:`PINV_SHAPES` or where UNU.RAN cannot reach the accuracy.

    The caller mirrors a > b (``1 − Beta(b, a)``), so the mass PINV sees lies towards 0,
    where floating point resolves it. Built once per shape and process (deterministic:
    every worker builds the same one).
    """
    from scipy.stats.sampling import NumericalInversePolynomial

    low, high = PINV_SHAPES
    if not low <= a <= b <= high:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # UNU.RAN warns when it misses the accuracy
        try:
            gen = NumericalInversePolynomial(
                _BetaDensity(a, b),
                domain=(0.0, 1.0),
                u_resolution=PINV_U_RESOLUTION,
                random_state=0,
            )
        except Exception:  # noqa: BLE001 - any failure falls back to the exact ppf
            return None
    inverse: Callable[[FloatArray], FloatArray] = gen.ppf
    return inverse


def correlated_normals(
    plan: SamplingPlan, rng: np.random.Generator, n: int, shocks: FloatArray | None = None
) -> FloatArray:
    """Standard normal scores (n, V) with the copula's correlation and the shocks mixed in.

    ``shocks`` (n, S) are the portfolio's shared standard normals for these paths.
    """
    V = len(plan.variables)
    eps = rng.standard_normal((n, V)) @ plan.chol.T if V else np.zeros((n, 0))
    if shocks is None or plan.loadings.size == 0:
        return np.asarray(eps, dtype=np.float64)
    lam = plan.loadings  # (S, V)
    rest = np.sqrt(np.maximum(1.0 - (lam**2).sum(axis=0), 0.0))
    return np.asarray(shocks @ lam + eps * rest, dtype=np.float64)


def sample_inputs(
    plan: SamplingPlan, rng: np.random.Generator, n: int, shocks: FloatArray | None = None
) -> Inputs:
    """Every engine input for ``n`` paths: the variables drawn, the constants repeated."""
    z = correlated_normals(plan, rng, n, shocks)
    out: Inputs = {path: np.full(n, value) for path, value in plan.constants.items()}
    for i, var in enumerate(plan.variables):
        x = inverse_cdf(var.dist, np.ascontiguousarray(z[:, i]))
        for path in var.paths:
            out[path] = np.clip(x, *plan.clip[path]) if path in plan.clip else x
    return out
