"""Checking measured outcomes as a contract is checked: every problem at once, each with its
file, line and field path, in Swedish or English.

First the file's structure, through the contract checker's own translation of pydantic's
errors (:func:`~effekt.contract.load.problems_from_validation`), with the outcomes file's
codes where a contract's would mislead: a number without the contract's distributions, a
period's number. A number written as text is read as a contract's is
(:mod:`~effekt.contract.written_numbers`): in TOML, YAML and JSON with the contract's
messages, how to write it in the file's syntax and both readings of ``"1,500"``; in a CSV
file, whose cells are all text, in the outcomes file's words (``"0,45"``, as Excel with
Swedish settings writes it: decimals are written with a point, 0.45). Then each
measurement against the contract, on every field whose structure was right, so that one
pass finds everything:

- the metric and the cohort are the contract's (else the closest id, and the ids);
- a binary metric's ``treated`` and ``baseline`` are shares, from 0 to 1; its counts are
  persons, at most ``n``; a measured count (``treated_count`` of a binary or count metric)
  is a whole number, and so is ``n``; a ``relative_reduction`` is at most 1 (treated
  cannot be negative), agrees with ``1 − treated/baseline`` when those are given too
  (``settle`` pays on them, not on the reduction) and, for a binary metric, leaves a share
  of at most 1;
- a value per person and its count, both given, agree: ``count / n`` equals the value to
  within its written decimals (or half a person in ``n``);
- the period lies within the contract's term (1 … ``term_periods``) and not before the
  cohort's first referrals (``start_period``; for ``"all"``, the first cohort's): nobody
  in it could have been measured then, and ``settle`` would pay before it began;
- each metric is measured once per cohort: ``settle`` places one measurement per metric
  and cohort, so a second would silently replace the first.

The same rules hold for outcomes made in memory (``effekt evaluate``'s), without lines.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from effekt.contract.load import Document, problems_from_validation
from effekt.contract.locate import Locator
from effekt.contract.model import Contract
from effekt.contract.outcomes_file import OutcomesFile
from effekt.contract.problems import Problem
from effekt.contract.written_numbers import read_number

__all__ = ["check_outcomes", "outcome_problems"]

#: The measurement model's own rules (its validator's reasons), said with the file's codes.
_REASONS = frozenset({"measurement_incomplete", "measurement_counts_need_n"})
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
#: The contract's codes for a value that is no number → the outcomes file's (no
#: distributions to offer); at ``period``, its own.
_NOT_A_NUMBER = frozenset(
    {"contract.not_a_number", "contract.percent_as_text", "contract.percent_as_text_unquoted"}
)
#: The contract's codes for a number written as text → a CSV file's, which say it without
#: quotes (a CSV cell is text, quoted or not).
_CSV_CODES = {
    "contract.number_as_text": "outcomes.number_written",
    "contract.number_as_text_ambiguous": "outcomes.decimal_comma_or_thousands",
    "contract.not_whole_as_text": "outcomes.not_a_whole_number",
}
_EPS = 1e-9  # what floating point adds to a figure written exactly
#: The fields a percentage can stand for: a share (a binary metric's), a relative change.
_SHARES = (".treated", ".baseline", ".relative_reduction")


def check_outcomes(
    doc: Document, contract: Contract | None = None
) -> tuple[OutcomesFile | None, list[Problem]]:
    """The outcomes in a parsed file, or None and every problem found, in file order;
    judged against ``contract`` when one is given."""
    wrong = _wrong_contract(doc, contract)
    if wrong is not None:
        return None, [wrong]
    out: OutcomesFile | None = None
    try:
        out = OutcomesFile.model_validate(doc.data)
        problems: list[Problem] = []
    except ValidationError as exc:
        found = problems_from_validation(exc, doc, OutcomesFile)
        problems = [_for_outcomes(p, doc) for p in found]
    problems += _measurement_problems(doc, contract, {p.path for p in problems})
    problems.sort(key=lambda p: (p.line or 0, p.path, p.code))
    return (None, problems) if problems else (out, [])


def outcome_problems(contract: Contract, data: OutcomesFile) -> list[Problem]:
    """What is wrong with outcomes already read (or made in memory) against ``contract``,
    each problem placed where the file it was read from has it."""
    rows = [m.model_dump(exclude_none=True) for m in data.measurements]
    source, locator = data.origin()
    found = {"contract": data.contract, "measurements": rows}
    doc = Document(found, locator or Locator(), source or "", "toml")  # "": made in memory
    wrong = _wrong_contract(doc, contract)
    if wrong is not None:
        return [wrong]
    return _measurement_problems(doc, contract, set())


def _wrong_contract(doc: Document, contract: Contract | None) -> Problem | None:
    """Another contract's outcomes: said alone, as every row would be wrong for this one."""
    named = doc.data.get("contract") if isinstance(doc.data, dict) else None
    if contract is None or not isinstance(named, str) or named == contract.id:
        return None
    return doc.problem(("contract",), "outcomes.wrong_contract", found=named, expected=contract.id)


def _for_outcomes(problem: Problem, doc: Document) -> Problem:
    """A contract checker's problem as an outcomes file's: its code, and what it needs."""
    code = problem.code
    params = dict(problem.params)
    reason = code.removeprefix("contract.")
    if reason in _REASONS:
        code = f"outcomes.{reason}"
    elif code in _NOT_A_NUMBER:
        period = problem.path.endswith(".period")
        code = "outcomes.not_a_whole_number" if period else "outcomes.not_a_number"
        found = read_number(str(params.get("written", "")))
        if found is not None and found.percent and problem.path.endswith(_SHARES):
            # a share or a relative change written as a percentage: the decimal it means
            code = "outcomes.percent_as_share"
            params = {"value": found.text, "decimal": found.readings[0].written("json")}
    elif doc.fmt == "csv" and code in _CSV_CODES:
        written = str(params.pop("written")).strip()
        code = _CSV_CODES[code]
        if code == "outcomes.number_written" and _DECIMAL_COMMA.fullmatch(written):
            code = "outcomes.decimal_comma"
        params = {"value": written, "fixed": params.pop("write", ""), **params}
    return dataclasses.replace(problem, code=code, params=params)


class _Row:
    """One measurement as written: its fields whose structure was right."""

    def __init__(self, doc: Document, i: int, row: dict[str, Any], bad: set[str]) -> None:
        self.doc, self.i, self.row, self.bad = doc, i, row, bad

    def number(self, field: str) -> float | None:
        value = self.row.get(field)
        if f"measurements[{self.i}].{field}" in self.bad or isinstance(value, bool):
            return None
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
        return None

    def text(self, field: str) -> str | None:
        value = self.row.get(field)
        return value if isinstance(value, str) else None

    def problem(self, field: str | None, code: str, **params: Any) -> Problem:
        path: tuple[str | int, ...] = ("measurements", self.i)
        return self.doc.problem(path + ((field,) if field else ()), code, **params)


def _measurement_problems(doc: Document, contract: Contract | None, bad: set[str]) -> list[Problem]:
    """Each measurement against the contract (when given), its figures, and repeats."""
    rows = doc.data.get("measurements") if isinstance(doc.data, dict) else None
    if not isinstance(rows, list):
        return []
    kinds = {m.id: m.kind for m in contract.metrics} if contract is not None else {}
    problems: list[Problem] = []
    first: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(rows):
        if not isinstance(raw, dict):
            continue
        row = _Row(doc, i, raw, bad)
        metric, cohort = row.text("metric"), row.text("cohort")
        if contract is not None:
            problems += _against_contract(row, contract, metric, cohort)
        problems += _figures(row, metric or "", kinds.get(metric or ""))
        if metric is not None and cohort is not None:
            if (metric, cohort) in first:
                problems.append(_twice(row, first[(metric, cohort)], metric, cohort))
            first.setdefault((metric, cohort), i)
    return problems


#: Counterfactuals measured alongside the treated: a measurement must give its figure.
_MEASURED_COUNTERFACTUALS = frozenset(
    {"matched_comparison", "randomised", "difference_in_differences"}
)


def _against_contract(
    row: _Row, contract: Contract, metric: str | None, cohort: str | None
) -> list[Problem]:
    """The metric and the cohort are the contract's; the period lies within its term, not
    before the cohort starts."""
    problems: list[Problem] = []
    metrics = [m.id for m in contract.metrics]
    if metric is not None and metric not in metrics:
        problems.append(_unknown(row, "metric", metric, metrics))
    cohorts = [co.id for co in contract.cohorts]
    if cohort is not None and cohort != "all" and cohort not in cohorts:
        problems.append(_unknown(row, "cohort", cohort, cohorts))
    if metric in metrics:  # a measured counterfactual is measured, not assumed
        how = contract.metric(metric).counterfactual
        given = any(row.row.get(f) is not None for f in ("baseline", "baseline_count"))
        if how in _MEASURED_COUNTERFACTUALS and not given:
            problems.append(
                row.problem(
                    None,
                    "outcomes.baseline_needed",
                    metric=metric,
                    method=(f"explain.counterfactual.{how}", {}),
                )
            )
    period = row.number("period")
    if period is not None and period > contract.term_periods:
        term = contract.term_periods
        problems.append(row.problem("period", "outcomes.after_term", value=int(period), limit=term))
    starts = {co.id: co.start_period for co in contract.cohorts}
    start = min(starts.values()) if cohort == "all" and starts else starts.get(cohort or "")
    if period is not None and start is not None and period < start:
        problems.append(
            row.problem(
                "period",
                "outcomes.all_before_start" if cohort == "all" else "outcomes.before_cohort",
                value=int(period),
                cohort=cohort,
                start=start,
            )
        )
    return problems


def _unknown(row: _Row, field: str, name: str, known: list[str]) -> Problem:
    """An id the contract does not have, with the closest id and the contract's ids."""
    choices = [*known, "all"] if field == "cohort" else known
    close = difflib.get_close_matches(name, choices, n=1)
    listed = ", ".join(f'"{k}"' for k in known)
    hint = (
        (f"outcomes.known_{field}s_close", {"suggestion": close[0], "known": listed})
        if close
        else (f"outcomes.known_{field}s", {"known": listed})
    )
    params: dict[str, Any] = {field: name, "hint": hint}
    return row.problem(field, f"outcomes.unknown_{field}", **params)


def _twice(row: _Row, earlier: int, metric: str, cohort: str) -> Problem:
    """The second measurement of one metric and cohort, naming where both stand."""

    def where(i: int) -> tuple[str, dict[str, Any]]:
        line = row.doc.locator.line_of(("measurements", i)) if row.doc.file else None
        if line is not None:
            return ("outcomes.on_line", {"line": line})
        return ("outcomes.at_measurement", {"index": i})

    return row.problem(
        None, "outcomes.measured_twice", metric=metric, cohort=cohort,
        first=where(earlier), second=where(row.i),
    )  # fmt: skip


def _figures(row: _Row, metric: str, kind: str | None) -> list[Problem]:
    """The figures of one measurement: possible for the metric's kind, and agreeing."""
    problems: list[Problem] = []
    n = row.number("n")
    if n is not None and n > 0 and not _whole(n):
        problems.append(row.problem("n", "outcomes.n_not_whole", value=n))
    flagged: set[str] = set()
    for field in ("treated", "baseline"):
        value = row.number(field)
        if kind == "binary" and value is not None and value > 1 + _EPS:
            flagged.add(field)
            problems.append(
                row.problem(field, "outcomes.share_above_one", metric=metric, value=value)
            )
    for field in ("treated_count", "baseline_count"):
        value = row.number(field)
        if value is None:
            continue
        if field == "treated_count" and kind in ("binary", "count") and not _whole(value):
            flagged.add(field)
            problems.append(row.problem(field, "outcomes.count_not_whole", value=value))
        if kind == "binary" and n is not None and value > n + _EPS:
            flagged.add(field)
            problems.append(
                row.problem(field, "outcomes.count_above_n", metric=metric, value=value, n=n)
            )
    for share, count in (("treated", "treated_count"), ("baseline", "baseline_count")):
        if not flagged & {share, count}:
            problems += _disagreement(row, share, count, n)
    baseline_said = bool(flagged & {"baseline", "baseline_count"})
    problems += _reduction(row, metric, None if baseline_said else kind, n)
    return problems


def _disagreement(row: _Row, share: str, count: str, n: float | None) -> list[Problem]:
    """A value per person and its count that say different things."""
    value, counted = row.number(share), row.number(count)
    if value is None or counted is None or n is None or n <= 0:
        return []
    if abs(counted / n - value) <= max(0.5 / n, _half_unit(value)) + _EPS:
        return []
    return [
        row.problem(
            count, "outcomes.count_disagrees", share=share, count_field=count,
            value=value, other=counted, n=n, implied=counted / n,
        )
    ]  # fmt: skip


def _reduction(row: _Row, metric: str, kind: str | None, n: float | None) -> list[Problem]:
    """A relative reduction that would make the treated value negative, that disagrees with
    the treated and baseline values given beside it (settle pays on those), or (for a binary
    metric, ``kind`` None once its baseline has been found wrong) gives a share above 1."""
    reduction = row.number("relative_reduction")
    if reduction is None:
        return []
    if reduction > 1 + _EPS:
        return [row.problem("relative_reduction", "outcomes.reduction_above_one", value=reduction)]
    baseline = row.number("baseline")
    counted = row.number("baseline_count")
    b_half = _half_unit(baseline) if baseline is not None else 0.5 / n if n else 0.0
    if baseline is None and counted is not None and n:
        baseline = counted / n
    treated = row.number("treated")
    t_half = _half_unit(treated) if treated is not None else 0.0
    if treated is None and row.number("treated_count") is not None and n:
        treated = float(row.number("treated_count") or 0.0) / n
        t_half = 0.5 / n
    if treated is not None and baseline is not None and baseline > 0:
        # all three given: settle pays on treated and baseline, so the reduction must agree
        implied = 1 - treated / baseline
        slack = _half_unit(reduction) + t_half / baseline + treated * b_half / baseline**2
        if abs(implied - reduction) > slack + _EPS:
            return [
                row.problem(
                    "relative_reduction", "outcomes.reduction_disagrees", value=reduction,
                    treated=treated, baseline=baseline, implied=implied,
                )
            ]  # fmt: skip
    if kind != "binary" or baseline is None or baseline * (1 - reduction) <= 1 + _EPS:
        return []
    return [
        row.problem(
            "relative_reduction", "outcomes.reduction_share_above_one", metric=metric,
            value=reduction, baseline=baseline, implied=baseline * (1 - reduction),
        )
    ]  # fmt: skip


def _whole(x: float) -> bool:
    return abs(x - round(x)) <= _EPS


def _half_unit(x: float) -> float:
    """Half a unit of the last decimal ``x`` is written with: 0.14 → 0.005."""
    exponent = Decimal(repr(x)).as_tuple().exponent
    return 0.5 * 10.0 ** min(int(exponent), 0) if isinstance(exponent, int) else 0.0
