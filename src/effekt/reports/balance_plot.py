"""The covariate balance ("love") plot of the verified outcome report, as inline SVG.

One row per covariate, named by its ``label`` as people read it ("kon: pojke"), with the
absolute standardised mean difference before matching (hollow circle) and after (filled),
and the threshold as a dashed line. A covariate not balanced after matching has its label
in bold and a warning colour, and the legend says what that means. Every text is in the
report's language (``report.balance_plot.*``) and every figure in its format (decimal
comma in Swedish); a non-finite SMD draws no point. Each point's tooltip gives the SMD as
published (two decimals), and where the verdict, judged on the unrounded figure, is not
what the rounded one says, its side of the threshold
(:func:`~effekt.reports.outcome_phrases.smd`).

The SVG is made to be placed inside the HTML report: no scripts, no links, no namespace
declaration (HTML needs none), whole-pixel coordinates; ``role="img"`` with a
``<title>`` and an ``aria-label`` so a screen reader can name it.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from effekt.i18n import translate as t
from effekt.reports.outcome_phrases import num, smd

__all__ = ["balance_svg"]

_ROW = 22  # height of one covariate's row
_PLOT = 360  # width of the plotting area
_CHAR = 7  # a generous width of one character at font-size 12, plain or bold
_BEFORE, _AFTER, _THRESHOLD, _WARN = "#7b7b7b", "#2471a3", "#555555", "#b03a2e"


def _finite(value: Any) -> float | None:
    """|value|, or None when it is missing or not finite (nothing is drawn)."""
    if value is None:
        return None
    v = float(value)
    return abs(v) if math.isfinite(v) else None


def _axis_scale(largest: float) -> tuple[float, float]:
    """The axis end and tick step: the smallest step of 1, 2, 2.5 or 5 × 10ᵏ that reaches
    ``largest`` in at most five steps.

    >>> _axis_scale(0.7264), _axis_scale(0.12)
    ((0.8, 0.2), (0.125, 0.025))
    """
    largest = max(largest, 1e-9)
    k = math.floor(math.log10(largest / 5))
    for step in (m * 10.0**e for e in (k, k + 1) for m in (1, 2, 2.5, 5)):
        steps = math.ceil(largest / step - 1e-9)
        if steps <= 5:
            return round(steps * step, 12), step
    raise AssertionError("unreachable: 10^(k+1) always reaches largest in five steps")


def _legend(x: int, y: int, words: dict[str, str]) -> tuple[list[str], int]:
    """Hollow circle "before", filled circle "after", dashed line "threshold 0,1", left to
    right from ``x`` on the baseline ``y``; and where the legend ends."""
    parts = []
    for kind in ("before", "after", "threshold"):
        if kind == "threshold":
            parts.append(_dashed(x, y - 10, y + 2))
        else:
            parts.append(_point(x, y - 4, kind))
        parts.append(f'<text x="{x + 9}" y="{y}">{escape(words[kind])}</text>')
        x += 9 + _CHAR * len(words[kind]) + 18
    return parts, x


def _point(x: int, y: int, kind: str, tip: str | None = None) -> str:
    """A hollow grey circle for before matching, a filled blue one for after."""
    fill, stroke = ("none", _BEFORE) if kind == "before" else (_AFTER, _AFTER)
    inner = "" if tip is None else f"<title>{escape(tip)}</title>"
    return f'<circle cx="{x}" cy="{y}" r="4" fill="{fill}" stroke="{stroke}">{inner}</circle>'


def _dashed(x: int, y1: int, y2: int, css: str = "") -> str:
    """The threshold's dashed vertical line."""
    cls = f' class="{css}"' if css else ""
    return (
        f'<line{cls} x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{_THRESHOLD}" '
        'stroke-dasharray="3 2"/>'
    )


def _passed(b: dict[str, Any], threshold: float) -> bool:
    """The row's own verdict, or |SMD after| ≤ threshold when it has none."""
    if "passed" in b:
        return bool(b["passed"])
    after = _finite(b.get("smd_after"))
    return after is not None and after <= threshold


def balance_svg(balance: dict[str, Any], threshold: float, lang: str = "en") -> str:
    """The balance plot of ``balance`` (covariate → {"label", "smd_before", "smd_after",
    "passed"}, as in :func:`~effekt.reports.outcome_data.report_data`) against
    ``threshold``, its texts in ``lang``."""
    rows = [
        (
            str(b.get("label") or name),
            _finite(b.get("smd_before")),
            _finite(b.get("smd_after")),
            _passed(b, threshold),
            b.get("passed"),
        )
        for name, b in balance.items()
    ]
    values = [v for _, before, after, *_ in rows for v in (before, after) if v is not None]
    xmax, step = _axis_scale(max([threshold * 1.2, *values]))
    words = {
        "before": t("report.balance_plot.before", lang),
        "after": t("report.balance_plot.after", lang),
        "threshold": t("report.balance_plot.threshold", lang, threshold=num(threshold, lang)),
    }
    note = t("report.balance_plot.not_balanced", lang, threshold=num(threshold, lang))
    title = t("report.balance_plot.title", lang)
    failing = not all(ok for *_, ok, _ in rows)

    left = max(80, 16 + _CHAR * max((len(r[0]) for r in rows), default=0))
    legend, legend_end = _legend(left, 16, words)
    top = 50 if failing else 32
    base = top + _ROW * len(rows)
    note_end = left + _CHAR * len(note) + 10 if failing else 0
    width, height = max(left + _PLOT + 30, legend_end, note_end), base + 44

    def sx(v: float) -> int:
        return round(left + _PLOT * min(v, xmax) / xmax)

    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        *legend,
    ]
    if failing:
        parts.append(
            f'<text x="{left}" y="36" font-weight="bold" fill="{_WARN}">{escape(note)}</text>'
        )
    points = []
    for i, (label, before, after, ok, verdict) in enumerate(rows):
        y = top + _ROW * i + _ROW // 2
        style = "" if ok else f' font-weight="bold" fill="{_WARN}"'
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{left + _PLOT}" y2="{y}" stroke="#e6e6e6"/>'
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end"{style}>{escape(label)}</text>'
        )
        for kind, value in (("before", before), ("after", after)):
            if value is not None:
                # the published figure, with the verdict's side where rounding hides it
                shown = smd(value, lang, threshold, verdict if kind == "after" else None)
                tip = t("report.balance_plot.point", lang, when=words[kind], smd=shown)
                points.append(_point(sx(value), y, kind, tip))
    parts.append(_dashed(sx(threshold), top, base, "threshold"))
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="black"/>'
        f'<line x1="{left}" y1="{base}" x2="{left + _PLOT}" y2="{base}" stroke="black"/>'
    )
    for k in range(round(xmax / step) + 1):
        x, tick = sx(k * step), escape(num(k * step, lang))
        parts.append(
            f'<line x1="{x}" y1="{base}" x2="{x}" y2="{base + 4}" stroke="black"/>'
            f'<text x="{x}" y="{base + 16}" text-anchor="middle">{tick}</text>'
        )
    parts.append(
        f'<text x="{left + _PLOT // 2}" y="{base + 34}" text-anchor="middle">'
        f"{escape(t('report.balance_plot.axis', lang))}</text>"
    )
    return "\n".join([*parts, *points, "</svg>"])
