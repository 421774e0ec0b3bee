"""The fuzz run of effekt's other input files: mappings, measured outcomes and portfolios.

    python bench/fuzz_inputs.py --n 2000 [--seed S] [--out DIR]

Each input is one of the example files — the evaluation mapping
(``examples/hemmasittare.mapping.toml``), the measured outcomes
(``examples/peterborough.outcomes.toml``) or a portfolio of two example contracts — with
the contract fuzz run's structural changes (``fuzz_check.mutate_data``: keys removed,
values replaced by numbers, words, dates, lists or tables, entries repeated, numbers
scaled). It is run through the command
that reads it (``evaluate``, ``settle``, ``simulate``) in Swedish or English. An answer
(exit 0) or a clear message (exit 1, or 2 for a refused setting) is an accepted outcome;
exit 3 (effekt's internal error) or a traceback is a failure, printed and kept under
``--out``. (The contract checker has its own run, ``bench/fuzz_check.py``, and the
participant data ``bench/fuzz_evaluate.py``.)

Input ``i`` is made from ``random.Random(seed * 1_000_003 + i)`` alone; ``--only I``
replays one. Prints figures, not pass/fail; exits 1 when there were failures.
"""

from __future__ import annotations

import random
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fuzz_check import dump, mutate_data
from fuzz_evaluate import failed, fuzz_arguments, summary

from effekt.cli import main as cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PORTFOLIO: dict[str, Any] = {
    "format_version": 1,
    "kind": "portfolio",
    "id": "fonden",
    "contracts": [
        {"path": str(EXAMPLES / "hemmasittare.toml"), "id": "hemma"},
        {"path": str(EXAMPLES / "norrkoping.toml"), "id": "norr", "weight": 0.5},
    ],
    "shocks": [{"id": "arbetsmarknad", "loadings": {"hemma:success": 0.5}}],
}


def _targets() -> dict[str, tuple[dict[str, Any], Callable[[str], list[str]]]]:
    def read(name: str) -> dict[str, Any]:
        with open(EXAMPLES / name, "rb") as f:
            return tomllib.load(f)

    return {
        "mapping": (
            read("hemmasittare.mapping.toml"),
            lambda p: [
                "evaluate",
                str(EXAMPLES / "data" / "hemmasittare_participants.csv"),
                "--contract",
                str(EXAMPLES / "hemmasittare.toml"),
                "--mapping",
                p,
                "--metric",
                "back_in_school",
            ],  # fmt: skip
        ),
        "outcomes": (
            read("peterborough.outcomes.toml"),
            lambda p: ["settle", str(EXAMPLES / "peterborough.toml"), "--outcomes", p],
        ),
        "portfolio": (PORTFOLIO, lambda p: ["simulate", p, "--paths", "200", "--json"]),
    }


def main() -> int:
    args = fuzz_arguments(__doc__, 1000, "/tmp/effekt-fuzz-inputs")
    targets = _targets()
    runner = CliRunner()
    outcomes: Counter[str] = Counter()
    failures = 0
    start = time.perf_counter()
    todo = [args.only] if args.only is not None else range(args.n)
    for i in todo:
        rng = random.Random(args.seed * 1_000_003 + i)
        kind = rng.choice(sorted(targets))
        data, command = targets[kind]
        path = args.out / f"{kind}-{args.seed}-{i}.toml"
        path.write_text(dump(mutate_data(data, rng), "toml"), encoding="utf-8")
        lang = rng.choice(["sv", "en"])
        result = runner.invoke(cli, [*command(str(path)), "--lang", lang])
        outcomes[f"{kind} exit {result.exit_code}"] += 1
        if failed(result, f"input {i} ({kind}, {lang})"):
            failures += 1
        else:
            path.unlink()
    return summary(len(todo), time.perf_counter() - start, {"runs": outcomes}, failures, args.out)


if __name__ == "__main__":
    sys.exit(main())
