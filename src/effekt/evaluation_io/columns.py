"""The columns a mapping names, and the check that a data file has them.

A column the data lacks stops the import with every such column at once, each named where
the mapping names it (file, line, field path) with its role in words and the nearest of the
data's columns ("Did you mean …?"), then the data's columns — as names only. A file
without a header line has its first row as column names: when they look like values (a
personnummer, a date) they are not shown, and the message asks for the header line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import pandas as pd

from effekt.contract.locate import PathKey
from effekt.errors import ContractInvalid
from effekt.evaluation_io.mapping import EventSource, Mapping

__all__ = ["Named", "event_columns", "named_columns", "require_columns"]

#: A catalog code and its parameters: the column's role, in words.
Role = tuple[str, dict[str, str]]
#: Where the mapping names a column, the column, and its role.
Named = tuple[PathKey, str, Role]
#: Column names that are values: a personnummer or a date in the first line of a file that
#: has no header line. Such names are never shown.
_LOOKS_LIKE_DATA = re.compile(r"\d{6}|\d{4}-\d{2}-\d{2}")
#: At most this many of the data's column names in a message.
_LISTED = 40


def named_columns(mapping: Mapping) -> list[Named]:
    """Every column of the participant data the mapping names: where, which, and its role."""
    named: list[Named] = []
    if mapping.identifier is not None:
        named.append((("identifier", "column"), mapping.identifier.column, _role("identifier")))
        # a direct identifier to remove: misspelt, it would stay in the data unnoticed
        for i, column in enumerate(mapping.identifier.drop):
            named.append((("identifier", "drop", i), column, _role("drop")))
    for job in ("treatment", "cohort", "period", "referral_date", "engaged"):
        column = getattr(mapping.columns, job)
        if column is not None:
            named.append((("columns", job), column, _role(job)))
    for i, cov in enumerate(mapping.covariates):
        named.append((("covariates", i, "column"), cov.column, _role("covariate")))
    for i, out in enumerate(mapping.outcomes):
        for name in ("column", "attended", "scheduled", "anchor"):
            column = getattr(out, name)
            if column is not None:
                does = "anchor" if name == "anchor" else "outcome"
                named.append((("outcomes", i, name), column, _role(does, metric=out.metric)))
    for i, rule in enumerate(mapping.eligibility):
        named.append((("eligibility", i, "column"), rule.column, _role("eligibility")))
    return named


def event_columns(source: EventSource, mapping: Mapping) -> list[Named]:
    """Every column of an events file the mapping names."""
    j = next((j for j, e in enumerate(mapping.events) if e.id == source.id), None)
    table: PathKey = ("events", j) if j is not None else ("events",)  # not one of its own
    role = _role("events", events=source.id)
    return [
        ((*table, name), column, role)
        for name in ("id_column", "date_column", "start_column", "end_column")
        if (column := getattr(source, name)) is not None
    ]


def _role(name: str, **params: str) -> Role:
    return f"import.role.{name}", params


def _nearest(column: str, have: list[str]) -> list[str]:
    """The data's column nearest to ``column``: the same name in other capitals first (an
    export's "KOHORT" for "kohort", which a case-sensitive likeness never finds)."""
    same = [c for c in have if c.casefold() == column.casefold()]
    if same:
        return same[:1]
    by_folded = {c.casefold(): c for c in reversed(have)}
    close = difflib.get_close_matches(column.casefold(), list(by_folded), n=1)
    return [by_folded[c] for c in close]


def require_columns(
    frame: pd.DataFrame, named: Sequence[Named], mapping: Mapping, path: str
) -> None:
    """Stop with ContractInvalid when the data at ``path`` lacks a column in ``named``."""
    have = [str(c) for c in frame.columns]
    lacking = [(where, column, role) for where, column, role in named if column not in have]
    if not lacking:
        _require_once(frame.attrs.get("header", have), named, mapping, path)
        return
    headless = any(_LOOKS_LIKE_DATA.search(c) for c in have)
    problems = []
    for where, column, role in lacking:
        close = [] if headless else _nearest(column, have)
        problems.append(
            mapping.problem(
                where,
                "import.missing_column",
                column=column,
                detail=role,
                suggestion=close[0] if close else "",
            )
        )
    problems.sort(key=lambda p: (p.line or 0, p.path))
    if headless:
        raise ContractInvalid(problems, code="import.missing_columns_no_header", path=path)
    listed = ", ".join(have[:_LISTED]) + (", …" if len(have) > _LISTED else "")
    raise ContractInvalid(problems, code="import.missing_columns", path=path, columns=listed)


def _require_once(written: list[str], named: Sequence[Named], mapping: Mapping, path: str) -> None:
    """Stop with ContractInvalid when a column in ``named`` stands more than once in the
    header as ``written`` (before the reader renames the second ``alder`` to ``alder.1``,
    so that the first would be read unseen — and a second column of names to drop would
    stay in the data). A column written ``alder.1`` is a column of its own."""
    problems = []
    twice = set()
    for where, column, _ in named:
        places = [str(i + 1) for i, c in enumerate(written) if str(c) == column]
        if len(places) > 1:
            twice.add(column)
            problems.append(
                mapping.problem(
                    where,
                    "import.duplicate_column",
                    column=column,
                    first=", ".join(places[:-1]),
                    last=places[-1],
                )
            )
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        names = ", ".join(sorted(twice))
        raise ContractInvalid(problems, code="import.duplicate_columns", path=path, names=names)
