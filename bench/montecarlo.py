"""Monte Carlo throughput, bandwidth, scaling and memory on examples/hemmasittare.toml.

Prints figures, asserts nothing. Run from the repository root::

    .venv/bin/python bench/montecarlo.py            # full: scaling runs of >= 30 s
    .venv/bin/python bench/montecarlo.py --quick    # a short run of every figure

Figures:

* paths per second of ``effekt simulate`` (one process, chunks of 10,000 paths);
* the ratio to the scalar baseline on the same paths: the same draws, one path at a time
  through the engine, with NPV, IRR and money multiple from the scalar oracle
  (``effekt.oracle.finance``); person-level draws off on both sides so the paths agree;
* effective bandwidth — paths × periods × cash-flow lines (the accounts) × 8 bytes per
  second — against this machine's copy bandwidth measured in the same run (a 256 MiB
  ``np.copyto``, counted STREAM-style as bytes read plus bytes written); for the
  cash-flow engine alone (drawn inputs to every account's flows: the compiled engine,
  and the NumPy reference beside it) and for the whole simulation (draws, engine,
  person-level draws, NPV/IRR/multiple per party, summaries);
* the ceiling of any engine that writes its cash flows out, as the compiled engine does:
  the same paths-last outputs written from a block in cache, with nothing computed —
  the fraction of copy bandwidth no such engine can pass;
* scaling efficiency from 1 to 2 worker processes: T1 / (2 · T2);
* peak memory (RSS) per million paths: two runs in fresh processes, the slope between
  them, and the extrapolation to 10,000,000 paths.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from effekt.contract.load import load_contract  # noqa: E402
from effekt.engine.cashflow import cash_flows  # noqa: E402
from effekt.engine.kernel import kernel_flows  # noqa: E402
from effekt.engine.kernel.plan import kernel_plan  # noqa: E402
from effekt.engine.montecarlo import party_rate, path_values, with_person_level  # noqa: E402
from effekt.engine.sampling import sample_inputs, sampling_plan  # noqa: E402
from effekt.oracle import finance as oracle  # noqa: E402
from effekt.services.simulate import simulate  # noqa: E402

EXAMPLE = "examples/hemmasittare.toml"


def copy_bandwidth(mib: int = 256, repeat: int = 5) -> float:
    """Bytes per second of a large array copy (read + write)."""
    src = np.ones(mib * 2**20 // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best


def throughput(paths: int, workers: int = 1, person_level: bool | None = None) -> float:
    c = load_contract(EXAMPLE)
    start = time.perf_counter()
    simulate(c, paths, seed=1, workers=workers, person_level=person_level)
    return time.perf_counter() - start


def scalar_baseline(n: int, k: int) -> tuple[float, float, float]:
    """(vectorised s/path on n paths, scalar s/path on the first k of them, largest NPV gap)."""
    c = with_person_level(load_contract(EXAMPLE), False)
    inp = sample_inputs(sampling_plan(c), np.random.default_rng(3), n)
    start = time.perf_counter()
    cf = cash_flows(c, inp)
    vec = path_values(c, cf, inp)
    t_vec = (time.perf_counter() - start) / n
    m = c.periods_per_year
    diff = 0.0
    start = time.perf_counter()
    for i in range(k):
        one = {k: v[i : i + 1] for k, v in inp.items()}
        flows = cash_flows(c, one).flows[0]
        for j, p in enumerate(c.parties):
            f = flows[j].tolist()
            rate = (1 + party_rate(c, p.id)) ** (1 / m) - 1
            value = oracle.npv(rate, f)
            oracle.irr(f)
            oracle.moic(f)
            diff = max(diff, abs(value - float(vec[f"party/{p.id}/npv"][i])))
    t_scalar = (time.perf_counter() - start) / k
    return t_vec, t_scalar, diff


def engine_rate(n: int, repeat: int = 5) -> tuple[float, float]:
    """Paths per second of the cash-flow engine alone on ``n`` drawn paths (person-level
    draws off): (compiled, NumPy reference), best of ``repeat`` after a warm-up."""
    c = with_person_level(load_contract(EXAMPLE), False)
    inp = sample_inputs(sampling_plan(c), np.random.default_rng(5), n)
    plan = kernel_plan(c)
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        start = time.perf_counter()
        kernel_flows(c, inp, plan=plan, reuse=True)  # outputs in warm memory, as in a run
        best[0] = min(best[0], time.perf_counter() - start)
    small = {k: v[: n // 10] for k, v in inp.items()}
    for _ in range(2):
        start = time.perf_counter()
        cash_flows(c, small)
        best[1] = min(best[1], (time.perf_counter() - start) * 10)
    return n / best[0], n / best[1]


def _write_out(out: np.ndarray, block: np.ndarray) -> None:
    """The compiled engine's last step alone: a block of paths written into the
    paths-last outputs, block after block (the same loop as ``run_blocks``)."""
    rows, width = block.shape
    for b0 in range(0, out.shape[1], width):
        n = min(width, out.shape[1] - b0)
        for r in range(rows):
            for b in range(n):
                out[r, b0 + b] = block[r, b]


def output_floor(n: int, rows: int, repeat: int = 7) -> float:
    """Paths per second of an engine that computed nothing and only wrote its ``rows``
    values per path (flows, payments by payer, outcomes gained) to memory, as the
    compiled engine does: the ceiling of any engine whose outputs are the cash flows."""
    import numba

    from effekt.engine.kernel.jit import BLOCK

    write = numba.njit(cache=False)(_write_out)
    block = np.random.default_rng(0).random((rows, BLOCK))
    out = np.empty((rows, n))
    write(out, block)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        write(out, block)
        best = min(best, time.perf_counter() - start)
    return n / best


def peak_rss_mib(paths: int) -> float:
    """Peak RSS (MiB) of a fresh process simulating ``paths`` paths in one process."""
    code = (
        "import sys\n"
        "from effekt.contract.load import load_contract\n"
        "from effekt.services.simulate import simulate\n"
        f"simulate(load_contract({EXAMPLE!r}), {paths}, seed=1)\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(hwm.split()[1])\n"
    )
    # VmHWM (the peak resident set of this process image; ru_maxrss would carry the
    # parent's peak across fork and exec)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs of every figure")
    args = parser.parse_args()
    quick = args.quick
    c = load_contract(EXAMPLE)
    lines = len(c.parties) + 2  # every party, the deal account and the outside account
    periods = c.term_periods
    print(f"examples/hemmasittare.toml: {periods} periods, {lines} cash-flow lines")
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")

    n = 50_000 if quick else 200_000
    throughput(10_000)  # warm up imports and caches
    t = throughput(n)
    rate = n / t
    print(f"paths per second (1 process, person-level draws on): {rate:,.0f}  [{n:,} paths]")
    t_off = throughput(n, person_level=False)
    print(f"paths per second (person-level draws off):            {n / t_off:,.0f}")

    k = 50 if quick else 300
    t_vec, t_scalar, diff = scalar_baseline(10_000, k)
    print(
        f"scalar baseline: {1 / t_scalar:,.1f} paths/s on {k} paths; vectorised engine "
        f"{1 / t_vec:,.0f} paths/s on 10,000 of the same draws: ratio {t_scalar / t_vec:,.0f}x "
        f"(largest NPV difference {diff:.2e})"
    )
    ratio_sim = (n / t_off) * t_scalar
    print(
        f"ratio of the full simulation (person-level off) to the scalar baseline: {ratio_sim:,.0f}x"
    )

    bw = copy_bandwidth()
    per_path = periods * lines * 8
    compiled, reference = engine_rate(10_000)
    print(f"copy bandwidth: {bw / 1e9:,.2f} GB/s (256 MiB np.copyto, read + write)")
    for label, r in (
        ("cash-flow engine, compiled (10,000 paths)", compiled),
        ("cash-flow engine, NumPy reference", reference),
        ("whole simulation, person-level draws on", rate),
    ):
        eff = r * per_path
        print(
            f"effective bandwidth, {label}: {r:,.0f} paths/s = {eff / 1e6:,.1f} MB/s; "
            f"fraction of copy bandwidth {eff / bw:.4f}"
        )
    rows = (lines + len(kernel_plan(c).payer_acct) + len(c.metrics)) * periods
    floor = output_floor(10_000, rows)
    print(
        f"ceiling of an engine that writes its flows: only writing its {rows} values per path "
        f"(10,000 paths) runs at {floor:,.0f} paths/s = {1e9 / floor:,.0f} ns per path; "
        f"fraction of copy bandwidth at most {floor * per_path / bw:.4f}"
    )

    target = 5.0 if quick else 30.0
    n_scale = max(20_000, int(rate * target * 1.1) // 10_000 * 10_000)
    print(f"load average before scaling: {os.getloadavg()[0]:.2f}")
    t1 = throughput(n_scale, workers=1)
    for _ in range(3):  # the goal is on a run of at least `target` s: a faster host runs more
        if t1 >= target:
            break
        n_scale = int(n_scale * target * 1.15 / t1) // 10_000 * 10_000
        t1 = throughput(n_scale, workers=1)
    t2 = throughput(n_scale, workers=2)
    print(
        f"scaling 1 -> 2 workers on {n_scale:,} paths: {t1:.1f} s -> {t2:.1f} s, "
        f"efficiency {t1 / (2 * t2):.2f}"
        + ("" if t1 >= target else f" (the 1-worker run is under {target:.0f} s)")
    )

    small, large = (50_000, 200_000) if quick else (200_000, 1_000_000)
    r_small, r_large = peak_rss_mib(small), peak_rss_mib(large)
    slope = (r_large - r_small) / ((large - small) / 1e6)
    base = r_small - slope * small / 1e6
    print(
        f"peak RSS: {r_small:,.0f} MiB at {small:,} paths, {r_large:,.0f} MiB at {large:,}; "
        f"{slope:,.0f} MiB per million paths over a base of {base:,.0f} MiB; "
        f"10,000,000 paths -> about {base + 10 * slope:,.0f} MiB"
    )
    print(
        f"this process's peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
