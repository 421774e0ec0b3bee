"""Dates as files write them: one form per column, never guessed.

A date decides who is counted and what is paid — an anchor date starts the window an
outcome is counted in — so a value is read as a date only in a form that means one day.
Without a setting a date column is read when it is written

* in ISO 8601, as Swedish Excel and case systems write it: ``2027-05-22``, and
  ``2027-05-22 13:45`` where the cell holds a time (``T`` between them, seconds and
  fractions too), both forms in one column;
* in the register form ``YYYYMMDD`` (``20270522``), when every value of the column is
  eight digits;
* as dates already: Excel date cells and Parquet timestamps are taken as they are.

Any other form needs the mapping's ``date_format``, a strftime pattern such as
``"%d/%m/%Y"`` or ``"%d.%m.%Y"`` (:mod:`~effekt.evaluation_io.date_formats` says which are
taken and reads by them), and then every text value of the file's date columns is read by
it. pandas would guess the form from a column's first value instead, and ``01/02/2027`` is
2 January in the US and 1 February here. A day, month or hour may lack its leading zero
(``1/2/2027``), except next to another number, where it has two digits (``%d%m%Y``:
``01022027``). ``%b`` and ``%B`` are month names in Swedish or English, full or short
(``mars``, ``okt.``, ``February``), whatever the locale; ``%y`` is 2000–2068 for
``00``–``68`` and 1969–1999 for ``69``–``99``.

A value that cannot be read so — another form, a day that does not exist
(``2027-02-30``), a word — stops the import: :class:`DateReader` raises a
:class:`~effekt.errors.DataError` naming the file, the column, the rows (1 = the first
data row) and the form of the first (:func:`form_of`: ``31/01/2027`` is ``NN/NN/NNNN``),
never the value. An empty cell is missing (NaT). When most of the column cannot be read,
its form is the question, not a typo: the message names the date_format that reads every
one of those values (:func:`formats_reading`: ``2027.03.01`` is ``%Y.%m.%d``), or both
orders when day and month could be either (``01/03/2027``), for the user to write in the
mapping file; it is never applied by itself.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from effekt.errors import DataError
from effekt.evaluation_io.date_formats import MONTHS, example_of, read_by

__all__ = ["DateReader", "form_of", "formats_reading", "to_dates"]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT = re.compile(r"\d{8}")
#: At most this many row numbers in a message.
_LISTED = 5
_LONGEST_FORM = 24
#: What to do about values that are not dates, when no date_format reads them.
_ADVICE = {
    "import.date_unreadable": "import.date_advice.unreadable",
    "import.date_not_in_format": "import.date_advice.not_in_format",
    "import.date_impossible": "import.date_advice.impossible",
}
#: A time after a date: 13:45 or 13:45:10, after a space or a T.
_TIME = re.compile(r"(?P<date>.+?)(?P<sep>\s+|T)(?P<time>\d{1,2}:\d{2}(?::\d{2})?)")
#: Excel's number for a day from 1927 to 2173 (46529 is 2027-05-22), as a cell keeps it.
_SERIAL = re.compile(r"\d{5}")
#: A date's runs: digits, letters, anything else (the separators).
_RUN = re.compile(r"\d+|[^\W\d_]+|[\W_]+")


def form_of(value: str) -> str:
    """A value's form without its content: each digit ``N``, each letter ``a``.

    >>> form_of("31/01/2027"), form_of("okänt"), form_of("1 Feb. 2027")
    ('NN/NN/NNNN', 'aaaaa', 'N aaa. NNNN')
    """
    form = "".join(
        "N" if c.isdigit() else "a" if c.isalpha() else " " if c.isspace() else c for c in value
    )
    return form if len(form) <= _LONGEST_FORM else form[:_LONGEST_FORM] + "…"


def _is_date(value: object) -> bool:
    """A cell that holds a date already (an Excel date cell, a Parquet timestamp)."""
    return isinstance(value, dt.date | np.datetime64) and not pd.isna(value)


def _text(value: object) -> str | None:
    """A cell as the text to read; None when empty or a date already. A whole number is its
    digits (``20270522``, also when the reader gave the column decimals)."""
    if value is None or value is pd.NA or isinstance(value, dt.date | np.datetime64):
        return None  # NaT too: a date cell left empty
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def _candidates(value: str) -> list[tuple[str, ...]]:
    """The date_formats a value's form suggests, in groups: one pattern, or both orders of
    day and month (day first) where the form cannot tell them apart. ``1 mars 2027``: the
    name is the month, four digits the year, the other number the day."""
    found = _TIME.fullmatch(value)
    date, clock = value, ""
    if found is not None:
        date = found["date"]
        clock = ("T" if found["sep"] == "T" else " ") + (
            "%H:%M:%S" if found["time"].count(":") == 2 else "%H:%M"
        )
    runs = _RUN.findall(date)
    kinds = "".join("a" if r.isalpha() else str(min(len(r), 9)) for r in runs if r.isalnum())
    if kinds == "8":
        return [(f"%Y%m%d{clock}",), (f"%d%m%Y{clock}", f"%m%d%Y{clock}")]
    if re.fullmatch("4[12][12]", kinds):
        return [(_pattern(runs, "Ymd", clock),)]
    if re.fullmatch("[12][12][24]", kinds):
        year = "Y" if kinds[2] == "4" else "y"
        return [(_pattern(runs, "dm" + year, clock), _pattern(runs, "md" + year, clock))]
    name = next((r for r in runs if r.isalpha()), "")
    numbers = kinds.replace("a", "")
    if kinds.count("a") != 1 or len(numbers) != 2 or name.lower() not in MONTHS:
        return []
    if sorted(numbers) in (["1", "4"], ["2", "4"]):
        parts = "".join("Y" if k == "4" else "d" for k in numbers)
    elif set(numbers) <= {"1", "2"}:
        parts = "dy"
    else:
        return []
    after = runs[runs.index(name) + 1] if runs.index(name) + 1 < len(runs) else ""
    short = len(name) <= 3 or after.startswith(".")
    month = kinds.index("a")
    return [(_pattern(runs, parts[:month] + ("b" if short else "B") + parts[month:], clock),)]


def _pattern(runs: list[str], directives: str, clock: str) -> str:
    """A date's runs as a pattern: its numbers and name by ``directives`` in turn, its
    separators as written (spaces as one, ``%`` as ``%%``; the dot of a short month name
    dropped before a space, since ``%b`` takes it), then ``clock``."""
    given = iter(directives)
    out: list[str] = []
    for i, run in enumerate(runs):
        if run.isalnum():
            out.append("%" + next(given))
            continue
        if i and runs[i - 1].isalpha() and run.startswith(".") and run[1:].isspace():
            run = run[1:]
        out.append(re.sub(r"\s+", " ", run).replace("%", "%%"))
    return "".join(out) + clock


def formats_reading(values: list[str]) -> tuple[str, ...]:
    """The date_format that reads every one of ``values``, suggested by the first one's form;
    both orders, day first then month first, when both read them all (no day or month
    above 12); none when no pattern does.

    >>> formats_reading(["2027.03.01"]), formats_reading(["01/03/2027", "5/6/2027"])
    (('%Y.%m.%d',), ('%d/%m/%Y', '%m/%d/%Y'))
    >>> formats_reading(["15 okt. 2027", "1 mars 2027"]), formats_reading(["31/31/2027"])
    (('%d %b %Y',), ())
    """
    text = pd.Series(values, dtype=object)
    for group in _candidates(values[0]) if values else []:
        reading = tuple(p for p in group if read_by(text, p)[1].notna().all())
        if reading:
            return reading
    return ()


@dataclass(frozen=True)
class DateReader:
    """How one file writes its dates: ``date_format`` (None: ISO 8601 or ``YYYYMMDD``),
    and a column's own in ``formats`` (by the column's name); for a value it cannot read,
    the file's ``path``, the mapping ``table`` the file's setting is written under and
    ``own_table``, where a column's own is (none: the message offers no column's own)."""

    path: str = ""
    date_format: str | None = None
    table: str = "[source]"
    own_table: str = ""
    formats: AbcMapping[str, str] = field(default_factory=dict)

    def read(self, values: pd.Series, rows: pd.Series | None = None) -> pd.Series:
        """``values`` as datetimes, NaT where empty; a value that is not a date in the
        column's form raises :class:`~effekt.errors.DataError` with its row (``rows``: the
        rows' numbers, by default 1, 2, …).

        >>> DateReader(date_format="%d/%m/%Y").read(pd.Series(["31/01/2027", "1/2/2027"])).tolist()
        [Timestamp('2027-01-31 00:00:00'), Timestamp('2027-02-01 00:00:00')]
        """
        own = self.formats.get(str(values.name)) if values.name is not None else None
        if own is not None:  # read and refused as the column's own: changed where it is
            return replace(self, date_format=own, table=self.own_table, formats={}).read(
                values, rows
            )
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            return values
        cells = values.to_numpy(dtype=object)
        text = pd.Series([_text(v) for v in cells], index=values.index, dtype=object)
        written = text.dropna()
        if self.date_format is not None:
            fits, dates = read_by(text, self.date_format)
        elif len(written) and written.map(lambda v: bool(_COMPACT.fullmatch(v))).all():
            fits, dates = read_by(text, "%Y%m%d")
        else:
            fits = text.map(lambda v: v is not None and bool(_ISO.fullmatch(v))).astype(bool)
            dates = pd.to_datetime(text.where(fits), format="ISO8601", errors="coerce")
        dates.name = values.name
        stamps = pd.Series([_is_date(v) for v in cells], index=values.index, dtype=bool)
        if stamps.any():
            taken = pd.to_datetime(pd.Series(cells, index=values.index).where(stamps))
            dates = dates.where(~stamps, taken)
        bad = (text.notna() & dates.isna()).to_numpy()
        if bad.any():
            numbers = rows.to_numpy() if rows is not None else np.arange(1, len(values) + 1)
            filled = int((text.notna() | stamps).sum())
            raise self._refusal(str(values.name or ""), text, fits.to_numpy(), bad, numbers, filled)
        return dates

    def _refusal(
        self,
        column: str,
        text: pd.Series,
        fits: np.ndarray,
        bad: np.ndarray,
        rows: np.ndarray,
        filled: int,
    ) -> DataError:
        """The error for the values that are not dates: their rows, the first one's form,
        and what to do — with the date_format that reads them when they are most of the
        column's ``filled`` (not empty) cells."""
        at = np.flatnonzero(bad)
        first = int(at[0])
        if fits[first]:
            code = "import.date_impossible"  # the form of a date, a day that does not exist
        elif self.date_format is None:
            code = "import.date_unreadable"
        else:
            code = "import.date_not_in_format"
        failing = [str(v) for v in text.iloc[at]]
        suggested = formats_reading(failing) if 2 * len(at) > filled else ()
        listed = [str(int(r)) for r in rows[at[:_LISTED]]]
        form = form_of(failing[0])
        return DataError(
            code,
            path=self.path,
            column=column,
            row=int(rows[first]),
            rows=", ".join(listed) + (", …" if len(at) > _LISTED else ""),
            count=len(at),
            form=form,
            legend=("import.form.letters" if "a" in form else "import.form.digits", {}),
            date_format=self.date_format or "",
            table=self.table,
            suggested=suggested,
            advice=(
                ("import.date_advice.excel_serial", {})
                if code == "import.date_unreadable" and _excel_serials(failing, filled)
                else self._advice(code, suggested, len(at), column)
            ),
        )

    def _advice(
        self, code: str, suggested: tuple[str, ...], count: int, column: str
    ) -> tuple[str, dict[str, object]]:
        """What to do, as a message: write the date_format that reads the values (or check
        which of two does), else what the code's message has always said."""
        said: dict[str, object] = {"table": self.table, "count": count, "column": column}
        said |= {"own_table": self.own_table}
        # the column's own date_format, or the file's with the column's own as the other way
        how = "_own" if self.table == self.own_table else "_file" if self.own_table else ""
        if len(suggested) == 2:
            first, second = suggested
            both = {"first": first, "second": second, "example": example_of(first)}
            return "import.date_advice.either" + how, said | both
        if suggested:
            return "import.date_advice.suggested" + how, said | {"pattern": suggested[0]}
        if code == "import.date_not_in_format" and how == "_own":
            return "import.date_advice.not_in_format_own", said
        return _ADVICE[code], said


def _excel_serials(failing: list[str], filled: int) -> bool:
    """Whether the values that are not dates, most of the column's ``filled`` cells, are all
    five digits: the numbers Excel keeps dates as (46529 is 2027-05-22), as a column not
    formatted as dates saves them. Said, never read: dates are never guessed."""
    return 2 * len(failing) > filled and all(_SERIAL.fullmatch(v) for v in failing)


def to_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """``values`` as datetimes read as :class:`DateReader` reads them; NaT where empty.

    >>> to_dates(pd.Series(["2027-05-22", "2027-06-01 13:45", ""])).tolist()
    [Timestamp('2027-05-22 00:00:00'), Timestamp('2027-06-01 13:45:00'), NaT]
    >>> to_dates(pd.Series([20270522, None])).tolist()
    [Timestamp('2027-05-22 00:00:00'), NaT]
    """
    return DateReader(date_format=date_format).read(values)
