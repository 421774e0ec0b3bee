"""How the compiled engine is compiled: numba, cached on disk, types for the checker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["BLOCK", "Bools", "Floats", "Ints", "jit", "jit_entry"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
F = TypeVar("F", bound=Callable[..., Any])

#: Paths per block: small enough that a block's intermediate arrays stay in L2 cache.
BLOCK = 128


#: Steps are called only from compiled code: no wrapper for calls from Python.
_STEP: dict[str, Any] = {"cache": True, "nogil": True, "no_cpython_wrapper": True}


def jit(f: F) -> F:
    """Compile a step of the engine (called only from compiled code)."""
    return cast(F, numba.njit(**_STEP)(f))


def jit_entry(f: F) -> F:
    """Compile the engine's entry point (called from Python)."""
    return cast(F, numba.njit(cache=True, nogil=True)(f))
