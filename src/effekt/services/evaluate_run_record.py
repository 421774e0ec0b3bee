"""The run record of an evaluation (step 7 of :mod:`effekt.services.evaluate`): the hashes,
seed and package versions needed to reproduce and verify the run, no person data."""

from __future__ import annotations

import datetime as dt
import platform
from importlib import metadata
from typing import Any

from effekt.services.evaluate_data import EvaluationData
from effekt.services.evaluation_plan import PACKAGES, AnalysisPlan

__all__ = ["run_record"]


def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def run_record(plan_hash: str, data: EvaluationData, plan: AnalysisPlan) -> dict[str, Any]:
    """What is needed to reproduce and verify the run (no person data)."""
    return {
        "plan_sha256": plan_hash,
        "data_sha256": data.data_sha256,
        "mapping_sha256": plan.mapping_sha256,
        "contract_sha256": plan.contract_sha256,
        "seed": plan.seed,
        "packages": _versions(),
        "python": platform.python_version(),
        "pseudonym_key": data.key_source,
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
