"""Numbers that may be uncertain: a plain number, or a distribution.

Any numeric input of a contract that the engine computes with is a ``Quantity``: either
a number (``0.45``) or a table naming a distribution (``{ dist = "beta", mean = 0.45,
sd = 0.10 }``). A distribution may carry an ``id`` so that correlations
(``[[uncertainty.correlations]]``) and portfolio shocks can refer to it.

``expected(q)`` gives the value the deterministic business case uses: the mean of the
distribution (the mode for a triangular one is *not* used; the mean is). ``support(q)`` is
the range it draws from, ``probability_outside(q, low, high)`` its mass beyond an interval.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from effekt.contract.base import AMOUNT, MAX_AMOUNT, MAX_PERSONS

__all__ = [
    "AmountQuantity",
    "PersonsQuantity",
    "Beta",
    "Distribution",
    "Empirical",
    "Lognormal",
    "Normal",
    "Quantity",
    "Triangular",
    "Uniform",
    "expected",
    "probability_outside",
    "support",
    "variance",
]


class _Dist(BaseModel):
    # strict: as the contract's tables (contract.base.Strict), text is never a number
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    id: str | None = Field(
        None,
        description="Name of this uncertain input, for correlations and portfolio shocks.",
        pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$",
    )
    note: str | None = Field(None, description="Where the distribution comes from.")


class Beta(_Dist):
    """A beta distribution on [0, 1], given by its mean and standard deviation."""

    dist: Literal["beta"] = Field(description='The kind of distribution: "beta".')
    mean: float = Field(description="Mean, strictly between 0 and 1.", gt=0, lt=1)
    sd: float = Field(description="Standard deviation, ≥ 0.", ge=0)

    @model_validator(mode="after")
    def _feasible(self) -> Beta:
        if self.sd > 0 and self.sd * self.sd >= self.mean * (1 - self.mean):
            raise ValueError("beta_sd_too_large")
        return self

    def shape(self) -> tuple[float, float]:
        """The (alpha, beta) parameters: k = m(1−m)/sd² − 1, α = m·k, β = (1−m)·k."""
        k = self.mean * (1 - self.mean) / self.sd**2 - 1
        return self.mean * k, (1 - self.mean) * k


class Normal(_Dist):
    """A normal distribution (optionally truncated at ``low``/``high``)."""

    dist: Literal["normal"] = Field(description='The kind of distribution: "normal".')
    mean: float = Field(description="Mean.")
    sd: float = Field(description="Standard deviation, ≥ 0.", ge=0)
    low: float | None = Field(None, description="Draws below this are clipped to it.")
    high: float | None = Field(None, description="Draws above this are clipped to it.")


class Lognormal(_Dist):
    """A lognormal distribution given by the mean and sd of the variable itself."""

    dist: Literal["lognormal"] = Field(description='The kind of distribution: "lognormal".')
    mean: float = Field(description="Mean of the variable, > 0.", gt=0)
    sd: float = Field(description="Standard deviation of the variable, ≥ 0.", ge=0)

    def log_params(self) -> tuple[float, float]:
        """(μ, σ) of log X: σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2."""
        cv = self.sd / self.mean
        s2 = math.log1p(cv * cv)
        return math.log(self.mean) - s2 / 2, math.sqrt(s2)


class Triangular(_Dist):
    """A triangular distribution from ``low`` through ``mode`` to ``high``."""

    dist: Literal["triangular"] = Field(description='The kind of distribution: "triangular".')
    low: float = Field(description="Smallest value.")
    mode: float = Field(description="Most likely value.")
    high: float = Field(description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError("triangular_order")
        return self


class Uniform(_Dist):
    """A uniform distribution on [``low``, ``high``]."""

    dist: Literal["uniform"] = Field(description='The kind of distribution: "uniform".')
    low: float = Field(description="Smallest value.")
    high: float = Field(description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError("uniform_order")
        return self


class Empirical(_Dist):
    """Draws with equal probability from observed ``values`` (e.g. past years)."""

    dist: Literal["empirical"] = Field(description='The kind of distribution: "empirical".')
    values: list[float] = Field(description="The observed values.", min_length=1)


Distribution = Annotated[
    Beta | Normal | Lognormal | Triangular | Uniform | Empirical,
    Field(discriminator="dist"),
]


def _quantity_branch(value: Any) -> str:
    return "distribution" if isinstance(value, dict | BaseModel) else "number"


Quantity = Annotated[
    Annotated[float, Tag("number")] | Annotated[Distribution, Tag("distribution")],
    Discriminator(_quantity_branch),
]

#: A price or a cost: a number at most ``MAX_AMOUNT`` (a negative one is reported by the
#: cross-field checks), or a distribution, whose mean the checks keep within [0, MAX_AMOUNT]
#: (``contract.domain``).
AmountQuantity = Annotated[
    Annotated[float, Field(le=MAX_AMOUNT), Tag("number")]
    | Annotated[Distribution, Tag("distribution")],
    Discriminator(_quantity_branch),
    AMOUNT,
]

#: A number of persons: at most ``MAX_PERSONS`` as a number; a distribution's mean is kept
#: within [0, MAX_PERSONS] by the checks (``contract.domain``).
PersonsQuantity = Annotated[
    Annotated[float, Field(le=MAX_PERSONS), Tag("number")]
    | Annotated[Distribution, Tag("distribution")],
    Discriminator(_quantity_branch),
]


def expected(q: Quantity) -> float:
    """The mean of ``q`` (``q`` itself for a plain number)."""
    if isinstance(q, int | float):
        return float(q)
    if isinstance(q, Beta | Normal | Lognormal):
        if isinstance(q, Normal) and (q.low is not None or q.high is not None) and q.sd > 0:
            return _clipped_normal_mean(q)
        return q.mean
    if isinstance(q, Triangular):
        return (q.low + q.mode + q.high) / 3
    if isinstance(q, Uniform):
        return (q.low + q.high) / 2
    return sum(q.values) / len(q.values)


def variance(q: Quantity) -> float:
    """The variance of ``q`` (0 for a plain number); ``inf`` rather than OverflowError for
    huge inputs (``x * x`` overflows to inf where ``x ** 2`` raises)."""
    if isinstance(q, int | float):
        return 0.0
    if isinstance(q, Beta | Normal | Lognormal):
        return q.sd * q.sd
    if isinstance(q, Triangular):
        a, c, b = q.low, q.mode, q.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    if isinstance(q, Uniform):
        return (q.high - q.low) * (q.high - q.low) / 12
    m = expected(q)
    return sum((v - m) * (v - m) for v in q.values) / len(q.values)


def support(q: Distribution) -> tuple[float, float]:
    """The smallest and largest value ``q`` can draw."""
    if isinstance(q, Beta):
        return (0.0, 1.0)
    if isinstance(q, Lognormal):
        return (0.0, math.inf)
    if isinstance(q, Normal):
        low, high = q.low, q.high
        return (-math.inf if low is None else low, math.inf if high is None else high)
    if isinstance(q, Triangular | Uniform):
        return (q.low, q.high)
    return (min(q.values), max(q.values))


def probability_outside(q: Quantity, low: float, high: float) -> float:
    """P(X < low or X > high) for X drawn from ``q`` (a plain number: 0 or 1).

    A normal's own ``low``/``high`` clip it, so its mass beyond them sits on them; a
    distribution with no spread is its expected value.
    """
    if isinstance(q, int | float) or variance(q) == 0:
        x = expected(q)
        return 0.0 if low <= x <= high else 1.0
    lowest, highest = support(q)
    if low <= lowest and highest <= high:
        return 0.0
    if lowest >= highest:  # a normal clipped to a single point outside
        return 1.0
    outside = _cdf_below(q, low) + 1.0 - _cdf_below(q, high, inclusive=True)
    return min(max(outside, 0.0), 1.0)


def _cdf_below(q: Distribution, x: float, inclusive: bool = False) -> float:
    """P(X < x), or P(X ≤ x) when ``inclusive``; ``q`` spreads over more than one value."""
    from statistics import NormalDist

    lowest, highest = support(q)
    if x < lowest or (x == lowest and not inclusive):
        return 0.0
    if x > highest or (x == highest and inclusive):
        return 1.0
    if isinstance(q, Normal):  # the mass clipped onto ``low`` lies below x, that on ``high`` not
        return NormalDist(q.mean, q.sd).cdf(x)
    if isinstance(q, Lognormal):
        mu, sigma = q.log_params()
        return NormalDist(mu, sigma).cdf(math.log(x)) if x > 0 else 0.0
    if isinstance(q, Uniform):
        return (x - q.low) / (q.high - q.low)
    if isinstance(q, Triangular):
        a, c, b = q.low, q.mode, q.high
        if x <= c and c > a:
            return (x - a) * (x - a) / ((b - a) * (c - a))
        return 1.0 - (b - x) * (b - x) / ((b - a) * (b - c))
    if isinstance(q, Beta):
        from scipy.special import betainc

        return float(betainc(*q.shape(), x))
    hits = sum(v < x or (inclusive and v == x) for v in q.values)
    return hits / len(q.values)


def _clipped_normal_mean(q: Normal) -> float:
    """Mean of a normal clipped (not truncated) at [low, high]."""
    from statistics import NormalDist

    nd = NormalDist()
    lo = -math.inf if q.low is None else (q.low - q.mean) / q.sd
    hi = math.inf if q.high is None else (q.high - q.mean) / q.sd
    p_lo = nd.cdf(lo) if lo > -math.inf else 0.0
    p_hi = 1 - nd.cdf(hi) if hi < math.inf else 0.0
    inner = q.mean * (1 - p_lo - p_hi) + q.sd * (
        (nd.pdf(lo) if lo > -math.inf else 0.0) - (nd.pdf(hi) if hi < math.inf else 0.0)
    )
    return inner + (q.low or 0.0) * p_lo + (q.high or 0.0) * p_hi
