"""The participant data an evaluation reads (step 2 and 3 of :mod:`effekt.services.evaluate`):
loaded through the mapping or as a plain table, the outcome per person from the data or
from event files, its kind when the plan leaves it to the data, and the missing-data and
attrition policies applied and counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from effekt.errors import DataError
from effekt.evaluation_io import events as ev
from effekt.evaluation_io.dates import to_dates
from effekt.evaluation_io.importer import (
    PSEUDONYM,
    ROW,
    QualityReport,
    file_sha256,
    import_events,
    import_participants,
    load_key,
    read_table,
)
from effekt.evaluation_io.mapping import Mapping, OutcomeSpec
from effekt.privacy.pseudonym import PseudonymKey
from effekt.services.evaluate_methods import OutcomeKind
from effekt.services.evaluation_plan import AnalysisPlan

__all__ = ["EvaluationData", "apply_policies", "infer_kind", "load_data", "outcome_values"]


@dataclass
class EvaluationData:
    frame: pd.DataFrame
    quality: QualityReport
    data_sha256: str
    key_source: str
    key: PseudonymKey | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def load_data(
    path: str | Path, mapping: Mapping | None, environ: Any, today: dt.date | None
) -> EvaluationData:
    if mapping is not None:
        key = None
        key_source = "none"
        if mapping.identifier is not None:
            key, key_source = load_key(mapping.identifier, mapping.base_dir, environ)
        imp = import_participants(path, mapping, key=key, today=today)
        return EvaluationData(imp.frame, imp.quality, imp.data_sha256, key_source, key)
    digest = file_sha256(path) if Path(path).exists() else ""
    frame = read_table(path).reset_index(drop=True)
    if frame.empty:
        raise DataError("import.no_rows", path=str(path))
    frame.insert(0, ROW, np.arange(1, len(frame) + 1))
    return EvaluationData(frame, QualityReport(rows_read=len(frame)), digest, "none")


def outcome_values(
    data: EvaluationData, plan: AnalysisPlan, spec: OutcomeSpec | None, mapping: Mapping | None
) -> pd.Series:
    frame = data.frame
    if spec is None:
        if plan.outcome not in frame.columns:
            raise DataError("evaluation.unknown_column", column=plan.outcome)
        return pd.to_numeric(frame[plan.outcome], errors="coerce").astype(float)
    assert mapping is not None
    if spec.kind == "value":
        assert spec.column is not None
        values = pd.to_numeric(frame[spec.column], errors="coerce").astype(float)
    elif spec.kind == "attendance_share":
        assert spec.attended is not None and spec.scheduled is not None
        values = ev.attendance_share(frame[spec.attended], frame[spec.scheduled])
        impossible = frame[spec.attended].notna() & frame[spec.scheduled].notna() & values.isna()
        if impossible.any():
            data.quality.out_of_range[f"{spec.attended}/{spec.scheduled}"] = (
                frame.loc[impossible, ROW].astype(int).tolist()
            )
    else:
        if data.key is None or spec.events is None:
            raise DataError("mapping.events_need_identifier", events=spec.events or "")
        source = mapping.event_source(spec.events)
        table = import_events(source, mapping, data.key)
        anchor_col = spec.anchor or mapping.columns.referral_date
        if anchor_col is None or anchor_col not in frame.columns:
            raise DataError(
                "import.missing_column",
                column=anchor_col or "referral_date",
                detail=("import.role.anchor", {"metric": spec.metric}),
            )
        anchors = to_dates(frame[anchor_col])
        persons = frame[PSEUDONYM]
        if spec.kind == "event_count":
            if source.date_column is None:
                raise DataError(
                    "mapping.events_need_column", events=source.id, column="date_column"
                )
            values = ev.event_counts(
                persons, anchors, table, id_column=PSEUDONYM, date_column=source.date_column,
                window_days=spec.window_days, offset_days=spec.offset_days,
            )  # fmt: skip
        else:
            if source.start_column is None or source.end_column is None:
                raise DataError(
                    "mapping.events_need_column", events=source.id, column="start_column"
                )
            common = {
                "id_column": PSEUDONYM,
                "start_column": source.start_column,
                "end_column": source.end_column,
            }
            if spec.kind == "days_in_state":
                values = ev.days_in_state(
                    persons,
                    anchors,
                    table,
                    window_days=spec.window_days,
                    offset_days=spec.offset_days,
                    **common,
                )
            else:
                values = ev.status_at(
                    persons, anchors, table, offset_days=spec.offset_days, **common
                )
    if spec.at_least is not None:
        values = ev.at_least(values, spec.at_least)
    return values


def infer_kind(y: pd.Series) -> OutcomeKind:
    v = y.dropna()
    return "binary" if len(v) and v.isin([0.0, 1.0]).all() else "continuous"


def _worst_best(y: pd.Series, kind: str, direction: str) -> tuple[float, float]:
    """(worst value for the treated, best value for the comparison) — conservative."""
    if kind == "binary":
        low, high = 0.0, 1.0
    else:
        v = y.dropna()
        low, high = (float(v.min()), float(v.max())) if len(v) else (0.0, 0.0)
    return (low, high) if direction == "increase" else (high, low)


def apply_policies(
    frame: pd.DataFrame, y: pd.Series, t: pd.Series, plan: AnalysisPlan, kind: str, covs: list[str]
) -> tuple[pd.Series, pd.Series, dict[str, Any]]:
    """Missing covariates drop the row; a missing outcome follows attrition (treated) or
    the missing-data policy (comparison). Returns (keep mask, outcome, counts)."""
    keep = pd.Series(True, index=frame.index)
    counts: dict[str, Any] = {"missing_data": plan.missing_data, "attrition": plan.attrition}
    if covs:
        miss_cov = frame[covs].isna().any(axis=1)
        counts["excluded_missing_covariate"] = {
            "treated": int((miss_cov & t).sum()),
            "comparison": int((miss_cov & ~t).sum()),
        }
        keep &= ~miss_cov
    y = y.copy()
    missing = y.isna() & keep
    worst, best = _worst_best(y, kind, plan.direction)
    mt, mc = missing & t, missing & ~t
    if plan.attrition == "worst_case":
        y[mt] = worst
        counts["imputed_worst_case_treated"] = int(mt.sum())
    else:
        keep &= ~mt
        counts["excluded_unmeasured_treated"] = int(mt.sum())
    if plan.missing_data == "worst_case":
        y[mc] = best
        counts["imputed_best_case_comparison"] = int(mc.sum())
    else:
        keep &= ~mc
        counts["excluded_missing_outcome_comparison"] = int(mc.sum())
    return keep, y, counts
