"""Rules across fields, checked on the raw document so they run even when a
section is structurally broken: every problem is reported at once."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter, ValidationError

from effekt.contract.domain import Interval, domain
from effekt.contract.load import Document
from effekt.contract.locate import PathKey
from effekt.contract.parties import PAYING_ROLES
from effekt.contract.problems import Problem
from effekt.contract.quantity import Distribution, expected, probability_outside

__all__ = ["cross_checks", "distribution_tables"]

_EFFECT_MEASURES = {"relative_reduction", "relative_increase", "absolute_difference"}
_BASELINE_KINDS = {"threshold", "tiers", "savings_share"}
_RATIO_MEASURES = {"odds_ratio", "relative_risk"}
#: Numbers-or-distributions that are counts, periods or money: a plain number must be ≥ 0.
_NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "cohorts": ("size", "start_delay"),
    "metrics": ("lag_periods",),
    "rules": ("price", "saving_per_outcome"),
}
#: Where the engine reads a number-or-distribution (beside ``rules[i].tiers[j].price``).
_INPUTS: dict[str, tuple[str, ...]] = {
    "cohorts": ("size", "engagement", "start_delay"),
    "metrics": ("expected", "baseline", "lag_periods"),
    "rules": ("price", "saving_per_outcome"),
}
_COSTS = ("setup", "fixed_per_period", "per_participant")
#: A distribution's mass outside its input's domain below this is not worth a warning.
NEGLIGIBLE = 0.001
_DISTRIBUTION: TypeAdapter[Distribution] = TypeAdapter(Distribution)


def _items(data: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    seq = data.get(key) if isinstance(data, dict) else None
    if isinstance(seq, list):
        for i, item in enumerate(seq):
            if isinstance(item, dict):
                yield i, item


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _one_of(value: Any, names: frozenset[str] | set[str]) -> bool:
    """``value in names`` for any value the file holds (lists and tables are unhashable)."""
    return isinstance(value, str) and value in names


def distribution_tables(node: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, dict[str, Any]]]:
    """Every table naming a distribution, with its path (scenarios left out)."""
    if isinstance(node, dict):
        if "dist" in node:
            yield path, node
        for k, v in node.items():
            if k != "scenarios":
                yield from distribution_tables(v, path + (k,))
    elif isinstance(node, list):
        for j, v in enumerate(node):
            yield from distribution_tables(v, path + (j,))


def _described(node: dict[str, Any]) -> str:
    """A distribution as the file gives it: ``normal (mean = 0.85, sd = 0.2)``."""
    shape = ", ".join(f"{k} = {v}" for k, v in node.items() if k not in ("dist", "id", "note"))
    return f"{node['dist']} ({shape})"


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return close[0] if close else ""


class _Checker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.d: dict[str, Any] = doc.data
        self.out: list[Problem] = []
        self.term = _int(self.d.get("term_periods"))
        self.parties = {str(p.get("id")): p for _, p in _items(self.d, "parties")}
        self.metrics = {str(m.get("id")): m for _, m in _items(self.d, "metrics")}
        self.cohorts = {str(c.get("id")): c for _, c in _items(self.d, "cohorts")}
        self.rule_ids = {
            str(r.get("id") if r.get("id") is not None else f"rules[{i}]"): r
            for i, r in _items(self.d, "rules")
        }

    def add(self, path: PathKey, code: str, severity: str = "error", **params: Any) -> None:
        self.out.append(self.doc.problem(path, code, severity, **params))

    def ref(self, path: PathKey, value: Any, known: dict[str, Any], what: str) -> None:
        if isinstance(value, str) and value not in known:
            self.add(
                path,
                "contract.unknown_ref",
                what=what,
                name=value,
                suggestion=_suggest(value, list(known)),
            )

    def period(self, path: PathKey, value: Any) -> None:
        p = _int(value)
        if p is not None and self.term is not None and not 1 <= p <= self.term:
            self.add(path, "contract.period_outside_term", period=p, term=self.term)

    # -- sections --------------------------------------------------------------------
    def unique_ids(self) -> None:
        for key in ("parties", "metrics", "cohorts", "rules"):
            seen: dict[str, int] = {}
            for i, item in _items(self.d, key):
                ident = item.get("id")
                if not isinstance(ident, str):
                    continue
                if ident in seen:
                    self.add((key, i, "id"), "contract.duplicate_id", name=ident, first=seen[ident])
                else:
                    seen[ident] = i
                if key == "cohorts" and ident == "all":  # the word for every cohort at once
                    self.add((key, i, "id"), "contract.cohort_called_all")
        seen_t: set[str] = set()
        fin = self.d.get("financing")
        for i, t in _items(fin, "tranches"):
            ident = t.get("id") or t.get("investor")
            if isinstance(ident, str) and ident in seen_t:
                self.add(
                    ("financing", "tranches", i, "id"), "contract.duplicate_tranche", name=ident
                )
            seen_t.add(str(ident))

    def payers(self) -> None:
        roles = {str(p.get("role")) for p in self.parties.values()}
        if isinstance(self.d.get("parties"), list) and "provider" not in roles:
            self.add(("parties",), "contract.no_provider", "warning")
        paying = [
            (i, p) for i, p in _items(self.d, "parties") if _one_of(p.get("role"), PAYING_ROLES)
        ]
        if "parties" in self.d and isinstance(self.d["parties"], list) and not paying:
            self.add(("parties",), "contract.no_payer")
            return
        for i, p in _items(self.d, "parties"):
            if not _one_of(p.get("role"), PAYING_ROLES) and p.get("payer_share") is not None:
                self.add(
                    ("parties", i, "payer_share"),
                    "contract.share_for_non_payer",
                    "warning",
                    role=str(p.get("role")),
                )
        if len(paying) == 1 and paying[0][1].get("payer_share") is None:
            return
        shares = []
        for i, p in paying:
            share = _num(p.get("payer_share"))
            if p.get("payer_share") is None:
                self.add(("parties", i), "contract.payer_share_missing", party=str(p.get("id")))
            elif share is not None:
                shares.append(share)
        if len(shares) == len(paying) and abs(sum(shares) - 1) > 1e-9:
            self.add(("parties",), "contract.payer_shares_sum", total=float(sum(shares)) * 100)

    def cohorts_in_term(self) -> None:
        for i, c in _items(self.d, "cohorts"):
            self.period(("cohorts", i, "start_period"), c.get("start_period"))
            engagement = _num(c.get("engagement"))
            if engagement is not None and not 0 <= engagement <= 1:
                self.add(
                    ("cohorts", i, "engagement"),
                    "contract.engagement_out_of_range",
                    value=engagement,
                )
            start, spread = _int(c.get("start_period")), _int(c.get("referral_periods")) or 1
            profile = c.get("referral_profile")
            if isinstance(profile, list) and profile:
                values = [_num(v) for v in profile]
                if all(v is not None for v in values):
                    total = sum(v for v in values if v is not None)
                    if abs(total - 1) > 1e-6:
                        self.add(
                            ("cohorts", i, "referral_profile"),
                            "contract.profile_sum",
                            total=float(total),
                        )
                    if any(v is not None and v < 0 for v in values):
                        self.add(("cohorts", i, "referral_profile"), "contract.negative_share")
                spread = len(profile)
                if _int(c.get("referral_periods")) not in (None, 1, len(profile)):
                    self.add(
                        ("cohorts", i, "referral_profile"),
                        "contract.profile_length",
                        length=len(profile),
                        periods=c.get("referral_periods"),
                    )
            if start is not None and self.term is not None and start + spread - 1 > self.term:
                self.add(
                    ("cohorts", i, "referral_periods"),
                    "contract.referrals_after_term",
                    last=start + spread - 1,
                    term=self.term,
                )

    def metrics_consistent(self) -> None:
        for i, m in _items(self.d, "metrics"):
            kind = m.get("kind", "binary")
            for field in ("expected", "baseline"):
                value = _num(m.get(field))
                if kind == "binary" and value is not None and not 0 <= value <= 1:
                    self.add(("metrics", i, field), "contract.share_out_of_range", value=value)
                if value is not None and value < 0:
                    self.add(("metrics", i, field), "contract.negative_value", value=value)
            lag = _int(m.get("lag_periods"))
            if lag is not None and self.term is not None:
                for c in self.cohorts.values():
                    start = _int(c.get("start_period"))
                    if start is not None and start + lag > self.term:
                        self.add(
                            ("metrics", i, "lag_periods"),
                            "contract.measured_after_term",
                            "warning",
                            cohort=str(c.get("id")),
                            period=start + lag,
                            term=self.term,
                        )
                        break
            adj = m.get("adjustments")
            if (
                isinstance(adj, dict)
                and _num(adj.get("deadweight"))
                and m.get("counterfactual")
                in ("matched_comparison", "randomised", "difference_in_differences")
            ):
                self.add(
                    ("metrics", i, "adjustments", "deadweight"),
                    "contract.double_deadweight",
                    method=str(m.get("counterfactual")),
                )

    def comparison_groups(self) -> None:
        """A comparison group is given one way, and only where there is one."""
        for i, m in _items(self.d, "metrics"):
            given = [f for f in ("comparison_ratio", "comparison_size") if m.get(f) is not None]
            if len(given) == 2:
                self.add(("metrics", i, "comparison_size"), "contract.comparison_both")
            if given and m.get("counterfactual", "none") == "none":
                self.add(
                    ("metrics", i, given[0]),
                    "contract.comparison_without_counterfactual",
                    "warning",
                    metric=str(m.get("id")),
                )

    def evidence(self) -> None:
        """Each study refers to a metric that exists, and its numbers hang together."""
        for i, e in _items(self.d, "evidence"):
            path: PathKey = ("evidence", i)
            self.ref(path + ("metric",), e.get("metric"), self.metrics, "metric")
            measure = e.get("effect_measure")
            effect, low, high = (_num(e.get(k)) for k in ("effect", "ci_low", "ci_high"))
            if e.get("effect") is not None and measure is None:
                self.add(path + ("effect_measure",), "contract.effect_needs_measure")
            if (e.get("ci_low") is None) != (e.get("ci_high") is None):
                missing = "ci_high" if e.get("ci_high") is None else "ci_low"
                self.add(path + (missing,), "contract.ci_incomplete")
            elif e.get("ci_low") is not None and e.get("effect") is None:
                self.add(path + ("effect",), "contract.ci_needs_effect")
            if effect is not None and low is not None and high is not None:
                if not low <= effect <= high:
                    self.add(
                        path + ("ci_low" if low > effect else "ci_high",),
                        "contract.ci_order",
                        low=f"{low:g}",
                        effect=f"{effect:g}",
                        high=f"{high:g}",
                    )
            metric = self.metrics.get(str(e.get("metric")))
            kind = metric.get("kind", "binary") if metric is not None else None
            for name, value in (("effect", effect), ("ci_low", low), ("ci_high", high)):
                if value is None:
                    continue
                if _one_of(measure, _RATIO_MEASURES) and value <= 0:
                    self.add(path + (name,), "contract.ratio_not_positive", value=f"{value:g}")
                elif measure == "absolute_difference" and kind == "binary" and abs(value) > 1:
                    self.add(
                        path + (name,),
                        "contract.difference_out_of_range",
                        metric=str(e.get("metric")),
                        value=f"{value:g}",
                    )
            if measure == "odds_ratio" and kind is not None and kind != "binary":
                self.add(
                    path + ("effect_measure",),
                    "contract.evidence_measure_kind",
                    "warning",
                    metric=str(e.get("metric")),
                    kind=str(kind),
                )

    def non_negative(self) -> None:
        """Counts, periods and prices given as plain numbers cannot be negative."""
        places: list[tuple[PathKey, dict[str, Any], tuple[str, ...]]] = [
            ((key, i), item, fields)
            for key, fields in _NON_NEGATIVE.items()
            for i, item in _items(self.d, key)
        ]
        costs = self.d.get("costs")
        if isinstance(costs, dict):
            places.append((("costs",), costs, ("setup", "fixed_per_period", "per_participant")))
        for i, r in _items(self.d, "rules"):
            places += [(("rules", i, "tiers", j), t, ("price",)) for j, t in _items(r, "tiers")]
        for path, table, fields in places:
            for name in fields:
                value = _num(table.get(name))
                if value is not None and value < 0:
                    self.add(path + (name,), "contract.negative_value", value=table.get(name))

    def rules_refer(self) -> None:
        for i, r in _items(self.d, "rules"):
            kind = r.get("kind")
            if kind != "activity_fee":
                self.ref(("rules", i, "metric"), r.get("metric"), self.metrics, "metric")
            cohorts = r.get("cohorts")
            if isinstance(cohorts, list):
                for j, c in enumerate(cohorts):
                    self.ref(("rules", i, "cohorts", j), c, self.cohorts, "cohort")
            payers = r.get("payers")
            if isinstance(payers, dict):
                for name in payers:
                    self.ref(("rules", i, "payers", name), name, self.parties, "party")
                vals = [_num(v) for v in payers.values()]
                if vals and all(v is not None for v in vals):
                    total = sum(v for v in vals if v is not None)
                    if abs(total - 1) > 1e-9:
                        self.add(
                            ("rules", i, "payers"),
                            "contract.payer_shares_sum",
                            total=float(total) * 100,
                        )
            for key in ("applies_to", "net_of"):
                refs = r.get(key)
                if isinstance(refs, list):
                    for j, name in enumerate(refs):
                        self.ref(("rules", i, key, j), name, self.rule_ids, "rule")
                        own = r.get("id") if r.get("id") is not None else f"rules[{i}]"
                        if name == own:
                            self.add(("rules", i, key, j), "contract.self_reference")
            self.rule_needs_counterfactual(i, r)
            if kind == "tiers":
                self.tiers_ordered(i, r)
            if kind == "activity_fee":
                self.period(("rules", i, "from_period"), r.get("from_period"))
                self.period(("rules", i, "to_period"), r.get("to_period"))
                a, b = _int(r.get("from_period")), _int(r.get("to_period"))
                if a is not None and b is not None and b < a:
                    self.add(("rules", i, "to_period"), "contract.period_order", first=a, last=b)
            if (
                kind == "threshold"
                and _num(r.get("amount")) in (None, 0.0)
                and _num(r.get("price")) in (None, 0.0)
                and not isinstance(r.get("price"), dict)
            ):
                self.add(("rules", i), "contract.pays_nothing", "warning")

    def rule_needs_counterfactual(self, i: int, r: dict[str, Any]) -> None:
        metric = self.metrics.get(str(r.get("metric")))
        if metric is None:
            return
        defaults = {
            "gate": "level",
            "threshold": "relative_reduction",
            "tiers": "relative_reduction",
        }
        measure = r.get("measure", defaults.get(str(r.get("kind")), "level"))
        needs = (
            (_one_of(r.get("kind"), _BASELINE_KINDS) and _one_of(measure, _EFFECT_MEASURES))
            or (r.get("kind") == "savings_share")
            or bool(r.get("above_baseline"))
        )
        if not needs:
            return
        if metric.get("counterfactual", "none") == "none":
            self.add(
                ("rules", i, "metric"), "contract.no_counterfactual", metric=str(metric.get("id"))
            )
        if metric.get("baseline") is None:
            self.add(("rules", i, "metric"), "contract.no_baseline", metric=str(metric.get("id")))
        direction = metric.get("direction", "increase")
        if measure == "relative_reduction" and direction == "increase":
            self.add(
                ("rules", i, "measure"),
                "contract.measure_direction",
                "warning",
                measure=measure,
                direction=direction,
            )

    def tiers_ordered(self, i: int, r: dict[str, Any]) -> None:
        last: float | None = None
        for j, t in _items(r, "tiers"):
            edge = _num(t.get("from_effect"))
            if edge is None:
                continue
            if last is not None and edge <= last:
                self.add(
                    ("rules", i, "tiers", j, "from_effect"),
                    "contract.tiers_unordered",
                    value=edge,
                    previous=last,
                )
            last = edge

    def financing(self) -> None:
        fin = self.d.get("financing")
        if not isinstance(fin, dict):
            return
        tranche_ids: set[str] = set()
        for i, t in _items(fin, "tranches"):
            self.ref(
                ("financing", "tranches", i, "investor"), t.get("investor"), self.parties, "party"
            )
            inv = self.parties.get(str(t.get("investor")))
            if inv is not None and inv.get("role") != "investor":
                self.add(
                    ("financing", "tranches", i, "investor"),
                    "contract.wrong_role",
                    party=str(t.get("investor")),
                    role="investor",
                )
            tranche_ids.add(str(t.get("id") or t.get("investor")))
        for i, g in _items(fin, "guarantees"):
            self.ref(
                ("financing", "guarantees", i, "guarantor"),
                g.get("guarantor"),
                self.parties,
                "party",
            )
            if isinstance(g.get("tranche"), str):
                self.ref(
                    ("financing", "guarantees", i, "tranche"),
                    g.get("tranche"),
                    dict.fromkeys(tranche_ids),
                    "tranche",
                )
        for i, g in _items(fin, "grants"):
            self.ref(("financing", "grants", i, "funder"), g.get("funder"), self.parties, "party")
            self.period(("financing", "grants", i, "period"), g.get("period"))
        ex = fin.get("excess_sharing")
        if isinstance(ex, dict):
            a, b = _num(ex.get("payers", 1)), _num(ex.get("provider", 0))
            if a is not None and b is not None and a + b > 1 + 1e-9:
                self.add(
                    ("financing", "excess_sharing"),
                    "contract.excess_over_one",
                    total=float(a + b) * 100,
                )

    def fees(self) -> None:
        for i, f in _items(self.d, "fees"):
            self.ref(("fees", i, "party"), f.get("party"), self.parties, "party")
            if f.get("paid_by") not in (None, "deal"):
                self.ref(("fees", i, "paid_by"), f.get("paid_by"), self.parties, "party")
            self.period(("fees", i, "from_period"), f.get("from_period"))
            self.period(("fees", i, "to_period"), f.get("to_period"))
            a, b = _int(f.get("from_period")), _int(f.get("to_period"))
            if a is not None and b is not None and b < a:
                self.add(("fees", i, "to_period"), "contract.period_order", first=a, last=b)

    def payment_terms(self) -> None:
        pay = self.d.get("payment")
        if isinstance(pay, dict):
            idx = pay.get("indexation")
            if isinstance(idx, dict) and idx.get("series") == "fixed" and idx.get("rate") is None:
                self.add(("payment", "indexation", "rate"), "contract.fixed_index_needs_rate")
        val = self.d.get("valuation")
        disc = val.get("discounting") if isinstance(val, dict) else None
        if isinstance(disc, dict) and disc.get("kind") == "declining":
            steps = [(_int(s.get("from_year")), j) for j, s in _items(disc, "schedule")]
            if not steps:
                self.add(("valuation", "discounting", "schedule"), "contract.schedule_empty")
            elif steps[0][0] not in (0, None):
                self.add(
                    ("valuation", "discounting", "schedule", 0, "from_year"),
                    "contract.schedule_start",
                )
            prev = -1
            for year, j in steps:
                if year is not None and year <= prev:
                    self.add(
                        ("valuation", "discounting", "schedule", j, "from_year"),
                        "contract.schedule_unordered",
                    )
                prev = year if year is not None else prev

    def distributions(self) -> None:
        ids: dict[str, PathKey] = {}
        for path, node in distribution_tables(self.d):
            name = node.get("id")
            if isinstance(name, str):
                if name in ids:
                    self.add(path + ("id",), "contract.duplicate_dist_id", name=name)
                ids[name] = path
        unc = self.d.get("uncertainty")
        for i, c in _items(unc, "correlations"):
            between = c.get("between")
            if isinstance(between, list):
                for j, name in enumerate(between):
                    self.ref(
                        ("uncertainty", "correlations", i, "between", j), name, ids, "distribution"
                    )
                if len(between) == 2 and between[0] == between[1]:
                    self.add(
                        ("uncertainty", "correlations", i, "between"), "contract.self_reference"
                    )

    def input_domain(self, path: PathKey) -> Interval | None:
        """The values the engine input at ``path`` can take; None where it reads no input."""
        match path:
            case ("costs", str(name)) if name in _COSTS:
                return domain("costs", name)
            case ("rules", int(), "tiers", int(), "price"):
                return domain("rules", "price")
            case ("metrics", int(i), str(name)) if name in _INPUTS["metrics"]:
                metric = dict(_items(self.d, "metrics")).get(i, {})
                return domain("metrics", name, str(metric.get("kind", "binary")))
            case (str(section), int(), str(name)) if name in _INPUTS.get(section, ()):
                return domain(section, name)
        return None

    def distribution_domains(self) -> None:
        """A distribution must keep its mean, and nearly all its mass, inside its input's
        domain: the simulation clips draws there, moving the mean off the stated one."""
        from effekt.contract.overrides import resolve_path

        # (where to report, the field it sets, the distribution): a scenario's at its key
        places = [(path, path, node) for path, node in distribution_tables(self.d)]
        scen = self.d.get("scenarios")
        for name, overrides in scen.items() if isinstance(scen, dict) else []:
            if not isinstance(overrides, dict):
                continue
            for key, node in overrides.items():
                target = resolve_path(self.d, key)
                if isinstance(node, dict) and "dist" in node and target is not None:
                    places.append((("scenarios", name, key), tuple(target), node))
        for where, path, node in places:
            span = self.input_domain(path)
            if span is None:
                continue
            try:
                q = _DISTRIBUTION.validate_python(node)
            except ValidationError:
                continue  # not a valid distribution: reported as such, not here
            # the domain as numbers: the message writes them as its language does
            params: dict[str, Any] = {"dist": _described(node), "domain": span}
            mean = expected(q)
            if not span[0] <= mean <= span[1]:
                self.add(where, "contract.distribution_mean_outside_domain", mean=mean, **params)
                continue
            clipped = probability_outside(q, *span)
            if clipped > NEGLIGIBLE:
                self.add(
                    where,
                    "contract.distribution_outside_domain",
                    "warning",
                    clipped=clipped,
                    **params,
                )

    def scenarios(self) -> None:
        from effekt.contract.overrides import resolve_path

        scen = self.d.get("scenarios")
        if not isinstance(scen, dict):
            return
        for name, overrides in scen.items():
            if not isinstance(overrides, dict):
                continue
            for key in overrides:
                if resolve_path(self.d, key) is None:
                    self.add(("scenarios", name, key), "contract.unknown_path", field=key)

    def run(self) -> list[Problem]:
        for check in (
            self.unique_ids,
            self.payers,
            self.cohorts_in_term,
            self.metrics_consistent,
            self.comparison_groups,
            self.evidence,
            self.non_negative,
            self.rules_refer,
            self.financing,
            self.fees,
            self.payment_terms,
            self.distributions,
            self.distribution_domains,
            self.scenarios,
        ):
            check()
        return self.out


def cross_checks(doc: Document) -> list[Problem]:
    """All rules across fields, on the raw document."""
    if not isinstance(doc.data, dict):
        return []
    return _Checker(doc).run()
