"""Propensity-score matching: greedy 1:k without replacement, and 1:M with replacement.

Two conventions are followed exactly, so that results can be checked against R.

**Without replacement** follows MatchIt's ``matchit(method = "nearest", replace = FALSE)``
(MatchIt ≥ 4.5.1 with a propensity-score distance; its ``nn_matchC_vec``):

- all units are sorted by distance (the propensity score), stably, so equal scores keep
  data order; a treated unit's candidates are the nearest *available* control to its left
  and to its right in that order; the left one wins when both are equally far;
- treated units are matched one at a time in ``order``: ``"largest"`` score first
  (MatchIt's default for ATT with a propensity score), ``"smallest"``, ``"data"``, or
  ``"random"`` (a NumPy permutation from ``seed``; R's own random order cannot be
  reproduced);
- for ``ratio = k`` every treated unit gets its first control, then, in the same order,
  its second, and so on;
- a caliper is in standard deviations of the score (``sd`` of the units not discarded,
  ``n - 1`` denominator) unless ``caliper_std=False``; the nearest available control on a
  side beyond the caliper means no match on that side;
- ``discard`` trims units outside the common support before matching (MatchIt's rule).

Finding the nearest available control uses two union–find "next available" pointer arrays
over the sorted controls (one pointing left, one right) with path compression, so matching
is O(n log n) for the sort plus almost-linear time for the greedy pass, with O(n) memory.

**With replacement** follows Matching's ``Match(Y, Tr, X = ps, M)`` (Matching 4.10):

- the score is standardised by its sample standard deviation, the distance is the squared
  standardised difference, and every control within ``distance_tolerance`` (``1e-5``, on
  that squared scale) of the M-th nearest distance is kept; tied controls share the
  treated unit's weight (``ties=True``). ``ties=False`` keeps the M nearest, breaking exact
  ties by data order (R breaks them at random);
- a caliper is in (population) standard deviations of the score; a treated unit with
  fewer than M controls inside it is dropped, as in ``Match``;
- the standard error is Abadie and Imbens' (2006) with ``Var.calc = 0`` (homoskedastic
  conditional variance estimated from the matched differences) and ``sample = FALSE``,
  the ``se`` that ``summary(Match(...))`` prints as "AI SE". ``Match`` keeps treated units
  dropped by a caliper in the variance's denominator; so do we, to give its numbers.

Both scale to millions of rows: the work is a sort, binary searches, a near-linear
greedy pass, and array operations in bounded chunks (``bench/matching.py``).

MatchIt 4.5.1–4.5.3 (Debian bookworm's package) deviate from their own rule: distances are
compared through the integer ``abs`` (so the left neighbour always wins and calipers do
not bind; kosukeimai/MatchIt#163), and for ``ratio > 1`` a 0-based/1-based mix-up can skip
a control in later rounds. We follow the intended rule; ``tests/integration`` shows the
matched sets are identical wherever those defects cannot act.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from effekt.errors import DataError
from effekt.i18n import Phrase

__all__ = [
    "MatchedDifference",
    "NearestMatch",
    "ReplacementMatch",
    "common_support",
    "match_with_replacement",
    "match_without_replacement",
    "matched_difference",
]

Discard = Literal["none", "both", "treated", "control"]
Order = Literal["largest", "smallest", "data", "random"]
Estimand = Literal["ATT", "ATC", "ATE"]

_CCC = math.sqrt(float(np.finfo(np.float64).eps))
_CHUNK = 1 << 15


def _check_option(name: str, value: object, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise DataError("evaluation.bad_option", name=name, value=value, allowed=", ".join(allowed))


def _inputs(ps: ArrayLike, treated: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    x = np.asarray(ps, dtype=np.float64)
    t = np.asarray(treated)
    if x.ndim != 1 or t.shape != x.shape:
        raise DataError("evaluation.length_mismatch", detail=f"scores {x.shape}, treated {t.shape}")
    if not np.all(np.isfinite(x)):
        raise DataError("evaluation.not_finite", what=Phrase("stats.what.propensity_score"))
    if not np.all((t == 0) | (t == 1)):
        raise DataError("evaluation.not_binary")
    tb = t.astype(bool)
    if not tb.any():
        raise DataError("evaluation.no_treated")
    if tb.all():
        raise DataError("evaluation.no_controls")
    return x, tb


def common_support(
    ps: ArrayLike, treated: ArrayLike, discard: Discard = "both"
) -> NDArray[np.bool_]:
    """Which units lie outside the common support (``True`` = discard), MatchIt's rule.

    ``"both"`` drops every unit whose score is below the larger of the two group minima
    or above the smaller of the two group maxima; ``"treated"`` drops only treated units
    outside the controls' range; ``"control"`` only controls outside the treated range.

    >>> common_support([0.1, 0.2, 0.5, 0.3, 0.9], [0, 1, 1, 0, 0]).tolist()
    [True, False, False, False, True]
    """
    x, t = _inputs(ps, treated)
    _check_option("discard", discard, ("none", "both", "treated", "control"))
    if discard == "none":
        return np.zeros(x.shape, dtype=bool)
    lo1, hi1 = float(x[t].min()), float(x[t].max())
    lo0, hi0 = float(x[~t].min()), float(x[~t].max())
    if discard == "both":
        out = (x < max(lo0, lo1)) | (x > min(hi0, hi1))
    elif discard == "control":
        out = ~t & ((x < lo1) | (x > hi1))
    else:
        out = t & ((x < lo0) | (x > hi0))
    return np.asarray(out, dtype=bool)


# --------------------------------------------------------------------------- without


@dataclass(frozen=True)
class NearestMatch:
    """Result of greedy nearest-neighbour matching without replacement.

    ``matches[r, j]`` is the data position of the ``j``-th control matched to the treated
    unit at position ``treated_index[r]`` (``-1``: none). ``weights`` are MatchIt's ATT
    weights (matched treated 1; a control ``1 / k_i`` for its treated unit's ``k_i``
    controls, rescaled to sum to the number of matched controls; unmatched 0).
    ``subclass`` is the treated unit's position for each matched unit, ``-1`` otherwise.
    ``caliper`` is the caliper in score units (``None``: none).
    """

    treated_index: NDArray[np.int64]
    matches: NDArray[np.int64]
    weights: NDArray[np.float64]
    subclass: NDArray[np.int64]
    discarded: NDArray[np.bool_]
    caliper: float | None

    @property
    def n_matched_treated(self) -> int:
        """Treated units with at least one control."""
        return int(np.sum(self.matches[:, 0] >= 0)) if self.matches.size else 0

    @property
    def n_matched_controls(self) -> int:
        """Controls used (each at most once)."""
        return int(np.sum(self.matches >= 0))


def _find(parent: list[int], k: int) -> int:
    root = k
    while parent[root] != root:
        root = parent[root]
    while parent[k] != root:
        parent[k], k = root, parent[k]
    return root


def _treated_order(x: NDArray[np.float64], order: Order, seed: int | None) -> NDArray[np.int64]:
    if order == "largest":
        return np.argsort(-x, kind="stable")
    if order == "smallest":
        return np.argsort(x, kind="stable")
    if order == "random":
        return np.random.default_rng(seed).permutation(x.shape[0])
    return np.arange(x.shape[0])


def match_without_replacement(
    ps: ArrayLike,
    treated: ArrayLike,
    *,
    ratio: int = 1,
    caliper: float | None = None,
    caliper_std: bool = True,
    order: Order = "largest",
    seed: int | None = None,
    discard: Discard = "none",
) -> NearestMatch:
    """Greedy nearest-neighbour 1:``ratio`` matching on ``ps``, as MatchIt does it.

    >>> m = match_without_replacement([0.9, 0.8, 0.85, 0.2, 0.7], [1, 1, 0, 0, 0])
    >>> m.matches[:, 0].tolist()    # unit 0 (largest) takes 2, then unit 1 takes 4
    [2, 4]
    """
    x, t = _inputs(ps, treated)
    _check_option("order", order, ("largest", "smallest", "data", "random"))
    if int(ratio) != ratio or ratio < 1:
        raise DataError("evaluation.bad_option", name="ratio", value=ratio, allowed="1, 2, …")
    discarded = common_support(x, t, discard)
    cal: float | None = None
    if caliper is not None:
        if not caliper >= 0:
            raise DataError("evaluation.bad_option", name="caliper", value=caliper, allowed=">= 0")
        kept = x[~discarded]
        cal = float(caliper) * (float(np.std(kept, ddof=1)) if caliper_std else 1.0)

    d_ord = np.argsort(x, kind="stable")
    is_ctrl = ~t[d_ord]
    controls = d_ord[is_ctrl]  # data positions of controls, in score order
    cvals: list[float] = x[controls].tolist()
    n_c = len(cvals)
    before: NDArray[np.int64] = (
        np.cumsum(is_ctrl) - is_ctrl
    )  # controls strictly before each sorted position
    split = np.empty(x.shape[0], dtype=np.int64)
    split[d_ord] = before
    treated_index = np.flatnonzero(t)
    n_t = treated_index.shape[0]

    right = list(range(n_c + 1))  # right[k]: first available >= k; n_c = none
    left = list(range(n_c + 1))  # left[k + 1]: last available <= k; 0 = none
    available = n_c
    for k in np.flatnonzero(discarded[controls]).tolist():
        right[k] = k + 1
        left[k + 1] = k
        available -= 1

    matches = np.full((n_t, int(ratio)), -1, dtype=np.int64)
    row_order = _treated_order(x[treated_index], order, seed).tolist()
    t_split: list[int] = split[treated_index].tolist()
    t_vals: list[float] = x[treated_index].tolist()
    t_disc: list[bool] = discarded[treated_index].tolist()
    chosen: list[list[int]] = [[] for _ in range(int(ratio))]
    rows: list[list[int]] = [[] for _ in range(int(ratio))]
    use_cal = cal is not None
    cal_v = cal if cal is not None else 0.0
    for r in range(int(ratio)):
        if available == 0:
            break
        for row in row_order:
            if t_disc[row]:
                continue
            p = t_split[row]
            v = t_vals[row]
            kl = _find(left, p) - 1
            kr = _find(right, p)
            if kl >= 0 and use_cal and abs(v - cvals[kl]) > cal_v:
                kl = -1
            if kr < n_c and use_cal and abs(v - cvals[kr]) > cal_v:
                kr = n_c
            if kl >= 0 and kr < n_c:
                k = kl if abs(cvals[kl] - v) <= abs(cvals[kr] - v) else kr
            elif kl >= 0:
                k = kl
            elif kr < n_c:
                k = kr
            else:
                continue
            right[k] = k + 1
            left[k + 1] = k
            chosen[r].append(k)
            rows[r].append(row)
            available -= 1
            if available == 0:
                break
    for r in range(int(ratio)):
        if rows[r]:
            matches[np.asarray(rows[r]), r] = controls[np.asarray(chosen[r])]
    weights, subclass = _nearest_weights(matches, treated_index, x.shape[0])
    return NearestMatch(
        treated_index=treated_index,
        matches=matches,
        weights=weights,
        subclass=subclass,
        discarded=discarded,
        caliper=cal,
    )


def _nearest_weights(
    matches: NDArray[np.int64], treated_index: NDArray[np.int64], n: int
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    weights = np.zeros(n, dtype=np.float64)
    subclass = np.full(n, -1, dtype=np.int64)
    k = np.sum(matches >= 0, axis=1)
    has = k > 0
    weights[treated_index[has]] = 1.0
    subclass[treated_index[has]] = treated_index[has]
    rows, cols = np.nonzero(matches >= 0)
    ctrl = matches[rows, cols]
    np.add.at(weights, ctrl, 1.0 / k[rows])
    subclass[ctrl] = treated_index[rows]
    if ctrl.size:
        total = weights[ctrl].sum()
        weights[ctrl] *= ctrl.size / total
    return weights, subclass


@dataclass(frozen=True)
class MatchedDifference:
    """Weighted difference in mean outcomes on a matched sample, with a cluster-robust SE."""

    estimate: float
    se: float
    n_treated: int
    n_controls: int
    n_clusters: int


def matched_difference(
    outcome: ArrayLike,
    treated: ArrayLike,
    weights: ArrayLike,
    subclass: ArrayLike | None = None,
) -> MatchedDifference:
    """Effect on the treated from a matched sample: weighted means and a robust SE.

    The estimate is the coefficient on ``treated`` in the weighted regression
    ``outcome ~ treated`` (the difference in weighted means), as MatchIt's vignette
    recommends; its SE is clustered on ``subclass`` (the matched pair or set) with the
    small-sample factor ``G/(G-1) · (n-1)/(n-2)`` of R's ``sandwich::vcovCL`` (type
    ``"HC1"``). Without ``subclass`` every unit is its own cluster (HC1).
    """
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(treated).astype(bool)
    w = np.asarray(weights, dtype=np.float64)
    keep = w > 0
    if not np.any(keep & t):
        raise DataError("evaluation.no_matches")
    if not np.any(keep & ~t):
        raise DataError("evaluation.no_controls")
    y, t, w = y[keep], t[keep], w[keep]
    cl = (
        np.arange(y.shape[0])
        if subclass is None
        else np.unique(np.asarray(subclass)[keep], return_inverse=True)[1]
    )
    mt = float(np.sum(w[t] * y[t]) / np.sum(w[t]))
    mc = float(np.sum(w[~t] * y[~t]) / np.sum(w[~t]))
    est = mt - mc
    resid = y - np.where(t, mt, mc)
    xmat = np.column_stack([np.ones(y.shape[0]), t.astype(np.float64)])
    bread = np.linalg.inv(xmat.T @ (xmat * w[:, None]))
    scores = xmat * (w * resid)[:, None]
    n_cl = int(cl.max()) + 1
    summed = np.zeros((n_cl, 2))
    np.add.at(summed, cl, scores)
    meat = summed.T @ summed
    n = y.shape[0]
    adj = (n_cl / (n_cl - 1.0)) * ((n - 1.0) / (n - 2.0)) if n_cl > 1 and n > 2 else math.nan
    vcov = bread @ meat @ bread * adj
    return MatchedDifference(
        estimate=est,
        se=float(math.sqrt(max(vcov[1, 1], 0.0))),  # roundoff can leave -1e-18 when it is 0
        n_treated=int(t.sum()),
        n_controls=int((~t).sum()),
        n_clusters=n_cl,
    )


# ------------------------------------------------------------------------------ with


@dataclass(frozen=True)
class ReplacementMatch:
    """Result of ``Match()``-style matching with replacement.

    ``index_treated``, ``index_control`` and ``pair_weights`` are Match's matched rows
    (``1 / M_i`` each, ``M_i`` the number of tied controls of that unit). ``weights`` is
    per unit: a matched focal unit 1, a control (ATT) the sum of its pair weights, so the
    weighted groups have equal size; for ATE every unit gets 1 plus its use as a match.
    """

    estimand: str
    estimate: float
    se: float
    se_standard: float
    index_treated: NDArray[np.int64]
    index_control: NDArray[np.int64]
    pair_weights: NDArray[np.float64]
    weights: NDArray[np.float64]
    dropped: NDArray[np.int64]
    discarded: NDArray[np.bool_]

    @property
    def n_matched(self) -> int:
        """Matched rows, unweighted (Match's "Matched number of observations (unweighted)")."""
        return int(self.pair_weights.shape[0])

    @property
    def n_controls_unique(self) -> int:
        """Distinct controls used."""
        return int(np.unique(self.index_control).shape[0])

    @property
    def weighted_n(self) -> float:
        """Sum of pair weights (Match's ``wnobs``): the matched focal units."""
        return float(self.pair_weights.sum())


def _standardise(x: NDArray[np.float64]) -> NDArray[np.float64]:
    n = x.shape[0]
    mu = math.fsum(x.tolist()) / n
    sq = math.fsum((x * x).tolist())
    sig = math.sqrt(max(_CCC, sq) / n - mu * mu) * math.sqrt(n / (n - 1.0))
    sig = max(sig, _CCC)
    return np.asarray((x - mu) / sig, dtype=np.float64)


def _nearest_rows(
    focal: NDArray[np.int64],
    opposite: NDArray[np.int64],
    xs: NDArray[np.float64],
    x: NDArray[np.float64],
    m: int,
    tolerance: float,
    ecaliper: float | None,
    ties: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Match every focal unit to its ``m`` nearest opposite units (plus ties)."""
    srt = opposite[np.argsort(xs[opposite], kind="stable")]
    s = xs[srt]
    s_raw = x[srt]
    n_o = s.shape[0]
    out_f: list[NDArray[np.int64]] = []
    out_o: list[NDArray[np.int64]] = []
    out_w: list[NDArray[np.float64]] = []
    for start in range(0, focal.shape[0], _CHUNK):
        f = focal[start : start + _CHUNK]
        v = xs[f]
        v_raw = x[f]
        lo = np.searchsorted(s, v, side="left") - 1
        hi = lo + 1
        dist = np.full(v.shape, np.inf)
        for _ in range(m):
            li = np.clip(lo, 0, n_o - 1)
            hi_c = np.clip(hi, 0, n_o - 1)
            dl = np.where(lo >= 0, (s[li] - v) ** 2, np.inf)
            dr = np.where(hi < n_o, (s[hi_c] - v) ** 2, np.inf)
            if ecaliper is not None:
                dl = np.where(np.abs(v_raw - s_raw[li]) > ecaliper, np.inf, dl)
                dr = np.where(np.abs(v_raw - s_raw[hi_c]) > ecaliper, np.inf, dr)
            take_left = dl <= dr
            dist = np.where(take_left, dl, dr)
            lo = np.where(take_left, lo - 1, lo)
            hi = np.where(take_left, hi, hi + 1)
        ok = np.isfinite(dist)
        f, v, v_raw, dist = f[ok], v[ok], v_raw[ok], dist[ok]
        limit = dist + tolerance
        radius = np.sqrt(limit) * (1.0 + 1e-9) + 1e-300
        a = np.searchsorted(s, v - radius, side="left")
        b = np.searchsorted(s, v + radius, side="right")
        counts = b - a
        rep = np.repeat(np.arange(f.shape[0]), counts)
        offs = np.arange(rep.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
        j = a[rep] + offs
        keep = (s[j] - v[rep]) ** 2 <= limit[rep]
        if ecaliper is not None:
            keep &= np.abs(v_raw[rep] - s_raw[j]) <= ecaliper
        rep, j = rep[keep], j[keep]
        if not ties:
            d = (s[j] - v[rep]) ** 2
            o = np.lexsort((srt[j], d, rep))
            rep, j = rep[o], j[o]
            first = np.searchsorted(rep, np.arange(f.shape[0]), side="left")
            rank = np.arange(rep.shape[0]) - first[rep]
            rep, j = rep[rank < m], j[rank < m]
        mi = np.bincount(rep, minlength=f.shape[0]).astype(np.float64)
        out_f.append(f[rep])
        out_o.append(srt[j])
        out_w.append(1.0 / mi[rep])
    fi = np.concatenate(out_f) if out_f else np.empty(0, dtype=np.int64)
    oi = np.concatenate(out_o) if out_o else np.empty(0, dtype=np.int64)
    wi = np.concatenate(out_w) if out_w else np.empty(0, dtype=np.float64)
    o = np.lexsort((oi, fi))
    return fi[o], oi[o], wi[o]


def match_with_replacement(
    ps: ArrayLike,
    treated: ArrayLike,
    outcome: ArrayLike,
    *,
    M: int = 1,  # noqa: N803 - Match's name
    estimand: Estimand = "ATT",
    caliper: float | None = None,
    ties: bool = True,
    distance_tolerance: float = 1e-5,
    discard: Discard = "none",
) -> ReplacementMatch:
    """Nearest-neighbour matching with replacement and the Abadie–Imbens SE, as ``Match``.

    ``ps`` is the matching variable as given (Match's ``X``; in its lalonde regression test
    the fitted values of a logit). Returns the estimate of ``estimand`` and its SE.
    """
    x_all, t_all = _inputs(ps, treated)
    y_all = np.asarray(outcome, dtype=np.float64)
    if y_all.shape != x_all.shape:
        raise DataError("evaluation.length_mismatch", detail=f"outcome {y_all.shape}")
    if not np.all(np.isfinite(y_all)):
        raise DataError("evaluation.not_finite", what=Phrase("stats.what.outcome"))
    _check_option("estimand", estimand, ("ATT", "ATC", "ATE"))
    if int(M) != M or M < 1:
        raise DataError("evaluation.bad_option", name="M", value=M, allowed="1, 2, …")
    discarded = common_support(x_all, t_all, discard)
    kept = np.flatnonzero(~discarded)
    x, t, y = x_all[kept], t_all[kept], y_all[kept]
    if not t.any():
        raise DataError("evaluation.no_treated")
    if t.all():
        raise DataError("evaluation.no_controls")
    n = x.shape[0]
    xs = _standardise(x)
    ecal = None
    if caliper is not None:
        mu = math.fsum(x.tolist()) / n
        ecal = float(caliper) * math.sqrt(math.fsum(((x - mu) ** 2).tolist()) / n)
    treated_pos = np.flatnonzero(t)
    control_pos = np.flatnonzero(~t)

    def rows_for(
        focal: NDArray[np.int64], opposite: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        m = min(int(M), opposite.shape[0])
        if estimand == "ATE":
            m = min(int(M), treated_pos.shape[0], control_pos.shape[0])
        return _nearest_rows(focal, opposite, xs, x, m, distance_tolerance, ecal, ties)

    if estimand == "ATT":
        parts = [rows_for(treated_pos, control_pos)]
        focal_all = treated_pos
    elif estimand == "ATC":
        parts = [rows_for(control_pos, treated_pos)]
        focal_all = control_pos
    else:
        parts = [rows_for(treated_pos, control_pos), rows_for(control_pos, treated_pos)]
        focal_all = np.arange(n)
    fi = np.concatenate([p[0] for p in parts])
    oi = np.concatenate([p[1] for p in parts])
    wi = np.concatenate([p[2] for p in parts])
    if fi.shape[0] == 0:
        raise DataError("evaluation.no_matches")
    order = np.lexsort((oi, fi))
    fi, oi, wi = fi[order], oi[order], wi[order]
    tr_i = np.where(t[fi], fi, oi)
    co_i = np.where(t[fi], oi, fi)
    tau = y[tr_i] - y[co_i]
    sw = float(wi.sum())
    est = float(np.sum(wi * tau) / sw)

    # Abadie–Imbens variance (Var.calc = 0, sample = FALSE), as in Matching's RmatchLoop.
    kcount = np.bincount(oi, weights=wi, minlength=n)
    kkcount = np.bincount(oi, weights=wi * wi, minlength=n)
    ymat = np.bincount(fi, weights=wi * y[oi], minlength=n)
    matched_focal = np.bincount(fi, minlength=n) > 0
    ycaus = np.where(t, y - ymat, ymat - y)
    ycaus = np.where(matched_focal, ycaus, 0.0)
    sigs = 0.5 * float(np.sum(wi * (tau - est) ** 2)) / sw
    sn = float(focal_all.shape[0])
    if estimand == "ATE":
        var_pop = sigs * float(np.sum(kcount**2 + 2 * kcount - kkcount)) / sn**2
    else:
        var_pop = sigs * float(np.sum(kcount**2 - kkcount)) / sn**2
    var_pop += float(np.sum((ycaus[focal_all] - est) ** 2)) / sn**2
    se_standard = math.sqrt(float(np.sum(wi * (tau - est) ** 2)) / sw**2)

    weights = np.zeros(x_all.shape[0], dtype=np.float64)
    if estimand == "ATE":
        unit_w = kcount + matched_focal
    else:
        unit_w = np.where(matched_focal, 1.0, kcount)
    weights[kept] = unit_w
    dropped = kept[focal_all[~matched_focal[focal_all]]]
    return ReplacementMatch(
        estimand=estimand,
        estimate=est,
        se=math.sqrt(var_pop),
        se_standard=se_standard,
        index_treated=kept[tr_i],
        index_control=kept[co_i],
        pair_weights=wi,
        weights=weights,
        dropped=dropped,
        discarded=discarded,
    )
