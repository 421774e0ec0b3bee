"""IRR throughput: effekt's vectorised engine against pyxirr and numpy-financial.

Prints figures, asserts nothing. Run from the repository root::

    .venv/bin/python bench/irr.py            # 100,000 vectors of 20 periods
    .venv/bin/python bench/irr.py --quick    # 10,000 vectors

pyxirr is called once per vector in a Python loop (how it is used on simulated paths);
numpy-financial is timed on a subset because it is slow. Each timing is the best of a few
runs, on the same vectors, on one core: BLAS is limited to one thread (pyxirr is
single-threaded; and on a busy machine OpenBLAS threads spin and slow the small grid
products down). Set OPENBLAS_NUM_THREADS to override. Two sets: SIB-shaped investor flows (drawdowns early,
distributions later, some with a second drawdown) and flows with random signs.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy loads its BLAS

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
import numpy_financial as npf  # noqa: E402
import pyxirr  # noqa: E402

from effekt.engine.finance import irr  # noqa: E402

FloatArray = npt.NDArray[np.float64]


def sib_flows(n: int, periods: int, seed: int) -> FloatArray:
    """Investor flows of a SIB: capital drawn in the first quarters, outcome payments later.

    Drawdowns over 2-6 periods; outcome payments start after a lag of 2-5 periods and run
    to the end, scaled so that the investor gets back a multiple that is usually near
    1.1-1.4 and sometimes far less (the outcomes did not come); 10 % of the deals draw a
    second tranche after the first payments.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    draw = rng.integers(2, 7, n)
    lag = rng.integers(2, 6, n)
    commitment = rng.uniform(2e6, 8e6, n)
    share = rng.uniform(0.5, 1.5, (n, periods))
    drawn = np.where(t < draw[:, None], share, 0.0)
    drawn = drawn / drawn.sum(axis=1, keepdims=True) * commitment[:, None]
    success = rng.random(n) < 0.8
    multiple = np.where(success, rng.lognormal(np.log(1.25), 0.12, n), rng.uniform(0.0, 0.7, n))
    paying = t >= (draw + lag)[:, None]
    payments = np.where(paying, rng.gamma(2.0, 1.0, (n, periods)), 0.0)
    payments[:, -1] += paying[:, -1] * rng.uniform(0, 4, n)  # final redemption
    payments = payments / np.maximum(payments.sum(axis=1, keepdims=True), 1e-12)
    flows = payments * (multiple * commitment)[:, None] - drawn
    second = rng.random(n) < 0.1  # a second drawdown two periods after payments start
    when = np.minimum(draw + lag + 2, periods - 2)
    flows[second, when[second]] -= 0.2 * commitment[second]
    return flows


def random_flows(n: int, periods: int, seed: int) -> FloatArray:
    return np.random.default_rng(seed).normal(0.0, 1.0, (n, periods))


def best_time(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def pyxirr_loop(flows: FloatArray) -> FloatArray:
    out = [pyxirr.irr(row, silent=True) for row in flows]
    return np.array([np.nan if x is None else x for x in out], dtype=np.float64)


def npf_loop(flows: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([npf.irr(row) for row in flows], dtype=np.float64)


def compare(name: str, flows: FloatArray, n_npf: int, repeat: int) -> None:
    n = flows.shape[0]
    irr(flows[:1000])  # warm the grid cache
    t_engine = best_time(lambda: irr(flows), repeat)
    result = irr(flows)
    t_pyxirr = best_time(lambda: pyxirr_loop(flows), max(1, repeat - 1))
    peer = pyxirr_loop(flows)
    subset = flows[:n_npf]
    t_npf = best_time(lambda: npf_loop(subset), 1)
    peer_npf = npf_loop(subset)

    ok = result.reason == "ok"
    reasons, counts = np.unique(result.reason, return_counts=True)
    print(f"\n{name}: {n:,} vectors of {flows.shape[1]} periods")
    print(f"  engine          {n / t_engine:>12,.0f} vectors/s  ({t_engine * 1e3:.1f} ms)")
    print(f"  pyxirr (loop)   {n / t_pyxirr:>12,.0f} vectors/s  ({t_pyxirr * 1e3:.1f} ms)")
    print(
        f"  numpy-financial {n_npf / t_npf:>12,.0f} vectors/s  "
        f"(timed on the first {n_npf:,} vectors only)"
    )
    print(f"  engine / pyxirr speed: {t_pyxirr / t_engine:.1f}x")
    for label, values, mask in (
        ("pyxirr", peer, ok),
        ("numpy-financial", peer_npf, ok[:n_npf]),
    ):
        both = mask & np.isfinite(values)
        diff = np.abs(values[both] - result.rate[: values.size][both])
        far = int(np.count_nonzero(diff > 1e-6))
        print(
            f"  max |engine - {label}| where the engine finds one root and {label} a value: "
            f"{diff.max() if diff.size else float('nan'):.2e} over {both.sum():,} vectors"
            f" ({far} differ by more than 1e-6)"
        )
    undefined = ", ".join(f"{r} {c:,}" for r, c in zip(reasons, counts, strict=True) if r != "ok")
    print(f"  undefined by the engine: {np.count_nonzero(~ok):,} of {n:,} ({undefined or 'none'})")
    print(f"  undefined by pyxirr (None): {np.count_nonzero(np.isnan(peer)):,} of {n:,}")
    print(
        f"  undefined by numpy-financial (nan): {np.count_nonzero(np.isnan(peer_npf)):,} "
        f"of {n_npf:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 vectors, fewer repeats")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    n, n_npf, repeat = (10_000, 500, 2) if args.quick else (100_000, 2_000, 3)
    print(f"BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']} (OPENBLAS_NUM_THREADS)")
    compare("SIB-shaped", sib_flows(n, 20, args.seed), n_npf, repeat)
    compare("random signs", random_flows(n, 20, args.seed), n_npf, repeat)


if __name__ == "__main__":
    main()
