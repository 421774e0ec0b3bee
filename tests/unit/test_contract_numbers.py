"""Numbers in a contract file are numbers: text that looks like one is refused, in every
field and every format, with a hint how to write it; true and false are not numbers."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
import typing
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from small_contracts import MINIMAL

from effekt.contract.load import check_document, parse_text
from effekt.contract.model import Contract
from effekt.contract.outcomes_file import OutcomesFile
from effekt.contract.portfolio import Portfolio
from effekt.contract.problems import Problem
from effekt.evaluation_io.mapping import Mapping

Change = Callable[[dict[str, Any]], None]


def _written(fmt: str, change: Change) -> str:
    """MINIMAL with ``change`` made to its data, written in ``fmt``."""
    data = tomllib.loads(MINIMAL)
    change(data)
    if fmt == "json":
        return json.dumps(data, default=str, ensure_ascii=False)
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    lines = []  # TOML: the few shapes these tests need, written out
    for key, value in data.items():
        if not isinstance(value, list | dict):
            lines.append(f"{key} = {_toml(value)}")
    for key, value in data.items():
        rows = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for row in rows:
            lines.append(f"[[{key}]]" if isinstance(value, list) else f"[{key}]")
            lines.extend(f"{k} = {_toml(v)}" for k, v in row.items())
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _problems(fmt: str, change: Change) -> list[Problem]:
    contract, problems = check_document(parse_text(_written(fmt, change), fmt, f"c.{fmt}"))
    assert contract is None, "the contract should not be valid"
    return problems


def _set(path: str, value: Any) -> Change:
    """Set ``value`` at ``path`` ("rules.0.price"), making tables on the way."""

    def change(data: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = data
        for part in head:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[int(last) if last.isdigit() else last] = value

    return change


FORMATS = ["toml", "json", "yaml"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("path", "value", "shown"),
    [
        ("term_periods", "3", "term_periods"),
        ("cohorts.0.size", "20", "cohorts[0].size"),
        ("metrics.0.expected", "0.5", "metrics[0].expected"),
        ("rules.0.price", "1000", "rules[0].price"),
        ("parties.0.payer_share", "1", "parties[0].payer_share"),
        ("costs.margin", "0.1", "costs.margin"),
        ("rules.0.payers", {"kommun": "1"}, "rules[0].payers.kommun"),
        ("cohorts.0.referral_profile", ["1"], "cohorts[0].referral_profile[0]"),
        ("rules.0.price", {"dist": "normal", "mean": "1000", "sd": 10}, "rules[0].price.mean"),
    ],
)
def test_a_number_written_as_text_is_refused_in_every_field_and_format(
    fmt: str, path: str, value: Any, shown: str
) -> None:
    problems = _problems(fmt, _set(path, value))
    [found] = [p for p in problems if p.path == shown]
    assert found.code == "contract.number_as_text"
    assert found.severity == "error"
    assert "is text, not a number" in found.message("en")


@pytest.mark.parametrize("fmt", FORMATS)
def test_true_written_as_text_is_refused_with_how_to_write_it(fmt: str) -> None:
    problems = _problems(fmt, _set("uncertainty.person_level", "true"))
    [found] = [p for p in problems if p.path == "uncertainty.person_level"]
    assert found.code == "contract.bool_as_text"
    written = {"toml": "person_level = true", "json": '"person_level": true'}
    assert written.get(fmt, "person_level: true") in found.message("en")
    assert "utan citattecken" in found.message("sv")


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("rules.0.price", True, "contract.not_a_number"),
        ("term_periods", True, "contract.not_a_number"),
        ("uncertainty.person_level", 1, "contract.bad_type"),
    ],
)
def test_true_false_and_numbers_do_not_stand_for_each_other(
    path: str, value: Any, code: str
) -> None:
    [found] = _problems("json", _set(path, value))
    assert found.code == code


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_whole_number_fills_a_decimal_field_and_a_decimal_whole_number_an_integer_one(
    fmt: str,
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["metrics"][0]["expected"] = 1  # an integer where a decimal number is due
        data["cohorts"][0]["start_period"] = 1.0  # a whole decimal number for an integer

    contract, problems = check_document(parse_text(_written(fmt, change), fmt, f"c.{fmt}"))
    assert [p.code for p in problems if p.severity == "error"] == []
    assert contract is not None
    assert contract.cohorts[0].start_period == 1
    assert isinstance(contract.cohorts[0].start_period, int)


def _tables(root: type[BaseModel]) -> set[type[BaseModel]]:
    """Every model a file of ``root``'s format holds, ``root`` included."""
    found: set[type[BaseModel]] = set()
    todo: list[Any] = [root]
    while todo:
        tp = todo.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp not in found:
                found.add(tp)
                todo.extend(f.annotation for f in tp.model_fields.values())
        else:
            todo.extend(typing.get_args(tp))
    return found


@pytest.mark.parametrize("root", [Contract, Portfolio, OutcomesFile, Mapping])
def test_every_table_of_every_file_format_takes_numbers_only_as_numbers(
    root: type[BaseModel],
) -> None:
    for model in _tables(root):
        assert model.model_config.get("strict") is True, model.__name__
        for name, field in model.model_fields.items():
            lax = any(getattr(m, "strict", None) is False for m in field.metadata)
            if lax:  # only a date may be written as text (JSON has none)
                assert field.annotation in (dt.date, dt.date | None), (model.__name__, name)


HINT = "a percentage is written as a decimal"


@pytest.mark.parametrize(
    ("path", "value", "write", "hint"),
    [
        ("parties.0.payer_share", "0,5", "payer_share = 0.5", "5\u00a0% as 0.05"),
        ("costs.margin", "5 %", "margin = 0.05", "5\u00a0% as 0.05"),
        ("cohorts.0.engagement", "80 %", "engagement = 0.8", "80\u00a0% as 0.8"),
        ("metrics.0.expected", "50%", "expected = 0.5", "50\u00a0% as 0.5"),
        ("default_discount_rate", "3,5 %", "default_discount_rate = 0.035", "3,5\u00a0% as 0.035"),
        ("rules.0.payers", {"kommun": "100 %"}, "kommun = 1", "100\u00a0% as 1"),
        ("rules.0.price", {"dist": "beta", "mean": "0.4", "sd": 0.1}, None, None),
        ("cohorts.0.engagement", {"dist": "beta", "mean": "40 %", "sd": 0.1}, "mean = 0.4",
         "40\u00a0% as 0.4"),
    ],
)  # fmt: skip
def test_a_share_or_rate_written_as_text_says_a_percentage_is_written_as_a_decimal(
    path: str, value: Any, write: str | None, hint: str | None
) -> None:
    [found] = [p for p in _problems("toml", _set(path, value)) if p.severity == "error"]
    said = found.message("en")
    assert found.code == "contract.number_as_text"
    if write is None:
        assert HINT not in said and "%" not in said
        return
    assert f"without quotes: {write} ({HINT}: {hint})." in said
    assert "en procentsats skrivs som decimaltal" in found.message("sv")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("rules.0.price", "1000"),
        ("term_periods", "3"),
        ("cohorts.0.size", "20 000"),
        ("metrics.0.lag_periods", "2"),
    ],
)
def test_a_number_that_is_no_share_written_as_text_gets_no_word_of_percentages(
    path: str, value: str
) -> None:
    [found] = [p for p in _problems("toml", _set(path, value)) if p.severity == "error"]
    assert found.code == "contract.number_as_text"
    assert "%" not in found.message("en") and "%" not in found.message("sv")


def test_a_count_metrics_expected_value_is_no_share() -> None:
    def change(data: dict[str, Any]) -> None:
        data["metrics"][0].update(kind="count", expected="2,5")

    [found] = [p for p in _problems("toml", change) if p.severity == "error"]
    assert found.code == "contract.number_as_text"
    assert "%" not in found.message("en")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_percentage_where_no_share_is_due_is_not_turned_into_a_share(fmt: str) -> None:
    [found] = [p for p in _problems(fmt, _set("rules.0.price", "45 %")) if p.severity == "error"]
    bare = "_unquoted" if fmt == "yaml" else ""  # YAML writes 45 % without quotes
    assert found.code == f"contract.percent_as_text{bare}"
    assert "0.45" not in found.message("en")
    assert "without the % sign" in found.message("en")
    assert "utan procenttecken" in found.message("sv")


def _yaml_problem(path: str, raw: str) -> Problem:
    """The one error of MINIMAL in YAML with the value at ``path`` written as ``raw``."""
    text = _written("yaml", _set(path, "RAW_VALUE")).replace("RAW_VALUE", raw)
    _, problems = check_document(parse_text(text, "yaml", "c.yaml"))
    [found] = [p for p in problems if p.severity == "error"]
    return found


QUOTED_EN = '"{0}" is text, not a number: write the number itself, without quotes: price: {1}.'
QUOTED_SV = '"{0}" är text, inte ett tal: skriv talet självt, utan citattecken: price: {1}.'
BARE_EN = (
    '"{0}" is read as text, not a number: write it as one number, without spaces, '
    "thousands separators or currency: price: {1}."
)
BARE_SV = (
    '"{0}" läses som text, inte som ett tal: skriv det som ett enda tal, utan mellanslag, '
    "tusentalsavgränsare eller valuta: price: {1}."
)


@pytest.mark.parametrize(
    ("raw", "en", "sv"),
    [
        ("450 000", BARE_EN, BARE_SV),
        ("450 000 kr", BARE_EN, BARE_SV),
        ('"450 000"', QUOTED_EN, QUOTED_SV),
        ("'450 000 kr'", QUOTED_EN, QUOTED_SV),
    ],
)
def test_a_yaml_number_read_as_text_is_told_to_drop_quotes_only_when_it_has_them(
    raw: str, en: str, sv: str
) -> None:
    found = _yaml_problem("rules.0.price", raw)
    written = raw.strip("\"'")
    assert found.message("en") == en.format(written, "450000")
    assert found.message("sv") == sv.format(written, "450000")


@pytest.mark.parametrize(("raw", "quoted"), [("1,500", False), ('"1,500"', True)])
def test_a_yaml_number_with_a_comma_is_told_both_readings_and_quotes_only_if_quoted(
    raw: str, quoted: bool
) -> None:
    found = _yaml_problem("rules.0.price", raw)
    assert "write price: 1500 if the comma separates thousands" in found.message("en")
    assert ("without quotes either way" in found.message("en")) is quoted
    assert ("utan citattecken i båda fallen" in found.message("sv")) is quoted


@pytest.mark.parametrize(("raw", "quoted"), [("45 %", False), ("'45 %'", True)])
def test_a_yaml_percentage_where_no_share_is_due_says_quotes_only_if_quoted(
    raw: str, quoted: bool
) -> None:
    found = _yaml_problem("rules.0.price", raw)
    assert "without the % sign" in found.message("en")
    assert ("without quotes" in found.message("en")) is quoted
    assert ("utan citattecken" in found.message("sv")) is quoted


def test_a_share_as_a_bare_yaml_percentage_is_told_its_decimal_without_quotes_said() -> None:
    found = _yaml_problem("cohorts.0.engagement", "40 %")
    assert found.message("en") == (
        '"40 %" is read as text, not a number: write it as one number, without spaces, '
        "thousands separators or currency: engagement: 0.4 "
        "(a percentage is written as a decimal: 40\u00a0% as 0.4)."
    )


@pytest.mark.parametrize(
    ("fmt", "example"),
    [
        ("toml", '{ dist = "beta", mean = 0.4, sd = 0.1 }'),
        ("json", '{"dist": "beta", "mean": 0.4, "sd": 0.1}'),
        ("yaml", "{dist: beta, mean: 0.4, sd: 0.1}"),
    ],
)
def test_the_distribution_a_message_offers_is_written_in_the_files_own_syntax(
    fmt: str, example: str
) -> None:
    [found] = _problems(fmt, _set("cohorts.0.engagement", "most"))
    assert found.code == "contract.not_a_number"
    assert example in found.message("en") and example in found.message("sv")


def test_an_uncertain_amount_is_offered_a_distribution_for_amounts_not_shares() -> None:
    [found] = _problems("json", _set("rules.0.price", "a lot"))
    assert '{"dist": "lognormal", "mean": 100, "sd": 20}' in found.message("en")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("term_periods", "many"),
        ("costs.margin", "some"),
        ("rules.0.price", {"dist": "normal", "mean": "high", "sd": 1}),
    ],
)
def test_a_field_that_takes_no_distribution_is_offered_none(path: str, value: Any) -> None:
    [found] = _problems("toml", _set(path, value))
    assert found.code == "contract.not_a_number"
    assert found.message("en") == "A number is needed here."
    assert found.message("sv") == "Här behövs ett tal."


def _line(fmt: str, key: str, value: str) -> str:
    """``key`` set to the number ``value`` as one line of ``fmt``."""
    return {"toml": f"{key} = {value}", "json": f'"{key}": {value}'}.get(fmt, f"{key}: {value}")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("path", "value", "shown", "nearest"),
    [
        ("term_periods", 3.5, "term_periods", ("3", "4")),
        ("cohorts.0.referral_periods", 2.5, "cohorts[0].referral_periods", ("2", "3")),
        ("costs.delivery_periods", 4.2, "costs.delivery_periods", ("4", "5")),
        ("rules.0.payment_lag_periods", 1.5, "rules[0].payment_lag_periods", ("1", "2")),
        ("population.age_min", 12.5, "population.age_min", ("12", "13")),
        ("cohorts.0.start_period", 0.5, "cohorts[0].start_period", ("1",)),  # 0 is no period
    ],
)
def test_a_decimal_in_a_whole_number_field_says_a_whole_number_is_needed_and_the_nearest(
    fmt: str, path: str, value: float, shown: str, nearest: tuple[str, ...]
) -> None:
    def change(data: dict[str, Any]) -> None:
        if path.startswith("population"):
            data["population"] = {"description": "Pupils."}
        _set(path, value)(data)

    [found] = [p for p in _problems(fmt, change) if p.path == shown]
    assert found.code == "contract.not_whole"
    key = shown.rsplit(".", 1)[-1]
    writes = [_line(fmt, key, n) for n in nearest]
    en = " or ".join(writes)
    assert found.message("en") == f"A whole number is needed here, not {value}: write {en}."
    sv = " eller ".join(writes)
    assert found.message("sv") == f"Här behövs ett heltal, inte {value}: skriv {sv}."


@pytest.mark.parametrize(
    ("value", "code", "said"),
    [
        ("3,5", "contract.not_whole_as_text",
         '"3,5" is text, not a number, and a whole number is needed here: '
         "write term_periods = 3 or term_periods = 4."),
        ("1,500", "contract.number_as_text",  # 1.5 is no reading for a whole number
         '"1,500" is text, not a number: write the number itself, without quotes: '
         "term_periods = 1_500."),
        ("1,000", "contract.number_as_text_ambiguous", None),  # 1000 or 1: both whole
    ],
)  # fmt: skip
def test_a_number_written_as_text_in_a_whole_number_field_is_offered_only_whole_numbers(
    value: str, code: str, said: str | None
) -> None:
    [found] = _problems("toml", _set("term_periods", value))
    assert found.code == code
    if said is not None:
        assert found.message("en") == said
    if code == "contract.not_whole_as_text":
        assert found.message("sv") == (
            '"3,5" är text, inte ett tal, och här behövs ett heltal: '
            "skriv term_periods = 3 eller term_periods = 4."
        )


def test_infinity_in_a_whole_number_field_is_said_to_be_infinite() -> None:
    [found] = _problems("json", lambda data: data.update(term_periods=float("inf")))
    assert found.code == "contract.not_finite"
