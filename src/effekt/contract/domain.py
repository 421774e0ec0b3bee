"""The values each number the engine reads from a contract can take.

Shares — a cohort's ``engagement`` and a binary metric's ``expected`` and ``baseline``
rates — lie in [0, 1]; costs and prices in [0, MAX_AMOUNT] (a thousand billion); a
cohort's size in [0, MAX_PERSONS] (a billion). Everything else the engine reads (lags,
delays, the rates of counts and durations) is not negative. The one rule behind both the
Monte Carlo, which clips every draw to its input's domain (``engine.inputs.input_domain``), and
``effekt check``, which warns when a distribution reaches outside it (``contract.validate``).
"""

from __future__ import annotations

import math

from effekt.contract.base import MAX_AMOUNT, MAX_PERSONS

__all__ = ["AMOUNT_RANGE", "NON_NEGATIVE", "PERSONS_RANGE", "SHARE", "Interval", "domain", "kind"]

#: The closed interval [low, high] (high may be ``inf``).
Interval = tuple[float, float]

SHARE: Interval = (0.0, 1.0)
NON_NEGATIVE: Interval = (0.0, math.inf)
AMOUNT_RANGE: Interval = (0.0, MAX_AMOUNT)
PERSONS_RANGE: Interval = (0.0, float(MAX_PERSONS))


def domain(section: str, name: str, metric_kind: str = "binary") -> Interval:
    """The domain of the field ``name`` of an entry in ``section`` (``cohorts``,
    ``metrics``, ``rules``, ``costs``); ``metric_kind`` is the kind of the metric the
    field belongs to, if it is a metric's.

    >>> domain("cohorts", "engagement")
    (0.0, 1.0)
    >>> domain("metrics", "expected", "count")
    (0.0, inf)
    >>> domain("rules", "price")
    (0.0, 1000000000000000.0)
    """
    if section == "cohorts" and name == "engagement":
        return SHARE
    if section == "metrics" and name in ("expected", "baseline") and metric_kind == "binary":
        return SHARE
    if kind(section, name) == "money":
        return AMOUNT_RANGE
    if section == "cohorts" and name == "size":
        return PERSONS_RANGE
    return NON_NEGATIVE


#: Fields the engine rounds to a whole number of periods before it uses them.
_WHOLE = {("cohorts", "start_delay"), ("metrics", "lag_periods")}
#: Fields that are amounts of money, in the contract's currency.
_MONEY = {"setup", "fixed_per_period", "per_participant", "price", "saving_per_outcome"}


def kind(section: str, name: str) -> str:
    """What the field ``name`` of an entry in ``section`` counts, for writing its values:
    ``whole`` (a number of periods the engine rounds), ``money``, else ``number``.

    >>> kind("cohorts", "start_delay"), kind("costs", "per_participant"), kind("cohorts", "size")
    ('whole', 'money', 'number')
    """
    if (section, name) in _WHOLE:
        return "whole"
    if section in ("costs", "rules") and name in _MONEY:
        return "money"
    return "number"
