"""The guard for rules that pay for avoided events with no counterfactual."""

from __future__ import annotations

from pathlib import Path

from effekt.contract.load import load_contract
from effekt.contract.model import Contract
from effekt.i18n import translate
from effekt.services.evaluation_checks import avoided_events_without_counterfactual

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def with_metric(**changes: object) -> Contract:
    c = load_contract(EXAMPLES / "peterborough.toml")
    metrics = [c.metrics[0].model_copy(update=changes), *c.metrics[1:]]
    return c.model_copy(update={"metrics": metrics})


def test_examples_have_no_unguarded_avoided_events() -> None:
    for name in ("hemmasittare", "peterborough", "norrkoping"):
        assert avoided_events_without_counterfactual(load_contract(EXAMPLES / f"{name}.toml")) == []


def test_decrease_metric_without_counterfactual_is_warned_at_each_paying_rule() -> None:
    c = with_metric(direction="decrease", counterfactual="none")
    problems = avoided_events_without_counterfactual(c)
    metric = c.metrics[0].id
    paying = [i for i, r in enumerate(c.rules) if getattr(r, "metric", None) == metric]
    assert paying
    assert [p.path for p in problems] == [f"rules[{i}].metric" for i in paying]
    assert {p.severity for p in problems} == {"warning"}
    for lang in ("sv", "en"):
        text = problems[0].message(lang)
        assert metric in text and "{" not in text
    assert translate("check.avoided_without_counterfactual", "sv", rule="r", metric="m")


def test_increase_metric_without_counterfactual_is_not_this_warning() -> None:
    c = with_metric(direction="increase", counterfactual="none")
    assert avoided_events_without_counterfactual(c) == []


def test_with_the_parsed_document_the_warning_has_its_file_and_line() -> None:
    from effekt.contract.load import read_document

    doc = read_document(str(EXAMPLES / "peterborough.toml"))
    problems = avoided_events_without_counterfactual(
        with_metric(direction="decrease", counterfactual="none"), doc
    )
    assert problems
    assert all(p.line is not None and p.file == doc.file for p in problems)
