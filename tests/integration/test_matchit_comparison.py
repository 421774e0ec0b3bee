"""Matched sets equal R's MatchIt; estimates equal R's Matching — run through Rscript.

R is installed on demand (Debian: ``apt-get install r-cran-matchit r-cran-matching``);
the tests fail with a clear message if that is impossible.

Two defects of MatchIt 4.5.1 (Debian bookworm's package) shape the comparison:

1. In MatchIt 4.5.1–4.5.3 the nearest-neighbour code for a propensity-score distance
   compares ``abs(d_i - d_j)`` through the *integer* ``abs``, so differences below 1 count
   as 0: the left neighbour always wins and calipers never bind (kosukeimai/MatchIt#163,
   fixed in 4.5.4). We implement the intended rule. Here both are fed the same
   integer-valued scores (propensity × 10^9, rounded), on which integer truncation is
   exact, so the comparison checks every convention (order, left/right ties, caliper,
   ratio rounds, discard, weights) rather than the defect.
2. For ``ratio > 1``, its "already matched to this unit" check compares a 0-based position
   with the 1-based ones it stored, so in a later round it can skip the control whose
   0-based position equals an earlier match's 1-based position (we saw it at 10^3 and
   10^5 rows). For ``ratio > 1`` the rows are therefore laid out so that controls next
   to each other in the data are far apart in score (treated first, then the controls
   alternating between the lower and the upper half of the scores) and controls are
   plentiful (about 12 % treated): the skipped control is then half the score range away,
   never the nearest available one, and the defect cannot change a match.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from effekt.engine.evaluation.matching import match_with_replacement, match_without_replacement
from effekt.engine.evaluation.propensity import fit_logit

R_PACKAGES = ["r-base-core", "r-cran-matchit", "r-cran-matching"]

MATCHIT_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(MatchIt))
d <- read.csv(args[1])
ratio <- as.integer(args[3])
cal <- if (args[4] == "none") NULL else as.numeric(args[4])
covs <- setdiff(names(d), c("treat", "score"))
f <- reformulate(covs, response = "treat")
dist <- if (args[7] == "score") d$score else "glm"
m <- matchit(f, data = d, method = "nearest", distance = dist, ratio = ratio,
             caliper = cal, m.order = args[5], discard = args[6])
mm <- m$match.matrix
num <- matrix(match(mm, rownames(d)), nrow = nrow(mm))
num[is.na(num)] <- 0L
write.csv(cbind(treated = match(rownames(mm), rownames(d)), num), args[2], row.names = FALSE)
write.csv(data.frame(distance = m$distance, weights = m$weights),
          paste0(args[2], ".units.csv"), row.names = FALSE)
"""

MATCH_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(Matching))
d <- read.csv(args[1])
cal <- if (args[5] == "none") NULL else as.numeric(args[5])
r <- Match(Y = d$y, Tr = d$treat, X = d$ps, M = as.integer(args[3]), estimand = args[4],
           caliper = cal)
write.csv(data.frame(est = r$est, se = r$se, rows = length(r$weights), wnobs = r$wnobs),
          args[2], row.names = FALSE)
"""


def _r_ready(rscript: str) -> bool:
    probe = "suppressMessages({library(MatchIt); library(Matching)})"
    return subprocess.run([rscript, "-e", probe], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def rscript() -> str:
    """Path of Rscript with MatchIt and Matching, installing them through apt if needed."""
    path = shutil.which("Rscript")
    if path is None or not _r_ready(path):
        apt = shutil.which("apt-get")
        if apt is None:
            pytest.fail("Rscript with MatchIt and Matching is required, and apt-get is missing")
        steps = [[apt, "update"], [apt, "install", "-y", "--no-install-recommends", *R_PACKAGES]]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode != 0:
                pytest.fail(
                    f"Installing R for the MatchIt comparison failed ({' '.join(step)}): "
                    f"{done.stderr[-500:]}"
                )
        path = shutil.which("Rscript")
        if path is None or not _r_ready(path):
            pytest.fail("R was installed but MatchIt or Matching does not load")
    return path


def _data(n: int, seed: int, intercept: float = -1.2) -> pd.DataFrame:
    """Covariates with some discrete ones (so scores tie) and a logit treatment."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n).round(3)
    x2 = rng.normal(size=n).round(2)
    x3 = rng.integers(0, 3, n).astype(float)
    lin = intercept + 0.8 * x1 - 0.5 * x2 + 0.3 * x3
    treat = (rng.random(n) < 1.0 / (1.0 + np.exp(-lin))).astype(int)
    return pd.DataFrame({"treat": treat, "x1": x1, "x2": x2, "x3": x3})


def _interleaved(df: pd.DataFrame, score: np.ndarray) -> pd.DataFrame:
    """Treated rows first, then controls alternating from the low and high score halves."""
    treated = np.flatnonzero(df["treat"] == 1)
    controls = np.flatnonzero(df["treat"] == 0)
    ranked = controls[np.argsort(score[controls], kind="stable")]
    half = (ranked.shape[0] + 1) // 2
    low, high = ranked[:half], ranked[half:]
    alternating = np.empty(ranked.shape[0], dtype=np.int64)
    alternating[0::2] = low
    alternating[1::2] = high
    return df.iloc[np.concatenate([treated, alternating])].reset_index(drop=True)


def _scores(df: pd.DataFrame) -> np.ndarray:
    x = np.column_stack([np.ones(len(df)), df["x1"], df["x2"], df["x3"]])
    return fit_logit(x, df["treat"]).fitted


def _run_matchit(
    rscript: str, tmp: Path, df: pd.DataFrame, ratio: int, caliper: float | None, order: str,
    discard: str, distance: str,
) -> tuple[np.ndarray, pd.DataFrame]:  # fmt: skip
    script, data, out = tmp / "matchit.R", tmp / "data.csv", tmp / "out.csv"
    script.write_text(MATCHIT_SCRIPT)
    df.to_csv(data, index=False)
    cal = "none" if caliper is None else repr(caliper)
    args = [rscript, str(script), str(data), str(out), str(ratio), cal, order, discard, distance]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    matrix = pd.read_csv(out).to_numpy()[:, 1:] - 1  # 0-based; -1 = no match
    return matrix, pd.read_csv(str(out) + ".units.csv")


CASES = [
    # n, seed, ratio, caliper, order, discard
    (1_000, 1, 1, None, "largest", "none"),
    (1_000, 2, 2, None, "largest", "none"),
    (1_000, 3, 3, 0.05, "smallest", "control"),
    (1_000, 4, 1, 0.1, "data", "both"),
    (10_000, 5, 1, None, "largest", "none"),
    (10_000, 6, 2, 0.02, "largest", "both"),
    (10_000, 7, 1, 0.1, "smallest", "treated"),
    (100_000, 8, 1, None, "largest", "none"),
    (100_000, 9, 1, 0.05, "largest", "both"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("n", "seed", "ratio", "caliper", "order", "discard"), CASES)
def test_matched_sets_are_identical_to_matchit(
    rscript: str, tmp_path: Path, n: int, seed: int, ratio: int, caliper: float | None,
    order: str, discard: str,
) -> None:  # fmt: skip
    df = _data(n, seed, intercept=-1.2 if ratio == 1 else -2.5)
    df["score"] = np.round(_scores(df) * 1e9)
    if ratio > 1:
        df = _interleaved(df, df["score"].to_numpy())
    r_matrix, r_units = _run_matchit(rscript, tmp_path, df, ratio, caliper, order, discard, "score")
    started = time.perf_counter()
    ours = match_without_replacement(
        df["score"], df["treat"], ratio=ratio, caliper=caliper, order=order, discard=discard
    )  # type: ignore[arg-type]
    assert time.perf_counter() - started < 5.0
    np.testing.assert_array_equal(ours.matches, r_matrix)
    np.testing.assert_allclose(ours.weights, r_units["weights"], rtol=1e-12)


@pytest.mark.slow
def test_propensity_scores_equal_matchit_glm_distance(rscript: str, tmp_path: Path) -> None:
    df = _data(10_000, 10)
    _, r_units = _run_matchit(rscript, tmp_path, df, 1, None, "largest", "none", "glm")
    np.testing.assert_allclose(_scores(df), r_units["distance"], rtol=1e-8, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("m", "estimand", "caliper"), [(1, "ATT", None), (2, "ATC", 0.2), (1, "ATE", 0.1)]
)
def test_with_replacement_equals_matching_match(
    rscript: str, tmp_path: Path, m: int, estimand: str, caliper: float | None
) -> None:
    df = _data(2_000, 11)
    df["ps"] = _scores(df)
    df["y"] = 2.0 * df["treat"] + df["x1"] + np.random.default_rng(12).normal(size=len(df))
    script, data, out = tmp_path / "match.R", tmp_path / "data.csv", tmp_path / "out.csv"
    script.write_text(MATCH_SCRIPT)
    df.to_csv(data, index=False, float_format="%.17g")
    cal = "none" if caliper is None else repr(caliper)
    args = [rscript, str(script), str(data), str(out), str(m), estimand, cal]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ref = pd.read_csv(out).iloc[0]
    ours = match_with_replacement(
        df["ps"], df["treat"], df["y"], M=m, estimand=estimand, caliper=caliper
    )  # type: ignore[arg-type]
    assert ours.estimate == pytest.approx(ref["est"], rel=1e-9)
    assert ours.se == pytest.approx(ref["se"], rel=1e-9)
    assert ours.n_matched == ref["rows"]
    assert ours.weighted_n == pytest.approx(ref["wnobs"])
