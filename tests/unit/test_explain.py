"""`effekt explain` writes each payment rule as correct Swedish and English text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.contract.model import Contract
from effekt.contract.quantity import Beta, expected
from effekt.contract.rules import ActivityFee, RateCard, SavingsShare, Threshold, Tiers

EXAMPLES = [
    Path(__file__).resolve().parents[2] / "examples" / f"{name}.toml"
    for name in ("hemmasittare", "peterborough", "norrkoping")
]
NBSP = "\u00a0"
PLACEHOLDER = re.compile(r"\{[A-Za-z_]+\}")

# Words of the rule sentences that must not leak into the other language (the contract's
# own names and definitions are removed first: they are in whatever language the file is).
ENGLISH = {"pay", "pays", "each", "when", "reaches", "measured", "after", "regardless",
           "unless", "across", "cohorts", "counterfactual", "gained", "avoided", "paid",
           "capped", "deal", "provider", "estimate", "participant"}  # fmt: skip
SWEDISH = {"betalar", "för", "varje", "när", "når", "mäts", "efter", "oavsett", "kohorter",
           "kontrafaktiska", "utfallet", "affären", "utföraren", "betalas", "deltagare",
           "högst", "och"}  # fmt: skip


def sek_like(value: float, currency: str, lang: str) -> str:
    """A whole amount written independently of effekt.i18n.format: 60 000 kr / SEK 60,000."""
    digits = f"{round(value):,}"
    if lang == "sv":
        unit = "kr" if currency == "SEK" else currency
        return digits.replace(",", NBSP) + NBSP + unit
    return {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, f"{currency} ") + digits


def explain(example: Path, lang: str) -> list[str]:
    result = CliRunner().invoke(main, ["explain", str(example), "--lang", lang])
    assert result.exit_code == 0, result.output
    return [p for p in result.output.strip().split("\n\n") if p.strip()]


def contract_words(c: Contract) -> list[str]:
    """The contract's own text, which may be in either language."""
    texts = [p.name or p.id for p in c.parties]
    for m in c.metrics:
        texts += [m.name or m.id, m.definition.rstrip("."), m.data_source or ""]
    texts += [r.id or "" for r in c.rules]
    return sorted((t for t in texts if t), key=len, reverse=True)


def words(paragraph: str, c: Contract) -> set[str]:
    for text in contract_words(c):
        paragraph = paragraph.replace(text, " ")
    paragraph = paragraph.replace("intention to treat", " ")  # the term of art, in both
    return set(re.findall(r"[a-zåäö]+", paragraph.lower()))


def money_amounts(c: Contract, index: int) -> list[float]:
    """The fixed amounts rule ``index`` states, each of which the paragraph must show."""
    rule = c.rules[index]
    amounts: list[float] = []
    if isinstance(rule, RateCard | Threshold) and isinstance(rule.price, int | float):
        amounts.append(rule.price)
    if isinstance(rule, Threshold):
        amounts.append(rule.amount)
    if isinstance(rule, Tiers):
        amounts += [t.amount for t in rule.tiers]
    if isinstance(rule, ActivityFee):
        amounts += [rule.per_participant, rule.per_period]
    if isinstance(rule, SavingsShare) and isinstance(rule.saving_per_outcome, int | float):
        amounts.append(rule.saving_per_outcome)
    if rule.cap is not None:
        amounts.append(rule.cap)
    return [a for a in amounts if a]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_one_paragraph_per_rule_then_the_cap(example: Path, lang: str) -> None:
    c = load_contract(example)
    paragraphs = explain(example, lang)
    assert len(paragraphs) == len(c.rules) + 1
    for i, paragraph in enumerate(paragraphs[:-1]):
        assert paragraph.startswith(f"{c.rule_id(i)}: ")
    if c.payment.cap is not None:
        assert sek_like(c.payment.cap, c.currency, lang) in paragraphs[-1]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_amounts_are_written_the_way_of_the_language(example: Path, lang: str) -> None:
    c = load_contract(example)
    paragraphs = explain(example, lang)
    for i in range(len(c.rules)):
        for amount in money_amounts(c, i):
            assert sek_like(amount, c.currency, lang) in paragraphs[i], (c.rule_id(i), amount)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_no_placeholders_or_message_codes_are_left(example: Path) -> None:
    for lang in ("sv", "en"):
        for paragraph in explain(example, lang):
            assert not PLACEHOLDER.search(paragraph), paragraph
            assert "explain." not in paragraph and "role." not in paragraph, paragraph


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_swedish_text_has_no_english_words_and_english_none_swedish(example: Path) -> None:
    c = load_contract(example)
    for sv, en in zip(explain(example, "sv"), explain(example, "en"), strict=True):
        assert not words(sv, c) & ENGLISH, (words(sv, c) & ENGLISH, sv)
        assert not words(en, c) & SWEDISH, (words(en, c) & SWEDISH, en)
        assert sv != en


def test_swedish_amounts_use_no_break_spaces_and_kronor() -> None:
    hem = next(p for p in EXAMPLES if p.stem == "hemmasittare")
    sv = " ".join(explain(hem, "sv"))
    en = " ".join(explain(hem, "en"))
    assert f"10{NBSP}000{NBSP}kr" in sv and "SEK 10,000" in en
    assert "SEK" not in sv and " kr" not in en


def test_uncertain_price_is_shown_as_its_mean_marked_approximate(tmp_path: Path) -> None:
    hem = next(p for p in EXAMPLES if p.stem == "hemmasittare")
    text = re.sub(
        r"(?m)^price = [0-9_]+(.*)$",
        'price = { dist = "triangular", low = 40_000, mode = 60_000, high = 80_000 }',
        hem.read_text(encoding="utf-8"),
        count=1,
    )
    path = tmp_path / "uncertain.toml"
    path.write_text(text, encoding="utf-8")
    assert f"≈60{NBSP}000{NBSP}kr" in explain(path, "sv")[0]
    assert "≈SEK 60,000" in explain(path, "en")[0]


def test_reduction_metric_pays_per_outcome_avoided() -> None:
    pb = next(p for p in EXAMPLES if p.stem == "peterborough")
    c = load_contract(pb)
    assert c.metric(c.rules[0].metric).direction == "decrease"  # type: ignore[union-attr]
    assert "avoided" in explain(pb, "en")[0] and "gained" not in explain(pb, "en")[0]
    assert "undvikits" in explain(pb, "sv")[0]


def test_expected_of_a_beta_is_its_mean() -> None:
    assert expected(Beta(dist="beta", mean=0.45, sd=0.1)) == 0.45


@pytest.mark.parametrize(
    ("lang", "heading", "design"),
    [
        ("sv", "Evidens för insatsen", "randomiserad kontrollerad studie, n = 112"),
        ("en", "Evidence behind the intervention", "randomised controlled trial, n = 112"),
    ],
)
def test_the_summary_lists_the_studies_behind_the_intervention(
    lang: str, heading: str, design: str
) -> None:
    from effekt.contract.explain import summary

    root = Path(__file__).parents[2] / "examples"
    text = summary(load_contract(root / "hemmasittare.toml"), lang)
    assert heading in text and f"Reissner et al. (2015), Dtsch Arztebl Int ({design})" in text
    assert heading not in summary(load_contract(root / "peterborough.toml"), lang)  # none recorded


ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden"


@pytest.mark.parametrize(
    ("lang", "says", "not_says"),
    [("sv", "under 2 kvartal,", "period(er)"), ("en", "over 2 quarters,", "period(s)")],
)
def test_the_summary_gives_a_cohorts_referral_spread_in_the_contracts_periods(
    lang: str, says: str, not_says: str
) -> None:
    from effekt.contract.explain import summary

    text = summary(load_contract(ROOT / "examples" / "hemmasittare.toml"), lang)
    assert says in text and not_says not in text


def test_a_contract_without_a_name_has_titles_without_a_dangling_colon() -> None:
    from small_contracts import MINIMAL, checked

    from effekt.contract.explain import summary
    from effekt.services.business_case import business_case_json
    from effekt.services.tables import business_case_text

    c = checked(MINIMAL)
    assert summary(c, "sv").splitlines()[0] == "Kontrakt minimal"
    assert summary(c, "en").splitlines()[0] == "Contract minimal"
    title = business_case_text(c, business_case_json(c), "sv").splitlines()[0]
    assert title.startswith(
        "Affärskalkyl för minimal (varje osäker indata vid sitt förväntade värde"
    )


def test_the_summary_names_each_metric_beside_its_id() -> None:
    from effekt.contract.explain import summary

    text = summary(load_contract(ROOT / "examples" / "hemmasittare.toml"), "sv")
    assert "  - back_in_school: Tillbaka i skolan (ja/nej, högre är bättre):" in text


@pytest.mark.parametrize(
    ("example", "lang", "says", "code"),
    [
        (ROOT / "examples" / "hemmasittare.toml", "sv", "räknas upp med KPI från 2026", "SE KPI"),
        (ROOT / "examples" / "hemmasittare.toml", "en", "by the Swedish CPI (KPI) from", "SE KPI"),
        (GOLDEN / "activity_fee.toml", "sv", "räknas upp med 10 % per år från 2020.", "FIXED"),
        (GOLDEN / "activity_fee.toml", "en", "Prices rise by 10 % a year from 2020.", "FIXED"),
    ],
)
def test_indexation_names_its_series_in_words_not_by_its_code(
    example: Path, lang: str, says: str, code: str
) -> None:
    from effekt.contract.explain import explain_rules

    text = " ".join(explain_rules(load_contract(example), lang)).replace(NBSP, " ")
    assert says in text and code not in text


@pytest.mark.parametrize(
    ("lang", "says", "not_says"),
    [("sv", "inget avkastningstak", "avkastningstak inget"), ("en", "no return cap", "cap none")],
)
def test_a_tranche_without_a_return_cap_says_so_in_words(
    lang: str, says: str, not_says: str
) -> None:
    from effekt.contract.explain import summary

    text = summary(load_contract(GOLDEN / "fees_deferred.toml"), lang)
    assert says in text and not_says not in text
