"""Use case: who pays, who saves (``effekt value``).

From the business case at expected values: the outcomes gained over the counterfactual per
metric and year; the public costs they avoid per actor and year (unit-cost rows rebased to
the valuation's price year, gross-to-net adjustments, drop-off, discounting); the contract's
costs per actor (what each party mapped to an actor pays, net); the wrong-pocket matrix,
the commissioner's share of the savings, a payer-share proposal in proportion to savings,
the maximum justifiable price per outcome, the benefit–cost ratio and the break-even year.

The years are contract years: year ``y`` runs from the ``y``-th anniversary of the start
date to the day before the next. A flow belongs to the year that holds its period's last day
(as ``effekt model`` books it), and is deflated with the index of that day's calendar year.
A year that starts on 1 January is labelled as that calendar year ("2027"); one that starts
later as the span it covers ("2010/11": 9 September 2010 – 8 September 2011).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.contract.quantity import expected
from effekt.data.reference import actors as actor_tree
from effekt.data.reference import load_unit_costs, price_indices, unit_costs
from effekt.engine.cashflow import CashFlows
from effekt.engine.valuation.actors import ActorTree, map_parties
from effekt.engine.valuation.adjustments import Adjustments
from effekt.engine.valuation.avoided_costs import (
    CostLine,
    OutcomeValuation,
    UnitCost,
    avoided_costs,
)
from effekt.engine.valuation.discounting import factors_for
from effekt.engine.valuation.indices import DEFAULT_SERIES, IndexSeries, index_value
from effekt.errors import InputError
from effekt.i18n import catalog, translate
from effekt.services.actor_check import actor_problems, payers_without_actor, valuation_country
from effekt.services.business_case import business_case

__all__ = ["Valuation", "unit_cost_rows", "unit_words", "value", "value_json", "year_labels"]

FloatArray = npt.NDArray[np.float64]
PUBLIC = "public_sector"
SOCIETY = "society"
INDIVIDUAL = "individual"


def unit_words(unit: str, lang: str) -> str:
    """A unit-cost row's unit (the tables write it in their own language: "per elev per
    år", "Per person per year") in ``lang``, from the catalogue's ``value.unit``; a unit
    the catalogue does not know, as the table writes it.

    >>> unit_words("Per person per year", "sv"), unit_words("per elev per år", "en")
    ('per person per år', 'per pupil per year')
    """
    words = re.sub(r"\W+", "_", unit.lower()).strip("_")
    code = "value.unit." + unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return translate(code, lang) if code in catalog() else unit


_CF = {"randomised": "randomised_trial", "none": "none"}


@dataclass
class Valuation:
    """The valuation of one contract; arrays are (actor, year) over ``actors`` and ``years``
    (the calendar year each contract year starts in; ``year_labels`` says what it covers)."""

    actors: list[str]
    years: list[int]
    year_labels: list[str]
    savings: FloatArray
    savings_pv: FloatArray
    costs: FloatArray
    costs_pv: FloatArray
    tree: ActorTree
    party_actor: dict[str, str]
    commissioner_actors: list[str]
    actor_party: dict[str, str]  # every actor a party stands for (its subtree) → that party
    max_price: dict[str, dict[str, float]]
    index_extrapolated: bool
    price_year: int
    society_costs: FloatArray  # real resources: delivery costs and fees (transfers excluded)
    cashable_pv: FloatArray  # the part of savings_pv from cashable unit-cost rows
    index: IndexSeries  # the price index of the rebasing and the deflating
    unit_costs: dict[str, UnitCost]  # the unit-cost rows the contract's metrics name


def _table_path(name: str, folders: Sequence[Path]) -> Path:
    """A unit-cost file named in the contract: absolute, or the first of ``folders`` that has it."""
    if Path(name).is_absolute():
        places = [Path(name)]
    else:
        places = [folder / name for folder in folders]
    for path in places:
        if path.is_file():
            return path
    raise InputError(
        "valuation.table_not_found", name=name, places=", ".join(str(p) for p in places)
    )


def unit_cost_rows(
    c: Contract, base_dir: Path | None, search: Sequence[Path]
) -> dict[str, UnitCost]:
    """Every unit-cost row the contract can name: its tables (``valuation.unit_cost_tables``,
    else the country's), found beside the contract, then in ``search``."""
    names = c.valuation.unit_cost_tables if c.valuation else [valuation_country(c)]
    folders = [base_dir or c.source_dir or Path.cwd(), *search]
    rows: dict[str, UnitCost] = {}
    for name in names:
        if name in ("se", "uk"):
            rows.update(unit_costs(name))
        else:
            rows.update(load_unit_costs(_table_path(name, folders)))
    return rows


def gained_outcomes(c: Contract, cf: CashFlows, years: int) -> FloatArray:
    """Outcomes gained over the counterfactual per metric and year of the contract (path 0).

    Gain = treated − baseline (increase metrics) or baseline − treated (decrease); with no
    counterfactual the gross outcomes less the metric's deadweight.
    """
    m_per_year = c.periods_per_year
    out = np.zeros((len(c.metrics), years))
    for j, m in enumerate(c.metrics):
        o = cf.outcomes[m.id]
        if m.counterfactual == "none" or m.baseline is None:
            gain = o.treated[0].sum(axis=0) * (1 - m.adjustments.deadweight)
        else:
            diff = (o.treated[0] - o.baseline[0]).sum(axis=0)
            gain = diff if m.direction == "increase" else -diff
        for t, g in enumerate(gain):
            y = t // m_per_year
            if y < years:
                out[j, y] += max(float(g), 0.0)
    return out


def year_labels(c: Contract, years: int) -> list[str]:
    """What each of the first ``years`` contract years covers: the calendar year for a
    contract starting on 1 January, else the span from the start's anniversary to the day
    before the next, by the two calendar years it touches.

    >>> import datetime as dt
    >>> from types import SimpleNamespace as Start
    >>> year_labels(Start(start=dt.date(2010, 9, 9)), 2)  # type: ignore[arg-type]
    ['2010/11', '2011/12']
    >>> year_labels(Start(start=dt.date(2027, 1, 1)), 2)  # type: ignore[arg-type]
    ['2027', '2028']
    """
    first = c.start.year
    if (c.start.month, c.start.day) == (1, 1):
        return [str(first + y) for y in range(years)]
    return [f"{first + y}/{(first + y + 1) % 100:02d}" for y in range(years)]


def deflators(
    c: Contract, periods: int, price_year: int, series: IndexSeries
) -> tuple[FloatArray, bool]:
    """Per period, the factor from the money of the day its flows are paid to the price
    year's, and whether the index was extrapolated for any of them.

    The contract's cash flows are money of the day they are paid; the valuation is in fixed
    prices of ``price_year``. A period's flows are read at the annual average of the calendar
    year of the period's last day, as a unit-cost row's price year is, whichever contract
    year they are binned in.
    """
    at = np.asarray([d.year for d in c.period_ends()[:periods]], dtype=np.float64)
    paid, later = index_value(series, at)
    base, base_later = index_value(series, float(price_year))
    return np.asarray(base / paid, dtype=np.float64), bool(np.any(later) or np.any(base_later))


def value(c: Contract, base_dir: Path | None = None, search: Sequence[Path] = ()) -> Valuation:
    """The valuation of ``c``.

    Unit-cost files the contract names by a relative path are looked for in ``base_dir``
    (default: the folder of the contract's file, else the working folder), then in each
    folder of ``search`` (the setting ``EFFEKT_UNIT_COST_DIR``).
    """
    horizon = c.valuation.horizon_years if c.valuation else 10
    price_year = c.valuation.price_year if c.valuation else c.start.year
    tree = actor_tree()
    country = valuation_country(c)
    wrong = actor_problems(c, tree)
    if wrong:
        first = wrong[0]
        close = first.params["suggestion"]
        if not close:
            raise InputError(first.code, **first.params)
        hint = ("contract.did_you_mean", {"suggestion": close})
        raise InputError("valuation.party_actor", problem=(first.code, first.params), hint=hint)
    ids = list(tree.for_country(country))
    rows = unit_cost_rows(c, base_dir, search)
    series = price_indices()[DEFAULT_SERIES.get(c.currency, "se_kpi_faststallda_arsmedel")]
    cf = business_case(c)
    gained = gained_outcomes(c, cf, horizon)
    valuations: list[OutcomeValuation] = []
    outcome_rows: list[FloatArray] = []
    owner: list[int] = []
    starts: list[int] = []
    cashable: list[bool] = []
    for j, m in enumerate(c.metrics):
        for line in m.avoided_costs:
            given = m.adjustments
            adj = Adjustments(
                deadweight=0.0,  # the gain is already net of the counterfactual (or deadweight)
                attribution=given.attribution,
                displacement=given.displacement,
                drop_off=given.drop_off,
                optimism_bias=given.optimism_bias,
                duration_years=line.years,
                counterfactual=_CF.get(m.counterfactual, m.counterfactual),
            )
            valuations.append(
                OutcomeValuation(
                    f"{m.id}:{line.unit_cost}",
                    (CostLine(line.unit_cost, expected(line.quantity)),),
                    adj,
                )
            )
            shifted = np.zeros(horizon)
            if line.start_year < horizon:
                shifted[line.start_year :] = gained[j, : horizon - line.start_year]
            outcome_rows.append(shifted)
            owner.append(j)
            starts.append(line.start_year)
            cashable.append(line.unit_cost in rows and rows[line.unit_cost].cashable)
    party_actor = {p.id: str(p.actor) for p in c.parties if p.actor}
    spec = c.society_discounting()
    rates: dict[str, Any] = {}
    for p in c.parties:
        if p.actor in party_actor.values() and p.discount_rate is not None:
            rates[str(p.actor)] = p.discount_rate
    savings = np.zeros((len(ids), horizon))
    savings_pv = np.zeros((len(ids), horizon))
    cashable_pv = np.zeros((len(ids), horizon))
    extrapolated = False
    max_price: dict[str, dict[str, float]] = {m.id: {} for m in c.metrics}
    if valuations:
        result = avoided_costs(
            np.array(outcome_rows),
            valuations,
            rows,
            ids,
            price_year,
            series,
            rates=rates,
            default_rate=spec,
        )
        savings = result.undiscounted.sum(axis=0)
        savings_pv = result.discounted.sum(axis=0)
        cashable_pv = result.discounted[np.array(cashable, dtype=bool)].sum(axis=0)
        extrapolated = result.index_extrapolated
        # one outcome gained in the first year; a line that starts later avoids its costs
        # from ``start_year`` on, discounted from then
        one = np.zeros((len(valuations), horizon))
        for k, start in enumerate(starts):
            if start < horizon:
                one[k, start] = 1.0
        unit = avoided_costs(
            one, valuations, rows, ids, price_year, series, rates=rates, default_rate=spec
        )
        per_line = unit.discounted.sum(axis=-1)  # (lines, actors)
        for k, j in enumerate(owner):
            for a, actor in enumerate(ids):
                if per_line[k, a]:
                    mid = c.metrics[j].id
                    max_price[mid][actor] = max_price[mid].get(actor, 0.0) + float(per_line[k, a])
    # the contract's flows are money of the day paid: into the price year's kronor
    # each period at its own year's index, then binned by contract year as the savings are
    periods = min(cf.flows.shape[-1], c.term_periods, horizon * c.periods_per_year)
    deflator, deflated_extrapolated = deflators(c, periods, price_year, series)
    extrapolated = extrapolated or deflated_extrapolated
    costs = np.zeros((len(ids), horizon))
    for i, party in enumerate(cf.accounts):
        payer_actor = party_actor.get(party)
        if payer_actor is None:
            continue
        for t, f in enumerate(cf.flows[0, i, :periods]):
            costs[ids.index(payer_actor), t // c.periods_per_year] -= float(f) * deflator[t]
    society_costs = np.zeros(horizon)
    for i, role in enumerate(cf.roles):
        if role in ("outside", "intermediary", "evaluator"):
            for t, f in enumerate(cf.flows[0, i, :periods]):
                society_costs[t // c.periods_per_year] += float(f) * deflator[t]
    factors = np.stack([factors_for(rates.get(a, spec), horizon) for a in ids])
    commissioners = [
        party_actor[p.id]
        for p in c.parties
        if p.role in ("commissioner", "outcome_fund") and p.id in party_actor
    ]
    return Valuation(
        ids,
        [c.start.year + y for y in range(horizon)],
        year_labels(c, horizon),
        savings,
        savings_pv,
        costs,
        costs * factors,
        tree,
        party_actor,
        commissioners,
        dict(map_parties(tree, party_actor, country).actor_party) if party_actor else {},
        max_price,
        extrapolated,
        price_year,
        society_costs,
        cashable_pv,
        series,
        {line.unit_cost: rows[line.unit_cost] for m in c.metrics for line in m.avoided_costs},
    )


def _unit_cost_lines(c: Contract, v: Valuation, lang: str) -> list[dict[str, Any]]:
    """Each avoided cost of each metric with its unit-cost row: what one outcome avoids,
    the row's amount, price year and source, so every saving can be traced to them."""
    out = []
    for m in c.metrics:
        for line in m.avoided_costs:
            row = v.unit_costs[line.unit_cost]
            out.append(
                {
                    "metric": m.id,
                    "unit_cost": row.id,
                    "quantity": expected(line.quantity),
                    "years": line.years,
                    "start_year": line.start_year,
                    "description": row.description_sv if lang == "sv" else row.description_en,
                    "actor": row.actor,
                    "actor_name": v.tree[row.actor].name(lang)
                    if row.actor in v.tree
                    else row.actor,
                    "unit": unit_words(row.unit, lang),
                    "amount": row.amount,
                    "currency": row.currency,
                    "price_year": row.price_year,
                    "source": row.source,
                    "uncertainty": row.uncertainty,
                    "cashable": row.cashable,
                }
            )
    return out


def _rolled(v: Valuation, values: FloatArray) -> dict[str, FloatArray]:
    return v.tree.rollup({a: values[i] for i, a in enumerate(v.actors)})


def _block(a: str, x: dict[str, FloatArray], xp: dict[str, FloatArray]) -> dict[str, Any]:
    return {
        "by_year": [round(float(y), 2) for y in x[a]],
        "total": round(float(x[a].sum()), 2),
        "by_year_discounted": [round(float(y), 2) for y in xp[a]],
        "total_discounted": round(float(xp[a].sum()), 2),
    }


def value_json(
    c: Contract, base_dir: Path | None = None, lang: str = "en", search: Sequence[Path] = ()
) -> dict[str, Any]:
    """The JSON of ``effekt value`` (``base_dir`` and ``search`` as for :func:`value`)."""
    v = value(c, base_dir, search)
    sav, sav_pv = _rolled(v, v.savings), _rolled(v, v.savings_pv)
    cost, cost_pv = _rolled(v, v.costs), _rolled(v, v.costs_pv)
    # for society, payments to the provider and investors are transfers: its cost is the
    # real resources the intervention uses (delivery costs and fees)
    society_factors = factors_for(c.society_discounting(), len(v.years))
    cost[SOCIETY] = v.society_costs
    cost_pv[SOCIETY] = v.society_costs * society_factors
    cash_pv = _rolled(v, v.cashable_pv)
    shown = [a for a in v.tree.order if a in v.actors]
    actors: dict[str, Any] = {}
    net = {k: sav[k] - cost[k] for k in sav}
    net_pv = {k: sav_pv[k] - cost_pv[k] for k in sav_pv}
    for a in shown:
        actors[a] = {
            "name": v.tree[a].name(lang),
            "party": v.actor_party.get(a),
            "savings": _block(a, sav, sav_pv),
            "costs": _block(a, cost, cost_pv),
            "net": _block(a, net, net_pv),
            # what releases budget (not only capacity): savings from cashable unit-cost rows
            "cashable_savings_discounted": round(float(cash_pv[a].sum()), 2),
        }
    leaves = [a for a in v.actors if not v.tree.children(a)]
    public = [a for a in leaves if a != INDIVIDUAL and PUBLIC in v.tree.ancestors(a)]
    pv = {a: float(v.savings_pv[v.actors.index(a)].sum()) for a in public}
    public_total = sum(max(x, 0.0) for x in pv.values())
    paying = {p.id for p in c.parties if p.role in ("commissioner", "outcome_fund")}
    commissioner = sum(max(x, 0.0) for a, x in pv.items() if v.actor_party.get(a) in paying)
    proposal = (
        {a: round(max(x, 0.0) / public_total, 6) for a, x in pv.items() if x > 0}
        if public_total
        else {}
    )
    public_cost_pv = float(cost_pv[PUBLIC].sum()) if PUBLIC in cost_pv else 0.0
    public_sav_pv = float(sav_pv[PUBLIC].sum()) if PUBLIC in sav_pv else 0.0
    public_cash_pv = float(cash_pv[PUBLIC].sum()) if PUBLIC in cash_pv else 0.0
    cum = np.cumsum(sav_pv[PUBLIC] - cost_pv[PUBLIC]) if PUBLIC in sav_pv else np.zeros(0)
    positive = np.nonzero(cum >= 0)[0]
    break_even = None  # never, without any saving to break even with
    break_even_label = None
    if positive.size and cum[-1] >= 0 and float(np.sum(sav_pv[PUBLIC])) > 0:
        first = int(positive[0])
        # the first year from which the cumulative net stays non-negative
        later_negative = np.nonzero(cum < 0)[0]
        first = int(later_negative[-1] + 1) if later_negative.size else first
        break_even = v.years[first]
        break_even_label = v.year_labels[first]
    max_price: dict[str, dict[str, float] | None] = {}
    for metric, per_actor in v.max_price.items():
        if not c.metric(metric).avoided_costs:
            max_price[metric] = None  # not valued, not worth nothing: it names no avoided costs
            continue
        rolled = v.tree.rollup(per_actor) if per_actor else {}
        prices = {a: round(x, 2) for a, x in per_actor.items()}
        prices["public_sector"] = round(float(rolled.get(PUBLIC, 0.0)), 2) if rolled else 0.0
        prices["total"] = round(float(rolled.get(SOCIETY, 0.0)), 2) if rolled else 0.0
        max_price[metric] = prices
    valued = any(m.avoided_costs for m in c.metrics)
    return {
        "contract": c.id,
        "contract_name": c.name,
        "currency": c.currency,
        "price_year": v.price_year,
        "index_extrapolated": v.index_extrapolated,
        # unit costs rebased and the contract's payments deflated with this index
        "price_index": {
            "series": v.index.id,
            "last_published_year": v.index.last_year,
            "assumed_growth": v.index.extrapolation_rate,
        },
        "years": v.years,  # the calendar year each contract year starts in
        "year_labels": v.year_labels,  # what each covers: "2027", or "2010/11" from September
        "actors": actors,
        "non_party_actors": [a for a in public if a not in v.actor_party and pv.get(a, 0.0) > 0],
        # paying parties with no actor: their payments are in no public actor's costs
        "payers_without_actor": payers_without_actor(c),
        "party_names": {p.id: p.name or p.id for p in c.parties},  # for the reader, by id
        "cashable_share": round(public_cash_pv / public_sav_pv, 6) if public_sav_pv > 0 else None,
        "commissioner_share": round(commissioner / public_total, 6) if public_total else None,
        "payer_share_proposal": proposal,
        "max_price_per_outcome": max_price,
        "metric_names": {m.id: m.label for m in c.metrics},
        # None when nothing is valued (no metric names avoided costs) or nothing is paid
        "benefit_cost_ratio": round(public_sav_pv / public_cost_pv, 6)
        if public_cost_pv > 0 and valued
        else None,
        "break_even_year": break_even,
        "break_even_year_label": break_even_label,
        "unit_costs": _unit_cost_lines(c, v, lang),
    }
