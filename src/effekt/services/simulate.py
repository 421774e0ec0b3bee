"""Use case: risk under uncertainty (``effekt simulate``) for a contract or a fund.

Runs the fixed chunk layout of :mod:`effekt.engine.montecarlo` serially, in local
processes (``workers``) or on Dask (a scheduler address, or ``"local"`` for a
``LocalCluster``), collects chunks by index, and shapes the JSON. The same seed gives
the same JSON whatever runs the chunks.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np

from effekt.contract.model import Contract
from effekt.engine.montecarlo import (
    CHUNK_SIZE,
    ENGINES,
    Accumulator,
    ChunkSummary,
    Fund,
    FundEntry,
    Results,
    chunk_seeds,
    chunk_sizes,
    simulate_chunk,
    simulate_fund_chunk,
)
from effekt.errors import EffektError, UsageError
from effekt.services.memory import refuse_beyond_memory

__all__ = [
    "Target",
    "load_target",
    "run_chunk",
    "simulate",
    "simulate_json",
]

Target = Contract | Fund
Progress = Callable[[int], None]


def load_target(path: str | Path) -> Target:
    """A contract file, or a portfolio file (``kind = "portfolio"``) as a :class:`Fund`."""
    from effekt.contract.load import contract_of, is_portfolio, read_document
    from effekt.services.portfolio import load_fund

    doc = read_document(path)
    if is_portfolio(doc):
        portfolio, contracts = load_fund(doc)
        entries = tuple(
            FundEntry(e.id or c.id, c, e.weight)
            for e, c in zip(portfolio.contracts, contracts, strict=True)
        )
        shocks = {s.id: dict(s.loadings) for s in portfolio.shocks}
        return Fund(portfolio.id, entries, shocks)
    return contract_of(doc)


OutcomeValues: TypeAlias = Mapping[str, Any] | None


def _contract_outcome_values(c: Contract, search: Sequence[Path] = ()) -> dict[str, float] | None:
    """Society's value of one outcome gained, per metric (None without valuation inputs).

    A contract that has valuation inputs the valuation cannot use (a unit-cost table that
    is not found, say) is an error, as in ``effekt value``, not a quiet change of method.
    """
    from effekt.services.value import value_json

    if c.valuation is None or not any(m.avoided_costs for m in c.metrics):
        return None
    prices = value_json(c, search=search)["max_price_per_outcome"]
    # a metric that names no avoided costs (None) adds nothing to society's value
    return {metric: float(p["total"]) if p else 0.0 for metric, p in prices.items()}


def outcome_values(target: Target, search: Sequence[Path] = ()) -> OutcomeValues:
    """What an outcome gained is worth to society, for a contract or each contract of a fund
    (unit-cost tables also looked for in the folders of ``search``)."""
    if isinstance(target, Fund):
        return {e.id: _contract_outcome_values(e.contract, search) for e in target.entries}
    return _contract_outcome_values(target, search)


def society_method(target: Target, search: Sequence[Path] = ()) -> str:
    """How society's NPV is computed for ``target`` (see docs/simulate.md)."""
    return _method(target, outcome_values(target, search))


def _method(target: Target, values: OutcomeValues) -> str:
    used = (
        any(v is not None for v in values.values())
        if isinstance(target, Fund) and values
        else values is not None
    )
    return SOCIETY_VALUATION if used else SOCIETY_METHOD


def run_chunk(
    target: Target,
    n_paths: int,
    seed_seq: np.random.SeedSequence,
    person_level: bool | None,
    values: OutcomeValues = None,
    engine: str = "compiled",
) -> ChunkSummary:
    """One chunk of a contract or a fund (the function every executor runs)."""
    if isinstance(target, Fund):
        return simulate_fund_chunk(target, n_paths, seed_seq, person_level, values, engine)
    return simulate_chunk(target, n_paths, seed_seq, person_level, values, engine)


# --- executors ------------------------------------------------------------------------------

_WORKER_TARGET: tuple[Target, bool | None, OutcomeValues, str] | None = None


def _init_worker(
    target: Target, person_level: bool | None, values: OutcomeValues, engine: str
) -> None:
    global _WORKER_TARGET
    _WORKER_TARGET = (target, person_level, values, engine)


def _worker_chunk(n_paths: int, seed_seq: np.random.SeedSequence) -> ChunkSummary:
    assert _WORKER_TARGET is not None
    target, person_level, values, engine = _WORKER_TARGET
    return run_chunk(target, n_paths, seed_seq, person_level, values, engine)


def simulate(
    target: Target,
    paths: int,
    seed: int,
    *,
    workers: int = 1,
    dask: str | None = None,
    person_level: bool | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    engine: str = "compiled",
    dask_timeout: float = 30.0,
    unit_cost_dirs: Sequence[Path] = (),
) -> Results:
    """Simulate ``paths`` paths from ``seed``; ``progress(paths_done)`` after each chunk.

    ``workers`` > 1 runs local processes; ``dask`` a Dask scheduler address (waited for
    ``dask_timeout`` seconds), or ``"local"`` for a LocalCluster of ``workers`` processes
    (default: the CPU count). ``engine``: ``"compiled"`` (the default) or ``"numpy"``, the
    reference engine. ``unit_cost_dirs``: extra folders for the valuation's unit-cost tables.
    """
    if paths < 1:
        raise UsageError("simulate.paths", paths=paths)
    if engine not in ENGINES:
        raise UsageError("simulate.engine", engine=engine, engines=", ".join(ENGINES))
    if workers < 1:
        raise UsageError("simulate.workers", workers=workers)
    if dask not in (None, "local") and workers > 1:
        raise UsageError("simulate.dask_and_workers")
    _refuse_more_paths_than_memory(target, paths)
    sizes = chunk_sizes(paths, chunk_size)
    seeds = chunk_seeds(seed, len(sizes))
    acc = Accumulator(sizes)
    done = 0

    def collect(i: int, chunk: ChunkSummary) -> None:
        nonlocal done
        acc.add(i, chunk)
        done += sizes[i]
        if progress is not None:
            progress(sizes[i])

    values = outcome_values(target, unit_cost_dirs)
    if dask is not None:
        run = _DaskRun(dask, workers, dask_timeout, seed, engine)
        run.chunks(target, sizes, seeds, person_level, collect, values)
    elif workers == 1:
        for i, (n, ss) in enumerate(zip(sizes, seeds, strict=True)):
            collect(i, run_chunk(target, n, ss, person_level, values, engine))
    else:
        _run_processes(target, sizes, seeds, person_level, workers, collect, values, engine)
    res = acc.result()
    res.society_method = _method(target, values)
    return res


def _refuse_more_paths_than_memory(target: Target, paths: int) -> None:
    """The per-path values kept for exact quantiles — at least NPV, IRR and multiple per
    party, 4 bytes each — must fit in this computer's memory, else the run is refused
    before any work (it would end in a MemoryError, or the system killing it)."""
    contracts = [e.contract for e in target.entries] if isinstance(target, Fund) else [target]
    needed = paths * 4 * 3 * sum(len(c.parties) for c in contracts)
    refuse_beyond_memory("simulate.paths_memory", paths, needed)


def _run_processes(
    target: Target,
    sizes: Sequence[int],
    seeds: Sequence[np.random.SeedSequence],
    person_level: bool | None,
    workers: int,
    collect: Callable[[int, ChunkSummary], None],
    values: OutcomeValues = None,
    engine: str = "compiled",
) -> None:
    """Chunks in local processes, at most a few per worker in flight at a time.

    Each result is dropped as soon as it is collected, so memory holds the stored
    per-path values and a handful of chunk summaries, never every chunk's.
    """
    window = 2 * workers + 2
    todo = list(enumerate(zip(sizes, seeds, strict=True)))[::-1]
    with ProcessPoolExecutor(
        max_workers=workers,
        initializer=_init_worker,
        initargs=(target, person_level, values, engine),
    ) as pool:
        running: dict[Future[ChunkSummary], int] = {}
        while todo or running:
            while todo and len(running) < window:
                i, (n, ss) = todo.pop()
                running[pool.submit(_worker_chunk, n, ss)] = i
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                collect(running.pop(fut), fut.result())


#: A local cluster's scheduler without a dashboard, its HTTP server on a free port: without
#: this it takes 8787 and warns when another cluster on the machine has that port.
QUIET_SCHEDULER: dict[str, Any] = {"dashboard": False, "dashboard_address": ":0"}


def _check_host(address: str) -> None:
    """A usage error at once when the host of a ``tcp://`` or ``tls://`` address (or a bare
    ``host:port``, which Dask reads as tcp) has no address here — rather than waiting out the timeout for a name that cannot answer."""
    import socket
    from urllib.parse import urlsplit

    if "://" not in address and ":" in address:
        address = f"tcp://{address}"  # "host:port" is Dask's tcp://host:port
    try:
        parts = urlsplit(address)
        host = parts.hostname
    except ValueError:
        return  # Dask's own parsing names a malformed address
    if parts.scheme not in ("tcp", "tls") or not host:
        return
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        raise UsageError("simulate.dask_unknown_host", address=address, host=host) from None


@dataclass(frozen=True)
class _DaskRun:
    """Where and how chunks run on Dask: a scheduler ``address`` or ``"local"``."""

    address: str
    workers: int
    timeout: float
    seed: int
    engine: str

    def _client(self) -> tuple[Any, Any]:
        """(client, the LocalCluster to close or None); an address that does not answer is
        a usage error naming it."""
        import importlib

        distributed: Any = importlib.import_module("distributed")  # partly typed: used as Any
        if self.address == "local":
            n = self.workers if self.workers > 1 else (os.cpu_count() or 1)
            cluster = distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs=QUIET_SCHEDULER,
            )
            return distributed.Client(cluster), cluster
        _check_host(self.address)
        try:
            return distributed.Client(self.address, timeout=self.timeout), None
        except ValueError:
            raise UsageError("simulate.dask_bad_address", address=self.address) from None
        except (OSError, TimeoutError):
            raise UsageError(
                "simulate.dask_unreachable", address=self.address, seconds=self.timeout
            ) from None

    def chunks(
        self,
        target: Target,
        sizes: Sequence[int],
        seeds: Sequence[np.random.SeedSequence],
        person_level: bool | None,
        collect: Callable[[int, ChunkSummary], None],
        values: OutcomeValues = None,
    ) -> None:
        """Chunks on Dask: the target scattered once, one task per chunk, keys by chunk
        index. The cluster failing on the way (a lost connection, a worker killed) is an
        error naming the address; effekt's own errors in a chunk come through as they are."""
        from distributed.scheduler import KilledWorker

        client, cluster = self._client()
        try:
            self._run(client, target, sizes, seeds, person_level, collect, values)
        except EffektError:
            raise
        except (OSError, TimeoutError, asyncio.CancelledError, KilledWorker) as exc:
            raise EffektError(
                "simulate.dask_failed", address=self.address, detail=type(exc).__name__
            ) from None
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _run(
        self,
        client: Any,
        target: Target,
        sizes: Sequence[int],
        seeds: Sequence[np.random.SeedSequence],
        person_level: bool | None,
        collect: Callable[[int, ChunkSummary], None],
        values: OutcomeValues,
    ) -> None:
        import importlib

        as_completed: Any = importlib.import_module("distributed").as_completed  # untyped
        spec = client.scatter(target, broadcast=True)
        token = _run_token(target, sum(sizes), self.seed, person_level, self.engine)
        futures = client.map(
            run_chunk,
            [spec] * len(sizes),
            list(sizes),
            list(seeds),
            [person_level] * len(sizes),
            [values] * len(sizes),
            [self.engine] * len(sizes),
            key=[f"effekt-mc-{token}-{i}" for i in range(len(sizes))],
        )
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            collect(index[fut.key], fut.result())
            fut.release()


def _run_token(
    target: Target, paths: int, seed: int, person_level: bool | None, engine: str
) -> str:
    if isinstance(target, Fund):
        spec = repr(
            (
                target.id,
                [(e.id, e.weight, e.contract.model_dump_json()) for e in target.entries],
                target.shocks,
            )
        )
    else:
        spec = target.model_dump_json()
    text = f"{spec}|{paths}|{seed}|{person_level}|{engine}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- JSON -----------------------------------------------------------------------------------


def _num(x: float | None) -> float | None:
    """A figure for the JSON: six decimals, no −0 (a zero is a zero whatever its sign)."""
    return None if x is None or not math.isfinite(x) else round(float(x), 6) + 0.0


def _stat(res: Results, name: str) -> dict[str, float | None]:
    return {k: _num(v) for k, v in res.stat(name).items()}


def _block(res: Results, prefix: str, roles: dict[str, str], currency: str) -> dict[str, Any]:
    """The contract-shaped results under ``prefix`` ("" for a contract, "fund/" for a fund)."""
    parties: dict[str, Any] = {}
    for pid, role in roles.items():
        base = f"{prefix}party/{pid}"
        parties[pid] = {
            "role": role,
            "npv": _stat(res, f"{base}/npv"),
            "irr": _stat(res, f"{base}/irr"),
            "irr_defined": _num(res.defined(f"{base}/irr")),
            "moic": _stat(res, f"{base}/moic"),
            "moic_defined": _num(res.defined(f"{base}/moic")),
            "p_loss": _num(res.probability(f"{base}/loss")),
            "expected_shortfall_5": _num(res.shortfall(f"{base}/npv")),
            "total": _stat(res, f"{base}/total"),
        }
    outlay: dict[str, dict[str, Any]] = {}
    for name in res.names(f"{prefix}outlay/"):
        # a UK budget year is "2027/28": the payer is what follows the last slash
        year, payer = name[len(prefix) + len("outlay/") :].rsplit("/", 1)
        mean = res.moments[name][1]
        p50, p90, p95 = res.quantiles(name, (0.5, 0.9, 0.95))
        outlay.setdefault(year, {})[payer] = {
            "mean": _num(mean),
            "p50": _num(p50),
            "p90": _num(p90),
            "p95": _num(p95),
        }
    gap = f"{prefix}provider/cash_gap"
    return {
        "currency": currency,
        "parties": parties,
        "outlay": dict(sorted(outlay.items())),
        "provider_cash_gap_probability": _num(res.probability(gap)) if gap in res.counts else None,
        "society_npv": _stat(res, f"{prefix}society/npv"),
        "society_p_positive_npv": _num(res.probability(f"{prefix}society/positive")),
    }


def _roles(c: Contract) -> dict[str, str]:
    return {p.id: p.role for p in c.parties}


#: How society's NPV is computed (see docs/simulate.md): from the valuation when the
#: contract has valuation inputs, else a stand-in.
SOCIETY_VALUATION = "avoided_costs_less_delivery_costs_and_fees"
SOCIETY_METHOD = "stand_in_contract_flows_plus_outcomes_at_rule_prices"


def simulate_json(
    target: Target, res: Results, seed: int, person_level: bool | None = None
) -> dict[str, Any]:
    """The JSON of a run: ``parties``, ``outlay``, cash gap, society, ``paths``, ``seed``.

    For a fund the same keys hold the fund's results (``parties`` by role: the weighted
    flows of every party in that role), and ``contracts`` holds each contract's.
    """
    head: dict[str, Any] = {"paths": res.paths, "seed": seed, "chunk_size": res.chunk_size}
    if isinstance(target, Contract):
        pl = target.uncertainty.person_level if person_level is None else person_level
        return {
            "contract": target.id,
            **head,
            "person_level": pl,
            "society_method": res.society_method or society_method(target),
            **_block(res, "", _roles(target), target.currency),
        }
    roles = sorted({p.role for e in target.entries for p in e.contract.parties})
    currencies = sorted({e.contract.currency for e in target.entries})
    contracts = {}
    for e in target.entries:
        block = _block(res, f"contract/{e.id}/", _roles(e.contract), e.contract.currency)
        contracts[e.id] = {"contract": e.contract.id, "weight": e.weight, **block}
    return {
        "fund": target.id,
        **head,
        "person_level": person_level,
        "society_method": res.society_method or society_method(target),
        **_block(res, "fund/", {r: r for r in roles}, "/".join(currencies)),
        "contracts": contracts,
    }
