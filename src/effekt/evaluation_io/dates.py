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
never the value. An empty cell is missing (NaT).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from effekt.errors import DataError
from effekt.evaluation_io.date_formats import read_by

__all__ = ["DateReader", "form_of", "to_dates"]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT = re.compile(r"\d{8}")
#: At most this many row numbers in a message.
_LISTED = 5
_LONGEST_FORM = 24


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


@dataclass(frozen=True)
class DateReader:
    """How one file writes its dates: ``date_format`` (None: ISO 8601 or ``YYYYMMDD``);
    for a value it cannot read, the file's ``path`` and the mapping ``table`` the setting
    is written under."""

    path: str = ""
    date_format: str | None = None
    table: str = "[source]"

    def read(self, values: pd.Series, rows: pd.Series | None = None) -> pd.Series:
        """``values`` as datetimes, NaT where empty; a value that is not a date in the
        file's form raises :class:`~effekt.errors.DataError` with its row (``rows``: the
        rows' numbers, by default 1, 2, …).

        >>> DateReader(date_format="%d/%m/%Y").read(pd.Series(["31/01/2027", "1/2/2027"])).tolist()
        [Timestamp('2027-01-31 00:00:00'), Timestamp('2027-02-01 00:00:00')]
        """
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
            raise self._refusal(str(values.name or ""), text, fits.to_numpy(), bad, numbers)
        return dates

    def _refusal(
        self, column: str, text: pd.Series, fits: np.ndarray, bad: np.ndarray, rows: np.ndarray
    ) -> DataError:
        """The error for the values that are not dates: their rows, the first one's form."""
        at = np.flatnonzero(bad)
        first = int(at[0])
        if fits[first]:
            code = "import.date_impossible"  # the form of a date, a day that does not exist
        elif self.date_format is None:
            code = "import.date_unreadable"
        else:
            code = "import.date_not_in_format"
        listed = [str(int(r)) for r in rows[at[:_LISTED]]]
        form = form_of(str(text.iloc[first]))
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
        )


def to_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """``values`` as datetimes read as :class:`DateReader` reads them; NaT where empty.

    >>> to_dates(pd.Series(["2027-05-22", "2027-06-01 13:45", ""])).tolist()
    [Timestamp('2027-05-22 00:00:00'), Timestamp('2027-06-01 13:45:00'), NaT]
    >>> to_dates(pd.Series([20270522, None])).tolist()
    [Timestamp('2027-05-22 00:00:00'), NaT]
    """
    return DateReader(date_format=date_format).read(values)
