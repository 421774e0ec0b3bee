"""Aligned plain-text tables and the contract's label, shared by every command's readable
output."""

from __future__ import annotations

from typing import Any

__all__ = ["aligned", "contract_label"]


def contract_label(d: dict[str, Any]) -> str:
    """The contract as a reader knows it: its name with its id in brackets, the id alone
    for a contract without a name (``d`` holds ``contract`` and ``contract_name``)."""
    name = d.get("contract_name")
    return f"{name} ({d['contract']})" if name else str(d["contract"])


def aligned(rows: list[list[str]], left: int = 2, rule: bool = True) -> list[str]:
    """Rows of cells as lines: the first ``left`` columns left-aligned, the rest right-aligned;
    with ``rule``, a line of dashes under the first row (the head)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(w) if i < left else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if rule and n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
