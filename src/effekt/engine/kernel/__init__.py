"""The cash-flow engine compiled: the same computation as :func:`cash_flows`, fused.

The NumPy engine (:mod:`effekt.engine.cashflow`) is the reference: it gives the
business case with every intermediate line (referrals, outcomes, decisions, the deal
account), and the scalar oracle checks it. For the Monte Carlo only each party's cash
flows, the payers' payments and the outcomes gained are needed, over many paths; here
they are computed by one compiled pass (numba) over blocks of ``BLOCK`` paths, so every
intermediate array of a block stays in the processor's cache instead of being written to
memory and read back dozens of times.

Modules: :mod:`.plan` flattens the contract; :mod:`.delivery`, :mod:`.rules` and
:mod:`.deal` are the steps; :mod:`.run` loops over blocks. The layout is the NumPy
engine's, transposed for the block: paths innermost (``[..., b]``), so the loops over a
block's paths are the vectorised ones. Each step mirrors a function
of the NumPy engine, named in its comment, in the same order of operations; the tests
(``tests/unit/test_kernel.py``) hold the two to the same flows on the examples, the
golden cases and generated contracts.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.engine.cashflow import DEAL, OUTSIDE, PathFlows, payer_shares
from effekt.engine.inputs import Inputs
from effekt.engine.kernel.jit import BLOCK
from effekt.engine.kernel.plan import KernelPlan, input_matrix, kernel_plan
from effekt.engine.kernel.run import run_blocks
from effekt.engine.outcomes import person_level_draws

__all__ = ["BLOCK", "PathFlows", "kernel_flows", "measured_counts", "simulated_flows"]

FloatArray = npt.NDArray[np.float64]


#: Per-thread output arrays reused from chunk to chunk (see :func:`_array`).
_SCRATCH = threading.local()


def _array(name: str, shape: tuple[int, ...], reuse: bool) -> FloatArray:
    """An array to fill: new, or with ``reuse`` this thread's array of that name.

    A Monte Carlo chunk is reduced to summaries before the next starts, so its outputs
    can live in the same memory every time; fresh arrays of tens of megabytes per chunk
    cost more in page faults than the engine takes to fill them.
    """
    if not reuse:
        return np.empty(shape)
    arrays: dict[str, FloatArray] = _SCRATCH.__dict__.setdefault("arrays", {})
    out = arrays.get(name)
    if out is None or out.shape != shape:
        out = arrays[name] = np.empty(shape)
    return out


def _treated_array(
    c: Contract, treated: Mapping[str, FloatArray] | None, P: int, reuse: bool = False
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Replacement outcome units, paths last: (metrics, cohorts, periods, paths)."""
    M, C, T = len(c.metrics), len(c.cohorts), c.term_periods
    has = np.zeros(M, dtype=np.int64)
    if not treated:
        return _NO_TREATED, has
    arr = _array("treated", (M, C, T, P), reuse)
    for j, m in enumerate(c.metrics):
        if m.id in treated:
            arr[j] = np.moveaxis(treated[m.id], 0, -1)
            has[j] = 1
    return arr, has


def _payers(c: Contract) -> list[str]:
    return sorted(
        {pid for r in c.rules for pid in payer_shares(c, r.payers)},
        key=[p.id for p in c.parties].index,
    )


def kernel_flows(
    c: Contract,
    inp: Inputs,
    treated: Mapping[str, FloatArray] | None = None,
    plan: KernelPlan | None = None,
    *,
    reuse: bool = False,
) -> PathFlows:
    """Every party's cash flows for the paths of ``inp``, as :func:`cash_flows` computes them.

    ``treated`` (metric id → (paths, cohorts, periods)) replaces the modelled outcome units
    of those metrics, as person-level draws or measured outcomes do in the NumPy engine.
    The arrays of the result are views of paths-last arrays (see :class:`PathFlows`);
    with ``reuse`` they are this thread's scratch arrays, valid until its next call.
    """
    pl = plan if plan is not None else kernel_plan(c)
    X = input_matrix(c, inp)
    P, T = X.shape[1], c.term_periods
    accounts = [p.id for p in c.parties] + [DEAL, OUTSIDE]
    payers = _payers(c)
    flows = _array("flows", (len(accounts), T, P), reuse)
    by_payer = _array("by_payer", (len(payers), T, P), reuse)
    gains = _array("gains", (len(c.metrics), T, P), reuse)
    arr, has = _treated_array(c, treated, P, reuse)
    run_blocks(pl, X, arr, has, flows, by_payer, gains, _NO_MEASURED, False, BLOCK)
    return PathFlows(
        accounts,
        flows.transpose(2, 0, 1),
        payers,
        by_payer.transpose(2, 0, 1),
        gains.transpose(2, 0, 1),
    )


_NO_MEASURED = np.zeros((1, 1, 1, 1))
_NO_TREATED = np.zeros((1, 1, 1, 1))


def measured_counts(
    c: Contract, inp: Inputs, plan: KernelPlan | None = None, *, reuse: bool = False
) -> dict[str, FloatArray]:
    """Persons measured per metric, (paths, cohorts, periods): the sample size of each
    person-level draw, as the NumPy engine's ``Outcomes.measured``."""
    pl = plan if plan is not None else kernel_plan(c)
    X = input_matrix(c, inp)
    P, T = X.shape[1], c.term_periods
    M, C = len(c.metrics), len(c.cohorts)
    out = _array("measured", (M, C, T, P), reuse)
    arr, has = _treated_array(c, None, P)
    none = np.empty((0, T, P))
    run_blocks(pl, X, arr, has, np.empty((1, T, P)), none, none, out, True, BLOCK)
    return {m.id: np.moveaxis(out[j], -1, 0) for j, m in enumerate(c.metrics)}


def simulated_flows(c: Contract, inp: Inputs, rng: np.random.Generator | None = None) -> PathFlows:
    """:func:`kernel_flows` with the contract's person-level draws taken from ``rng``.

    The draws are the NumPy engine's (:func:`person_level_draws`, metric by metric on the
    same persons measured), so with the same generator both engines draw alike. The
    result lives in this thread's scratch arrays: read it before the next call.
    """
    pl = kernel_plan(c)
    treated = None
    if rng is not None and c.uncertainty.person_level and c.metrics:
        measured = measured_counts(c, inp, pl, reuse=True)
        treated = {
            m.id: person_level_draws(c, inp, j, measured[m.id], rng)
            for j, m in enumerate(c.metrics)
        }
    return kernel_flows(c, inp, treated, pl, reuse=True)
