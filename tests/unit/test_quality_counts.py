"""The data-quality counts the report publishes give no count of 1–4 persons away when
combined as a reader combines them: a column's missing values against the policies'
counts and the ineligible, a covariate's against the treated left out, two counts shown
as "< 5" against the total they make; and nothing is hidden where nothing follows."""

from __future__ import annotations

import doctest
from itertools import count
from typing import Any

from effekt.engine import disclosure
from effekt.engine.disclosure import Relations, pinned
from effekt.services.quality_counts import (
    BLOCKS,
    QualityFacts,
    hidden_quality_counts,
    relations_the_data_breaks,
)

ROLES = {"utfall": frozenset({"outcome"}), "behandlad": frozenset({"treatment"}),
         "x": frozenset({"covariate"}), "z": frozenset({"covariate", "eligibility"})}  # fmt: skip


def facts(
    sizes: dict[str, int],
    missing: dict[str, dict[str, int]],
    *,
    imputed_treated: bool = True,
    left_out: dict[str, int] | None = None,
    shown: dict[str, Any] | None = None,
    duplicates: int = 0,
    rows_read_shown: bool = False,
) -> QualityFacts:
    """Facts with so many rows in each block (``sizes``) and, per column, so many of a
    block's rows missing it (``missing``: column → block → how many, the first ones)."""
    numbers = count(1)
    blocks = {b: frozenset(next(numbers) for _ in range(sizes.get(b, 0))) for b in BLOCKS}
    rows = {column: frozenset(r for b, k in per.items() for r in sorted(blocks[b])[:k])
            for column, per in missing.items()}  # fmt: skip
    total = sum(sizes.values()) + duplicates
    return QualityFacts(
        threshold=5,
        rows_read=total,
        rows_read_shown=rows_read_shown,
        duplicates=duplicates,
        blocks=blocks,
        missing=rows,
        roles=ROLES,
        imputed={"treated": imputed_treated, "comparison": False},
        policy_keys={
            "treated": "imputed_worst_case_treated"
            if imputed_treated
            else "excluded_unmeasured_treated",
            "comparison": "excluded_missing_outcome_comparison",
        },  # fmt: skip
        analysed={
            "treated": (sizes.get("complete_treated", 0), True),
            "comparison": (sizes.get("complete_comparison", 0), True),
        },  # fmt: skip
        left_out=None if left_out is None else {**left_out},
        left_out_shown=shown,
        whole_table=True,
    )


def test_a_columns_missing_count_is_hidden_where_it_gives_a_small_policy_count_away() -> None:
    # 7 missing outcomes: 5 treated imputed, 2 comparison persons excluded ("< 5")
    f = facts({"unmeasured_treated": 5, "unmeasured_comparison": 2, "complete_treated": 25,
               "complete_comparison": 30},
              {"utfall": {"unmeasured_treated": 5, "unmeasured_comparison": 2}})  # fmt: skip
    assert relations_the_data_breaks(f) == 0
    assert hidden_quality_counts(f) == ["missing:utfall"]


def test_when_nothing_is_left_to_hide_every_count_is_hidden_rather_than_one_given_away(
    monkeypatch: Any,
) -> None:
    # the case the greedy choice cannot solve (no figure left to hide while a small count
    # still follows): before, the loop stopped and the counts were published as they were
    from effekt.services import quality_counts

    f = facts({"unmeasured_treated": 5, "unmeasured_comparison": 2, "complete_treated": 25,
               "complete_comparison": 30},
              {"utfall": {"unmeasured_treated": 5, "unmeasured_comparison": 2}})  # fmt: skip
    monkeypatch.setattr(quality_counts, "_candidates", lambda m, hidden: [])
    hidden = hidden_quality_counts(f)
    assert "missing:utfall" in hidden and len(hidden) > 1
    assert set(hidden) == set(quality_counts._model(f).figures)


def test_nothing_is_hidden_where_no_small_count_follows() -> None:
    # the example's shape: 60 ineligible, 6 of them without franvaro; 23 without attendance
    # days, 5 treated and 16 comparison persons the policies counted, 2 ineligible
    roles = {**ROLES, "franvaro": frozenset({"covariate", "eligibility"}),
             "narvaro": frozenset({"outcome"}), "skoldagar": frozenset({"outcome"})}  # fmt: skip
    f = facts({"ineligible": 60, "unmeasured_treated": 5, "unmeasured_comparison": 16,
               "complete_treated": 155, "complete_comparison": 484},
              {"franvaro": {"ineligible": 6},
               "narvaro": {"ineligible": 2, "unmeasured_treated": 5, "unmeasured_comparison": 16},
               "skoldagar": {"ineligible": 2, "unmeasured_treated": 5,
                             "unmeasured_comparison": 16}})  # fmt: skip
    f = QualityFacts(**{**f.__dict__, "roles": roles, "rows_read_shown": True})
    assert relations_the_data_breaks(f) == 0
    assert hidden_quality_counts(f) == []


def test_two_counts_shown_as_small_are_not_left_to_add_up_to_a_published_total() -> None:
    # 8 missing outcomes, 4 treated and 4 comparison persons, both "< 5": 8 = 4 + 4
    f = facts({"unmeasured_treated": 4, "unmeasured_comparison": 4, "complete_treated": 26,
               "complete_comparison": 30},
              {"utfall": {"unmeasured_treated": 4, "unmeasured_comparison": 4}})  # fmt: skip
    assert hidden_quality_counts(f) == ["missing:utfall"]


def test_a_small_count_that_follows_from_no_published_total_leaves_everything_shown() -> None:
    # 3 ineligible rows missing the outcome as well: 10 missing = 5 + 2 + 3, and the 3
    # cannot be told from the 2 (the 60 ineligible might hold from 0 to 5 of them)
    f = facts({"ineligible": 60, "unmeasured_treated": 5, "unmeasured_comparison": 2,
               "complete_treated": 25, "complete_comparison": 30},
              {"utfall": {"ineligible": 3, "unmeasured_treated": 5,
                          "unmeasured_comparison": 2}})  # fmt: skip
    assert hidden_quality_counts(f) == []


def test_the_treated_left_out_do_not_give_away_the_few_without_a_covariate() -> None:
    # attrition excludes: 7 treated without an outcome, 2 without x; 9 excluded by the
    # policies (shown, none small but the 2 that follow: 9 − 7)
    left_out = {"population_treated": 40, "left_out": 9, "excluded_by_policies": 9,
                "not_matched": 0, "analysed": 31}  # fmt: skip
    f = facts({"excluded_treated": 2, "unmeasured_treated": 7, "complete_treated": 31,
               "complete_comparison": 60},
              {"x": {"excluded_treated": 2}, "utfall": {"unmeasured_treated": 7}},
              imputed_treated=False, left_out=left_out,
              shown={**left_out, "reasons": ["excluded_by_policies"]})  # fmt: skip
    assert relations_the_data_breaks(f) == 0
    # the excluded by the policies less the 7 would be 2: hiding them alone would not do,
    # as the left out less the 0 not matched are they; the 7 go, 5 or more
    assert hidden_quality_counts(f) == ["policies:excluded_unmeasured_treated"]


def test_a_count_is_pinned_only_when_no_whole_number_solution_moves_it() -> None:
    assert doctest.testmod(disclosure).failed == 0
    r = Relations()
    r.relate({"a": 1, "b": 1}, 8, 8)
    r.relate({"a": 1}, 1, 4)
    r.relate({"b": 1}, 1, 4)
    assert pinned(r, {"a": 1}, 4) and pinned(r, {"b": 1}, 4)  # "< 5" twice, adding to 8
    r = Relations()
    r.relate({"a": 1, "b": 1}, 7, 7)
    r.relate({"a": 1}, 1, 4)
    r.relate({"b": 1}, 1, 4)
    assert not pinned(r, {"a": 1}, 3)  # 3 + 4 or 4 + 3
    r.relate({"a": 1, "c": -1}, 0, 0)  # an unknown c equal to a: still 3 or 4
    assert not pinned(r, {"c": 1}, 3)
