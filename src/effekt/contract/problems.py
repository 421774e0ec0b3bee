"""A problem found in a contract file: where, how bad, and what to do."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from effekt.i18n import Phrase, translate
from effekt.i18n.format import percent, significant

__all__ = ["Problem", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding. ``message(lang)`` renders it for a municipal controller."""

    path: str
    line: int | None
    severity: Severity
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    file: str | None = None

    def message(self, lang: str = "en") -> str:
        params = dict(self.params)
        if "what" in params:
            params["what"] = translate(f"noun.{params['what']}", lang)
        if isinstance(params.get("clipped"), float):
            params["clipped"] = _percentage(params["clipped"], lang)
        # another message, as (code, params)
        for name in ("because", "detail", "at", "hint", "first", "second", "method"):
            if isinstance(params.get(name), tuple):
                code, inner = params[name]
                inner = {
                    k: translate(v.code, lang) if isinstance(v, Phrase) else v
                    for k, v in inner.items()
                }
                params[name] = translate(code, lang, **inner)
        if isinstance(params.get("because"), Problem):  # another problem, with its place
            params["because"] = params["because"].stated(lang)
        if isinstance(params.get("domain"), tuple):  # (low, high): [0, 1 000 000] (sv)
            params["domain"] = _interval(params["domain"], lang)
        for name in ("mean", "total", "implied"):
            if isinstance(params.get(name), float):
                params[name] = significant(params[name], lang, 4)
        # the file's own figures, in full: 0,25 (sv)
        for name in ("value", "limit", "other", "n", "baseline", "treated"):
            if isinstance(params.get(name), float):
                params[name] = significant(params[name], lang, 12)
        if self.code == "contract.bad_type":  # the kind in words, not pydantic's type name
            params["expected"] = translate(f"contract.type.{params['expected']}", lang)
        text = translate(self.code, lang, path=self.path or "(file)", **params)
        if self.params.get("suggestion"):
            text += " " + translate(
                "contract.did_you_mean", lang, suggestion=self.params["suggestion"]
            )
        return text

    def stated(self, lang: str = "en") -> str:
        """The problem with its field path, as one clause: ``costs.setup: The value …``."""
        return f"{self.path}: {self.message(lang)}" if self.path else self.message(lang)

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message(lang),
        }

    def where(self) -> str:
        """``file:line`` (or what is known of it)."""
        parts = [self.file or "", str(self.line) if self.line else ""]
        return ":".join(p for p in parts if p)


def _interval(span: tuple[float, float], lang: str) -> str:
    """A field's domain, its ends in full the way ``lang`` writes numbers, an infinite end
    as ∞ and left open: ``[0, 1,000,000,000]``, ``[0, ∞)``."""
    low, high = (significant(x, lang, 12) if math.isfinite(x) else "∞" for x in span)
    return f"[{low}, {high}]" if math.isfinite(span[1]) else f"[{low}, {high})"


def _percentage(share: float, lang: str) -> str:
    """A share as a percentage to two significant figures: 0.00123 → "0.12 %"."""
    if share <= 0:
        return percent(0.0, lang)
    return percent(share, lang, max(0, 1 - math.floor(math.log10(share * 100))))
