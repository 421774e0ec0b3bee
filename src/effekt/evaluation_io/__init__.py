"""Participant data in: the mapping file, the importer (pseudonymise at the boundary,
data quality) and outcome metrics from event data."""

from effekt.evaluation_io.events import (
    POPULATION_LABELS,
    at_least,
    attendance_share,
    days_in_state,
    event_counts,
    population_mask,
    status_at,
)
from effekt.evaluation_io.importer import (
    PSEUDONYM,
    ROW,
    ImportRejected,
    ImportResult,
    QualityReport,
    RowProblem,
    file_sha256,
    import_events,
    import_participants,
    load_key,
    read_table,
)
from effekt.evaluation_io.mapping import Mapping, load_mapping

__all__ = [
    "POPULATION_LABELS",
    "PSEUDONYM",
    "ROW",
    "ImportRejected",
    "ImportResult",
    "Mapping",
    "QualityReport",
    "RowProblem",
    "at_least",
    "attendance_share",
    "days_in_state",
    "event_counts",
    "file_sha256",
    "import_events",
    "import_participants",
    "load_key",
    "load_mapping",
    "population_mask",
    "read_table",
    "status_at",
]
