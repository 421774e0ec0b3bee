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

**Where each rule is.** The table in :mod:`effekt.services.publication_table`; the per-cohort
measurements, the settle engine's effects and the payments per outcome in
:mod:`effekt.services.publication_cohorts`; the pooled means, the decisions and the figures
beside the effect in :mod:`effekt.services.publication_figures`; here, whether a table of
counts is published whole (:func:`publishable`) and whether a count outcome's events single
anyone out (:func:`events_single_out`, :func:`count_means_published`).

**Left as they are, and why.** The decisions' yes/no (one bit), the plan (no data), the
labels of a categorical covariate's levels (which values occur, not how often).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from effekt.engine.suppression import primary_suppression, with_totals
from effekt.services.publication_table import as_count, outcome_category

__all__ = ["count_means_published", "events_single_out", "publishable"]


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
    category = outcome_category(v, "count")
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
    whole = np.vectorize(as_count, otypes=[np.int64])(a.reshape(a.shape[0], -1))
    return not primary_suppression(with_totals(whole), threshold).any()
