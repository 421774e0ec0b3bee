"""The simulation's table says when a party's IRR and multiple cover only some paths."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from effekt.contract.load import load_contract
from effekt.services.simulate import simulate, simulate_json
from effekt.services.simulate_text import simulate_text

HEMMA = Path(__file__).parents[2] / "examples" / "hemmasittare.toml"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    c = load_contract(HEMMA)
    return simulate_json(c, simulate(c, 2000, seed=3), seed=3)


def row(text: str, party: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(party + " "))


def test_a_party_with_returns_on_some_paths_only_is_marked_with_the_share(
    data: dict[str, Any],
) -> None:
    d = copy.deepcopy(data)
    d["parties"]["fond"]["irr_defined"] = 0.25
    d["parties"]["fond"]["moic_defined"] = 0.5
    text = simulate_text(d, "en")
    assert row(text, "fond").count("*") == 3  # IRR p50, IRR range, multiple p50
    assert (
        "* fond: IRR and multiple over the paths where they are defined only — "
        "25\u00a0% and 50\u00a0% of the paths" in text
    )
    sv = simulate_text(d, "sv")
    assert "* fond: IRR och multipel bara över de scenarier där de är definierade – 25\u00a0%" in sv


def test_a_party_with_returns_on_every_path_is_not_marked(data: dict[str, Any]) -> None:
    d = copy.deepcopy(data)
    for p in d["parties"].values():
        p["irr_defined"] = p["moic_defined"] = 1.0
    text = simulate_text(d, "en")
    assert "*" not in text


def test_payers_get_no_mark_however_few_paths_define_their_return(data: dict[str, Any]) -> None:
    d = copy.deepcopy(data)
    d["parties"]["kommun"]["irr_defined"] = 0.0
    text = simulate_text(d, "en")
    assert "*" not in row(text, "kommun")
    assert "* kommun" not in text


# ------------------------------------------------------------------ the sensitivity's text


@pytest.fixture(scope="module")
def tornado_text() -> dict[str, str]:
    from effekt.services.sensitivity import sensitivity
    from effekt.services.simulate_text import sensitivity_text

    result = sensitivity(load_contract(HEMMA), base_paths=64, seed=1)
    return {lang: sensitivity_text(result, lang).replace("\u00a0", " ") for lang in ("en", "sv")}


@pytest.mark.parametrize(
    ("lang", "delay", "cost"),
    [
        ("en", ["cohorts[2].start_delay", "0", "1"], ["cost_pp", "SEK 52,246", "SEK 71,633"]),
        ("sv", ["cohorts[2].start_delay", "0", "1"], ["cost_pp", "52 246 kr", "71 633 kr"]),
    ],
)  # fmt: skip
def test_the_tornado_shows_a_whole_number_input_whole_and_money_as_money(
    tornado_text: dict[str, str], lang: str, delay: list[str], cost: list[str]
) -> None:
    lines = tornado_text[lang].splitlines()
    for expected in (delay, cost):
        line = next(x for x in lines if x.strip().startswith(expected[0] + " "))
        assert re.split(r" {2,}", line.strip())[:3] == expected


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        (
            "en",
            "Sensitivity of NPV (Social investeringsfond) in Tillbaka till skolan – Exempelkommun (hemmasittare-exempelkommun)",
        ),
        (
            "sv",
            "Känslighet för nuvärde (Social investeringsfond) i Tillbaka till skolan – Exempelkommun (hemmasittare-exempelkommun)",
        ),
    ],
)
def test_the_sensitivity_names_its_output_in_words_and_its_party_by_name(
    tornado_text: dict[str, str], lang: str, title: str
) -> None:
    assert tornado_text[lang].splitlines()[0] == title
    assert "fond.npv" not in tornado_text[lang]


def test_the_sensitivity_json_keeps_its_output_an_id_beside_the_partys_name() -> None:
    from effekt.services.sensitivity import sensitivity

    result = sensitivity(load_contract(HEMMA), base_paths=16, seed=1)
    assert result["output"] == "fond.npv"
    assert result["party_name"] == "Social investeringsfond"
