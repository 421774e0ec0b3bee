"""What ``effekt evaluate`` gathers from its analysis for publication: the table of the
persons analysed, the service's verdicts on the figures beside it, and what became of
every row for the data-quality check. The rules are in :mod:`effekt.services.publication`
and :mod:`effekt.services.quality_counts`; this module hands them the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from effekt.evaluation_io.importer import ROW, QualityReport
from effekt.evaluation_io.mapping import Mapping, OutcomeSpec
from effekt.services.evaluate_methods import MethodResult
from effekt.services.evaluation_plan import AnalysisPlan
from effekt.services.publication import (
    events_single_out,
    publishable,
)
from effekt.services.publication_figures import (
    category_counts,
    group_size_published,
    hidden_covariates,
    published_left_out,
    rows_read_published,
)
from effekt.services.publication_table import published_table
from effekt.services.quality_counts import QualityFacts

__all__ = [
    "Analysis",
    "Fates",
    "cohort_labels",
    "comparison_cohorts_outside",
    "published_counts",
    "quality_facts",
    "verdicts",
]


def cohort_labels(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    """Each row's cohort as every published figure labels it — the published table, the
    measurements behind the payments, the settlement: the column's value as text without
    the spaces around it ("k1 " is k1), a whole number as written (2024, also where a
    column with blanks was read as decimals), ``None`` where it is blank; "all" on every row
    without a cohort column. Labelled here once, so that no two figures name one cohort
    differently."""
    if column is None or column not in frame.columns:
        return np.full(len(frame), "all", dtype=object)
    values = frame[column].to_numpy(dtype=object)
    return np.array([_label(v) for v in values], dtype=object)


def _label(value: object) -> str | None:
    """One cohort value as its label: a whole number read as a decimal (a numeric column
    with blanks is read as floats) is the whole number, 2024.0 is "2024"."""
    if pd.isna(value):  # type: ignore[call-overload]
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def published_counts(
    plan: AnalysisPlan,
    frame: pd.DataFrame,
    y: np.ndarray,
    t: np.ndarray,
    r: MethodResult,
    kind: str,
    known: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The published table of the persons analysed (publication_table.published_table), each
    by its cohort (:func:`cohort_labels`; "all" without a cohort column or value).

    With a contract (``known``: its cohort ids), a comparison person whose cohort the
    contract does not have — a comparison pool, a historical cohort — is counted in the
    pooled row "all", never under a label the contract lacks; ``comparison_outside_cohorts``
    says whether any was, so that the report can say what the row holds. (A treated
    person's cohort must be the contract's: the run stops otherwise.)"""
    labels = cohort_labels(frame, plan.cohort)
    cohort = np.where(pd.isna(labels), "all", labels).astype(object)
    treated_rows, control_rows = r.focal, r.comparison
    outside = False
    if known is not None:
        foreign = np.array([c not in known for c in cohort[control_rows]], dtype=bool)
        cohort[control_rows[foreign]] = "all"
        outside = bool(foreign.any()) and plan.cohort is not None
    rows = np.concatenate([treated_rows, control_rows])
    groups = np.array(
        ["treated"] * len(treated_rows) + ["comparison"] * len(control_rows), dtype=object
    )
    table = published_table(cohort[rows], groups, y[rows], kind, plan.suppression_threshold)
    return {**table, "comparison_outside_cohorts": outside}


def comparison_cohorts_outside(
    frame: pd.DataFrame, column: str | None, r: MethodResult, known: frozenset[str]
) -> list[str]:
    """The cohort labels of comparison persons analysed that the contract does not have
    ("" for a blank), for the evaluator to tell a comparison pool from a misspelt cohort."""
    if column is None or column not in frame.columns:
        return []
    labels = cohort_labels(frame, column)[r.comparison]
    return sorted({"" if c is None else str(c) for c in labels} - known)


@dataclass
class Analysis:
    """One population's analysis: the result, its frame, outcome and treatment, and
    which rows of the whole frame it holds."""

    result: MethodResult
    frame: pd.DataFrame
    y: np.ndarray
    t: np.ndarray
    rows: pd.Series


def _outside(a: Analysis) -> np.ndarray:
    """The analysed frame's persons the published table does not count — treated left
    out, comparison persons not matched."""
    outside = np.ones(len(a.y), dtype=bool)
    outside[a.result.focal] = outside[a.result.comparison] = False
    return outside


def _outside_table(a: Analysis, kind: str) -> np.ndarray:
    """The persons outside the published table by group and outcome category."""
    outside = _outside(a)
    return category_counts(a.t[outside], a.y[outside], kind)


def _engagement(referred: Analysis, engaged: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The treated analysed among everyone referred: engaged or not, and their outcome."""
    flags = engaged[referred.rows].fillna(False).astype(bool).to_numpy()
    focal = referred.result.focal
    return flags[focal], referred.y[focal]


def _split_events_single_out(flags: np.ndarray, values: np.ndarray, threshold: int) -> bool:
    """Whether the events of either part of a split (outside the table or not, engaged or
    not) would single persons out: a count outcome's figure beside the main ones gives
    a part's events."""
    return any(events_single_out(values[flags == f], threshold) for f in (False, True))


def _row_fates(q: QualityReport, policies: dict[str, Any], main: Analysis) -> list[int]:
    """What became of every row read — a duplicate, ineligible, excluded by a policy (per
    group), in the published table (treated, comparison), analysed but not in it (treated
    left out, comparison persons not matched) — and the rest (outside the population),
    so that they sum to the rows read."""
    parts = [len(q.excluded.get(k, [])) for k in ("duplicate", "ineligible")]
    for key, value in policies.items():
        if key.startswith("excluded_"):
            parts += list(value.values()) if isinstance(value, dict) else [int(value)]
    r = main.result
    parts += [r.focal.size, r.comparison.size, *_outside_table(main, "n").ravel().tolist()]
    return [*parts, q.rows_read - sum(parts)]


def verdicts(
    plan: AnalysisPlan,
    quality: QualityReport,
    policies: dict[str, Any],
    main: Analysis,
    referred: Analysis | None,
    engaged: pd.Series | None,
    kind: str,
    pooled: bool,
) -> dict[str, Any]:
    """The service's verdicts on the figures beside the table (publication.py): the
    pooled means, the naive comparison, the other population's figures, the balance
    rows hidden and the rows read. ``hidden_because``: why the naive comparison and the
    other population's figures are hidden, one reason each, the first that hides it —
    "pooled" (the means over all cohorts are), "counts" (a count of 1–4 among the
    persons it adds: outside the table; engaged or not) or "events" (a count outcome's
    events of those persons would single one out)."""
    threshold = plan.suppression_threshold
    hidden: dict[str, str] = {}
    if referred is not None and engaged is not None:
        flags, values = _engagement(referred, engaged)
        if not publishable(category_counts(flags, values, kind), threshold):
            hidden["other_populations"] = "counts"
        elif kind == "count" and _split_events_single_out(flags, values, threshold):
            hidden["other_populations"] = "events"
    outside = _outside(main)
    if not publishable(_outside_table(main, kind), threshold):
        hidden["naive"] = "counts"
    elif kind == "count" and _split_events_single_out(main.t[outside], main.y[outside], threshold):
        hidden["naive"] = "events"  # each figure gives the events of the persons it adds
    other = referred is not None and engaged is not None
    if not pooled:
        hidden = {k: "pooled" for k in ("naive", "other_populations") if k == "naive" or other}
    other = other and "other_populations" not in hidden
    return {
        "pooled": pooled,
        "naive": "naive" not in hidden,
        "other_populations": other,
        "hidden_because": hidden,
        "balance_hidden": hidden_covariates(
            main.result.details.get("_balance_counts", {}), threshold
        ),
        "rows_read": rows_read_published(_row_fates(quality, policies, main), threshold),
    }


def _outcome_columns(
    plan: AnalysisPlan, spec: OutcomeSpec | None, mapping: Mapping | None
) -> list[str]:
    """The data's columns whose missing value leaves the evaluated outcome missing."""
    if spec is None:
        return [plan.outcome]
    if spec.kind == "value":
        return [c for c in [spec.column] if c is not None]
    if spec.kind == "attendance_share":
        return [c for c in (spec.attended, spec.scheduled) if c is not None]
    anchor = spec.anchor or (mapping.columns.referral_date if mapping is not None else None)
    return [] if anchor is None else [anchor]


@dataclass
class Fates:
    """The eligible rows' fates under the policies, as the data-quality check needs them."""

    treated: pd.Series
    missing_covariate: pd.Series
    missing_outcome: pd.Series


def quality_facts(
    plan: AnalysisPlan,
    quality: QualityReport,
    frame: pd.DataFrame,
    mapping: Mapping | None,
    spec: OutcomeSpec | None,
    fates: Fates,
    policies: dict[str, Any],
    result: dict[str, Any],
    n_comparison: int,
) -> QualityFacts:
    """What became of every row read and what the report shows of it
    (:mod:`effekt.services.quality_counts`)."""
    q, table = quality, result["published"]
    rows = frame[ROW].astype(int)
    t, cov, out = fates.treated, fates.missing_covariate, fates.missing_outcome
    blocks = {"ineligible": frozenset(q.excluded.get("ineligible", []))}
    for group, members in (("treated", t), ("comparison", ~t)):
        for fate, sel in (("excluded", cov), ("unmeasured", ~cov & out), ("complete", ~cov & ~out)):
            blocks[f"{fate}_{group}"] = frozenset(rows[members & sel].tolist())
    roles: dict[str, set[str]] = {}
    named = [("treatment", [plan.treatment]), ("covariate", list(plan.covariates)),
             ("outcome", _outcome_columns(plan, spec, mapping)),
             ("eligibility", [r.column for r in mapping.eligibility] if mapping else [])]  # fmt: skip
    for role, columns in named:
        for column in columns:
            roles.setdefault(column, set()).add(role)
    threshold = plan.suppression_threshold
    effect = result["effect"]
    treated_shown = group_size_published(table, "treated")
    x = result["left_out"]
    return QualityFacts(
        threshold=threshold,
        rows_read=q.rows_read,
        rows_read_shown=bool(result["publication"]["rows_read"]),
        duplicates=len(q.excluded.get("duplicate", [])),
        blocks=blocks,
        missing={k: frozenset(v) for k, v in q.missing.items()},
        no_share={k: frozenset(v) for k, v in q.out_of_range.items() if k not in q.missing},
        roles={k: frozenset(v) for k, v in roles.items()},
        imputed={
            "treated": plan.attrition == "worst_case",
            "comparison": plan.missing_data == "worst_case",
        },
        policy_keys={
            group: key
            for key in policies
            for group in ("treated", "comparison")
            if key.endswith(f"_{group}") and isinstance(policies[key], int)
        },
        analysed={
            "treated": (int(effect["n_treated"]), treated_shown),
            "comparison": (n_comparison, group_size_published(table, "comparison")),
        },
        left_out=None if x is None else {**x, "analysed": int(effect["n_treated"])},
        left_out_shown=published_left_out(
            x, effect["n_treated"] if treated_shown else None, threshold
        ),
        whole_table=plan.method in ("rct", "baseline"),
        referred=plan.population == "referred",
    )
