"""What an evaluation may publish per cohort (the rules are in
:mod:`effekt.services.publication`): the measurements the payments came from, suppressed
like the published table; the settle engine's effects that would give a hidden count
away; and the hidden cohorts a payment per outcome can give away."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from effekt.contract.model import Contract
from effekt.contract.outcomes_file import Measurement
from effekt.contract.quantity import expected
from effekt.contract.rules import RateCard, SavingsShare, Threshold, Tiers
from effekt.engine.suppression import suppress
from effekt.i18n import translate
from effekt.services.publication_table import as_count

__all__ = ["cohorts_paid_per_outcome", "hidden_settlement_effects", "published_measurements"]


def published_measurements(
    measurements: list[Measurement],
    published: dict[str, Any],
    kind: str,
    method: str,
    singled_out: Iterable[str] = (),
) -> dict[str, Any]:
    """The per-cohort figures the payments came from, suppressed like the published table.

    Per cohort: the treated persons analysed (``n_treated``), their outcome (``treated``:
    the share achieving it for a binary outcome, else the mean), the counterfactual (the
    mean over the comparison persons matched to them, who may belong to any cohort) and
    ``difference`` = treated − counterfactual.

    Suppression, with the published table's threshold and :func:`suppress`: the counts
    behind the counterfactual — per cohort, the (weighted) matched comparison persons
    achieving and not achieving a binary outcome, else the number of treated — form a
    cohort × category table that is suppressed like the published one (small cells, then
    complements so that none can be worked out from the pooled figures). A cohort's
    figures are shown only when that table shows its row and the published table shows
    every cell of the cohort's treated row (their share would give the count); its
    ``n_treated`` only when the published table shows that row's total.
    ``pooled_counterfactual_suppressed``: that table hides one of its totals, the counts
    the pooled counterfactual mean gives away (:func:`pooled_published`).

    The cohorts ``singled_out`` — a count outcome's, whose treated's events would single
    persons out (:func:`events_single_out`; the cohort's mean times its number of treated
    is its events) — show none of their figures but the number of treated
    (``events_suppressed_cohorts``).
    """
    singled = set(singled_out)
    threshold = int(published["threshold"])
    index = {(r["cohort"], r["group"]): i for i, r in enumerate(published["rows"])}

    def treated_row(cohort: str) -> tuple[bool, bool]:
        i = index.get((cohort, "treated"))
        if i is None:
            return False, False
        total = published["row_totals"][i] is not None
        return total and all(v is not None for v in published["cells"][i]), total

    figures = []  # (cohort, n, treated, counterfactual): all set by
    # evaluate_effect.cohort_measurements
    for m in measurements:
        assert m.n is not None and m.treated is not None and m.baseline is not None
        figures.append((m.cohort, m.n, m.treated, m.baseline))
    if kind == "binary":
        counts = [[as_count(cf * n), as_count((1 - cf) * n)] for _, n, _, cf in figures]
    else:
        counts = [[as_count(n)] for _, n, _, _ in figures]
    hidden = suppress(counts, threshold).suppressed if counts else None
    rows = []
    for i, (cohort, n, treated, cf) in enumerate(figures):
        cells_shown, n_shown = treated_row(cohort)
        shown = cells_shown and hidden is not None and not hidden[i, :].any()
        shown = shown and cohort not in singled
        rows.append(
            {
                "cohort": cohort,
                "n_treated": int(n) if n_shown else None,
                "treated": treated if shown else None,
                "counterfactual": cf if shown else None,
                "difference": treated - cf if shown else None,
            }
        )
    return {
        "kind": kind,
        "method": method,
        "threshold": threshold,
        "rows": rows,
        "suppressed_cohorts": sum(r["treated"] is None for r in rows),
        "events_suppressed_cohorts": sorted(singled & {r["cohort"] for r in rows}),
        "pooled_counterfactual_suppressed": bool(hidden is not None and hidden[-1, :].any()),
    }


def _shown_cohorts(measurements: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the cohorts measured, those whose figures are published)."""
    rows = measurements["rows"]
    return {r["cohort"] for r in rows}, {r["cohort"] for r in rows if r["treated"] is not None}


def hidden_settlement_effects(
    contract: Contract,
    decisions: list[dict[str, Any]],
    measurements: dict[str, Any],
    pooled: bool,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """The settle engine's decisions whose effect may not be published, as ``rule``,
    ``cohort`` and the ``reason`` to publish instead (met or not, and why no effect).

    A cohort's effect (and the reason, which states it) is published only when the
    cohort's measurements are: a level is the cohort's share, which times its published
    number of treated gives a hidden count. A pooled rule's effect over the cohorts it
    names only when every one of them is published — or, over all cohorts, when the
    pooled means are (:func:`pooled_published`) or the effect is the absolute difference
    (the effect estimate, always published): a pooled share less the published cohorts'
    counts gives the hidden cohort's count.
    """
    measured, shown = _shown_cohorts(measurements)
    rule_index = {contract.rule_id(k): k for k in range(len(contract.rules))}
    out = []
    for d in decisions:
        if d.get("effect") is None:
            continue
        rule = contract.rules[rule_index[d["rule"]]]
        if "all" in measured:  # no cohort column: every cohort's figure is the pooled one
            visible = "all" in shown
        elif d["cohort"] is not None:
            visible = d["cohort"] in shown
        else:
            named = measured if rule.cohorts is None else measured & set(rule.cohorts)
            whole = named == measured
            estimate = whole and getattr(rule, "measure", None) == "absolute_difference"
            visible = named <= shown or (whole and pooled) or estimate
        if not visible:
            met = "met" if d.get("triggered") else "not_met"
            code = met if d.get("threshold") is not None else "no_threshold"
            reason = translate(f"report.decision_suppressed.{code}", lang)
            out.append({"rule": d["rule"], "cohort": d["cohort"], "reason": reason})
    return out


def _per_outcome(rule: Any) -> bool:
    """Whether a rule pays a price per outcome (so a payment is a price times a count)."""
    if isinstance(rule, RateCard | SavingsShare):
        return True
    if isinstance(rule, Threshold):
        return expected(rule.price) != 0
    if isinstance(rule, Tiers):
        return any(expected(t.price) != 0 for t in rule.tiers)
    return False


def cohorts_paid_per_outcome(
    contract: Contract, metric: str, measurements: dict[str, Any]
) -> list[str]:
    """The cohorts whose figures are hidden but whose payments are a price per outcome.

    Payments are contractual and published in full; a payment of a rate card (price ×
    the cohort's outcomes, or × its outcomes above the counterfactual), a savings share or
    a threshold or tier with a price can give a hidden count away. The report says so.
    """
    measured, shown = _shown_cohorts(measurements)
    hidden = measured - shown
    out: set[str] = set()
    for rule in contract.rules:
        if getattr(rule, "metric", None) != metric or not _per_outcome(rule):
            continue
        if "all" in hidden or rule.cohorts is None:
            out |= hidden
        else:
            out |= hidden & set(rule.cohorts)
    return sorted(out)
