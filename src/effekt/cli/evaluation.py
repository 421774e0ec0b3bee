"""Outcomes measured against a counterfactual: ``evaluate``."""

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
)
from effekt.cli.help import LocalisedCommand
from effekt.cli.output import OutputFile, write_output
from effekt.errors import UsageError
from effekt.i18n import translate

__all__ = ["evaluate"]


@click.command(cls=LocalisedCommand)
@click.argument("data", type=click.Path(dir_okay=False), required=False)
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
    type=OutputFile(".html", ".htm", ".json"),
    default=None,
    help="Write the verified outcome report: .html (default) or .json.",
)
@json_option
@lang_option
@handled
def evaluate(
    data: str | None,
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
    from effekt.reports.outcome_data import report_json
    from effekt.reports.outcome_report import render_html, render_text
    from effekt.services.evaluate import evaluate as run_evaluation
    from effekt.services.evaluate import make_plan

    lang = language(lang)
    if data is None and not plan_only:  # the plan is registered before the data arrives
        raise UsageError("evaluate.data_required")
    contract = load_contract_file(contract_path, lang) if contract_path else None
    for f in (None if plan_only else data, mapping_path):
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
        if as_json:
            out = {"plan": plan.as_json(), "plan_sha256": plan.sha256()}
            click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            from effekt.reports.plan_text import plan_text

            click.echo(plan_text(plan.as_json(), plan.sha256(), lang))
        return
    assert data is not None  # refused above unless --plan-only
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
        if as_json:  # docs/cli.md: asked for JSON, the problems are JSON too
            _row_problems_json(exc, data, lang)
        else:
            _print_row_problems(exc, lang)
        sys.exit(1)
    if report_path:
        body = (
            report_json(result)
            if report_path.lower().endswith(".json")
            else render_html(result, lang)
        )
        write_output(report_path, body)
        click.echo(translate("evaluate.report_written", lang, path=report_path), err=True)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=_json_default))
    else:
        click.echo(render_text(result, lang), nl=False)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


#: Rows listed for one kind of problem in one column; the rest are counted.
ROWS_SHOWN = 20


def _row_problems_json(exc: Any, path: str, lang: str) -> None:
    """Every bad row as a problem of the data file: its number and column, never its value."""
    problems = [
        {
            "file": path,
            "row": p.row,
            "column": p.column,
            "severity": "error",
            "code": p.code,
            "message": translate(p.code, lang),
        }
        for p in exc.problems
    ]
    # the text's summary says the rows are "listed above": here they are in problems
    code = "import.rejected_one_json" if len(problems) == 1 else "import.rejected_json"
    summary = translate(code, lang, **exc.params)
    shown = {"valid": False, "summary": summary, "problems": problems}
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


def _print_row_problems(exc: Any, lang: str) -> None:
    """Each bad row by number (never its value); past ROWS_SHOWN of one problem in one
    column — a whole column in the wrong form, say — the rest are counted, not listed."""
    shown: dict[tuple[str, str], int] = {}
    for p in exc.problems:
        key = (p.column, p.code)
        shown[key] = shown.get(key, 0) + 1
        if shown[key] > ROWS_SHOWN:
            continue
        message = translate(p.code, lang)
        line = translate("import.row_problem", lang, row=p.row, column=p.column, message=message)
        click.echo(line, err=True)
    for (column, _), n in shown.items():
        if n > ROWS_SHOWN:
            more = translate("import.more_rows", lang, column=column, count=n - ROWS_SHOWN)
            click.echo(more, err=True)
    click.echo(f"effekt: {exc.render(lang)}", err=True)
