"""Propensity scores from a logit model, fitted the way R's ``glm(family=binomial)`` is.

The fit is iteratively reweighted least squares (Fisher scoring, which for the canonical
logit link is Newton's method), following R's ``glm.fit`` step for step so that the
coefficients agree with R to about 1e-8 and matching on the scores gives R's matched sets:

- start from ``mu = (y + 0.5) / 2`` and ``eta = logit(mu)``;
- each step solves the weighted least-squares problem with working response
  ``z = eta + (y - mu) / mu'(eta)`` and weights ``mu'(eta)^2 / (mu (1 - mu))``;
- R's guards for the logit link: ``mu'(eta) = DBL_EPSILON`` and the inverse link clamped
  when ``|eta| > 30``;
- stop when ``|dev - dev_old| / (|dev| + 0.1) < 1e-8`` (R's ``epsilon``), at most 25 steps.

Unusable data raise :class:`~effekt.errors.DataError`: no treated or no control units,
collinear covariates (R would drop a column and report ``NA``), perfect separation (the
deviance collapses to zero; R warns and returns meaningless coefficients), no convergence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from effekt.errors import DataError
from effekt.i18n import Phrase

__all__ = ["LogitFit", "fit_logit", "propensity_scores"]

_DBL_EPSILON = float(np.finfo(np.float64).eps)
_THRESH = 30.0
_INVEPS = 1.0 / _DBL_EPSILON


@dataclass(frozen=True)
class LogitFit:
    """A fitted logit model: coefficients, linear predictor and fitted probabilities."""

    coef: NDArray[np.float64]
    linear_predictor: NDArray[np.float64]
    fitted: NDArray[np.float64]
    deviance: float
    iterations: int
    names: tuple[str, ...] | None = None


def _inverse_link(eta: NDArray[np.float64]) -> NDArray[np.float64]:
    tmp = np.exp(np.clip(eta, -_THRESH, _THRESH))
    tmp = np.where(eta < -_THRESH, _DBL_EPSILON, np.where(eta > _THRESH, _INVEPS, tmp))
    return np.asarray(tmp / (1.0 + tmp), dtype=np.float64)


def _mu_eta(eta: NDArray[np.float64]) -> NDArray[np.float64]:
    opexp = 1.0 + np.exp(np.clip(eta, -_THRESH, _THRESH))
    value = np.exp(np.clip(eta, -_THRESH, _THRESH)) / (opexp * opexp)
    return np.asarray(np.where(np.abs(eta) > _THRESH, _DBL_EPSILON, value), dtype=np.float64)


def _deviance(y: NDArray[np.float64], mu: NDArray[np.float64]) -> float:
    with np.errstate(divide="ignore"):
        terms = np.where(y > 0.5, -np.log(mu), -np.log1p(-mu))
    return float(2.0 * np.sum(terms))


def _check_rank(x: NDArray[np.float64], names: tuple[str, ...] | None) -> None:
    norms = np.linalg.norm(x, axis=0)
    if np.any(norms == 0.0):
        zero = [int(i) for i in np.flatnonzero(norms == 0.0)]
        labels = [names[i] if names else f"column {i + 1}" for i in zero]
        raise DataError("evaluation.collinear", columns=", ".join(labels))
    # Columns scaled to unit length, so the tolerance is relative to each column, as in
    # R's dqrdc2 (which also compares a column's remaining norm with its original norm).
    r, piv = scipy.linalg.qr(x / norms, mode="r", pivoting=True)
    diag = np.abs(np.diag(r))
    if diag.size == 0:
        return
    rank = int(np.sum(diag > 1e-7 * diag[0]))
    if rank < x.shape[1]:
        dropped = [int(i) for i in piv[rank:]]
        labels = [names[i] if names else f"column {i + 1}" for i in dropped]
        raise DataError("evaluation.collinear", columns=", ".join(labels))


def _binary(treated: ArrayLike, n: int) -> NDArray[np.float64]:
    y = np.asarray(treated, dtype=np.float64)
    if y.ndim != 1 or y.shape[0] != n:
        raise DataError("evaluation.length_mismatch", detail=f"{y.shape[0]} ≠ {n} rows")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise DataError("evaluation.not_binary")
    if not np.any(y == 1.0):
        raise DataError("evaluation.no_treated")
    if not np.any(y == 0.0):
        raise DataError("evaluation.no_controls")
    return y


def fit_logit(
    x: ArrayLike,
    treated: ArrayLike,
    *,
    names: tuple[str, ...] | None = None,
    epsilon: float = 1e-8,
    max_iter: int = 25,
) -> LogitFit:
    """Fit ``P(treated = 1 | x) = 1 / (1 + exp(-x b))`` by IRLS, as R's ``glm`` does.

    ``x`` is the model matrix (include the intercept column, e.g. from
    :func:`~effekt.engine.evaluation.design.model_matrix`).

    >>> x = np.column_stack([np.ones(6), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    >>> fit = fit_logit(x, [0, 0, 1, 0, 1, 1])
    >>> [round(float(b), 6) for b in fit.coef]
    [-4.249097, 1.214028]
    """
    xm = np.asarray(x, dtype=np.float64)
    if xm.ndim != 2:
        raise DataError("evaluation.length_mismatch", detail="the model matrix must be 2-D")
    if not np.all(np.isfinite(xm)):
        raise DataError("evaluation.not_finite", what=Phrase("stats.what.model_matrix"))
    y = _binary(treated, xm.shape[0])
    _check_rank(xm, names)
    mu = (y + 0.5) / 2.0
    eta = np.log(mu / (1.0 - mu))
    dev_old = _deviance(y, mu)
    coef = np.zeros(xm.shape[1], dtype=np.float64)
    for iteration in range(1, max_iter + 1):
        mu_eta = _mu_eta(eta)
        z = eta + (y - mu) / mu_eta
        w = np.sqrt(mu_eta * mu_eta / (mu * (1.0 - mu)))
        coef = np.asarray(np.linalg.lstsq(xm * w[:, None], z * w, rcond=None)[0], dtype=np.float64)
        eta = xm @ coef
        mu = _inverse_link(eta)
        dev = _deviance(y, mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < epsilon:
            if dev < 1e-6 * y.shape[0]:
                raise DataError("evaluation.separation")
            return LogitFit(
                coef=coef,
                linear_predictor=eta,
                fitted=mu,
                deviance=dev,
                iterations=iteration,
                names=names,
            )
        dev_old = dev
    if dev_old < 1e-3 * y.shape[0]:
        raise DataError("evaluation.separation")
    raise DataError("evaluation.not_converged", iterations=max_iter)


def propensity_scores(x: ArrayLike, treated: ArrayLike) -> NDArray[np.float64]:
    """Fitted probabilities of the logit model of ``treated`` on ``x`` (R's ``glm(...)$fitted``)."""
    return fit_logit(x, treated).fitted
