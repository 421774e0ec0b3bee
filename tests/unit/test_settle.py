"""effekt settle pays for what was measured: a metric nobody measured pays nothing under any
rule, a gate nobody measured holds its payments back, and activity fees — from the
contract's delivery plan — are kept apart from the payments on measured outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.contract.model import Contract
from effekt.contract.outcomes_file import OutcomesFile, load_outcomes
from effekt.errors import ContractInvalid
from effekt.services.business_case import business_case_json
from effekt.services.settle import settle_json
from effekt.services.tables import settle_text

EXAMPLES = Path(__file__).parents[2] / "examples"
HEMMA = EXAMPLES / "hemmasittare.toml"

#: back_in_school measured for the first cohort only; gymnasiebehorighet not at all
K1_BACK_IN_SCHOOL = {"metric": "back_in_school", "cohort": "k1", "n": 40, "treated": 0.5,
                     "baseline": 0.33}  # fmt: skip
NOT_MEASURED = {"en": "Not measured", "sv": "Inte uppmätt"}


def outcomes(*rows: dict[str, Any]) -> OutcomesFile:
    return OutcomesFile.model_validate({"measurements": list(rows)})


def hemma(rules: list[dict[str, Any]] | None = None) -> Contract:
    """The hemmasittare example, with other rules if given."""
    c = load_contract(HEMMA)
    if rules is None:
        return c
    return Contract.model_validate({**c.model_dump(by_alias=True, exclude_none=True),
                                    "rules": rules})  # fmt: skip


def paid(result: dict[str, Any], rule: str) -> float:
    return sum(p["amount"] for p in result["payments"] if p["rule"] == rule)


def decisions(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [d for d in result["decisions"] if d["rule"] == rule]


# ------------------------------------------------------------- a metric nobody measured


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_metric_with_no_measurement_pays_nothing_and_its_decision_says_not_measured(
    lang: str,
) -> None:
    result = settle_json(hemma(), outcomes(K1_BACK_IN_SCHOOL), lang)
    assert paid(result, "behorighet") == 0  # was 1 948 378 kr on the contract's 10 % assumption
    [d] = decisions(result, "behorighet")
    assert d["cohort"] is None and d["metric"] == "gymnasiebehorighet"
    assert d["triggered"] is False and d["measured"] is False
    assert d["effect"] is None and d["period"] is None
    assert d["reason"].startswith(NOT_MEASURED[lang]) and "gymnasiebehorighet" in d["reason"]
    text = settle_text(hemma(), result, lang)
    assert "✗ behorighet" in text and "10 %" not in text.replace("\u00a0", " ")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_unmeasured_cohort_of_a_measured_metric_is_named_as_not_measured(lang: str) -> None:
    result = settle_json(hemma(), outcomes(K1_BACK_IN_SCHOOL), lang)
    rows = decisions(result, "skolnarvaro")
    assert [(d["cohort"], d["measured"]) for d in rows] == [("k2", False), ("k3", False)]
    said = {"sv": "Ingen mätning för kohorten", "en": "No measurement for this cohort"}[lang]
    assert all(d["reason"].startswith(said) for d in rows)
    # the pooled gate was decided on k1 alone, and says so
    [grind] = decisions(result, "grind")
    assert grind["measured"] is True and "k2, k3" in grind["reason"]


RULES_ON_ELIGIBILITY = [
    {"id": "rate", "kind": "rate_card", "metric": "gymnasiebehorighet", "price": 100_000},
    {"id": "per_cohort", "kind": "threshold", "metric": "gymnasiebehorighet",
     "measure": "absolute_difference", "threshold": 0.01, "amount": 50_000},
    {"id": "pooled", "kind": "threshold", "metric": "gymnasiebehorighet",
     "measure": "absolute_difference", "scope": "all_cohorts", "threshold": 0.01,
     "amount": 50_000},
    {"id": "steps", "kind": "tiers", "metric": "gymnasiebehorighet",
     "measure": "absolute_difference", "tiers": [{"from_effect": 0.01, "amount": 50_000}]},
    {"id": "savings", "kind": "savings_share", "metric": "gymnasiebehorighet", "share": 0.5,
     "saving_per_outcome": 100_000},
    {"id": "skolnarvaro", "kind": "rate_card", "metric": "back_in_school", "price": 1},
]  # fmt: skip


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_kind_of_rule_pays_on_a_metric_nobody_measured(lang: str) -> None:
    c = hemma(RULES_ON_ELIGIBILITY)
    measured = settle_json(c, outcomes(K1_BACK_IN_SCHOOL | {"metric": "gymnasiebehorighet"}))
    unmeasured = settle_json(c, outcomes(K1_BACK_IN_SCHOOL), lang)
    for rule in ("rate", "per_cohort", "pooled", "steps", "savings"):
        assert paid(measured, rule) > 0, rule  # each rule pays when its metric is measured
        assert paid(unmeasured, rule) == 0, rule
        [d] = decisions(unmeasured, rule)
        assert not d["triggered"] and not d["measured"], rule
        assert d["reason"].startswith(NOT_MEASURED[lang]), rule
    assert paid(unmeasured, "skolnarvaro") > 0


# ----------------------------------------------------------------------------- gates


def test_a_gate_on_a_metric_nobody_measured_holds_back_the_payments_it_applies_to() -> None:
    """The gate is a condition for payment: not measured, it is not met (the contract's
    modelled 45 % back in school would have opened it)."""
    eligibility = {"metric": "gymnasiebehorighet", "cohort": "all", "n": 120, "treated": 0.4,
                   "baseline": 0.2}  # fmt: skip
    result = settle_json(hemma(), outcomes(eligibility), "en")
    assert paid(result, "behorighet") == 0
    [behorighet] = decisions(result, "behorighet")
    assert behorighet["triggered"]  # its own effect is measured and reaches the threshold
    [grind] = decisions(result, "grind")
    assert not grind["triggered"] and not grind["measured"]
    assert "gate stays closed" in grind["reason"] and "behorighet" in grind["reason"]
    back = [{**K1_BACK_IN_SCHOOL, "cohort": k} for k in ("k1", "k2", "k3")]
    assert paid(settle_json(hemma(), outcomes(eligibility, *back)), "behorighet") > 0


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_cohort_gate_holds_back_the_cohorts_nobody_measured(lang: str) -> None:
    rules = [
        {"id": "rate", "kind": "rate_card", "metric": "gymnasiebehorighet", "price": 100_000},
        {"id": "grind", "kind": "gate", "metric": "back_in_school", "scope": "cohort",
         "threshold": 0.25, "applies_to": ["rate"]},
    ]  # fmt: skip
    c = hemma(rules)
    eligibility = [{"metric": "gymnasiebehorighet", "cohort": k, "n": 40, "treated": 0.4,
                    "baseline": 0.2} for k in ("k1", "k2", "k3")]  # fmt: skip
    result = settle_json(c, outcomes(K1_BACK_IN_SCHOOL, *eligibility), lang)
    everyone = settle_json(
        c, outcomes(*eligibility, *[{**K1_BACK_IN_SCHOOL, "cohort": k} for k in ("k1", "k2", "k3")])
    )
    # k1's gate is measured and met: only its third of the rate card is paid
    assert paid(result, "rate") == pytest.approx(paid(everyone, "rate") / 3, rel=0.05)
    rows = {d["cohort"]: d for d in decisions(result, "grind")}
    assert rows["k1"]["triggered"] and rows["k1"]["measured"]
    for k in ("k2", "k3"):
        assert not rows[k]["triggered"] and not rows[k]["measured"]
        said = {"sv": "grinden förblir stängd", "en": "the gate stays closed"}[lang]
        assert said in rows[k]["reason"]


# -------------------------------------------------------------- what the payment rests on


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_activity_fees_are_modelled_and_not_in_the_measured_total(lang: str) -> None:
    result = settle_json(hemma(), outcomes(K1_BACK_IN_SCHOOL), lang)
    basis = {p["rule"]: p["basis"] for p in result["payments"]}
    assert basis == {"aktivitet": "modelled", "skolnarvaro": "measured"}
    by_basis = result["totals_by_basis"]
    measured = sum(p["amount"] for p in result["payments"] if p["basis"] == "measured")
    assert by_basis["measured"] == pytest.approx(measured, abs=0.01)
    assert by_basis["modelled"] == pytest.approx(paid(result, "aktivitet"), abs=0.01)
    assert by_basis["measured"] + by_basis["modelled"] == pytest.approx(result["total_payments"])
    text = settle_text(hemma(), result, lang).replace("\u00a0", " ")
    said = {
        "sv": ["Utfallsbetalningar på uppmätta utfall: 3 121 200 kr",
               "Aktivitetsarvode enligt kontraktets genomförandeplan, inte uppmätt: 1 061 347 kr",
               "Summa att betala: 4 182 547 kr", "enligt aktivitet (från genomförandeplanen)"],
        "en": ["Outcome payments on measured outcomes: SEK 3,121,200",
               "Activity fees from the contract's delivery plan, not measured: SEK 1,061,347",
               "Total payments due: SEK 4,182,547", "under aktivitet (from the delivery plan)"],
    }[lang]  # fmt: skip
    for line in said:
        assert line in text


def test_payments_are_listed_by_period_then_payer_then_rule() -> None:
    c = hemma()
    result = settle_json(c, outcomes(K1_BACK_IN_SCHOOL))
    parties = [p.id for p in c.parties]
    rules = [c.rule_id(k) for k in range(len(c.rules))]
    keys = [(p["period"], parties.index(p["payer"]), rules.index(p["rule"]))
            for p in result["payments"]]  # fmt: skip
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert [p["period"] for p in result["payments"]][:5] == [2, 2, 3, 3, 5]


# ------------------------------------------------------- ids the contract does not have

PETERBOROUGH = EXAMPLES / "peterborough.toml"
TWO_MEASUREMENTS = """format_version = 1
contract = "uk-peterborough"

[[measurements]]
metric = "reconviction_events"
cohort = "cohort1"
n = 1000
treated = 1.42
baseline = 1.55

[[measurements]]
metric = "reconvictions"
cohort = "cohort1"
treated = 1.4
"""


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("sv", 'measurements[1].metric: Utfallsfilen nämner måttet "reconvictions", som '
               'kontraktet inte har. Menade du "reconviction_events"? Kontraktets mått: '
               '"reconviction_events".'),
        ("en", 'measurements[1].metric: The outcomes file names metric "reconvictions", which '
               'the contract does not have. Did you mean "reconviction_events"? The '
               'contract\'s metrics: "reconviction_events".'),
    ],
)  # fmt: skip
def test_an_unknown_metric_is_refused_at_its_measurement_and_line_with_the_closest_id(
    tmp_path: Path, lang: str, said: str
) -> None:
    path = tmp_path / "outcomes.toml"
    path.write_text(TWO_MEASUREMENTS, encoding="utf-8")
    with pytest.raises(ContractInvalid) as exc:
        load_outcomes(path, load_contract(PETERBOROUGH))
    [problem] = exc.value.problems
    assert problem.code == "outcomes.unknown_metric"
    assert problem.where() == f"{path}:12"
    assert problem.stated(lang) == said


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("sv", 'measurements[1].cohort: Utfallsfilen nämner kohorten "cohort_1", som kontraktet '
               'inte har. Menade du "cohort1"? Kontraktets kohorter: "cohort1", "cohort2", '
               'eller "all" för ett resultat över alla kohorter.'),
        ("en", 'measurements[1].cohort: The outcomes file names cohort "cohort_1", which the '
               'contract does not have. Did you mean "cohort1"? The contract\'s cohorts: '
               '"cohort1", "cohort2", or "all" for a result across cohorts.'),
    ],
)  # fmt: skip
def test_an_unknown_cohort_in_a_csv_file_is_refused_at_its_row_with_the_closest_id(
    tmp_path: Path, lang: str, said: str
) -> None:
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "metric,cohort,n,treated,baseline\n"
        "reconviction_events,cohort1,1000,1.42,1.55\n"
        "reconviction_events,cohort_1,1000,1.42,1.55\n",
        encoding="utf-8",
    )
    with pytest.raises(ContractInvalid) as exc:
        load_outcomes(path, load_contract(PETERBOROUGH))
    [problem] = exc.value.problems
    assert problem.where() == f"{path}:3"
    assert problem.stated(lang) == said


def test_an_unknown_id_in_outcomes_read_without_the_contract_is_refused_when_settling(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outcomes.toml"
    path.write_text(TWO_MEASUREMENTS, encoding="utf-8")
    data = load_outcomes(path)  # nothing to judge the ids against yet
    with pytest.raises(ContractInvalid) as exc:
        settle_json(load_contract(PETERBOROUGH), data)
    [problem] = exc.value.problems
    assert (problem.code, problem.where()) == ("outcomes.unknown_metric", f"{path}:12")


def test_outcomes_made_in_memory_name_the_measurement_and_offer_no_far_fetched_id() -> None:
    data = outcomes({"metric": "nope", "cohort": "cohort1", "treated": 1.0})
    with pytest.raises(ContractInvalid) as exc:
        settle_json(load_contract(PETERBOROUGH), data)
    [problem] = exc.value.problems
    assert problem.where() == ""  # no file, no line
    message = problem.stated("en")
    assert message.startswith("measurements[0].metric: ")
    assert "Did you mean" not in message
    assert message.endswith('The contract\'s metrics: "reconviction_events".')


def measured_alike(tmp_path: Path, metric: str, treated: float, baseline: float) -> Path:
    """An outcomes file for hemmasittare: ``metric`` measured alike in its three cohorts."""
    outcomes = tmp_path / "utfall.toml"
    outcomes.write_text(
        'format_version = 1\ncontract = "hemmasittare-exempelkommun"\n'
        + "".join(
            f'[[measurements]]\nmetric = "{metric}"\ncohort = "{k}"\nn = 40\n'
            f"treated = {treated}\nbaseline = {baseline}\n"
            for k in ("k1", "k2", "k3")
        ),
        encoding="utf-8",
    )
    return outcomes


def test_a_difference_of_shares_is_decided_in_percentage_points(tmp_path: Path) -> None:
    outcomes = measured_alike(tmp_path, "gymnasiebehorighet", 0.32, 0.2)
    result = CliRunner().invoke(
        main, ["settle", str(HEMMA), "--outcomes", str(outcomes), "--lang", "sv"]
    )
    assert result.exit_code == 0, result.output
    assert "Den uppmätta effekten 12 procentenheter når tröskeln 5 procentenheter." in result.output


def test_a_level_gate_is_described_as_a_level_not_an_effect(tmp_path: Path) -> None:
    outcomes = measured_alike(tmp_path, "back_in_school", 0.5, 0.4)
    for lang, said in (
        ("sv", "Den uppmätta nivån 50 % når tröskeln 25 %."),
        ("en", "The measured level 50 % reaches the threshold 25 %."),
    ):
        result = CliRunner().invoke(
            main, ["settle", str(HEMMA), "--outcomes", str(outcomes), "--lang", lang]
        )
        assert result.exit_code == 0, result.output
        assert said in result.output.replace("\u00a0", " ")


# ------------------------------------------------------- when a payment falls


@pytest.mark.parametrize(
    ("contract", "data", "period", "dates", "budget_year"),
    [
        # quarters from 1 January, calendar budget years
        (HEMMA, None, 2, ("2027-04-01", "2027-06-30"), "2027"),
        # quarters from 9 September 2010; the UK's budget year from April, booked by the
        # period's last day, as `effekt model` books it
        (PETERBOROUGH, EXAMPLES / "peterborough.outcomes.toml", 24,
         ("2016-06-09", "2016-09-08"), "2016/17"),
    ],
)  # fmt: skip
def test_each_payment_gives_its_periods_dates_and_the_payers_budget_year(
    contract: Path, data: Path | None, period: int, dates: tuple[str, str], budget_year: str
) -> None:
    c = load_contract(contract)
    measured = load_outcomes(data) if data else outcomes(K1_BACK_IN_SCHOOL)
    result = settle_json(c, measured)
    [*due] = [p for p in result["payments"] if p["period"] == period]
    assert due
    for p in due:
        assert (p["start"], p["end"]) == dates
        assert p["budget_year"] == budget_year
    case_years = business_case_json(c)["outcome_payments_by_year"]
    assert budget_year in case_years  # the same labels as the business case's


def test_a_decisions_period_is_worded_by_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    from effekt.i18n import catalog

    c = load_contract(PETERBOROUGH)
    data = settle_json(c, load_outcomes(EXAMPLES / "peterborough.outcomes.toml"), "sv")
    assert "  ✗ early (cohort1, period 14): " in settle_text(c, data, "sv")
    monkeypatch.setitem(
        catalog(), "settle.decision_line", {"en": "", "sv": "{mark} {rule} – {cohort}: {reason}"}
    )
    monkeypatch.setitem(
        catalog(), "settle.decision_when", {"en": "", "sv": "{cohort}, mätperiod {period}"}
    )
    assert "  ✗ early – cohort1, mätperiod 14: " in settle_text(c, data, "sv")
