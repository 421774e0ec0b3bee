"""The per-cohort figures behind the payments are published under the published table's
small-cell rule: no cohort's figures give a count of 1–4 persons, and no hidden cohort can
be worked out from the others and the pooled figures."""

from __future__ import annotations

from typing import Any

import numpy as np

from effekt.contract.outcomes_file import Measurement
from effekt.services.evaluate import published_measurements, published_table


def measurement(cohort: str, n: int, achieved: int, matched_achieved: int) -> Measurement:
    return Measurement(
        metric="m", cohort=cohort, n=float(n), treated=achieved / n,
        baseline=matched_achieved / n, source="test",
    )  # fmt: skip


def table(rows: list[tuple[str, str, int, int]]) -> dict[str, Any]:
    cohorts, groups, values = [], [], []
    for cohort, group, yes, no in rows:
        cohorts += [cohort] * (yes + no)
        groups += [group] * (yes + no)
        values += [1.0] * yes + [0.0] * no
    return published_table(np.array(cohorts), np.array(groups), np.array(values), "binary")


PUBLISHED = table([("a", "treated", 10, 10), ("a", "comparison", 12, 18),
                   ("b", "treated", 10, 15), ("b", "comparison", 9, 20),
                   ("c", "treated", 9, 9), ("c", "comparison", 7, 11)])  # fmt: skip


def shown(rows: list[dict[str, Any]]) -> dict[str, bool]:
    return {r["cohort"]: r["treated"] is not None for r in rows}


def test_cohorts_without_small_counts_are_shown_with_their_difference() -> None:
    ms = [measurement("a", 20, 10, 8), measurement("b", 25, 10, 9), measurement("c", 18, 9, 6)]
    out = published_measurements(ms, PUBLISHED, "binary", "psm")
    assert shown(out["rows"]) == {"a": True, "b": True, "c": True}
    a = out["rows"][0]
    assert (a["n_treated"], a["treated"], a["counterfactual"]) == (20, 0.5, 0.4)
    assert abs(a["difference"] - 0.1) < 1e-12
    assert out["suppressed_cohorts"] == 0


def test_a_cohort_whose_matched_comparison_count_is_small_is_suppressed_with_a_complement() -> None:
    # b's counterfactual 3/25 would say that 3 matched comparison persons achieved it
    ms = [measurement("a", 20, 10, 8), measurement("b", 25, 10, 3), measurement("c", 18, 9, 6)]
    out = published_measurements(ms, PUBLISHED, "binary", "psm")
    rows = {r["cohort"]: r for r in out["rows"]}
    assert rows["b"]["counterfactual"] is None and rows["b"]["difference"] is None
    # the pooled counterfactual is published: one hidden cohort alone could be worked out
    assert out["suppressed_cohorts"] >= 2
    for r in out["rows"]:
        if r["treated"] is not None:
            for share in (r["treated"], 1 - r["treated"], r["counterfactual"],
                          1 - r["counterfactual"]):  # fmt: skip
                assert not 0 < round(share * r["n_treated"]) < 5


def test_a_cohort_whose_treated_cell_the_published_table_hides_is_suppressed() -> None:
    published = table([("a", "treated", 3, 17), ("a", "comparison", 12, 18),
                       ("b", "treated", 10, 15), ("b", "comparison", 2, 20),
                       ("c", "treated", 9, 9), ("c", "comparison", 7, 11)])  # fmt: skip
    ms = [measurement("a", 20, 3, 8), measurement("b", 25, 10, 9), measurement("c", 18, 9, 6)]
    out = published_measurements(ms, published, "binary", "psm")
    rows = {r["cohort"]: r for r in out["rows"]}
    assert rows["a"]["treated"] is None and rows["a"]["difference"] is None
    hidden_treated = {
        r["cohort"] for i, r in enumerate(published["rows"])
        if r["group"] == "treated" and None in published["cells"][i]
    }  # fmt: skip
    assert {c for c, ok in shown(out["rows"]).items() if not ok} >= hidden_treated


def test_a_mean_over_fewer_than_five_treated_is_suppressed() -> None:
    published = published_table(
        np.array(["a"] * 20 + ["b"] * 3 + ["c"] * 10), np.array(["treated"] * 33),
        np.arange(33, dtype=float), "continuous",
    )  # fmt: skip
    ms = [Measurement(metric="m", cohort=c, n=float(n), treated=2.0, baseline=1.0, source="t")
          for c, n in (("a", 20), ("b", 3), ("c", 10))]  # fmt: skip
    out = published_measurements(ms, published, "continuous", "psm")
    rows = {r["cohort"]: r for r in out["rows"]}
    assert rows["b"]["treated"] is None and rows["b"]["n_treated"] is None
    assert out["suppressed_cohorts"] >= 2
