"""How much memory this computer has, for refusing a run that cannot fit before any work."""

from __future__ import annotations

import math
import os

from effekt.errors import UsageError

__all__ = ["in_gib", "physical_memory", "refuse_beyond_memory"]


def physical_memory() -> int | None:
    """Bytes of physical memory, or None where the system does not say (no sysconf)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def in_gib(needed: int, memory: int) -> tuple[float, float]:
    """``needed`` and ``memory`` bytes in GiB as a refusal shows them: whole where that
    tells them apart, else to as many decimals (up to 3) as it takes — never "needs 24 GiB,
    more than the 24 GiB there are". ``needed`` is rounded down: it is "at least".

    >>> in_gib(2**40, 24 * 2**30), in_gib(49 * 2**29, 47 * 2**29)
    ((1024.0, 24.0), (24.5, 23.5))
    """
    for decimals in range(4):
        scale = 10**decimals
        shown = math.floor(needed / 2**30 * scale) / scale, round(memory / 2**30, decimals)
        if shown[0] > shown[1]:
            break
    return shown


def refuse_beyond_memory(code: str, paths: int, needed: int) -> None:
    """Refuse a run of ``paths`` paths that needs at least ``needed`` bytes, more than this
    computer has, before any work: the usage error ``code`` with both sizes in GiB."""
    memory = physical_memory()
    if memory is not None and needed > memory:
        shown_needed, shown_memory = in_gib(needed, memory)
        raise UsageError(code, paths=paths, needed=shown_needed, memory=shown_memory)
