"""Outcome metrics per person from event data, and the labelled populations."""

from __future__ import annotations

import pandas as pd
import pytest

from effekt.errors import DataError
from effekt.evaluation_io.events import (
    POPULATION_LABELS,
    at_least,
    attendance_share,
    days_in_state,
    event_counts,
    population_mask,
    status_at,
)

D = pd.to_datetime
PEOPLE = pd.Series(["a", "b", "c"])
ANCHORS = pd.Series(D(["2027-01-01", "2027-01-01", None]))


def test_attendance_share_is_attended_over_scheduled() -> None:
    share = attendance_share(pd.Series([68, 0, 10]), pd.Series([85, 80, 0]))
    assert share.iloc[0] == pytest.approx(0.8)
    assert share.iloc[1] == 0.0
    assert pd.isna(share.iloc[2])


def test_more_days_attended_than_scheduled_is_missing() -> None:
    assert pd.isna(attendance_share(pd.Series([90]), pd.Series([85])).iloc[0])


def test_at_least_makes_a_binary_metric_and_keeps_missing() -> None:
    out = at_least(pd.Series([0.8, 0.7999, None]), 0.8).tolist()
    assert out[:2] == [1.0, 0.0] and pd.isna(out[2])


def test_events_count_inside_the_window_start_inclusive_end_exclusive() -> None:
    events = pd.DataFrame(
        {
            "id": ["a", "a", "a", "a", "b"],
            "d": D(["2027-01-01", "2027-06-30", "2028-01-01", "2026-12-31", "2030-01-01"]),
        }
    )
    out = event_counts(PEOPLE, ANCHORS, events, id_column="id", date_column="d", window_days=365)
    assert out.tolist()[:2] == [2.0, 0.0]
    assert pd.isna(out.iloc[2])  # no anchor date, no measurement


def test_events_window_can_start_after_an_offset() -> None:
    events = pd.DataFrame({"id": ["a", "a"], "d": D(["2027-01-15", "2027-03-01"])})
    out = event_counts(
        PEOPLE, ANCHORS, events, id_column="id", date_column="d", window_days=60, offset_days=30
    )
    assert out.iloc[0] == 1.0


def test_days_in_state_clips_spells_to_the_window_and_closes_open_ones() -> None:
    spells = pd.DataFrame(
        {
            "id": ["a", "a", "b"],
            "s": D(["2026-12-22", "2027-12-22", "2027-03-01"]),
            "e": D(["2027-01-11", None, "2027-03-04"]),
        }
    )
    out = days_in_state(
        PEOPLE, ANCHORS, spells, id_column="id", start_column="s", end_column="e", window_days=365
    )
    assert out.tolist()[:2] == [10.0 + 10.0, 3.0]


def test_status_at_the_follow_up_date() -> None:
    spells = pd.DataFrame(
        {
            "id": ["a", "b", "b"],
            "s": D(["2027-09-01", "2027-01-01", "2028-02-01"]),
            "e": D([None, "2028-01-01", None]),
        }
    )
    out = status_at(
        PEOPLE, ANCHORS, spells, id_column="id", start_column="s", end_column="e", offset_days=365
    )
    assert out.tolist()[:2] == [1.0, 0.0]  # b's first spell ends on the day: not in work


def test_intention_to_treat_keeps_everyone_referred() -> None:
    t = pd.Series([True, True, False])
    assert population_mask(t, pd.Series([True, False, False]), "referred").tolist() == [True] * 3


def test_engaged_population_drops_treated_who_did_not_engage_only() -> None:
    t = pd.Series([True, True, False])
    mask = population_mask(t, pd.Series([True, None, None]), "engaged")
    assert mask.tolist() == [True, False, True]


def test_engaged_population_without_an_engaged_column_is_refused() -> None:
    with pytest.raises(DataError):
        population_mask(pd.Series([True]), None, "engaged")


def test_populations_carry_distinct_labels() -> None:
    assert POPULATION_LABELS == {"referred": "intention_to_treat", "engaged": "engaged_only"}


# --- dates as exports write them (reading them: test_dates.py) ----------------------------


def test_events_count_from_anchors_written_with_and_without_a_time() -> None:
    events = pd.DataFrame(
        {"id": ["a", "b", "b"], "d": ["2027-02-01", "2027-03-01 00:00", "2027-04-01"]}
    )
    anchors = pd.Series(["2027-01-01 00:00", "2027-01-01", None])
    counts = event_counts(PEOPLE, anchors, events, id_column="id", date_column="d")
    assert counts.tolist()[:2] == [1.0, 2.0] and pd.isna(counts.iloc[2])


def test_dates_module_examples_hold() -> None:
    import doctest

    from effekt.evaluation_io import dates

    assert doctest.testmod(dates).failed == 0
