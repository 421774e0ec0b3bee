"""Personal data at the controller's boundary: validate personnummer, pseudonymise them.

A personnummer should be accepted only where the controller holds it, turned into a keyed
pseudonym at once, and never stored or logged in the clear (docs/sources/security.md §1.1–1.2).
"""

from __future__ import annotations

from effekt.privacy.personnummer import (
    PersonnummerCheck,
    normalise,
    normalise_series,
    validate,
    validate_series,
)
from effekt.privacy.pseudonym import (
    PseudonymKey,
    generate_key,
    pseudonymise,
    pseudonymise_personnummer,
    pseudonymise_personnummer_series,
    pseudonymise_series,
)

__all__ = [
    "PersonnummerCheck",
    "PseudonymKey",
    "generate_key",
    "normalise",
    "normalise_series",
    "pseudonymise",
    "pseudonymise_personnummer",
    "pseudonymise_personnummer_series",
    "pseudonymise_series",
    "validate",
    "validate_series",
]
