"""The analysis plan of an evaluation: fixed, and hashed, before the data is read.

Everything that decides the result — method, columns, covariates, matching options, seed,
decision basis, missing-data and attrition policies, and the hashes of the contract and
mapping files — goes into an :class:`AnalysisPlan`, whose canonical JSON is hashed
(sha256). ``effekt evaluate --plan-only`` prints it; ``--plan-sha256`` refuses to run if the
plan changed after it was registered.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from effekt.contract.model import Contract
from effekt.errors import UsageError
from effekt.evaluation_io.importer import file_sha256
from effekt.evaluation_io.mapping import Attrition, Mapping, MissingData

__all__ = [
    "METHODS",
    "METHOD_FOR_COUNTERFACTUAL",
    "PACKAGES",
    "AnalysisPlan",
    "make_plan",
    "parse_covariates",
]

METHODS = ("baseline", "rct", "psm", "did")
METHOD_FOR_COUNTERFACTUAL = {
    "historical_baseline": "baseline",
    "matched_comparison": "psm",
    "randomised": "rct",
    "difference_in_differences": "did",
}
PACKAGES = ("effekt", "numpy", "scipy", "pandas", "statsmodels")
_SQUARED = re.compile(r"^(?:I\((?P<a>[^()^]+)\^2\)|(?P<b>[^()^]+)\^2)$")


@dataclass(frozen=True)
class AnalysisPlan:
    """Everything that decides the result, fixed (and hashed) before the data is read."""

    method: str
    treatment: str
    outcome: str
    outcome_kind: str
    direction: str
    population: str
    covariates: tuple[str, ...] = ()
    squared: tuple[str, ...] = ()
    ratio: int = 1
    replace: bool = False
    caliper: float | None = None
    distance_tolerance: float | None = None
    seed: int = 0
    confidence: float = 0.95
    decision_basis: str = "point_estimate"
    cohort: str | None = None
    period: str | None = None
    engaged: str | None = None
    contract_id: str | None = None
    contract_sha256: str | None = None
    metric: str | None = None
    mapping_sha256: str | None = None
    missing_data: str = "exclude_and_report"
    attrition: str = "worst_case"
    balance_threshold: float = 0.1
    suppression_threshold: int = 5

    def as_json(self) -> dict[str, Any]:
        """The plan as plain JSON values (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def canonical(self) -> str:
        """Canonical JSON: sorted keys, no whitespace, UTF-8."""
        return json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def sha256(self) -> str:
        """sha256 of the canonical JSON."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


def parse_covariates(text: str | None) -> tuple[list[str], list[str]]:
    """``"age,I(age^2),educ,re74^2"`` → (``["age", "educ", "re74"]``, ``["age", "re74"]``).

    A squared term adds its column when the column itself is not listed.
    """
    covs: list[str] = []
    sq: list[str] = []
    for part in (text or "").split(","):
        name = part.strip()
        if not name:
            continue
        m = _SQUARED.match(name)
        if m:
            base = (m["a"] or m["b"]).strip()
            if base not in covs:
                covs.append(base)
            if base not in sq:
                sq.append(base)
        elif name not in covs:
            covs.append(name)
    return covs, sq


def _sha(path: str | Path | None) -> str | None:
    return file_sha256(path) if path is not None and Path(path).exists() else None


def _what_the_mapping_lacks(treatment: bool, outcome: bool) -> str:
    """The message code when a mapping was given but names no treatment or no outcome."""
    if treatment and outcome:
        return "evaluate.mapping_no_treatment_or_outcome"
    return "evaluate.mapping_no_treatment" if treatment else "evaluate.mapping_no_outcomes"


def make_plan(
    *,
    contract: Contract | None = None,
    contract_path: str | Path | None = None,
    metric: str | None = None,
    mapping: Mapping | None = None,
    mapping_path: str | Path | None = None,
    treatment: str | None = None,
    outcome: str | None = None,
    covariates: str | None = None,
    method: str | None = None,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = None,
    distance_tolerance: float | None = None,
    seed: int = 0,
    outcome_kind: str | None = None,
    population: str | None = None,
    cohort: str | None = None,
    period: str | None = None,
    confidence: float | None = None,
) -> AnalysisPlan:
    """The analysis plan from the contract, the mapping and the options (options win)."""
    m = None
    if contract is not None:
        if metric is None:
            raise UsageError("evaluate.metric_required")
        if metric not in {x.id for x in contract.metrics}:
            raise UsageError(
                "evaluate.unknown_metric",
                metric=metric,
                known=", ".join(x.id for x in contract.metrics),
            )
        m = contract.metric(metric)
    cols = mapping.columns if mapping is not None else None
    spec = mapping.outcome(metric) if (mapping is not None and metric is not None) else None
    treatment = treatment or (cols.treatment if cols else None)
    outcome = outcome or (metric if spec is not None else None)
    if outcome is None and mapping is not None and mapping.outcomes:
        known = ", ".join(o.metric for o in mapping.outcomes)
        if metric is None:  # the mapping defines outcomes: say which, rather than columns
            raise UsageError("evaluate.mapping_metric_required", known=known)
        raise UsageError("evaluate.mapping_has_no_outcome", metric=metric, known=known)
    if mapping is not None and (treatment is None or outcome is None):
        raise UsageError(_what_the_mapping_lacks(treatment is None, outcome is None))
    if treatment is None or outcome is None:
        raise UsageError("evaluate.columns_required")
    if method is None:
        if m is None:
            raise UsageError("evaluate.method_required")
        method = METHOD_FOR_COUNTERFACTUAL.get(m.counterfactual)
        if method is None:
            raise UsageError("evaluate.no_counterfactual", metric=m.id)
    if method not in METHODS:
        raise UsageError("evaluate.bad_method", method=method, allowed=", ".join(METHODS))
    if covariates is not None:
        covs, sq = parse_covariates(covariates)
    elif mapping is not None:
        covs = [c.column for c in mapping.covariates]
        sq = [c.column for c in mapping.covariates if c.squared]
    else:
        covs, sq = [], []
    if method == "psm" and not covs:
        raise UsageError("evaluate.covariates_required")
    if ratio < 1:
        raise UsageError("evaluate.bad_ratio", ratio=ratio)
    kind = outcome_kind
    if kind is None and m is not None:
        kind = {"binary": "binary", "count": "count"}.get(m.kind, "continuous")
        if spec is not None and spec.at_least is not None:
            kind = "binary"
    period = period or (cols.period if cols else None)
    if method == "did" and period is None:
        raise UsageError("evaluate.period_required")
    conf = (
        confidence
        if confidence is not None
        else (contract.payment.confidence if contract else 0.95)
    )
    return AnalysisPlan(
        method=method,
        treatment=treatment,
        outcome=outcome,
        outcome_kind=kind or "auto",
        direction=m.direction if m is not None else "increase",
        population=population or (m.population if m is not None else "referred"),
        covariates=tuple(covs),
        squared=tuple(sq),
        ratio=int(ratio),
        replace=bool(replace),
        caliper=caliper,
        distance_tolerance=distance_tolerance,
        seed=int(seed),
        confidence=float(conf),
        decision_basis=contract.payment.decision_basis if contract else "point_estimate",
        cohort=cohort or (cols.cohort if cols else None),
        period=period,
        engaged=cols.engaged if cols else None,
        contract_id=contract.id if contract else None,
        contract_sha256=_sha(contract_path),
        metric=metric,
        mapping_sha256=_sha(mapping_path),
        missing_data=(mapping.missing_data if mapping else MissingData()).policy,
        attrition=(mapping.attrition if mapping else Attrition()).policy,
    )
