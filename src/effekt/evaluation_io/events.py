"""Outcome metrics per person from event data, for everyone referred or those who engaged.

Every function returns one value per person, aligned with the participants' index:

* :func:`attendance_share` — days attended / days scheduled in a term (missing when
  nothing was scheduled);
* :func:`event_counts` — events (e.g. reconvictions) dated in the window
  ``[anchor + offset, anchor + offset + window)`` after each person's anchor date
  (referral or release); a person with no events has 0;
* :func:`days_in_state` — days inside spells (e.g. custody) that overlap that window;
  an open spell (no end date) lasts to the window's end;
* :func:`status_at` — 1 when a spell (e.g. work or study) covers the follow-up date
  ``anchor + offset``, else 0;
* :func:`at_least` — a binary metric from a value (1 when ``value >= threshold``);
* :func:`population_mask` — who is analysed: ``"referred"`` (intention to treat: every
  referred participant, engaged or not) or ``"engaged"`` (treated who engaged; every
  comparison person stays). Results carry the label so that the two are never confused.

Spells and events are matched to persons by pseudonym; a person without an anchor date
gets a missing value.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from effekt.errors import DataError
from effekt.evaluation_io.dates import to_dates

__all__ = [
    "POPULATION_LABELS",
    "Population",
    "at_least",
    "attendance_share",
    "days_in_state",
    "event_counts",
    "population_mask",
    "status_at",
]

Population = Literal["referred", "engaged"]

#: The label every result carries for its population.
POPULATION_LABELS: dict[str, str] = {
    "referred": "intention_to_treat",
    "engaged": "engaged_only",
}


def attendance_share(attended: pd.Series, scheduled: pd.Series) -> pd.Series:
    """Share of scheduled school days attended; missing where none were scheduled or more
    were attended than scheduled (an impossible value: the caller reports it).

    >>> attendance_share(pd.Series([40, 10, 5]), pd.Series([50, 0, 50])).tolist()
    [0.8, nan, 0.1]
    """
    a = pd.to_numeric(attended, errors="coerce").astype(float)
    s = pd.to_numeric(scheduled, errors="coerce").astype(float)
    return (a / s.where(s > 0)).where(~(a > s)).rename(None)


def at_least(values: pd.Series, threshold: float) -> pd.Series:
    """1.0 where ``values >= threshold``, 0.0 below it, missing stays missing.

    >>> at_least(pd.Series([0.8, 0.79, None]), 0.8).tolist()
    [1.0, 0.0, nan]
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    return pd.Series(
        np.where(v.isna(), np.nan, (v >= threshold - 1e-12).astype(float)), index=v.index
    )


def _windows(
    persons: pd.Series, anchors: pd.Series, offset_days: int, window_days: int
) -> pd.DataFrame:
    anchor = to_dates(anchors)
    start = anchor + pd.Timedelta(days=offset_days)
    return pd.DataFrame(
        {
            "_pid": persons.to_numpy(),
            "_start": start.to_numpy(),
            "_end": (start + pd.Timedelta(days=window_days)).to_numpy(),
        },
        index=persons.index,
    )


def _check(frame: pd.DataFrame, columns: list[str]) -> None:
    for c in columns:
        if c not in frame.columns:
            raise DataError(
                "import.missing_column", column=c, detail=("import.role.events_table", {})
            )


def event_counts(
    persons: pd.Series,
    anchors: pd.Series,
    events: pd.DataFrame,
    *,
    id_column: str,
    date_column: str,
    window_days: int = 365,
    offset_days: int = 0,
) -> pd.Series:
    """Events per person dated in ``[anchor + offset, anchor + offset + window)``.

    >>> people = pd.Series(["a", "b"])
    >>> ev = pd.DataFrame({"id": ["a", "a", "a", "b"],
    ...                    "d": pd.to_datetime(["2027-02-01", "2027-12-31", "2028-03-01", "2026-01-01"])})
    >>> event_counts(people, pd.Series(pd.to_datetime(["2027-01-01", "2027-01-01"])), ev,
    ...              id_column="id", date_column="d").tolist()
    [2.0, 0.0]
    """
    _check(events, [id_column, date_column])
    win = _windows(persons, anchors, offset_days, window_days)
    ev = pd.DataFrame(
        {
            "_pid": events[id_column].to_numpy(),
            "_date": to_dates(events[date_column]).to_numpy(),
        }
    )
    merged = win.reset_index().merge(ev, on="_pid", how="inner")
    inside = (merged["_date"] >= merged["_start"]) & (merged["_date"] < merged["_end"])
    counts = merged.loc[inside].groupby("index").size()
    out = counts.reindex(win.index, fill_value=0).astype(float)
    return out.where(win["_start"].notna())


def days_in_state(
    persons: pd.Series,
    anchors: pd.Series,
    spells: pd.DataFrame,
    *,
    id_column: str,
    start_column: str,
    end_column: str,
    window_days: int = 365,
    offset_days: int = 0,
) -> pd.Series:
    """Days inside spells overlapping ``[anchor + offset, anchor + offset + window)``.

    Overlapping spells of one person are counted once per day only if they do not
    overlap each other; give non-overlapping spells (e.g. one row per custody episode).

    >>> people = pd.Series(["a"])
    >>> sp = pd.DataFrame({"id": ["a"], "s": pd.to_datetime(["2027-01-11"]),
    ...                    "e": pd.to_datetime(["2027-01-21"])})
    >>> days_in_state(people, pd.Series(pd.to_datetime(["2027-01-01"])), sp,
    ...               id_column="id", start_column="s", end_column="e").tolist()
    [10.0]
    """
    _check(spells, [id_column, start_column, end_column])
    win = _windows(persons, anchors, offset_days, window_days)
    sp = pd.DataFrame(
        {
            "_pid": spells[id_column].to_numpy(),
            "_s": to_dates(spells[start_column]).to_numpy(),
            "_e": to_dates(spells[end_column]).to_numpy(),
        }
    )
    merged = win.reset_index().merge(sp, on="_pid", how="inner")
    end = merged["_e"].fillna(merged["_end"])
    lo = merged[["_s", "_start"]].max(axis=1)
    hi = pd.concat([end, merged["_end"]], axis=1).min(axis=1)
    days = ((hi - lo).dt.days).clip(lower=0)
    out = days.groupby(merged["index"]).sum().reindex(win.index, fill_value=0).astype(float)
    return out.where(win["_start"].notna())


def status_at(
    persons: pd.Series,
    anchors: pd.Series,
    spells: pd.DataFrame,
    *,
    id_column: str,
    start_column: str,
    end_column: str,
    offset_days: int = 365,
) -> pd.Series:
    """1.0 when a spell covers the day ``anchor + offset`` (start ≤ day < end), else 0.0.

    >>> people = pd.Series(["a", "b"])
    >>> sp = pd.DataFrame({"id": ["a", "b"], "s": pd.to_datetime(["2027-06-01", "2027-01-01"]),
    ...                    "e": pd.to_datetime([None, "2027-06-01"])})
    >>> status_at(people, pd.Series(pd.to_datetime(["2027-01-01", "2027-01-01"])), sp,
    ...           id_column="id", start_column="s", end_column="e", offset_days=365).tolist()
    [1.0, 0.0]
    """
    _check(spells, [id_column, start_column, end_column])
    win = _windows(persons, anchors, offset_days, 1)
    sp = pd.DataFrame(
        {
            "_pid": spells[id_column].to_numpy(),
            "_s": to_dates(spells[start_column]).to_numpy(),
            "_e": to_dates(spells[end_column]).to_numpy(),
        }
    )
    merged = win.reset_index().merge(sp, on="_pid", how="inner")
    covers = (merged["_s"] <= merged["_start"]) & (
        merged["_e"].isna() | (merged["_start"] < merged["_e"])
    )
    hit = covers.groupby(merged["index"]).any().reindex(win.index, fill_value=False)
    out = hit.astype(float)
    return out.where(win["_start"].notna())


def population_mask(
    treated: pd.Series, engaged: pd.Series | None, population: Population
) -> pd.Series:
    """Rows analysed for ``population``: every row for ``"referred"`` (intention to treat);
    for ``"engaged"`` the treated who engaged and every comparison row.

    >>> population_mask(pd.Series([True, True, False]), pd.Series([True, False, False]),
    ...                 "engaged").tolist()
    [True, False, True]
    """
    if population == "referred":
        return pd.Series(True, index=treated.index)
    if engaged is None:
        raise DataError("events.no_engaged_column")
    t = treated.astype(bool)
    return ~t | engaged.fillna(False).astype(bool)
