"""What ``effekt evaluate`` may publish: the suppressed table and every figure beside it.

**The rule.** No published figure may let a reader work out a count of persons below the
threshold (5 by default), or one person's value, together with the other published
figures. The evaluator's output (``--json``) keeps every figure in full; the report —
text, HTML with its balance plot, JSON — and the investor view publish what follows, each
figure suppressed, coarsened or kept for a stated reason.

Counts about people are published only as aggregates with small cells hidden and
complements, so that no hidden cell can be worked out from what is published
(:mod:`effekt.engine.suppression`). The report publishes more than the table, and each
further figure is a relation a reader can combine with it:

* the pooled figures — a group's mean over all cohorts times its size is the group's
  count per outcome category, the **group total** of the table;
* the per-cohort measurements behind the payments (a share times its number of persons is
  a count);
* the decisions: the evaluation's own (pooled) and the settle engine's, per cohort or
  pooled over the cohorts a rule names.

So :func:`published_table` suppresses each group (treated, comparison) as its own cohort ×
category table whose totals are the group totals the pooled figures give away, and every
other figure is published only when it gives away nothing the table hides
(:func:`pooled_published`, :func:`published_measurements`, :func:`published_decisions`,
:func:`hidden_settlement_effects`). Payments are contractual and always published;
:func:`cohorts_paid_per_outcome` names the hidden cohorts a payment per outcome (price ×
number of outcomes) can give away, so that the report says so.

The effect estimate, its interval and the payments are published whatever the counts: when
a whole group has 1–4 persons in a category, they can give that number away (a limit of
evaluating and paying on so few persons, which the report states). So can the interval of
a 1:1 match on a binary outcome give the numbers of pairs whose treated person alone, or
whose comparison person alone, achieved it: the estimate is their difference over the
pairs, the standard error (the interval's half-width over z) their sum.

**The figures beside the effect**, figure by figure (:func:`published_effect` and the
functions below; the service's verdicts are in the result's ``publication``):

* *Standard error and p-value* — only with the pooled means. Without them, the standard
  error of a difference in proportions, with the estimate and the group sizes, gives the
  two shares back; a t interval's width over its standard error is the t quantile, whose
  degrees of freedom give a hidden group's size, and then the standard deviation (two
  treated persons' values, exactly). With the means published, they add for a difference
  in proportions nothing the means and sizes do not give, and for a t interval the
  degrees of freedom of groups of five or more. Where the interval is the estimate ± z ×
  SE (matching, an estimated baseline) they are the interval restated: published with
  it when the means are, and hiding them otherwise costs nothing the interval gives.
* *The method's parameters* — a did's number of clusters is the persons of both groups:
  published (with the engine's English label, which states it) only when both group sizes
  are. The tie tolerance of matching with replacement, 1/n² of the comparison pool past
  316 persons, can give the pool's size, which is never small: kept.
* *Group sizes* (and the number of matched sets of the Rosenbaum bounds, one per treated
  person analysed) — only when the table publishes the group's total.
* *The other population's effect* (engaged only, or everyone referred) — its estimate,
  interval and standard error only with the pooled means and when the treated analysed,
  split by engaged or not and by outcome category, have no count of 1–4
  (:func:`publishable`). Its estimate is a mean written in full: beside the main means it
  is a fraction whose denominator is the number who engaged, so it gives away how many did
  not, and how many of them achieved the outcome.
* *The unadjusted (naive) difference* — over everyone analysed, the treated left out and
  the comparison persons not matched included: less the published means it is a share of
  the persons outside the table, a fraction whose denominator reads back as their number.
  Only with the pooled means and when those outside persons, by group and outcome
  category, have no count of 1–4.
* *Covariate balance* — never the means before and after matching: a 0/1 covariate's mean
  times the group's size is a count (2 of 40 treated had earlier support), the levels of a
  categorical one give the reference level's count as the rest, and the means of two sets
  differing by one person give that person's value (41 comparison persons before matching,
  40 after). The standardised mean differences are published rounded to
  :data:`SMD_DECIMALS` decimals, enough to judge them against the balance threshold (0.1)
  and too few to be solved back for counts, as full-precision ones can (the after-matching
  SMD of a 0/1 covariate is a function of two counts); and not at all for a 0/1 or
  categorical covariate with 1–4 persons of some value in a group the balance compares
  (:func:`hidden_covariates`), where only whether it passed is shown. Whether each
  covariate passed is judged on the unrounded figure. The balance plot draws these
  published figures only.
* *Rosenbaum bounds* — the status, the level, the largest Γ examined and the critical Γ to
  :data:`GAMMA_DECIMALS` decimals, as the report's sentence reads them; the number of
  matched sets as a group size (above); never the p-value bounds per Γ. Those give the
  signed-rank statistic and the sums of the ranks, and on a binary outcome with 1:2
  matching they leave one table of matched sets (how many sets had the treated person
  achieve it and neither, one or both controls, and so on) where the estimate, standard
  error and critical Γ leave many.
* *A count outcome's events* — a group's mean times its size is its number of events, a
  cohort's measured mean times its treated theirs; less the table's persons with one event
  and twice those with two or more, that is the excess of the persons with more than
  two, and an excess of 1 says that exactly one had three (31 events for 10, 10 and 10
  persons). So the means over all cohorts, with everything hidden without them (rate
  ratio, standard error, p-value, decision values), are published for a count outcome
  only when neither group's events single anyone out (:func:`events_single_out`: an
  excess of 1 or 2 — 2 as well, so that a figure hidden for this reason says only "one
  person with four or two with three" —, or 1–4 persons with two or more and an excess of
  0, or one such person), nor do the events of the treated in the cohorts whose figures
  are hidden, which are the pooled events less the published cohorts'
  (:func:`count_means_published`). The estimate, always published, is the difference of
  the two means, so either group's events give the other's. A cohort's measurements are
  published only when its treated's events single no one out, and none at all when the
  pooled means are hidden for this reason: the cohorts' events add up to the group's (and
  where the counterfactual is the comparison group's mean, as for rct, every cohort's is
  that mean). The naive difference and the other population's effect also need the
  persons they add — outside the table; engaged or not — to single no one out.
* *Rows read* — the sum of what became of every row (a duplicate, ineligible, excluded by
  a policy, in the table, analysed but outside it, outside the population): with the
  other published counts, one part follows from it. Published only when no part is 1–4
  (:func:`rows_read_published`); the data-quality counts themselves show 1–4 as "< 5".
* *The data-quality counts* — the duplicates dropped, the ineligible, each column's missing
  values, the attended/scheduled pairs that give no share, the policies' counts and the
  treated left out overlap: a column's missing values are those among the ineligible,
  those excluded for a missing covariate, those the policies counted (for a one-column
  outcome, all of them) and the rest, so 7 missing outcomes less 5 imputed for the
  treated gave the 2 comparison persons excluded ("< 5"), 8 missing ages less the 6
  treated excluded the 2 comparison persons without one (not published), 8 ineligible
  less 6 without the rule's column the 2 that failed it. :mod:`effekt.services.quality_counts`
  models them as a reader would and hides published ones ("–") until no count of 1–4
  follows; the rows read are hidden there too when they would give one.

**Left as they are, and why.** The decisions' yes/no (one bit), the plan (no data), the
labels of a categorical covariate's levels (which values occur, not how often).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from effekt.contract.model import Contract
from effekt.contract.outcomes_file import Measurement
from effekt.contract.quantity import expected
from effekt.contract.rules import RateCard, SavingsShare, Threshold, Tiers
from effekt.engine.suppression import primary_suppression, suppress, with_totals
from effekt.i18n import translate

__all__ = [
    "category_counts",
    "cohorts_paid_per_outcome",
    "count_means_published",
    "events_single_out",
    "group_size_published",
    "hidden_covariates",
    "hidden_settlement_effects",
    "pooled_published",
    "publishable",
    "published_balance",
    "published_decisions",
    "published_effect",
    "published_left_out",
    "published_measurements",
    "published_sensitivity",
    "published_table",
    "rows_read_published",
]

#: The groups of the published table, in the order of its rows within a cohort.
_GROUPS = ("treated", "comparison")


# ----------------------------------------------------------------------------- the table


def _categories(kind: str) -> list[str]:
    return {"binary": ["achieved", "not_achieved"], "count": ["0", "1", "2+"]}.get(kind, ["n"])


def _category(values: np.ndarray, kind: str) -> np.ndarray:
    if kind == "binary":
        return np.where(values >= 0.5, 0, 1)
    if kind == "count":
        return np.asarray(np.minimum(np.round(values).astype(int), 2))
    return np.zeros(values.shape, dtype=int)


def _cell(v: float) -> int | None:
    return None if math.isnan(v) else int(v)


def _sum(values: Iterable[int | None]) -> int | None:
    """The sum of published figures; hidden when any of them is."""
    parts = list(values)
    return None if any(v is None for v in parts) else sum(v for v in parts if v is not None)


def published_table(
    cohorts: np.ndarray, groups: np.ndarray, values: np.ndarray, kind: str, threshold: int = 5
) -> dict[str, Any]:
    """Counts by cohort × group (rows) and outcome category (columns), suppressed.

    Each group is suppressed as its own cohort × category table, with its totals: per
    row, and per category over all cohorts — ``group_totals``, which the pooled figures
    give away (the treated mean times the number treated is the treated count achieving
    the outcome). One table for both groups, whose column totals mix them, let a cohort's
    hidden cell be worked out as that count less the other cohorts' published cells.
    ``column_totals`` and ``total`` (both groups) are the sums of the group totals,
    published only when every part is.
    """
    rows = sorted(
        {(str(c), str(g)) for c, g in zip(cohorts, groups, strict=True)},
        key=lambda x: (x[0], x[1] != "treated"),
    )
    cats = _categories(kind)
    table = np.zeros((len(rows), len(cats)), dtype=np.int64)
    index = {row: i for i, row in enumerate(rows)}
    for c, g, cat in zip(cohorts, groups, _category(values, kind), strict=True):
        table[index[(str(c), str(g))], int(cat)] += 1
    cells: list[list[int | None]] = [[] for _ in rows]
    row_totals: list[int | None] = [None] * len(rows)
    group_totals: dict[str, dict[str, Any]] = {}
    hidden = 0
    present = {g for _, g in rows}
    for group in [g for g in _GROUPS if g in present] + sorted(present - set(_GROUPS)):
        members = [i for i, (_, g) in enumerate(rows) if g == group]
        s = suppress(table[members], threshold)
        for k, i in enumerate(members):
            cells[i] = [_cell(v) for v in s.values[k, :-1]]
            row_totals[i] = _cell(s.values[k, -1])
        group_totals[group] = {
            "cells": [_cell(v) for v in s.values[-1, :-1]],
            "total": _cell(s.values[-1, -1]),
        }
        hidden += int(s.suppressed.sum())
    column_totals = [_sum(g["cells"][j] for g in group_totals.values()) for j in range(len(cats))]
    total = _sum(g["total"] for g in group_totals.values())
    return {
        "rows": [{"cohort": c, "group": g} for c, g in rows],
        "columns": cats,
        "cells": cells,
        "row_totals": row_totals,
        "group_totals": group_totals,
        "column_totals": column_totals,
        "total": total,
        "threshold": threshold,
        "suppressed_cells": hidden + sum(v is None for v in [*column_totals, total]),
    }


# ------------------------------------------------------------ the measurements per cohort


def _as_count(x: float) -> int:
    """A weighted count as a whole number on the same side of every threshold: rounded
    down (4.6 is still below 5), but never to 0 when it is above 0."""
    if x <= 1e-9:
        return 0
    return max(1, math.floor(x + 1e-9))


def published_measurements(
    measurements: list[Measurement],
    published: dict[str, Any],
    kind: str,
    method: str,
    singled_out: Iterable[str] = (),
) -> dict[str, Any]:
    """The per-cohort figures the payments came from, suppressed like the published table.

    Per cohort: the treated persons analysed (``n_treated``), their outcome (``treated``:
    the share achieving it for a binary outcome, else the mean), the counterfactual (the
    mean over the comparison persons matched to them, who may belong to any cohort) and
    ``difference`` = treated − counterfactual.

    Suppression, with the published table's threshold and :func:`suppress`: the counts
    behind the counterfactual — per cohort, the (weighted) matched comparison persons
    achieving and not achieving a binary outcome, else the number of treated — form a
    cohort × category table that is suppressed like the published one (small cells, then
    complements so that none can be worked out from the pooled figures). A cohort's
    figures are shown only when that table shows its row and the published table shows
    every cell of the cohort's treated row (their share would give the count); its
    ``n_treated`` only when the published table shows that row's total.
    ``pooled_counterfactual_suppressed``: that table hides one of its totals, the counts
    the pooled counterfactual mean gives away (:func:`pooled_published`).

    The cohorts ``singled_out`` — a count outcome's, whose treated's events would single
    persons out (:func:`events_single_out`; the cohort's mean times its number of treated
    is its events) — show none of their figures but the number of treated
    (``events_suppressed_cohorts``).
    """
    singled = set(singled_out)
    threshold = int(published["threshold"])
    index = {(r["cohort"], r["group"]): i for i, r in enumerate(published["rows"])}

    def treated_row(cohort: str) -> tuple[bool, bool]:
        i = index.get((cohort, "treated"))
        if i is None:
            return False, False
        total = published["row_totals"][i] is not None
        return total and all(v is not None for v in published["cells"][i]), total

    figures = []  # (cohort, n, treated, counterfactual): all set by _measurements
    for m in measurements:
        assert m.n is not None and m.treated is not None and m.baseline is not None
        figures.append((m.cohort, m.n, m.treated, m.baseline))
    if kind == "binary":
        counts = [[_as_count(cf * n), _as_count((1 - cf) * n)] for _, n, _, cf in figures]
    else:
        counts = [[_as_count(n)] for _, n, _, _ in figures]
    hidden = suppress(counts, threshold).suppressed if counts else None
    rows = []
    for i, (cohort, n, treated, cf) in enumerate(figures):
        cells_shown, n_shown = treated_row(cohort)
        shown = cells_shown and hidden is not None and not hidden[i, :].any()
        shown = shown and cohort not in singled
        rows.append(
            {
                "cohort": cohort,
                "n_treated": int(n) if n_shown else None,
                "treated": treated if shown else None,
                "counterfactual": cf if shown else None,
                "difference": treated - cf if shown else None,
            }
        )
    return {
        "kind": kind,
        "method": method,
        "threshold": threshold,
        "rows": rows,
        "suppressed_cohorts": sum(r["treated"] is None for r in rows),
        "events_suppressed_cohorts": sorted(singled & {r["cohort"] for r in rows}),
        "pooled_counterfactual_suppressed": bool(hidden is not None and hidden[-1, :].any()),
    }


# --------------------------------------------------------------------- the pooled figures


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


def _shown_cohorts(measurements: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the cohorts measured, those whose figures are published)."""
    rows = measurements["rows"]
    return {r["cohort"] for r in rows}, {r["cohort"] for r in rows if r["treated"] is not None}


def hidden_settlement_effects(
    contract: Contract,
    decisions: list[dict[str, Any]],
    measurements: dict[str, Any],
    pooled: bool,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """The settle engine's decisions whose effect may not be published, as ``rule``,
    ``cohort`` and the ``reason`` to publish instead (met or not, and why no effect).

    A cohort's effect (and the reason, which states it) is published only when the
    cohort's measurements are: a level is the cohort's share, which times its published
    number of treated gives a hidden count. A pooled rule's effect over the cohorts it
    names only when every one of them is published — or, over all cohorts, when the
    pooled means are (:func:`pooled_published`) or the effect is the absolute difference
    (the effect estimate, always published): a pooled share less the published cohorts'
    counts gives the hidden cohort's count.
    """
    measured, shown = _shown_cohorts(measurements)
    rule_index = {contract.rule_id(k): k for k in range(len(contract.rules))}
    out = []
    for d in decisions:
        if d.get("effect") is None:
            continue
        rule = contract.rules[rule_index[d["rule"]]]
        if "all" in measured:  # no cohort column: every cohort's figure is the pooled one
            visible = "all" in shown
        elif d["cohort"] is not None:
            visible = d["cohort"] in shown
        else:
            named = measured if rule.cohorts is None else measured & set(rule.cohorts)
            whole = named == measured
            estimate = whole and getattr(rule, "measure", None) == "absolute_difference"
            visible = named <= shown or (whole and pooled) or estimate
        if not visible:
            met = "met" if d.get("triggered") else "not_met"
            code = met if d.get("threshold") is not None else "no_threshold"
            reason = translate(f"report.decision_suppressed.{code}", lang)
            out.append({"rule": d["rule"], "cohort": d["cohort"], "reason": reason})
    return out


def _per_outcome(rule: Any) -> bool:
    """Whether a rule pays a price per outcome (so a payment is a price times a count)."""
    if isinstance(rule, RateCard | SavingsShare):
        return True
    if isinstance(rule, Threshold):
        return expected(rule.price) != 0
    if isinstance(rule, Tiers):
        return any(expected(t.price) != 0 for t in rule.tiers)
    return False


def cohorts_paid_per_outcome(
    contract: Contract, metric: str, measurements: dict[str, Any]
) -> list[str]:
    """The cohorts whose figures are hidden but whose payments are a price per outcome.

    Payments are contractual and published in full; a payment of a rate card (price ×
    the cohort's outcomes, or × its outcomes above the counterfactual), a savings share or
    a threshold or tier with a price can give a hidden count away. The report says so.
    """
    measured, shown = _shown_cohorts(measurements)
    hidden = measured - shown
    out: set[str] = set()
    for rule in contract.rules:
        if getattr(rule, "metric", None) != metric or not _per_outcome(rule):
            continue
        if "all" in hidden or rule.cohorts is None:
            out |= hidden
        else:
            out |= hidden & set(rule.cohorts)
    return sorted(out)


# ------------------------------------------------------------- a count outcome's events


def events_single_out(values: Any, threshold: int) -> bool:
    """Whether the events of these persons would single persons out beside the published
    table's columns for a count outcome (how many had 0, 1 and 2 or more events).

    A count outcome's mean times its number of persons is their events; less one for each
    person with one and two for each with two or more, it is the *excess* of those with
    more than two. An excess of 1 says that exactly one person had three events; 2 is
    hidden too, so that a figure hidden for this reason says only "one or two" (one person
    with four, or two with three), never which; from 3 on there are always several ways
    (one with five, one with four and one with three, three with three). With 1 to
    ``threshold`` − 1 persons with two or more, an excess of 0 says how many had exactly
    two, and a single such person's events are his own: hidden too (only the table's
    hidden cells add up to so few, the cohorts a report hides).

    >>> events_single_out([0] * 10 + [1] * 10 + [2] * 9 + [3], 5)  # 31 events: one had 3
    True
    >>> events_single_out([0] * 10 + [1] * 10 + [2] * 9 + [5], 5)  # 33 events
    False
    """
    v = np.asarray(values, dtype=np.float64)
    category = _category(v, "count")
    many = int((category == 2).sum())
    if many == 0:
        return False
    excess = round(float(v.sum()) - int((category == 1).sum()) - 2 * many)
    return excess in (1, 2) or (many < threshold and (many == 1 or excess == 0))


def count_means_published(
    treated: Any, comparison: Any, threshold: int, hidden: Any = None
) -> bool:
    """Whether a count outcome's means may be published beside the table, as far as its
    events go: not when the events of the treated (the treated mean times their number)
    or of the comparison persons would single persons out (:func:`events_single_out`) —
    the estimate, always published, is the difference of the two means, so either gives
    the other — nor those of ``hidden``, the treated of the cohorts whose figures are
    hidden: the pooled events less the published cohorts'.
    """
    groups = [treated, comparison] + ([] if hidden is None else [hidden])
    return not any(events_single_out(g, threshold) for g in groups if np.size(g))


# ------------------------------------------------------- the figures beside the effect


def category_counts(groups: np.ndarray, values: np.ndarray, kind: str) -> np.ndarray:
    """Persons by group (rows, in sorted order) and outcome category (the published
    table's columns for ``kind``)."""
    names, row = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    out = np.zeros((len(names), len(_categories(kind))), dtype=np.int64)
    np.add.at(out, (row, _category(np.asarray(values, dtype=float), kind)), 1)
    return out


def publishable(counts: Any, threshold: int) -> bool:
    """Whether a table of (possibly weighted) counts would be published whole: no cell,
    row or column total or grand total of 1 to ``threshold`` − 1 persons, so nothing
    would be suppressed, and no complement either.

    >>> publishable([[0, 7], [5, 12]], 5), publishable([[3, 7], [5, 12]], 5)
    (True, False)
    """
    a = np.asarray(counts, dtype=np.float64)
    if a.size == 0:
        return True
    whole = np.vectorize(_as_count, otypes=[np.int64])(a.reshape(a.shape[0], -1))
    return not primary_suppression(with_totals(whole), threshold).any()


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
        if any(0 < _as_count(float(v)) < threshold for row in groups for v in row)
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
