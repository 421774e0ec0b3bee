"""The compiled engine (:mod:`effekt.engine.kernel`) gives the NumPy engine's cash flows.

The NumPy engine (:func:`cash_flows`, read through :func:`path_flows`) is the reference.
The kernel must give the same flows, payments by payer and outcomes gained on the
examples, the golden cases and generated contracts; at expected inputs and on sampled
paths, where lags, start delays, gates and decisions differ from path to path; with
outcome units given (person-level draws, measured outcomes) and with the engine's own;
and for any number of paths, whether or not it fills the kernel's blocks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from contract_strategies import contracts
from hypothesis import given, settings
from hypothesis import strategies as st

from effekt.contract.load import load_contract
from effekt.contract.model import Contract
from effekt.engine.cashflow import PathFlows, cash_flows, path_flows
from effekt.engine.inputs import Inputs, expected_inputs
from effekt.engine.kernel import BLOCK, kernel_flows, measured_counts, simulated_flows
from effekt.engine.outcomes import Outcomes
from effekt.engine.sampling import sample_inputs, sampling_plan

FloatArray = npt.NDArray[np.float64]
EXAMPLES = Path(__file__).parents[2] / "examples"
GOLDEN = Path(__file__).parents[1] / "data" / "golden"
EXAMPLE_NAMES = ["hemmasittare", "peterborough", "norrkoping"]
GOLDEN_CASES = sorted(
    p.name.removesuffix(".toml") for p in GOLDEN.glob("*.toml") if ".expected" not in p.name
)
SEEDS = [1, 2, 3]
RTOL, ATOL = 1e-9, 1e-6
GENERATED = settings(max_examples=200, deadline=None)


def _example(name: str) -> Contract:
    return load_contract(EXAMPLES / f"{name}.toml")


def _sampled(c: Contract, seed: int, paths: int) -> Inputs:
    return sample_inputs(sampling_plan(c), np.random.default_rng(seed), paths)


def _numpy(c: Contract, inp: Inputs, measured: dict[str, Outcomes] | None = None) -> PathFlows:
    return path_flows(c, cash_flows(c, inp, measured=measured))


def _assert_same_flows(kernel: PathFlows, numpy: PathFlows) -> None:
    """Every field of the kernel's result is the NumPy engine's, within rounding."""
    assert kernel.accounts == numpy.accounts
    assert kernel.payers == numpy.payers
    for field in ("flows", "by_payer", "gains"):
        k, n = getattr(kernel, field), getattr(numpy, field)
        assert k.shape == n.shape, f"{field}: shape {k.shape} != {n.shape}"
        np.testing.assert_allclose(k, n, rtol=RTOL, atol=ATOL, err_msg=field)
    for account in numpy.accounts:
        np.testing.assert_allclose(
            kernel.flow(account), numpy.flow(account), rtol=RTOL, atol=ATOL, err_msg=account
        )


def _assert_balanced(flows: FloatArray) -> None:
    """Every period of every path sums to zero across the accounts."""
    scale = max(1.0, float(np.abs(flows).max()))
    assert np.isfinite(flows).all()
    assert np.abs(flows.sum(axis=1)).max() < 1e-6 * scale


def _given_outcomes(
    c: Contract, inp: Inputs, rng: np.random.Generator
) -> tuple[dict[str, FloatArray], dict[str, Outcomes]]:
    """Outcome units for some metrics (drawn on the persons measured), as the kernel takes
    them and as the NumPy engine takes them: its own outcomes with only ``treated`` replaced."""
    modelled = cash_flows(c, inp).outcomes
    treated: dict[str, FloatArray] = {}
    for m in c.metrics:
        if rng.random() < 0.25:
            continue
        persons = np.rint(modelled[m.id].measured).astype(np.int64)
        if m.kind == "binary":
            units = rng.binomial(persons, rng.uniform(0, 1))
        else:
            units = rng.poisson(persons * rng.uniform(0, 5))
        treated[m.id] = units.astype(np.float64)
    measured = {}
    for mid, units in treated.items():
        o = modelled[mid]
        measured[mid] = Outcomes(o.measured, units, o.baseline, o.decision_period)
    return treated, measured


# --- the examples ---------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_kernel_gives_the_numpy_flows_for_the_examples_at_expected_inputs(name: str) -> None:
    c = _example(name)
    inp = expected_inputs(c, 3)
    numpy = _numpy(c, inp)
    assert np.abs(numpy.flows).max() > 0
    _assert_same_flows(kernel_flows(c, inp), numpy)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_kernel_gives_the_numpy_flows_for_the_examples_on_sampled_paths(
    name: str, seed: int
) -> None:
    c = _example(name)
    inp = _sampled(c, seed, 2_000)
    _assert_same_flows(kernel_flows(c, inp), _numpy(c, inp))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_kernel_counts_the_persons_measured_as_the_numpy_engine_for_the_examples(
    name: str,
) -> None:
    c = _example(name)
    for inp in (expected_inputs(c), _sampled(c, 4, 500)):
        outcomes = cash_flows(c, inp).outcomes
        counts = measured_counts(c, inp)
        assert list(counts) == [m.id for m in c.metrics]
        assert sum(float(o.measured.sum()) for o in outcomes.values()) > 0
        for m in c.metrics:
            np.testing.assert_allclose(
                counts[m.id], outcomes[m.id].measured, rtol=RTOL, atol=ATOL, err_msg=m.id
            )


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_kernel_flows_balance_in_every_period_for_the_examples(name: str) -> None:
    c = _example(name)
    _assert_balanced(kernel_flows(c, _sampled(c, 5, 2_000)).flows)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_kernel_with_given_outcomes_gives_the_numpy_flows_for_the_examples(name: str) -> None:
    c = _example(name)
    inp = _sampled(c, 6, 500)
    treated, measured = _given_outcomes(c, inp, np.random.default_rng(6))
    _assert_same_flows(kernel_flows(c, inp, treated), _numpy(c, inp, measured))


def test_kernel_draws_person_level_outcomes_as_the_numpy_engine() -> None:
    c = _example("hemmasittare")
    assert c.uncertainty.person_level
    inp = _sampled(c, 7, 1_000)
    numpy = path_flows(c, cash_flows(c, inp, rng=np.random.default_rng(7)))
    kernel = simulated_flows(c, inp, np.random.default_rng(7))
    _assert_same_flows(kernel, numpy)
    # the draws moved the outcomes off the modelled ones, so the comparison saw them
    assert not np.allclose(numpy.gains, _numpy(c, inp).gains)


def test_numpy_path_flows_are_the_cash_flows_payments_by_payer_and_gains() -> None:
    c = _example("hemmasittare")
    inp = _sampled(c, 8, 200)
    cf = cash_flows(c, inp)
    pf = path_flows(c, cf)
    assert pf.accounts == cf.accounts and pf.payers == cf.payers
    np.testing.assert_array_equal(pf.flows, cf.flows)
    np.testing.assert_array_equal(pf.by_payer, cf.payments_by_payer)
    for j, m in enumerate(c.metrics):
        o = cf.outcomes[m.id]
        sign = 1.0 if m.direction == "increase" else -1.0
        gained = sum(
            np.maximum(sign * (o.treated[:, i] - o.baseline[:, i]), 0.0)
            for i in range(len(c.cohorts))
        )
        np.testing.assert_allclose(pf.gains[:, j], gained, rtol=RTOL, atol=ATOL)
    assert pf.gains.max() > 0


# --- the golden cases -----------------------------------------------------------------


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_kernel_gives_the_numpy_flows_for_the_golden_cases(name: str) -> None:
    c = load_contract(GOLDEN / f"{name}.toml")
    inp = expected_inputs(c)
    numpy = _numpy(c, inp)
    assert np.abs(numpy.flows).max() > 0
    _assert_same_flows(kernel_flows(c, inp), numpy)
    _assert_balanced(kernel_flows(c, inp).flows)


# --- generated contracts --------------------------------------------------------------

# up to two blocks and a bit, so that paths cross the kernel's block boundaries
PATHS = st.integers(1, 2 * BLOCK + 1)
SEED = st.integers(0, 2**32 - 1)


@GENERATED
@given(c=contracts(uncertain=True), paths=PATHS, seed=SEED)
def test_kernel_gives_the_numpy_flows_for_generated_contracts(
    c: Contract, paths: int, seed: int
) -> None:
    inp = expected_inputs(c)
    _assert_same_flows(kernel_flows(c, inp), _numpy(c, inp))
    inp = _sampled(c, seed, paths)
    _assert_same_flows(kernel_flows(c, inp), _numpy(c, inp))


@GENERATED
@given(c=contracts(), paths=st.integers(1, 3))
def test_kernel_gives_the_numpy_flows_for_plain_generated_contracts_at_expected_inputs(
    c: Contract, paths: int
) -> None:
    inp = expected_inputs(c, paths)
    _assert_same_flows(kernel_flows(c, inp), _numpy(c, inp))


@GENERATED
@given(c=contracts(uncertain=True), paths=PATHS, seed=SEED)
def test_kernel_with_given_outcomes_gives_the_numpy_flows_for_generated_contracts(
    c: Contract, paths: int, seed: int
) -> None:
    inp = _sampled(c, seed, paths)
    treated, measured = _given_outcomes(c, inp, np.random.default_rng(seed))
    _assert_same_flows(kernel_flows(c, inp, treated), _numpy(c, inp, measured))


@GENERATED
@given(c=contracts(uncertain=True), paths=PATHS, seed=SEED)
def test_kernel_counts_the_persons_measured_as_the_numpy_engine_for_generated_contracts(
    c: Contract, paths: int, seed: int
) -> None:
    inp = _sampled(c, seed, paths)
    outcomes = cash_flows(c, inp).outcomes
    counts = measured_counts(c, inp)
    assert list(counts) == [m.id for m in c.metrics]
    for m in c.metrics:
        np.testing.assert_allclose(
            counts[m.id], outcomes[m.id].measured, rtol=RTOL, atol=ATOL, err_msg=m.id
        )


@GENERATED
@given(c=contracts(uncertain=True), paths=PATHS, seed=SEED)
def test_kernel_flows_balance_in_every_period_for_generated_contracts(
    c: Contract, paths: int, seed: int
) -> None:
    _assert_balanced(kernel_flows(c, _sampled(c, seed, paths)).flows)


@settings(max_examples=50, deadline=None)
@given(c=contracts(uncertain=True), paths=PATHS, seed=SEED)
def test_kernel_draws_person_level_outcomes_as_the_numpy_engine_for_generated_contracts(
    c: Contract, paths: int, seed: int
) -> None:
    inp = _sampled(c, seed, paths)
    numpy = path_flows(c, cash_flows(c, inp, rng=np.random.default_rng(seed)))
    _assert_same_flows(simulated_flows(c, inp, np.random.default_rng(seed)), numpy)


# --- edge cases -----------------------------------------------------------------------


@pytest.mark.parametrize("paths", [1, BLOCK - 1, BLOCK, BLOCK + 1, 1_000])
def test_kernel_gives_the_numpy_flows_for_any_number_of_paths(paths: int) -> None:
    c = _example("hemmasittare")
    inp = _sampled(c, 9, paths)
    numpy = _numpy(c, inp)
    if paths > 1:  # the paths differ, so a path taken from the wrong block would show
        assert np.ptp(numpy.flows, axis=0).max() > 0
    _assert_same_flows(kernel_flows(c, inp), numpy)
    counts = measured_counts(c, inp)
    for m in c.metrics:
        assert counts[m.id].shape[0] == paths


def test_kernel_gives_the_numpy_flows_for_a_contract_with_no_tranches() -> None:
    data = _example("hemmasittare").model_dump(mode="json")
    data["financing"]["tranches"] = []
    data["financing"]["guarantees"] = []
    c = Contract.model_validate(data)
    inp = _sampled(c, 10, 500)
    numpy = _numpy(c, inp)
    assert np.abs(numpy.flow("deal")).max() > 0  # the deal still handles the payments
    _assert_same_flows(kernel_flows(c, inp), numpy)
    _assert_balanced(kernel_flows(c, inp).flows)


@pytest.mark.parametrize("recycle", [True, False])
def test_kernel_gives_the_numpy_flows_when_the_deal_fees_are_carried_forward(
    recycle: bool,
) -> None:
    # no capital: the intermediary's fee goes unpaid until outcome payments come, and
    # (without recycling) what it is still owed is paid in the last period's distribution
    data = _example("hemmasittare").model_dump(mode="json")
    data["financing"]["tranches"] = []
    data["financing"]["guarantees"] = []
    data["financing"]["recycle_outcome_payments"] = recycle
    c = Contract.model_validate(data)
    inp = _sampled(c, 11, 500)
    numpy = _numpy(c, inp)
    fees = [f.upfront + f.per_period * c.term_periods for f in c.fees if f.paid_by == "deal"]
    assert numpy.flow("intermediar").sum(axis=1).max() > 0.5 * sum(fees)
    _assert_same_flows(kernel_flows(c, inp), numpy)
    _assert_balanced(kernel_flows(c, inp).flows)


# --- the on-disk cache ----------------------------------------------------------------


def test_the_compiled_code_is_dropped_when_any_module_of_the_engine_changes(
    tmp_path: Path,
) -> None:
    from effekt.engine.kernel.jit import drop_stale_cache

    (tmp_path / "run.py").write_text("def run(): pass\n")
    (tmp_path / "rules.py").write_text("def step(): return 1\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()

    def compiled() -> list[str]:
        for name in ("run.run-1.py311.nbi", "run.run-1.py311.1.nbc"):
            (cache / name).write_bytes(b"machine code")
        return sorted(p.name for p in cache.glob("*.nb?"))

    compiled()
    assert drop_stale_cache(tmp_path)  # built from unknown sources: dropped
    assert not list(cache.glob("*.nb?"))
    assert compiled()
    assert not drop_stale_cache(tmp_path)  # the same sources: kept
    assert len(list(cache.glob("*.nb?"))) == 2
    (tmp_path / "rules.py").write_text("def step(): return 2\n")  # a step, not run.py
    assert drop_stale_cache(tmp_path)
    assert not list(cache.glob("*.nb?"))
