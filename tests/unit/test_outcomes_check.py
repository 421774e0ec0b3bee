"""effekt settle refuses measured outcomes that cannot be true — a share above 1, more
persons than were measured, a share and a count that disagree, a period after the term,
one metric measured twice for a cohort — and says every problem at once, each on its line
of the file, in Swedish and English (exit 1, nothing paid). A file that is no outcomes file
(participant data, a mapping, text that is not UTF-8) is named for what it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from effekt.cli import main
from effekt.contract.load import load_contract
from effekt.contract.outcomes_file import OutcomesFile
from effekt.errors import ContractInvalid
from effekt.services.settle import settle_json

EXAMPLES = Path(__file__).parents[2] / "examples"
HEMMA = EXAMPLES / "hemmasittare.toml"  # binary metrics, cohorts k1–k3, term of 20 quarters
PETERBOROUGH = EXAMPLES / "peterborough.toml"  # a count metric
HEADER = (
    "metric,cohort,n,treated,baseline,treated_count,baseline_count,relative_reduction,period,source"
)
SUMMARY = {
    "en": ("The outcomes file has 1 error.", "The outcomes file has {} errors."),
    "sv": ("Utfallsfilen har 1 fel.", "Utfallsfilen har {} fel."),
}
SEVERITY = {"en": "error", "sv": "fel"}


def csv_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "utfall.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def settle(outcomes: Path, lang: str, contract: Path = HEMMA) -> Result:
    return CliRunner().invoke(
        main, ["settle", str(contract), "--outcomes", str(outcomes), "--lang", lang]
    )


def refused(result: Result, lang: str) -> list[str]:
    """The problems said, each as ``line: field: message`` without the file, after checking
    that the run stopped (exit 1, nothing on stdout) and counted them in ``lang``."""
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    *problems, summary = result.stderr.strip().splitlines()
    one, many = SUMMARY[lang]
    assert summary == (one if len(problems) == 1 else many.format(len(problems)))
    said = []
    for line in problems:
        where, severity, rest = line.split(": ", 2)
        assert severity == SEVERITY[lang]
        said.append(f"{where.rsplit(':', 1)[1]}: {rest}")
    return said


def said_alone(result: Result) -> str:
    """The one message of a file refused whole (exit 1), without the "effekt: " prefix."""
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("effekt: ")
    return line.removeprefix("effekt: ")


# ------------------------------------------------------------ shares and counts


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", '2: measurements[0].treated: The binary metric "back_in_school" is measured as a '
               "share, from 0 to 1 (45\u00a0% is 0.45); 1.5 is more than 1."),
        ("sv", '2: measurements[0].treated: Det binära måttet "back_in_school" mäts som en '
               "andel, från 0 till 1 (45\u00a0% skrivs 0.45); 1,5 är mer än 1."),
    ],
)  # fmt: skip
def test_a_share_above_one_is_refused_with_its_line(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # before: "The measured effect 150 % … reaches the threshold", SEK 12,000,000 paid
    path = csv_file(tmp_path, "back_in_school,k3,40,1.5,0.4,,,,,")
    assert refused(settle(path, lang), lang) == [expected]


def test_a_share_above_one_in_a_toml_file_is_refused_on_the_line_that_gives_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "utfall.toml"
    path.write_text(
        'format_version = 1\n\n[[measurements]]\nmetric = "gymnasiebehorighet"\ncohort = "k1"\n'
        "n = 40\ntreated = 0.3\nbaseline = 1.2\n",
        encoding="utf-8",
    )
    [problem] = refused(settle(path, "en"), "en")
    assert problem.startswith("8: measurements[0].baseline: The binary metric ")
    assert problem.endswith("; 1.2 is more than 1.")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", '2: measurements[0].treated_count: The binary metric "back_in_school" counts '
               "persons, so a count is at most n, the 40 persons measured; 70 is more."),
        ("sv", '2: measurements[0].treated_count: Det binära måttet "back_in_school" räknar '
               "personer, så ett antal är högst n, de 40 personer som mättes; 70 är fler."),
    ],
)  # fmt: skip
def test_a_count_of_more_persons_than_were_measured_is_refused(
    tmp_path: Path, lang: str, expected: str
) -> None:
    path = csv_file(tmp_path, "back_in_school,k3,40,,,70,10,,,")
    assert refused(settle(path, lang), lang) == [expected]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "2: measurements[0].treated_count: treated = 0.5 and treated_count = 2 disagree: "
               "treated_count / n = 2 / 40 = 0.05. Give one of them, or correct the one that "
               "is wrong."),
        ("sv", "2: measurements[0].treated_count: treated = 0,5 och treated_count = 2 stämmer "
               "inte överens: treated_count / n = 2 / 40 = 0,05. Ange bara det ena, eller rätta "
               "det som är fel."),
    ],
)  # fmt: skip
def test_count_and_share_that_disagree_are_refused(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # before: the count was silently ignored and 0.5 paid on
    path = csv_file(tmp_path, "back_in_school,k3,40,0.5,0.4,2,,,,")
    assert refused(settle(path, lang), lang) == [expected]


def test_a_share_rounded_to_its_decimals_agrees_with_its_count(tmp_path: Path) -> None:
    # 13 of 40 is 0.325, written 0.33; 142 of 1000 events per person, written 1.42
    hemma = csv_file(tmp_path, "back_in_school,k1,40,0.33,0.2,13,8,,,")
    result = settle(hemma, "en")
    assert result.exit_code == 0, result.output
    path = tmp_path / "peterborough.csv"
    path.write_text(
        "metric,cohort,n,treated,baseline,treated_count\n"
        "reconviction_events,cohort1,1000,1.42,1.55,1420\n",
        encoding="utf-8",
    )
    assert settle(path, "en", PETERBOROUGH).exit_code == 0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("back_in_school,k1,40.5,0.5,0.3,,,,,",
         "2: measurements[0].n: n is the number of persons measured, a whole number; 40.5 is not."),
        ("back_in_school,k1,40,,0.3,12.5,,,,",
         "2: measurements[0].treated_count: A measured count is a whole number; 12.5 is not."),
        ("back_in_school,all,120,,0.4,,,1.2,,",
         "2: measurements[0].relative_reduction: A relative reduction (1 − treated/baseline) is "
         "at most 1, where treated is 0; 1.2 would make treated negative."),
        ("back_in_school,all,120,,0.6,,,-1,,",
         "2: measurements[0].relative_reduction: With baseline 0.6, a relative reduction of -1 "
         'gives treated = 1.2, more than 1: the binary metric "back_in_school" is a share, '
         "from 0 to 1."),
    ],
)  # fmt: skip
def test_figures_no_measurement_can_have_are_refused(
    tmp_path: Path, row: str, expected: str
) -> None:
    assert refused(settle(csv_file(tmp_path, row), "en"), "en") == [expected]


def test_events_per_person_may_exceed_one_and_counts_may_exceed_n_for_a_count_metric(
    tmp_path: Path,
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "metric,cohort,n,treated_count,baseline_count\n"
        "reconviction_events,cohort1,1000,1420,1550\n",
        encoding="utf-8",
    )
    assert settle(path, "en", PETERBOROUGH).exit_code == 0


# ------------------------------------------------------------ periods and repeats


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "2: measurements[0].period: Period 99 is after the contract's term, which ends "
               "with period 20 (term_periods); a measurement's period is from 1 to 20."),
        ("sv", "2: measurements[0].period: Period 99 ligger efter kontraktets löptid, som slutar "
               "med period 20 (term_periods); en mätnings period är från 1 till 20."),
    ],
)  # fmt: skip
def test_a_measurement_after_the_term_is_refused(tmp_path: Path, lang: str, expected: str) -> None:
    # before: paid in period 20 without a word
    path = csv_file(tmp_path, "back_in_school,k3,40,0.5,0.4,,,,99,")
    assert refused(settle(path, lang), lang) == [expected]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", '2: measurements[0].period: Period 3 is before cohort "k3" starts: its first '
               "referrals are in period 9 (start_period), so nobody in it could be measured "
               "then."),
        ("sv", '2: measurements[0].period: Period 3 ligger före kohort "k3" börjar: dess första '
               "remisser kommer i period 9 (start_period), så ingen i den kunde mätas då."),
    ],
)  # fmt: skip
def test_a_measurement_before_its_cohort_starts_is_refused(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # before: k3's outcomes paid in period 3, two years before anyone in k3 was referred
    path = csv_file(tmp_path, "back_in_school,k3,40,0.5,0.4,,,,3,")
    assert refused(settle(path, lang), lang) == [expected]


def test_a_pooled_measurement_before_the_first_cohort_starts_is_refused(tmp_path: Path) -> None:
    contract = HEMMA.read_text(encoding="utf-8").replace("start_period = 1\n", "start_period = 2\n")
    moved = tmp_path / "later.toml"
    moved.write_text(contract, encoding="utf-8")
    path = csv_file(tmp_path, "gymnasiebehorighet,all,120,0.5,0.4,,,,1,")
    [said] = refused(settle(path, "en", moved), "en")
    assert said.startswith("2: measurements[0].period: Period 1 is before any cohort starts")
    assert "period 2 (start_period)" in said
    ok = csv_file(tmp_path, "back_in_school,k3,40,0.5,0.3,,,,9,")
    assert settle(ok, "en").exit_code == 0


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "2: measurements[0].relative_reduction: The relative reduction 0.3 disagrees with "
               "treated 0.5 and baseline 0.4 on the same line, which give 1 − treated/baseline "
               "= -0.25. settle pays on treated and baseline: leave the reduction out or "
               "correct whichever is wrong."),
        ("sv", "2: measurements[0].relative_reduction: Den relativa minskningen 0,3 stämmer inte "
               "med treated 0,5 och baseline 0,4 på samma rad, som ger 1 − treated/baseline = "
               "−0,25. settle betalar efter treated och baseline: ta bort minskningen eller "
               "rätta den som är fel."),
    ],
)  # fmt: skip
def test_a_relative_reduction_that_disagrees_with_treated_and_baseline_is_refused(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # before: the reduction was ignored without a word, paid on treated and baseline
    path = csv_file(tmp_path, "back_in_school,k1,40,0.5,0.4,,,0.3,,")
    assert refused(settle(path, lang), lang) == [expected]


def test_a_relative_reduction_that_agrees_to_its_decimals_is_accepted(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "back_in_school,k1,40,0.5,0.4,,,-0.25,,",
        "back_in_school,k2,40,,,20,16,-0.25,,",  # from the counts
        "back_in_school,k3,40,0.47,0.33,,,-0.42,,",  # 1 − 0.47/0.33 = −0.4242…, written −0.42
    )
    assert settle(path, "en").exit_code == 0
    counted = csv_file(tmp_path, "back_in_school,k1,40,,,20,16,0.25,,")
    [said] = refused(settle(counted, "en"), "en")
    assert "disagrees with treated 0.5 and baseline 0.4" in said


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", '2: measurements[0].treated: "45 %" is a percentage, not a number: a share or a '
               "relative change is written as a decimal, 45 % as 0.45."),
        ("sv", '2: measurements[0].treated: "45 %" är en procentsats, inte ett tal: en andel '
               "eller en relativ förändring skrivs som decimaltal, 45 % som 0.45."),
    ],
)  # fmt: skip
def test_a_share_written_as_a_percentage_is_told_the_decimal_it_means(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # before: "A number is needed here."
    path = csv_file(tmp_path, "back_in_school,k1,40,45 %,0.3,,,,,")
    assert refused(settle(path, lang), lang) == [expected]


def test_a_measurement_in_the_last_period_of_the_term_is_paid_then(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "back_in_school,k3,40,0.5,0.3,,,,20,")
    result = CliRunner().invoke(main, ["settle", str(HEMMA), "--outcomes", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payments = json.loads(result.stdout)["payments"]
    assert "skolnarvaro" in {p["rule"] for p in payments if p["period"] == 20}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", '3: measurements[1]: The metric "back_in_school" is measured twice for cohort '
               '"k3": on line 2 and on line 3. Give one measurement per metric and cohort; '
               "settle would use only the last."),
        ("sv", '3: measurements[1]: Måttet "back_in_school" har två mätningar för kohorten "k3": '
               "på rad 2 och på rad 3. Ge en mätning per mått och kohort; settle skulle bara "
               "använda den sista."),
    ],
)  # fmt: skip
def test_the_same_measurement_twice_is_refused_naming_both_lines(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # before: the last row won silently
    path = csv_file(
        tmp_path, "back_in_school,k3,40,0.5,0.4,,,,,", "back_in_school,k3,40,0.6,0.4,,,,,"
    )
    assert refused(settle(path, lang), lang) == [expected]


def test_the_same_measurement_twice_in_toml_names_the_lines_of_both_tables(
    tmp_path: Path,
) -> None:
    path = tmp_path / "utfall.toml"
    table = (
        '[[measurements]]\nmetric = "back_in_school"\ncohort = "all"\ntreated = 0.5\n'
        "baseline = 0.4\n"
    )
    path.write_text(f"format_version = 1\n\n{table}\n{table}", encoding="utf-8")
    [problem] = refused(settle(path, "en"), "en")
    assert problem.startswith(
        '9: measurements[1]: The metric "back_in_school" is measured twice for cohort "all": '
        "on line 3 and on line 9."
    )


def test_the_same_metric_for_two_cohorts_is_two_measurements(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path, "back_in_school,k1,40,0.5,0.4,,,,,", "back_in_school,k2,40,0.6,0.4,,,,,"
    )
    assert settle(path, "en").exit_code == 0


# ------------------------------------------------------------ every problem at once


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", [
            '2: measurements[0].cohort: The outcomes file names cohort "k9", which the contract '
            'does not have. The contract\'s cohorts: "k1", "k2", "k3", or "all" for a result '
            "across cohorts.",
            '2: measurements[0].treated: "0,5" is not a number in an outcomes file: decimals are '
            "written with a point, 0.5.",
            '3: measurements[1].metric: The outcomes file names metric "back_in_scool", which '
            'the contract does not have. Did you mean "back_in_school"? The contract\'s '
            'metrics: "back_in_school", "gymnasiebehorighet".',
            "3: measurements[1].n: The value -5 is too small; it must be greater than 0.",
        ]),
        ("sv", [
            '2: measurements[0].cohort: Utfallsfilen nämner kohorten "k9", som kontraktet inte '
            'har. Kontraktets kohorter: "k1", "k2", "k3", eller "all" för ett resultat över '
            "alla kohorter.",
            '2: measurements[0].treated: "0,5" är inget tal i en utfallsfil: decimaler skrivs '
            "med punkt, 0.5.",
            '3: measurements[1].metric: Utfallsfilen nämner måttet "back_in_scool", som '
            'kontraktet inte har. Menade du "back_in_school"? Kontraktets mått: '
            '"back_in_school", "gymnasiebehorighet".',
            "3: measurements[1].n: Värdet −5 är för litet; det måste vara större än 0.",
        ]),
    ],
)  # fmt: skip
def test_every_problem_in_an_outcomes_csv_is_reported_at_once_with_rows(
    tmp_path: Path, lang: str, expected: list[str]
) -> None:
    # before: only "measurements[1].treated: a number is needed here."
    path = csv_file(
        tmp_path, 'back_in_school,k9,40,"0,5",0.4,,,,,', "back_in_scool,k3,-5,0.5,0.4,,,,,"
    )
    assert refused(settle(path, lang), lang) == expected


# ------------------------------------------------------------ numbers written as text


def outcomes_file(tmp_path: Path, fmt: str, **row: object) -> Path:
    """One measurement of back_in_school for k1 (n = 40, baseline 0.4, treated 0.5), with
    ``row``'s fields changed, written in ``fmt`` (toml, json, yaml or csv)."""
    fields = {"metric": "back_in_school", "cohort": "k1", "n": 40, "treated": 0.5}
    fields.update(baseline=0.4, **row)
    if fmt == "csv":
        cells = [f'"{v}"' if isinstance(v, str) and "," in v else str(v) for v in fields.values()]
        path = tmp_path / "utfall.csv"
        path.write_text(",".join(fields) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
        return path
    data = {"format_version": 1, "measurements": [fields]}
    path = tmp_path / f"utfall.{fmt}"
    if fmt == "toml":
        lines = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()]
        path.write_text("format_version = 1\n[[measurements]]\n" + "\n".join(lines) + "\n")
    else:
        import yaml

        dump = json.dumps if fmt == "json" else yaml.safe_dump
        path.write_text(dump(data), encoding="utf-8")  # type: ignore[operator]
    return path


@pytest.mark.parametrize(
    ("fmt", "lang", "expected"),
    [
        ("toml", "en", '"1,500" is text, not a number, and can be read two ways: write n = 1_500 '
         "if the comma separates thousands (as in English), or n = 1.5 if it is a decimal comma "
         "(as in Swedish); without quotes either way."),
        ("json", "en", '"1,500" is text, not a number, and can be read two ways: write '
         '"n": 1500 if the comma separates thousands (as in English), or "n": 1.5 if it is a '
         "decimal comma (as in Swedish); without quotes either way."),
        ("yaml", "sv", '"1,500" läses som text, inte som ett tal, och kan betyda två olika tal: '
         "skriv n: 1500 om kommat är tusentalsavgränsare (som på engelska), eller n: 1.5 om "
         "det är decimalkomma (som på svenska)."),  # YAML writes 1,500 without quotes
        ("csv", "en", '"1,500" is not a number in an outcomes file, and can be read two ways: '
         "write 1500 if the comma separates thousands (as in English), or 1.5 if it is a "
         "decimal comma (as in Swedish)."),
        ("csv", "sv", '"1,500" är inget tal i en utfallsfil och kan läsas på två sätt: skriv '
         "1500 om kommat är tusentalsavgränsare (som på engelska), eller 1.5 om det är "
         "decimalkomma (som på svenska)."),
    ],
)  # fmt: skip
def test_a_comma_before_three_digits_in_a_count_is_offered_both_readings(
    tmp_path: Path, fmt: str, lang: str, expected: str
) -> None:
    # before: "decimals are written with a point, 1.500", as if it could only be 1.5
    [said] = refused(settle(outcomes_file(tmp_path, fmt, n="1,500"), lang), lang)
    assert said.split(": ", 1)[1] == f"measurements[0].n: {expected}"


@pytest.mark.parametrize("fmt", ["toml", "yaml"])
def test_a_percentage_in_a_count_is_no_number_quoted_or_not(tmp_path: Path, fmt: str) -> None:
    # YAML writes 45 % without quotes; the outcomes file says the same of it as of TOML's
    [said] = refused(settle(outcomes_file(tmp_path, fmt, n="45 %"), "en"), "en")
    assert said.split(": ", 1)[1] == "measurements[0].n: A number is needed here."


@pytest.mark.parametrize(
    ("fmt", "field", "written", "expected"),
    [
        ("csv", "treated", "0,45",
         '"0,45" is not a number in an outcomes file: decimals are written with a point, 0.45.'),
        ("csv", "treated_count", "20 000",
         '"20 000" is not a number in an outcomes file: write 20000.'),
        ("toml", "treated", "0,45",
         '"0,45" is text, not a number: write the number itself, without quotes: '
         "treated = 0.45."),
        ("toml", "treated_count", "20 000",
         '"20 000" is text, not a number: write the number itself, without quotes: '
         "treated_count = 20_000."),
        ("toml", "period", 2.5, "A whole number is needed here, not 2.5: write period = 2 or "
         "period = 3."),
        ("csv", "period", 2.5, "A whole number is needed here, not 2.5: write 2 or 3."),
        ("csv", "period", "two", "A whole number is needed here: the number of the period, 1 "
         "for the first."),
    ],
)  # fmt: skip
def test_a_number_written_as_text_in_an_outcomes_file_is_told_how_to_write_it(
    tmp_path: Path, fmt: str, field: str, written: object, expected: str
) -> None:
    row = {field: written}
    if field == "treated_count":
        row = {"treated": 0.5, field: written}
    [said] = refused(settle(outcomes_file(tmp_path, fmt, **row), "en"), "en")
    assert said.split(": ", 1)[1] == f"measurements[0].{field}: {expected}"


def test_an_unquoted_decimal_comma_is_named_once_at_its_row(tmp_path: Path) -> None:
    path = tmp_path / "utfall.csv"
    path.write_text(
        "metric,cohort,n,treated,baseline\nback_in_school,k1,40,0.5,0.3\n"
        "back_in_school,k2,40,0,5,0.3\n",
        encoding="utf-8",
    )
    assert refused(settle(path, "en"), "en") == [
        "3: measurements[1]: This row has 6 cells and the header 5, so its values stand under "
        "the wrong columns. An unquoted decimal comma splits a number in two: write 0.5, not "
        "0,5; text with a comma needs quotes."
    ]  # not also "5 is more than 1": its values are not where they belong


def test_a_misspelt_column_is_said_once_on_the_header_line(tmp_path: Path) -> None:
    path = tmp_path / "utfall.csv"
    path.write_text(
        "metric,cohort,n,treated,baseline,sorce\n"
        "back_in_school,k1,40,0.5,0.3,SCB\nback_in_school,k2,40,0.5,0.3,SCB\n",
        encoding="utf-8",
    )
    assert refused(settle(path, "sv"), "sv") == [
        '1: "sorce" är ingen kolumn i utfallsfilen; kontrollera stavningen eller ta bort den. '
        'Menade du "source"?'
    ]


def test_a_column_written_in_other_capitals_is_told_its_name(tmp_path: Path) -> None:
    # "N" had got no suggestion: no spelling is close to a one-letter name but its own
    path = tmp_path / "utfall.csv"
    path.write_text(
        "metric,cohort,N,treated,baseline\nback_in_school,k1,40,0.5,0.3\n", encoding="utf-8"
    )
    assert refused(settle(path, "en"), "en")[0].endswith('Did you mean "n"?')


def test_outcomes_made_in_memory_are_held_to_the_same_rules() -> None:
    data = OutcomesFile.model_validate(
        {
            "measurements": [
                {
                    "metric": "back_in_school",
                    "cohort": "k1",
                    "n": 40,
                    "treated": 1.5,
                    "baseline": 0.4,
                }
            ]
        }
    )
    with pytest.raises(ContractInvalid) as err:
        settle_json(load_contract(HEMMA), data)
    [problem] = err.value.problems
    assert (problem.code, problem.path, problem.where()) == (
        "outcomes.share_above_one", "measurements[0].treated", ""
    )  # fmt: skip


# ------------------------------------------------------------ files of another kind


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "looks like participant data (one row per person, with columns such as a "
               "personnummer or another identifier and the person's treatment group), not "
               "measured outcomes: participant data goes to effekt evaluate DATA --mapping "
               "FILE. --outcomes takes the measured outcomes per metric and cohort (see "
               "docs/outcomes.md)."),
        ("sv", "ser ut som deltagardata (en rad per person, med kolumner som personnummer eller "
               "annat id och vilken grupp personen tillhör), inte uppmätta utfall: deltagardata "
               "ges till effekt evaluate DATA --mapping FIL. --outcomes tar de uppmätta utfallen "
               "per mått och kohort (se docs/outcomes.md)."),
    ],
)  # fmt: skip
def test_participant_data_given_as_outcomes_is_named_as_such(lang: str, expected: str) -> None:
    # before: "measurements[0].metric: this field is required"
    data = EXAMPLES / "data" / "hemmasittare_participants.csv"
    message = said_alone(settle(data, lang))
    assert message == f"{data} {expected}"
    first_person = data.read_text(encoding="utf-8").splitlines()[4].split(",")
    assert first_person[:2] == ["110416-9923", "Syntetisk elev 0001"]
    assert not any(value in message for value in first_person if len(value) > 3)  # nor any
    # other thing the file holds


def test_participant_data_without_a_header_is_known_by_its_personnummer(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("19800101-1234;1;k1\n19810202-2345;0;k1\n", encoding="utf-8")
    message = said_alone(settle(path, "en"))
    assert message.startswith(f"{path} looks like participant data")
    assert "1980" not in message and "1234" not in message


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "is a mapping file (the participant data's columns and their roles), not an "
               "outcomes file: give it to effekt evaluate DATA --mapping FILE. --outcomes takes "
               "the measured outcomes per metric and cohort (see docs/outcomes.md)."),
        ("sv", "är en mappningsfil (deltagardatans kolumner och deras roller), inte en "
               "utfallsfil: ge den till effekt evaluate DATA --mapping FIL. --outcomes tar de "
               "uppmätta utfallen per mått och kohort (se docs/outcomes.md)."),
    ],
)  # fmt: skip
def test_a_mapping_given_as_outcomes_is_named_as_a_mapping(lang: str, expected: str) -> None:
    # before: "measurements: this field is required"
    mapping = EXAMPLES / "hemmasittare.mapping.toml"
    assert said_alone(settle(mapping, lang)) == f"{mapping} {expected}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metric;cohort;n;treated\nback_in_school;k1;40;0,5\n",
         "the columns are separated by semicolons (as Excel writes CSV with Swedish settings); "
         "an outcomes file separates them with commas and writes decimals with a point, 0.45 "
         "(see docs/outcomes.md)."),
        ("back_in_school,k1,40,0.5\n",
         "the first line is not the header of an outcomes file: it names none of its columns. "
         "Start the file with the line metric,cohort,n,treated,baseline,treated_count,"
         "baseline_count,relative_reduction,period,source (see docs/outcomes.md)."),
    ],
)  # fmt: skip
def test_a_csv_that_is_not_laid_out_as_an_outcomes_file_is_named_so(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "utfall.csv"
    path.write_text(text, encoding="utf-8")
    assert said_alone(settle(path, "en")) == f"{path}: {expected}"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("utfall.csv", f"{HEADER}\nback_in_school,k1,40,0.5,0.3,,,,,Källa: skolans register\n", 2),
        ("utfall.toml", 'format_version = 1\n[[measurements]]\nmetric = "back_in_school"\n'
                        'cohort = "k1"\ntreated = 0.5\nsource = "Skolverket, Växjö"\n', 6),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "the outcomes file cannot be read: the file is not UTF-8 text (was it saved as "
               "Windows-1252/ANSI, e.g. by Notepad or older Excel?); save it again as UTF-8"),
        ("sv", "utfallsfilen kan inte läsas: filen är inte text i UTF-8 (sparades den som "
               "Windows-1252/ANSI, till exempel i Anteckningar eller äldre Excel?); spara den "
               "igen som UTF-8"),
    ],
)  # fmt: skip
def test_windows_1252_outcomes_file_gets_the_encoding_hint(
    tmp_path: Path, name: str, text: str, line: int, lang: str, expected: str
) -> None:
    # before: "'utf-8' codec can't decode byte 0xe5 in position 29"
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    word = {"en": "line", "sv": "rad"}[lang]
    assert said_alone(settle(path, lang)) == f"{path}, {word} {line}: {expected}"


def test_a_csv_saved_by_excel_as_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    plain = csv_file(tmp_path, "back_in_school,k1,40,0.5,0.3,,,,,Källa")
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes().replace(b"\n", b"\r\n"))
    assert settle(excel, "en").stdout == settle(plain, "en").stdout != ""


def test_the_empty_rows_and_columns_excel_leaves_after_a_sheet_are_not_measurements(
    tmp_path: Path,
) -> None:
    # a sheet whose cells below and beside the table were once used: Excel writes them
    plain = csv_file(tmp_path, "back_in_school,k1,40,0.5,0.3,,,,,Källa")
    excel = tmp_path / "excel.csv"
    lines = plain.read_text(encoding="utf-8").splitlines()
    excel.write_text(
        "\n".join([f"{line},," for line in lines] + [",,,,,,,,,,,"] * 2) + "\n",
        encoding="utf-8",
    )
    assert settle(excel, "en").stdout == settle(plain, "en").stdout != ""


def test_a_value_in_a_column_without_a_name_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "utfall.csv"
    path.write_text(
        "metric,cohort,n,treated,baseline,\nback_in_school,k1,40,0.5,0.3,SCB\n", encoding="utf-8"
    )
    assert refused(settle(path, "en"), "en") == [
        '1: "" is not a column of the outcomes file; check the spelling or remove it.'
    ]


def test_a_sheet_not_saved_as_csv_is_named_so(tmp_path: Path) -> None:
    path = tmp_path / "utfall.xlsx"
    path.write_bytes(b"PK\x03\x04")
    assert said_alone(settle(path, "sv")) == (
        f"{path} är ingen textfil: en utfallsfil är CSV (ett kalkylblad sparat som CSV), TOML, "
        "YAML eller JSON (se docs/outcomes.md). Deltagardata (CSV, Parquet eller Excel) ges "
        "till effekt evaluate DATA --mapping FIL."
    )


@pytest.mark.parametrize("name", ["utfall.csv", "utfall.toml", "utfall.json", "utfall.yaml"])
def test_an_empty_outcomes_file_is_said_to_be_empty_whatever_its_format(
    tmp_path: Path, name: str
) -> None:
    # before: a JSON syntax error, a CSV without a header, a YAML "value of another kind"
    path = tmp_path / name
    path.write_text("\n  \n", encoding="utf-8")
    said = said_alone(settle(path, "en"))
    assert said.startswith(f"{path} is empty: an outcomes file has one measurement per metric")


MEASURED = {
    "format_version": 1,
    "contract": "hemmasittare-exempelkommun",
    "measurements": [
        {"metric": "back_in_school", "cohort": k, "n": 40, "treated": 0.5, "baseline": 0.4}
        for k in ("k1", "k2", "k3")
    ],
}


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_outcomes_written_as_json_or_yaml_settle_as_the_toml_does(
    tmp_path: Path, suffix: str
) -> None:
    import yaml

    toml = tmp_path / "utfall.toml"
    toml.write_text(
        'format_version = 1\ncontract = "hemmasittare-exempelkommun"\n'
        + "".join(
            f'[[measurements]]\nmetric = "back_in_school"\ncohort = "{k}"\nn = 40\n'
            "treated = 0.5\nbaseline = 0.4\n"
            for k in ("k1", "k2", "k3")
        ),
        encoding="utf-8",
    )
    other = tmp_path / f"utfall{suffix}"
    dump = json.dumps if suffix == ".json" else yaml.safe_dump
    other.write_text(dump(MEASURED), encoding="utf-8")
    assert settle(other, "en").output == settle(toml, "en").output
    assert settle(other, "en").exit_code == 0


def test_a_share_above_one_in_a_yaml_outcomes_file_is_refused_on_its_line(tmp_path: Path) -> None:
    import yaml

    data = json.loads(json.dumps(MEASURED))
    data["measurements"][1]["treated"] = 1.5
    path = tmp_path / "utfall.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    [said] = refused(settle(path, "en"), "en")
    line = path.read_text().splitlines().index("  treated: 1.5") + 1
    assert said.startswith(f"{line}: measurements[1].treated: ")


def test_problems_are_json_on_stdout_when_json_is_asked_for(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "back_in_school,k3,40,1.5,0.4,,,,,")
    args = ["settle", str(HEMMA), "--outcomes", str(path), "--json", "--lang", "en"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["valid"] is False and shown["summary"] == "The outcomes file has 1 error."
    [problem] = shown["problems"]
    assert (problem["file"], problem["line"], problem["path"]) == (
        str(path),
        2,
        "measurements[0].treated",
    )
    assert problem["code"] == "outcomes.share_above_one"


def test_a_measured_counterfactual_must_be_given_not_taken_from_the_contract(
    tmp_path: Path,
) -> None:
    # back_in_school is compared with a matched group: its baseline is measured, and the
    # contract's assumed 0.33 would pay (0.5 - 0.33) x 40 outcomes on an assumption
    path = tmp_path / "utfall.csv"
    path.write_text("metric,cohort,n,treated\nback_in_school,k1,40,0.5\n", encoding="utf-8")
    assert refused(settle(path, "en"), "en") == [
        '2: measurements[0]: The metric "back_in_school" is compared with a matched comparison '
        "group: give the counterfactual as measured (baseline or baseline_count). The "
        "contract's assumed baseline is never paid on."
    ]


def test_a_file_of_another_kind_under_json_is_json_too() -> None:
    data = EXAMPLES / "data" / "hemmasittare_participants.csv"
    args = ["settle", str(HEMMA), "--outcomes", str(data), "--json", "--lang", "en"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    [problem] = shown["problems"]
    assert shown["valid"] is False and problem["file"] == str(data)
    assert "looks like participant data" in problem["message"]
