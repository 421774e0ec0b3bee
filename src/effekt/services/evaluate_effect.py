"""The effect an evaluation estimates (step 4 of :mod:`effekt.services.evaluate`): the plan's
method run on one population, the effect as JSON, and per cohort the measurements the
settle engine pays on; and the treated left out of the analysis, and why."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from effekt.contract.model import Contract
from effekt.contract.outcomes_file import Measurement
from effekt.engine.suppression import DEFAULT_THRESHOLD
from effekt.errors import DataError
from effekt.evaluation_io.importer import PSEUDONYM
from effekt.services.evaluate_methods import (
    MethodResult,
    OutcomeKind,
    run_baseline,
    run_did,
    run_psm,
    run_rct,
)
from effekt.services.evaluate_publication import cohort_labels
from effekt.services.evaluation_plan import AnalysisPlan

__all__ = ["cohort_measurements", "effect_json", "focal_cohorts", "left_out", "run_method"]


def run_method(
    plan: AnalysisPlan, frame: pd.DataFrame, y: np.ndarray, t: np.ndarray, kind: OutcomeKind,
    baseline_value: float | None,
) -> MethodResult:  # fmt: skip
    if plan.method == "rct":
        return run_rct(y, t, kind, plan.confidence)
    if plan.method == "baseline":
        return run_baseline(y, t, kind, plan.confidence, baseline_value)
    if plan.method == "psm":
        return run_psm(
            frame, y, t, list(plan.covariates), list(plan.squared), kind, plan.confidence,
            ratio=plan.ratio, replace=plan.replace, caliper=plan.caliper,
            distance_tolerance=plan.distance_tolerance, seed=plan.seed,
            balance_threshold=plan.balance_threshold, direction=plan.direction,
        )  # fmt: skip
    assert plan.period is not None
    if plan.period not in frame.columns:
        raise DataError("evaluation.unknown_column", column=plan.period)
    per = frame[plan.period]
    levels = sorted(per.dropna().unique().tolist(), key=str)
    if len(levels) != 2:
        raise DataError("evaluate.did_two_periods", column=plan.period, count=len(levels))
    post = (per == levels[1]).to_numpy()
    person = frame[PSEUDONYM].to_numpy() if PSEUDONYM in frame.columns else None
    return run_did(y, t, post, person, plan.confidence)


def effect_json(r: MethodResult, label: str) -> dict[str, Any]:
    e = r.effect
    out: dict[str, Any] = {
        "population": label,
        "estimate": e.estimate,
        "se": e.se,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
        "confidence": e.confidence,
        "p_value": e.p_value,
        "method": e.method,  # the engine's English label, kept for compatibility
        "method_code": r.description.get("code"),  # translated by the report
        "method_params": r.description.get("params", {}),
        "treated_mean": r.treated_mean,
        "counterfactual_mean": r.control_mean,
        "n_treated": r.n_treated,
        "n_control": r.n_control,
        "n_control_weighted": r.n_control_weighted,
    }
    if e.rate_ratio is not None:
        out.update(
            rate_ratio=e.rate_ratio,
            rate_ratio_ci_low=e.rate_ratio_ci_low,
            rate_ratio_ci_high=e.rate_ratio_ci_high,
        )
    return out


def focal_cohorts(
    plan: AnalysisPlan, frame: pd.DataFrame, r: MethodResult, contract: Contract
) -> np.ndarray:
    """The cohort of each analysed treated person ("all" without a cohort column); a
    blank or unknown cohort stops the run."""
    cohorts = cohort_labels(frame, plan.cohort)[r.focal]
    blank = pd.isna(cohorts)
    if blank.any():
        raise DataError("evaluate.missing_cohort", column=plan.cohort, count=int(blank.sum()))
    known = {c.id for c in contract.cohorts}
    unknown = sorted(set(cohorts.tolist()) - known - {"all"})
    if unknown:
        raise DataError(
            "evaluate.unknown_cohort",
            cohorts=_unknown_cohorts(cohorts, unknown),
            known=", ".join(sorted(known)),
        )
    return cohorts


def _unknown_cohorts(cohorts: np.ndarray, unknown: list[str]) -> str | tuple[str, dict[str, Any]]:
    """The unknown cohort labels that at least DEFAULT_THRESHOLD treated persons share; the
    others only counted: a value fewer hold may be personal data (a column of names mapped
    as the cohort), and is never shown."""
    held = pd.Series(cohorts).value_counts()
    shown = [c for c in unknown if held[c] >= DEFAULT_THRESHOLD]
    hidden = len(unknown) - len(shown)
    if not hidden:
        return ", ".join(shown)
    code = "evaluate.unknown_cohorts_hidden" + ("_after" if shown else "")
    return code, {"shown": ", ".join(shown), "count": hidden, "threshold": DEFAULT_THRESHOLD}


def cohort_measurements(
    plan: AnalysisPlan, y: np.ndarray, r: MethodResult, cohorts: np.ndarray, plan_hash: str
) -> list[Measurement]:
    """One measurement per cohort: n analysed treated, their mean and counterfactual mean."""
    y_f = y[r.focal]
    cf = r.counterfactual
    out = []
    for c in sorted(set(cohorts.tolist())):
        sel = cohorts == c
        tr, bs = float(y_f[sel].mean()), float(cf[sel].mean())
        if tr < 0 or bs < 0:
            raise DataError("evaluate.negative_outcome", cohort=c)
        out.append(
            Measurement(
                metric=plan.metric or plan.outcome,
                cohort=c,
                n=float(sel.sum()),
                treated=tr,
                baseline=bs,
                source=f"effekt evaluate, plan {plan_hash[:12]}",
            )  # fmt: skip
        )
    return out


def left_out(
    population_treated: int, r: MethodResult, excluded_by_policies: int, caliper: float | None
) -> dict[str, Any]:
    """The treated of the population left out of the analysis, and why: excluded by the
    missing-data and attrition policies (a missing covariate, or an outcome the plan
    excludes), or no comparison person within the caliper (matching)."""
    return {
        "population_treated": population_treated,
        "analysed": r.n_treated,
        "left_out": population_treated - r.n_treated,
        "excluded_by_policies": excluded_by_policies,
        "not_matched": int(r.details.get("dropped_treated", 0)),
        "caliper": caliper,
    }
