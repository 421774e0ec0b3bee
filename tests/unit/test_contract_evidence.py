"""The file's evidence section and a metric's comparison group are checked with a clear
message at the right path and line, in Swedish and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_contracts import PARTIES, cohort, contract_text

from effekt.contract.load import check_document, load_contract, parse_text
from effekt.contract.problems import Problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

BASE = contract_text(
    "evidens",
    PARTIES,
    cohort(40),
    """\
[[metrics]]
id = "i_skolan"
definition = "Attends school."
counterfactual = "matched_comparison"
expected = 0.45
baseline = 0.33

[[metrics]]
id = "domar"
definition = "Convictions."
kind = "count"
direction = "decrease"
counterfactual = "matched_comparison"
expected = 1.42
baseline = 1.55

[[rules]]
kind = "rate_card"
metric = "i_skolan"
price = 1000
""",
)


def check(extra: str) -> tuple[list[Problem], str]:
    text = BASE + extra
    _, problems = check_document(parse_text(text, "toml", "c.toml"))
    return problems, text


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, [(p.code, p.path) for p in problems]
    return found[0]


STUDY = """
[[evidence]]
citation = "Reissner et al. (2015)"
design = "rct"
metric = "i_skolan"
effect_measure = "odds_ratio"
effect = 1.05
ci_low = 0.58
ci_high = 1.90
"""


def test_a_complete_study_and_the_examples_are_valid() -> None:
    problems, _ = check(STUDY)
    assert problems == []
    for name in ("hemmasittare", "peterborough", "norrkoping"):
        load_contract(EXAMPLES / f"{name}.toml")


def test_a_study_naming_an_unknown_metric_is_an_error_with_a_suggestion() -> None:
    problems, text = check(STUDY.replace('metric = "i_skolan"', 'metric = "i_skolen"'))
    p = only(problems, "contract.unknown_ref")
    assert (p.path, p.line, p.severity) == (
        "evidence[0].metric",
        line_of(text, "i_skolen"),
        "error",
    )
    assert (
        p.message("en") == 'This contract has no metric called "i_skolen". Did you mean "i_skolan"?'
    )
    assert p.message("sv") == (
        'Kontraktet har inget utfallsmått som heter "i_skolen". Menade du "i_skolan"?'
    )


def test_an_interval_that_does_not_hold_the_estimate_is_an_error() -> None:
    problems, text = check(STUDY.replace("ci_low = 0.58", "ci_low = 1.2"))
    p = only(problems, "contract.ci_order")
    assert (p.path, p.line) == ("evidence[0].ci_low", line_of(text, "ci_low = 1.2"))
    assert "ci_low ≤ effect ≤ ci_high, not 1.2 ≤ 1.05 ≤ 1.9" in p.message("en")
    assert "Konfidensintervallet måste innehålla skattningen" in p.message("sv")
    assert "inte 1.2 ≤ 1.05 ≤ 1.9" in p.message("sv")


@pytest.mark.parametrize(
    ("edit", "code", "path", "en", "sv"),
    [
        (
            ("ci_high = 1.90\n", ""),
            "contract.ci_incomplete",
            "evidence[0].ci_high",
            "needs both bounds",
            "kräver båda gränserna",
        ),
        (
            ("effect = 1.05\n", ""),
            "contract.ci_needs_effect",
            "evidence[0].effect",
            "belongs to a point estimate",
            "hör till en punktskattning",
        ),
        (
            ('effect_measure = "odds_ratio"\n', ""),
            "contract.effect_needs_measure",
            "evidence[0].effect_measure",
            "An effect needs its effect_measure",
            "En effekt kräver sitt effect_measure",
        ),
        (
            ("ci_low = 0.58", "ci_low = -0.2"),
            "contract.ratio_not_positive",
            "evidence[0].ci_low",
            "greater than 0 (1 means no effect), not -0.2",
            "större än 0 (1 betyder ingen effekt), inte -0.2",
        ),
    ],
)
def test_a_studys_numbers_must_hang_together(
    edit: tuple[str, str], code: str, path: str, en: str, sv: str
) -> None:
    problems, _ = check(STUDY.replace(*edit))
    p = only(problems, code)
    assert p.path == path and p.severity == "error" and p.line is not None
    assert en in p.message("en") and sv in p.message("sv")


def test_a_difference_in_a_share_written_in_percentage_points_is_an_error() -> None:
    study = STUDY.replace('"odds_ratio"', '"absolute_difference"')
    study = study.replace("effect = 1.05", "effect = 12").replace("0.58", "-0.1")
    problems, text = check(study.replace("1.90", "0.3"))
    p = only(problems, "contract.difference_out_of_range")
    assert (p.path, p.line) == ("evidence[0].effect", line_of(text, "effect = 12"))
    assert "write 0.12 for 12 percentage points, not 12" in p.message("en")
    assert "skriv 0.12 för 12 procentenheter, inte 12" in p.message("sv")


def test_an_odds_ratio_on_a_count_metric_is_a_warning() -> None:
    problems, _ = check(STUDY.replace('metric = "i_skolan"', 'metric = "domar"'))
    p = only(problems, "contract.evidence_measure_kind")
    assert (p.path, p.severity) == ("evidence[0].effect_measure", "warning")
    assert 'has kind = "count"' in p.message("en") and "incidenskvot" in p.message("sv")


@pytest.mark.parametrize(
    ("edit", "code", "path"),
    [
        (('citation = "Reissner et al. (2015)"\n', ""), "contract.missing", "evidence[0]"),
        (('design = "rct"', 'design = "trial"'), "contract.bad_choice", "evidence[0].design"),
        (("ci_low", "ci_lo"), "contract.unknown_field", "evidence[0].ci_lo"),
    ],
)
def test_a_study_needs_a_citation_and_a_known_design(
    edit: tuple[str, str], code: str, path: str
) -> None:
    problems, _ = check(STUDY.replace(*edit))
    assert any(p.code == code and p.path.startswith(path) for p in problems), [
        (p.code, p.path) for p in problems
    ]


# --- the comparison group ---------------------------------------------------------------


def with_comparison(line: str) -> str:
    return BASE.replace("baseline = 0.33\n", f"baseline = 0.33\n{line}\n", 1)


@pytest.mark.parametrize("value", ["0", "-3", '"3:1"', "true", "inf"])
def test_a_comparison_ratio_that_is_not_a_positive_number_is_an_error(value: str) -> None:
    text = with_comparison(f"comparison_ratio = {value}")
    _, problems = check_document(parse_text(text, "toml", "c.toml"))
    assert [p.code for p in problems] == ["contract.comparison_ratio_invalid"]
    p = problems[0]
    assert (p.path, p.line) == ("metrics[0].comparison_ratio", line_of(text, "comparison_ratio"))
    assert "write 3 for 3:1 matching" in p.message("en")
    assert "skriv 3 för matchning 3:1" in p.message("sv")


@pytest.mark.parametrize("value", ["0", "2.5", '"500"'])
def test_a_comparison_size_that_is_not_a_whole_number_of_persons_is_an_error(value: str) -> None:
    text = with_comparison(f"comparison_size = {value}")
    _, problems = check_document(parse_text(text, "toml", "c.toml"))
    assert [(p.code, p.path) for p in problems] == [
        ("contract.comparison_size_invalid", "metrics[0].comparison_size")
    ]
    assert "at least 1" in problems[0].message("en")
    assert "minst 1" in problems[0].message("sv")


def test_a_comparison_given_both_ways_is_an_error() -> None:
    text = with_comparison("comparison_ratio = 3\ncomparison_size = 500")
    _, problems = check_document(parse_text(text, "toml", "c.toml"))
    p = only(problems, "contract.comparison_both")
    assert (p.path, p.line) == ("metrics[0].comparison_size", line_of(text, "comparison_size"))
    assert "not both" in p.message("en") and "inte båda" in p.message("sv")


def test_a_comparison_group_without_a_counterfactual_is_a_warning() -> None:
    text = with_comparison("comparison_ratio = 3").replace(
        'counterfactual = "matched_comparison"', 'counterfactual = "none"', 1
    )
    contract, problems = check_document(parse_text(text, "toml", "c.toml"))
    p = only(problems, "contract.comparison_without_counterfactual")
    assert (p.path, p.severity) == ("metrics[0].comparison_ratio", "warning")
    assert contract is not None
    assert 'Metric "i_skolan" has counterfactual = "none"' in p.message("en")
    assert 'Måttet "i_skolan" har counterfactual = "none"' in p.message("sv")


def test_a_valid_comparison_ratio_or_size_is_read() -> None:
    for line, ratio, size in (
        ("comparison_ratio = 3", 3.0, None),
        ("comparison_size = 500", None, 500),
    ):
        contract, problems = check_document(parse_text(with_comparison(line), "toml"))
        assert problems == [] and contract is not None
        m = contract.metric("i_skolan")
        assert (m.comparison_ratio, m.comparison_size) == (ratio, size)
