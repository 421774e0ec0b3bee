"""Referrals, enrolments and the provider's delivery costs, per path and period."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.engine.inputs import Inputs
from effekt.engine.timeline import spread

__all__ = ["cohort_starts", "delivery_costs", "enrolments", "referral_shares", "referrals"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def referral_shares(c: Contract, i: int) -> list[float]:
    """Share of cohort ``i`` referred in each of its referral periods (even, or its profile)."""
    co = c.cohorts[i]
    if co.referral_profile:
        return list(co.referral_profile)
    return [1.0 / co.referral_periods] * co.referral_periods


def cohort_starts(c: Contract, inp: Inputs) -> IntArray:
    """First referral period index (0-based) per path and cohort: start − 1 + round(delay)."""
    P = next(iter(inp.values())).shape[0]
    out = np.empty((P, len(c.cohorts)), dtype=np.int64)
    for i, co in enumerate(c.cohorts):
        delay = np.rint(np.maximum(inp[f"cohorts[{i}].start_delay"], 0)).astype(np.int64)
        out[:, i] = co.start_period - 1 + delay
    return out


def referrals(c: Contract, inp: Inputs) -> FloatArray:
    """Persons referred, shape (paths, cohorts, periods): size × share in each referral period."""
    starts = cohort_starts(c, inp)
    P, C, T = starts.shape[0], len(c.cohorts), c.term_periods
    out = np.zeros((P, C, T))
    rows = np.arange(P)
    for i in range(C):
        size = np.maximum(inp[f"cohorts[{i}].size"], 0)
        for k, share in enumerate(referral_shares(c, i)):
            t = starts[:, i] + k
            ok = t < T
            out[rows[ok], i, t[ok]] += size[ok] * share
    return out


def enrolments(c: Contract, inp: Inputs, referred: FloatArray) -> FloatArray:
    """Persons who engage: referrals × engagement share of their cohort."""
    share = np.stack(
        [np.clip(inp[f"cohorts[{i}].engagement"], 0, 1) for i in range(len(c.cohorts))], axis=1
    )
    return referred * share[:, :, None]


def delivery_costs(c: Contract, inp: Inputs, enrolled: FloatArray) -> FloatArray:
    """The provider's costs per period, shape (paths, periods).

    setup in the first period; fixed_per_period from the first referral to the end of the
    last participant's delivery; per_participant × enrolments spread over delivery_periods.
    """
    P, _, T = enrolled.shape
    d = c.costs.delivery_periods
    per_person = spread(enrolled.sum(axis=1), d) * inp["costs.per_participant"][:, None]
    active = enrolled.sum(axis=1) > 0
    t = np.arange(T)
    first = np.where(active.any(axis=1), active.argmax(axis=1), T)
    last = np.where(active.any(axis=1), T - 1 - active[:, ::-1].argmax(axis=1), -1) + d - 1
    running = (t[None, :] >= first[:, None]) & (t[None, :] <= last[:, None])
    fixed = running * inp["costs.fixed_per_period"][:, None]
    setup = np.zeros((P, T))
    setup[:, 0] = inp["costs.setup"]
    return np.asarray(setup + fixed + per_person, dtype=np.float64)
