"""Monte Carlo over a contract (or a fund of contracts): chunks in, statistics out.

Pure functions, no I/O. The run is cut into a **fixed chunk layout** — ``chunk_size``
paths per chunk, the last one shorter — and chunk *i* draws from child *i* of
``SeedSequence(seed)``. Each chunk runs the one engine (:func:`cash_flows`) on its
paths and reduces them to per-path summary values (:func:`path_values`); the
:class:`Accumulator` places chunks by index and merges their moments in index order.
So the results depend on the seed and the number of paths, never on how many workers
ran the chunks or in which order they finished.

Per-path values kept for the quantiles are stored in single precision (4 bytes a value;
relative rounding 6·10⁻⁸, far below the Monte Carlo error); means and standard errors
come from double-precision per-chunk moments (count, mean, M2) merged with Chan's
formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.contract.parties import RISKING_ROLES
from effekt.engine.cashflow import CashFlows, PathFlows, cash_flows, path_flows
from effekt.engine.finance import npv, party_returns, period_rate, settled
from effekt.engine.inputs import Inputs
from effekt.engine.sampling import SamplingPlan, sample_inputs, sampling_plan
from effekt.engine.valuation.discounting import factors_at

__all__ = [
    "CHUNK_SIZE",
    "ENGINES",
    "Accumulator",
    "ChunkSummary",
    "Fund",
    "FundEntry",
    "Results",
    "Stat",
    "chunk_seeds",
    "chunk_sizes",
    "combine",
    "party_rate",
    "path_values",
    "simulate_chunk",
    "simulate_fund_chunk",
    "society_flows",
]

FloatArray = npt.NDArray[np.float64]
StoreArray = npt.NDArray[np.float32]

#: Paths per chunk: part of the run's definition (results depend on it, not on workers).
CHUNK_SIZE = 10_000
#: A money multiple counts as a loss below 1 − this: a party that gets exactly its money
#: back (common for a tranche with no return) is not a loss because of rounding.
LOSS_TOLERANCE = 1e-9
#: The tail for expected shortfall: the mean of the worst 5 % of NPVs.
SHORTFALL_TAIL = 0.05


# --- chunk layout and seeds ---------------------------------------------------------------


def chunk_sizes(paths: int, chunk_size: int = CHUNK_SIZE) -> list[int]:
    """Paths in each chunk: ``chunk_size`` each, the last one what remains."""
    full, rest = divmod(paths, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """Child *i* of ``SeedSequence(seed)`` for chunk *i* (``SeedSequence.spawn``)."""
    return np.random.SeedSequence(seed).spawn(n_chunks)


def _child(ss: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """Child ``i`` of ``ss`` without touching its spawn counter (re-runs give the same)."""
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, i))


# --- per-path summary values --------------------------------------------------------------


def party_rate(c: Contract, party_id: str) -> float:
    """A party's annual discount rate: its own, else the contract's default."""
    p = next((p for p in c.parties if p.id == party_id), None)
    rate = p.discount_rate if p is not None else None
    return c.default_discount_rate if rate is None else rate


def society_flows(
    c: Contract,
    cf: CashFlows | PathFlows,
    inputs: Inputs,
    outcome_values: Mapping[str, float] | None = None,
) -> FloatArray:
    """Society's flows per path and period.

    With ``outcome_values`` (metric → the public costs one outcome gained avoids for
    society, discounted to the year it is gained; from the valuation, transfers cancelled):
    those values for every outcome gained over the baseline in the period it is measured,
    less the real resources the contract uses — the delivery costs (the parties' flows
    summed) and the intermediary's and evaluator's fees.

    Without them (no valuation inputs) a stand-in:

    The parties' flows summed (transfers between parties cancel; what is left is the
    delivery cost paid outside the contract and cash the deal account holds), plus each
    metric's outcome units gained over the baseline, valued at the price the contract
    puts on them: a savings-share rule's saving per outcome, else the rate-card or
    threshold price (the highest when several rules pay for the metric), in the period
    the outcome is measured.
    """
    from effekt.contract.rules import RateCard, SavingsShare, Threshold

    pf = path_flows(c, cf) if isinstance(cf, CashFlows) else cf
    n_parties = len(c.parties)
    total = pf.flows[:, :n_parties].sum(axis=1)
    if outcome_values is not None:
        for i, p in enumerate(c.parties):
            if p.role in ("intermediary", "evaluator"):
                total = total - pf.flows[:, i]
        for j, m in enumerate(c.metrics):
            total = total + pf.gains[:, j] * outcome_values.get(m.id, 0.0)
        return np.asarray(total, dtype=np.float64)
    for j, m in enumerate(c.metrics):
        value = np.zeros(total.shape[0])
        savings = False
        for k, r in enumerate(c.rules):
            if getattr(r, "metric", None) != m.id:
                continue
            if isinstance(r, SavingsShare):
                price = inputs[f"rules[{k}].saving_per_outcome"]
                value = price if not savings else np.maximum(value, price)
                savings = True
            elif isinstance(r, RateCard | Threshold) and not savings:
                value = np.maximum(value, inputs[f"rules[{k}].price"])
        total = total + pf.gains[:, j] * value[:, None]
    return np.asarray(total, dtype=np.float64)


def path_values(
    c: Contract,
    cf: CashFlows | PathFlows,
    inputs: Inputs,
    outcome_values: Mapping[str, float] | None = None,
) -> dict[str, FloatArray]:
    """Per-path summary values of one contract's cash flows.

    ``party/<id>/npv`` (at the party's discount rate), ``/irr`` (annual) and ``/moic`` (by
    :func:`effekt.engine.finance.party_returns`: NaN unless the party has money at risk
    and pays first; −100 % and 0 on a total loss), ``/loss`` (1 when it gets back less
    than it paid), ``/total``; ``outlay/<budget year>/<payer>`` (what the payer pays out, net of excess
    returned, in that budget year); ``provider/cash_gap`` (1 when the provider's opening
    balance plus credit line plus its cumulative flow falls below zero in some period);
    ``society/npv`` (:func:`society_flows` at the valuation's discount rate).
    """
    m = c.periods_per_year
    cf = path_flows(c, cf) if isinstance(cf, CashFlows) else cf
    out: dict[str, FloatArray] = {}
    for i, p in enumerate(c.parties):
        f = settled(cf.flows[:, i])
        out[f"party/{p.id}/npv"] = npv(period_rate(party_rate(c, p.id), m), f)
        returns = party_returns(f, m, p.role in RISKING_ROLES)
        out[f"party/{p.id}/irr"] = returns.irr.rate
        out[f"party/{p.id}/moic"] = returns.moic.value
        out[f"party/{p.id}/loss"] = _loss(f)
        out[f"party/{p.id}/total"] = np.asarray(f.sum(axis=1), dtype=np.float64)
    for payer in cf.payers:
        paid = -cf.flow(payer)
        # booked as model books them: in the budget year of each period's last day
        years = c.budget_years(c.party(payer).budget_year_start_month)
        for y in sorted(set(years)):
            cols = [t for t, yy in enumerate(years) if yy == y]
            out[f"outlay/{y}/{payer}"] = np.asarray(paid[:, cols].sum(axis=1), dtype=np.float64)
    provider = next((p for p in c.parties if p.role == "provider"), None)
    if provider is not None:
        cum = np.cumsum(cf.flow(provider.id), axis=1)
        room = provider.opening_balance + provider.credit_line
        gap = ((cum + room) < -1e-9).any(axis=1)
        out["provider/cash_gap"] = np.asarray(gap, dtype=np.float64)
    society = society_flows(c, cf, inputs, outcome_values)
    factors = factors_at(c.society_discounting(), np.arange(society.shape[-1]) / m)
    out["society/npv"] = np.asarray(society @ factors, dtype=np.float64)
    return out


def _loss(flows: FloatArray) -> FloatArray:
    """1 on a path where the party gets back less than it paid (by more than
    ``LOSS_TOLERANCE`` of it), else 0 — a money multiple below 1, counted also where the
    multiple is not a return (a provider paid before it paid out)."""
    gains = np.maximum(flows, 0.0).sum(axis=-1)
    paid = np.maximum(-flows, 0.0).sum(axis=-1)
    return np.asarray(gains < paid * (1.0 - LOSS_TOLERANCE), dtype=np.float64)


# --- chunks ---------------------------------------------------------------------------------


@dataclass
class ChunkSummary:
    """One chunk reduced: stored per-path values, moments and event counts.

    ``stored``: per-path values kept for quantiles (float32); ``moments``: name →
    (count of finite values, mean, M2) in float64; ``counts``: name → number of paths.
    """

    n: int
    stored: dict[str, StoreArray]
    moments: dict[str, tuple[int, float, float]]
    counts: dict[str, int]


def _moments(x: FloatArray) -> tuple[int, float, float]:
    ok = x[np.isfinite(x)]
    if ok.size == 0:
        return 0, 0.0, 0.0
    mean = float(ok.mean())
    with np.errstate(over="ignore"):  # a figure beyond float64's range: M2 is inf, said so
        return int(ok.size), mean, float(((ok - mean) ** 2).sum())


_STORED = ("/npv", "/irr", "/moic")


def summarise(values: Mapping[str, FloatArray]) -> ChunkSummary:
    """Reduce per-path values to what the combination needs."""
    n = len(next(iter(values.values())))
    stored: dict[str, StoreArray] = {}
    moments: dict[str, tuple[int, float, float]] = {}
    counts: dict[str, int] = {}
    for name, x in values.items():
        if name.endswith(("provider/cash_gap", "/loss")):
            counts[name] = int(x.sum())
            continue
        moments[name] = _moments(x)
        if name.endswith(_STORED) or "/outlay/" in f"/{name}":
            # beyond float32's 3.4e38 a value is stored as ±inf, quietly: in a Dask or
            # spawned worker no CLI is around to keep NumPy's warning off standard error
            with np.errstate(over="ignore"):
                stored[name] = x.astype(np.float32)
        if name.endswith("society/npv"):
            counts[name[: -len("npv")] + "positive"] = int((x > 0).sum())
    return ChunkSummary(n, stored, moments, counts)


#: The engines a Monte Carlo can run on: the compiled one, or the NumPy reference.
ENGINES = ("compiled", "numpy")


def _run(
    c: Contract,
    plan: SamplingPlan,
    rng: np.random.Generator,
    n: int,
    person_level: bool | None,
    shocks: FloatArray | None = None,
    outcome_values: Mapping[str, float] | None = None,
    engine: str = "compiled",
) -> tuple[PathFlows, dict[str, FloatArray]]:
    """Draw the inputs, run the engine; the cash flows and the per-path values.

    ``engine``: ``"compiled"`` (:mod:`effekt.engine.kernel`) or ``"numpy"``
    (:func:`cash_flows`); they take the same draws and give the same flows.
    """
    inputs = sample_inputs(plan, rng, n, shocks)
    target = with_person_level(c, person_level)
    if engine == "numpy":
        cf = path_flows(target, cash_flows(target, inputs, rng))
    else:
        from effekt.engine.kernel import simulated_flows

        cf = simulated_flows(target, inputs, rng)
    return cf, path_values(c, cf, inputs, outcome_values)


def with_person_level(c: Contract, person_level: bool | None) -> Contract:
    """``c`` with ``uncertainty.person_level`` set (unchanged when ``None``)."""
    if person_level is None or person_level == c.uncertainty.person_level:
        return c
    unc = c.uncertainty.model_copy(update={"person_level": person_level})
    return c.model_copy(update={"uncertainty": unc})


def simulate_chunk(
    c: Contract,
    n_paths: int,
    seed_seq: np.random.SeedSequence,
    person_level: bool | None = None,
    outcome_values: Mapping[str, float] | None = None,
    engine: str = "compiled",
) -> ChunkSummary:
    """Draw ``n_paths`` paths from ``seed_seq``, run the engine, reduce to a summary.

    ``person_level`` overrides the contract's ``uncertainty.person_level`` when given;
    ``outcome_values`` are society's values per outcome gained (:func:`society_flows`);
    ``engine`` one of :data:`ENGINES`.
    """
    rng = np.random.default_rng(seed_seq)
    plan = sampling_plan(c)
    return summarise(_run(c, plan, rng, n_paths, person_level, None, outcome_values, engine)[1])


# --- funds (portfolios) --------------------------------------------------------------------


@dataclass(frozen=True)
class FundEntry:
    """One contract of a fund: its id in the fund, the contract, the fund's share."""

    id: str
    contract: Contract
    weight: float = 1.0


@dataclass(frozen=True)
class Fund:
    """Contracts with shared shocks: shock id → {"contract-id:distribution-id" → loading}."""

    id: str
    entries: tuple[FundEntry, ...]
    shocks: dict[str, dict[str, float]] = field(default_factory=dict)

    def loadings(self, entry_id: str) -> dict[str, dict[str, float]]:
        """This contract's loadings per shock, by distribution id."""
        out: dict[str, dict[str, float]] = {}
        for sid, loads in self.shocks.items():
            out[sid] = {}
            for key, lam in loads.items():
                cid, _, dist = key.partition(":")
                if cid == entry_id:
                    out[sid][dist] = lam
        return out

    def start(self) -> tuple[int, int]:
        """(year, month) of the earliest contract start: month 0 of the fund's grid."""
        return min((e.contract.start.year, e.contract.start.month) for e in self.entries)


def _month_offset(fund: Fund, c: Contract) -> int:
    y, mo = fund.start()
    return (c.start.year - y) * 12 + c.start.month - mo


def simulate_fund_chunk(
    fund: Fund,
    n_paths: int,
    seed_seq: np.random.SeedSequence,
    person_level: bool | None = None,
    outcome_values: Mapping[str, Mapping[str, float] | None] | None = None,
    engine: str = "compiled",
) -> ChunkSummary:
    """A chunk of a fund: shared shocks per path, every contract, then the fund's totals.

    Child 0 of ``seed_seq`` draws the shocks, child 1 + k contract k. Names are
    ``contract/<id>/...`` per contract and ``fund/...`` for the fund: per role, the
    weighted flows of all parties in that role on a monthly grid from the earliest
    start (NPV: the parties' NPVs at their own rates, discounted to the fund's start).
    """
    shocks = np.random.default_rng(_child(seed_seq, 0)).standard_normal((n_paths, len(fund.shocks)))
    values: dict[str, FloatArray] = {}
    months = max(
        _month_offset(fund, e.contract)
        + e.contract.term_periods * (12 // e.contract.periods_per_year)
        for e in fund.entries
    )
    role_flows: dict[str, FloatArray] = {}
    role_npv: dict[str, FloatArray] = {}
    outlay: dict[str, FloatArray] = {}
    gap = np.zeros(n_paths, dtype=bool)
    society = np.zeros(n_paths)
    for k, e in enumerate(fund.entries):
        c = e.contract
        plan = sampling_plan(c, fund.loadings(e.id))
        rng = np.random.default_rng(_child(seed_seq, 1 + k))
        values_k = (outcome_values or {}).get(e.id)
        cf, pv = _run(
            c, plan, rng, n_paths, person_level, shocks if fund.shocks else None, values_k, engine
        )
        values.update({f"contract/{e.id}/{name}": x for name, x in pv.items()})
        step = 12 // c.periods_per_year
        offset = _month_offset(fund, c)
        at = offset + (np.arange(c.term_periods) + 1) * step - 1  # flows at period ends
        years_from_start = offset / 12
        for i, p in enumerate(c.parties):
            grid = role_flows.setdefault(p.role, np.zeros((n_paths, months)))
            grid[:, at] += e.weight * cf.flows[:, i]
            disc = (1 + party_rate(c, p.id)) ** -years_from_start
            role_npv[p.role] = role_npv.get(p.role, 0.0) + e.weight * disc * pv[f"party/{p.id}/npv"]
        for name, x in pv.items():
            if name.startswith("outlay/"):
                outlay[name] = outlay.get(name, 0.0) + e.weight * x
        gap |= pv.get("provider/cash_gap", np.zeros(n_paths)) > 0
        disc = float(factors_at(c.society_discounting(), years_from_start))
        society = society + e.weight * disc * pv["society/npv"]
    for role, grid in role_flows.items():
        f = settled(grid)
        values[f"fund/party/{role}/npv"] = role_npv[role]
        returns = party_returns(f, 12, role in RISKING_ROLES)
        values[f"fund/party/{role}/irr"] = returns.irr.rate
        values[f"fund/party/{role}/moic"] = returns.moic.value
        values[f"fund/party/{role}/loss"] = _loss(f)
        values[f"fund/party/{role}/total"] = f.sum(axis=1)
    values.update({f"fund/{name}": x for name, x in outlay.items()})
    values["fund/provider/cash_gap"] = gap.astype(np.float64)
    values["fund/society/npv"] = society
    return summarise(values)


# --- combination -----------------------------------------------------------------------------


class Stat(dict[str, float | None]):
    """mean, se (Monte Carlo standard error of the mean), p5, p50, p95; None if undefined."""


@dataclass
class Results:
    """A whole run combined: per-path stored values, merged moments, total counts."""

    paths: int
    stored: dict[str, StoreArray]
    moments: dict[str, tuple[int, float, float]]
    counts: dict[str, int]
    chunk_size: int = CHUNK_SIZE
    #: How society's flows were valued (docs/simulate.md); set by the service that chose the
    #: values per outcome, "" where no service did
    society_method: str = ""

    def stat(self, name: str, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> Stat:
        """Mean, MC standard error and quantiles of ``name`` over paths where it is defined."""
        n, mean, m2 = self.moments[name]
        out = Stat(mean=mean if n else None, se=math.sqrt(m2 / (n - 1) / n) if n > 1 else None)
        if name in self.stored:
            for q, v in zip(quantiles, self.quantiles(name, quantiles), strict=True):
                out[f"p{round(q * 100)}"] = v
        return out

    def defined(self, name: str) -> float:
        """Share of paths on which ``name`` is defined (an IRR or multiple may not be)."""
        return self.moments[name][0] / self.paths if self.paths else 0.0

    def quantiles(self, name: str, qs: Sequence[float]) -> list[float | None]:
        same = self._constant(name)
        if same is not None:
            return [same for _ in qs]
        x = self._finite(name)
        if x.size == 0:
            return [None for _ in qs]
        return [float(v) for v in np.quantile(x, qs, overwrite_input=True)]

    def _constant(self, name: str) -> float | None:
        """The value of ``name`` when it is the same on every path where it is defined (its
        double-precision moments show no spread), else None. Its quantiles and shortfall
        are then that value, not the single-precision copy kept for quantiles: a one-path
        run, or a fixed fee, reads the same in every column."""
        n, mean, m2 = self.moments.get(name, (0, 0.0, 0.0))
        if n == 0 or name not in self.stored:
            return None
        spread = math.sqrt(m2 / n)
        return mean if spread <= 1e-12 * max(abs(mean), 1.0) else None

    def _finite(self, name: str) -> FloatArray:
        """A double-precision copy of the finite stored values (one copy, in place after)."""
        x = self.stored[name]
        return np.asarray(x[np.isfinite(x)], dtype=np.float64)

    def probability(self, name: str) -> float:
        return self.counts[name] / self.paths if self.paths else 0.0

    def shortfall(self, name: str, tail: float = SHORTFALL_TAIL) -> float | None:
        """Expected shortfall: the mean of the worst ``tail`` share of ``name``'s values."""
        same = self._constant(name)
        if same is not None:
            return same
        x = self._finite(name)
        if x.size == 0:
            return None
        k = max(1, math.ceil(tail * x.size))
        worst = np.partition(x, k - 1)[:k] if k < x.size else x
        return float(np.sort(worst).mean())

    def names(self, prefix: str) -> list[str]:
        return [n for n in self.moments if n.startswith(prefix)]


class Accumulator:
    """Collects chunk summaries by index; :meth:`result` merges them in index order.

    Memory: the stored per-path values (4 bytes each) for the whole run, allocated once,
    plus one chunk's summary at a time.
    """

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = list(sizes)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.paths = int(self.starts[-1])
        self.stored: dict[str, StoreArray] = {}
        self.moments: list[dict[str, tuple[int, float, float]] | None] = [None] * len(sizes)
        self.counts: list[dict[str, int] | None] = [None] * len(sizes)

    def add(self, index: int, chunk: ChunkSummary) -> None:
        if chunk.n != self.sizes[index]:
            raise ValueError(f"chunk {index} has {chunk.n} paths, the layout {self.sizes[index]}")
        lo, hi = int(self.starts[index]), int(self.starts[index + 1])
        for name, x in chunk.stored.items():
            if name not in self.stored:
                self.stored[name] = np.full(self.paths, np.nan, dtype=np.float32)
            self.stored[name][lo:hi] = x
        self.moments[index] = chunk.moments
        self.counts[index] = chunk.counts

    def result(self) -> Results:
        if any(m is None for m in self.moments):
            missing = [i for i, m in enumerate(self.moments) if m is None]
            raise ValueError(f"chunks not added: {missing[:5]}")
        moments: dict[str, tuple[int, float, float]] = {}
        counts: dict[str, int] = {}
        for chunk_moments, chunk_counts in zip(self.moments, self.counts, strict=True):
            assert chunk_moments is not None and chunk_counts is not None
            for name, mo in chunk_moments.items():
                moments[name] = _merge(moments[name], mo) if name in moments else mo
            for name, k in chunk_counts.items():
                counts[name] = counts.get(name, 0) + k
        return Results(self.paths, self.stored, moments, counts, max(self.sizes, default=0))


def _merge(a: tuple[int, float, float], b: tuple[int, float, float]) -> tuple[int, float, float]:
    """Chan et al.'s parallel update of (count, mean, M2)."""
    na, ma, m2a = a
    nb, mb, m2b = b
    n = na + nb
    if n == 0:
        return 0, 0.0, 0.0
    delta = mb - ma
    return n, ma + delta * nb / n, m2a + m2b + delta * delta * na * nb / n


def combine(chunks: Iterable[ChunkSummary]) -> Results:
    """Combine chunk summaries given in chunk order."""
    chunk_list = list(chunks)
    acc = Accumulator([ch.n for ch in chunk_list])
    for i, ch in enumerate(chunk_list):
        acc.add(i, ch)
    return acc.result()
