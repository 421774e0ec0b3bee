"""The analysis plan on its own (``effekt evaluate --plan-only``), as the report shows it.

An evaluator registers the plan's hash with the commissioner before the data arrives, so
the analysis cannot be chosen after seeing the results. The text is the report's plan
section — every field in words, with its key and its value exactly as hashed — under a
line saying what to do with the hash.
"""

from __future__ import annotations

from typing import Any

from effekt.i18n import translate as t
from effekt.reports.outcome_phrases import plan_fields
from effekt.reports.text import aligned

__all__ = ["plan_text"]


def plan_text(plan: dict[str, Any], sha256: str, lang: str = "en") -> str:
    """The plan's hash and what it is for, then its fields."""
    head = [t("report.field", lang), t("report.key", lang), t("report.value", lang)]
    lines = [
        t("report.plan", lang),
        "",
        t("plan_only.hash", lang, hash=sha256),
        "",
        t("report.plan_fields", lang),
        *(f"  {row}".rstrip() for row in aligned([head, *plan_fields(plan, lang)], left=3)),
    ]
    return "\n".join(lines)
