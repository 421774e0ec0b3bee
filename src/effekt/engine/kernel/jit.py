"""How the compiled engine is compiled: numba, cached on disk, types for the checker."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "BLOCK",
    "Bools",
    "Floats",
    "Ints",
    "drop_stale_cache",
    "jit",
    "jit_entry",
    "source_digest",
]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
F = TypeVar("F", bound=Callable[..., Any])

#: Paths per block: small enough that a block's intermediate arrays stay in L2 cache.
BLOCK = 128


def source_digest(package: Path) -> str:
    """A digest of every module of the compiled engine."""
    h = hashlib.sha256()
    for module in sorted(package.glob("*.py")):
        h.update(module.name.encode() + b"\0" + module.read_bytes())
    return h.hexdigest()


def drop_stale_cache(package: Path) -> bool:
    """Remove numba's cached machine code when any module of the engine has changed.

    numba keys a cached function on its own file only: the entry point compiled with a
    step inlined stays in the cache after the step's module changes. So the whole cache
    goes when the digest of all the engine's modules differs from the one it was built
    from. Returns whether it was dropped. Where the cache cannot be written (a read-only
    install, whose sources do not change), nothing is done.
    """
    cache = package / "__pycache__"
    stamp = cache / "effekt-kernel.sha256"
    digest = source_digest(package)
    try:
        if stamp.exists() and stamp.read_text() == digest:
            return False
        for f in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            f.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:
        return False
    return True


drop_stale_cache(Path(__file__).parent)

#: Steps are called only from compiled code: no wrapper for calls from Python.
_STEP: dict[str, Any] = {"cache": True, "nogil": True, "no_cpython_wrapper": True}


def jit(f: F) -> F:
    """Compile a step of the engine (called only from compiled code)."""
    return cast(F, numba.njit(**_STEP)(f))


def jit_entry(f: F) -> F:
    """Compile the engine's entry point (called from Python)."""
    return cast(F, numba.njit(cache=True, nogil=True)(f))
