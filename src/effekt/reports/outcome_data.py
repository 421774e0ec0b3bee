"""What of an evaluation result the verified outcome report may publish.

:func:`report_data` picks from the evaluation result (``services.evaluate.evaluate``) what
may be published: the plan and its hash, the effect with its interval, the decision under
the contract's decision basis, the payments, balance, sensitivity, the suppressed counts,
data-quality counts, the treated left out of the analysis and the run record, and the
per-cohort measurements behind the payments as the service suppressed them
(:func:`effekt.services.publication_cohorts.published_measurements`). It leaves out everything at
row level (row numbers) and the unsuppressed measurements. Beside the table, it publishes
only what gives away no small count or person's value (:mod:`effekt.services.publication`
gives the reasons, figure by figure; the result carries the service's verdicts in
``publication``): a group's size only when the table publishes that group's total; the
treated and counterfactual means over all cohorts, the rate ratio, the standard error and
p-value and the decision values that would give the means only when the table publishes
every group total (the means times the sizes are those totals); the settle engine's
effects only for cohorts whose measurements are published; the naive comparison (its
estimate alone) and the other population's effect only where they give away no small
count of the persons outside the table or of those who did not engage; the balance as
standardised mean differences to two decimals, never the means, and none for a covariate
with a small count; the Rosenbaum bounds as the sentence's figures, never the p-values per
Γ; the rows read only when nothing that became of them is small. Payments are published
in full, and the report names the hidden cohorts whose payments per outcome can give a
count away, each by why it is hidden (the table's rule, or a count outcome's events).
Small counts are shown as "< 5", hidden figures as "–" with a sentence why.

:func:`report_json` gives it as JSON text; :mod:`effekt.reports.outcome_report` renders it.
"""

from __future__ import annotations

import json
from typing import Any

from effekt.services.publication_figures import (
    group_size_published,
    pooled_published,
    published_balance,
    published_decisions,
    published_effect,
    published_left_out,
    published_sensitivity,
)

__all__ = ["report_data", "report_json"]


def _small(n: int | None, limit: int) -> int | str | None:
    if n is None:
        return None
    return f"< {limit}" if 0 < n < limit else n


def _settlement_decisions(
    settlement: dict[str, Any], publication: dict[str, Any]
) -> list[dict[str, Any]]:
    """The settle engine's decisions, without the effects the service found would give a
    hidden count away (their reason says so instead)."""
    hidden = {(h["rule"], h["cohort"]): h["reason"] for h in publication["hidden_effects"]}
    out = []
    for d in settlement["decisions"]:
        reason = hidden.get((d["rule"], d["cohort"]))
        out.append(d if reason is None else {**d, "effect": None, "reason": reason,
                                             "suppressed": True})  # fmt: skip
    return out


def _pooled_hidden_because(result: dict[str, Any]) -> list[str]:
    """Why the means over all cohorts are hidden: the table hides a group total or the
    counts behind the pooled counterfactual ("table"), a count outcome's events would
    single persons out ("events"), or both."""
    events = bool(result["publication"].get("events_single_out", False))
    table = not pooled_published(result["published"], result.get("measurements"))
    return ["table"] * (table or not events) + ["events"] * events


def _hidden_because(
    result: dict[str, Any], publication: dict[str, Any], pooled: bool, quality: set[str]
) -> dict[str, str]:
    """Why the naive comparison, the other population's figures and the rows read are
    hidden, where they are, one reason each: "pooled" (published only with the means over
    all cohorts, which are hidden), "counts" (a count of 1–4 among the persons they
    add), "events" (a count outcome's events of those persons would single one out);
    for the rows read "parts" (one part of them is 1–4) or "quality" (the data-quality
    check hid them, with the counts beside them)."""
    given = publication.get("hidden_because", {})
    out = {}
    others = [k for k in result["populations"] if k != result["population"]]
    for figure, present in (("naive", result.get("naive") is not None),
                            ("other_populations", bool(others))):  # fmt: skip
        if present and not publication[figure]:
            out[figure] = "pooled" if not pooled else given.get(figure, "counts")
    if not publication["rows_read"]:
        out["rows_read"] = "quality" if "rows_read" in quality else "parts"
    return out


def report_data(result: dict[str, Any]) -> dict[str, Any]:
    """The publishable part of an evaluation result (see the module docstring)."""
    table = result["published"]
    limit = int(table["threshold"])
    publication = result["publication"]
    pooled = bool(publication["pooled"])
    effect = published_effect(result["effect"], table, pooled)
    quality = result["quality"]
    excluded = quality["excluded"]
    hidden = set(publication.get("quality_hidden", []))

    def shown(name: str, n: int) -> int | str | None:
        return None if name in hidden else _small(n, limit)

    q = {
        "rows_read": quality["rows_read"] if publication["rows_read"] else None,
        # the rows dropped (each person's first row is kept), not every row of a person
        # written twice: rows read less these and the ineligible are the rows analysed
        "duplicates": shown("duplicates", excluded.get("duplicate", {}).get("count", 0)),
        # a column's invalid values are among its missing ones, counted once
        "missing": {k: shown(f"missing:{k}", v["count"]) for k, v in quality["missing"].items()},
        "out_of_range": {
            k: shown(f"out_of_range:{k}", v["count"])
            for k, v in quality["out_of_range"].items()
            if k not in quality["missing"]
        },
        "ineligible": shown("ineligible", excluded.get("ineligible", {}).get("count", 0)),
        "hidden": bool(hidden),
    }
    policies = {
        k: (shown(f"policies:{k}", v) if isinstance(v, int) else v)
        for k, v in result["policies"].items()
        if not isinstance(v, dict)
    }
    settlement = result.get("settlement")
    naive = result.get("naive")
    because = _hidden_because(result, publication, pooled, hidden)
    return {
        "contract": result["plan"].get("contract_id"),
        "contract_name": result.get("contract_name"),
        "metric": result["plan"].get("metric") or result["plan"].get("outcome"),
        "population": result["population"],
        "plan": result["plan"],
        "plan_sha256": result["plan_sha256"],
        "effect": effect,
        "other_populations": {
            k: (
                {x: v[x] for x in ("estimate", "ci_low", "ci_high", "se")}
                if publication["other_populations"]
                else None
            )
            for k, v in result["populations"].items()
            if k != result["population"]
        },
        # only the code: a reason's parameters may be small counts
        "other_populations_not_analysed": {
            k: v["code"] for k, v in result.get("populations_not_analysed", {}).items()
        },
        # its means are over every treated and comparison person, analysed or not
        "naive": None
        if naive is None
        else {"estimate": naive["estimate"] if publication["naive"] else None},
        "pooled_published": pooled,
        # why each hidden figure beside the table is hidden, one reason each
        "hidden_because": because,
        # why not: the table hides a group total, or a count outcome's events single out
        "pooled_hidden_because": [] if pooled else _pooled_hidden_because(result),
        "decisions": published_decisions(result.get("decisions", []), pooled),
        "payments": None
        if settlement is None
        else {
            "currency": settlement["currency"],
            "total": settlement["total_payments"],
            "totals_by_basis": settlement["totals_by_basis"],
            "payments": settlement["payments"],
            "decisions": _settlement_decisions(settlement, publication),
            "suppressed_cohorts_paid_per_outcome": publication["cohorts_paid_per_outcome"],
        },
        "measurements": result.get("measurements"),
        "left_out": published_left_out(
            result.get("left_out"),
            effect["n_treated"],
            limit,
            [h.split(":", 1)[1] for h in hidden if h.startswith("left_out:")],
        ),
        "balance": published_balance(result["balance"], publication["balance_hidden"]),
        "balance_passed": result["balance_passed"],
        "balance_threshold": result["plan"].get("balance_threshold"),
        "sensitivity": published_sensitivity(
            result["sensitivity"], group_size_published(table, "treated")
        ),
        "published": table,
        "quality": q,
        "policies": policies,
        "run": result["run"],
    }


def report_json(result: dict[str, Any]) -> str:
    """The publishable report as JSON text."""
    return json.dumps(report_data(result), ensure_ascii=False, indent=2)
