"""Benchmark: propensity-score matching of n treated against n candidates.

Prints time and peak traced memory for n = 10^4, 10^5, 10^6 (``--quick``: 10^4, 10^5)
and the fitted log–log slope of time against n, for

- effekt's greedy nearest neighbour without replacement (MatchIt's rules);
- effekt's matching with replacement (Match's rules, exact ties only: with Match's
  default tolerance of 1e-5 on the squared standardised scale, a million candidates
  would give thousands of "ties" per treated unit);
- a straightforward scikit-learn ``NearestNeighbors`` 1-NN query (with replacement);
- R's MatchIt ``method="nearest"`` through Rscript where installed (10^4 and 10^5 only;
  its greedy search is quadratic).

Prints figures; asserts nothing.

    .venv/bin/python bench/matching.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.neighbors import NearestNeighbors

from effekt.engine.evaluation.matching import match_with_replacement, match_without_replacement

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(MatchIt))
d <- read.csv(args[1])
t0 <- proc.time()[["elapsed"]]
m <- matchit(treat ~ x, data = d, method = "nearest", distance = d$score)
cat(proc.time()[["elapsed"]] - t0, "\n")
"""


def scores(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """n treated with scores ~ Beta(3, 2) and n candidates ~ Beta(2, 3)."""
    rng = np.random.default_rng(seed)
    ps = np.concatenate([rng.beta(3, 2, n), rng.beta(2, 3, n)])
    treated = np.concatenate([np.ones(n, dtype=int), np.zeros(n, dtype=int)])
    return ps, treated


def measure(run: Callable[[], object]) -> tuple[float, float]:
    """Seconds (untraced run) and peak traced MiB (a second, traced run)."""
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20


def sklearn_1nn(ps: np.ndarray, treated: np.ndarray) -> np.ndarray:
    nn = NearestNeighbors(n_neighbors=1).fit(ps[treated == 0, None])
    _, idx = nn.kneighbors(ps[treated == 1, None])
    return np.asarray(idx[:, 0])


def matchit_seconds(ps: np.ndarray, treated: np.ndarray) -> float | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script, data = Path(tmp) / "m.R", Path(tmp) / "d.csv"
        script.write_text(R_SCRIPT)
        # integer-valued scores: MatchIt 4.5.1-4.5.3 truncates distances to integers
        rows = np.column_stack([treated, np.round(ps * 1e9), np.zeros_like(ps)])
        np.savetxt(data, rows, delimiter=",", header="treat,score,x", comments="", fmt="%d")
        done = subprocess.run([rscript, str(script), str(data)], capture_output=True, text=True)
        return float(done.stdout.split()[0]) if done.returncode == 0 else None


def slope(ns: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(time) on log(n)."""
    return float(np.polyfit(np.log(ns), np.log(seconds), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only n = 10^4 and 10^5")
    ns = [10**4, 10**5] if parser.parse_args().quick else [10**4, 10**5, 10**6]
    times: dict[str, list[float]] = {"greedy": [], "replace": [], "sklearn": []}
    print(f"{'n treated × n candidates':>26} {'method':<34} {'seconds':>9} {'peak MiB':>9}")
    for n in ns:
        ps, t = scores(n)
        y = np.zeros_like(ps)
        runs: list[tuple[str, str, Callable[[], object]]] = [
            ("greedy", "effekt greedy, no replacement", partial(match_without_replacement, ps, t)),
            (
                "replace",
                "effekt with replacement (Match)",
                partial(match_with_replacement, ps, t, y, distance_tolerance=0.0),
            ),
            ("sklearn", "scikit-learn NearestNeighbors 1-NN", partial(sklearn_1nn, ps, t)),
        ]
        for key, label, run in runs:
            seconds, peak = measure(run)
            times[key].append(seconds)
            print(f"{n:>12,} × {n:<11,} {label:<34} {seconds:>9.3f} {peak:>9.1f}")
        if n <= 10**5:
            r_seconds = matchit_seconds(ps, t)
            shown = "not installed" if r_seconds is None else f"{r_seconds:9.3f}"
            print(f"{n:>12,} × {n:<11,} {'R MatchIt nearest (in-R time)':<34} {shown:>9}")
    print()
    for key, label in (("greedy", "effekt greedy"), ("replace", "effekt with replacement"),
                       ("sklearn", "scikit-learn 1-NN")):  # fmt: skip
        fitted = slope(ns, times[key])
        print(f"log–log slope of time vs n, {label:<24} {fitted:5.2f}  ({ns[0]:,}…{ns[-1]:,})")
    if not math.isfinite(sum(times["greedy"])):
        print("greedy timing failed")


if __name__ == "__main__":
    main()
