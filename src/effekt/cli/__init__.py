"""The ``effekt`` command line: a thin shell over the library.

Exit codes (every command): 0 success; 1 invalid input or findings (a contract with
errors, data that cannot be used, no solution); 2 usage error (wrong options, a file
that does not exist); 3 an internal error (a bug: please report it). No command ever
prints a traceback.

The commands live by group: ``contract`` (check, summary, explain, schema, init, diff),
``business`` (model, settle, solve, value, feasibility), ``risk`` (simulate,
sensitivity), ``evaluation`` (evaluate); what they share is in ``conventions``, and
click's usage errors are said in the user's language by ``usage``.
"""

from __future__ import annotations

import click

from effekt.cli.business import feasibility, model, settle, solve, value_cmd
from effekt.cli.contract import check, diff, explain, init, schema, summary_cmd
from effekt.cli.conventions import handled, lang_option, settings
from effekt.cli.evaluation import evaluate
from effekt.cli.risk import sensitivity, simulate
from effekt.cli.usage import LocalisedGroup

__all__ = ["main"]


@click.group(
    name="effekt", cls=LocalisedGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="effekt")
@lang_option
@handled
def main(lang: str | None) -> None:
    """effekt — social outcomes contracts (SIBs) from feasibility to settlement.

    --lang before the command (effekt --lang sv check FILE) applies to it, unless the
    command is given its own."""
    settings()  # read and checked once, before any command: a refused setting is exit 2


for _command in (
    check,
    summary_cmd,
    explain,
    schema,
    init,
    diff,
    model,
    settle,
    solve,
    simulate,
    sensitivity,
    evaluate,
    value_cmd,
    feasibility,
):
    main.add_command(_command)
