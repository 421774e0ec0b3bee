"""effekt check warns when a threshold cannot be detected at the cohort size (80 % power)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.services.design_power import design_power, metric_mde

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
