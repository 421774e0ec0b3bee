"""The finance engine against peers (numpy-financial, pyxirr), the scalar oracle and
properties. Flows are positive when the party receives money."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import numpy_financial as npf
import pytest
import pyxirr
from hypothesis import given, settings
from hypothesis import strategies as st

from effekt.engine import finance
from effekt.engine.finance import (
    annualise,
    irr,
    moic,
    npv,
    payback_period,
    peak_cash_need,
    period_rate,
    xirr,
)
from effekt.errors import UsageError
from effekt.oracle import finance as oracle

RNG_SEED = 20270101


def flows_with_root(
    rng: np.random.Generator, n: int, periods: int
) -> tuple[np.ndarray, np.ndarray]:
    """SIB-shaped flows (drawdowns, then distributions) whose one root is a known rate."""
    rate = rng.uniform(-0.3, 0.4, n)
    k = rng.integers(1, periods // 2, n)
    t = np.arange(periods)
    out = -rng.uniform(10, 100, (n, periods)) * (t < k[:, None])
    back = rng.uniform(0, 100, (n, periods)) * (t >= k[:, None])
    back[:, -1] += 1.0
    # scale the distributions so that NPV at `rate` is exactly zero
    v = (1 + rate[:, None]) ** -t
    scale = -(out * v).sum(axis=1) / (back * v).sum(axis=1)
    return out + back * scale[:, None], rate


# --- rates and NPV ------------------------------------------------------------------------


def test_period_rate_compounds_to_the_annual_rate() -> None:
    assert float(period_rate(0.08, 4)) == pytest.approx(1.08**0.25 - 1, abs=1e-15)
    assert float(annualise(period_rate(0.08, 12), 12)) == pytest.approx(0.08, abs=1e-15)
    assert period_rate([0.0, 0.21], 2).tolist() == pytest.approx([0.0, 0.1], abs=1e-15)


def test_npv_matches_numpy_financial_and_pyxirr_with_first_flow_at_time_zero() -> None:
    rng = np.random.default_rng(RNG_SEED)
    flows = rng.normal(0, 100, (50, 12))
    for rate, row, value in zip(rng.uniform(-0.5, 1, 50), flows, npv(0.05, flows), strict=True):
        assert float(npv(rate, row)) == pytest.approx(npf.npv(rate, row), rel=1e-12, abs=1e-9)
        assert float(npv(rate, row)) == pytest.approx(pyxirr.npv(rate, row), rel=1e-12, abs=1e-9)
        assert value == pytest.approx(npf.npv(0.05, row), rel=1e-12, abs=1e-9)
    assert npf.npv(0.1, [-100.0, 110.0]) == pytest.approx(0.0)  # numpy-financial: t = 0 first


def test_npv_takes_one_rate_per_path() -> None:
    flows = np.array([[-100.0, 110.0], [-100.0, 121.0]])
    assert npv([0.1, 0.21], flows).tolist() == pytest.approx([0.0, 0.0], abs=1e-12)
    assert npv(np.array([[0.0], [0.1]]), flows).shape == (2, 2)


def test_npv_is_nan_for_rates_at_or_below_minus_one() -> None:
    assert np.isnan(npv(-1.0, [-1.0, 2.0]))


# --- IRR against peers ----------------------------------------------------------------------


def test_irr_finds_the_known_root_like_numpy_financial_and_pyxirr() -> None:
    rng = np.random.default_rng(RNG_SEED)
    flows, rate = flows_with_root(rng, 300, 12)
    result = irr(flows)
    assert (result.reason == "ok").all()
    np.testing.assert_allclose(result.rate, rate, atol=1e-10)
    for row, value in zip(flows[:100], result.rate, strict=False):
        assert npf.irr(row) == pytest.approx(value, abs=1e-9)
    for row, value in zip(flows, result.rate, strict=True):
        assert pyxirr.irr(row) == pytest.approx(value, abs=1e-9)


def test_xirr_agrees_with_pyxirr_on_dated_flows_with_one_root() -> None:
    rng = np.random.default_rng(RNG_SEED + 1)
    dates = [
        dt.date(2027, 1, 1) + dt.timedelta(days=int(d))
        for d in np.cumsum(rng.integers(20, 120, 10))
    ]
    flows, _ = flows_with_root(rng, 200, 10)
    result = xirr(flows, dates)
    assert (result.reason == "ok").all()
    for row, value in zip(flows, result.rate, strict=True):
        assert pyxirr.xirr(dates, row) == pytest.approx(value, abs=1e-9)


def test_xirr_uses_actual_days_over_365() -> None:
    dates = np.array(["2027-01-01", "2029-01-01"], dtype="datetime64[D]")  # 731 days
    assert float(xirr([-100.0, 121.0], dates).rate) == pytest.approx(
        1.21 ** (365 / 731) - 1, abs=1e-12
    )


def test_xirr_does_not_care_about_the_order_of_dates() -> None:
    dates = [dt.date(2028, 1, 1), dt.date(2027, 1, 1), dt.date(2029, 6, 30)]
    flows = [30.0, -100.0, 90.0]
    assert float(xirr(flows, dates).rate) == pytest.approx(pyxirr.xirr(dates, flows), abs=1e-9)


# --- IRR reasons ----------------------------------------------------------------------------


def test_irr_is_null_with_reason_when_flows_have_two_roots() -> None:
    # NPV = -(1 - v)(1 - 2v): r = 0 and r = 100 %; the peers each pick one of them
    result = irr([-1.0, 3.0, -2.0])
    assert np.isnan(result.rate) and result.reason == "multiple_roots"
    assert npf.irr([-1.0, 3.0, -2.0]) == pytest.approx(0.0)
    assert pyxirr.irr([-1.0, 3.0, -2.0]) == pytest.approx(1.0)
    assert irr([-100.0, 230.0, -132.0]).reason == "multiple_roots"  # 10 % and 20 %


def test_irr_finds_the_one_root_of_flows_that_change_sign_three_times() -> None:
    # NPV = 100 (1.1 v - 1)(1 - v + v^2): the quadratic has no real root
    result = irr([-100.0, 210.0, -210.0, 110.0])
    assert result.reason == "ok"
    assert float(result.rate) == pytest.approx(0.1, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    root=st.floats(-0.5, 2.0),
    quadratics=st.lists(
        st.tuples(st.floats(0.2, 3.0), st.floats(0.3, 2.0)), min_size=1, max_size=3
    ),
)
def test_irr_is_found_when_other_factors_of_npv_have_no_real_root(
    root: float, quadratics: list[tuple[float, float]]
) -> None:
    # NPV(v) = (v - v0) * prod((v - a)^2 + b^2): one positive root, sign changes aplenty
    v0 = 1.0 / (1.0 + root)
    poly = np.polynomial.Polynomial([-v0, 1.0])
    for a, b in quadratics:
        poly = poly * np.polynomial.Polynomial([a * a + b * b, -2 * a, 1.0])
    result = irr(poly.coef)
    assert result.reason == "ok"
    assert float(result.rate) == pytest.approx(root, abs=1e-9)


def test_irr_is_null_with_reason_when_npv_never_crosses_zero() -> None:
    assert irr([-1.0, 2.0, -2.0]).reason == "no_root"  # -(1 - 2v + 2v^2) < 0
    assert irr([-100.0, 0.5]).reason == "no_root"  # -99.5 %: below RATE_LOW
    assert irr([-1.0, 0.0, 0.0, 0.0, 1e13]).reason == "no_root"  # above RATE_HIGH


def test_irr_is_null_with_reason_when_the_party_never_pays() -> None:
    result = irr([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [5.0, 0.0, 0.0]])
    assert result.reason.tolist() == ["no_sign_change"] * 3
    assert np.isnan(result.rate).all()


def test_a_flow_that_receives_first_has_no_return() -> None:
    # a provider paid its fees before its costs, a loan from the borrower's side: the rate
    # that makes NPV zero is what the money cost, not a return
    flows = [[0.0, 100.0, -110.0], [50.0, -20.0, -40.0], [1.0, -2.0, 2.0]]
    result, multiple = irr(flows), moic(flows)
    assert result.reason.tolist() == ["receives_first"] * 3
    assert multiple.reason.tolist() == ["receives_first"] * 3
    assert np.isnan(result.rate).all() and np.isnan(multiple.value).all()
    expected = oracle.irr([0.0, 100.0, -110.0])
    assert math.isnan(expected[0]) and expected[1] == "receives_first"
    assert npf.irr([100.0, -110.0]) == pytest.approx(0.1)  # the peers call it 10 %
    dates = [dt.date(2028, 1, 1), dt.date(2027, 1, 1)]  # in date order the outlay is first
    assert xirr([110.0, -100.0], dates).reason == "ok"
    assert xirr([-110.0, 100.0], dates).reason == "receives_first"


def test_a_total_loss_is_minus_100_percent_and_a_multiple_of_0() -> None:
    flows = [[-1.0, 0.0, -2.0], [0.0, -5.0, 0.0], [-100.0, 0.0, 0.0]]
    result, multiple = irr(flows), moic(flows)
    assert result.rate.tolist() == [-1.0] * 3 and result.reason.tolist() == ["ok"] * 3
    assert multiple.value.tolist() == [0.0] * 3
    assert float(annualise(result.rate[0], 12)) == -1.0
    assert oracle.irr([0.0, -5.0, 0.0]) == (-1.0, "ok")
    dates = [dt.date(2027, 1, 1), dt.date(2028, 1, 1), dt.date(2029, 1, 1)]
    assert xirr(flows, dates).rate.tolist() == [-1.0] * 3


def test_irr_is_null_with_reason_when_a_flow_is_not_finite() -> None:
    result = irr([[-100.0, np.nan, 120.0], [-100.0, np.inf, 1.0], [-100.0, 50.0, 60.0]])
    assert result.reason.tolist() == ["non_finite", "non_finite", "ok"]


def test_irr_of_a_rate_of_exactly_zero_is_zero() -> None:
    flows = [[-100.0, 50.0, 50.0, 0.0], [-100.0, 210.0, -210.0, 100.0], [-50.0, 100.0, -50.0, 0.0]]
    result = irr(flows)  # the second is (v - 1)(100 v^2 - 110 v + 100): one root
    assert result.rate[:2].tolist() == [0.0, 0.0]
    assert result.reason.tolist() == ["ok", "ok", "no_root"]  # the last only touches zero


def test_irr_keeps_the_leading_shape_of_the_flows() -> None:
    rng = np.random.default_rng(RNG_SEED)
    flows, rate = flows_with_root(rng, 24, 8)
    result = irr(flows.reshape(2, 3, 4, 8))
    assert result.rate.shape == result.reason.shape == (2, 3, 4)
    np.testing.assert_allclose(result.rate.ravel(), rate, atol=1e-10)


def test_irr_handles_long_monthly_series_without_overflow() -> None:
    flows = np.r_[-np.full(24, 100.0), np.zeros(200), np.full(36, 120.0)]
    result = irr(np.vstack([flows, -flows[::-1] * np.r_[1.0, np.ones(259)]]))
    expected = oracle.irr(flows.tolist())
    assert result.reason[0] == expected[1] == "ok"
    assert result.rate[0] == pytest.approx(expected[0], abs=1e-12)
    assert float(npv(result.rate[0], flows)) == pytest.approx(0.0, abs=1e-8)


# --- the oracle agrees with the engine ------------------------------------------------------


@pytest.mark.parametrize("periods", [2, 3, 5, 8, 13])
def test_engine_agrees_with_the_scalar_oracle_on_random_flows(periods: int) -> None:
    rng = np.random.default_rng(RNG_SEED + periods)
    flows = np.vstack(
        [
            rng.normal(0, 100, (40, periods)),
            np.where(rng.random((40, periods)) < 0.3, 0.0, rng.normal(0, 100, (40, periods))),
            flows_with_root(rng, 20, max(periods, 4))[0][:, :periods],
        ]
    )
    engine = irr(flows)
    for row, rate, reason in zip(flows, engine.rate, engine.reason, strict=True):
        expected_rate, expected_reason = oracle.irr(row.tolist())
        assert reason == expected_reason, row
        if reason == "ok":
            assert rate == pytest.approx(expected_rate, rel=1e-9, abs=1e-11)


def test_xirr_agrees_with_the_scalar_oracle_on_random_flows() -> None:
    rng = np.random.default_rng(RNG_SEED)
    days = np.cumsum(rng.integers(1, 400, 7))
    dates = [dt.date(2027, 3, 1) + dt.timedelta(days=int(d)) for d in days]
    flows = rng.normal(0, 100, (60, 7))
    engine = xirr(flows, dates)
    for row, rate, reason in zip(flows, engine.rate, engine.reason, strict=True):
        expected_rate, expected_reason = oracle.xirr(row.tolist(), dates)
        assert reason == expected_reason, row
        if reason == "ok":
            assert rate == pytest.approx(expected_rate, rel=1e-9, abs=1e-11)


def test_measures_agree_with_the_scalar_oracle_on_random_flows() -> None:
    rng = np.random.default_rng(RNG_SEED)
    flows = np.where(rng.random((200, 9)) < 0.3, 0.0, rng.normal(10, 100, (200, 9)))
    multiple, payback, peak = moic(flows), payback_period(flows), peak_cash_need(flows)
    for i, row in enumerate(flows.tolist()):
        assert (multiple.value[i], multiple.reason[i]) == pytest.approx(
            oracle.moic(row), nan_ok=True
        )
        assert (payback.value[i], payback.reason[i]) == pytest.approx(
            oracle.payback_period(row), nan_ok=True
        )
        assert peak[i] == pytest.approx(oracle.peak_cash_need(row))
    assert oracle.npv(0.07, flows[0].tolist()) == pytest.approx(float(npv(0.07, flows[0])))


# a party's flows: leading zeros, lumps of either sign, runs of zeros, the odd total loss
party_flows = st.lists(
    st.one_of(st.just(0.0), st.floats(-1e6, -0.01), st.floats(0.01, 1e6)), min_size=2, max_size=14
)


@settings(max_examples=150, deadline=None)
@given(flows=party_flows)
def test_engine_and_oracle_agree_on_whether_a_flow_has_a_return(flows: list[float]) -> None:
    engine, multiple = irr(flows), moic(flows)
    expected_rate, expected_reason = oracle.irr(flows)
    assert engine.reason == expected_reason
    if expected_reason == "ok":
        assert float(engine.rate) == pytest.approx(expected_rate, rel=1e-9, abs=1e-11)
    assert (float(multiple.value), str(multiple.reason)) == pytest.approx(
        oracle.moic(flows), nan_ok=True
    )
    dates = [dt.date(2027, 1, 1) + dt.timedelta(days=91 * t) for t in range(len(flows))]
    x, (expected_x, expected_x_reason) = xirr(flows, dates), oracle.xirr(flows, dates)
    assert x.reason == expected_x_reason
    if expected_x_reason == "ok":
        assert float(x.rate) == pytest.approx(expected_x, rel=1e-9, abs=1e-11)


@settings(max_examples=150, deadline=None)
@given(flows=party_flows)
def test_a_return_is_defined_only_when_money_is_put_in_first(flows: list[float]) -> None:
    first = next((f for f in flows if f != 0), 0.0)
    result, multiple = irr(flows), moic(flows)
    if first >= 0:
        assert np.isnan(result.rate) and np.isnan(multiple.value)
    if result.reason == "ok" or multiple.reason == "ok":
        assert first < 0
    if first < 0 and max(flows) <= 0:  # outlays, nothing back
        assert (float(result.rate), float(multiple.value)) == (-1.0, 0.0)


def test_party_returns_gives_none_to_a_role_without_money_at_risk() -> None:
    flows = [[-100.0, 0.0, 0.0, 0.0], [-100.0, 0.0, 0.0, 110.0]]
    commissioner = finance.party_returns(flows, 4, at_risk=False, dates=[dt.date(2027, 1, 1)] * 4)
    assert commissioner.irr.reason.tolist() == ["no_money_at_risk"] * 2
    assert commissioner.moic.reason.tolist() == ["no_money_at_risk"] * 2
    assert commissioner.xirr is not None
    assert commissioner.xirr.reason.tolist() == ["no_money_at_risk"] * 2
    investor = finance.party_returns(flows, 4)
    assert investor.irr.rate[0] == -1.0 and investor.moic.value[0] == 0.0
    assert investor.irr.rate[1] == pytest.approx(1.1 ** (4 / 3) - 1)  # annual
    assert investor.xirr is None


def test_float_noise_does_not_decide_who_pays_first() -> None:
    # a provider paid its costs exactly leaves noise; it neither pays first nor loses all
    result = finance.party_returns([[-4.7e-10, 100.0, -50.0], [-4.7e-10, 0.0, 0.0]], 1)
    assert result.irr.reason.tolist() == ["receives_first", "no_sign_change"]
    assert result.moic.reason.tolist() == ["receives_first", "nothing_invested"]


# --- properties -----------------------------------------------------------------------------

amounts = st.floats(1.0, 1e6)


@settings(max_examples=80, deadline=None)
@given(
    out=st.lists(amounts, min_size=1, max_size=5),
    back=st.lists(amounts, min_size=1, max_size=15),
    rates=st.tuples(st.floats(-0.9, 5.0), st.floats(-0.9, 5.0)),
)
def test_npv_falls_as_the_rate_rises_for_outflows_then_inflows(
    out: list[float], back: list[float], rates: tuple[float, float]
) -> None:
    low, high = sorted(rates)
    if high - low < 1e-6:
        return
    # an investment at t = 0 followed by returns: NPV itself falls
    flows = [-sum(out)] + back
    assert float(npv(low, flows)) > float(npv(high, flows))
    # outflows spread over periods 0..k-1: NPV valued at period k, (1 + r)^k NPV, falls
    flows = [-x for x in out] + back
    k = len(out)
    assert float(npv(low, flows)) * (1 + low) ** k > float(npv(high, flows)) * (1 + high) ** k
    # and NPV is positive below the IRR and negative above it
    root = float(irr(flows).rate)
    if math.isfinite(root) and min(abs(low - root), abs(high - root)) > 1e-9:
        for rate in (low, high):
            assert (float(npv(rate, flows)) > 0) == (rate < root)


@settings(max_examples=80, deadline=None)
@given(flows=st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=20))
def test_irr_makes_npv_zero_whenever_it_is_defined(flows: list[float]) -> None:
    result = irr(flows)
    if result.reason != "ok":
        assert np.isnan(result.rate)
        return
    if result.rate == -1.0:  # a total loss: money out, nothing back, no root to check
        assert max(flows) <= 0 < -min(flows)
        return
    magnitude = float(npv(result.rate, np.abs(flows)))  # the size of the discounted terms
    assert abs(float(npv(result.rate, flows))) <= 1e-9 * magnitude


@settings(max_examples=60, deadline=None)
@given(flows=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=12))
def test_payback_and_peak_need_follow_the_cumulative_flow(flows: list[float]) -> None:
    cumulative = np.cumsum(flows)
    peak = float(peak_cash_need(flows))
    assert peak == pytest.approx(max(0.0, -cumulative.min()))
    payback = payback_period(flows)
    if payback.reason == "never_repaid":
        assert cumulative[-1] < 0
    else:
        t = int(payback.value)
        assert (cumulative[t:] >= 0).all()
        assert t == 0 or cumulative[t - 1] < 0


# --- measures by hand -----------------------------------------------------------------------


def test_payback_is_the_period_from_which_the_cumulative_flow_stays_non_negative() -> None:
    result = payback_period(
        [
            [-100.0, 40.0, 60.0, 10.0],  # cumulative -100, -60, 0, 10 -> 2
            [-100.0, 120.0, -50.0, 40.0],  # -100, 20, -30, 10: dips again -> 3
            [-100.0, 40.0, 50.0, 5.0],  # -100, -60, -10, -5 -> never
            [10.0, -5.0, 1.0, 0.0],  # never negative -> 0
        ]
    )
    assert result.value[:2].tolist() == [2.0, 3.0]
    assert np.isnan(result.value[2]) and result.value[3] == 0.0
    assert result.reason.tolist() == ["ok", "ok", "never_repaid", "ok"]


def test_peak_cash_need_is_the_deepest_cumulative_outflow() -> None:
    flows = [[-100.0, -50.0, 120.0, -80.0, 200.0], [5.0, 5.0, 0.0, 0.0, 0.0]]
    assert peak_cash_need(flows).tolist() == [150.0, 0.0]  # cumulative -100, -150, -30, -110


def test_moic_is_null_with_reason_when_nothing_was_invested() -> None:
    result = moic([[-100.0, 30.0, 90.0], [0.0, 5.0, 5.0], [-50.0, -50.0, 0.0]])
    assert result.value[0] == pytest.approx(1.2) and result.value[2] == 0.0
    assert np.isnan(result.value[1])
    assert result.reason.tolist() == ["ok", "nothing_invested", "ok"]


# --- arguments --------------------------------------------------------------------------------


def test_xirr_refuses_dates_that_do_not_match_the_flows() -> None:
    with pytest.raises(UsageError) as caught:
        xirr([-1.0, 2.0, 3.0], [dt.date(2027, 1, 1), dt.date(2028, 1, 1)])
    assert caught.value.code == "finance.dates_mismatch"
    assert "stämmer inte" in caught.value.render("sv")


def test_flows_without_a_period_axis_are_refused() -> None:
    with pytest.raises(UsageError) as caught:
        irr(5.0)
    assert caught.value.code == "finance.bad_shape"


def test_reason_codes_are_the_documented_ones() -> None:
    documented = {"ok", "no_sign_change", "no_root", "multiple_roots", "non_finite"}
    documented |= {"receives_first", "no_money_at_risk", "nothing_invested", "never_repaid"}
    assert {finance.OK, finance.NO_SIGN_CHANGE, finance.NO_ROOT} <= documented
    assert {finance.MULTIPLE_ROOTS, finance.NON_FINITE} <= documented
    assert {finance.RECEIVES_FIRST, finance.NO_MONEY_AT_RISK} <= documented
    for code in documented - {"ok"}:
        assert code in (finance.__doc__ or "")
    assert math.isnan(oracle.irr([1.0, 2.0])[0])
