"""Covariate balance before and after matching.

Conventions are MatchIt's ``summary.matchit`` (and cobalt's defaults):

- the standardised mean difference (SMD) is the difference in (weighted) means divided
  by the standard deviation of the *unmatched* focal group — the treated for ATT, the
  controls for ATC, ``√((s²_t + s²_c) / 2)`` for ATE — so before and after share one
  denominator; a binary (0/1) covariate uses ``√(p (1 - p))``;
- the variance ratio is treated over control (weighted variances, ``Σw(x-m)² / (1-Σw²)``
  with normalised weights), reported for non-binary covariates only;
- a covariate passes when ``|SMD after| ≤ threshold`` (0.1 by default, the usual rule).

The balance ("love") plot of these figures is drawn by the report, not here
(:mod:`effekt.reports.balance_plot`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from effekt.errors import DataError

__all__ = ["BalanceRow", "BalanceTable", "balance_table"]

_TINY = math.sqrt(float(np.finfo(np.float64).eps))


@dataclass(frozen=True)
class BalanceRow:
    """Balance of one covariate before and after matching."""

    name: str
    mean_treated_before: float
    mean_control_before: float
    smd_before: float
    mean_treated_after: float
    mean_control_after: float
    smd_after: float
    var_ratio_before: float
    var_ratio_after: float
    passed: bool


@dataclass(frozen=True)
class BalanceTable:
    """One row per covariate, and the threshold the rows were judged against."""

    rows: tuple[BalanceRow, ...]
    threshold: float

    @property
    def passed(self) -> bool:
        """Every covariate within the threshold after matching."""
        return all(r.passed for r in self.rows)

    @property
    def max_abs_smd_after(self) -> float:
        """The worst |SMD| after matching."""
        return max((abs(r.smd_after) for r in self.rows), default=0.0)


def _wmean(x: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    return float(np.sum(x * w) / np.sum(w))


def _wvar(x: NDArray[np.float64], w: NDArray[np.float64], binary: bool) -> float:
    wn = w / np.sum(w)
    m = float(np.sum(wn * x))
    if binary:
        return m * (1.0 - m)
    denom = 1.0 - float(np.sum(wn * wn))
    return float(np.sum(wn * (x - m) ** 2) / denom) if denom > 0 else math.nan


def _sd_denominator(
    x: NDArray[np.float64], t: NDArray[np.bool_], binary: bool, estimand: str
) -> float:
    one = np.ones_like(x)
    v1 = _wvar(x[t], one[t], binary)
    v0 = _wvar(x[~t], one[~t], binary)
    pooled = math.sqrt((v1 + v0) / 2.0)
    sd = {"ATT": math.sqrt(v1), "ATC": math.sqrt(v0)}.get(estimand, pooled)
    return pooled if not math.isfinite(sd) or sd < _TINY else sd


def _side(
    x: NDArray[np.float64], t: NDArray[np.bool_], w: NDArray[np.float64], sd: float, binary: bool
) -> tuple[float, float, float, float]:
    mt, mc = _wmean(x[t], w[t]), _wmean(x[~t], w[~t])
    diff = mt - mc
    smd = diff / sd if abs(diff) > _TINY and sd > 0 else diff
    ratio = (
        math.nan
        if binary
        else _variance_ratio(_wvar(x[t], w[t], False), _wvar(x[~t], w[~t], False))
    )
    return mt, mc, smd, ratio


def _variance_ratio(treated: float, control: float) -> float:
    """Treated over control variance; undefined (NaN) when the comparison group has no
    spread, as when matching leaves controls with one value of the covariate."""
    return treated / control if control > 0 else math.nan


def balance_table(
    covariates: ArrayLike,
    treated: ArrayLike,
    weights: ArrayLike,
    names: Sequence[str],
    *,
    threshold: float = 0.1,
    estimand: str = "ATT",
) -> BalanceTable:
    """Balance of each column of ``covariates`` (n × k) before and after weighting.

    ``weights`` are the matching weights (0 for unmatched units), e.g.
    ``NearestMatch.weights`` or ``ReplacementMatch.weights``.

    >>> x = np.array([[1.0], [2.0], [3.0], [1.5], [5.0]])
    >>> tab = balance_table(x, [1, 1, 1, 0, 0], [1, 1, 1, 1, 0], ["age"])
    >>> round(tab.rows[0].smd_before, 3), round(tab.rows[0].smd_after, 3)
    (-1.25, 0.5)
    """
    x = np.asarray(covariates, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    t = np.asarray(treated).astype(bool)
    w = np.asarray(weights, dtype=np.float64)
    if x.shape[0] != t.shape[0] or w.shape != t.shape or x.shape[1] != len(names):
        raise DataError(
            "evaluation.length_mismatch",
            detail=f"covariates {x.shape}, treated {t.shape}, weights {w.shape}, {len(names)} names",
        )
    if not np.any(w[t] > 0):
        raise DataError("evaluation.no_matches")
    if not np.any(w[~t] > 0):
        raise DataError("evaluation.no_controls")
    one = np.ones_like(w)
    rows = []
    for j, name in enumerate(names):
        col = x[:, j]
        binary = bool(np.all((col == 0.0) | (col == 1.0)))
        sd = _sd_denominator(col, t, binary, estimand)
        mt0, mc0, smd0, vr0 = _side(col, t, one, sd, binary)
        mt1, mc1, smd1, vr1 = _side(col, t, w, sd, binary)
        rows.append(
            BalanceRow(
                name=name,
                mean_treated_before=mt0,
                mean_control_before=mc0,
                smd_before=smd0,
                mean_treated_after=mt1,
                mean_control_after=mc1,
                smd_after=smd1,
                var_ratio_before=vr0,
                var_ratio_after=vr1,
                passed=abs(smd1) <= threshold,
            )
        )
    return BalanceTable(rows=tuple(rows), threshold=threshold)
