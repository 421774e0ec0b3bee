"""The sensitivity chart (``effekt sensitivity --chart``): a standalone SVG that scales, says
what it shows in the reader's language, and keeps every label clear of the bars."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from effekt.services.sensitivity import sensitivity_svg

SVG = "{http://www.w3.org/2000/svg}"
LONG = "metrics[gymnasiebehorighet].adjustments.optimism_bias"


def data(**changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "contract": "c",
        "currency": "SEK",
        "output": "fond.npv",
        "base": 141_536.0,
        "tornado": [
            {"input": "success", "output_low": -2_416_479.0, "output_high": 93_172.0},
            {"input": LONG, "output_low": 99_570.0, "output_high": 160_000.0},
            {"input": "eligibility", "output_low": -915_629.0, "output_high": 141_536.0},
        ],
        "sobol": {
            "indices": [
                {"input": "success", "first_order": 0.42, "total": 0.67},
                {"input": LONG, "first_order": 0.01, "total": 0.02},
                {"input": "eligibility", "first_order": 0.12, "total": 0.31},
            ]
        },
    }
    out.update(changes)
    return out


def texts(svg: ET.Element) -> list[str]:
    return [e.text or "" for e in svg.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("lang", "name"), [("en", "NPV (Social fund)"), ("sv", "nuvärde (Social fund)")]
)
def test_the_chart_scales_and_names_its_output_in_words(lang: str, name: str) -> None:
    svg = ET.fromstring(sensitivity_svg(data(party_name="Social fund"), lang))
    width, height = svg.get("width"), svg.get("height")
    assert svg.get("viewBox") == f"0 0 {width} {height}"  # scales when embedded
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None and (title.text or "").startswith(name)
    assert texts(svg)[0].startswith(f"{name}: ")
    assert not any("fond.npv" in x for x in texts(svg))


def test_a_long_input_name_stays_clear_of_the_bars() -> None:
    svg = ET.fromstring(sensitivity_svg(data(), "en"))
    label = next(e for e in svg.iter(f"{SVG}text") if e.text == LONG)
    end = float(label.get("x", 0)) + 7 * len(LONG)  # about 7 px a character at font-size 12
    bars = [float(r.get("x", 0)) for r in svg.iter(f"{SVG}rect") if r.get("height") != "10"]
    assert min(x for x in bars if x > 0) > end


@pytest.mark.parametrize(("lang", "zero"), [("en", "SEK 0"), ("sv", "0\u00a0kr")])
def test_the_tornado_axis_marks_zero_between_a_loss_and_a_gain(lang: str, zero: str) -> None:
    svg = ET.fromstring(sensitivity_svg(data(), lang))
    assert zero in texts(svg)
    gains_only = data(tornado=[{"input": "a", "output_low": 1.0e5, "output_high": 2.0e5}])
    assert zero not in texts(ET.fromstring(sensitivity_svg(gains_only, lang)))


def test_coordinates_carry_no_float_noise() -> None:
    page = sensitivity_svg(data(), "en")
    assert not re.search(r'="-?\d+\.\d{2,}"', page)


def test_the_chart_names_a_party_without_a_name_by_its_id() -> None:
    svg = ET.fromstring(sensitivity_svg(data(), "en"))
    assert texts(svg)[0].startswith("NPV (fond): ")
