"""Risk under uncertainty: ``simulate`` and ``sensitivity``."""

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
from effekt.i18n import translate

__all__ = ["sensitivity", "simulate"]


@click.command(cls=LocalisedCommand)
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
    default=None,
    help="Local worker processes (or the size of --dask local; default: EFFEKT_WORKERS, else 1).",
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
    workers: int | None,
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

    lang = language(lang)
    if not Path(file).exists():
        click.echo(f"effekt: {translate('file.not_found', lang, path=file)}", err=True)
        sys.exit(2)
    target = load_target(file)
    config = settings()
    if workers is None:  # a cluster at an address has its own workers
        workers = config.workers if dask_address in (None, "local") else 1
    options: dict[str, Any] = {
        "workers": workers,
        "dask": dask_address,
        "person_level": person_level,
        "engine": engine,
        "dask_timeout": config.dask_timeout,
        "unit_cost_dirs": config.unit_cost_dirs(),
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


@click.command(cls=LocalisedCommand)
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
    type=OutputFile(".svg"),
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

    lang = language(lang)
    contract = load_contract_file(file, lang)
    data = run(contract, output, base_paths=paths, seed=seed)
    if chart:
        write_output(chart, sensitivity_svg(data, lang))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(sensitivity_text(data, lang))
        if chart:
            click.echo(translate("sensitivity.chart_written", lang, path=chart))
