"""Checking a mapping file as a contract is checked: every problem at once, each with its
file, line and field path, in Swedish or English.

pydantic's errors become :class:`~effekt.contract.problems.Problem`\\ s through the contract
checker's own translation (:func:`~effekt.contract.load.problems_from_validation`: an
unknown field with "Did you mean …?", a value outside its choices with the choices, a
missing field), with a mapping's codes where a contract's would mislead (a number without
the contract's distributions, an id without currencies) and never pydantic's English. The
mapping's own rules (a validator's ``mapping_*`` reason) keep their ``mapping.*`` codes; an
unusable date_format says what is wrong with it (no year, ``%Q``, a time alone).
Then the rules across tables: each metric computed one way, and an outcome from events
names an events source that exists, has the date columns its kind counts with, a date to
count from, and an [identifier] to link persons by; and no role on a column the
identifier removes at import (its own, or one it drops).
"""

from __future__ import annotations

import dataclasses
import difflib

from pydantic import ValidationError

from effekt.contract.load import Document, problems_from_validation
from effekt.contract.locate import value_at
from effekt.contract.problems import Problem
from effekt.evaluation_io.columns import named_columns
from effekt.evaluation_io.date_formats import date_format_fault
from effekt.evaluation_io.mapping import EVENT_KINDS, NEEDS, EventSource, Mapping

__all__ = ["check_mapping"]

#: The contract's codes that would mislead in a mapping → the mapping's own.
_CODES = {
    "contract.not_a_number": "mapping.not_a_number",
    "contract.bad_id": "mapping.bad_id",
    "contract.bad_value": "mapping.bad_value",
}
#: Fields that take a whole number, and the contract's codes said there as the mapping's
#: (a number of days); a number written as text keeps the contract's, which says so.
_WHOLE = frozenset({"window_days", "offset_days"})
_NOT_WHOLE = frozenset({"contract.not_a_number", "contract.not_whole"})


def check_mapping(doc: Document) -> tuple[Mapping | None, list[Problem]]:
    """The mapping in a parsed file, or None and every problem found, in file order."""
    try:
        mapping = Mapping.model_validate(doc.data)
    except ValidationError as exc:
        problems = [_for_mapping(p, doc) for p in problems_from_validation(exc, doc, Mapping)]
        return None, _in_file_order(problems)
    problems = _across_tables(mapping, doc)
    return (None, _in_file_order(problems)) if problems else (mapping, [])


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.path, p.code))


def _for_mapping(problem: Problem, doc: Document) -> Problem:
    """A contract checker's problem as a mapping's: its code, and what the message needs."""
    code = problem.code
    params = dict(problem.params)
    if code.startswith("contract.mapping_"):
        code = "mapping." + code.removeprefix("contract.mapping_")
    elif code in _NOT_WHOLE and problem.path.rsplit(".", 1)[-1] in _WHOLE:
        code = "mapping.not_a_whole_number"
    else:
        code = _CODES.get(code, code)
    if code == "mapping.bad_value":
        params.pop("detail", None)  # pydantic's English
    written = value_at(problem.path, doc.data)
    if code == "contract.bad_choice" and isinstance(written, str):
        close = difflib.get_close_matches(written, params["choices"].split(", "), n=1)
        params["suggestion"] = close[0] if close else ""
    if code == "mapping.outcome_incomplete" and isinstance(written, dict):
        kind = str(written.get("kind", "value"))
        needs = [f for f in NEEDS.get(kind, ()) if f not in written]
        params.update(kind=kind, needs=", ".join(needs))
    if code == "mapping.bad_date_format" and isinstance(written, str):
        fault = date_format_fault(written)  # what is wrong, and the pattern meant if known
        if fault is not None:
            params.update(because=(fault.code, fault.params), suggestion=fault.meant)
    return dataclasses.replace(problem, code=code, params=params)


def _across_tables(mapping: Mapping, doc: Document) -> list[Problem]:
    sources: dict[str, tuple[int, EventSource]] = {}
    for j, source in enumerate(mapping.events):
        sources.setdefault(source.id, (j, source))  # the first of an id used twice
    return (
        _repeated_ids(mapping, doc)
        + _outcomes_from_events(mapping, doc, sources)
        + _thresholds(mapping, doc)
        + _own_date_formats(mapping, doc)
        + _removed_columns_in_roles(mapping, doc)
    )


def _removed_columns_in_roles(mapping: Mapping, doc: Document) -> list[Problem]:
    """A role on the identifier's column or one it drops: gone before any role reads it."""
    if mapping.identifier is None:
        return []
    removed = {mapping.identifier.column: "identifier.column"}
    removed |= {c: "identifier.drop" for c in mapping.identifier.drop}
    return [
        doc.problem(
            where,
            "mapping.removed_column_in_role",
            column=column,
            field=removed[column],
            detail=role,
        )
        for where, column, role in named_columns(mapping)
        if where[0] != "identifier" and column in removed
    ]


def _own_date_formats(mapping: Mapping, doc: Document) -> list[Problem]:
    """A column's own date_format names a date column the mapping reads from that file
    (a misspelt one would leave the column read by the file's)."""
    files: list[tuple[tuple[str | int, ...], dict[str, str], tuple[str, ...]]] = [
        (("columns",), mapping.columns.date_formats, mapping.date_columns())
    ]
    files += [
        (("events", j), e.date_formats, e.date_columns()) for j, e in enumerate(mapping.events)
    ]
    problems: list[Problem] = []
    for where, formats, dates in files:
        for column in formats:
            if column in dates:
                continue
            at = (*where, "date_formats", column)
            if not dates:
                problems.append(
                    doc.problem(at, "mapping.date_format_no_date_column", column=column)
                )
                continue
            close = difflib.get_close_matches(column, dates, n=1)
            problems.append(
                doc.problem(
                    at,
                    "mapping.date_format_not_a_date_column",
                    column=column,
                    columns=", ".join(dates),
                    suggestion=close[0] if close else "",
                )
            )
    return problems


#: Kinds whose value per person is a share (0..1) and those that count (0, 1, 2, …).
_SHARE_KINDS = frozenset({"attendance_share", "status_at"})
_COUNT_KINDS = frozenset({"event_count", "days_in_state"})


def _thresholds(mapping: Mapping, doc: Document) -> list[Problem]:
    """An ``at_least`` that every person reaches or none can: the binary metric would be
    the same for everyone and the effect zero whatever happened (80 written for 80 %, say)."""
    problems: list[Problem] = []
    for i, out in enumerate(mapping.outcomes):
        x = out.at_least
        if x is None:
            continue
        where = ("outcomes", i, "at_least")
        if out.kind in _SHARE_KINDS and not 0 < x <= 1:
            percent = 1 < x <= 100  # 80 written for 80 %
            code = "mapping.share_threshold_percent" if percent else "mapping.share_threshold"
            problems.append(
                doc.problem(where, code, value=f"{x:g}", kind=out.kind, share=f"{x / 100:g}")
            )
        elif out.kind in _COUNT_KINDS and x <= 0:
            problems.append(
                doc.problem(where, "mapping.count_threshold", value=f"{x:g}", kind=out.kind)
            )
        elif out.kind == "value" and (
            (out.max is not None and x > out.max) or (out.min is not None and x <= out.min)
        ):
            problems.append(
                doc.problem(
                    where,
                    "mapping.threshold_outside_range",
                    value=f"{x:g}",
                    low="" if out.min is None else f"{out.min:g}",
                    high="" if out.max is None else f"{out.max:g}",
                )
            )
    return problems


def _repeated_ids(mapping: Mapping, doc: Document) -> list[Problem]:
    """A metric computed twice, an events id used twice."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, out in enumerate(mapping.outcomes):
        if out.metric in seen:
            problems.append(
                doc.problem(
                    ("outcomes", i, "metric"),
                    "mapping.duplicate_outcome",
                    metric=out.metric,
                    first=f"outcomes[{seen[out.metric]}]",
                )
            )
        seen.setdefault(out.metric, i)
    ids: set[str] = set()
    for j, source in enumerate(mapping.events):
        if source.id in ids:
            problems.append(
                doc.problem(("events", j, "id"), "mapping.duplicate_events", events=source.id)
            )
        ids.add(source.id)
    return problems


def _outcomes_from_events(
    mapping: Mapping, doc: Document, sources: dict[str, tuple[int, EventSource]]
) -> list[Problem]:
    """Each outcome from events: an identifier to link by, a date to count from, a source
    that exists and has the date columns the outcome's kind counts with."""
    problems: list[Problem] = []
    lacking: set[tuple[int, str]] = set()
    for i, out in enumerate(mapping.outcomes):
        if out.kind not in EVENT_KINDS or out.events is None:
            continue
        if mapping.identifier is None:
            problems.append(
                doc.problem(
                    ("outcomes", i, "events"), "mapping.events_need_identifier", events=out.events
                )
            )
        if out.anchor is None and mapping.columns.referral_date is None:
            problems.append(doc.problem(("outcomes", i), "mapping.outcome_needs_anchor"))
        if out.events not in sources:
            close = difflib.get_close_matches(out.events, list(sources), n=1)
            problems.append(
                doc.problem(
                    ("outcomes", i, "events"),
                    "mapping.unknown_events",
                    events=out.events,
                    suggestion=close[0] if close else "",
                )
            )
            continue
        j, source = sources[out.events]
        columns = ("date_column",) if out.kind == "event_count" else ("start_column", "end_column")
        missing = ", ".join(c for c in columns if getattr(source, c) is None)
        if missing and (j, missing) not in lacking:
            lacking.add((j, missing))  # two outcomes of one kind from one source: said once
            problems.append(
                doc.problem(
                    ("events", j), "mapping.events_need_column", events=source.id, column=missing
                )
            )
    return problems
