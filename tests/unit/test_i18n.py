"""The message catalogs: every code in Swedish and English, with the same placeholders,
and every code the source uses is in the catalog."""

from __future__ import annotations

import inspect
import re
import string
import sys
import typing
from pathlib import Path

import pytest

from effekt.contract.evidence import StudyDesign
from effekt.contract.financing import Fee, Grant, Tranche
from effekt.contract.metrics import Counterfactual, Metric, MetricKind
from effekt.contract.model import PERIODS_PER_YEAR, Contract
from effekt.contract.parties import Role
from effekt.contract.reference import _models
from effekt.contract.rules import DecisionBasis, Indexation, Measure, Scope
from effekt.i18n import LANGUAGES, SINGULARS, catalog, translate

SRC = Path(__file__).resolve().parents[2] / "src" / "effekt"
SOURCES = [
    *sorted((SRC / "contract").glob("*.py")),
    *sorted((SRC / "cli").glob("*.py")),
    SRC / "errors.py",
]
CODES = catalog()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def literal(model: type, field: str) -> list[str]:
    return list(typing.get_args(model.model_fields[field].annotation))  # type: ignore[attr-defined]


# Code families built at run time (f"explain.unit.{unit}"), with every value they can take.
DYNAMIC: dict[str, list[str]] = {
    "cli.severity": ["error", "warning"],
    "contract.type": ["string", "bool", "list", "dict", "model"],
    "diff": ["added", "removed", "changed"],
    "direction": literal(Metric, "direction"),
    "explain.basis": list(typing.get_args(DecisionBasis)),
    "explain.counterfactual": list(typing.get_args(Counterfactual)),
    "explain.measure": list(typing.get_args(Measure)),
    "explain.period": list(PERIODS_PER_YEAR),
    "explain.periods": list(PERIODS_PER_YEAR),
    "explain.period_one": list(PERIODS_PER_YEAR),
    "explain.population": literal(Metric, "population"),
    "explain.scope": list(typing.get_args(Scope)),
    "explain.series": [s for s in literal(Indexation, "series") if s != "fixed"],
    "explain.unit": literal(Metric, "unit"),
    "feasibility.design": list(typing.get_args(StudyDesign)),
    "fee": literal(Fee, "kind"),
    "kind": list(typing.get_args(MetricKind)),
    "outcomes": ["measurement_incomplete", "measurement_counts_need_n"],
    "purpose": literal(Grant, "purpose"),
    "role": list(typing.get_args(Role)),
    "seniority": literal(Tranche, "seniority"),
}


def source_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)


def test_catalog_loads_without_a_code_defined_twice() -> None:
    assert len(CODES) > 100


@pytest.mark.parametrize("code", sorted(CODES))
def test_code_has_swedish_and_english_with_the_same_placeholders(code: str) -> None:
    entry = CODES[code]
    assert set(LANGUAGES) <= set(entry) <= set(LANGUAGES) | set(SINGULARS)
    assert entry["sv"].strip() and entry["en"].strip()
    assert placeholders(entry["sv"]) == placeholders(entry["en"]), code
    for lang in LANGUAGES:
        one = entry.get(f"{lang}_one")
        if one is not None:  # a singular is for a message about {count} things
            assert "count" in placeholders(entry[lang]), code
            assert placeholders(one) <= placeholders(entry[lang]), code


def test_a_message_about_one_thing_is_in_the_singular() -> None:
    assert translate("summary.warnings", "sv", count=1) == "1 varning"
    assert translate("summary.warnings", "sv", count=2) == "2 varningar"
    assert translate("contract.invalid", "en", count=1) == "The contract has 1 error."
    assert translate("contract.invalid", "en", count=3) == "The contract has 3 errors."
    assert translate("contract.invalid", "sv", count=1) == "Kontraktet har 1 fel."


def test_a_percent_sign_never_stands_alone_at_the_start_of_a_line() -> None:
    # a no-break space between a figure and its % sign, as format.percent writes it
    for code, entry in CODES.items():
        for text in entry.values():
            assert not re.search(r"[\d}] %", text), (code, text)


def test_no_message_leaves_the_plural_to_the_reader() -> None:
    for code, entry in CODES.items():
        for text in entry.values():
            assert not re.search(r"\w\((s|er|ar|or)\)", text), (code, text)


@pytest.mark.parametrize("code", sorted(CODES))
def test_message_renders_in_both_languages_when_given_its_parameters(code: str) -> None:
    params = {name: "X" for name in placeholders(CODES[code]["en"])}
    for lang in LANGUAGES:
        text = translate(code, lang, **params)
        assert not re.search(r"\{[A-Za-z_]+\}", text), (code, lang, text)


def test_every_literal_code_in_the_source_is_in_the_catalog() -> None:
    families = {code.split(".")[0] for code in CODES}
    used = {
        code
        for code in re.findall(r"[\"']((?:[a-z_]+\.)+[a-z_]+)[\"']", source_text())
        if code.split(".")[0] in families and not code.endswith((".toml", ".py"))
    }
    assert len(used) > 40
    missing = sorted(used - CODES.keys())
    assert not missing, f"codes used in the source but not in the catalog: {missing}"


def test_every_code_family_built_at_run_time_is_known_to_this_test() -> None:
    prefixes = set(re.findall(r"f[\"']([a-z_]+(?:\.[a-z_]+)*)\.\{", source_text()))
    prefixes.discard("contract")  # contract.{reason}: checked below
    prefixes.discard("noun")  # noun.{what}: checked below
    prefixes.discard("explain")  # explain.{'period_one' if n == 1 else 'periods'}.…
    unknown = prefixes - DYNAMIC.keys() - {"template"}
    assert not unknown, f"add these code families to DYNAMIC: {sorted(unknown)}"


@pytest.mark.parametrize("family", sorted(DYNAMIC))
def test_every_value_of_a_run_time_code_family_is_in_the_catalog(family: str) -> None:
    missing = [v for v in DYNAMIC[family] if f"{family}.{v}" not in CODES]
    assert not missing, f"{family}: {missing}"


def test_every_validator_reason_is_a_code() -> None:
    """A contract model's ValueError("reason") is reported as the code contract.reason."""
    modules = {sys.modules[m.__module__] for m in _models(Contract)}
    text = "\n".join(inspect.getsource(m) for m in modules)
    reasons = set(re.findall(r"raise ValueError\(\"([a-z_]+)\"\)", text))
    assert {"beta_sd_too_large", "triangular_order", "uniform_order"} <= reasons
    missing = sorted(r for r in reasons if f"contract.{r}" not in CODES)
    assert not missing, missing


def test_every_noun_of_an_unknown_reference_is_a_code() -> None:
    validate = (SRC / "contract" / "validate.py").read_text(encoding="utf-8")
    nouns = set(re.findall(r"self\.ref\((?:[^()]|\([^()]*\))*?\"([a-z]+)\",?\s*\)", validate))
    assert {"metric", "cohort", "party", "rule"} <= nouns
    missing = sorted(n for n in nouns if f"noun.{n}" not in CODES)
    assert not missing, missing


def test_unknown_code_falls_back_to_the_code_and_its_parameters() -> None:
    assert translate("no.such.code", "sv", x=1) == "no.such.code (x=1)"
