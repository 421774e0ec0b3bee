"""The ``effekt`` command line: a thin shell over the library.

Exit codes (every command): 0 success; 1 invalid input or findings (a contract with
errors, data that cannot be used, no solution); 2 usage error (wrong options, a file
that does not exist); 3 an internal error (a bug: please report it). No command ever
prints a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import click

from effekt.contract.diff import diff_data
from effekt.contract.explain import explain_rules, summary
from effekt.contract.load import check_document, read_document
from effekt.contract.problems import Problem
from effekt.contract.reference import (
    contract_schema,
    portfolio_schema,
    reference_markdown,
    schema_text,
)
from effekt.errors import ContractInvalid, EffektError
from effekt.i18n import default_language, translate

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])
EXIT_INTERNAL = 3


def lang_option(f: F) -> F:
    """``--lang sv|en``: the language of messages (default: from the environment)."""
    return click.option(
        "--lang",
        type=click.Choice(["sv", "en"]),
        default=None,
        help="Language of messages: sv or en (default: EFFEKT_LANG, then the locale, else en).",
    )(f)


def json_option(f: F) -> F:
    """``--json``: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def _lang(lang: str | None) -> str:
    return lang or default_language()


def handled(f: F) -> F:
    """Run a command; turn effekt's errors into messages and exit codes, never a traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = _lang(kwargs.get("lang"))
        try:
            return f(*args, **kwargs)
        except ContractInvalid as exc:
            _print_problems(exc.problems, lang, stream=sys.stderr)
            click.echo(exc.render(lang), err=True)
            sys.exit(exc.exit_code)
        except EffektError as exc:
            click.echo(f"effekt: {exc.render(lang)}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(translate("cli.interrupted", lang), err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            click.echo(translate("cli.internal", lang, kind=type(exc).__name__), err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def _print_problems(problems: list[Problem], lang: str, stream: Any = None) -> None:
    for p in problems:
        where = p.where()
        sev = translate(f"cli.severity.{p.severity}", lang)
        path = f" {p.path}:" if p.path else ""
        click.echo(f"{where}: {sev}:{path} {p.message(lang)}", file=stream)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="effekt")
def main() -> None:
    """effekt — social outcomes contracts (SIBs) from feasibility to settlement."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@lang_option
@handled
def check(file: str, as_json: bool, lang: str | None) -> None:
    """Validate a contract file and report every problem at once.

    Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 on usage errors.
    """
    lang = _lang(lang)
    if not Path(file).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=file)}", err=True)
        sys.exit(2)
    try:
        doc = read_document(file)
    except ContractInvalid as exc:
        problems = list(exc.problems)
    else:
        contract, problems = check_document(doc)
        if contract is not None:
            from effekt.services.design_power import power_warnings
            from effekt.services.evaluation_checks import avoided_events_without_counterfactual

            problems += power_warnings(contract, doc, lang)
            problems += avoided_events_without_counterfactual(contract, doc)
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        click.echo(
            json.dumps(
                {"valid": not errors, "problems": [p.as_json(lang) for p in problems]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _print_problems(problems, lang)
        if errors:
            click.echo(translate("contract.invalid", lang, count=len(errors)))
        else:
            click.echo(
                translate("summary.valid", lang)
                + (
                    f" ({translate('summary.warnings', lang, count=len(problems))})"
                    if problems
                    else ""
                )
            )
    sys.exit(1 if errors else 0)


def _load(file: str, lang: str) -> Any:
    from effekt.contract.load import load_contract

    if not Path(file).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=file)}", err=True)
        sys.exit(2)
    return load_contract(file)


@main.command(name="summary")
@click.argument("file", type=click.Path(dir_okay=False))
@lang_option
@handled
def summary_cmd(file: str, lang: str | None) -> None:
    """Validate a contract and print a readable summary of it. Exit 0, 1 if invalid, 2 usage."""
    lang = _lang(lang)
    contract = _load(file, lang)
    click.echo(summary(contract, lang))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@lang_option
@handled
def explain(file: str, lang: str | None) -> None:
    """Every payment rule as one plain sentence, for the contract annex. Exit 0, 1, 2."""
    lang = _lang(lang)
    contract = _load(file, lang)
    for paragraph in explain_rules(contract, lang):
        click.echo(paragraph)
        click.echo()


@main.command()
@click.option("--portfolio", is_flag=True, help="The schema of a portfolio file instead.")
@click.option("--reference", is_flag=True, help="The Markdown field reference instead.")
@lang_option
@handled
def schema(portfolio: bool, reference: bool, lang: str | None) -> None:
    """Print the JSON Schema of the contract file format. Exit 0."""
    if reference:
        click.echo(reference_markdown(), nl=False)
    else:
        click.echo(schema_text(portfolio_schema() if portfolio else contract_schema()), nl=False)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@lang_option
@handled
def init(file: str | None, force: bool, lang: str | None) -> None:
    """Write a commented contract template to FILE (or print it). Exit 0; 2 if FILE exists."""
    lang = _lang(lang)
    text = (resources.files("effekt.contract") / "templates" / f"template.{lang}.toml").read_text(
        encoding="utf-8"
    )
    if file is None:
        click.echo(text, nl=False)
        return
    target = Path(file)
    if target.exists() and not force:
        click.echo(f"effekt: {translate('cli.exists', lang, path=file)}", err=True)
        sys.exit(2)
    target.write_text(text, encoding="utf-8")
    click.echo(translate("cli.written", lang, path=file))


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@json_option
@lang_option
@handled
def diff(old: str, new: str, as_json: bool, lang: str | None) -> None:
    """List what changed between two versions of a contract, term by term.

    Exit 0 when they are the same, 1 when they differ, 2 on usage errors.
    """
    lang = _lang(lang)
    for f in (old, new):
        if not Path(f).exists():
            click.echo(f"effekt: {translate('file.not_found', lang, path=f)}", err=True)
            sys.exit(2)
    a, b = read_document(old).data, read_document(new).data
    changes = diff_data(a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {})
    if as_json:
        click.echo(
            json.dumps([c.__dict__ for c in changes], ensure_ascii=False, indent=2, default=str)
        )
    else:
        for c in changes:
            if c.kind == "changed":
                click.echo(
                    translate("diff.changed", lang, path=c.path, old=_show(c.old), new=_show(c.new))
                )
            else:
                click.echo(
                    translate(
                        f"diff.{c.kind}",
                        lang,
                        path=c.path,
                        value=_show(c.new if c.kind == "added" else c.old),
                    )
                )
        if not changes:
            click.echo(translate("diff.same", lang))
    sys.exit(1 if changes else 0)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "…"


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print every account's flow per period as CSV.")
@click.option(
    "--xlsx", "xlsx_path", type=click.Path(dir_okay=False), help="Write an Excel workbook to PATH."
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

    lang = _lang(lang)
    contract = _load(file, lang)
    data = business_case_json(contract)
    scenarios = {}
    for spec in scenario_specs:
        name, overrides = parse_scenario(spec, contract)
        scenarios[name] = business_case_json(with_overrides(contract, overrides))
    if xlsx_path:
        from effekt.reports.xlsx import write_business_case_xlsx

        write_business_case_xlsx(xlsx_path, data, scenarios, lang)
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


@main.command()
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

    lang = _lang(lang)
    contract = _load(file, lang)
    if not Path(outcomes_path).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=outcomes_path)}", err=True)
        sys.exit(2)
    data = settle_json(contract, load_outcomes(outcomes_path), lang)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(settle_text(contract, data, lang))


@main.command()
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
    from effekt.services.solve import solve as run_solve

    lang = _lang(lang)
    contract = _load(file, lang)
    sol = run_solve(contract, param, target, low, high)
    if as_json:
        click.echo(json.dumps(sol.__dict__, ensure_ascii=False, indent=2))
    else:
        click.echo(
            translate(
                "solve.result",
                lang,
                param=sol.param,
                value=f"{sol.value:,.6g}",
                target=sol.target,
                achieved=f"{sol.achieved:.6g}",
                evaluations=sol.evaluations,
            )
        )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--paths",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Number of simulated paths.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Root seed: the same seed gives the same results.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local worker processes (or the size of --dask local).",
)
@click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="ADDRESS|local",
    help="Run on the Dask scheduler at ADDRESS, or on a local cluster.",
)
@click.option(
    "--person-level/--no-person-level",
    default=None,
    help="Draw each participant's outcome (default: the contract's uncertainty.person_level).",
)
@click.option(
    "--engine",
    type=click.Choice(["compiled", "numpy"]),
    default="compiled",
    show_default=True,
    help="The compiled engine, or the NumPy reference engine (same draws, same flows).",
)
@json_option
@lang_option
@handled
def simulate(
    file: str,
    paths: int,
    seed: int,
    workers: int,
    dask_address: str | None,
    person_level: bool | None,
    engine: str,
    as_json: bool,
    lang: str | None,
) -> None:
    """Risk under uncertainty: every party's NPV, IRR and multiple over simulated paths.

    FILE is a contract or a portfolio (kind = "portfolio"). The same --seed gives the
    same results whatever --workers or --dask. Exit 0, 1 (invalid input), 2 (usage).
    """
    from effekt.services.simulate import load_target, simulate_json
    from effekt.services.simulate import simulate as run
    from effekt.services.simulate_text import simulate_text

    lang = _lang(lang)
    if not Path(file).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=file)}", err=True)
        sys.exit(2)
    target = load_target(file)
    options: dict[str, Any] = {
        "workers": workers,
        "dask": dask_address,
        "person_level": person_level,
        "engine": engine,
    }
    if sys.stdout.isatty() and sys.stderr.isatty():
        with click.progressbar(length=paths, file=sys.stderr, show_eta=True) as bar:
            res = run(target, paths, seed, progress=bar.update, **options)
    else:
        res = run(target, paths, seed, **options)
    data = simulate_json(target, res, seed, person_level)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(simulate_text(data, lang))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "output",
    default=None,
    metavar="PARTY.KIND",
    help="The result to explain: PARTY.npv, .irr, .moic or .total (default: the main investor's NPV).",
)
@click.option(
    "--paths",
    type=click.IntRange(min=16),
    default=2000,
    show_default=True,
    help="Base paths for the variance-based indices.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed for the variance-based indices.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the tornado and the indices as an SVG chart to this file.",
)
@json_option
@lang_option
@handled
def sensitivity(
    file: str,
    output: str | None,
    paths: int,
    seed: int,
    chart: str | None,
    as_json: bool,
    lang: str | None,
) -> None:
    """Which uncertain inputs drive a result: a tornado and variance-based indices. Exit 0, 1, 2."""
    from effekt.services.sensitivity import sensitivity as run
    from effekt.services.sensitivity import sensitivity_svg
    from effekt.services.simulate_text import sensitivity_text

    lang = _lang(lang)
    contract = _load(file, lang)
    data = run(contract, output, base_paths=paths, seed=seed)
    if chart:
        Path(chart).write_text(sensitivity_svg(data), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(sensitivity_text(data, lang))
        if chart:
            click.echo(translate("sensitivity.chart_written", lang, path=chart))


@main.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option(
    "--contract",
    "contract_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="The contract whose metric is evaluated and settled.",
)
@click.option("--metric", default=None, help="The contract metric to evaluate.")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="The mapping file: columns → roles, identifier and key (docs/evaluation.md).",
)
@click.option("--treatment", default=None, help="Treatment column (1 = treated, 0 = comparison).")
@click.option("--outcome", default=None, help="Outcome column.")
@click.option(
    "--covariates",
    default=None,
    help="Covariates for matching, comma-separated; I(x^2) adds a square.",
)
@click.option(
    "--method",
    type=click.Choice(["baseline", "rct", "psm", "did"]),
    default=None,
    help="The design (default: from the metric's counterfactual).",
)
@click.option(
    "--ratio",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Controls per treated unit (psm).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Match with replacement (R Matching's Match(); Abadie–Imbens SE).",
)
@click.option(
    "--caliper",
    type=click.FloatRange(min=0),
    default=None,
    help="Caliper in standard deviations of the propensity score.",
)
@click.option(
    "--distance-tolerance",
    type=click.FloatRange(min=0),
    default=None,
    help="Ties within this squared standardised distance (--replace; default min(1e-5, 1/n_controls²)).",
)
@click.option("--period", default=None, help="Period column for difference-in-differences.")
@click.option("--cohort", default=None, help="Cohort column.")
@click.option(
    "--outcome-kind",
    type=click.Choice(["binary", "count", "continuous"]),
    default=None,
    help="The outcome's kind (default: from the metric, else binary if 0/1).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed, recorded in the plan.",
)
@click.option(
    "--plan-sha256",
    "plan_sha256",
    default=None,
    help="Refuse to run unless the analysis plan has this registered hash.",
)
@click.option(
    "--plan-only", is_flag=True, help="Print the analysis plan and its hash; read no data."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the verified outcome report: .html (default) or .json.",
)
@json_option
@lang_option
@handled
def evaluate(
    data: str,
    contract_path: str | None,
    metric: str | None,
    mapping_path: str | None,
    treatment: str | None,
    outcome: str | None,
    covariates: str | None,
    method: str | None,
    ratio: int,
    replace: bool,
    caliper: float | None,
    distance_tolerance: float | None,
    period: str | None,
    cohort: str | None,
    outcome_kind: str | None,
    seed: int,
    plan_sha256: str | None,
    plan_only: bool,
    report_path: str | None,
    as_json: bool,
    lang: str | None,
) -> None:
    """Estimate an effect against a counterfactual; with a contract, the payments due.

    Exit 0; 1 when the data cannot be used (each bad row is listed by number); 2 on usage
    errors. Identifiers are pseudonymised at import and never shown.
    """
    from effekt.evaluation_io.importer import ImportRejected
    from effekt.evaluation_io.mapping import load_mapping
    from effekt.reports.outcome_report import render_html, render_text, report_json
    from effekt.services.evaluate import evaluate as run_evaluation
    from effekt.services.evaluate import make_plan

    lang = _lang(lang)
    contract = _load(contract_path, lang) if contract_path else None
    for f in (data, mapping_path):
        if f is not None and not Path(f).exists():
            click.echo(f"effekt: {translate('file.not_found', lang, path=f)}", err=True)
            sys.exit(2)
    mapping = load_mapping(mapping_path) if mapping_path else None
    plan = make_plan(
        contract=contract,
        contract_path=contract_path,
        metric=metric,
        mapping=mapping,
        mapping_path=mapping_path,
        treatment=treatment,
        outcome=outcome,
        covariates=covariates,
        method=method,
        ratio=ratio,
        replace=replace,
        caliper=caliper,
        distance_tolerance=distance_tolerance,
        seed=seed,
        outcome_kind=outcome_kind,
        cohort=cohort,
        period=period,
    )
    if plan_only:
        click.echo(
            json.dumps(
                {"plan": plan.as_json(), "plan_sha256": plan.sha256()}, ensure_ascii=False, indent=2
            )
        )
        return
    try:
        result = run_evaluation(
            data,
            plan,
            contract=contract,
            mapping=mapping,
            lang=lang,
            expected_plan_sha256=plan_sha256,
        )
    except ImportRejected as exc:
        for p in exc.problems:
            message = translate(p.code, lang)
            click.echo(
                translate("import.row_problem", lang, row=p.row, column=p.column, message=message),
                err=True,
            )
        click.echo(f"effekt: {exc.render(lang)}", err=True)
        sys.exit(1)
    if report_path:
        body = (
            report_json(result)
            if report_path.lower().endswith(".json")
            else render_html(result, lang)
        )
        Path(report_path).write_text(body, encoding="utf-8")
        click.echo(translate("evaluate.report_written", lang, path=report_path), err=True)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=_json_default))
    else:
        click.echo(render_text(result, lang), nl=False)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


@main.command(name="value")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@lang_option
@handled
def value_cmd(file: str, as_json: bool, lang: str | None) -> None:
    """Who pays, who saves: avoided public costs and contract costs by actor and year. Exit 0, 1, 2."""
    from effekt.reports.feasibility_text import value_text
    from effekt.services.value import value_json

    lang = _lang(lang)
    contract = _load(file, lang)
    data = value_json(contract, Path(file).parent, lang)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(value_text(data, lang))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False), help="Write the study as an HTML page."
)
@lang_option
@handled
def feasibility(file: str, as_json: bool, html_path: str | None, lang: str | None) -> None:
    """The feasibility study (förstudie): cost, who saves, power, timing, checklist, verdict. Exit 0, 1, 2."""
    from effekt.reports.feasibility_text import feasibility_html, feasibility_text
    from effekt.services.forstudie import feasibility_json

    lang = _lang(lang)
    contract = _load(file, lang)
    data = feasibility_json(contract, Path(file).parent, lang)
    if html_path:
        Path(html_path).write_text(feasibility_html(data, lang), encoding="utf-8")
        click.echo(translate("cli.written", lang, path=html_path), err=True)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif not html_path:
        click.echo(feasibility_text(data, lang), nl=False)
