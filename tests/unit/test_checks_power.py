"""effekt check warns when a threshold cannot be detected at the cohort size with 80 % power.

The contract: one binary metric measured against a matched comparison (1:1), baseline
30 %, one cohort of 40, and one threshold rule on the absolute difference. By hand
(arcsine transformation, 5 % two-sided, 80 % power): h = (1.959964 + 0.841621) × √(2/40)
= 0.626453; p_T = sin²(asin √0.3 + h/2) = 0.60660; the smallest detectable difference is
30.7 percentage points.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.contract.load import check_document, parse_text
from effekt.services.design_power import power_warnings

TEXT = """format_version = 1
id = "power"
currency = "SEK"
start = 2027-01-01
period = "quarter"
term_periods = 8
[[parties]]
id = "k"
role = "commissioner"
[[cohorts]]
id = "c"
start_period = 1
size = {size}
[[metrics]]
id = "m"
definition = "back in school"
data_source = "school register"
counterfactual = "matched_comparison"
expected = 0.5
baseline = 0.3
[[rules]]
kind = "threshold"
metric = "m"
measure = "{measure}"
scope = "all_cohorts"
threshold = {threshold}
amount = 100_000
"""
THRESHOLD_LINE = TEXT.splitlines().index("threshold = {threshold}") + 1
MDE_40 = math.sin(math.asin(math.sqrt(0.3)) + (1.959964 + 0.841621) * math.sqrt(2 / 40) / 2) ** 2


def contract_text(threshold: float, size: int = 40, measure: str = "absolute_difference") -> str:
    return TEXT.format(threshold=threshold, size=size, measure=measure)


def warnings(threshold: float, size: int = 40, measure: str = "absolute_difference") -> list[str]:
    text = contract_text(threshold, size, measure)
    c, problems = check_document(parse_text(text, "toml"))
    assert c is not None, [p.code for p in problems]
    return [p.code for p in power_warnings(c)]


def test_the_hand_computed_mde_at_forty_is_thirty_one_points() -> None:
    assert MDE_40 - 0.3 == pytest.approx(0.3066, abs=1e-4)


def test_a_threshold_below_the_mde_at_forty_warns() -> None:
    assert warnings(0.10) == ["contract.threshold_undetectable"]


def test_a_threshold_above_the_mde_at_forty_does_not_warn() -> None:
    assert warnings(0.35) == []


def test_the_same_threshold_is_detectable_in_a_large_cohort() -> None:
    # at n = 1,000 per arm the MDE is about 6.1 points
    assert warnings(0.10, size=1000) == []


def test_a_threshold_on_the_level_gets_no_power_warning() -> None:
    # a level, not an effect: nothing to detect against the comparison group
    assert warnings(0.10, measure="level") == []


@pytest.mark.parametrize(
    ("lang", "mde"), [("en", "30.7 percentage points"), ("sv", "30,7 procentenheter")]
)
def test_check_reports_the_warning_at_the_thresholds_line_in_both_languages(
    tmp_path: Path, lang: str, mde: str
) -> None:
    src = tmp_path / "power.toml"
    src.write_text(contract_text(0.10), "utf-8")
    res = CliRunner().invoke(main, ["check", str(src), "--json", "--lang", lang])
    assert res.exit_code == 0, res.output  # a warning, not an error
    report = json.loads(res.output)
    assert report["valid"] is True
    [w] = [p for p in report["problems"] if p["code"] == "contract.threshold_undetectable"]
    assert w["severity"] == "warning"
    assert w["path"] == "rules[0].threshold" and w["line"] == THRESHOLD_LINE
    assert mde in w["message"] and "80" in w["message"]


def test_check_text_names_the_file_and_line(tmp_path: Path) -> None:
    src = tmp_path / "power.toml"
    src.write_text(contract_text(0.10), "utf-8")
    res = CliRunner().invoke(main, ["check", str(src), "--lang", "en"])
    assert res.exit_code == 0
    assert f"power.toml:{THRESHOLD_LINE}: warning: rules[0].threshold" in res.output
