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

This module runs the steps in order (:func:`evaluate`); their parts are in
:mod:`effekt.services.evaluate_data` (the data, steps 2–3),
:mod:`effekt.services.evaluate_effect` (the effect and the per-cohort measurements, step 4),
:mod:`effekt.services.evaluate_decision` (the decisions, step 5) and
:mod:`effekt.services.evaluate_run_record` (step 7).

Nothing here writes files or logs; the result is one JSON-ready dict.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from effekt.contract.model import Contract
from effekt.contract.outcomes_file import OutcomesFile
from effekt.errors import DataError, UsageError
from effekt.evaluation_io import events as ev
from effekt.evaluation_io.flags import yes_no
from effekt.evaluation_io.importer import ROW
from effekt.evaluation_io.mapping import Mapping
from effekt.services.evaluate_methods import OutcomeKind

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

from effekt.services.evaluate_data import (
    apply_policies,
    infer_kind,
    load_data,
    outcome_values,
)
from effekt.services.evaluate_decision import decide
from effekt.services.evaluate_effect import (
    cohort_measurements,
    effect_json,
    focal_cohorts,
    left_out,
    run_method,
)
from effekt.services.evaluate_publication import (
    Analysis,
    Fates,
    comparison_cohorts_outside,
    published_counts,
    quality_facts,
    verdicts,
)
from effekt.services.evaluate_run_record import run_record
from effekt.services.evaluation_plan import (  # re-exported: the plan is part of this use case
    METHOD_FOR_COUNTERFACTUAL,
    METHODS,
    AnalysisPlan,
    make_plan,
    parse_covariates,
)
from effekt.services.publication import count_means_published, events_single_out
from effekt.services.publication_cohorts import (  # published_measurements re-exported
    cohorts_paid_per_outcome,
    hidden_settlement_effects,
    published_measurements,
)
from effekt.services.publication_figures import pooled_published
from effekt.services.publication_table import published_table  # re-exported
from effekt.services.quality_counts import hidden_quality_counts


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
    data = load_data(data_path, mapping, environ, today)
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
    y_all = outcome_values(data, plan, spec, mapping)
    kind: OutcomeKind = plan.outcome_kind if plan.outcome_kind != "auto" else infer_kind(y_all)  # type: ignore[assignment]
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
    keep, y_all, policy_counts = apply_policies(
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
        r = run_method(plan, sub, y, t, kind, baseline_value)
        return Analysis(r, sub, y, t, mask)

    analysis = analyse(plan.population)
    main, sub, y, t = analysis.result, analysis.frame, analysis.y, analysis.t
    primary_label = ev.POPULATION_LABELS[plan.population]
    effects = {primary_label: effect_json(main, primary_label)}
    other = "engaged" if plan.population == "referred" else "referred"
    not_analysed: dict[str, dict[str, str]] = {}  # the secondary population, and why not
    referred = analysis if plan.population == "referred" else None
    if engaged is not None:
        other_label = ev.POPULATION_LABELS[other]
        try:
            secondary = analyse(other)
            effects[other_label] = effect_json(secondary.result, other_label)
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
        cohorts = focal_cohorts(plan, sub, main, contract)
        measurements = cohort_measurements(plan, y, main, cohorts, plan_hash)
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
