"""The measured-outcomes file that ``effekt settle`` reads (TOML, or CSV with the same columns).

Each row is one measurement of one metric for one cohort (or ``cohort = "all"`` for a result
published only across cohorts). Give the values per person (``treated`` and ``baseline``:
a share for binary metrics, events per person for counts, a mean for continuous ones), or
counts (``treated_count``, ``baseline_count``) with ``n``; or, for a pooled result, the
measured effect as ``relative_reduction`` against a ``baseline``::

    format_version = 1
    contract = "uk-peterborough"

    [[measurements]]
    metric = "reconviction_events"
    cohort = "cohort1"
    n = 1000
    treated = 1.42          # 142 reconviction events per 100 prisoners
    baseline = 1.55         # matched comparison: 155 per 100
    source = "Jolliffe & Hedderman 2014"

CSV: a header line ``metric,cohort,n,treated,baseline,treated_count,baseline_count,
relative_reduction,period,source`` and one line per measurement (empty cells allowed; see
:mod:`effekt.contract.outcomes_csv`).

:func:`load_outcomes` reads the file as UTF-8 (a file that is not is refused on its line,
with the Windows-1252 hint contracts get), names a file of another kind for what it is (a
contract, a mapping, participant data) and checks the measurements whole, against the
contract when given one (:mod:`effekt.contract.outcomes_check`): every problem at once.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import Field, PrivateAttr, model_validator

from effekt.contract.base import Strict
from effekt.contract.load import Document, looks_like_contract, looks_like_mapping, parse_text
from effekt.contract.locate import Locator
from effekt.contract.model import Contract
from effekt.contract.outcomes_csv import read_outcomes_csv
from effekt.contract.problems import Problem
from effekt.errors import ContractInvalid, DataError, InputError

__all__ = ["Measurement", "OutcomesFile", "load_outcomes"]


class Measurement(Strict):
    """One measured outcome of one metric for one cohort (or all cohorts)."""

    metric: str = Field(description="Metric id in the contract.")
    cohort: str = Field(description='Cohort id, or "all" for a result across all cohorts.')
    n: float | None = Field(
        None, gt=0, description="Persons measured (default: the cohort's modelled size)."
    )
    treated: float | None = Field(None, ge=0, description="Value per person with the intervention.")
    baseline: float | None = Field(None, ge=0, description="Counterfactual value per person.")
    treated_count: float | None = Field(
        None, ge=0, description="Outcome units among the n persons."
    )
    baseline_count: float | None = Field(
        None, ge=0, description="Counterfactual units for the n persons."
    )
    relative_reduction: float | None = Field(None, description="Measured 1 − treated/baseline.")
    period: int | None = Field(
        None, ge=1, description="Measurement period (default: the contract's schedule)."
    )
    source: str | None = Field(None, description="Where the figure was published, or ASSUMPTION.")

    @model_validator(mode="after")
    def _complete(self) -> Measurement:
        has_rate = (
            self.treated is not None
            or self.treated_count is not None
            or (self.relative_reduction is not None and self.baseline is not None)
        )
        if not has_rate:
            raise ValueError("measurement_incomplete")
        if (self.treated_count is not None or self.baseline_count is not None) and self.n is None:
            raise ValueError("measurement_counts_need_n")
        return self

    def per_person(self) -> tuple[float, float | None]:
        """(treated, baseline) per person."""
        base = self.baseline
        if base is None and self.baseline_count is not None and self.n:
            base = self.baseline_count / self.n
        if self.treated is not None:
            return self.treated, base
        if self.treated_count is not None and self.n:
            return self.treated_count / self.n, base
        assert self.relative_reduction is not None and base is not None
        return base * (1 - self.relative_reduction), base


class OutcomesFile(Strict):
    """Measured outcomes for one contract."""

    format_version: int = Field(1, ge=1, le=1, description="Version of this file format; 1.")
    contract: str | None = Field(
        None, description="The contract's id, checked against the contract."
    )
    measurements: list[Measurement] = Field(description="The measurements.", min_length=1)

    _source: str | None = PrivateAttr(default=None)
    _locator: Locator | None = PrivateAttr(default=None)

    def origin(self) -> tuple[str | None, Locator | None]:
        """The file the outcomes were read from and where its fields stand (None, None for
        outcomes made in memory)."""
        return self._source, self._locator


#: The outcomes file's text formats besides CSV, by suffix.
_TEXT_FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
#: Formats that are not text: participant data, or a sheet not saved as CSV.
_NOT_TEXT = frozenset({".xlsx", ".xlsm", ".xls", ".parquet"})


def load_outcomes(path: str | Path, contract: Contract | None = None) -> OutcomesFile:
    """Read an outcomes file (.toml, .csv, or .yaml/.json as a contract may be written) and check it whole, against ``contract`` when
    one is given (see :mod:`effekt.contract.outcomes_check`): ContractInvalid listing every
    problem, each with its line and field path (``outcomes.invalid``); DataError when the
    file cannot be read or is another kind of file (a contract, a mapping, participant
    data)."""
    from effekt.contract.outcomes_check import check_outcomes

    p = Path(path)
    text = _text(p)
    layout: list[Problem] = []  # a CSV's header and rows of the wrong length
    fmt = _TEXT_FORMATS.get(p.suffix.lower(), "csv")
    if fmt != "csv":  # TOML, or YAML and JSON as a contract may be written
        try:
            doc = parse_text(text, fmt, str(p))
        except ContractInvalid as exc:  # a syntax error: said as the outcomes file's
            first = exc.problems[0]
            raise DataError(
                "outcomes.syntax_at",
                path=str(p),
                detail=first.params.get("detail", ""),
                line=first.line or "?",
            ) from None
        data, locator = doc.data, doc.locator
        if looks_like_contract(data):
            raise DataError("outcomes.is_contract", path=str(p))
        if looks_like_mapping(data):
            raise DataError("outcomes.is_mapping_file", path=str(p))
    else:
        try:
            data, locator, layout = read_outcomes_csv(text, p, tuple(Measurement.model_fields))
        except csv.Error as exc:
            raise DataError("outcomes.syntax", path=str(p), detail=str(exc)) from None
    out, problems = check_outcomes(Document(data, locator, str(p), fmt), contract)
    problems = layout + [q for q in problems if not _said_already(q, layout)]
    if out is None or problems:
        raise ContractInvalid(
            sorted(problems, key=lambda q: (q.line or 0, q.path, q.code)),
            code="outcomes.invalid",
            file=str(p),
        )
    out._source = str(p)
    out._locator = locator
    return out


def _said_already(problem: Problem, layout: list[Problem]) -> bool:
    """Whether a CSV's layout problems already say it: a column the header lacks is said
    once, not on every row; a row with a cell too many has its values under the wrong
    columns, so nothing more is said about them."""
    lacking = {h.params["column"] for h in layout if h.code == "outcomes.missing_column"}
    shifted = {h.path for h in layout if h.code == "outcomes.extra_cells"}
    row = problem.path.split(".", 1)[0]
    return (problem.code == "contract.missing" and problem.params.get("field") in lacking) or (
        row in shifted and problem.code != "outcomes.extra_cells"
    )


def _text(p: Path) -> str:
    """The file's text: UTF-8, with or without a byte-order mark, line ends as read_text
    gives them. A file that is not UTF-8 is refused on the line of its first byte that is
    not (saved as Windows-1252 by Notepad or an older Excel, say); an empty one is said to
    be empty."""
    if p.suffix.lower() in _NOT_TEXT:
        raise DataError("outcomes.not_text", path=str(p))
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file.not_found", path=str(p)) from None
    except OSError as exc:
        raise InputError("file.unreadable", path=str(p), detail=exc.strerror or str(exc)) from None
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise DataError(
            "outcomes.syntax_at", path=str(p), line=line, detail=("syntax.not_utf8", {})
        ) from None
    if not text.strip():
        raise DataError("outcomes.empty", path=str(p))
    return text.replace("\r\n", "\n").replace("\r", "\n")
