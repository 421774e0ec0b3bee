"""Import participant-level data: read, validate identifiers, pseudonymise, check quality.

``import_participants(path, mapping)`` does, in this order and in memory only:

1. reads the file (CSV, Parquet or Excel, by its suffix; a CSV's encoding, separator and
   decimal sign as :mod:`~effekt.evaluation_io.csvfile` works them out) and hashes its
   bytes (sha256), and checks it has every column the mapping names
   (:mod:`~effekt.evaluation_io.columns`: each one lacking named where the mapping names it);
2. validates every identifier (a personnummer: form, date, check digit). Invalid rows stop
   the import with :class:`ImportRejected`, which lists the **row numbers** and reasons —
   never the values. Row 1 is the first data row after the header;
3. replaces the identifier by its keyed pseudonym (HMAC-SHA-256 with the controller's key,
   read from the file or environment variable the mapping names) and **drops** the raw
   identifier column and every column in ``identifier.drop`` at once;
4. checks data quality: missing and out-of-range values per column (out-of-range values
   become missing), persons who appear more than once, and rows outside the eligibility
   rules (which are excluded). :class:`QualityReport` holds counts and row numbers.
   Numbers written as text are read with the file's decimal sign only
   (:mod:`~effekt.evaluation_io.numbers`): a value that is not a number that way is
   invalid, reported by its row like a value out of range — never read as another number.
   Dates (the referral date, the outcomes' anchors, an events file's date columns) are
   read in the file's one form (:mod:`~effekt.evaluation_io.dates`): a value that is not a
   date in it stops the import with its row — never guessed, never silently missing.

Nothing is written to disk and nothing is logged.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import operator
import os
from collections.abc import Callable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from effekt.errors import DataError, InputError
from effekt.evaluation_io.columns import event_columns, named_columns, require_columns
from effekt.evaluation_io.csvfile import read_csv
from effekt.evaluation_io.dates import DateReader, form_of
from effekt.evaluation_io.mapping import EligibilityRule, EventSource, Identifier, Mapping, Source
from effekt.evaluation_io.numbers import (
    DecimalSign,
    decimal_sign,
    has_numbers,
    other_sign_fits,
    to_numbers,
)
from effekt.privacy.personnummer import validate_series
from effekt.privacy.pseudonym import PseudonymKey, pseudonymise_series

__all__ = [
    "PSEUDONYM",
    "ROW",
    "ImportRejected",
    "ImportResult",
    "QualityReport",
    "RowProblem",
    "file_sha256",
    "import_events",
    "import_participants",
    "load_key",
    "read_table",
]

#: The column that holds the pseudonym after import.
PSEUDONYM = "pseudonym"
#: The column that holds each row's number in the file (1 = first data row).
ROW = "row"

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row: its number, the column, and a message code (no value)."""

    row: int
    column: str
    code: str


class ImportRejected(DataError):
    """The data cannot be imported; ``problems`` lists every bad row (numbers, never values)."""

    default_code = "import.rejected"

    def __init__(self, problems: list[RowProblem], /, **params: Any) -> None:
        self.problems = problems
        code = "import.rejected_one" if len(problems) == 1 else self.default_code
        super().__init__(code, count=len(problems), **params)


@dataclass
class QualityReport:
    """Data quality at import: counts, and the row numbers behind them."""

    rows_read: int = 0
    duplicates: list[int] = field(default_factory=list)
    missing: dict[str, list[int]] = field(default_factory=dict)
    out_of_range: dict[str, list[int]] = field(default_factory=dict)
    ineligible: dict[str, list[int]] = field(default_factory=dict)
    excluded: dict[str, list[int]] = field(default_factory=dict)

    def as_json(self, *, rows: bool = True) -> dict[str, Any]:
        """Counts per check; with ``rows`` also the row numbers (evaluator's view only)."""

        def block(d: dict[str, list[int]]) -> dict[str, Any]:
            return {
                k: ({"count": len(v), "rows": v} if rows else {"count": len(v)})
                for k, v in d.items()
            }

        return {
            "rows_read": self.rows_read,
            "duplicates": {
                "count": len(self.duplicates),
                **({"rows": self.duplicates} if rows else {}),
            },
            "missing": block(self.missing),
            "out_of_range": block(self.out_of_range),
            "ineligible": block(self.ineligible),
            "excluded": block(self.excluded),
        }


@dataclass(frozen=True)
class ImportResult:
    """The pseudonymised frame (no direct identifiers), its quality report and hashes."""

    frame: pd.DataFrame
    quality: QualityReport
    data_sha256: str
    key_source: str


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_table(
    path: str | Path, source: Source | None = None, *, text_columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Read CSV (``.csv``, ``.txt``, ``.tsv``), Parquet (``.parquet``, ``.pq``) or Excel
    (``.xlsx``, ``.xls``); ``text_columns`` are kept as text (identifiers keep their leading
    zeros). A CSV's encoding, separator and decimal sign: :mod:`~effekt.evaluation_io.csvfile`.
    """
    return _read(path, source or Source(), text_columns)[0]


def _read(
    path: str | Path,
    src: Source,
    text_columns: tuple[str, ...],
    date_columns: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, DecimalSign]:
    """The table, and the decimal sign numbers written as text in it are read with. A
    CSV's ``date_columns`` are read as text: ``01022027`` keeps its leading zero."""
    p = Path(path)
    suffix = p.suffix.lower()
    if not p.exists():
        raise InputError("file.not_found", path=str(p))
    converters: dict[int | str, Callable[[Any], Any]] = {c: _text for c in text_columns}
    decimal = decimal_sign(src.decimal, "")
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            as_text = converters | {c: _text for c in date_columns}
            frame, decimal = read_csv(p, src, converters=as_text, tsv=suffix == ".tsv")
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(p)
            for c in text_columns:
                if c in frame.columns:
                    frame[c] = frame[c].map(_text)
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            with pd.ExcelFile(p) as book:
                sheet = _sheet(book.sheet_names, src.sheet, p)
                frame = pd.read_excel(book, sheet_name=sheet, converters=converters or None)
                first = pd.read_excel(book, sheet_name=sheet, header=None, nrows=1)
                frame.attrs["header"] = ["" if pd.isna(v) else v for v in first.iloc[0]]
        else:
            raise DataError("import.unknown_format", path=str(p), suffix=suffix or "(none)")
    except (DataError, InputError):
        raise
    except pd.errors.EmptyDataError:
        raise DataError("import.empty", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("file.unreadable", path=str(p), detail=type(exc).__name__) from None
    except Exception as exc:  # noqa: BLE001 - a parser's own error type; the value is not shown
        raise DataError("import.unreadable", path=str(p), detail=type(exc).__name__) from None
    written = frame.attrs.get("header", list(frame.columns))  # Parquet's are its own
    frame.columns = [_column_name(c) for c in frame.columns]
    frame = _without_empty_tail(frame)
    frame.attrs["header"] = [_column_name(c) for c in written]
    return frame, decimal


def _column_name(name: object) -> str:
    return str(name).strip().lstrip("\ufeff").strip()


def _without_empty_tail(frame: pd.DataFrame) -> pd.DataFrame:
    """The table without the rows of empty cells after its last filled one — what Excel
    writes for used but empty rows below a table (``;;;``). One in the middle is kept, so
    that the row numbers stay those of the file, and is a problem of its row."""
    filled = np.flatnonzero(frame.notna().any(axis=1).to_numpy())
    end = int(filled[-1]) + 1 if len(filled) else 0
    return frame if end == len(frame) else frame.iloc[:end]


def _sheet(names: list[Any], sheet: str | int | None, path: Path) -> str | int:
    """The sheet to read; DataError naming the workbook's sheets when it has no such one."""
    names = [str(n) for n in names]
    if sheet is None:
        return 0
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return sheet
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, str):  # the nearest name, in other capitals too; else the first
        folded = {n.casefold(): n for n in reversed(names)}
        close = difflib.get_close_matches(sheet.casefold(), list(folded), n=1)
        meant, code = (folded[close[0]] if close else names[0]), "import.no_such_sheet"
    else:  # counted from 1, most likely: the last sheet
        meant, code = names[-1], "import.no_sheet_number"
    raise DataError(
        code, path=str(path), sheet=sheet, count=len(names), sheets=", ".join(names), meant=meant
    )


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def load_key(
    identifier: Identifier, base_dir: str | Path = ".", environ: AbcMapping[str, str] | None = None
) -> tuple[PseudonymKey, str]:
    """The controller's key and a label of where it came from (never the key itself)."""
    env = os.environ if environ is None else environ
    if identifier.key_env is not None:
        if env.get(identifier.key_env, "").strip():
            key = PseudonymKey.from_env(identifier.key_env, identifier.key_encoding, environ=env)
            return key, f"env:{identifier.key_env}"
    elif identifier.key_file is not None:
        path = Path(identifier.key_file)
        path = path if path.is_absolute() else Path(base_dir) / path
        if path.exists() or identifier.if_key_missing == "error":
            return PseudonymKey.from_file(path, identifier.key_encoding), f"file:{path.name}"
    if identifier.if_key_missing == "ephemeral":
        return PseudonymKey(os.urandom(32)), "ephemeral"
    assert identifier.key_env is not None
    return PseudonymKey.from_env(identifier.key_env, identifier.key_encoding, environ=env), ""


def _row_numbers(index: pd.Index) -> list[int]:
    return [int(i) + 1 for i in index]


def _pseudonymise(
    frame: pd.DataFrame, identifier: Identifier, key: PseudonymKey, today: date | None
) -> pd.DataFrame:
    """Replace the identifier column by ``pseudonym``; drop the direct identifiers."""
    col = identifier.column
    raw = frame[col].map(_text)
    if identifier.kind == "personnummer":
        checked = validate_series(raw, today=today)
        bad = checked["reason"].notna()
        if bad.any():
            problems = [
                RowProblem(int(pos) + 1, col, f"privacy.pnr.{reason}")
                for pos, reason in zip(
                    np.flatnonzero(bad.to_numpy()), checked.loc[bad, "reason"], strict=True
                )
            ]
            raise ImportRejected(problems, column=col)
        values = checked["normalised"]
    else:
        missing = raw.isna()
        if missing.any():
            problems = [
                RowProblem(r, col, "import.identifier_missing")
                for r in _row_numbers(raw.index[missing])
            ]
            raise ImportRejected(problems, column=col)
        values = raw
    pseudonyms = pseudonymise_series(values, key, domain=identifier.domain)
    drop = [c for c in [col, *identifier.drop] if c in frame.columns]
    out = frame.drop(columns=drop)
    out.insert(0, PSEUDONYM, pseudonyms.to_numpy())
    return out


@dataclass(frozen=True)
class _Numbers:
    """Reads a column's numbers with the file's decimal sign. When that sign was assumed
    (``decimal = "auto"``), a column written wholly with the other sign stops the import
    with a request for the setting: the reader does not guess."""

    path: str
    decimal: DecimalSign
    assumed: bool

    def read(self, frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
        """(the values as floats, a mask of the present values that are not numbers)."""
        series = frame[column]
        if self.assumed:
            first = other_sign_fits(series, self.decimal)
            if first is not None:
                raise DataError(
                    "import.decimal_comma_unexpected"
                    if self.decimal == "."
                    else "import.decimal_point_unexpected",
                    path=self.path,
                    column=column,
                    row=int(frame[ROW].iloc[first]),
                )
        return to_numbers(series, self.decimal)


def _rule_date(value: object, rule: EligibilityRule, index: int) -> pd.Timestamp:
    """A rule's value compared with a date column, as a date: ``2028-01-01`` (a TOML date,
    or text), or ``20280101`` as the register form writes it."""
    if isinstance(value, dt.date) and not isinstance(value, bool):
        return pd.Timestamp(value)
    text = (
        str(int(value))
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )
    for form in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return pd.Timestamp(dt.datetime.strptime(text.strip(), form))
        except ValueError:
            continue
    raise DataError(
        "import.eligibility_not_a_date", index=index, column=rule.column, value=repr(value)
    )


def _eligible_by_date(col: pd.Series, rule: EligibilityRule, index: int) -> pd.Series:
    """An eligibility rule on a date column: its value(s) read as dates, then compared."""
    if rule.op in ("in", "not_in"):
        values = rule.value if isinstance(rule.value, list) else [rule.value]
        hit = col.isin([_rule_date(v, rule, index) for v in values])
        out = hit if rule.op == "in" else ~hit
    else:
        out = _OPS[rule.op](col, _rule_date(rule.value, rule, index))
    return out.fillna(False).astype(bool) & col.notna()


def _eligible(
    frame: pd.DataFrame, rule: EligibilityRule, numbers: _Numbers, index: int = 0
) -> pd.Series:
    col = frame[rule.column]
    if pd.api.types.is_datetime64_any_dtype(col.dtype):  # a date column, read at import
        return _eligible_by_date(col, rule, index)
    if rule.op in ("in", "not_in"):
        values = rule.value if isinstance(rule.value, list) else [rule.value]
        hit = col.astype(str).isin([str(v) for v in values]) | col.isin(values)
        out = hit if rule.op == "in" else ~hit
    else:
        target = rule.value
        if isinstance(target, int | float) and not isinstance(target, bool):
            col = numbers.read(frame, rule.column)[0]
        try:
            out = _OPS[rule.op](col, target)
        except (TypeError, ValueError) as exc:  # a word against numbers, a list with "<"
            raise DataError(
                "import.eligibility_not_comparable",
                index=index,
                column=rule.column,
                op=rule.op,
                value=repr(target),
                dtype=str(col.dtype),
            ) from exc
    return out.fillna(False).astype(bool) & col.notna()


def _check_column(
    frame: pd.DataFrame,
    column: str,
    low: float | None,
    high: float | None,
    numeric: bool,
    report: QualityReport,
    numbers: _Numbers,
) -> None:
    """Count missing values. A number's column (one with a range, or a numeric role with a
    number in it) is read as numbers: a value that is not one, or is out of range, is
    counted as invalid and set to missing."""
    series = frame[column]
    if low is not None or high is not None or (numeric and has_numbers(series)):
        values, unreadable = numbers.read(frame, column)
        if unreadable.any() and not has_numbers(series):
            raise _no_numbers(frame, column, unreadable, numbers.path)
        bad = unreadable | (
            values.notna()
            & (
                (values < (low if low is not None else -np.inf))
                | (values > (high if high is not None else np.inf))
            )
        )
        if bad.any():
            report.out_of_range[column] = frame.loc[bad, ROW].astype(int).tolist()
        if bad.any() or not pd.api.types.is_numeric_dtype(series.dtype):
            frame[column] = values.where(~bad)
            series = frame[column]
    missing = series.isna()
    if missing.any():
        report.missing[column] = frame.loc[missing, ROW].astype(int).tolist()


def _no_numbers(frame: pd.DataFrame, column: str, unreadable: pd.Series, path: str) -> DataError:
    """A column read as numbers with no number in it, written either way (``87 %``, words):
    the column's form is the question, not a typo in a row — every row would be missing."""
    first = int(np.flatnonzero(unreadable.to_numpy())[0])
    form = form_of(str(frame[column].iloc[first]))
    return DataError(
        "import.no_numbers",
        path=path,
        column=column,
        row=int(frame[ROW].iloc[first]),
        form=form,
        legend=("import.form.letters" if "a" in form else "import.form.digits", {}),
    )


def _analysis_columns(mapping: Mapping) -> list[tuple[str, float | None, float | None, bool]]:
    """Every column the analysis uses, with its valid range (if any) and whether it holds
    numbers (a numeric covariate, an outcome's value, days attended or scheduled)."""
    cols: dict[str, tuple[float | None, float | None, bool]] = {}

    def add(
        name: str | None, low: float | None = None, high: float | None = None, numeric: bool = False
    ) -> None:
        if name is None:
            return
        old_low, old_high, was_numeric = cols.get(name, (None, None, False))
        ranged = low is not None or high is not None
        cols[name] = (
            low if ranged else old_low,
            high if ranged else old_high,
            numeric or was_numeric,
        )

    c = mapping.columns
    for name in (c.treatment, c.cohort, c.period, c.referral_date):
        add(name)  # an empty engaged cell means not engaged: not a missing value
    for cov in mapping.covariates:
        add(cov.column, cov.min, cov.max, numeric=cov.type == "numeric")
    for out in mapping.outcomes:
        add(out.column, out.min, out.max, numeric=True)
        add(out.attended, 0.0, None, numeric=True)
        add(out.scheduled, 0.0, None, numeric=True)
        add(out.anchor)
    return [(name, lo, hi, numeric) for name, (lo, hi, numeric) in cols.items()]


def _date_columns(mapping: Mapping) -> tuple[str, ...]:
    """The participant file's date columns: the referral date and the outcomes' anchors."""
    return mapping.date_columns()


def import_participants(
    path: str | Path,
    mapping: Mapping,
    *,
    key: PseudonymKey | None = None,
    environ: AbcMapping[str, str] | None = None,
    today: date | None = None,
) -> ImportResult:
    """Read, pseudonymise and check a participant file as the mapping says (see module doc)."""
    digest = file_sha256(path) if Path(path).exists() else ""
    ident = mapping.identifier
    text_cols = (ident.column,) if ident is not None else ()
    dates = _date_columns(mapping)
    frame, decimal = _read(path, mapping.source, text_cols, dates)
    require_columns(frame, named_columns(mapping), mapping, str(path))
    if frame.empty:
        raise DataError("import.no_rows", path=str(path))
    frame = frame.reset_index(drop=True)
    numbers = _Numbers(str(path), decimal, assumed=mapping.source.decimal == "auto")
    key_source = "none"
    if ident is not None:
        if key is None:
            key, key_source = load_key(ident, mapping.base_dir, environ)
        else:
            key_source = "given"
        frame = _pseudonymise(frame, ident, key, today)
    frame.insert(0, ROW, np.arange(1, len(frame) + 1))
    reader = DateReader(
        str(path),
        mapping.source.date_format,
        own_table="[columns.date_formats]",
        formats=mapping.columns.date_formats,
    )
    for column in dates:
        if column in frame.columns:  # not one the identifier's drop removed
            frame[column] = reader.read(frame[column], frame[ROW])
    report = QualityReport(rows_read=len(frame))
    if ident is not None:
        dup = frame[PSEUDONYM].duplicated(keep="first")
        if dup.any():
            report.duplicates = (
                frame.loc[frame[PSEUDONYM].duplicated(keep=False), ROW].astype(int).tolist()
            )
            if mapping.duplicates.policy == "error":
                problems = [
                    RowProblem(r, ident.column, "import.duplicate") for r in report.duplicates
                ]
                raise ImportRejected(problems, column=ident.column)
            report.excluded["duplicate"] = frame.loc[dup, ROW].astype(int).tolist()
            frame = frame.loc[~dup]
    for name, lo, hi, numeric in _analysis_columns(mapping):
        _check_column(frame, name, lo, hi, numeric, report, numbers)
    keep = pd.Series(True, index=frame.index)
    for k, rule in enumerate(mapping.eligibility):
        ok = _eligible(frame, rule, numbers, k)
        label = f"{rule.column} {rule.op} {rule.value}"
        if (~ok).any():
            report.ineligible[label if label not in report.ineligible else f"{label} ({k})"] = (
                frame.loc[~ok, ROW].astype(int).tolist()
            )
        keep &= ok
    if (~keep).any():
        report.excluded["ineligible"] = frame.loc[~keep, ROW].astype(int).tolist()
    frame = frame.loc[keep].reset_index(drop=True)
    return ImportResult(frame=frame, quality=report, data_sha256=digest, key_source=key_source)


def import_events(
    source: EventSource, mapping: Mapping, key: PseudonymKey, *, today: date | None = None
) -> pd.DataFrame:
    """An events or spells file with its identifier pseudonymised like the participants'."""
    if mapping.identifier is None:
        raise DataError("mapping.events_need_identifier", events=source.id)
    ident = mapping.identifier.model_copy(update={"column": source.id_column, "drop": []})
    path = mapping.resolve(source.file)
    dates = source.date_columns()
    frame = _read(  # the same export: the [source] encoding and date form; its own separator
        path,
        Source(sheet=source.sheet, encoding=mapping.source.encoding),
        (source.id_column,),
        dates,
    )[0]
    require_columns(frame, event_columns(source, mapping), mapping, str(path))
    frame = frame.reset_index(drop=True)
    out = _pseudonymise(frame, ident, key, today)
    table = f'[[events]] id = "{source.id}"'
    reader = DateReader(
        str(path),
        source.date_format or mapping.source.date_format,
        table,
        own_table=f"{table}, date_formats",
        formats=source.date_formats,
    )
    for col in dates:
        out[col] = reader.read(out[col])
    return out
