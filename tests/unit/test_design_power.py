"""effekt check warns when a threshold cannot be detected at the cohort size (80 % power)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.contract.metrics import Metric
from effekt.engine.outcomes import effect_se
from effekt.services.design_power import comparison_size, design_power, metric_mde

EXAMPLES = Path(__file__).parents[2] / "examples"


def _with_cohorts(size: float) -> object:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    data = c.model_dump(mode="json")
    for co in data["cohorts"]:
        co["size"] = size
    return type(c).model_validate(data)


def test_binary_mde_matches_the_arcsine_formula_by_hand() -> None:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    m = c.metric("gymnasiebehorighet")  # baseline 0.20, matched comparison 1:1
    # h* = (1.959964 + 0.841621) × sqrt(2/120) = 0.361679; p_T = sin²(asin(√0.2) + h*/2)
    h = (1.959964 + 0.841621) * math.sqrt(2 / 120)
    p_t = math.sin(math.asin(math.sqrt(0.2)) + h / 2) ** 2
    assert metric_mde(m, 120, "absolute_difference") == pytest.approx(p_t - 0.2, rel=1e-5)


def test_a_threshold_below_the_mde_warns_and_a_large_cohort_does_not() -> None:
    small = design_power(_with_cohorts(40))
    assert any(not d.detectable for d in small)
    large = design_power(_with_cohorts(5000))
    assert all(d.detectable for d in large)


def test_check_prints_the_power_warning_in_both_languages_and_exits_zero(tmp_path: Path) -> None:
    runner = CliRunner()
    out = {}
    for lang in ("sv", "en"):
        res = runner.invoke(
            main, ["check", str(EXAMPLES / "peterborough.toml"), "--json", "--lang", lang]
        )
        assert res.exit_code == 0
        report = json.loads(res.output)
        warnings = [p for p in report["problems"] if p["code"] == "contract.threshold_undetectable"]
        assert [w["path"] for w in warnings] == ["rules[0].threshold", "rules[1].threshold"]
        assert all(w["line"] for w in warnings)
        out[lang] = warnings[0]["message"]
    assert "14,4\u00a0%" in out["sv"] and "14.4\u00a0%" in out["en"]


# --- the comparison group's size --------------------------------------------------------


def _metric(name: str, **update: object) -> Metric:
    m = load_contract(EXAMPLES / "hemmasittare.toml").metric(name)
    return m.model_copy(update=update)


def test_the_mde_shrinks_as_the_comparison_ratio_rises_and_is_unchanged_at_the_default() -> None:
    unset = metric_mde(_metric("gymnasiebehorighet"), 120, "absolute_difference")
    by_ratio = [
        metric_mde(_metric("gymnasiebehorighet", comparison_ratio=k), 120, "absolute_difference")
        for k in (1.0, 3.0, 10.0)
    ]
    assert by_ratio[0] == unset  # today's 1:1
    assert by_ratio[0] > by_ratio[1] > by_ratio[2]
    # 10:1 by hand: h* = (z_0.975 + z_0.8) √(1/120 + 1/1200)
    h = (1.959964 + 0.841621) * math.sqrt(1 / 120 + 1 / 1200)
    p_t = math.sin(math.asin(math.sqrt(0.2)) + h / 2) ** 2
    assert by_ratio[2] == pytest.approx(p_t - 0.2, rel=1e-5)


def test_a_fixed_comparison_size_is_the_same_group_for_any_cohort_size() -> None:
    m = _metric("gymnasiebehorighet", comparison_size=500)
    for n in (40, 120):
        h = (1.959964 + 0.841621) * math.sqrt(1 / n + 1 / 500)
        p_t = math.sin(math.asin(math.sqrt(0.2)) + h / 2) ** 2
        assert metric_mde(m, n, "absolute_difference") == pytest.approx(p_t - 0.2, rel=1e-5)


def test_a_historical_baseline_is_known_unless_its_cohort_size_is_given() -> None:
    known = _metric("gymnasiebehorighet", counterfactual="historical_baseline")
    assert comparison_size(known, 120) == math.inf
    h = (1.959964 + 0.841621) * math.sqrt(1 / 120)  # no sampling error in the baseline
    p_t = math.sin(math.asin(math.sqrt(0.2)) + h / 2) ** 2
    assert metric_mde(known, 120, "absolute_difference") == pytest.approx(p_t - 0.2, rel=1e-5)
    cohort = known.model_copy(update={"comparison_size": 300})
    assert comparison_size(cohort, 120) == 300
    assert metric_mde(cohort, 120, "absolute_difference") > metric_mde(
        known, 120, "absolute_difference"
    )


def test_ten_matches_per_person_shrink_a_rate_mde_but_not_below_peterboroughs_threshold() -> None:
    # Peterborough's 10 % early-payment threshold at one cohort of 1,000: the MDE is 14.4 %
    # at 1:1 and 10.9 % with ten matches per prisoner (NB2, k = 1.2) — still above 10 %
    c = load_contract(EXAMPLES / "peterborough.toml")
    data = c.model_dump(mode="json")
    at_one = design_power(c)[0]
    data["metrics"][0]["comparison_ratio"] = 10
    at_ten = design_power(type(c).model_validate(data))[0]
    assert at_one.mde == pytest.approx(0.1437, abs=5e-5)
    assert at_ten.mde == pytest.approx(0.1093, abs=5e-5)
    assert not at_ten.detectable


def test_a_decisions_standard_error_uses_the_comparison_group() -> None:
    m = _metric("gymnasiebehorighet")
    t, b, n = np.array([0.3]), np.array([0.2]), np.array([120.0])
    one = effect_se(m, t, b, n, "absolute_difference")
    assert one[0] == pytest.approx(math.sqrt((0.3 * 0.7 + 0.2 * 0.8) / 120))  # today's 1:1
    three = effect_se(
        m.model_copy(update={"comparison_ratio": 3.0}), t, b, n, "absolute_difference"
    )
    assert three[0] == pytest.approx(math.sqrt(0.3 * 0.7 / 120 + 0.2 * 0.8 / 360))
    fixed = effect_se(m.model_copy(update={"comparison_size": 40}), t, b, n, "absolute_difference")
    assert fixed[0] == pytest.approx(math.sqrt(0.3 * 0.7 / 120 + 0.2 * 0.8 / 40))
