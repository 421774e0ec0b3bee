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
relative_reduction,period,source`` and one line per measurement (empty cells allowed).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from effekt.contract.base import Strict
from effekt.contract.load import looks_like_contract
from effekt.contract.locate import Locator, format_path, locate_toml
from effekt.contract.syntax import syntax_detail
from effekt.errors import DataError, InputError

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

    def located(self, i: int, field: str) -> tuple[str | None, int | None]:
        """The file and line of measurement ``i``'s ``field`` (None for data made in memory)."""
        line = self._locator.line_of(("measurements", i, field)) if self._locator else None
        return self._source, line


_ERROR_CODES = {
    "missing": "outcomes.missing",
    "extra_forbidden": "outcomes.unknown_field",
    "greater_than": "outcomes.must_exceed",
    "greater_than_equal": "outcomes.too_small",
    "float_parsing": "outcomes.not_a_number",
    "float_type": "outcomes.not_a_number",
    "int_parsing": "outcomes.not_a_whole_number",
    "int_type": "outcomes.not_a_whole_number",
    "int_from_float": "outcomes.not_a_whole_number",
}


def _from_csv(text: str) -> tuple[dict[str, object], Locator]:
    rows: list[dict[str, object]] = []
    lines: dict[tuple[str | int, ...], int] = {}
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        lines[("measurements", len(rows))] = reader.line_num
        clean: dict[str, object] = {}
        for key, value in row.items():
            if key is None or value is None or value.strip() == "":
                continue
            key = key.strip()
            if key in ("metric", "cohort", "source"):
                clean[key] = value.strip()
            else:
                try:
                    clean[key] = float(value) if key != "period" else int(value)
                except ValueError:
                    clean[key] = value
        rows.append(clean)
    return {"format_version": 1, "measurements": rows}, Locator(lines)


def load_outcomes(path: str | Path) -> OutcomesFile:
    """Read an outcomes file (.toml or .csv); errors name the row and field."""
    import tomllib

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file.not_found", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("file.unreadable", path=str(p), detail=str(exc)) from None
    try:
        if p.suffix.lower() == ".toml":
            data, rows_at = tomllib.loads(text), None
        else:
            data, rows_at = _from_csv(text)
    except tomllib.TOMLDecodeError as exc:
        found = syntax_detail("toml", str(exc))
        raise DataError(
            "outcomes.syntax_at", path=str(p), detail=found.detail, line=found.line or "?"
        ) from None
    except csv.Error as exc:
        raise DataError("outcomes.syntax", path=str(p), detail=str(exc)) from None
    if looks_like_contract(data):
        raise DataError("outcomes.is_contract", path=str(p))
    try:
        out = OutcomesFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = format_path(tuple(err["loc"]))
        ctx = err.get("ctx") or {}
        reason = str(ctx.get("error", ""))
        if err["type"] == "value_error" and reason in (
            "measurement_incomplete",
            "measurement_counts_need_n",
        ):
            raise DataError(f"outcomes.{reason}", path=str(p), field=where) from None
        code = _ERROR_CODES.get(err["type"])
        if code is not None:  # in the user's language, not pydantic's English
            limit = next((ctx[k] for k in ("gt", "ge") if k in ctx), "")
            raise DataError(code, path=str(p), field=where, limit=limit) from None
        raise DataError("outcomes.invalid", path=str(p), field=where, detail=err["msg"]) from None
    out._source = str(p)
    out._locator = locate_toml(text) if rows_at is None else rows_at
    return out
