"""`effekt check` rejects broken contracts, each problem at the right field path and line.

Every variant is a small textual edit of examples/hemmasittare.toml (or of the minimal valid
contract, ``small_contracts.MINIMAL``). The line a problem must be reported at carries the
comment ``# MARK`` in the edited text, so the expected line follows the example when it
changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from small_contracts import MINIMAL

from effekt.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hemmasittare.toml"
MARK = "# MARK"
PLACEHOLDER = re.compile(r"\{[A-Za-z_]+\}")


class Edit:
    """A contract's text, edited line by line; each method returns the editor."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def _anchor(self, anchor: str) -> int:
        return next(n for n, line in enumerate(self.lines) if line.strip().startswith(anchor))

    def _key(self, anchor: str, key: str) -> int:
        """The line of ``key`` in the table that holds the ``anchor`` line."""
        start = self._anchor(anchor)
        pattern = re.compile(rf"{re.escape(key)}\s*=")
        for n in range(start, len(self.lines)):
            if pattern.match(self.lines[n]):
                return n
            if n > start and self.lines[n].startswith("["):
                break
        raise LookupError(f"no {key} after {anchor}")

    def _header(self, anchor: str) -> int:
        n = self._anchor(anchor)
        while not self.lines[n].startswith("["):
            n -= 1
        return n

    def set(self, anchor: str, key: str, value: str, mark: bool = True) -> Edit:
        n = self._key(anchor, key)
        self.lines[n] = f"{key} = {value}" + (f"  {MARK}" if mark else "")
        return self

    def drop(self, anchor: str, key: str) -> Edit:
        del self.lines[self._key(anchor, key)]
        return self

    def add(self, anchor: str, *lines: str) -> Edit:
        n = self._anchor(anchor) + 1
        self.lines[n:n] = list(lines)
        return self

    def before_table(self, anchor: str, *lines: str) -> Edit:
        n = self._header(anchor)
        self.lines[n:n] = [*lines, ""]
        return self

    def mark(self, anchor: str, key: str | None = None) -> Edit:
        n = self._key(anchor, key) if key else self._anchor(anchor)
        self.lines[n] += f"  {MARK}"
        return self

    def mark_table(self, anchor: str) -> Edit:
        self.lines[self._header(anchor)] += f"  {MARK}"
        return self


def hem() -> Edit:
    return Edit(EXAMPLE.read_text(encoding="utf-8"))


def minimal() -> Edit:
    return Edit(MINIMAL)


@dataclass(frozen=True)
class Broken:
    name: str
    edit: Callable[[], Edit]
    code: str
    path: str
    says: str = ""  # text both languages' messages contain (e.g. a did-you-mean)


TIERS_RULE = [
    "[[rules]]",
    'id = "steg"',
    'kind = "tiers"',
    'metric = "gymnasiebehorighet"',
    'measure = "absolute_difference"',
    'scope = "all_cohorts"',
    "",
    "[[rules.tiers]]",
    "from_effect = 0.10",
    "amount = 100_000",
    "",
    "[[rules.tiers]]",
    f"from_effect = 0.05  {MARK}",
    "amount = 200_000",
]
GUARANTEE = [
    "[[financing.guarantees]]",
    f'guarantor = "borgensman"  {MARK}',
    "share_of_capital = 0.5",
]

CASES = [
    Broken(
        "syntax error",
        lambda: hem().set("term_periods", "term_periods", "= 20"),
        "contract.syntax",
        "",
    ),
    Broken(
        "missing required field",
        lambda: hem().drop('id = "skolnarvaro"', "metric").mark_table('id = "skolnarvaro"'),
        "contract.missing",
        "rules[0].metric",
    ),
    Broken(
        "unknown field with a did-you-mean",
        lambda: (
            hem()
            .drop('id = "utforare"', "role")
            .add('id = "utforare"', f'rol = "provider"  {MARK}')
        ),
        "contract.unknown_field",
        "parties[2].rol",
        says='"role"',
    ),
    Broken(
        "unknown field in a nested table",
        lambda: (
            hem()
            .set("[metrics.adjustments]", "drop_off", "0.2", mark=False)
            .add("drop_off", f"dropoff = 0.2  {MARK}")
        ),
        "contract.unknown_field",
        "metrics[0].adjustments.dropoff",
        says='"drop_off"',
    ),
    Broken(
        "wrong rule kind",
        lambda: hem().set('id = "skolnarvaro"', "kind", '"rate_cards"'),
        "contract.bad_choice",
        "rules[0].kind",
    ),
    Broken(
        "wrong role",
        lambda: hem().set('id = "utforare"', "role", '"supplier"'),
        "contract.bad_choice",
        "parties[2].role",
    ),
    Broken(
        "wrong period length",
        lambda: hem().set("period =", "period", '"quartr"'),
        "contract.bad_choice",
        "period",
    ),
    Broken(
        "wrong distribution name",
        lambda: hem().set('id = "k1"', "engagement", '{ dist = "betta", mean = 0.85, sd = 0.05 }'),
        "contract.bad_choice",
        "cohorts[0].engagement.dist",
    ),
    Broken(
        "format version from the future",
        lambda: hem().set("format_version", "format_version", "2"),
        "contract.bad_choice",
        "format_version",
    ),
    Broken(
        "negative money",
        lambda: hem().set("[payment]", "cap", "-6_000_000"),
        "contract.too_small",
        "payment.cap",
    ),
    Broken(
        "negative price per outcome",
        lambda: hem().set('id = "skolnarvaro"', "price", "-60_000"),
        "contract.negative_value",
        "rules[0].price",
    ),
    Broken(
        "price beyond any amount of money",
        lambda: hem().set('id = "skolnarvaro"', "price", "1e300"),
        "contract.amount_too_large",
        "rules[0].price",
        says="1e+300",
    ),
    Broken(
        "commitment beyond any amount of money",
        lambda: hem().set('id = "senior"', "commitment", "1e16"),
        "contract.amount_too_large",
        "financing.tranches[0].commitment",
    ),
    Broken(
        "fee beyond any amount of money",
        lambda: hem().set('kind = "management"', "per_period", "2e15"),
        "contract.amount_too_large",
        "fees[0].per_period",
    ),
    Broken(
        "cost whose distribution lies beyond any amount of money",
        lambda: hem().set("[costs]", "setup", '{ dist = "uniform", low = 0, high = 1e300 }'),
        "contract.distribution_mean_outside_domain",
        "costs.setup",
        says="5e+299",  # the mean; the domain is written in full, as each language does
    ),
    Broken(
        "cohort beyond any number of persons",
        lambda: hem().set('id = "k1"', "size", "1e300"),
        "contract.too_large_value",
        "cohorts[0].size",
    ),
    Broken(
        "cohort whose distribution lies beyond any number of persons",
        lambda: hem().set('id = "k1"', "size", '{ dist = "normal", mean = 4e9, sd = 6 }'),
        "contract.distribution_mean_outside_domain",
        "cohorts[0].size",
    ),
    Broken(
        "eligible persons beyond any number of persons",
        lambda: hem().set("[population]", "eligible_per_year", "1e12"),
        "contract.too_large_value",
        "population.eligible_per_year",
    ),
    Broken(
        "negative cohort size",
        lambda: minimal().set('id = "k1"', "size", "-20"),
        "contract.negative_value",
        "cohorts[0].size",
    ),
    Broken(
        "share above one",
        lambda: hem().set("[costs]", "margin", "1.5"),
        "contract.too_large_value",
        "costs.margin",
    ),
    Broken(
        "not a finite number",
        lambda: hem().set("[costs]", "margin", "nan"),
        "contract.not_finite",
        "costs.margin",
    ),
    Broken(
        "payer shares not summing to one",
        lambda: (
            hem().set('id = "region"', "payer_share", "0.4", mark=False).mark_table('id = "kommun"')
        ),
        "contract.payer_shares_sum",
        "parties",
    ),
    Broken(
        "missing payer share with two payers",
        lambda: hem().drop('id = "region"', "payer_share").mark_table('id = "region"'),
        "contract.payer_share_missing",
        "parties[1]",
    ),
    Broken(
        "unknown metric in a rule",
        lambda: hem().set('id = "skolnarvaro"', "metric", '"back_in_schol"'),
        "contract.unknown_ref",
        "rules[0].metric",
        says='"back_in_school"',
    ),
    Broken(
        "unknown cohort in a rule",
        lambda: hem().add('id = "grind"', f'cohorts = ["k4"]  {MARK}'),
        "contract.unknown_ref",
        "rules[2].cohorts[0]",
    ),
    Broken(
        "unknown investor in a tranche",
        lambda: hem().set('id = "senior"', "investor", '"fonden"'),
        "contract.unknown_ref",
        "financing.tranches[0].investor",
    ),
    Broken(
        "unknown party paid a fee",
        lambda: hem().set('party = "intermediar"', "party", '"intermediary"'),
        "contract.unknown_ref",
        "fees[0].party",
    ),
    Broken(
        "unknown party paying a fee",
        lambda: hem().set('party = "utvarderare"', "paid_by", '"kommunen"'),
        "contract.unknown_ref",
        "fees[1].paid_by",
    ),
    Broken(
        "unknown guarantor",
        lambda: hem().before_table('party = "intermediar"', *GUARANTEE),
        "contract.unknown_ref",
        "financing.guarantees[0].guarantor",
    ),
    Broken(
        "tranche investor whose role is not investor",
        lambda: hem().set('id = "senior"', "investor", '"utforare"'),
        "contract.wrong_role",
        "financing.tranches[0].investor",
    ),
    Broken(
        "duplicate tranche id",
        lambda: hem().set('id = "junior"', "id", '"senior"'),
        "contract.duplicate_tranche",
        "financing.tranches[1].id",
    ),
    Broken(
        "cohort starting outside the term",
        lambda: hem().set('id = "k3"', "start_period", "21"),
        "contract.period_outside_term",
        "cohorts[2].start_period",
    ),
    Broken(
        "referrals after the term",
        lambda: hem().set('id = "k3"', "referral_periods", "13"),
        "contract.referrals_after_term",
        "cohorts[2].referral_periods",
    ),
    Broken(
        "referral profile not summing to one",
        lambda: hem().add('id = "k3"', f"referral_profile = [0.5, 0.4]  {MARK}"),
        "contract.profile_sum",
        "cohorts[2].referral_profile",
    ),
    Broken(
        "tiers out of order",
        lambda: hem().before_table('id = "aktivitet"', *TIERS_RULE),
        "contract.tiers_unordered",
        "rules[3].tiers[1].from_effect",
    ),
    Broken(
        "gate applying to an unknown rule",
        lambda: hem().set('id = "grind"', "applies_to", '["behorighett"]'),
        "contract.unknown_ref",
        "rules[2].applies_to[0]",
        says='"behorighet"',
    ),
    Broken(
        "gate applying to itself",
        lambda: hem().set('id = "grind"', "applies_to", '["grind"]'),
        "contract.self_reference",
        "rules[2].applies_to[0]",
    ),
    Broken(
        "beta standard deviation too large",
        lambda: hem().set('id = "k1"', "engagement", '{ dist = "beta", mean = 0.85, sd = 0.5 }'),
        "contract.beta_sd_too_large",
        "cohorts[0].engagement",
    ),
    Broken(
        "triangular out of order",
        lambda: hem().set(
            "[costs]",
            "per_participant",
            '{ dist = "triangular", low = 90_000, mode = 80_000, high = 110_000 }',
        ),
        "contract.triangular_order",
        "costs.per_participant",
    ),
    Broken(
        "distribution whose mean is a negative cost",
        lambda: hem().set(
            "[costs]",
            "per_participant",
            '{ dist = "triangular", low = -90_000, mode = -80_000, high = 110_000 }',
        ),
        "contract.distribution_mean_outside_domain",
        "costs.per_participant",
    ),
    Broken(
        "binary metric expected above one",
        lambda: hem().set('id = "gymnasiebehorighet"', "expected", "1.3"),
        "contract.share_out_of_range",
        "metrics[1].expected",
    ),
    Broken(
        "cohort engagement above one",
        lambda: hem().set('id = "k2"', "engagement", "1.2"),
        "contract.engagement_out_of_range",
        "cohorts[1].engagement",
    ),
    Broken(
        "a cohort called all, the word for every cohort at once",
        lambda: hem().set('id = "k1"', "id", '"all"'),
        "contract.cohort_called_all",
        "cohorts[0].id",
    ),
    Broken(
        "duplicate party id",
        lambda: hem().set('id = "region"', "id", '"kommun"'),
        "contract.duplicate_id",
        "parties[1].id",
    ),
    Broken(
        "effect rule on a metric without counterfactual",
        lambda: (
            hem()
            .set('id = "gymnasiebehorighet"', "counterfactual", '"none"', mark=False)
            .mark('id = "behorighet"', "metric")
        ),
        "contract.no_counterfactual",
        "rules[1].metric",
    ),
    Broken(
        "effect rule on a metric without baseline",
        lambda: (
            hem().drop('id = "gymnasiebehorighet"', "baseline").mark('id = "behorighet"', "metric")
        ),
        "contract.no_baseline",
        "rules[1].metric",
    ),
    Broken(
        "deadweight counted twice with a comparison group",
        lambda: hem().add("[metrics.adjustments]", f"deadweight = 0.2  {MARK}"),
        "contract.double_deadweight",
        "metrics[0].adjustments.deadweight",
    ),
    Broken(
        "impossible date",
        lambda: hem().set("start =", "start", '"2027-02-30"'),
        "contract.bad_date",
        "start",
    ),
    Broken(
        "lower-case currency",
        lambda: hem().set("currency", "currency", '"sek"'),
        "contract.bad_id",
        "currency",
    ),
    Broken(
        "text where a number is",
        lambda: hem().set("term_periods", "term_periods", '"twenty"'),
        "contract.not_a_number",
        "term_periods",
    ),
    Broken(
        "true/false where text is",
        lambda: hem().set('id = "region"', "name", "true"),
        "contract.bad_type",
        "parties[1].name",
    ),
    Broken(
        "empty list of rules",
        lambda: Edit(MINIMAL.split("[[rules]]")[0]).add("term_periods", f"rules = []  {MARK}"),
        "contract.too_few",
        "rules",
    ),
    Broken(
        "correlation with an unknown distribution",
        lambda: hem().set("between", "between", '["success", "eligibilty"]'),
        "contract.unknown_ref",
        "uncertainty.correlations[0].between[1]",
        says='"eligibility"',
    ),
    Broken(
        "scenario changing an unknown field",
        lambda: hem().add("[scenarios.optimistic]", f'"cohorts[7].engagement" = 0.7  {MARK}'),
        "contract.unknown_path",
        "scenarios.optimistic.cohorts[7].engagement",
    ),
    Broken(
        "declining discount schedule not starting at year 0",
        lambda: hem().set(
            "[valuation]",
            "discounting",
            '{ kind = "declining", schedule = [{ from_year = 1, rate = 0.035 }] }',
        ),
        "contract.schedule_start",
        "valuation.discounting.schedule[0].from_year",
    ),
    Broken(
        "activity fee ending before it starts",
        lambda: hem().add('id = "aktivitet"', "from_period = 5", f"to_period = 3  {MARK}"),
        "contract.period_order",
        "rules[3].to_period",
    ),
    Broken(
        "fee ending before it starts",
        lambda: (
            hem()
            .set('party = "utvarderare"', "from_period", "5", mark=False)
            .add('party = "utvarderare"', f"to_period = 2  {MARK}")
        ),
        "contract.period_order",
        "fees[1].to_period",
    ),
    Broken(
        "fixed indexation without a rate",
        lambda: hem().set("[payment]", "indexation", '{ series = "fixed", base_year = 2026 }'),
        "contract.fixed_index_needs_rate",
        "payment.indexation.rate",
    ),
    Broken(
        "excess shared out more than once",
        lambda: hem().set("[financing]", "excess_sharing", "{ payers = 1.0, provider = 0.5 }"),
        "contract.excess_over_one",
        "financing.excess_sharing",
    ),
]


def run_check(tmp_path: Path, text: str, lang: str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "contract.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--json", "--lang", lang])
    return result.exit_code, json.loads(result.output)


def marked_line(text: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(lines) == 1, f"the edit must mark exactly one line, not {lines}"
    return lines[0]


def test_there_are_at_least_30_distinct_broken_variants() -> None:
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.edit().text for c in CASES}) == len(CASES)
    assert len(CASES) >= 30


def test_the_unedited_bases_are_valid(tmp_path: Path) -> None:
    for base in (hem(), minimal()):
        exit_code, report = run_check(tmp_path, base.text, "en")
        assert exit_code == 0, report


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_contract_is_rejected_at_the_right_path_and_line(
    case: Broken, tmp_path: Path
) -> None:
    text = case.edit().text
    line = marked_line(text)
    messages = {}
    for lang in ("en", "sv"):
        exit_code, report = run_check(tmp_path, text, lang)
        assert exit_code == 1
        assert report["valid"] is False
        found = [p for p in report["problems"] if (p["code"], p["path"]) == (case.code, case.path)]
        assert found, f"{case.code} at {case.path} not in {report['problems']}"
        problem = found[0]
        assert problem["severity"] == "error"
        assert problem["line"] == line
        messages[lang] = problem["message"]
    for message in messages.values():
        assert not PLACEHOLDER.search(message), message
        assert case.code not in message
        assert case.says in message
    assert messages["sv"] != messages["en"]


def test_amounts_up_to_a_thousand_billion_are_valid(tmp_path: Path) -> None:
    text = (
        hem()
        .set('id = "skolnarvaro"', "price", "1e15")
        .set('id = "senior"', "commitment", "1_000_000_000_000_000")
        .set("[costs]", "setup", "1e15")
        .text
    )
    exit_code, report = run_check(tmp_path, text, "en")
    assert exit_code == 0, report


def test_warnings_alone_leave_the_contract_valid(tmp_path: Path) -> None:
    text = hem().set('id = "gymnasiebehorighet"', "lag_periods", "12").text
    exit_code, report = run_check(tmp_path, text, "sv")
    assert exit_code == 0
    assert report["valid"] is True
    # the example's own power warning on rules[1].threshold stands beside the new one
    (warning,) = [p for p in report["problems"] if p["code"] != "contract.threshold_undetectable"]
    assert all(p["severity"] == "warning" for p in report["problems"])
    assert warning["severity"] == "warning"
    assert (warning["code"], warning["path"]) == (
        "contract.measured_after_term",
        "metrics[1].lag_periods",
    )
    assert warning["line"] == marked_line(text)


def test_warnings_are_printed_and_the_exit_code_stays_zero(tmp_path: Path) -> None:
    path = tmp_path / "contract.toml"
    path.write_text(minimal().set('id = "utforare"', "role", '"evaluator"', mark=False).text)
    result = CliRunner().invoke(main, ["check", str(path), "--lang", "en"])
    assert result.exit_code == 0
    assert "warning" in result.output and "provider" in result.output


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        hem()
        .set('id = "skolnarvaro"', "metric", '"back_in_schol"', mark=False)
        .set("[costs]", "margin", "1.5", mark=False)
        .set('id = "k3"', "start_period", "21", mark=False)
        .text
    )
    exit_code, report = run_check(tmp_path, text, "en")
    assert exit_code == 1
    codes = {p["code"] for p in report["problems"] if p["severity"] == "error"}
    assert {
        "contract.unknown_ref",
        "contract.too_large_value",
        "contract.period_outside_term",
    } <= codes


def _message(report: dict[str, Any], code: str) -> str:
    return next(p["message"] for p in report["problems"] if p["code"] == code)


def test_allowed_values_are_listed_without_an_english_or_in_swedish(tmp_path: Path) -> None:
    text = hem().set("period", "period", '"week"').text
    for lang, says in (("sv", "välj ett av"), ("en", "choose one of")):
        _, report = run_check(tmp_path, text, lang)
        message = _message(report, "contract.bad_choice")
        assert f"{says} month, quarter, half_year, year" in message
        assert " or " not in message


def test_a_lower_limit_is_written_as_a_swedish_number(tmp_path: Path) -> None:
    text = hem().set("[costs]", "margin", "-0.25").text
    _, sv = run_check(tmp_path, text, "sv")
    (message,) = [p["message"] for p in sv["problems"] if p["path"] == "costs.margin"]
    assert "0,25" in message and "0.25" not in message


def test_a_value_of_the_wrong_kind_names_the_kind_in_words(tmp_path: Path) -> None:
    text = hem().set('id = "region"', "name", "true").text
    _, sv = run_check(tmp_path, text, "sv")
    _, en = run_check(tmp_path, text, "en")
    assert "(text inom citattecken)" in _message(sv, "contract.bad_type")
    assert "(text in quotes)" in _message(en, "contract.bad_type")
    assert "(string)" not in _message(sv, "contract.bad_type")


def test_the_english_odds_ratio_warning_has_no_swedish_word(tmp_path: Path) -> None:
    from effekt.i18n import translate

    message = translate("contract.evidence_measure_kind", "en", metric="m", kind="count")
    assert "förstudie" not in message and "feasibility study" in message


@pytest.mark.parametrize(
    ("line", "fmt", "en"),
    [
        ('margin = "5%"', "toml", '"5%" is text, not a number: write the number itself, without '
         "quotes: margin = 0.05"),
        ('margin = "7,5 %"', "toml", "without quotes: margin = 0.075"),
        ('commitment = "4 000 000"', "toml", "without quotes: commitment = 4_000_000"),
        ('commitment = "4 000 000"', "json", 'without quotes: "commitment": 4000000'),
    ],
)  # fmt: skip
def test_a_number_written_as_text_says_how_to_write_it(line: str, fmt: str, en: str) -> None:
    from effekt.contract.load import check_document, parse_text

    key, value = (part.strip() for part in line.split("=", 1))
    if fmt == "toml":
        text = EXAMPLE.read_text(encoding="utf-8")
        pattern = rf"(?m)^{key} = [^\n#]+"
        text = re.sub(pattern, f"{key} = {value} ", text, count=1)
    else:
        import tomllib

        data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
        table = data["costs"] if key == "margin" else data["financing"]["tranches"][0]
        table[key] = json.loads(value)
        text = json.dumps(data, default=str)
    _, problems = check_document(parse_text(text, fmt, "c." + fmt))
    [found] = [p for p in problems if p.code == "contract.number_as_text"]
    assert en in found.message("en")
    assert "är text, inte ett tal" in found.message("sv")
