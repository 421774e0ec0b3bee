"""Balance diagnostics follow MatchIt's summary conventions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from effekt.engine.evaluation.balance import balance_table
from effekt.errors import DataError

X = np.array([[1.0, 1.0], [2.0, 0.0], [3.0, 1.0], [1.5, 0.0], [5.0, 1.0], [2.5, 0.0]])
T = np.array([1, 1, 1, 0, 0, 0])


def test_smd_uses_the_unmatched_treated_sd_before_and_after() -> None:
    w = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 1.0])
    tab = balance_table(X, T, w, ["age", "married"])
    age = tab.rows[0]
    # treated mean 2, sd 1; controls before (1.5 + 5 + 2.5)/3 = 3, after (1.5 + 2.5)/2 = 2
    assert age.smd_before == pytest.approx(-1.0)
    assert age.smd_after == pytest.approx(0.0)
    assert age.mean_control_after == pytest.approx(2.0)


def test_binary_covariate_is_standardised_by_sqrt_p_times_one_minus_p() -> None:
    w = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 1.0])
    married = balance_table(X, T, w, ["age", "married"]).rows[1]
    p = 2 / 3
    assert married.smd_before == pytest.approx((p - 1 / 3) / math.sqrt(p * (1 - p)))
    assert married.smd_after == pytest.approx((p - 0.0) / math.sqrt(p * (1 - p)))
    assert math.isnan(married.var_ratio_before)


def test_variance_ratio_uses_weighted_unbiased_variances() -> None:
    tab = balance_table(X, T, np.ones(6), ["age", "married"])
    ctrl = X[3:, 0]
    assert tab.rows[0].var_ratio_before == pytest.approx(1.0 / np.var(ctrl, ddof=1))


def test_pass_and_fail_are_judged_against_the_threshold() -> None:
    w = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 1.0])
    tab = balance_table(X, T, w, ["age", "married"], threshold=0.1)
    assert [r.passed for r in tab.rows] == [True, False]
    assert not tab.passed
    assert tab.max_abs_smd_after == pytest.approx(math.sqrt(2))
    assert balance_table(X[:, :1], T, w, ["age"]).passed


def test_atc_uses_the_control_sd() -> None:
    tab = balance_table(X[:, :1], T, np.ones(6), ["age"], estimand="ATC")
    assert tab.rows[0].smd_before == pytest.approx(-1.0 / np.std(X[3:, 0], ddof=1))


def test_no_matched_treated_is_refused() -> None:
    with pytest.raises(DataError) as info:
        balance_table(X, T, np.array([0, 0, 0, 1, 1, 1.0]), ["age", "married"])
    assert info.value.code == "evaluation.no_matches"


def test_variance_ratio_is_undefined_when_matched_controls_have_no_spread() -> None:
    # the matched controls all share one age: their variance is 0
    x = np.array([[10.0], [12.0], [14.0], [11.0], [11.0], [11.0], [20.0]])
    tab = balance_table(x, [1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 0], ["age"])
    row = tab.rows[0]
    assert math.isnan(row.var_ratio_after)
    assert row.var_ratio_before == pytest.approx(4.0 / float(np.var([11, 11, 11, 20], ddof=1)))
