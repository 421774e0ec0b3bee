"""Hand-computed golden cases: each contract in tests/data/golden/ against the figures
worked out by hand in its ``*.expected.toml`` (the arithmetic is written there as comments).

An expected file may hold:

* ``[rules.total]`` — every rule id → its total payments (all rules must be listed);
* ``[rules.by_period]`` — rule id → payments per period;
* ``[payments]`` — ``by_period``: all outcome payments per period;
* ``[accounts.total]`` — every account (parties, ``deal``, ``outside``) → its total flow;
* ``[accounts.by_period]`` — account → flow per period;
* ``[tranches.<id>]`` — ``drawn``, ``capital_back``, ``returns``, ``first_loss``,
  ``guarantee`` totals, and ``<name>_by_period`` lists;
* ``[[decisions]]`` — ``rule``, ``cohort`` (omitted for a pooled decision), ``triggered``;
* ``[deal]`` — ``cash_by_period``: cash the deal holds at the end of each period.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from effekt.contract.load import load_contract
from effekt.contract.model import Contract
from effekt.engine.cashflow import CashFlows, cash_flows
from effekt.engine.inputs import expected_inputs

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
CASES = sorted(
    p.name.removesuffix(".toml") for p in GOLDEN.glob("*.toml") if ".expected" not in p.name
)
TOL = 1e-6


def _load(name: str) -> tuple[Contract, CashFlows, dict[str, Any]]:
    c = load_contract(GOLDEN / f"{name}.toml")
    expected = tomllib.loads((GOLDEN / f"{name}.expected.toml").read_text(encoding="utf-8"))
    return c, cash_flows(c, expected_inputs(c)), expected


def _close(actual: Any, wanted: Any, what: str) -> None:
    a, w = np.asarray(actual, dtype=np.float64), np.asarray(wanted, dtype=np.float64)
    assert a.shape == w.shape, f"{what}: shape {a.shape} != {w.shape}"
    assert np.allclose(a, w, rtol=0, atol=TOL), f"{what}: got {a.tolist()}, expected {w.tolist()}"


def _tranche_figures(c: Contract, cf: CashFlows, k: int) -> dict[str, np.ndarray]:
    d = cf.deal
    return {
        "drawn": d.drawn[0, k],
        "capital_back": d.capital_back[0, k],
        "returns": d.returns[0, k],
        "first_loss": d.first_loss_paid[0, k],
        "guarantee": d.guarantee_paid[0, :, k].sum(axis=0),
    }


def test_every_golden_contract_has_its_hand_computed_expectations() -> None:
    assert len(CASES) >= 12
    for name in CASES:
        assert (GOLDEN / f"{name}.expected.toml").exists(), name


@pytest.mark.parametrize("name", CASES)
def test_rule_payments_match_the_hand_computation(name: str) -> None:
    c, cf, exp = _load(name)
    ids = [c.rule_id(k) for k in range(len(c.rules))]
    totals = exp["rules"]["total"]
    assert set(totals) == set(ids), "every rule's total is written down"
    by_rule = cf.payments.by_rule[0]
    for rid, total in totals.items():
        _close(by_rule[ids.index(rid)].sum(), total, f"rules.total.{rid}")
    for rid, row in exp["rules"].get("by_period", {}).items():
        _close(by_rule[ids.index(rid)], row, f"rules.by_period.{rid}")
    if "payments" in exp:
        _close(by_rule.sum(axis=0), exp["payments"]["by_period"], "payments.by_period")


@pytest.mark.parametrize("name", CASES)
def test_every_account_matches_the_hand_computation(name: str) -> None:
    _, cf, exp = _load(name)
    totals = exp["accounts"]["total"]
    assert set(totals) == set(cf.accounts), "every account's total is written down"
    for account, total in totals.items():
        _close(cf.flow(account)[0].sum(), total, f"accounts.total.{account}")
    for account, row in exp["accounts"].get("by_period", {}).items():
        _close(cf.flow(account)[0], row, f"accounts.by_period.{account}")


@pytest.mark.parametrize("name", CASES)
def test_tranches_draw_and_return_what_the_hand_computation_says(name: str) -> None:
    c, cf, exp = _load(name)
    ids = [t.id or t.investor for t in c.financing.tranches]
    wanted = exp.get("tranches", {})
    assert set(wanted) == set(ids), "every tranche is written down"
    for tid, figures in wanted.items():
        actual = _tranche_figures(c, cf, ids.index(tid))
        for key, value in figures.items():
            base = key.removesuffix("_by_period")
            got = actual[base] if key.endswith("_by_period") else actual[base].sum()
            _close(got, value, f"tranches.{tid}.{key}")


@pytest.mark.parametrize("name", CASES)
def test_decisions_and_deal_cash_match_the_hand_computation(name: str) -> None:
    _, cf, exp = _load(name)
    for want in exp.get("decisions", []):
        found = [
            d
            for d in cf.payments.decisions
            if d.rule == want["rule"] and d.cohort == want.get("cohort")
        ]
        assert len(found) == 1, f"one decision for {want}"
        assert bool(found[0].triggered[0]) is want["triggered"], want
    if "deal" in exp:
        _close(cf.deal.cash[0], exp["deal"]["cash_by_period"], "deal.cash_by_period")


@pytest.mark.parametrize("name", CASES)
def test_every_period_balances_across_accounts_and_the_deal_ends_empty(name: str) -> None:
    _, cf, _ = _load(name)
    assert np.abs(cf.flows.sum(axis=1)).max() < TOL
    assert abs(cf.flow("deal").sum()) < TOL
