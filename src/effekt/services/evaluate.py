"""Use case: the verified outcome evaluation (``effekt evaluate``).

1. **The analysis plan is fixed first.** :func:`make_plan` collects everything that decides
   the result — contract and metric, method (from the metric's counterfactual unless
   given), columns, covariates, ratio, caliper, replacement, seed, confidence, the
   decision basis and the missing-data and attrition policies — and :class:`AnalysisPlan`
   serialises it canonically (sorted keys, no whitespace) and hashes it (sha256) before
   any data is read. A plan hash registered in advance can be enforced.
2. **Import** through the mapping (:mod:`effekt.evaluation_io.importer`): identifiers are
   validated and pseudonymised, raw identifiers dropped, data quality checked.
3. **Outcomes** per person from the data or from event files
   (:mod:`effekt.evaluation_io.events`), for the metric's population (everyone referred —
   intention to treat — or those who engaged), with the declared missing-data and
   attrition policies applied and counted.
4. **The effect** by the plan's method (:mod:`effekt.services.evaluate_methods`), with
   balance and Rosenbaum bounds for matching; the other population too, labelled.
5. **The decision** on each rule of the metric under the contract's decision basis, and
   **the payments** from the settle engine, given per-cohort treated and counterfactual
   values in an in-memory :class:`~effekt.contract.outcomes_file.OutcomesFile`.
6. **Publication** (:mod:`effekt.services.publication`): counts by cohort × group ×
   outcome category, suppressed (cells below 5, with secondary suppression, each group
   with its totals over all cohorts, which the pooled figures give away); the investor
   view holds only these aggregates. The per-cohort figures the payments came from
   (:func:`published_measurements`) are suppressed by the same rule, and the pooled
   means, the decisions' effects and the settle engine's per-cohort effects are
   published only where they give away no hidden count (``publication``); they go in
   the report, not the investor view. So are the figures beside the effect: the
   ``publication`` verdicts say whether the naive comparison, the other population's
   effect and the rows read may be published, which balance rows are hidden, and whether
   a count outcome's events would single a person out (then its means are hidden; the
   reasons, figure by figure, are in :mod:`effekt.services.publication`), and which
   data-quality counts are hidden (:mod:`effekt.services.quality_counts`).
   :mod:`effekt.services.evaluate_publication` gathers what these rules need from the
   analysis.
7. **The run record**: plan hash, data hash (sha256 of the file's bytes), mapping and
   contract hashes, seed, package versions.

Nothing here writes files or logs; the result is one JSON-ready dict.
"""

from __future__ import annotations

import datetime as dt
import math
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from effekt.contract.model import Contract
from effekt.contract.outcomes_file import Measurement, OutcomesFile
from effekt.contract.rules import Gate, RateCard, SavingsShare, Threshold, Tiers
from effekt.errors import DataError, UsageError
from effekt.evaluation_io import events as ev
from effekt.evaluation_io.dates import to_dates
from effekt.evaluation_io.flags import yes_no
from effekt.evaluation_io.importer import (
    PSEUDONYM,
    ROW,
    QualityReport,
    file_sha256,
    import_events,
    import_participants,
    load_key,
    read_table,
)
from effekt.evaluation_io.mapping import Mapping, OutcomeSpec
from effekt.privacy.pseudonym import PseudonymKey
from effekt.services.evaluate_methods import (
    MethodResult,
    OutcomeKind,
    run_baseline,
    run_did,
    run_psm,
    run_rct,
)

__all__ = [
    "METHODS",
    "METHOD_FOR_COUNTERFACTUAL",
    "AnalysisPlan",
    "evaluate",
    "make_plan",
    "parse_covariates",
    "published_measurements",
    "published_table",
]

from effekt.services.evaluate_publication import (
    Analysis,
    Fates,
    cohort_labels,
    comparison_cohorts_outside,
    published_counts,
    quality_facts,
    verdicts,
)
from effekt.services.evaluation_plan import (  # re-exported: the plan is part of this use case
    METHOD_FOR_COUNTERFACTUAL,
    METHODS,
    PACKAGES,
    AnalysisPlan,
    make_plan,
    parse_covariates,
)
from effekt.services.publication import (  # the two published_* re-exported
    cohorts_paid_per_outcome,
    count_means_published,
    events_single_out,
    hidden_settlement_effects,
    pooled_published,
    published_measurements,
    published_table,
)
from effekt.services.quality_counts import hidden_quality_counts

# --------------------------------------------------------------------------- the data


@dataclass
class _Data:
    frame: pd.DataFrame
    quality: QualityReport
    data_sha256: str
    key_source: str
    key: PseudonymKey | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def _load(path: str | Path, mapping: Mapping | None, environ: Any, today: dt.date | None) -> _Data:
    if mapping is not None:
        key = None
        key_source = "none"
        if mapping.identifier is not None:
            key, key_source = load_key(mapping.identifier, mapping.base_dir, environ)
        imp = import_participants(path, mapping, key=key, today=today)
        return _Data(imp.frame, imp.quality, imp.data_sha256, key_source, key)
    digest = file_sha256(path) if Path(path).exists() else ""
    frame = read_table(path).reset_index(drop=True)
    frame.insert(0, ROW, np.arange(1, len(frame) + 1))
    return _Data(frame, QualityReport(rows_read=len(frame)), digest, "none")


def _outcome_values(
    data: _Data, plan: AnalysisPlan, spec: OutcomeSpec | None, mapping: Mapping | None
) -> pd.Series:
    frame = data.frame
    if spec is None:
        if plan.outcome not in frame.columns:
            raise DataError("evaluation.unknown_column", column=plan.outcome)
        return pd.to_numeric(frame[plan.outcome], errors="coerce").astype(float)
    assert mapping is not None
    if spec.kind == "value":
        assert spec.column is not None
        values = pd.to_numeric(frame[spec.column], errors="coerce").astype(float)
    elif spec.kind == "attendance_share":
        assert spec.attended is not None and spec.scheduled is not None
        values = ev.attendance_share(frame[spec.attended], frame[spec.scheduled])
        impossible = frame[spec.attended].notna() & frame[spec.scheduled].notna() & values.isna()
        if impossible.any():
            data.quality.out_of_range[f"{spec.attended}/{spec.scheduled}"] = (
                frame.loc[impossible, ROW].astype(int).tolist()
            )
    else:
        if data.key is None or spec.events is None:
            raise DataError("mapping.events_need_identifier", events=spec.events or "")
        source = mapping.event_source(spec.events)
        table = import_events(source, mapping, data.key)
        anchor_col = spec.anchor or mapping.columns.referral_date
        if anchor_col is None or anchor_col not in frame.columns:
            raise DataError(
                "import.missing_column",
                column=anchor_col or "referral_date",
                detail=("import.role.anchor", {"metric": spec.metric}),
            )
        anchors = to_dates(frame[anchor_col])
        persons = frame[PSEUDONYM]
        if spec.kind == "event_count":
            if source.date_column is None:
                raise DataError(
                    "mapping.events_need_column", events=source.id, column="date_column"
                )
            values = ev.event_counts(
                persons, anchors, table, id_column=PSEUDONYM, date_column=source.date_column,
                window_days=spec.window_days, offset_days=spec.offset_days,
            )  # fmt: skip
        else:
            if source.start_column is None or source.end_column is None:
                raise DataError(
                    "mapping.events_need_column", events=source.id, column="start_column"
                )
            common = {
                "id_column": PSEUDONYM,
                "start_column": source.start_column,
                "end_column": source.end_column,
            }
            if spec.kind == "days_in_state":
                values = ev.days_in_state(
                    persons,
                    anchors,
                    table,
                    window_days=spec.window_days,
                    offset_days=spec.offset_days,
                    **common,
                )
            else:
                values = ev.status_at(
                    persons, anchors, table, offset_days=spec.offset_days, **common
                )
    if spec.at_least is not None:
        values = ev.at_least(values, spec.at_least)
    return values


def _infer_kind(y: pd.Series) -> OutcomeKind:
    v = y.dropna()
    return "binary" if len(v) and v.isin([0.0, 1.0]).all() else "continuous"


def _worst_best(y: pd.Series, kind: str, direction: str) -> tuple[float, float]:
    """(worst value for the treated, best value for the comparison) — conservative."""
    if kind == "binary":
        low, high = 0.0, 1.0
    else:
        v = y.dropna()
        low, high = (float(v.min()), float(v.max())) if len(v) else (0.0, 0.0)
    return (low, high) if direction == "increase" else (high, low)


def _apply_policies(
    frame: pd.DataFrame, y: pd.Series, t: pd.Series, plan: AnalysisPlan, kind: str, covs: list[str]
) -> tuple[pd.Series, pd.Series, dict[str, Any]]:
    """Missing covariates drop the row; a missing outcome follows attrition (treated) or
    the missing-data policy (comparison). Returns (keep mask, outcome, counts)."""
    keep = pd.Series(True, index=frame.index)
    counts: dict[str, Any] = {"missing_data": plan.missing_data, "attrition": plan.attrition}
    if covs:
        miss_cov = frame[covs].isna().any(axis=1)
        counts["excluded_missing_covariate"] = {
            "treated": int((miss_cov & t).sum()),
            "comparison": int((miss_cov & ~t).sum()),
        }
        keep &= ~miss_cov
    y = y.copy()
    missing = y.isna() & keep
    worst, best = _worst_best(y, kind, plan.direction)
    mt, mc = missing & t, missing & ~t
    if plan.attrition == "worst_case":
        y[mt] = worst
        counts["imputed_worst_case_treated"] = int(mt.sum())
    else:
        keep &= ~mt
        counts["excluded_unmeasured_treated"] = int(mt.sum())
    if plan.missing_data == "worst_case":
        y[mc] = best
        counts["imputed_best_case_comparison"] = int(mc.sum())
    else:
        keep &= ~mc
        counts["excluded_missing_outcome_comparison"] = int(mc.sum())
    return keep, y, counts


def _run(
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


def _effect_json(r: MethodResult, label: str) -> dict[str, Any]:
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


# ---------------------------------------------------------------- decision and payments


def _measure_value(
    measure: str, r: MethodResult, direction: str, level_se: float
) -> tuple[float, float, float]:
    """(value, lower bound, upper bound) of the effect on a rule's measure scale."""
    e, b, tm = r.effect, r.control_mean, r.treated_mean
    sign = 1.0 if direction == "increase" else -1.0
    if measure == "level":
        z = (e.ci_high - e.estimate) / e.se if e.se > 0 else 1.96
        return tm, tm - z * level_se, tm + z * level_se
    lo, hi = sorted((sign * e.ci_low, sign * e.ci_high))
    value = sign * e.estimate
    if measure == "absolute_difference":
        return value, lo, hi
    if not b > 0:
        return math.nan, math.nan, math.nan
    if measure == "relative_reduction":  # (B - T)/B
        return -e.estimate / b, -e.ci_high / b, -e.ci_low / b
    return e.estimate / b, e.ci_low / b, e.ci_high / b  # relative_increase


def decide(
    contract: Contract, metric: str, r: MethodResult, level_se: float
) -> list[dict[str, Any]]:
    """The decision on every rule of ``metric`` under the contract's decision basis, from
    the evaluation's own interval (pooled across cohorts)."""
    out: list[dict[str, Any]] = []
    m = contract.metric(metric)
    alpha = 1 - contract.payment.confidence
    for k, rule in enumerate(contract.rules):
        if getattr(rule, "metric", None) != metric:
            continue
        basis = rule.decision_basis or contract.payment.decision_basis
        row: dict[str, Any] = {"rule": contract.rule_id(k), "kind": rule.kind, "basis": basis}
        if isinstance(rule, Threshold | Gate | Tiers):
            value, low, high = _measure_value(rule.measure, r, m.direction, level_se)
            decided = low if basis == "lower_confidence_bound" else value
            significant = (r.effect.p_value is not None and r.effect.p_value < alpha) or low > 0
            cond = significant if basis == "significance_and_point_estimate" else True
            row.update(
                measure=rule.measure,
                scope=rule.scope,
                # decided per cohort by the settlement: the pooled value only informs
                per_cohort=rule.scope == "cohort" and len(contract.cohorts) > 1,
                value=value,
                ci_low=low,
                ci_high=high,
                decided_on=decided,
            )
            if isinstance(rule, Tiers):
                reached = [
                    t.from_effect for t in rule.tiers if cond and decided >= t.from_effect - 1e-12
                ]
                row.update(
                    threshold=rule.tiers[0].from_effect,
                    met=bool(reached),
                    band=len(reached) - 1 if reached else None,
                )
            else:
                row.update(
                    threshold=rule.threshold, met=bool(cond and decided >= rule.threshold - 1e-12)
                )
        elif isinstance(rule, RateCard | SavingsShare):
            gain = (r.treated_mean - r.control_mean) * (1 if m.direction == "increase" else -1)
            above = isinstance(rule, SavingsShare) or rule.above_baseline
            row.update(per_person=max(gain, 0.0) if above else r.treated_mean, above_baseline=above)
        out.append(row)
    return out


def _focal_cohorts(
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
            "evaluate.unknown_cohort", cohorts=", ".join(unknown), known=", ".join(sorted(known))
        )
    return cohorts


def _measurements(
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


# ------------------------------------------------------------------------- run record


def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def run_record(plan_hash: str, data: _Data, plan: AnalysisPlan) -> dict[str, Any]:
    """What is needed to reproduce and verify the run (no person data)."""
    return {
        "plan_sha256": plan_hash,
        "data_sha256": data.data_sha256,
        "mapping_sha256": plan.mapping_sha256,
        "contract_sha256": plan.contract_sha256,
        "seed": plan.seed,
        "packages": _versions(),
        "python": platform.python_version(),
        "pseudonym_key": data.key_source,
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


# ------------------------------------------------------------------------------ main


def evaluate(
    data_path: str | Path,
    plan: AnalysisPlan,
    *,
    contract: Contract | None = None,
    mapping: Mapping | None = None,
    lang: str = "en",
    environ: Any = None,
    today: dt.date | None = None,
    expected_plan_sha256: str | None = None,
) -> dict[str, Any]:
    """Run the plan on the data; the full result (evaluator's view) as a JSON-ready dict."""
    plan_hash = plan.sha256()  # fixed before the data is read
    if expected_plan_sha256 is not None and expected_plan_sha256.lower() != plan_hash:
        raise UsageError("evaluate.plan_changed", expected=expected_plan_sha256, actual=plan_hash)
    data = _load(data_path, mapping, environ, today)
    frame = data.frame
    spec = mapping.outcome(plan.metric) if (mapping is not None and plan.metric) else None
    if plan.treatment not in frame.columns:
        raise DataError("evaluation.unknown_column", column=plan.treatment)
    for c in plan.covariates:
        if c not in frame.columns:
            raise DataError("evaluation.unknown_column", column=c)
    treated_values = mapping.columns.treated_values if mapping is not None else None
    comparison_values = mapping.columns.comparison_values if mapping is not None else None
    t_all = yes_no(
        frame[plan.treatment],
        frame[ROW],
        plan.treatment,
        treated_values,
        no_values=comparison_values,
    )
    y_all = _outcome_values(data, plan, spec, mapping)
    kind: OutcomeKind = plan.outcome_kind if plan.outcome_kind != "auto" else _infer_kind(y_all)  # type: ignore[assignment]
    engaged = None
    if plan.engaged is not None and plan.engaged in frame.columns:
        engaged_values = mapping.columns.engaged_values if mapping is not None else None
        engaged = yes_no(
            frame[plan.engaged], frame[ROW], plan.engaged, engaged_values, required=False
        )
    no_covariates = pd.Series(False, index=frame.index)
    fates = Fates(
        treated=t_all,
        missing_covariate=frame[list(plan.covariates)].isna().any(axis=1)
        if plan.covariates
        else no_covariates,
        missing_outcome=y_all.isna(),
    )
    keep, y_all, policy_counts = _apply_policies(
        frame, y_all, t_all, plan, kind, list(plan.covariates)
    )
    baseline_value = None
    if contract is not None and plan.metric is not None:
        b = contract.metric(plan.metric).baseline
        baseline_value = (
            float(b)
            if isinstance(b, int | float)
            else (
                float(b.mean)
                if b is not None and hasattr(b, "mean") and b.mean is not None
                else None
            )
        )

    def in_population(population: str) -> pd.Series:
        return ev.population_mask(t_all, engaged, population)  # type: ignore[arg-type]

    def analyse(population: str) -> Analysis:
        mask = keep & in_population(population)
        sub = frame.loc[mask].reset_index(drop=True)
        y = y_all[mask].to_numpy(dtype=np.float64)
        t = t_all[mask].to_numpy(dtype=bool)
        r = _run(plan, sub, y, t, kind, baseline_value)
        return Analysis(r, sub, y, t, mask)

    analysis = analyse(plan.population)
    main, sub, y, t = analysis.result, analysis.frame, analysis.y, analysis.t
    primary_label = ev.POPULATION_LABELS[plan.population]
    effects = {primary_label: _effect_json(main, primary_label)}
    other = "engaged" if plan.population == "referred" else "referred"
    not_analysed: dict[str, dict[str, str]] = {}  # the secondary population, and why not
    referred = analysis if plan.population == "referred" else None
    if engaged is not None:
        other_label = ev.POPULATION_LABELS[other]
        try:
            secondary = analyse(other)
            effects[other_label] = _effect_json(secondary.result, other_label)
            if referred is None:
                referred = secondary
        except DataError as exc:
            not_analysed[other_label] = {"code": exc.code, "reason": exc.render(lang)}
            referred = None  # no other population's figures to publish
    naive = float(y[t].mean() - y[~t].mean()) if (~t).any() and plan.method != "did" else None
    known = frozenset(c.id for c in contract.cohorts) if contract is not None else None
    published = published_counts(plan, sub, y, t, main, kind, known)
    result: dict[str, Any] = {
        "plan": plan.as_json(),
        "plan_sha256": plan_hash,
        "outcome_kind": kind,
        "population": primary_label,
        "effect": effects[primary_label],
        "populations": effects,
        "populations_not_analysed": not_analysed,
        "naive": None
        if naive is None
        else {
            "estimate": naive,
            "treated_mean": float(y[t].mean()),
            "control_mean": float(y[~t].mean()),
        },
        "n_treated": main.n_treated,
        "n_control": main.n_control,
        "n_control_weighted": main.n_control_weighted,
        "balance": {
            b["covariate"]: {k: v for k, v in b.items() if k != "covariate"} for b in main.balance
        },
        "balance_passed": all(b["passed"] for b in main.balance) if main.balance else None,
        "sensitivity": main.sensitivity,
        "details": {k: v for k, v in main.details.items() if not k.startswith("_")},
        "quality": data.quality.as_json(rows=True),
        "policies": policy_counts,
        "published": published,
        "left_out": None,
        "investor_view": {
            "contract": plan.contract_id,
            "metric": plan.metric or plan.outcome,
            "population": primary_label,
            "plan_sha256": plan_hash,
            "table": published,
        },
        "run": run_record(plan_hash, data, plan),
    }

    def publication(pooled: bool) -> dict[str, Any]:
        return verdicts(
            plan, data.quality, policy_counts, analysis, referred, engaged, kind, pooled
        )

    # a count outcome: the means times the group sizes are the events (publication.py)
    focal_y, control_y = y[main.focal], y[main.comparison]
    threshold = plan.suppression_threshold
    events = kind == "count" and not count_means_published(focal_y, control_y, threshold)
    result["publication"] = {
        **publication(pooled_published(published) and not events),
        "events_single_out": events,
    }
    if plan.method != "did":  # a did's rows are person-periods, its treated only "after"
        treated_in_population = t_all & in_population(plan.population)
        result["left_out"] = left_out(
            int(treated_in_population.sum()),
            main,
            int((treated_in_population & ~keep).sum()),
            plan.caliper,
        )
    if contract is not None:
        result["contract_name"] = contract.name  # the plan hashes the id alone
    if contract is not None and plan.metric is not None:
        from effekt.services.settle import settle_json

        level_se = (
            float(np.std(y[main.focal], ddof=1) / math.sqrt(max(main.focal.size, 1)))
            if main.focal.size > 1
            else 0.0
        )
        cohorts = _focal_cohorts(plan, sub, main, contract)
        measurements = _measurements(plan, y, main, cohorts, plan_hash)
        result["cohorts"] = [m.model_dump(exclude_none=True) for m in measurements]
        result["comparison_cohorts_outside_contract"] = comparison_cohorts_outside(
            sub, plan.cohort, main, known or frozenset()
        )
        names = sorted(set(cohorts.tolist()))
        singled = [c for c in names if events_single_out(focal_y[cohorts == c], threshold)]
        shown = published_measurements(
            measurements, published, kind, plan.method, singled if kind == "count" else ()
        )
        if kind == "count":  # the pooled events less the published cohorts' are the rest's
            hidden = [r["cohort"] for r in shown["rows"] if r["treated"] is None]
            rest = focal_y[np.isin(cohorts, hidden)]
            events = not count_means_published(focal_y, control_y, threshold, rest)
            if events:  # and every cohort's means add up to the pooled ones
                shown = published_measurements(measurements, published, kind, plan.method, names)
        result["measurements"] = shown
        result["decisions"] = decide(contract, plan.metric, main, level_se)
        outcomes = OutcomesFile(contract=contract.id, measurements=measurements)
        settlement = settle_json(contract, outcomes, lang)
        result["settlement"] = settlement
        pooled = pooled_published(published, shown) and not events
        result["publication"] = {
            **publication(pooled),
            "events_single_out": events,
            "hidden_effects": hidden_settlement_effects(
                contract, settlement["decisions"], shown, pooled, lang
            ),
            "cohorts_paid_per_outcome": cohorts_paid_per_outcome(contract, plan.metric, shown),
        }
    facts = quality_facts(plan, data.quality, data.frame, mapping, spec, fates, policy_counts,
                          result, int(main.comparison.size))  # fmt: skip
    hidden = hidden_quality_counts(facts)
    result["publication"]["quality_hidden"] = hidden
    if "rows_read" in hidden:
        result["publication"]["rows_read"] = False
    return result
