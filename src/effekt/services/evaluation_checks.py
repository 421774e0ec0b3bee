"""Evaluation guards for ``effekt check``: rules that would pay for "avoided" events
with nothing to compare against.

A metric with ``direction = "decrease"`` counts events the intervention should avoid
(reconvictions, days in custody, placements). If its ``counterfactual`` is ``"none"``,
every event that did not happen looks like an outcome, though most might not have
happened anyway. The validator already refuses rules that *measure an effect* against a
counterfactual the metric lacks (``contract.no_counterfactual``); this guard also warns
about rules that simply pay for such a metric (a rate card, a level threshold, a gate).
"""

from __future__ import annotations

from typing import Any

from effekt.contract.model import Contract
from effekt.contract.problems import Problem

__all__ = ["avoided_events_without_counterfactual"]


def avoided_events_without_counterfactual(
    contract: Contract, document: Any = None
) -> list[Problem]:
    """A warning at ``rules[i].metric`` for every rule paying for a "decrease" metric whose
    counterfactual is "none". Given the parsed ``document``
    (:class:`effekt.contract.load.Document`), each problem carries its file and line.
    """
    metrics = {m.id: m for m in contract.metrics}
    out: list[Problem] = []
    for i, rule in enumerate(contract.rules):
        metric_id = getattr(rule, "metric", None)
        m = metrics.get(metric_id) if isinstance(metric_id, str) else None
        if m is None or m.direction != "decrease" or m.counterfactual != "none":
            continue
        params = {"rule": contract.rule_id(i), "metric": m.id}
        code = "check.avoided_without_counterfactual"
        if document is not None:
            out.append(document.problem(("rules", i, "metric"), code, "warning", **params))
            continue
        out.append(
            Problem(
                path=f"rules[{i}].metric",
                line=None,
                severity="warning",
                code=code,
                params=params,
            )
        )
    return out
