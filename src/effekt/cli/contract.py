"""The contract file itself: ``check``, ``summary``, ``explain``, ``schema``, ``init``,
``diff``.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import click

from effekt.cli.conventions import (
    handled,
    json_option,
    lang_option,
    language,
    load_contract_file,
    print_problems,
    settings,
)
from effekt.cli.help import LocalisedCommand
from effekt.cli.output import OutputFile, write_output
from effekt.contract.diff import diff_data
from effekt.contract.explain import explain_rules, summary
from effekt.contract.load import is_portfolio, other_kind, read_document
from effekt.contract.reference import (
    contract_schema,
    portfolio_schema,
    reference_markdown,
    schema_text,
)
from effekt.errors import ContractInvalid, InputError
from effekt.i18n import translate

__all__ = ["check", "diff", "explain", "init", "schema", "summary_cmd"]


@click.command(cls=LocalisedCommand)
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@lang_option
@handled
def check(file: str, as_json: bool, lang: str | None) -> None:
    """Validate a contract file and report every problem at once.

    A portfolio file (kind = "portfolio") is checked as a fund, with every contract it
    lists. Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 on usage
    errors.
    """
    from effekt.services.contract_check import check_contract
    from effekt.services.portfolio import check_portfolio

    lang = language(lang)
    if not Path(file).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=file)}", err=True)
        sys.exit(2)
    verdict: tuple[str, str, dict[str, int]] = ("contract.invalid", "summary.valid", {})
    try:
        doc = read_document(file)
    except ContractInvalid as exc:
        problems = list(exc.problems)
    else:
        if is_portfolio(doc):
            fund = check_portfolio(doc, lang)
            problems = fund.problems
            shocks = len(fund.portfolio.shocks) if fund.portfolio else 0
            counts = {"contracts": len(fund.contracts), "shocks": shocks}
            verdict = ("portfolio.invalid", "portfolio.valid", counts)
        else:
            problems = check_contract(doc, lang, settings().unit_cost_dirs())[1]
    errors = [p for p in problems if p.severity == "error"]
    invalid, valid, counts = verdict
    if errors:
        said = translate(invalid, lang, count=len(errors))
    else:
        warnings = f" ({translate('summary.warnings', lang, count=len(problems))})"
        said = translate(valid, lang, **counts) + (warnings if problems else "")
    if as_json:  # what the text says, as other commands' JSON says it (docs/cli.md)
        report = {
            "file": file,
            "valid": not errors,
            "errors": len(errors),
            "warnings": len(problems) - len(errors),
            "summary": said,
            "problems": [{"file": p.file, **p.as_json(lang)} for p in problems],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_problems(problems, lang)
        click.echo(said)
    sys.exit(1 if errors else 0)


@click.command(cls=LocalisedCommand, name="summary")
@click.argument("file", type=click.Path(dir_okay=False))
@lang_option
@handled
def summary_cmd(file: str, lang: str | None) -> None:
    """Validate a contract and print a readable summary of it. Exit 0, 1 if invalid, 2 usage."""
    lang = language(lang)
    contract = load_contract_file(file, lang)
    click.echo(summary(contract, lang))


@click.command(cls=LocalisedCommand)
@click.argument("file", type=click.Path(dir_okay=False))
@lang_option
@handled
def explain(file: str, lang: str | None) -> None:
    """Every payment rule as one plain sentence, for the contract annex. Exit 0, 1, 2."""
    lang = language(lang)
    contract = load_contract_file(file, lang)
    for paragraph in explain_rules(contract, lang):
        click.echo(paragraph)
        click.echo()


@click.command(cls=LocalisedCommand)
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


@click.command(cls=LocalisedCommand)
@click.argument("file", type=OutputFile(".toml"), required=False)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@lang_option
@handled
def init(file: str | None, force: bool, lang: str | None) -> None:
    """Write a commented contract template to FILE (or print it). Exit 0; 2 if FILE exists."""
    lang = language(lang)
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
    write_output(target, text)
    click.echo(translate("cli.written", lang, path=file))


def _not_comparable(exc: InputError) -> InputError:
    """``exc`` (a version diff cannot read, or, with --effect, an invalid one) with exit 2:
    diff's exit 1 says the versions differ, and a script must not read a refusal as that."""
    exc.exit_code = 2
    return exc


@click.command(cls=LocalisedCommand)
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "--effect",
    is_flag=True,
    help="Also show what the change does to the business case, party by party.",
)
@json_option
@lang_option
@handled
def diff(old: str, new: str, effect: bool, as_json: bool, lang: str | None) -> None:
    """List what changed between two versions of a contract, term by term.

    Exit 0 when they are the same, 1 when they differ, 2 when they cannot be compared.
    """
    lang = language(lang)
    for f in (old, new):
        if not Path(f).exists():
            click.echo(f"effekt: {translate('file.not_found', lang, path=f)}", err=True)
            sys.exit(2)
    try:
        a, b = read_document(old).data, read_document(new).data
    except InputError as exc:
        raise _not_comparable(exc) from None
    for f, data in ((old, a), (new, b)):  # a mapping or outcomes file is not a version
        code = other_kind(data) if isinstance(data, dict) else None
        if code is not None:
            click.echo(f"effekt: {f}: {translate(code, lang)}", err=True)
            sys.exit(2)
    funds = [isinstance(data, dict) and data.get("kind") == "portfolio" for data in (a, b)]
    if funds[0] != funds[1]:  # a contract and a fund are not two versions of one file
        fund, contract = (old, new) if funds[0] else (new, old)
        message = translate("diff.portfolio_and_contract", lang, fund=fund, contract=contract)
        click.echo(f"effekt: {message}", err=True)
        sys.exit(2)
    changes = diff_data(a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {})
    found = None
    if effect:
        from effekt.services.amendment import amendment_effect

        try:
            found = amendment_effect(load_contract_file(old, lang), load_contract_file(new, lang))
        except InputError as exc:
            raise _not_comparable(exc) from None
    if as_json:
        listed = [c.__dict__ for c in changes]
        out: Any = listed if found is None else {"changes": listed, "effect": found}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
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
        if found is not None:
            from effekt.services.amendment import amendment_text

            click.echo(amendment_text(found, lang))
    sys.exit(1 if changes else 0)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "…"
