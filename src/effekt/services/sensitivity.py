"""Use case: which uncertain inputs drive a result (``effekt sensitivity``).

Two views of the same output (default: the main investor's NPV):

* a **tornado** — each uncertain input at its 10th and 90th percentile with every other
  input at its expected value, through the deterministic engine (all 2·V cases as
  paths of one engine call); sorted by swing;
* **variance-based indices** over the uncertain inputs drawn independently: first order
  by Saltelli (2010), ``S_i = mean(f(B)·(f(A_B^i) − f(A))) / Var(Y)``, and total by
  Jansen (1999), ``ST_i = mean((f(A) − f(A_B^i))²) / (2·Var(Y))``, with ``A_B^i`` the
  matrix ``A`` with column *i* from ``B``. Person-level draws are off, so the output is
  a function of the inputs.

A distribution with an ``id`` is one input wherever it appears (see
:mod:`effekt.engine.sampling`).
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import numpy.typing as npt

from effekt.contract.model import Contract
from effekt.contract.parties import RISKING_ROLES
from effekt.engine.cashflow import cash_flows
from effekt.engine.finance import party_returns
from effekt.engine.inputs import Inputs, expected_inputs, input_kind
from effekt.engine.montecarlo import path_values, with_person_level
from effekt.engine.sampling import SamplingPlan, quantile, sampling_plan
from effekt.errors import InputError, UsageError
from effekt.i18n import Phrase, translate
from effekt.i18n.format import number
from effekt.services.memory import refuse_beyond_memory

__all__ = ["OUTPUT_KINDS", "default_output", "evaluate", "sensitivity", "sensitivity_svg"]

FloatArray = npt.NDArray[np.float64]
OUTPUT_KINDS = ("npv", "irr", "moic", "total")


def default_output(c: Contract) -> str:
    """The main investor's NPV: the investor with the largest commitment (else party 1)."""
    commitment: dict[str, float] = {}
    for t in c.financing.tranches:
        commitment[t.investor] = commitment.get(t.investor, 0.0) + t.commitment
    investors = [p.id for p in c.parties if p.role == "investor"]
    if investors:
        main = max(investors, key=lambda pid: commitment.get(pid, 0.0))
        return f"{main}.npv"
    return f"{c.parties[0].id}.npv"


def _parse_output(c: Contract, output: str) -> str:
    party, _, kind = output.rpartition(".")
    if kind not in OUTPUT_KINDS or party not in [p.id for p in c.parties]:
        raise UsageError(  # an option's value, as solve's --target: exit 2
            "sensitivity.unknown_output",
            output=output,
            parties=", ".join(p.id for p in c.parties),
        )
    return f"party/{party}/{kind}"


def _refuse_undefined_return(c: Contract, output: str) -> None:
    """An IRR or multiple that is not defined at the expected values has nothing to
    explain (a commissioner's, a provider's paid before it pays out): a usage error
    naming the party, why, and what to ask for instead."""
    party, _, kind = output.rpartition(".")
    if kind not in ("irr", "moic"):
        return
    cf = cash_flows(with_person_level(c, False), expected_inputs(c, 1), None)
    p = c.party(party)
    returns = party_returns(cf.flow(party), c.periods_per_year, p.role in RISKING_ROLES)
    reason = str((returns.irr.reason if kind == "irr" else returns.moic.reason)[0])
    if reason != "ok":
        raise UsageError(  # an option's value, as an unknown output: exit 2
            "sensitivity.undefined_output",
            output=output,
            party=party,
            kind=Phrase(f"sensitivity.kind.{kind}"),
            reason=Phrase(f"finance.reason.{reason}"),
        )


def evaluate(c: Contract, inputs: Inputs, output: str) -> FloatArray:
    """The output (``PARTY.npv`` …) per path for the given inputs, person-level draws off."""
    key = _parse_output(c, output)
    cf = cash_flows(with_person_level(c, False), inputs, None)
    return path_values(c, cf, inputs)[key]


def _with(base: Inputs, plan: SamplingPlan, values: FloatArray) -> Inputs:
    """Inputs for len(values) paths: the constants, and variable i set to values[:, i],
    clipped to each input's domain as ``simulate`` clips its draws."""
    n = values.shape[0]
    out: Inputs = {k: np.repeat(v[:1], n) for k, v in base.items()}
    for i, var in enumerate(plan.variables):
        for path in var.paths:
            x = values[:, i]
            out[path] = np.ascontiguousarray(
                np.clip(x, *plan.clip[path]) if path in plan.clip else x
            )
    return out


def _clipped(plan: SamplingPlan, i: int, x: float) -> float:
    """Variable i's value ``x`` as its (first) input sees it."""
    path = plan.variables[i].paths[0]
    return float(np.clip(x, *plan.clip[path])) if path in plan.clip else x


def _tornado(c: Contract, plan: SamplingPlan, output: str) -> list[dict[str, Any]]:
    base = expected_inputs(c, 1)
    V = len(plan.variables)
    centre = np.array([float(base[v.paths[0]][0]) for v in plan.variables])
    grid = np.repeat(centre[None, :], 2 * V, axis=0)
    lows = [
        _clipped(plan, i, float(quantile(v.dist, np.array([0.1]))[0]))
        for i, v in enumerate(plan.variables)
    ]
    highs = [
        _clipped(plan, i, float(quantile(v.dist, np.array([0.9]))[0]))
        for i, v in enumerate(plan.variables)
    ]
    for i in range(V):
        grid[2 * i, i], grid[2 * i + 1, i] = lows[i], highs[i]
    y = evaluate(c, _with(base, plan, grid), output)
    rows: list[dict[str, Any]] = []
    for i, v in enumerate(plan.variables):
        lo, hi = float(y[2 * i]), float(y[2 * i + 1])
        rows.append(
            {
                "input": v.name,
                "fields": list(v.paths),
                "kind": input_kind(v.paths[0]),  # how to write low and high
                "low": lows[i],
                "high": highs[i],
                "output_low": _num(lo),
                "output_high": _num(hi),
                "swing": _num(abs(hi - lo)),
            }
        )
    rows.sort(key=lambda r: -float(r["swing"] or 0.0))
    return rows


def _sobol(
    c: Contract, plan: SamplingPlan, output: str, n: int, seed: int
) -> tuple[list[dict[str, Any]], float | None]:
    base = expected_inputs(c, 1)
    V = len(plan.variables)
    rng = np.random.default_rng(seed)
    u = rng.random((2, n, V))
    a, b = u[0], u[1]
    blocks = [a, b] + [np.where(np.arange(V) == i, b, a) for i in range(V)]
    uu = np.concatenate(blocks)
    x = np.column_stack([quantile(v.dist, uu[:, i]) for i, v in enumerate(plan.variables)])
    y = evaluate(c, _with(base, plan, x), output).reshape(V + 2, n)
    ok = np.isfinite(y).all(axis=0)
    fa, fb, fab = y[0, ok], y[1, ok], y[2:, ok]
    var = float(np.var(np.concatenate([fa, fb]))) if ok.any() else 0.0
    rows: list[dict[str, Any]] = []
    for i, v in enumerate(plan.variables):
        first, first_se = _index_and_se(fb * (fab[i] - fa), var)
        total, total_se = _index_and_se((fa - fab[i]) ** 2 / 2, var)
        rows.append(
            {
                "input": v.name,
                "first_order": _num(first),
                "first_order_se": _num(first_se),
                "total": _num(total),
                "total_se": _num(total_se),
            }
        )
    rows.sort(key=lambda r: -float(r["total"] or 0.0))
    return rows, (_num(var) if var > 0 else None)


def _index_and_se(terms: FloatArray, var: float) -> tuple[float, float]:
    """An index estimated as the mean of per-path ``terms`` over the output's variance, and
    its Monte Carlo standard error: the terms' standard deviation over √N, over the
    variance (the variance's own error left out, as is usual for these estimators)."""
    if var <= 0 or terms.size == 0:
        return math.nan, math.nan
    se = float(np.std(terms, ddof=1)) / math.sqrt(terms.size) if terms.size > 1 else math.nan
    return float(np.mean(terms)) / var, se / var


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 6)


def _refuse_more_paths_than_memory(c: Contract, plan: SamplingPlan, n: int) -> None:
    """The indices run N·(V + 2) paths in one engine call: at least their inputs (twice)
    and every account's flow per period, 8 bytes each, must fit in memory."""
    paths = n * (len(plan.variables) + 2)
    needed = 8 * paths * (2 * len(plan.variables) + c.term_periods * (len(c.parties) + 2))
    refuse_beyond_memory("sensitivity.paths_memory", n, needed)


def sensitivity(
    c: Contract, output: str | None = None, base_paths: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Tornado and variance-based indices of ``output`` (default: main investor's NPV)."""
    output = output or default_output(c)
    _parse_output(c, output)
    _refuse_undefined_return(c, output)
    plan = sampling_plan(c)
    if not plan.variables:
        raise InputError("sensitivity.no_uncertain_inputs")
    _refuse_more_paths_than_memory(c, plan, base_paths)
    base = evaluate(c, expected_inputs(c, 1), output)
    indices, variance = _sobol(c, plan, output, base_paths, seed)
    party = c.party(output.rpartition(".")[0])
    return {
        "contract": c.id,
        "contract_name": c.name,
        "currency": c.currency,
        "output": output,  # an identifier: the party's id and the kind
        "party_name": party.name or party.id,  # the output's party, for the reader
        "base": _num(float(base[0])),
        "tornado": _tornado(c, plan, output),
        "sobol": {
            "base_paths": base_paths,
            "evaluations": base_paths * (len(plan.variables) + 2),
            "seed": seed,
            "variance": variance,
            "indices": indices,
        },
    }


def sensitivity_svg(data: dict[str, Any], lang: str = "en") -> str:
    """A self-contained SVG: the tornado (bars from the base value) and the indices, its
    headings in ``lang``."""
    tornado = data["tornado"]
    indices = data["sobol"]["indices"]
    from effekt.services.simulate_text import output_change, output_value, output_words

    row, bar_w, pad = 22, 420, 12
    # the labels' column as wide as the longest input's name (about 7 px a character)
    names = [r["input"] for r in (*tornado, *indices)]
    label_w = max(190, 7 * max((len(n) for n in names), default=0) + pad)
    h1 = (len(tornado) + 4) * row  # title, legend, bars, axis
    h2 = (len(indices) + 4) * row
    width, height = label_w + bar_w + 2 * pad + 120, h1 + h2 + 3 * pad
    base = data["base"] or 0.0
    values = [v for r in tornado for v in (r["output_low"], r["output_high"]) if v is not None]
    lo, hi = min(values + [base]), max(values + [base])
    span = hi - lo or 1.0

    keys = [
        ("#4477aa", translate("sensitivity.chart.at_p10", lang)),
        ("#ee6677", translate("sensitivity.chart.at_p90", lang)),
        (
            "#000000",
            translate("sensitivity.chart.base", lang, value=output_value(data, base, lang)),
        ),
    ]
    # as wide as the legend needs (about 7 px a character at font-size 12)
    width = max(width, label_w + pad + sum(30 + 7 * len(text) for _, text in keys) + pad)

    def xpos(v: float) -> float:
        return float(label_w + pad + (v - lo) / span * bar_w)

    heading = output_words(data, lang)  # "nuvärde (Social investeringsfond)", not fond.npv
    tornado_title = f"{heading}: {translate('sensitivity.chart.tornado', lang)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">',
        f"<title>{escape(tornado_title)}; "
        f"{escape(translate('sensitivity.chart.indices', lang))}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{pad}" y="{row}" font-weight="bold">{escape(tornado_title)}</text>',
    ]

    def legend(y: float, items: list[tuple[str, str]]) -> None:
        x = float(label_w + pad)
        for colour, text in items:
            parts.append(
                f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>'
            )
            parts.append(f'<text x="{x + 14:.1f}" y="{y:.1f}">{escape(text)}</text>')
            x += 14 + 7 * len(text) + 16

    def axis(y: float, ticks: list[tuple[float, str]]) -> None:
        parts.append(
            f'<line x1="{label_w + pad}" y1="{y:.1f}" x2="{label_w + pad + bar_w}" '
            f'y2="{y:.1f}" stroke="#555"/>'
        )
        for x, text in ticks:
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y + 4:.1f}" stroke="#555"/>'
                f'<text x="{x:.1f}" y="{y + 16:.1f}" text-anchor="middle">{escape(text)}</text>'
            )

    legend(row * 1.9, keys)
    for k, r in enumerate(tornado):
        y = (k + 2.4) * row
        parts.append(f'<text x="{pad}" y="{y + 12:.1f}">{escape(r["input"])}</text>')
        for v, colour in ((r["output_low"], "#4477aa"), (r["output_high"], "#ee6677")):
            if v is None:
                continue
            x0, x1 = sorted((xpos(base), xpos(v)))
            parts.append(
                f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 0.5):.1f}" '
                f'height="{row - 6}" fill="{colour}"/>'
            )
    bottom = (len(tornado) + 2.4) * row
    parts.append(
        f'<line x1="{xpos(base):.1f}" y1="{row * 2.2:.1f}" x2="{xpos(base):.1f}" '
        f'y2="{bottom:.1f}" stroke="black"/>'
    )
    if data["output"].endswith(".irr"):  # an IRR's axis: the change from the base, in points
        ticks = [(xpos(v), output_change(data, v - base, lang, sign=True)) for v in (lo, hi)]
    else:
        ticks = [(xpos(v), output_value(data, v, lang)) for v in (lo, hi)]
        if lo < 0 < hi:  # where a loss turns into a gain: a zero line through the bars,
            zero = xpos(0)  # labelled below the ends' labels, which it may stand close to
            parts.append(
                f'<line x1="{zero:.1f}" y1="{row * 2.2:.1f}" x2="{zero:.1f}" '
                f'y2="{bottom + 8:.1f}" stroke="#999" stroke-dasharray="3 2"/>'
                f'<text x="{zero:.1f}" y="{bottom + 34:.1f}" text-anchor="middle" fill="#555">'
                f"{escape(output_value(data, 0.0, lang))}</text>"
            )
    axis(bottom + 4, ticks)
    top = h1 + pad
    parts.append(
        f'<text x="{pad}" y="{top + row:.1f}" font-weight="bold">'
        f"{escape(translate('sensitivity.chart.indices', lang))}</text>"
    )
    legend(
        top + row * 1.9,
        [
            ("#228833", translate("sensitivity.chart.first_order", lang)),
            ("#ccbb44", translate("sensitivity.chart.total", lang)),
        ],
    )
    for k, r in enumerate(indices):
        y = top + (k + 2.4) * row
        parts.append(f'<text x="{pad}" y="{y + 12:.1f}">{escape(r["input"])}</text>')
        for j, (v, colour) in enumerate(((r["first_order"], "#228833"), (r["total"], "#ccbb44"))):
            share = min(max(v or 0.0, 0.0), 1.0)
            parts.append(
                f'<rect x="{label_w + pad}" y="{y + j * (row - 6) / 2:.1f}" '
                f'width="{share * bar_w:.1f}" height="{(row - 6) / 2:.1f}" fill="{colour}"/>'
            )
    share_ticks = [(label_w + pad + f * bar_w, number(f, lang, 1)) for f in (0.0, 0.5, 1.0)]
    axis(top + (len(indices) + 2.4) * row + 4, share_ticks)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
