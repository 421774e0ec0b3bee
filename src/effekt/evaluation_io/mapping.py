"""The mapping file: which column of a participant data file plays which role.

A mapping is a small TOML file the evaluator writes once per data delivery. It names the
identifier column and how it is pseudonymised (the key is read from a file or an
environment variable the data controller holds; it is never stored with the data), the
treatment, cohort, period, referral and engagement columns, the covariates, how each
outcome metric is computed from the data, the eligibility rules, and the declared
policies for missing data, attrition and duplicates::

    format_version = 1

    [identifier]
    column = "personnummer"          # validated (format, date, check digit), then HMAC'd
    kind = "personnummer"            # or "other" (any direct identifier, HMAC'd as given)
    key_env = "EFFEKT_PSEUDONYM_KEY" # or key_file = "/secure/place/project.key"
    drop = ["elevnamn"]              # further direct identifiers, removed at import

    [columns]
    treatment = "grupp"
    treated_values = ["insats"]
    cohort = "kohort"

    [[covariates]]
    column = "alder"
    min = 10
    max = 19

    [[outcomes]]
    metric = "back_in_school"
    kind = "attendance_share"
    attended = "narvarodagar"
    scheduled = "skoldagar"
    at_least = 0.8

    [[eligibility]]
    column = "alder"
    op = ">="
    value = 12

See docs/evaluation.md for every field.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from effekt.contract.base import Strict
from effekt.contract.load import Document, looks_like_contract
from effekt.contract.locate import Locator, PathKey, format_path, locate_toml
from effekt.contract.problems import Problem
from effekt.contract.syntax import syntax_detail
from effekt.errors import ContractInvalid, DataError, InputError
from effekt.evaluation_io.date_formats import date_format_ok

__all__ = [
    "Attrition",
    "Columns",
    "Covariate",
    "Duplicates",
    "EligibilityRule",
    "EventSource",
    "Identifier",
    "Mapping",
    "MissingData",
    "OutcomeSpec",
    "Source",
    "load_mapping",
]


def _one_reason(reason: str) -> Any:
    """A union's failure as one reason for its field, not one English error per member."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(reason) from None

    return WrapValidator(check)


Scalar = Annotated[float | int | str | bool | dt.date, _one_reason("mapping_not_a_scalar")]
Sheet = Annotated[str | int | None, _one_reason("mapping_bad_sheet")]


def _date_format(value: str | None) -> str | None:
    if value is not None and not date_format_ok(value):
        raise ValueError("mapping_bad_date_format")
    return value


DateFormat = Annotated[str | None, AfterValidator(_date_format)]
#: A date column's own date_format, by the column's name.
DateFormats = dict[str, Annotated[str, AfterValidator(_date_format)]]


class Source(Strict):
    """How to read the data file (CSV: see :mod:`effekt.evaluation_io.csvfile`)."""

    sheet: Sheet = Field(None, description="Excel: the sheet name or number (0 = first).")
    delimiter: str = Field(
        "auto",
        description=(
            "CSV: the field separator, one character; auto: the most frequent of , ; tab | "
            "in the header line (, when none occurs). A .tsv file is always tab-separated."
        ),
    )
    comment: str | None = Field(
        None, description="CSV: lines starting with this character are comments."
    )
    encoding: str = Field(
        "utf-8",
        description=(
            "CSV: the text encoding. UTF-8 is read with or without a byte-order mark; "
            "cp1252 for files older Excel saved with å, ä and ö as single bytes."
        ),
    )
    decimal: Literal["auto", ".", ","] = Field(
        "auto",
        description=(
            "The decimal sign of numbers written as text: auto is , in a file separated by ; "
            "(as Swedish Excel writes it) and . otherwise, and a column written wholly the "
            "other way is refused, asking for this setting. A number written with the other "
            "sign is invalid, reported by its row."
        ),
    )
    date_format: DateFormat = Field(
        None,
        description=(
            'How the file writes dates, as a strftime pattern such as "%d/%m/%Y" or '
            '"%d.%m.%Y": every date column is read by it; %b and %B take month names in '
            "Swedish or English (mars, okt., March), whatever the locale. Without it dates "
            "are read as ISO 8601 (2027-05-22, 2027-05-22 13:45) or, a column of eight "
            "digits, YYYYMMDD; Excel and Parquet date cells as they are. A value that is not "
            "a date in the file's form stops the import, naming its row: dates are never "
            "guessed."
        ),
    )

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if value != "auto" and len(value) != 1:
            raise ValueError("mapping_bad_delimiter")
        return value

    @field_validator("comment")
    @classmethod
    def _one_comment_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError("mapping_bad_comment")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:  # a text encoding Python knows (not base64, rot13); four zero bytes are
            bytes(4).decode(value)  # text in every one of them, utf-16 and utf-32 included
        except (LookupError, UnicodeDecodeError):
            raise ValueError("mapping_unknown_encoding") from None
        return value


class Identifier(Strict):
    """The direct identifier and how it is pseudonymised at import."""

    column: str = Field(description="The column holding the identifier.")
    kind: Literal["personnummer", "other"] = Field(
        "personnummer",
        description="personnummer: validated (format, date, check digit) and normalised first.",
    )
    key_file: str | None = Field(
        None, description="File holding the controller's key (hex), outside the data folder."
    )
    key_env: str | None = Field(None, description="Environment variable holding the key (hex).")
    key_encoding: Literal["hex", "base64"] = Field("hex", description="How the key is written.")
    if_key_missing: Literal["error", "ephemeral"] = Field(
        "error",
        description=(
            "error: stop when the key is not available; ephemeral: use a one-time random key "
            "for this run (pseudonyms cannot be linked to any other run)."
        ),
    )
    domain: str = Field(
        "", description="Pseudonym domain (e.g. the project id): separates projects and recipients."
    )
    drop: list[str] = Field(
        default_factory=list, description="Further direct identifiers (names, addresses) to drop."
    )

    @model_validator(mode="after")
    def _one_key_source(self) -> Identifier:
        if self.key_file is None and self.key_env is None:
            raise ValueError("mapping_no_key_source")
        if self.key_file is not None and self.key_env is not None:
            raise ValueError("mapping_two_key_sources")
        return self


def _yes() -> list[Scalar]:
    return [1, True, "1", "true", "yes", "ja", "sant"]


class Columns(Strict):
    """Columns with a fixed role."""

    treatment: str | None = Field(None, description="Treated (intervention) or comparison.")
    treated_values: list[Scalar] = Field(
        default_factory=_yes,
        description="Values of the treatment column that mean treated.",
    )
    comparison_values: list[Scalar] | None = Field(
        None,
        description=(
            "Values of the treatment column that mean comparison. Given, any other value is a "
            "problem of its row (a typo is caught); not given, every other value is comparison."
        ),
    )
    cohort: str | None = Field(None, description="The contract cohort id of each row.")
    period: str | None = Field(
        None, description="Difference-in-differences: the measurement period (before/after)."
    )
    post_values: list[Scalar] | None = Field(
        None, description="Values of the period column that mean after (default: the larger one)."
    )
    referral_date: str | None = Field(None, description="Date of referral (or release).")
    date_formats: DateFormats = Field(
        default_factory=dict,
        description=(
            'A date column\'s own date_format, by its name (utskriven = "%Y%m%d"), for a '
            "date column of the file written differently from the others; the others are "
            "read by [source] date_format. Each name must be a date column the mapping reads: "
            "the referral_date or an outcome's anchor."
        ),
    )
    engaged: str | None = Field(None, description="Whether the participant engaged.")
    engaged_values: list[Scalar] = Field(
        default_factory=_yes,
        description="Values of the engaged column that mean engaged.",
    )


class Covariate(Strict):
    """A covariate for matching and balance."""

    column: str = Field(description="The column.")
    type: Literal["numeric", "categorical"] = Field("numeric", description="How it enters.")
    squared: bool = Field(False, description="Also enter its square (numeric only).")
    min: float | None = Field(None, description="Smallest valid value (data-quality check).")
    max: float | None = Field(None, description="Largest valid value (data-quality check).")


class EventSource(Strict):
    """A second file of events or spells, keyed by the same identifier."""

    id: str = Field(description="Name used by outcomes.", pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    file: str = Field(description="Path, relative to the mapping file.")
    id_column: str = Field(description="The identifier column (pseudonymised like the main one).")
    date_column: str | None = Field(None, description="Event date (events).")
    start_column: str | None = Field(None, description="Spell start date (spells).")
    end_column: str | None = Field(None, description="Spell end date (spells; empty = ongoing).")
    sheet: Sheet = Field(None, description="Excel sheet.")
    date_format: DateFormat = Field(
        None, description="How the file writes dates, as [source] date_format (default: that)."
    )
    date_formats: DateFormats = Field(
        default_factory=dict,
        description=(
            "A date column's own date_format, by its name, as under [columns]; the file's "
            "other date columns are read by its date_format."
        ),
    )

    def date_columns(self) -> tuple[str, ...]:
        """The file's date columns: the event date, the spell's start and end."""
        named = (self.date_column, self.start_column, self.end_column)
        return tuple(dict.fromkeys(c for c in named if c is not None))


OutcomeKind = Literal["value", "attendance_share", "event_count", "days_in_state", "status_at"]
#: The fields each kind of outcome needs.
NEEDS: dict[str, tuple[str, ...]] = {
    "value": ("column",),
    "attendance_share": ("attended", "scheduled"),
    "event_count": ("events",),
    "days_in_state": ("events",),
    "status_at": ("events",),
}
#: The kinds of outcome computed from an events or spells file.
EVENT_KINDS = frozenset({"event_count", "days_in_state", "status_at"})


class OutcomeSpec(Strict):
    """How one metric's value per person is computed from the data."""

    metric: str = Field(description="The contract metric id (or a name without a contract).")
    kind: OutcomeKind = Field(
        "value",
        description=(
            "value: a column as it is; attendance_share: attended / scheduled; event_count: "
            "events in a window after the anchor date; days_in_state: days inside spells in "
            "that window; status_at: inside a spell on the follow-up date."
        ),
    )
    column: str | None = Field(None, description="value: the column.")
    attended: str | None = Field(None, description="attendance_share: days attended.")
    scheduled: str | None = Field(None, description="attendance_share: days scheduled.")
    at_least: float | None = Field(
        None, description="Make the metric binary: 1 when the value is at least this."
    )
    events: str | None = Field(None, description="The events or spells source id.")
    anchor: str | None = Field(
        None, description="Date column the window starts from (default: columns.referral_date)."
    )
    window_days: int = Field(365, ge=1, description="Length of the window in days.")
    offset_days: int = Field(0, ge=0, description="Days from the anchor to the window's start.")
    min: float | None = Field(None, description="Smallest valid value (data-quality check).")
    max: float | None = Field(None, description="Largest valid value (data-quality check).")

    @model_validator(mode="after")
    def _needs(self) -> OutcomeSpec:
        if any(getattr(self, f) is None for f in NEEDS[self.kind]):
            raise ValueError("mapping_outcome_incomplete")
        return self


class EligibilityRule(Strict):
    """A simple comparison every eligible participant meets."""

    column: str = Field(description="The column compared.")
    op: Literal["==", "!=", "<", "<=", ">", ">=", "in", "not_in"] = Field(
        description="The comparison."
    )
    value: Annotated[Scalar | list[Scalar], _one_reason("mapping_bad_rule_value")] = Field(
        description="The value (a list for in / not_in)."
    )


class MissingData(Strict):
    """What happens to rows with a missing (or out-of-range) value."""

    policy: Literal["complete_case", "exclude_and_report", "worst_case"] = Field(
        "exclude_and_report",
        description=(
            "complete_case: analyse complete rows only; exclude_and_report: the same, and the "
            "report lists how many rows each column excluded; worst_case: a missing outcome "
            "counts as the worst value for the treated and the best for the comparison."
        ),
    )


class Attrition(Strict):
    """What happens to referred participants whose outcome was never measured."""

    policy: Literal["worst_case", "exclude_and_report"] = Field(
        "worst_case",
        description=(
            "worst_case: intention to treat, a referred participant without an outcome counts "
            "as not achieving it; exclude_and_report: left out and counted in the report."
        ),
    )


class Duplicates(Strict):
    """What happens when one person appears more than once."""

    policy: Literal["error", "keep_first"] = Field(
        "error", description="error: stop and list the rows; keep_first: keep the first row."
    )


class Mapping(Strict):
    """A mapping file: the data file's columns → their roles in the evaluation."""

    format_version: Literal[1] = Field(1, description="Version of this file format; 1.")
    description: str | None = Field(None, description="What the data is.")
    source: Source = Field(default_factory=Source, description="How to read the file.")
    identifier: Identifier | None = Field(None, description="The direct identifier.")
    columns: Columns = Field(default_factory=Columns, description="Columns with a role.")
    covariates: list[Covariate] = Field(default_factory=list, description="Covariates.")
    outcomes: list[OutcomeSpec] = Field(default_factory=list, description="Outcome metrics.")
    events: list[EventSource] = Field(default_factory=list, description="Event or spell files.")
    eligibility: list[EligibilityRule] = Field(
        default_factory=list, description="Eligibility rules (all must hold)."
    )
    missing_data: MissingData = Field(default_factory=MissingData, description="Missing values.")
    attrition: Attrition = Field(default_factory=Attrition, description="Unmeasured participants.")
    duplicates: Duplicates = Field(default_factory=Duplicates, description="Repeated persons.")
    base_dir: str = Field(".", description="Set on load: the mapping file's folder.", exclude=True)
    _file: str | None = PrivateAttr(None)
    _lines: Locator = PrivateAttr(default_factory=Locator)

    def outcome(self, metric: str) -> OutcomeSpec | None:
        """The outcome definition of ``metric``, if the mapping has one."""
        return next((o for o in self.outcomes if o.metric == metric), None)

    def date_columns(self) -> tuple[str, ...]:
        """The participant file's date columns: the referral date and the outcomes' anchors."""
        named = [self.columns.referral_date, *(out.anchor for out in self.outcomes)]
        return tuple(dict.fromkeys(name for name in named if name is not None))

    def event_source(self, source_id: str) -> EventSource:
        """The events source called ``source_id``."""
        for e in self.events:
            if e.id == source_id:
                return e
        raise DataError("mapping.unknown_events", events=source_id)

    def problem(self, path: PathKey, code: str, **params: Any) -> Problem:
        """A problem with what the mapping says at ``path``, placed at the file and line it
        was read from (none for a mapping made in code)."""
        line = self._lines.line_of(path) if self._file is not None else None
        return Problem(format_path(path), line, "error", code, params, self._file)

    def resolve(self, path: str) -> Path:
        """A path written in the mapping, relative to the mapping file."""
        p = Path(path)
        return p if p.is_absolute() else Path(self.base_dir) / p


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file. A file with mistakes raises ContractInvalid listing
    every one, each with its line and field path (``mapping.invalid``)."""
    from effekt.evaluation_io.mapping_check import check_mapping

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise InputError("file.not_found", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("file.unreadable", path=str(p), detail=type(exc).__name__) from None
    except tomllib.TOMLDecodeError as exc:
        found = syntax_detail("toml", str(exc))
        raise DataError(
            "mapping.syntax", path=str(p), line=found.line or "?", detail=found.detail
        ) from None
    if looks_like_contract(data):
        raise DataError("mapping.is_contract", path=str(p))
    doc = Document(data, locate_toml(text), str(p), "toml")
    mapping, problems = check_mapping(doc)
    if mapping is None:
        raise ContractInvalid(problems, code="mapping.invalid", file=str(p))
    mapping = mapping.model_copy(update={"base_dir": str(p.parent)})
    mapping._file = str(p)
    mapping._lines = doc.locator
    return mapping
