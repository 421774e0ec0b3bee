"""Moving amounts along the period axis, vectorised over paths."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["clamp_to_term", "shift", "spread"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def shift(x: FloatArray, lag: IntArray, keep_overflow: bool = False) -> FloatArray:
    """Move ``x[p, ..., t]`` to ``t + lag[p]`` (lag ≥ 0, one per path).

    What moves past the last period is dropped, or, with ``keep_overflow``, added to the
    last period (a payment due after the term is paid in its last period).
    """
    T = x.shape[-1]
    t = np.arange(T)
    lag_b = lag.reshape((-1,) + (1,) * (x.ndim - 1))
    src = t - lag_b  # the period each target period takes from
    valid = (src >= 0) & (src < T)
    idx = np.broadcast_to(np.clip(src, 0, T - 1), x.shape).astype(np.intp)
    out = np.where(np.broadcast_to(valid, x.shape), np.take_along_axis(x, idx, axis=-1), 0.0)
    if keep_overflow:
        cut = np.clip(T - lag_b, 0, T)  # first source period that overflows
        overflow = np.where(t >= cut, x, 0.0).sum(axis=-1)
        out[..., -1] += overflow
    return out


def clamp_to_term(x: FloatArray, lag: int) -> FloatArray:
    """``shift`` by a constant ``lag``, keeping what overflows in the last period."""
    P = x.shape[0]
    return shift(x, np.full(P, lag, dtype=np.int64), keep_overflow=True)


def spread(x: FloatArray, periods: int) -> FloatArray:
    """Spread each amount evenly over ``periods`` periods starting where it falls.

    ``out[t] = Σ_{k<periods} x[t−k] / periods`` (what spills past the term is dropped).
    """
    T = x.shape[-1]
    c = np.cumsum(x, axis=-1)
    lagged = np.zeros_like(c)
    if periods < T:
        lagged[..., periods:] = c[..., : T - periods]
    return (c - lagged) / periods
