"""The balance ("love") plot of the outcome report: every covariate by its label, the
threshold where it belongs on the axis, a covariate not balanced marked, its texts in
Swedish or English with the language's figures, names escaped, and no point for an SMD
that is not finite."""

from __future__ import annotations

import doctest
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from effekt.reports import balance_plot
from effekt.reports.balance_plot import balance_svg

BALANCE: dict[str, Any] = {
    "alder": {"label": "alder", "smd_before": -0.0398, "smd_after": -0.012, "passed": True},
    "konpojke": {"label": "kon: pojke", "smd_before": -0.0348, "smd_after": 0.4, "passed": False},
    "franvaro_fore": {"smd_before": 0.5079, "smd_after": 0.0181, "passed": True},
    "tidigare_stod": {"label": "tidigare_stod", "smd_before": 0.7264, "smd_after": 0.0},
}


def svg(balance: dict[str, Any] = BALANCE, threshold: float = 0.1, lang: str = "en") -> ET.Element:
    return ET.fromstring(balance_svg(balance, threshold, lang))


def texts(root: ET.Element) -> list[ET.Element]:
    return list(root.iter("text"))


def label(root: ET.Element, name: str) -> ET.Element:
    [found] = [e for e in texts(root) if e.text == name and e.get("text-anchor") == "end"]
    return found


def points(root: ET.Element, name: str) -> list[ET.Element]:
    """The circles on the row of the covariate labelled ``name``."""
    row_y = int(label(root, name).get("y", "0")) - 4
    return [c for c in root.iter("circle") if int(c.get("cy", "0")) == row_y]


def tick_x(root: ET.Element, text: str) -> int:
    [tick] = [e for e in texts(root) if e.text == text and e.get("text-anchor") == "middle"]
    return int(tick.get("x", "0"))


def test_every_covariate_is_named_by_its_label_or_else_its_name() -> None:
    names = [e.text for e in texts(svg()) if e.get("text-anchor") == "end"]
    assert names == ["alder", "kon: pojke", "franvaro_fore", "tidigare_stod"]


def test_each_covariate_has_a_point_before_and_after_matching() -> None:
    root = svg()
    for name in ("alder", "kon: pojke", "franvaro_fore", "tidigare_stod"):
        kinds = [c.get("fill") == "none" for c in points(root, name)]
        assert kinds == [True, False], name  # hollow before, filled after


def test_threshold_line_and_points_stand_at_their_value_on_the_axis() -> None:
    root = svg()  # largest |SMD| 0.7264: the axis runs 0 to 0.8 in steps of 0.2
    zero, end = tick_x(root, "0"), tick_x(root, "0.8")
    assert [e.text for e in texts(root) if e.get("text-anchor") == "middle"][:5] == [
        "0", "0.2", "0.4", "0.6", "0.8"
    ]  # fmt: skip
    [line] = [e for e in root.iter("line") if e.get("class") == "threshold"]
    assert line.get("x1") == line.get("x2")
    assert int(line.get("x1", "0")) == pytest.approx(zero + (end - zero) * 0.1 / 0.8, abs=1)
    after = points(root, "kon: pojke")[1]
    assert int(after.get("cx", "0")) == tick_x(root, "0.4")
    before = points(root, "tidigare_stod")[0]
    assert int(before.get("cx", "0")) == pytest.approx(zero + (end - zero) * 0.7264 / 0.8, abs=1)


def test_a_threshold_above_every_smd_still_fits_on_the_axis() -> None:
    root = svg({"a": {"smd_before": 0.05, "smd_after": 0.01, "passed": True}}, threshold=0.25)
    [line] = [e for e in root.iter("line") if e.get("class") == "threshold"]
    last = [e for e in texts(root) if e.get("text-anchor") == "middle"][-2]  # before the title
    assert int(line.get("x1", "0")) < int(last.get("x", "0"))


def test_a_covariate_not_balanced_is_marked_and_the_legend_says_why() -> None:
    root = svg()
    failing = label(root, "kon: pojke")
    assert failing.get("font-weight") == "bold" and failing.get("fill")
    assert label(root, "alder").get("font-weight") is None
    assert any("not balanced after matching (|SMD| > 0.1)" in (e.text or "") for e in texts(root))
    balanced = svg({k: {**b, "passed": True} for k, b in BALANCE.items()})
    assert not any("not balanced" in (e.text or "") for e in texts(balanced))


def test_without_a_verdict_a_covariate_is_judged_against_the_threshold() -> None:
    root = svg({"a": {"smd_before": 0.3, "smd_after": -0.2}, "b": {"smd_after": 0.05}})
    assert label(root, "a").get("font-weight") == "bold"
    assert label(root, "b").get("font-weight") is None


def test_swedish_plot_is_in_swedish_with_decimal_commas() -> None:
    root = svg(lang="sv")
    words = [e.text or "" for e in texts(root)]
    for said in ("före matchning", "efter matchning", "tröskel 0,1",
                 "Absolut standardiserad medelvärdesskillnad",
                 "I fetstil: inte balanserad efter matchning (|SMD| > 0,1)"):  # fmt: skip
        assert said in words, said
    assert {"0,2", "0,4", "0,6", "0,8"} <= set(words)
    tips = [e.text or "" for e in root.iter("title")]
    assert "före matchning: |SMD| 0,73" in tips  # as published, to two decimals
    everything = " ".join(words + tips)
    assert not re.search(r"\d\.\d", everything)
    assert not re.search(r"\b(before|after|threshold|Absolute)\b", everything)


@pytest.mark.parametrize(("lang", "tip"), [
    ("sv", "efter matchning: |SMD| 0,10 (|SMD| över 0,1 före avrundning)"),
    ("en", "after matching: |SMD| 0.10 (|SMD| above 0.1 before rounding)"),
])  # fmt: skip
def test_a_point_that_rounds_to_the_threshold_but_is_not_balanced_says_it_is_above_it(
    lang: str, tip: str
) -> None:
    # published as −0.10 (from −0.1024): the tooltip said "|SMD| 0.1" beside a bold label
    balance = {"alder": {"label": "alder", "smd_before": -0.13, "smd_after": -0.1,
                         "passed": False}}  # fmt: skip
    root = svg(balance, lang=lang)
    assert label(root, "alder").get("font-weight") == "bold"
    assert tip in [e.text or "" for e in root.iter("title")]


def test_english_plot_keeps_decimal_points() -> None:
    words = [e.text or "" for e in texts(svg(lang="en"))]
    assert "threshold 0.1" in words and "before matching" in words and "0.4" in words
    assert "Absolute standardised mean difference" in words


def test_names_are_escaped() -> None:
    balance = {"<b>": {"smd_before": 0.3, "smd_after": 0.05, "passed": True},
               "x": {"label": 'a & "b"', "smd_before": 0.2, "smd_after": 0.0, "passed": True}}  # fmt: skip
    text = balance_svg(balance, 0.1, "en")
    assert "<b>" not in text and "&lt;b&gt;" in text
    root = ET.fromstring(text)
    assert label(root, "<b>") is not None and label(root, 'a & "b"') is not None


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, None])
def test_an_smd_that_is_not_finite_draws_no_point(bad: float | None) -> None:
    balance = {**BALANCE, "odd": {"label": "odd", "smd_before": bad, "smd_after": bad}}
    root = svg(balance)
    assert label(root, "odd").get("font-weight") == "bold"  # no verdict, no finite SMD
    assert points(root, "odd") == []
    assert tick_x(root, "0.8")  # the axis still ends at 0.8: an infinity does not stretch it
    assert len(list(root.iter("circle"))) == 2 * len(BALANCE) + 2  # + the legend's two


def test_plot_is_an_image_with_a_title_for_screen_readers() -> None:
    root = svg(lang="sv")
    title = root.find("title")
    assert root.get("role") == "img"
    assert title is not None and root.get("aria-label") == title.text
    assert title.text and title.text.startswith("Balans i bakgrundsvariabler")


def test_plot_is_self_contained() -> None:
    text = balance_svg(BALANCE, 0.1, "sv")
    assert "<script" not in text and "http" not in text and "href" not in text


def test_axis_scale_examples_hold() -> None:
    assert doctest.testmod(balance_plot).failed == 0
