"""The four evaluation designs as one call each, on an analysis frame.

Each takes the outcome ``y`` (float, one row per person or person-period), the treatment
indicator ``t`` and what the design needs, and returns a :class:`MethodResult`: the
effect with its interval in the outcome's own units, the counts, and for every analysed
treated unit its counterfactual value (used for the per-cohort figures the settle engine
is given). Conventions:

* ``rct`` — Welch difference in means (continuous), Newcombe difference in proportions
  (binary), negative-binomial rate difference and rate ratio (counts);
* ``baseline`` — the treated mean against the comparison rows' mean (a historical cohort,
  with its sampling error) or a fixed baseline value;
* ``psm`` — logit propensity score (R's ``glm``), then greedy nearest-neighbour matching
  without replacement (MatchIt, ``m.order = "largest"``; SE clustered on matched sets) or
  with replacement (Matching's ``Match()``; Abadie–Imbens SE); balance before and after;
  Rosenbaum bounds on the treated-minus-matched-controls differences;
* ``did`` — 2 × 2 difference-in-differences, SEs clustered on the person when known.

Every result also describes its estimator as a code with parameters
(:attr:`MethodResult.description`, e.g. ``{"code": "psm_without_replacement", "params":
{"ratio": 1}}``), so a report can name the method in Swedish or English; the engine's own
English label stays in ``effect.method``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from effekt.engine.evaluation.balance import balance_table
from effekt.engine.evaluation.design import model_matrix
from effekt.engine.evaluation.estimators import (
    Effect,
    difference_in_differences,
    difference_in_means,
    difference_in_proportions,
    historical_baseline,
    rate_difference,
    rate_ratio,
)
from effekt.engine.evaluation.matching import (
    match_with_replacement,
    match_without_replacement,
    matched_difference,
)
from effekt.engine.evaluation.propensity import fit_logit
from effekt.engine.evaluation.rosenbaum import critical_gamma, rosenbaum_bounds
from effekt.errors import ComputationError, DataError

__all__ = [
    "MethodResult",
    "OutcomeKind",
    "default_distance_tolerance",
    "run_baseline",
    "run_did",
    "run_psm",
    "run_rct",
]

OutcomeKind = Literal["binary", "count", "continuous"]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass
class MethodResult:
    """What every design returns (see the module docstring)."""

    effect: Effect
    method: str
    n_treated: int
    n_control: int
    n_control_weighted: float
    treated_mean: float
    control_mean: float
    focal: NDArray[np.int64]  # row positions of the analysed treated units
    counterfactual: FloatArray  # their counterfactual values
    comparison: NDArray[np.int64]  # row positions of the comparison persons used
    balance: list[dict[str, Any]] = field(default_factory=list)
    balance_threshold: float | None = None
    sensitivity: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    description: dict[str, Any] = field(default_factory=dict)  # {"code": …, "params": {…}}


def _described(code: str, **params: Any) -> dict[str, Any]:
    """A method description as data: the report translates ``report.method.<code>``."""
    return {"code": code, "params": params}


_NB2_ALPHA = re.compile(r"ML alpha = ([^)]+)\)")


def _two_group_description(effect: Effect, kind: OutcomeKind) -> dict[str, Any]:
    """What :func:`_two_groups` ran, as a code (the NB2 dispersion read from its label)."""
    if kind == "binary":
        return _described("difference_in_proportions")
    if kind == "count":
        found = _NB2_ALPHA.search(effect.method)
        return _described("rate_difference_negbin", alpha=float(found[1]) if found else None)
    return _described("difference_in_means")


def default_distance_tolerance(n_controls: int) -> float:
    """The service default for Match()'s tie tolerance: ``min(1e-5, 1 / n_controls²)``.

    R's default ``1e-5`` (on the squared standardised score) is kept for small samples, so
    the lalonde results are R's; on large data it would make thousands of controls "tied"
    (the spacing between neighbouring controls is about ``1 / n_controls`` standard
    deviations), so the tolerance shrinks with the square of the pool.
    """
    return min(1e-5, 1.0 / max(n_controls, 1) ** 2)


def _z(confidence: float) -> float:
    return float(stats.norm.isf((1 - confidence) / 2))


def _normal_effect(
    est: float, se: float, n_t: int, n_c: int, label: str, confidence: float
) -> Effect:
    z = _z(confidence)
    p = float(2 * stats.norm.sf(abs(est) / se)) if se > 0 else (0.0 if est else 1.0)
    return Effect(est, se, est - z * se, est + z * se, n_t, n_c, label, confidence, p)


def _with_ratio(effect: Effect, ratio: Effect) -> Effect:
    from dataclasses import replace

    return replace(
        effect,
        rate_ratio=ratio.rate_ratio,
        rate_ratio_ci_low=ratio.rate_ratio_ci_low,
        rate_ratio_ci_high=ratio.rate_ratio_ci_high,
    )


def _two_groups(yt: FloatArray, yc: FloatArray, kind: OutcomeKind, confidence: float) -> Effect:
    if kind == "binary":
        return difference_in_proportions(yt, yc, confidence=confidence)
    if kind == "count":
        diff = rate_difference(yt, yc, model="negbin", confidence=confidence)
        return _with_ratio(diff, rate_ratio(yt, yc, model="negbin", confidence=confidence))
    return difference_in_means(yt, yc, confidence=confidence)


def run_rct(y: FloatArray, t: BoolArray, kind: OutcomeKind, confidence: float) -> MethodResult:
    """Randomised trial: the two arms compared directly."""
    yt, yc = y[t], y[~t]
    eff = _two_groups(yt, yc, kind, confidence)
    focal = np.flatnonzero(t)
    return MethodResult(
        effect=eff,
        method="rct",
        n_treated=int(t.sum()),
        n_control=int((~t).sum()),
        n_control_weighted=float((~t).sum()),
        treated_mean=float(yt.mean()),
        control_mean=float(yc.mean()),
        focal=focal,
        counterfactual=np.full(focal.shape, float(yc.mean())),
        comparison=np.flatnonzero(~t),
        description=_two_group_description(eff, kind),
    )


def run_baseline(
    y: FloatArray,
    t: BoolArray,
    kind: OutcomeKind,
    confidence: float,
    baseline_value: float | None,
) -> MethodResult:
    """Treated against a historical baseline: the comparison rows, else a fixed value."""
    yt, yc = y[t], y[~t]
    if yc.size >= 2:
        base, base_se, n_c = (
            float(yc.mean()),
            float(yc.std(ddof=1) / math.sqrt(yc.size)),
            int(yc.size),
        )
    elif baseline_value is not None:
        base, base_se, n_c = float(baseline_value), 0.0, 0
    else:
        raise DataError("evaluate.no_baseline")
    eff = historical_baseline(yt, base, baseline_se=base_se, baseline_n=n_c, confidence=confidence)
    if kind == "count" and yc.size >= 2 and yc.sum() > 0 and yt.sum() > 0:
        eff = _with_ratio(eff, rate_ratio(yt, yc, model="negbin", confidence=confidence))
    focal = np.flatnonzero(t)
    return MethodResult(
        effect=eff,
        method="baseline",
        n_treated=int(yt.size),
        n_control=n_c,
        n_control_weighted=float(n_c),
        treated_mean=float(yt.mean()),
        control_mean=base,
        focal=focal,
        counterfactual=np.full(focal.shape, base),
        comparison=np.flatnonzero(~t),
        description=_described("baseline_fixed" if base_se == 0 else "baseline_estimated"),
    )


_MAX_GAMMA = 1e3  # how far the critical Γ is searched for


def _rosenbaum(diffs: FloatArray, confidence: float) -> dict[str, Any] | None:
    """Rosenbaum bounds on the matched differences (in the metric's better direction).

    ``status`` says which sentence is true: ``not_significant`` (the one-sided signed-rank
    test fails at ``alpha`` even at Γ = 1, so the bounds add nothing), ``significant_up_to``
    (significant until Γ reaches ``critical_gamma``) or ``significant_throughout`` (still
    significant at ``max_gamma``; ``critical_gamma`` is then null).
    """
    if diffs.size < 2 or not np.any(diffs != 0):
        return None
    alpha = round(1 - confidence, 12)  # 0.05, not 0.050000000000000044
    b = rosenbaum_bounds(diffs, np.zeros_like(diffs), gamma_max=3.0, gamma_step=0.25, alpha=alpha)
    critical = critical_gamma(diffs, alpha, max_gamma=_MAX_GAMMA)
    if not b.p_upper[0] < alpha:  # b.gamma[0] == 1: no hidden bias
        status = "not_significant"
    elif math.isinf(critical):
        status = "significant_throughout"
    else:
        status = "significant_up_to"
    return {
        "status": status,
        "alpha": alpha,
        "max_gamma": _MAX_GAMMA,
        "critical_gamma": None if math.isinf(critical) else round(critical, 4),
        "n_sets": b.n_pairs,
        "gamma": [round(float(g), 4) for g in b.gamma],
        "p_upper": [float(p) for p in b.p_upper],
        "note": "Wilcoxon signed-rank on treated minus the mean of its matched controls",
    }


def _levels(series: pd.Series) -> list[Any] | None:
    """The values of a covariate whose balance gives counts away — every level of a
    categorical (or yes/no) one, 0 and 1 of a 0/1 one — or None for a measured one."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return [0.0, 1.0] if series.isin([0, 1]).all() else None
    return sorted(series.unique().tolist(), key=str)


def _balance_counts(
    frame: pd.DataFrame, covariates: list[str], squared: list[str], t: BoolArray,
    weights: FloatArray,
) -> dict[str, list[list[float]]]:  # fmt: skip
    """Per balance row of a 0/1 or categorical covariate, the persons with each of the
    covariate's values (rows: the treated before and after matching, the comparison
    persons before and after, matching-weighted). The balance's means and SMDs are
    functions of these counts; the report hides a row where one is small."""
    groups = [t.astype(np.float64), np.where(t, weights, 0.0),
              (~t).astype(np.float64), np.where(~t, weights, 0.0)]  # fmt: skip
    out: dict[str, list[list[float]]] = {}
    for name in covariates:
        series = frame[name]
        levels = _levels(series)
        if levels is None:
            continue
        values = series.to_numpy(dtype=object)
        counts = [[float(np.sum(g[values == level])) for level in levels] for g in groups]
        columns = model_matrix(frame, [name], squared=[name] if name in squared else [],
                               intercept=False).names  # fmt: skip
        out.update({column: counts for column in columns})
    return out


def run_psm(
    frame: pd.DataFrame,
    y: FloatArray,
    t: BoolArray,
    covariates: list[str],
    squared: list[str],
    kind: OutcomeKind,
    confidence: float,
    *,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = None,
    distance_tolerance: float | None = None,
    seed: int = 0,
    balance_threshold: float = 0.1,
    direction: str = "increase",
) -> MethodResult:
    """Propensity-score matching (see the module docstring)."""
    if not covariates:
        raise DataError("evaluate.no_covariates")
    mm = model_matrix(frame, covariates, squared=squared)
    ps = fit_logit(mm.values, t.astype(np.float64), names=mm.names).fitted
    n = y.shape[0]
    if replace:
        tol = (
            distance_tolerance
            if distance_tolerance is not None
            else default_distance_tolerance(int((~t).sum()))
        )
        r = match_with_replacement(ps, t, y, M=ratio, caliper=caliper, distance_tolerance=tol)
        weights = r.weights
        tr_idx, co_idx, pw = r.index_treated, r.index_control, r.pair_weights
        focal = np.unique(tr_idx)
        cf_sum = np.bincount(tr_idx, weights=pw * y[co_idx], minlength=n)
        w_sum = np.bincount(tr_idx, weights=pw, minlength=n)
        counterfactual = cf_sum[focal] / w_sum[focal]
        est, se = r.estimate, r.se
        label = (
            f"propensity-score matching with replacement 1:{ratio} (Match() conventions, "
            f"ties within {tol:.3g}), Abadie–Imbens SE"
        )
        description = _described("psm_with_replacement", ratio=ratio, tolerance=tol)
        n_control = r.n_controls_unique
        details: dict[str, Any] = {"distance_tolerance": tol, "matched_rows": r.n_matched}
    else:
        m = match_without_replacement(
            ps, t, ratio=ratio, caliper=caliper, order="largest", seed=seed
        )
        weights = m.weights
        has = m.matches[:, 0] >= 0
        focal = m.treated_index[has]
        mt = m.matches[has]
        valid = mt >= 0
        ysafe = np.where(valid, y[np.where(valid, mt, 0)], 0.0)
        counterfactual = ysafe.sum(axis=1) / valid.sum(axis=1)
        md = matched_difference(y, t, weights, m.subclass)
        est, se = md.estimate, md.se
        label = (
            f"propensity-score matching without replacement 1:{ratio} (MatchIt nearest, "
            "largest score first), SE clustered on matched sets"
        )
        description = _described("psm_without_replacement", ratio=ratio)
        n_control = m.n_matched_controls
        details = {}
    if caliper is not None:
        details["caliper"] = caliper
    details["dropped_treated"] = int(t.sum()) - int(focal.size)
    eff = _normal_effect(est, se, int(focal.size), n_control, label, confidence)
    if kind == "count":
        keep = weights > 0
        yt_m, yc_m, wc = y[keep & t], y[keep & ~t], weights[keep & ~t]
        if yt_m.sum() > 0 and yc_m.sum() > 0:
            eff = _with_ratio(
                eff,
                rate_ratio(yt_m, yc_m, control_weights=wc, model="negbin", confidence=confidence),
            )
    names = [nm for nm in mm.names if nm != "(Intercept)"]
    cols = [i for i, nm in enumerate(mm.names) if nm != "(Intercept)"]
    tab = balance_table(mm.values[:, cols], t, weights, names, threshold=balance_threshold)
    balance = [
        {
            "covariate": row.name,
            "label": mm.label(row.name),
            "mean_treated": row.mean_treated_after,
            "mean_control_before": row.mean_control_before,
            "mean_control_after": row.mean_control_after,
            "smd_before": row.smd_before,
            "smd_after": row.smd_after,
            "passed": row.passed,
        }
        for row in tab.rows
    ]
    sign = 1.0 if direction == "increase" else -1.0
    sens = _rosenbaum(sign * (y[focal] - counterfactual), confidence)
    wc_total = float(weights[~t].sum())
    details["propensity_model"] = list(mm.names)
    details["_balance_counts"] = _balance_counts(frame, covariates, squared, t, weights)
    return MethodResult(
        effect=eff,
        method="psm",
        n_treated=int(focal.size),
        n_control=int(n_control),
        n_control_weighted=wc_total,
        treated_mean=float(y[focal].mean()),
        control_mean=float(np.sum(weights[~t] * y[~t]) / wc_total) if wc_total > 0 else math.nan,
        focal=focal.astype(np.int64),
        counterfactual=np.asarray(counterfactual, dtype=np.float64),
        comparison=np.flatnonzero((weights > 0) & ~t),
        balance=balance,
        balance_threshold=balance_threshold,
        sensitivity=sens,
        details=details,
        description=description,
    )


def run_did(
    y: FloatArray,
    t: BoolArray,
    post: BoolArray,
    person: NDArray[Any] | None,
    confidence: float,
) -> MethodResult:
    """2 × 2 difference-in-differences on person-period rows."""
    eff = difference_in_differences(y, t, post, cluster=person, confidence=confidence)
    focal = np.flatnonzero(t & post)
    if focal.size == 0:
        raise ComputationError("stats.did_cell_empty", group=1, period=1)
    est = eff.estimate
    if person is not None:
        n_t = int(pd.unique(person[t]).size)
        n_c = int(pd.unique(person[~t]).size)
        # as in the engine's label: the number of clusters (persons) the SE is clustered on
        description = _described("did_clustered", clusters=int(np.unique(person).size))
    else:
        n_t, n_c = int((t & post).sum()), int((~t & post).sum())
        description = _described("did_robust")
    return MethodResult(
        effect=eff,
        method="did",
        n_treated=n_t,
        n_control=n_c,
        n_control_weighted=float(n_c),
        treated_mean=float(y[focal].mean()),
        control_mean=float(y[focal].mean() - est),
        focal=focal,
        counterfactual=y[focal] - est,
        comparison=np.flatnonzero(~t & post),
        details={
            "means": {
                "treated_before": float(y[t & ~post].mean()),
                "treated_after": float(y[t & post].mean()),
                "comparison_before": float(y[~t & ~post].mean()),
                "comparison_after": float(y[~t & post].mean()),
            }
        },
        description=description,
    )
