"""The value and feasibility texts name actors as a reader knows them, not by their ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from effekt.contract.financing import Financing
from effekt.contract.load import load_contract
from effekt.reports.feasibility_text import feasibility_html, feasibility_text, value_text
from effekt.services.forstudie import feasibility_json
from effekt.services.value import value_json

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.parametrize(
    ("lang", "kommun", "agency"),
    [
        ("sv", "Kommunen", "Försäkringskassan"),
        ("en", "Municipality (kommun)", "Swedish Social Insurance Agency (Försäkringskassan)"),
    ],
)
def test_payer_shares_invitations_and_prices_name_actors_not_ids(
    lang: str, kommun: str, agency: str
) -> None:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    value = value_text(value_json(c, lang=lang), lang)
    study = feasibility_text(feasibility_json(c, EXAMPLES, lang), lang)
    for text in (value, study):
        assert f"{kommun} 88\u00a0%" in text  # the payer-share proposal
        assert "forsakringskassan" not in text  # an actor that is not a party: only its name
    matrix = value.rsplit("\n\n", 1)[0]  # before the unit costs' sources
    assert matrix.count(agency) == 4  # its row, its payer share, the invitation, its price
    price = next(line for line in value.splitlines() if "Tillbaka i skolan" in line)  # by name
    assert f"({kommun} " in price


@pytest.mark.parametrize(
    ("lang", "unit", "met"),
    [
        (
            "sv",
            "(åren i tusental GBP, summorna i GBP)",
            "[uppfyllt] Kontrafaktisk jämförelse finns: Varje betalt utfall",
        ),
        (
            "en",
            "(years in GBP thousands, totals in GBP)",
            "[met] Counterfactual available: Every paid outcome",
        ),
    ],
)
def test_a_pound_contract_in_swedish_has_swedish_units_and_a_met_item_says_why(
    lang: str, unit: str, met: str
) -> None:
    c = load_contract(EXAMPLES / "peterborough.toml")
    text = feasibility_text(feasibility_json(c, EXAMPLES, lang), lang)
    assert unit in text and met in text
    assert "matched comparison" in text or "matchad jämförelsegrupp" in text
    assert not any(line.rstrip().endswith(":") for line in text.splitlines() if "] " in line)


@pytest.mark.parametrize(
    ("lang", "says", "not_says"),
    [
        ("sv", "Det betalda utfallet har en definition", "Alla 1 betalda"),
        ("en", "The paid outcome has a definition", "paid outcome(s)"),
    ],
)
def test_one_paid_outcome_is_written_in_the_singular(lang: str, says: str, not_says: str) -> None:
    c = load_contract(EXAMPLES / "norrkoping.toml")
    text = feasibility_text(feasibility_json(c, EXAMPLES, lang), lang)
    assert says in text and not_says not in text


@pytest.mark.parametrize(
    ("lang", "says", "heading"),
    [
        ("sv", "beställaren sparar inget inom horisonten", "Kohortstorlek och upptäckbar effekt"),
        ("en", "the commissioner saves nothing within the horizon", "Cohort size and detectable"),
    ],
)
def test_a_contract_without_savings_or_detectable_effects_has_no_dash_or_empty_heading(
    lang: str, says: str, heading: str
) -> None:
    from effekt.reports.feasibility_text import feasibility_html

    c = load_contract(EXAMPLES / "norrkoping.toml")
    data = feasibility_json(c, EXAMPLES, lang)
    assert data["power"] == [] and data["timing"]["share_within_budget_period"] is None
    text = feasibility_text(data, lang)
    assert says in text and "; — " not in text
    assert heading not in text and heading not in feasibility_html(data, lang)


def test_the_problem_cost_names_its_price_year_and_the_published_range_in_it() -> None:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    data = feasibility_json(c, EXAMPLES, "sv")
    low, high = data["problem_cost"]["published_range"]
    assert 10_000_000 < low < high and high == pytest.approx(1.5 * low, rel=0.01)  # KPI-rebased
    text = feasibility_text(data, "sv")
    year = data["problem_cost"]["price_year"]
    assert f"Samhället, odiskonterat, i {year} års priser: " in text
    assert "Nilsson & Wadeskog" in text and f"i {year} års priser (KPI)" in text


@pytest.mark.parametrize(
    ("lang", "heading", "prices", "amount"),
    [
        ("en", "Unit costs behind the savings", "in 2021 prices", "SEK 155,814"),
        ("sv", "Enhetskostnader bakom besparingarna", "i 2021 års priser", "155\u00a0814\u00a0kr"),
    ],
)
def test_the_forstudie_and_value_name_each_unit_cost_with_its_source_and_price_year(
    lang: str, heading: str, prices: str, amount: str
) -> None:
    import html

    from effekt.data.reference import unit_costs
    from effekt.reports.feasibility_text import feasibility_html

    c = load_contract(EXAMPLES / "hemmasittare.toml")
    rows = unit_costs("se")
    used = [rows[line.unit_cost] for m in c.metrics for line in m.avoided_costs]
    assert len(used) >= 2
    data = feasibility_json(c, EXAMPLES, lang)
    pages = {
        "value": value_text(value_json(c, lang=lang), lang),
        "text": feasibility_text(data, lang),
        "html": feasibility_html(data, lang),
    }
    for kind, page in pages.items():
        assert heading in page, kind
        section = page.split(heading, 1)[1]
        for row in used:
            source = html.escape(row.source) if kind == "html" else row.source
            description = row.description_sv if lang == "sv" else row.description_en
            description = html.escape(description) if kind == "html" else description
            assert source in section and description in section, (kind, row.id)
        assert prices in section and amount in section, kind


@pytest.mark.parametrize(("lang", "heads"), [("en", ("Actor", "Flow")), ("sv", ("Aktör", "Flöde"))])
def test_the_html_matrix_has_a_header_for_every_column_and_each_actors_rows(
    lang: str, heads: tuple[str, str]
) -> None:
    from html.parser import HTMLParser

    from effekt.reports.feasibility_text import feasibility_html

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[tuple[str, dict[str, str | None], str]]] = []
            self.caption = ""
            self._in: tuple[str, dict[str, str | None]] | None = None
            self._table = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table" and ("class", "matrix") in attrs:
                self._table = True
            elif self._table and tag == "tr":
                self.rows.append([])
            elif self._table and tag in ("th", "td", "caption"):
                self._in = (tag, dict(attrs))
                if tag != "caption":
                    self.rows[-1].append((tag, dict(attrs), ""))

        def handle_data(self, data: str) -> None:
            if self._in and self._in[0] == "caption":
                self.caption += data
            elif self._in:
                tag, attrs, text = self.rows[-1][-1]
                self.rows[-1][-1] = (tag, attrs, text + data)

        def handle_endtag(self, tag: str) -> None:
            if tag == "table":
                self._table = False
            if tag in ("th", "td", "caption"):
                self._in = None

    c = load_contract(EXAMPLES / "hemmasittare.toml")
    page = Cells()
    page.feed(feasibility_html(feasibility_json(c, EXAMPLES, lang), lang))
    head, *body = page.rows
    assert all(tag == "th" and attrs.get("scope") == "col" and text for tag, attrs, text in head)
    assert [text for _, _, text in head[:2]] == list(heads)
    assert "SEK" in page.caption or "tkr" in page.caption  # the unit, as the table's caption
    width = len(head)
    for k, row in enumerate(body):
        if k % 3 == 0:  # an actor's first row: its name heads its three rows
            tag, attrs, text = row[0]
            assert tag == "th" and attrs.get("scope") == "row" and attrs.get("rowspan") == "3"
            assert text and len(row) == width
        else:
            assert len(row) == width - 1 and row[0][0] == "td"


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Feasibility study (förstudie): Tillbaka till skolan – Exempelkommun "
               "(hemmasittare-exempelkommun)"),
        ("sv", "Förstudie: Tillbaka till skolan – Exempelkommun (hemmasittare-exempelkommun)"),
    ],
)  # fmt: skip
def test_the_forstudie_is_titled_with_the_contracts_name_and_its_id(lang: str, title: str) -> None:
    from effekt.reports.feasibility_text import feasibility_html

    data = feasibility_json(load_contract(EXAMPLES / "hemmasittare.toml"), EXAMPLES, lang)
    assert feasibility_text(data, lang).splitlines()[0] == title
    page = feasibility_html(data, lang)
    assert f"<title>{title}</title>" in page and f"<h1>{title}</h1>" in page


def test_a_contract_without_a_name_is_titled_with_its_id() -> None:
    data = feasibility_json(load_contract(EXAMPLES / "hemmasittare.toml"), EXAMPLES, "en")
    data["contract_name"] = None
    assert feasibility_text(data, "en").splitlines()[0] == (
        "Feasibility study (förstudie): hemmasittare-exempelkommun"
    )


@pytest.mark.parametrize(
    ("lang", "timing", "case"),
    [
        ("en", ["Time to savings", "  - First saving 2027, break-even not within the horizon;"],
         ["Business case", "  - Payments under the rules SEK 9,752,398"]),
        ("sv", ["Tid till besparing", "  - Första besparing 2027, återbetalt (diskonterat) "
                "inte inom horisonten;"],
         ["Affärskalkyl", "  - Betalningar enligt reglerna 9 752 398 kr"]),
    ],
)  # fmt: skip
def test_time_to_savings_and_the_business_case_have_their_headings(
    lang: str, timing: list[str], case: list[str]
) -> None:
    from effekt.reports.feasibility_text import feasibility_html

    data = feasibility_json(load_contract(EXAMPLES / "hemmasittare.toml"), EXAMPLES, lang)
    lines = feasibility_text(data, lang).replace("\u00a0", " ").splitlines()
    for heading, first in (timing, case):
        at = lines.index(heading)
        assert lines[at + 1].startswith(first)
    page = feasibility_html(data, lang)
    assert f"<h2>{timing[0]}</h2>" in page and f"<h2>{case[0]}</h2>" in page


@pytest.mark.parametrize(
    ("contract", "lang", "line"),
    [
        ("hemmasittare.toml", "en",
         "Payments under the rules SEK 9,752,398 (activity fees included); Social investeringsfond IRR/yr "),
        ("hemmasittare.toml", "sv",
         "Betalningar enligt reglerna 9 752 398 kr (aktivitetsarvoden inräknade); Social investeringsfond IRR/år "),
        ("peterborough.toml", "en", "Payments under the rules £5,200,000; "),
        ("peterborough.toml", "sv", "Betalningar enligt reglerna 5 200 000 GBP; "),
    ],
)  # fmt: skip
def test_the_business_case_counts_activity_fees_in_only_when_the_contract_pays_some(
    contract: str, lang: str, line: str
) -> None:
    data = feasibility_json(load_contract(EXAMPLES / contract), EXAMPLES, lang)
    lines = feasibility_text(data, lang).replace("\u00a0", " ").splitlines()
    case = lines[lines.index({"en": "Business case", "sv": "Affärskalkyl"}[lang]) + 1]
    assert case.startswith(f"  - {line}")


@pytest.mark.parametrize(
    ("lang", "investors"),
    [
        ("en", "Social investeringsfond IRR/yr 6.9 %, Stiftelse (filantropisk) IRR/yr 0.0 %"),
        ("sv", "Social investeringsfond IRR/år 6,9 %, Stiftelse (filantropisk) IRR/år 0,0 %"),
    ],
)
def test_the_business_case_names_each_investor_by_its_name_not_its_id(
    lang: str, investors: str
) -> None:
    data = feasibility_json(load_contract(EXAMPLES / "hemmasittare.toml"), EXAMPLES, lang)
    text = feasibility_text(data, lang).replace("\u00a0", " ")
    assert text.count(investors) == 1  # in the business case; not "fond IRR/år"
    assert investors in feasibility_html(data, lang).replace("\u00a0", " ")
    assert data["business_case"]["investors"]["fond"]["name"] == "Social investeringsfond"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "  - Payments under the rules SEK 6,440,000 (activity fees included)"),
        ("sv", "  - Betalningar enligt reglerna 6 440 000 kr (aktivitetsarvoden inräknade)"),
    ],
)
def test_a_contract_without_investors_ends_the_business_case_with_its_payments(
    lang: str, line: str
) -> None:
    c = load_contract(EXAMPLES / "norrkoping.toml")
    c = c.model_copy(
        update={
            "financing": Financing(),
            "parties": [p for p in c.parties if p.role != "investor"],
        }
    )
    data = feasibility_json(c, EXAMPLES, lang)
    lines = feasibility_text(data, lang).replace("\u00a0", " ").splitlines()
    case = lines[lines.index({"en": "Business case", "sv": "Affärskalkyl"}[lang]) + 1]
    assert case == line  # no "; " left waiting for investors


def test_an_investor_without_a_name_is_named_by_its_id() -> None:
    c = load_contract(EXAMPLES / "hemmasittare.toml")
    c = c.model_copy(update={"parties": [p.model_copy(update={"name": None}) for p in c.parties]})
    data = feasibility_json(c, EXAMPLES, "en")
    assert "; fond IRR/yr 6.9\u00a0%, stiftelse IRR/yr" in feasibility_text(data, "en")


@pytest.mark.parametrize(
    ("contract", "lang", "says", "not_says"),
    [
        ("peterborough.toml", "sv", "33 785 GBP per person per år i 2013/14 års priser",
         "Per person per year"),
        ("peterborough.toml", "en", "£33,785 per person per year in 2013/14 prices",
         "Per person per year"),
        ("hemmasittare.toml", "en", "SEK 155,814 per pupil per year in 2021 prices",
         "per elev"),
        ("hemmasittare.toml", "sv", "155 814 kr per elev per år i 2021 års priser", "per pupil"),
    ],
)  # fmt: skip
def test_a_unit_costs_unit_is_written_in_the_reports_language(
    contract: str, lang: str, says: str, not_says: str
) -> None:
    data = feasibility_json(load_contract(EXAMPLES / contract), EXAMPLES, lang)
    text = feasibility_text(data, lang).replace("\u00a0", " ")
    assert says in text
    assert not_says not in text


def test_every_unit_in_the_shipped_unit_cost_tables_is_in_both_languages() -> None:
    from effekt.data.reference import unit_costs
    from effekt.services.value import unit_words

    units = {row.unit for country in ("se", "uk") for row in unit_costs(country).values()}
    assert len(units) > 20
    for unit in units:
        # known to the catalogue (an unknown unit is written as it is, the same in both)
        assert unit_words(unit, "sv") != unit_words(unit, "en"), unit


def test_a_unit_the_catalogue_does_not_know_is_written_as_the_table_writes_it() -> None:
    from effekt.services.value import unit_words

    assert unit_words("per tonne of CO2e", "sv") == "per tonne of CO2e"
