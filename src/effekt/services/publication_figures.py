"""The figures an evaluation publishes beside its table (the rules are in
:mod:`effekt.services.publication`): the means over all cohorts and the decisions that
give them, the effect and its group sizes, the rows read, the treated left out, covariate
balance and the Rosenbaum bounds — each as it may be published."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from effekt.services.publication_table import as_count, outcome_categories, outcome_category

__all__ = [
    "category_counts",
    "group_size_published",
    "hidden_covariates",
    "pooled_published",
    "published_balance",
    "published_decisions",
    "published_effect",
    "published_left_out",
    "published_sensitivity",
    "rows_read_published",
]


def pooled_published(table: dict[str, Any], measurements: dict[str, Any] | None = None) -> bool:
    """Whether the means over all cohorts (treated and counterfactual) may be published.

    A group's mean times its size is its count per category, so the means are published
    only when the table publishes every group total (each category and the size) and the
    measurements behind the payments, if any, publish the counts behind the pooled
    counterfactual. Both means or neither: the effect estimate, always published, is
    their difference.
    """
    groups = table["group_totals"].values()
    shown = all(v is not None for g in groups for v in [*g["cells"], g["total"]])
    return shown and not (measurements or {}).get("pooled_counterfactual_suppressed", False)


_GIVES_A_MEAN = ("level", "relative_reduction", "relative_increase")


def published_decisions(decisions: list[dict[str, Any]], pooled: bool) -> list[dict[str, Any]]:
    """The evaluation's decisions (pooled over all cohorts) as they may be published.

    A level is the treated mean, a relative effect the estimate over the counterfactual
    mean, a rate card's outcomes per person without a baseline the treated mean: when the
    means are not published (:func:`pooled_published`), neither are these values nor
    their intervals; whether the rule was met (and its band) is.
    """
    out = []
    for d in decisions:
        row = dict(d)
        gives_mean = row.get("measure") in _GIVES_A_MEAN or row.get("above_baseline") is False
        if gives_mean and not pooled:
            for key in ("value", "ci_low", "ci_high", "decided_on", "per_person"):
                if key in row:
                    row[key] = None
            row["suppressed"] = True
        out.append(row)
    return out


def category_counts(groups: np.ndarray, values: np.ndarray, kind: str) -> np.ndarray:
    """Persons by group (rows, in sorted order) and outcome category (the published
    table's columns for ``kind``)."""
    names, row = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    out = np.zeros((len(names), len(outcome_categories(kind))), dtype=np.int64)
    np.add.at(out, (row, outcome_category(np.asarray(values, dtype=float), kind)), 1)
    return out


def group_size_published(table: dict[str, Any], group: str) -> bool:
    """Whether the table publishes the group's size (a group it does not hold has none)."""
    totals = table["group_totals"].get(group)
    return totals is None or totals["total"] is not None


#: The effect's figures that are the means over all cohorts or follow from them.
_POOLED_MEANS = ("treated_mean", "counterfactual_mean", "rate_ratio", "rate_ratio_ci_low",
                 "rate_ratio_ci_high")  # fmt: skip


def published_effect(effect: dict[str, Any], table: dict[str, Any], pooled: bool) -> dict[str, Any]:
    """The effect as it may be published (one population's, as the result holds it).

    Without the pooled means (:func:`pooled_published`), neither the means and the rate
    ratio nor the standard error and p-value; a group's size only when the table
    publishes that group's total; the number of clusters a did's standard error is
    clustered on (the persons of both groups) only when both sizes are published, and
    the engine's English label, which states it, only with it.
    """
    out = dict(effect)
    if not pooled:
        out.update({k: None for k in (*_POOLED_MEANS, "se", "p_value") if k in out})
    treated = group_size_published(table, "treated")
    comparison = group_size_published(table, "comparison")
    if not treated:
        out["n_treated"] = None
    if not comparison:
        out["n_control"] = None
        out["n_control_weighted"] = None
    params = dict(out.get("method_params") or {})
    if "clusters" in params and not (treated and comparison):
        out["method_params"] = {**params, "clusters": None}
        out["method"] = None
    return out


def rows_read_published(parts: Iterable[int], threshold: int) -> bool:
    """Whether the number of rows read may be published beside the data-quality counts.

    ``parts`` are what became of every row read: duplicates, ineligible, excluded by
    the policies (per group), outside the population, analysed treated and comparison
    rows, and any rest. The rows read are their sum, so with the other parts published
    (the quality counts, the table's totals) a part of 1 to ``threshold`` − 1 rows
    follows from it; it is published only when no part is one.
    """
    return all(p == 0 or p >= threshold for p in parts)


def published_left_out(
    x: dict[str, Any] | None, analysed: int | None, threshold: int, hidden: Iterable[str] = ()
) -> dict[str, Any] | None:
    """The treated of the population left out of the analysis, as the report shows them
    (``None``: nobody left out, no line). Every count is shown only when none is small and
    the number analysed is published (the total minus the analysed gives the left-out);
    otherwise small ones as "< 5" and the rest as missing. ``hidden``: the counts the
    data-quality check hides besides (:mod:`effekt.services.quality_counts`)."""
    if not x or x["left_out"] <= 0:
        return None
    keys = ("population_treated", "left_out", "excluded_by_policies", "not_matched")
    safe = analysed is not None and all(x[k] == 0 or x[k] >= threshold for k in keys)
    out: dict[str, Any] = {
        k: x[k] if safe else (f"< {threshold}" if 0 < x[k] < threshold else None) for k in keys
    }
    out.update({k: None for k in hidden if k in keys})
    # which reasons apply is shown even when their counts are not
    out.update(
        analysed=analysed,
        reasons=[k for k in ("not_matched", "excluded_by_policies") if x[k] > 0],
        caliper=x.get("caliper"),
    )
    return out


#: Decimals a standardised mean difference is published with: enough to judge it
#: against a balance threshold such as 0.1, too few to pin down the counts behind it.
SMD_DECIMALS = 2


def hidden_covariates(counts: dict[str, list[list[float]]], threshold: int) -> list[str]:
    """The balance rows whose covariate has 1 to ``threshold`` − 1 persons with one of its
    values in a group the balance compares.

    ``counts``: per balance row (a model-matrix column) of a 0/1 or categorical covariate,
    the persons per value of the covariate (every level, the reference level too) in each
    group — the treated before and after matching, the comparison persons before and
    after (matching-weighted; a weighted count is rounded as in the measurements, never
    to 0).
    """
    return sorted(
        name
        for name, groups in counts.items()
        if any(0 < as_count(float(v)) < threshold for row in groups for v in row)
    )


def _rounded(value: Any) -> Any:
    if value is None or not math.isfinite(float(value)):
        return value
    return round(float(value), SMD_DECIMALS) + 0.0  # + 0.0: no -0.0


def published_balance(
    balance: dict[str, dict[str, Any]], hidden: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Covariate balance as it may be published: per covariate its label, the
    standardised mean differences before and after matching rounded to
    :data:`SMD_DECIMALS` (``None`` for a covariate of :func:`hidden_covariates`, with
    ``suppressed``) and whether it passed; never the means."""
    secret = set(hidden)
    out = {}
    for name, b in balance.items():
        shown = name not in secret
        row: dict[str, Any] = {
            "label": b.get("label", name),
            "smd_before": _rounded(b.get("smd_before")) if shown else None,
            "smd_after": _rounded(b.get("smd_after")) if shown else None,
        }
        if "passed" in b:
            row["passed"] = b["passed"]
        if not shown:
            row["suppressed"] = True
        out[name] = row
    return out


#: Decimals the critical Γ is published with, as the report's sentence reads it.
GAMMA_DECIMALS = 2


_SENSITIVITY_PUBLISHED = ("status", "alpha", "max_gamma", "critical_gamma", "n_sets")


def published_sensitivity(
    sensitivity: dict[str, Any] | None, treated_size: bool
) -> dict[str, Any] | None:
    """The Rosenbaum bounds as they may be published: the status, the level, the largest
    Γ examined and the critical Γ (to :data:`GAMMA_DECIMALS`); the number of matched sets
    (one per treated person analysed) only when the treated group's size is published
    (``treated_size``); never the p-value bounds per Γ."""
    if not sensitivity:
        return sensitivity
    out = {k: sensitivity[k] for k in _SENSITIVITY_PUBLISHED if k in sensitivity}
    if out.get("critical_gamma") is not None:
        out["critical_gamma"] = round(float(out["critical_gamma"]), GAMMA_DECIMALS)
    if "n_sets" in out and not treated_size:
        out["n_sets"] = None
    return out
