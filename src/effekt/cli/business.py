"""The business case and what it is worth: ``model``, ``settle``, ``solve``, ``value``,
``feasibility``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from effekt.cli.conventions import (
    handled,
    json_option,
    lang_option,
    language,
    load_contract_file,
    settings,
)
from effekt.cli.help import LocalisedCommand
from effekt.cli.output import OutputFile, write_output
from effekt.errors import UsageError
from effekt.i18n import translate

__all__ = ["feasibility", "model", "settle", "solve", "value_cmd"]


@click.command(cls=LocalisedCommand)
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print every account's flow per period as CSV.")
@click.option(
    "--xlsx", "xlsx_path", type=OutputFile(".xlsx"), help="Write an Excel workbook to FILE."
)
@click.option(
    "--scenario",
    "scenario_specs",
    multiple=True,
    help="NAME=PATH=VALUE[,PATH=VALUE…], or NAME of a scenario in the file; repeatable.",
)
@lang_option
@handled
def model(
    file: str,
    as_json: bool,
    as_csv: bool,
    xlsx_path: str | None,
    scenario_specs: tuple[str, ...],
    lang: str | None,
) -> None:
    """The business case: every party's cash flows, NPV, IRR and money multiple. Exit 0, 1, 2."""
    from effekt.services.business_case import business_case_json
    from effekt.services.scenarios import parse_scenario, with_overrides
    from effekt.services.tables import business_case_csv, business_case_text, scenarios_text

    lang = language(lang)
    if as_json and as_csv:  # one printed form: the other would be dropped unsaid
        raise UsageError("model.json_or_csv")
    contract = load_contract_file(file, lang)
    data = business_case_json(contract)
    scenarios: dict[str, dict[str, Any]] = {}
    changes: dict[str, dict[str, Any]] = {}  # each scenario's overrides, for the workbook
    for spec in scenario_specs:
        scenario = parse_scenario(spec, contract)
        if scenario.name in scenarios:  # the second would replace the first unsaid
            raise UsageError("scenario.repeated", name=scenario.name)
        changed = with_overrides(contract, scenario.overrides, scenario.name, scenario.unquoted)
        scenarios[scenario.name] = business_case_json(changed)
        changes[scenario.name] = scenario.overrides
    if xlsx_path:
        from effekt.contract.load import notation
        from effekt.reports.xlsx import business_case_xlsx

        book = business_case_xlsx(contract, data, scenarios, lang, changes, notation(file))
        write_output(xlsx_path, book)
        click.echo(translate("cli.written", lang, path=xlsx_path), err=True)
    if as_json:
        if scenarios:
            data["scenarios"] = scenarios
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(business_case_csv(data), nl=False)
    elif not xlsx_path or scenarios:
        click.echo(business_case_text(contract, data, lang))
        if scenarios:
            click.echo()
            click.echo(scenarios_text(contract, data, scenarios, lang))


@click.command(cls=LocalisedCommand)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--outcomes",
    "outcomes_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Measured outcomes (TOML or CSV; see docs/outcomes.md).",
)
@json_option
@lang_option
@handled
def settle(file: str, outcomes_path: str, as_json: bool, lang: str | None) -> None:
    """Apply the contract's rules to measured outcomes: payments due and every decision. Exit 0, 1, 2."""
    from effekt.contract.outcomes_file import load_outcomes
    from effekt.services.settle import settle_json
    from effekt.services.tables import settle_text

    lang = language(lang)
    contract = load_contract_file(file, lang)
    if not Path(outcomes_path).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=outcomes_path)}", err=True)
        sys.exit(2)
    data = settle_json(contract, load_outcomes(outcomes_path, contract), lang)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(settle_text(contract, data, lang))


@click.command(cls=LocalisedCommand)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--vary", "param", required=True, help="The term to vary, e.g. rules[skolnarvaro].price."
)
@click.option(
    "--target", required=True, help="PARTY.npv|irr|moic|total=VALUE, or totals.NAME=VALUE."
)
@click.option("--low", type=float, default=None, help="Lower end of the search range.")
@click.option("--high", type=float, default=None, help="Upper end of the search range.")
@json_option
@lang_option
@handled
def solve(
    file: str,
    param: str,
    target: str,
    low: float | None,
    high: float | None,
    as_json: bool,
    lang: str | None,
) -> None:
    """Goal seek: the value of one term that meets a target. Exit 0; 1 when no solution in range; 2."""
    from effekt.services.solve import solution_text
    from effekt.services.solve import solve as run_solve

    lang = language(lang)
    contract = load_contract_file(file, lang)
    sol = run_solve(contract, param, target, low, high)
    if as_json:
        click.echo(json.dumps(sol.__dict__, ensure_ascii=False, indent=2))
    else:
        click.echo(solution_text(sol, contract.currency, lang))


@click.command(cls=LocalisedCommand, name="value")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@lang_option
@handled
def value_cmd(file: str, as_json: bool, lang: str | None) -> None:
    """Who pays, who saves: avoided public costs and contract costs by actor and year. Exit 0, 1, 2."""
    from effekt.reports.feasibility_text import value_text
    from effekt.services.value import value_json

    lang = language(lang)
    contract = load_contract_file(file, lang)
    data = value_json(contract, None, lang, settings().unit_cost_dirs())
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(value_text(data, lang))


@click.command(cls=LocalisedCommand)
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@click.option(
    "--html", "html_path", type=OutputFile(".html", ".htm"), help="Write the study as an HTML page."
)
@lang_option
@handled
def feasibility(file: str, as_json: bool, html_path: str | None, lang: str | None) -> None:
    """The feasibility study (förstudie): cost, who saves, power, timing, checklist, verdict. Exit 0, 1, 2."""
    from effekt.reports.feasibility_text import feasibility_html, feasibility_text
    from effekt.services.forstudie import feasibility_json

    lang = language(lang)
    contract = load_contract_file(file, lang)
    data = feasibility_json(contract, None, lang, settings().unit_cost_dirs())
    if html_path:
        write_output(html_path, feasibility_html(data, lang))
        click.echo(translate("cli.written", lang, path=html_path), err=True)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif not html_path:
        click.echo(feasibility_text(data, lang), nl=False)
