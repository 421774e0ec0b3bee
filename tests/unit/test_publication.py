"""What ``effekt evaluate`` publishes beside its table gives no hidden count away: each
group is suppressed with its totals over all cohorts (which the pooled means give away),
the pooled means and the values that give them go only with those totals, the settle
engine's effects only for published cohorts, and the report names the hidden cohorts a
payment per outcome can give away. Beside the effect: the standard error and p-value go
with the pooled means, a did's clusters with both group sizes, the balance as rounded
differences without means (none for a covariate with a small count), the Rosenbaum bounds
as the sentence's figures, the rows read when nothing that became of them is small."""

from __future__ import annotations

import doctest
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from small_contracts import PARTIES, checked, contract_text

from effekt.contract.outcomes_file import Measurement
from effekt.engine.suppression import derivable_cells
from effekt.services import publication
from effekt.services.publication import (
    count_means_published,
    events_single_out,
    publishable,
)
from effekt.services.publication_cohorts import (
    cohorts_paid_per_outcome,
    hidden_settlement_effects,
    published_measurements,
)
from effekt.services.publication_figures import (
    category_counts,
    hidden_covariates,
    pooled_published,
    published_balance,
    published_decisions,
    published_effect,
    published_sensitivity,
    rows_read_published,
)
from effekt.services.publication_table import published_table

# (cohort, group, achieved, not achieved): a's 3 treated and b's 2 comparison are small
CELLS = [("a", "treated", 3, 17), ("a", "comparison", 12, 18), ("b", "treated", 10, 15),
         ("b", "comparison", 2, 20), ("c", "treated", 9, 9), ("c", "comparison", 7, 11)]  # fmt: skip
FEW = [("a", "treated", 2, 18), ("a", "comparison", 12, 18), ("b", "treated", 1, 24),
       ("b", "comparison", 10, 20), ("c", "treated", 0, 18), ("c", "comparison", 7, 11)]  # fmt: skip


def table(cells: list[tuple[str, str, int, int]]) -> dict[str, Any]:
    cohorts, groups, values = [], [], []
    for cohort, group, yes, no in cells:
        cohorts += [cohort] * (yes + no)
        groups += [group] * (yes + no)
        values += [1.0] * yes + [0.0] * no
    return published_table(np.array(cohorts), np.array(groups), np.array(values), "binary")


def block(t: dict[str, Any], group: str, cells: list[tuple[str, str, int, int]]) -> tuple[
    np.ndarray, np.ndarray
]:  # fmt: skip
    """A group's true counts and its published mask, totals over all cohorts included."""
    members = [i for i, r in enumerate(t["rows"]) if r["group"] == group]
    truth = np.array([[yes, no] for _, g, yes, no in cells if g == group], dtype=float)
    mask = np.zeros((len(members) + 1, 3), dtype=bool)
    for k, i in enumerate(members):
        mask[k, :2] = [v is None for v in t["cells"][i]]
        mask[k, 2] = t["row_totals"][i] is None
    totals = t["group_totals"][group]
    mask[-1, :2] = [v is None for v in totals["cells"]]
    mask[-1, 2] = totals["total"] is None
    return truth, mask


def test_each_group_is_suppressed_with_its_totals_over_all_cohorts() -> None:
    t = table(CELLS)
    assert t["cells"] == [
        [None, None],
        [12, 18],
        [10, 15],
        [None, None],
        [None, None],
        [None, None],
    ]
    assert t["group_totals"] == {"treated": {"cells": [22, 41], "total": 63},
                                 "comparison": {"cells": [21, 49], "total": 70}}  # fmt: skip
    assert (t["column_totals"], t["total"]) == ([43, 90], 133)
    assert t["suppressed_cells"] == 8
    for group in ("treated", "comparison"):
        truth, mask = block(t, group, CELLS)
        assert not derivable_cells(truth, mask).any(), group


def test_a_hidden_group_total_hides_the_totals_over_both_groups_that_would_give_it() -> None:
    t = table(FEW)
    assert t["group_totals"]["treated"] == {"cells": [None, None], "total": 63}
    assert t["group_totals"]["comparison"] == {"cells": [29, 49], "total": 78}
    assert (t["column_totals"], t["total"]) == ([None, None], 141)  # 141 − 78 = 63, published
    truth, mask = block(t, "treated", FEW)
    assert not derivable_cells(truth, mask).any()


def reader_bounds(t: dict[str, Any], truth: np.ndarray) -> list[tuple[float, float]]:
    """The least and greatest value of each hidden cell given every published figure of
    the table, the group totals and the totals over both groups included."""
    rows, cols = truth.shape
    lhs, rhs = [], []

    def add(cells: list[tuple[int, int]], value: int | None) -> None:
        if value is not None:
            a = np.zeros(rows * cols)
            for i, j in cells:
                a[i * cols + j] = 1.0
            lhs.append(a)
            rhs.append(float(value))

    everything = [(i, j) for i in range(rows) for j in range(cols)]
    for i in range(rows):
        for j in range(cols):
            add([(i, j)], t["cells"][i][j])
        add([(i, j) for j in range(cols)], t["row_totals"][i])
    for group, totals in t["group_totals"].items():
        members = [i for i, r in enumerate(t["rows"]) if r["group"] == group]
        for j in range(cols):
            add([(i, j) for i in members], totals["cells"][j])
        add([(i, j) for i in members for j in range(cols)], totals["total"])
    for j in range(cols):
        add([(i, j) for i in range(rows)], t["column_totals"][j])
    add(everything, t["total"])
    out = []
    for i, j in everything:
        if t["cells"][i][j] is None:
            c = np.zeros(rows * cols)
            c[i * cols + j] = 1.0
            bounds = []
            for sign in (1.0, -1.0):
                res = optimize.linprog(sign * c, A_eq=np.array(lhs) if lhs else None,
                                       b_eq=rhs or None, method="highs")  # fmt: skip
                bounds.append(np.inf if res.status == 3 else sign * res.fun)  # 3: unbounded
            out.append((bounds[0], bounds[1]))
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.integers(0, 4), st.integers(0, 30)),
                  st.one_of(st.integers(0, 4), st.integers(0, 30))),
        min_size=2, max_size=8,
    )
)  # fmt: skip
def test_no_published_figure_is_small_and_no_hidden_cell_follows_from_them_all(
    counts: list[tuple[int, int]],
) -> None:
    cells = [(f"k{k // 2}", ("treated", "comparison")[k % 2], yes, no)
             for k, (yes, no) in enumerate(counts)]  # fmt: skip
    cells = [c for c in cells if c[2] + c[3] > 0]
    if not cells:
        return
    t = table(cells)
    totals = [
        g for totals in t["group_totals"].values() for g in [*totals["cells"], totals["total"]]
    ]
    figures = [*sum(t["cells"], []), *t["row_totals"], *totals, *t["column_totals"], t["total"]]
    assert not any(v is not None and 0 < v < 5 for v in figures)
    truth = np.array([[yes, no] for *_, yes, no in sorted(
        cells, key=lambda c: (c[0], c[1] != "treated"))], dtype=float)  # fmt: skip
    assert all(high - low > 0.5 for low, high in reader_bounds(t, truth))


def test_pooled_means_go_only_with_every_group_total_and_the_pooled_counterfactual() -> None:
    assert pooled_published(table(CELLS)) is True
    assert pooled_published(table(FEW)) is False
    counterfactual_hidden = {"pooled_counterfactual_suppressed": True}
    assert pooled_published(table(CELLS), counterfactual_hidden) is False


DECISIONS = [
    {"rule": "niva", "kind": "gate", "measure": "level", "value": 0.05, "ci_low": 0.01,
     "ci_high": 0.1, "decided_on": 0.05, "threshold": 0.01, "met": True},
    {"rule": "relativ", "kind": "threshold", "measure": "relative_increase", "value": 0.2,
     "ci_low": 0.0, "ci_high": 0.4, "decided_on": 0.2, "threshold": 0.1, "met": True},
    {"rule": "skillnad", "kind": "threshold", "measure": "absolute_difference", "value": 0.03,
     "ci_low": -0.1, "ci_high": 0.2, "decided_on": 0.03, "threshold": 0.0, "met": True},
    {"rule": "per_utfall", "kind": "rate_card", "per_person": 0.05, "above_baseline": False},
    {"rule": "over_jmf", "kind": "rate_card", "per_person": 0.03, "above_baseline": True},
]  # fmt: skip


def test_decision_values_that_give_a_mean_away_go_only_with_the_means() -> None:
    hidden = published_decisions(DECISIONS, pooled=False)
    shown = {d["rule"]: d.get("value", d.get("per_person")) for d in hidden}
    # a level is the treated mean, a relative effect the estimate over the counterfactual
    # mean, outcomes per person without a baseline the treated mean; a difference is the
    # effect estimate, which is always published
    assert shown == {"niva": None, "relativ": None, "skillnad": 0.03, "per_utfall": None,
                     "over_jmf": 0.03}  # fmt: skip
    assert all(d["met"] for d in hidden if "met" in d)
    assert hidden[0]["ci_low"] is None and hidden[0]["decided_on"] is None
    assert published_decisions(DECISIONS, pooled=True) == DECISIONS


CONTRACT = checked(
    contract_text(
        "liten",
        PARTIES,
        *(f'[[cohorts]]\nid = "{c}"\nstart_period = 1\nsize = 20\n' for c in "abc"),
        """\
[[metrics]]
id = "m"
definition = "Achieves it."
kind = "binary"
direction = "increase"
counterfactual = "randomised"
expected = 0.4
baseline = 0.3

[[rules]]
id = "niva"
kind = "threshold"
metric = "m"
measure = "level"
threshold = 0.1
amount = 10

[[rules]]
id = "ab"
kind = "threshold"
metric = "m"
measure = "level"
scope = "all_cohorts"
cohorts = ["a", "b"]
threshold = 0.1
amount = 10

[[rules]]
id = "bc"
kind = "threshold"
metric = "m"
measure = "level"
scope = "all_cohorts"
cohorts = ["b", "c"]
threshold = 0.1
amount = 10

[[rules]]
id = "skillnad"
kind = "threshold"
metric = "m"
measure = "absolute_difference"
scope = "all_cohorts"
threshold = 0.0
amount = 10

[[rules]]
id = "alla"
kind = "threshold"
metric = "m"
measure = "level"
scope = "all_cohorts"
threshold = 0.1
amount = 10
""",
    )
)

# a hidden, b and c published
MEASUREMENTS = {"threshold": 5, "rows": [
    {"cohort": "a", "n_treated": 20, "treated": None},
    {"cohort": "b", "n_treated": 20, "treated": 0.4},
    {"cohort": "c", "n_treated": 20, "treated": 0.5},
]}  # fmt: skip


def decision(rule: str, cohort: str | None, effect: float, met: bool = True) -> dict[str, Any]:
    return {"rule": rule, "metric": "m", "cohort": cohort, "triggered": met, "measured": True,
            "effect": effect, "threshold": 0.1, "period": 1, "reason": f"effect {effect}"}  # fmt: skip


SETTLED = [decision("niva", "a", 0.15), decision("niva", "b", 0.4), decision("niva", "c", 0.5),
           decision("ab", None, 0.275), decision("bc", None, 0.45),
           decision("skillnad", None, 0.05), decision("alla", None, 0.35)]  # fmt: skip


@pytest.mark.parametrize(
    ("pooled", "hidden"),
    [(True, [("niva", "a"), ("ab", None)]),
     (False, [("niva", "a"), ("ab", None), ("alla", None)])],
)  # fmt: skip
def test_settled_effects_are_hidden_where_they_give_a_hidden_cohort_away(
    pooled: bool, hidden: list[tuple[str, str | None]]
) -> None:
    # a's level 15 % × its 20 treated = 3; over a and b, 27.5 % × 40 − b's 8 = 3
    out = hidden_settlement_effects(CONTRACT, SETTLED, MEASUREMENTS, pooled, "sv")
    assert [(h["rule"], h["cohort"]) for h in out] == hidden
    assert out[0]["reason"].startswith("Tröskeln nås. Den uppmätta effekten visas inte")
    not_met = hidden_settlement_effects(
        CONTRACT, [decision("niva", "a", 0.05, met=False)], MEASUREMENTS, pooled, "en"
    )
    assert not_met[0]["reason"].startswith("The threshold is not met: no payment.")


def test_payments_per_outcome_name_the_hidden_cohorts_they_can_give_away() -> None:
    assert cohorts_paid_per_outcome(CONTRACT, "m", MEASUREMENTS) == []  # fixed amounts only
    text = contract_text(
        "pris", PARTIES,
        *(f'[[cohorts]]\nid = "{c}"\nstart_period = 1\nsize = 20\n' for c in "abc"),
        '[[metrics]]\nid = "m"\ndefinition = "d"\nkind = "binary"\nexpected = 0.4\n'
        'baseline = 0.3\ncounterfactual = "randomised"\n',
        '[[rules]]\nkind = "threshold"\nmetric = "m"\nmeasure = "absolute_difference"\n'
        'cohorts = ["b", "c"]\nthreshold = 0.0\nprice = 100\n',
    )  # fmt: skip
    assert cohorts_paid_per_outcome(checked(text), "m", MEASUREMENTS) == []  # a is not paid
    card = text.replace('cohorts = ["b", "c"]\n', "")
    assert cohorts_paid_per_outcome(checked(card), "m", MEASUREMENTS) == ["a"]


# ------------------------------------------------------- the figures beside the effect

EFFECT = {"estimate": 0.05, "ci_low": -0.06, "ci_high": 0.18, "se": 0.062, "p_value": 0.35,
          "treated_mean": 0.48, "counterfactual_mean": 0.43, "n_treated": 63, "n_control": 78,
          "n_control_weighted": 78.0, "method": "difference-in-differences (…, 141 clusters)",
          "method_code": "did_clustered", "method_params": {"clusters": 141}}  # fmt: skip


def test_the_standard_error_and_p_value_go_only_with_the_pooled_means() -> None:
    shown = published_effect(EFFECT, table(CELLS), pooled=True)
    assert (shown["se"], shown["p_value"]) == (0.062, 0.35)
    hidden = published_effect(EFFECT, table(FEW), pooled=False)
    assert [hidden[k] for k in ("se", "p_value", "treated_mean", "counterfactual_mean")] == [
        None, None, None, None]  # fmt: skip
    # the estimate and its interval are published whatever the counts
    assert [hidden[k] for k in ("estimate", "ci_low", "ci_high")] == [0.05, -0.06, 0.18]


def test_a_dids_clusters_go_only_with_the_sizes_of_both_groups() -> None:
    assert published_effect(EFFECT, table(CELLS), pooled=True)["method_params"] == {
        "clusters": 141}  # fmt: skip
    hidden_group = table(FEW)
    hidden_group["group_totals"]["comparison"]["total"] = None
    shown = published_effect(EFFECT, hidden_group, pooled=False)
    assert (shown["n_treated"], shown["n_control"], shown["n_control_weighted"]) == (63, None,
                                                                                    None)  # fmt: skip
    assert shown["method_params"] == {"clusters": None}  # 141 − 63 would be the comparison's
    assert shown["method"] is None  # the engine's label says it too
    assert EFFECT["method_params"] == {"clusters": 141}  # the evaluator's result untouched


BALANCE = {
    "alder": {"label": "alder", "mean_treated": 13.93, "mean_control_before": 13.99,
              "mean_control_after": 13.95, "smd_before": -0.03976, "smd_after": -0.012,
              "passed": True},
    "stod": {"label": "stod", "mean_treated": 0.05, "mean_control_before": 0.3,
             "mean_control_after": 0.05, "smd_before": -1.147, "smd_after": 0.0, "passed": True},
    "x": {"label": "x", "smd_before": float("nan"), "smd_after": 0.104, "passed": False},
}  # fmt: skip


def test_balance_is_published_as_rounded_differences_without_the_means() -> None:
    shown = published_balance(BALANCE, hidden=["stod"])
    assert shown["alder"] == {"label": "alder", "smd_before": -0.04, "smd_after": -0.01,
                              "passed": True}  # fmt: skip
    assert shown["stod"] == {"label": "stod", "smd_before": None, "smd_after": None,
                             "passed": True, "suppressed": True}  # fmt: skip
    assert math.isnan(shown["x"]["smd_before"]) and shown["x"]["smd_after"] == 0.1
    assert shown["x"]["passed"] is False  # judged on the unrounded 0.104
    assert "mean_treated" in BALANCE["alder"]  # the evaluator's result untouched


def test_a_covariate_with_a_small_count_in_any_group_has_its_balance_hidden() -> None:
    # rows: treated before and after, comparison before and after; columns: its values
    counts = {
        "stod": [[2, 38], [2, 38], [24, 56], [2, 38]],  # 2 treated had support
        "kommunB": [[10, 19, 11], [10, 19, 11], [27, 27, 26], [9.5, 19, 11.5]],
        "kommunC": [[10, 19, 11], [10, 19, 11], [27, 27, 26], [9.5, 19, 11.5]],
        "kon": [[20, 20], [20, 20], [40, 40], [19.6, 20.4]],
        "fler": [[0, 40], [0, 40], [5, 75], [0.4, 39.6]],  # weighted 0.4 is a person
    }
    assert hidden_covariates(counts, threshold=5) == ["fler", "stod"]
    assert hidden_covariates(counts, threshold=10) == ["fler", "kommunB", "kommunC", "stod"]


SENSITIVITY = {"status": "significant_up_to", "alpha": 0.05, "max_gamma": 1000.0,
               "critical_gamma": 1.2189, "n_sets": 30, "gamma": [1.0, 1.25],
               "p_upper": [0.01, 0.2], "note": "Wilcoxon signed-rank …"}  # fmt: skip


def test_rosenbaum_bounds_publish_the_sentences_figures_and_not_the_bounds_per_gamma() -> None:
    assert published_sensitivity(SENSITIVITY, treated_size=True) == {
        "status": "significant_up_to", "alpha": 0.05, "max_gamma": 1000.0,
        "critical_gamma": 1.22, "n_sets": 30}  # fmt: skip
    assert published_sensitivity(SENSITIVITY, treated_size=False)["n_sets"] is None
    assert published_sensitivity(None, treated_size=True) is None


def test_the_rows_read_go_only_when_nothing_that_became_of_them_is_small() -> None:
    # duplicates, ineligible, excluded (treated, comparison), analysed (treated, comparison)
    assert rows_read_published([0, 60, 0, 16, 120, 524, 0], 5) is True
    assert rows_read_published([0, 60, 0, 3, 120, 524, 0], 5) is False
    assert rows_read_published([0, 0, 0, 0, 2, 0, 0], 5) is False


def test_a_table_is_publishable_when_nothing_in_it_would_be_suppressed() -> None:
    assert doctest.testmod(publication).failed == 0
    assert publishable(np.zeros((2, 0)), 5) is True  # nobody outside the table
    assert publishable([[0.4, 10]], 5) is False  # a weighted person is a person
    assert publishable(category_counts(np.array(["a", "a", "b"]), np.array([1.0, 0.0, 1.0]),
                                       "binary"), 1) is True  # fmt: skip


# ------------------------------------------------------------- a count outcome's events

#: Ten persons with no event and ten with one; then those with two or more.
NONE_AND_ONE = [0] * 10 + [1] * 10


@pytest.mark.parametrize(
    ("two_or_more", "singled_out"),
    [
        ([2] * 10, False),  # 30 events: all ten had two (a column of ten, not small)
        ([2] * 9 + [3], True),  # 31: exactly one had three
        ([2] * 9 + [4], True),  # 32: one had four or two had three: hidden, so that a
        ([2] * 8 + [3, 3], True),  # figure hidden for it says no more than one or two
        ([2] * 9 + [5], False),  # 33: one had five, one four and one three, or three three
        ([2] * 5 + [6, 7, 3, 9, 12], False),
        ([2, 2, 2, 2], True),  # four with two or more, all two: a small count of twos
        ([2, 2, 2, 7], False),  # four, excess 5: one with seven, or 6 + 3, …
        ([5], True),  # one with two or more: the events give his value
        ([], False),
    ],
)  # fmt: skip
def test_a_count_outcomes_events_single_persons_out_beside_the_0_1_2_columns(
    two_or_more: list[int], singled_out: bool
) -> None:
    assert events_single_out(np.array(NONE_AND_ONE + two_or_more, dtype=float), 5) is singled_out


def test_a_count_outcomes_means_go_only_when_no_groups_events_single_anyone_out() -> None:
    fine, one_had_three = (
        np.array(NONE_AND_ONE + [2] * 9 + [5.0]),
        np.array(NONE_AND_ONE + [2] * 9 + [3.0]),
    )
    assert count_means_published(fine, fine, 5) is True
    assert count_means_published(one_had_three, fine, 5) is False  # the treated mean × 30
    assert count_means_published(fine, one_had_three, 5) is False  # the estimate ties them
    # the cohorts whose figures are hidden: the pooled events less the published cohorts'
    assert count_means_published(fine, fine, 5, hidden=np.array([0, 1, 2, 2, 3.0])) is False
    assert count_means_published(fine, fine, 5, hidden=np.array([0, 1, 2, 2, 7.0])) is True


def test_a_cohort_whose_events_single_out_shows_none_of_its_means() -> None:
    t = table([("a", "treated", 10, 20), ("a", "comparison", 12, 18),
               ("b", "treated", 10, 20), ("b", "comparison", 12, 18)])  # fmt: skip
    rows = [Measurement(metric="m", cohort=c, n=30.0, treated=1.0, baseline=1.1, source="x")
            for c in ("a", "b")]  # fmt: skip
    shown = published_measurements(rows, t, "count", "rct", singled_out=["b"])
    assert [r["treated"] for r in shown["rows"]] == [1.0, None]
    assert [r["n_treated"] for r in shown["rows"]] == [30, 30]  # the table publishes it
    assert shown["events_suppressed_cohorts"] == ["b"] and shown["suppressed_cohorts"] == 1
