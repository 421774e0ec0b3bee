"""An outcomes file written as CSV: its rows as the TOML file's measurements, each placed
on its line of the file (the header is line 1).

The header is checked once, not row by row: a column the format does not have is one
problem on line 1 ("Did you mean …?") and its cells are left out, and so is a required
column the header lacks. A row with more cells than the header is a problem on its line:
an unquoted decimal comma splits a number in two and moves every later value one column
on. A file that is not an outcomes file at all is said to be what it is: participant data
(no metric column, and a column such as a personnummer or a treatment group, or a value
written like a personnummer), a file separated by semicolons, or one without its header
line. No message shows what the file holds.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from pathlib import Path
from typing import Any

from effekt.contract.locate import Locator
from effekt.contract.problems import Problem
from effekt.errors import DataError

__all__ = ["read_outcomes_csv"]

#: Columns that hold text; every other is a number.
_TEXT = frozenset({"metric", "cohort", "source"})
#: Columns every measurement needs.
_REQUIRED = ("metric", "cohort")
#: Column names of participant data (effekt evaluate's input), in Swedish and English.
_PARTICIPANT_COLUMN = re.compile(
    r"personnumm|^pnr$|person_?id|identifier|identitet|grupp|group|treatment|behandling"
    r"|insats|deltag|participant",
    re.IGNORECASE,
)
#: A value written like a personnummer (YYMMDD-NNNN, YYYYMMDDNNNN …): only its shape.
_PERSONNUMMER = re.compile(r"(\d{2})?\d{6}[-+]?\d{4}")
_SEPARATORS = re.compile(r"[,;\t|]")
_LOOK_AT = 20  # lines looked at to tell participant data from a file without its header


def read_outcomes_csv(
    text: str, path: Path, columns: tuple[str, ...]
) -> tuple[dict[str, Any], Locator, list[Problem]]:
    """The file's data as the TOML format's, where each row stands, and the problems of
    its layout (the header's, a row with a cell too many); DataError when the file is no
    outcomes file."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    if "metric" not in header and _participant_data(text):
        raise DataError("outcomes.is_participant_data", path=str(path))
    if not set(header) & set(columns):
        raise _not_outcomes(text, path, columns)
    named = header if _unnamed_hold_values(text) else [name for name in header if name]
    problems = _header_problems(named, path, columns)
    unknown = {name for name in header if name not in columns}
    rows: list[dict[str, object]] = []
    lines: dict[tuple[str | int, ...], int] = {(): 1, ("measurements",): 1}
    for row in reader:
        if not any((v or "").strip() for v in _cells(row)):
            continue  # a row of separators only, as Excel writes a used but empty row
        i = len(rows)
        lines[("measurements", i)] = reader.line_num
        extra = row.pop(None, None)
        if extra:
            problems.append(
                Problem(
                    f"measurements[{i}]",
                    reader.line_num,
                    "error",
                    "outcomes.extra_cells",
                    {"cells": len(header) + len(extra), "columns": len(header)},
                    str(path),
                )
            )
        rows.append(_measurement(row, unknown))
    return {"format_version": 1, "measurements": rows}, Locator(lines), problems


def _cells(row: dict[str | None, Any]) -> list[str | None]:
    """A row's cells, those past the header's columns (under ``None``) too."""
    extra = row.get(None) or []
    return [v for k, v in row.items() if k is not None] + list(extra)


def _unnamed_hold_values(text: str) -> bool:
    """Whether a column without a name in the header has a value in any row; Excel writes
    the columns beside a table that were once used as empty ones, which are no problem."""
    table = csv.reader(io.StringIO(text))
    unnamed = [j for j, name in enumerate(next(table, [])) if not name.strip()]
    return any(j < len(cells) and cells[j].strip() for cells in table for j in unnamed)


def _measurement(row: dict[str, str | None], unknown: set[str]) -> dict[str, object]:
    """One row's cells by column: text kept, numbers read as numbers (a period too: 2.5 is
    a number, if not a whole one; what is not one is kept as written, for the check to
    name), empty cells left out."""
    clean: dict[str, object] = {}
    for key, value in row.items():
        if key is None or value is None or value.strip() == "":
            continue
        key = key.strip()
        if key in unknown:
            continue
        if key in _TEXT:
            clean[key] = value.strip()
        else:
            try:
                clean[key] = float(value)
            except ValueError:
                clean[key] = value
    return clean


def _header_problems(header: list[str], path: Path, columns: tuple[str, ...]) -> list[Problem]:
    """A column the format does not have, and a required one the header lacks: once each."""
    problems = []
    for name in header:
        if name not in columns:
            left = [c for c in columns if c not in header]  # the columns it could have meant
            # the same name in other capitals first ("N" for "n"), then the closest spelling
            same = [c for c in left if c.lower() == name.strip().lower()]
            close = same or difflib.get_close_matches(name, left, n=1)
            params = {"column": name, "suggestion": close[0] if close else ""}
            problems.append(Problem("", 1, "error", "outcomes.unknown_column", params, str(path)))
    for name in _REQUIRED:
        if name not in header:
            problems.append(
                Problem("", 1, "error", "outcomes.missing_column", {"column": name}, str(path))
            )
    return problems


def _participant_data(text: str) -> bool:
    """Whether the file looks like participant data: a column named like an identifier or
    a treatment group in its first line (after any # comments), or a value written like a
    personnummer in the lines after it."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    header = [cell.strip().strip('"') for cell in _SEPARATORS.split(lines[0] if lines else "")]
    cells = [c.strip().strip('"') for line in lines[:_LOOK_AT] for c in _SEPARATORS.split(line)]
    return any(_PARTICIPANT_COLUMN.search(c) for c in header) or any(
        _PERSONNUMMER.fullmatch(c) for c in cells
    )


def _not_outcomes(text: str, path: Path, columns: tuple[str, ...]) -> DataError:
    """Why a file whose first line names none of the columns is no outcomes file: separated
    by semicolons, or without its header line."""
    first = next(iter(text.splitlines()), "")
    if {cell.strip().strip('"') for cell in first.split(";")} & set(columns):
        return DataError("outcomes.semicolons", path=str(path))
    return DataError("outcomes.no_header", path=str(path))
