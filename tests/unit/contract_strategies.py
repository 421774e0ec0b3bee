"""Generated contracts for the property tests of the cash-flow engines.

``contracts()`` builds whole contracts as plain dicts — cohorts, metrics of every kind,
rules of every kind referring to them, tranches, guarantees, grants, fees, caps, lags and
the drawdown and distribution modes — valid by construction (payer shares sum to 1, tiers
ascend, periods lie in the term, references name what exists), and validates them with
``Contract.model_validate``.

``contracts(uncertain=True)`` also makes inputs uncertain — cohort sizes, engagement,
start delays, lags, expected and baseline rates, costs and prices may be distributions
(normal, uniform, triangular, empirical, beta, lognormal) around the same values — and
sets the options the plain contracts leave at their defaults: referral profiles, metric
dispersion, counterfactuals and comparison groups (a ratio or a fixed size), per-rule
decision bases, the confidence level, published price indices, person-level draws and the
studies behind the intervention (``[[evidence]]``). Sampled paths of such a contract differ in their
lags, start delays, gates and decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from effekt.contract.model import Contract

__all__ = ["contracts"]

Draw = st.DrawFn
#: a number, or (with ``uncertain``) a distribution around it: (draw, value, spread) → quantity
Uncertain = Callable[[Draw, float, float], Any]
RULE_KINDS = ["rate_card", "threshold", "tiers", "savings_share", "gate", "activity_fee"]
MEASURES = ["relative_reduction", "relative_increase", "absolute_difference", "level"]
DECISION_BASES = ["point_estimate", "lower_confidence_bound", "significance_and_point_estimate"]
DESIGNS = ["systematic_review", "rct", "quasi_experimental", "pre_post", "observational"]
EFFECT_MEASURES = [
    "absolute_difference",
    "odds_ratio",
    "relative_risk",
    "standardised_mean_difference",
]


def _money(draw: Draw, high: int = 1_000_000) -> int:
    return draw(st.integers(0, high))


def _share(draw: Draw) -> float:
    return draw(
        st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]) | st.floats(0, 1, allow_subnormal=False)
    )


def _number(draw: Draw, value: float, spread: float) -> Any:
    return value


def _distribution(draw: Draw, value: float, spread: float) -> Any:
    """``value``, or a distribution with mean or centre ``value`` and about ``spread`` wide."""
    kinds = ["number", "normal", "uniform", "triangular", "empirical"]
    if 0 < value < 1:
        kinds.append("beta")
    if value >= 1e-3:  # a lognormal's sigma grows without bound as its mean goes to 0
        kinds.append("lognormal")
    kind = draw(st.sampled_from(kinds))
    s = spread * draw(st.sampled_from([0.1, 0.5, 1.0]))
    if kind == "number":
        return value
    if kind == "normal":
        return {"dist": "normal", "mean": value, "sd": s}
    if kind == "uniform":
        return {"dist": "uniform", "low": value - s, "high": value + s}
    if kind == "triangular":
        mode = value + s * draw(st.sampled_from([-1.0, 0.0, 0.5]))
        return {"dist": "triangular", "low": value - s, "mode": mode, "high": value + s}
    if kind == "empirical":
        steps = draw(st.lists(st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0]), min_size=1))
        return {"dist": "empirical", "values": [value + s * k for k in steps]}
    if kind == "beta":
        # a few moderate shapes: the sampler inverts each beta once per shape and process,
        # and extreme shapes (a ≈ 0.01, b ≈ 99) take minutes to invert
        mean = min(max(round(value, 1), 0.1), 0.9)
        sd = draw(st.sampled_from([0.1, 0.5])) * (mean * (1 - mean)) ** 0.5
        return {"dist": "beta", "mean": mean, "sd": sd}
    return {"dist": "lognormal", "mean": value, "sd": s}


def _parties(draw: Draw) -> list[dict[str, Any]]:
    payers = draw(st.integers(1, 2))
    split = draw(st.sampled_from([0.5, 0.7, 0.3]) | st.floats(0, 1, allow_subnormal=False))
    parties: list[dict[str, Any]] = [
        {"id": "kommun", "role": "commissioner", "payer_share": split if payers == 2 else 1.0}
    ]
    if payers == 2:
        parties.append({"id": "region", "role": "outcome_fund", "payer_share": 1 - split})
    parties.append({"id": "utforare", "role": "provider"})
    for i in range(draw(st.integers(0, 2))):
        parties.append({"id": f"inv{i}", "role": "investor"})
    parties += [
        {"id": "stat", "role": "guarantor"},
        {"id": "fonden", "role": "grant_funder"},
        {"id": "mellanhand", "role": "intermediary"},
    ]
    return parties


def _cohorts(draw: Draw, term: int, q: Uncertain, uncertain: bool) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(1, 3))):
        start = draw(st.integers(1, term))
        size = draw(st.integers(0, 400))
        cohort: dict[str, Any] = {
            "id": f"c{i}",
            "start_period": start,
            "size": q(draw, size, size / 2 + 5),
            "referral_periods": draw(st.integers(1, term - start + 1)),
            "engagement": q(draw, _share(draw), 0.3),
        }
        if uncertain:
            cohort["start_delay"] = q(draw, draw(st.integers(0, 2)), 2.0)
            if draw(st.booleans()):
                weights = draw(
                    st.lists(
                        st.sampled_from([0.0, 1.0, 2.0, 5.0]),
                        min_size=cohort["referral_periods"],
                        max_size=cohort["referral_periods"],
                    ).filter(any)
                )
                cohort["referral_profile"] = [w / sum(weights) for w in weights]
        out.append(cohort)
    return out


def _metrics(draw: Draw, term: int, q: Uncertain, uncertain: bool) -> list[dict[str, Any]]:
    out = []
    for j in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["binary", "count", "duration", "continuous"]))
        high = {"binary": 1.0, "count": 5.0, "duration": 200.0, "continuous": 1000.0}[kind]
        metric: dict[str, Any] = {
            "id": f"m{j}",
            "definition": "generated",
            "kind": kind,
            "direction": draw(st.sampled_from(["increase", "decrease"])),
            "population": draw(st.sampled_from(["referred", "engaged"])),
            "lag_periods": q(draw, draw(st.integers(0, term)), 2.0),
            "counterfactual": "historical_baseline",
            "expected": q(draw, draw(st.floats(0, high, allow_subnormal=False)), high / 4),
            "baseline": q(draw, draw(st.floats(0, high, allow_subnormal=False)), high / 4),
        }
        if uncertain:
            metric["counterfactual"] = draw(st.sampled_from(["historical_baseline", "none"]))
            if kind != "binary" and draw(st.booleans()):
                metric["dispersion"] = draw(st.sampled_from([0.5, 2.0, high / 3]))
            if metric["counterfactual"] != "none":
                comparison = draw(st.sampled_from(["unset", "ratio", "size"]))
                if comparison == "ratio":
                    metric["comparison_ratio"] = draw(st.sampled_from([0.5, 3.0, 10.0]))
                elif comparison == "size":
                    metric["comparison_size"] = draw(st.sampled_from([1, 50, 1000]))
        out.append(metric)
    return out


def _evidence(draw: Draw, metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Studies of every design, some informing a metric with an effect and its interval."""
    out = []
    for _ in range(draw(st.integers(0, 3))):
        study: dict[str, Any] = {"citation": "generated", "design": draw(st.sampled_from(DESIGNS))}
        if draw(st.booleans()):
            m = draw(st.sampled_from(metrics))
            study["metric"] = m["id"]
            measures = [x for x in EFFECT_MEASURES if x != "odds_ratio" or m["kind"] == "binary"]
            measure = draw(st.sampled_from(measures))
            ratio = measure in ("odds_ratio", "relative_risk")
            effect = draw(st.sampled_from([0.5, 1.0, 1.05, 2.0] if ratio else [-0.2, 0.0, 0.1]))
            study |= {"effect_measure": measure, "effect": effect}
            if draw(st.booleans()):
                low, high = (effect / 2, effect * 2) if ratio else (effect - 0.1, effect + 0.1)
                study |= {"ci_low": low, "ci_high": high}
        if draw(st.booleans()):
            study["finding"] = draw(st.sampled_from(["effect", "no_effect", "harm"]))
        out.append(study)
    return out


def _rule(
    draw: Draw,
    k: int,
    term: int,
    cohorts: list[str],
    metrics: list[str],
    payers: list[str],
    q: Uncertain,
    uncertain: bool,
) -> dict[str, Any]:
    kind = draw(st.sampled_from(RULE_KINDS))
    r: dict[str, Any] = {"id": f"r{k}", "kind": kind}
    if kind != "activity_fee":
        r["metric"] = draw(st.sampled_from(metrics))
    if draw(st.booleans()):
        r["cohorts"] = draw(st.lists(st.sampled_from(cohorts), min_size=1, unique=True))
    if draw(st.integers(0, 3)) == 0:
        r["cap"] = _money(draw, 200_000)
    if draw(st.booleans()):
        r["payment_lag_periods"] = draw(st.integers(0, 3))
    if len(payers) == 2 and draw(st.booleans()):
        s = _share(draw)
        r["payers"] = {payers[0]: s, payers[1]: 1 - s}
    if uncertain and draw(st.booleans()):
        r["decision_basis"] = draw(st.sampled_from(DECISION_BASES))
    measure = draw(st.sampled_from(MEASURES))
    scope = draw(st.sampled_from(["cohort", "all_cohorts"]))
    if kind == "rate_card":
        r["price"] = q(draw, _money(draw, 50_000), 20_000)
        r["above_baseline"] = draw(st.booleans())
        if draw(st.booleans()):
            r["max_per_participant"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
    elif kind == "threshold":
        r |= {
            "measure": measure,
            "scope": scope,
            "threshold": draw(st.floats(-0.5, 1.5, allow_subnormal=False)),
        }
        r |= {"amount": _money(draw, 500_000), "price": q(draw, _money(draw, 20_000), 10_000)}
    elif kind == "tiers":
        edges = sorted(
            draw(
                st.lists(
                    st.floats(-0.5, 1.5, allow_subnormal=False), min_size=1, max_size=3, unique=True
                )
            )
        )
        r |= {"measure": measure, "scope": scope}
        r["tiers"] = [
            {
                "from_effect": e,
                "amount": _money(draw, 300_000),
                "price": q(draw, _money(draw, 5_000), 2_000),
            }
            for e in edges
        ]
    elif kind == "savings_share":
        r |= {
            "share": _share(draw),
            "saving_per_outcome": q(draw, _money(draw, 10_000), 5_000),
        }
    elif kind == "gate":
        r |= {
            "measure": measure,
            "scope": scope,
            "threshold": draw(st.floats(-0.5, 1.5, allow_subnormal=False)),
        }
    else:
        first = draw(st.integers(1, term))
        r |= {"per_participant": _money(draw, 5_000), "per_period": _money(draw, 50_000)}
        r |= {"from_period": first, "to_period": draw(st.integers(first, term))}
    return r


def _link_rules(draw: Draw, rules: list[dict[str, Any]]) -> None:
    """Gates guard other rules; thresholds may be net of other rules."""
    ids = [r["id"] for r in rules]
    for r in rules:
        others = [i for i in ids if i != r["id"]]
        if r["kind"] == "gate":
            r["applies_to"] = (
                draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
                if others
                else [r["id"] + "x"]
            )
        elif r["kind"] == "threshold" and others and draw(st.booleans()):
            r["net_of"] = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
    # a lone gate cannot guard anything: make it pay an activity fee instead
    for r in rules:
        if r["kind"] == "gate" and r["applies_to"] == [r["id"] + "x"]:
            r.clear()
            r |= {"id": "r0", "kind": "activity_fee", "per_period": 1_000}


def _financing(draw: Draw, term: int, investors: list[str]) -> dict[str, Any]:
    fin: dict[str, Any] = {
        "drawdown": draw(st.sampled_from(["as_needed", "upfront"])),
        "distribution": draw(st.sampled_from(["when_received", "at_end"])),
        "recycle_outcome_payments": draw(st.booleans()),
    }
    to_payers = _share(draw)
    fin["excess_sharing"] = {"payers": to_payers, "provider": (1 - to_payers) * _share(draw)}
    tranches = []
    for i in range(draw(st.integers(0, 3)) if investors else 0):
        t: dict[str, Any] = {
            "id": f"t{i}",
            "investor": draw(st.sampled_from(investors)),
            "seniority": draw(st.sampled_from(["senior", "junior"])),
            "commitment": _money(draw, 2_000_000),
        }
        if draw(st.booleans()):
            t["return_cap"] = draw(st.sampled_from([0.0, 0.05, 0.1, 0.3]))
        tranches.append(t)
    fin["tranches"] = tranches
    fin["guarantees"] = [
        {
            "guarantor": "stat",
            "tranche": draw(st.sampled_from([None] + [t["id"] for t in tranches])),
            "share_of_capital": _share(draw),
            "cap": draw(st.none() | st.integers(0, 500_000)),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    fin["grants"] = [
        {
            "funder": "fonden",
            "amount": _money(draw, 500_000),
            "period": draw(st.integers(1, term)),
            "purpose": draw(st.sampled_from(["delivery", "first_loss", "outcome_top_up"])),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    if draw(st.booleans()):
        fin["deferred_fee"] = {"share": _share(draw)}
    return fin


def _fees(draw: Draw, term: int, payers: list[str]) -> list[dict[str, Any]]:
    fees = []
    for _ in range(draw(st.integers(0, 2))):
        first = draw(st.integers(1, term))
        fees.append(
            {
                "party": "mellanhand",
                "kind": draw(st.sampled_from(["management", "evaluation", "other"])),
                "per_period": _money(draw, 20_000),
                "upfront": _money(draw, 50_000),
                "share_of_outcome_payments": draw(st.sampled_from([0.0, 0.02, 0.1])),
                "from_period": first,
                "to_period": draw(st.integers(first, term)),
                "paid_by": draw(st.sampled_from(["deal", *payers])),
            }
        )
    return fees


@st.composite
def contracts(draw: Draw, uncertain: bool = False) -> Contract:
    """A whole contract, valid by construction; with ``uncertain``, inputs that vary by path."""
    q: Uncertain = _distribution if uncertain else _number
    term = draw(st.integers(2, 12))
    parties = _parties(draw)
    payers = [p["id"] for p in parties if p.get("payer_share") is not None]
    investors = [p["id"] for p in parties if p["role"] == "investor"]
    cohorts = _cohorts(draw, term, q, uncertain)
    metrics = _metrics(draw, term, q, uncertain)
    cohort_ids, metric_ids = [c["id"] for c in cohorts], [m["id"] for m in metrics]
    rules = [
        _rule(draw, k, term, cohort_ids, metric_ids, payers, q, uncertain)
        for k in range(draw(st.integers(1, 5)))
    ]
    _link_rules(draw, rules)
    payment: dict[str, Any] = {
        "payment_lag_periods": draw(st.integers(0, 3)),
        "decision_basis": draw(st.sampled_from(DECISION_BASES)),
    }
    if draw(st.booleans()):
        payment["cap"] = _money(draw, 2_000_000)
    if draw(st.booleans()):
        payment["indexation"] = {
            "series": "fixed",
            "base_year": 2020,
            "rate": draw(st.sampled_from([0.0, 0.02, 0.1])),
        }
    if uncertain:
        payment["confidence"] = draw(st.sampled_from([0.8, 0.9, 0.95, 0.99]))
        if "indexation" in payment and draw(st.booleans()):
            payment["indexation"]["series"] = draw(st.sampled_from(["se_kpi", "uk_cpih"]))
    costs = [_money(draw, 200_000), _money(draw, 100_000), _money(draw, 20_000)]
    data = {
        "format_version": 1,
        "id": "generated",
        "currency": "SEK",
        "start": "2020-01-01",
        "period": draw(st.sampled_from(["month", "quarter", "half_year", "year"])),
        "term_periods": term,
        "parties": parties,
        "cohorts": cohorts,
        "costs": {
            "setup": q(draw, costs[0], costs[0] / 2 + 1),
            "fixed_per_period": q(draw, costs[1], costs[1] / 2 + 1),
            "per_participant": q(draw, costs[2], costs[2] / 2 + 1),
            "delivery_periods": draw(st.integers(1, 4)),
            "margin": draw(st.sampled_from([0.0, 0.1, 0.25])),
        },
        "metrics": metrics,
        "rules": rules,
        "payment": payment,
        "financing": _financing(draw, term, investors),
        "fees": _fees(draw, term, payers),
    }
    if uncertain:
        data["uncertainty"] = {"person_level": draw(st.booleans())}
        data["evidence"] = _evidence(draw, metrics)
    return Contract.model_validate(data)
