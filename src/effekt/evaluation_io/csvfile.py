"""A CSV file as kommuner export it: its text encoding, field separator and decimal sign.

:func:`read_csv` reads a ``.csv``, ``.txt`` or ``.tsv`` file as the mapping's ``[source]``
says, and works out what it leaves open:

* **encoding** — UTF-8 is read with or without the byte-order mark Excel's "CSV UTF-8"
  writes; a file that starts with a UTF-16 byte-order mark (Excel's "Unicode text") is
  read as UTF-16 — the mark says so, nothing is guessed. A file that is not text in the
  encoding is refused, naming the file and the first line that is not
  (``import.not_utf8``, ``import.not_in_encoding``);
* **separator** — ``delimiter = "auto"`` counts ``,`` ``;`` tab and ``|`` in the header
  line (the first line after any leading comment lines), outside quotes: the most
  frequent wins, the first of that order on a tie, ``,`` when none occurs
  (:func:`sniff_delimiter`). A ``.tsv`` file is tab-separated;
* **decimal sign** — :func:`effekt.evaluation_io.numbers.decimal_sign`: with
  ``decimal = "auto"`` a comma in a file separated by ``;``, else a point. Columns whose
  every value is a number written so are read as numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from effekt.errors import DataError
from effekt.evaluation_io.mapping import Source
from effekt.evaluation_io.numbers import DecimalSign, decimal_sign, numeric_column

__all__ = ["CANDIDATES", "decode", "header_line", "read_csv", "sniff_delimiter"]

#: The separators ``delimiter = "auto"`` chooses among, in the order that breaks a tie.
CANDIDATES = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line ends pandas counts; str.splitlines knows more


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def decode(path: Path, encoding: str) -> str:
    """The file's text; UTF-8 with or without a byte-order mark. A UTF-8, UTF-16 or UTF-32
    mark names the encoding whatever ``encoding`` says (in Windows-1252 it would be ``ï»¿`` or
    ``ÿþ`` before the first column's name). Refused with the line of the first byte that
    is not text in ``encoding`` (never the text itself)."""
    data = path.read_bytes()
    utf8 = _is_utf8(encoding)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16's:
        encoding, utf8 = "utf-32", False  # FF FE 00 00 starts with the UTF-16 LE mark
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, utf8 = "utf-16", False  # the byte-order mark names it
    elif data.startswith(codecs.BOM_UTF8):
        encoding, utf8 = "utf-8", True
    try:
        text = data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if utf8:
            raise DataError("import.not_utf8", path=str(path), line=line) from None
        raise DataError(
            "import.not_in_encoding", path=str(path), encoding=encoding, line=line
        ) from None
    return text.removeprefix("\ufeff")


def leading_comments(lines: list[str]) -> int:
    """How many lines starting with ``#`` stand before the header (a note on where the data
    came from, say). Without a mapping's ``comment`` setting they are skipped, and only
    they: a ``#`` inside the data is data."""
    count = 0
    for line in lines:
        if not line.lstrip().startswith("#"):
            break
        count += 1
    return count


def header_line(text: str, comment: str | None = None) -> str:
    """The header: the first line that is neither blank nor a comment (with ``comment``,
    text after that character is a comment; without, leading lines starting with ``#``).

    >>> header_line("# from the school system\\npnr;grupp\\n1;2\\n")
    'pnr;grupp'
    """
    lines = _NEWLINE.split(text)
    if comment is None:
        lines = lines[leading_comments(lines) :]
    for line in lines:
        content = line.split(comment, 1)[0] if comment else line
        if content.strip():
            return content
    return ""


def sniff_delimiter(header: str) -> str:
    """The most frequent of ``,`` ``;`` tab ``|`` in the header, outside quotes; the first
    of them in that order on a tie; ``,`` when none occurs.

    >>> sniff_delimiter("pnr;grupp;alder"), sniff_delimiter("a\\tb"), sniff_delimiter("pnr")
    (';', '\\t', ',')
    >>> sniff_delimiter('"namn, kort";grupp')
    ';'
    """
    bare = _QUOTED.sub("", header)
    counts = [bare.count(c) for c in CANDIDATES]
    best = max(counts)
    return CANDIDATES[counts.index(best)] if best else ","


def read_csv(
    path: Path,
    source: Source,
    *,
    converters: dict[int | str, Callable[[Any], Any]] | None = None,
    tsv: bool = False,
) -> tuple[pd.DataFrame, DecimalSign]:
    """The table and the decimal sign it was read with (see the module doc)."""
    text = decode(path, source.encoding)
    header = header_line(text, source.comment)
    if tsv:
        delimiter = "\t"
    elif source.delimiter == "auto":
        delimiter = sniff_delimiter(header)
    else:
        delimiter = source.delimiter
    decimal = decimal_sign(source.decimal, delimiter)
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        decimal=decimal,
        comment=source.comment,
        skiprows=0 if source.comment else leading_comments(_NEWLINE.split(text)),
        converters=converters or None,
        skipinitialspace=True,
    )
    for column in frame.columns:
        if converters and column in converters:
            continue
        series = frame[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            numbers = numeric_column(series, decimal)
            if numbers is not None:
                frame[column] = numbers
    # the names as written: the reader renames a second "alder" to "alder.1", which a
    # column written "alder.1" is too (evaluation_io.columns tells them apart by these)
    frame.attrs["header"] = next(csv.reader([header], delimiter=delimiter, skipinitialspace=True))
    return frame, decimal
