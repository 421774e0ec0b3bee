"""Rosenbaum bounds: how strong would hidden bias have to be to explain the effect away?

For matched pairs with outcome differences ``d = treated - control``, Wilcoxon's
signed-rank statistic is ``T = sum of the ranks of |d| over pairs with d > 0`` (pairs with
``d = 0`` dropped, tied ``|d|`` given average ranks). If an unobserved covariate could make
the odds of treatment within a pair differ by a factor of at most ``Γ``, the one-sided
p-value of ``T`` lies between the values from the normal approximations with
``p+ = Γ / (1 + Γ)`` (upper bound) and ``p- = 1 / (1 + Γ)`` (lower bound)::

    E(T) = p · Σ ranks,    Var(T) = p (1 - p) · Σ ranks²,    p-value = 1 - Φ((T - E) / √Var)

This is Rosenbaum (2002, *Observational Studies*, §4.3) as computed by R's ``rbounds``
(``psens``, Keele 2010), including its handling of zeros and ties. ``critical_gamma`` is
the Γ at which the upper bound first exceeds ``alpha`` — the study's sensitivity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.stats
from numpy.typing import ArrayLike, NDArray

from effekt.errors import DataError
from effekt.i18n import Phrase

__all__ = ["RosenbaumBounds", "critical_gamma", "rosenbaum_bounds"]


@dataclass(frozen=True)
class RosenbaumBounds:
    """Bounds on the one-sided p-value for each ``gamma``, and the sensitivity Γ."""

    gamma: NDArray[np.float64]
    p_lower: NDArray[np.float64]
    p_upper: NDArray[np.float64]
    statistic: float
    n_pairs: int
    alpha: float
    critical_gamma: float


def _signed_ranks(differences: ArrayLike) -> tuple[float, NDArray[np.float64], int]:
    d = np.asarray(differences, dtype=np.float64)
    if d.ndim != 1 or not np.all(np.isfinite(d)):
        raise DataError("evaluation.not_finite", what=Phrase("stats.what.matched_differences"))
    n = d.shape[0]
    d = d[d != 0.0]
    if d.shape[0] == 0:
        raise DataError("evaluation.too_few_pairs")
    ranks = scipy.stats.rankdata(np.abs(d), method="average").astype(np.float64)
    return float(np.sum(ranks[d > 0])), ranks, n


def _p_upper(t: float, ranks: NDArray[np.float64], gamma: float) -> float:
    p = gamma / (1.0 + gamma)
    mean = p * float(ranks.sum())
    sd = math.sqrt(p * (1.0 - p) * float(np.sum(ranks * ranks)))
    return float(scipy.stats.norm.sf((t - mean) / sd))


def critical_gamma(differences: ArrayLike, alpha: float = 0.05, max_gamma: float = 1e3) -> float:
    """The Γ at which the upper-bound p-value reaches ``alpha`` (1.0 if not significant).

    Returns ``1.0`` when the effect is not significant even without hidden bias and
    ``inf`` when it stays significant up to ``max_gamma``.
    """
    t, ranks, _ = _signed_ranks(differences)
    if _p_upper(t, ranks, 1.0) >= alpha:
        return 1.0
    if _p_upper(t, ranks, max_gamma) < alpha:
        return math.inf
    root = scipy.optimize.brentq(
        lambda g: _p_upper(t, ranks, g) - alpha, 1.0, max_gamma, xtol=1e-10, rtol=1e-12
    )
    return float(root)


def rosenbaum_bounds(
    treated_outcome: ArrayLike,
    control_outcome: ArrayLike,
    *,
    gamma_max: float = 3.0,
    gamma_step: float = 0.1,
    alpha: float = 0.05,
) -> RosenbaumBounds:
    """p-value bounds for Γ = 1, 1 + step, …, ``gamma_max`` for matched pairs.

    >>> b = rosenbaum_bounds([5.0, 1.0, 4.0, 7.0, 6.0], [2.0, 2.0, 2.0, 2.0, 2.0],
    ...                      gamma_max=2.0, gamma_step=1.0)
    >>> [round(float(p), 4) for p in b.p_upper]
    [0.0398, 0.1263]
    """
    yt = np.asarray(treated_outcome, dtype=np.float64)
    yc = np.asarray(control_outcome, dtype=np.float64)
    if yt.shape != yc.shape:
        raise DataError("evaluation.length_mismatch", detail=f"{yt.shape} ≠ {yc.shape}")
    diff = yt - yc
    t, ranks, n = _signed_ranks(diff)
    steps = int(math.floor((gamma_max - 1.0) / gamma_step + 1e-9))
    gammas = 1.0 + gamma_step * np.arange(steps + 1, dtype=np.float64)
    upper = np.array([_p_upper(t, ranks, float(g)) for g in gammas])
    lower = np.array([_p_upper(t, ranks, 1.0 / float(g)) for g in gammas])
    return RosenbaumBounds(
        gamma=gammas,
        p_lower=lower,
        p_upper=upper,
        statistic=t,
        n_pairs=n,
        alpha=alpha,
        critical_gamma=critical_gamma(diff, alpha),
    )
