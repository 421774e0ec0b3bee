"""The numeric inputs of a contract as arrays over paths.

Every uncertain input the cash-flow engine reads is named by its field path
(``cohorts[0].size``) and held as a float64 array of shape ``(paths,)``. The
deterministic business case is ``expected_inputs`` (one path at expected values); the
Monte Carlo fills the same dictionary with draws — one code path for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from effekt.contract.domain import Interval, domain, kind
from effekt.contract.model import Contract
from effekt.contract.quantity import Quantity, expected
from effekt.contract.rules import RateCard, SavingsShare, Threshold, Tiers

__all__ = ["Inputs", "expected_inputs", "input_domain", "input_kind", "quantity_fields"]

FloatArray = npt.NDArray[np.float64]
Inputs = dict[str, FloatArray]


def quantity_fields(c: Contract) -> Iterator[tuple[str, Quantity]]:
    """Every numeric input the engine computes with, by field path."""
    for i, co in enumerate(c.cohorts):
        yield f"cohorts[{i}].size", co.size
        yield f"cohorts[{i}].engagement", co.engagement
        yield f"cohorts[{i}].start_delay", co.start_delay
    yield "costs.setup", c.costs.setup
    yield "costs.fixed_per_period", c.costs.fixed_per_period
    yield "costs.per_participant", c.costs.per_participant
    for j, m in enumerate(c.metrics):
        yield f"metrics[{j}].expected", m.expected
        yield f"metrics[{j}].baseline", m.baseline if m.baseline is not None else m.expected
        yield f"metrics[{j}].lag_periods", m.lag_periods
    for k, r in enumerate(c.rules):
        if isinstance(r, RateCard | Threshold):
            yield f"rules[{k}].price", r.price
        elif isinstance(r, SavingsShare):
            yield f"rules[{k}].saving_per_outcome", r.saving_per_outcome
        elif isinstance(r, Tiers):
            for t, tier in enumerate(r.tiers):
                yield f"rules[{k}].tiers[{t}].price", tier.price


def input_domain(c: Contract, path: str) -> Interval:
    """The values the input at ``path`` (``cohorts[0].engagement``) can take, by the rule
    in :mod:`effekt.contract.domain`: shares in [0, 1], costs and prices in [0, 10^15],
    the rest not negative. Draws
    outside are clipped to it (a normal on a share, say)."""
    section = re.split(r"[.\[]", path, maxsplit=1)[0]
    name = path.rsplit(".", 1)[-1]
    kind = "binary"
    if section == "metrics":
        kind = c.metrics[int(path[len("metrics[") : path.index("]")])].kind
    return domain(section, name, kind)


def input_kind(path: str) -> str:
    """What the input at ``path`` counts (:func:`effekt.contract.domain.kind`): ``whole``,
    ``money`` or ``number``."""
    section = re.split(r"[.\[]", path, maxsplit=1)[0]
    return kind(section, path.rsplit(".", 1)[-1])


def expected_inputs(c: Contract, paths: int = 1) -> Inputs:
    """Every input at its expected value, repeated over ``paths``."""
    return {name: np.full(paths, expected(q)) for name, q in quantity_fields(c)}
