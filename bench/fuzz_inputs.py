"""The fuzz run of effekt's other input files: mappings, measured outcomes and portfolios.

    python bench/fuzz_inputs.py --n 2000 [--seed S] [--out DIR]

Each input is one of the example files — the evaluation mapping
(``examples/hemmasittare.mapping.toml``), the measured outcomes
(``examples/peterborough.outcomes.toml``) or a portfolio of two example contracts — with
one to three structural changes: a key removed, a value replaced by a number, a word, a
date, a list or a table, a list entry repeated, a key added. It is run through the command
that reads it (``evaluate``, ``settle``, ``simulate``) in Swedish or English. An answer
(exit 0) or a clear message (exit 1, or 2 for a refused setting) is an accepted outcome;
exit 3 (effekt's internal error) or a traceback is a failure, printed and kept under
``--out``. (The contract checker has its own run, ``bench/fuzz_check.py``, and the
participant data ``bench/fuzz_evaluate.py``.)

Input ``i`` is made from ``random.Random(seed * 1_000_003 + i)`` alone; ``--only I``
replays one. Prints figures, not pass/fail; exits 1 when there were failures.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import random
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import tomli_w
from click.testing import CliRunner

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
SCALARS: list[Any] = [
    0, 1, -1, 0.5, -0.5, 2.5, 1e300, -1e300, 10**20, 1_000_000, True, False, "", "x", "1",
    "NaN", "all", "cohort1", "hemma", "ja", "personnummer", "reconviction_events",
    dt.date(2027, 1, 1), [], {}, [1, 2], {"a": 1},
]  # fmt: skip
NEW_KEYS = ["extra", "n", "value", "weight", "cohort", "metric", "column", "op"]


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


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def mutated(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with one to three structural changes."""
    out = copy.deepcopy(data)
    for _ in range(rng.randrange(1, 4)):
        places = [p for p in _paths(out) if p]
        if not places:
            break
        where = rng.choice(places)
        parent = out
        for k in where[:-1]:
            parent = parent[k]
        key = where[-1]
        r = rng.random()
        if r < 0.3:
            del parent[key]
        elif r < 0.8:
            parent[key] = copy.deepcopy(rng.choice(SCALARS))
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[rng.choice(NEW_KEYS)] = copy.deepcopy(rng.choice(SCALARS))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="inputs to try")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", type=int, default=None, help="replay input I alone")
    parser.add_argument("--out", type=Path, default=Path("/tmp/effekt-fuzz-inputs"))
    args = parser.parse_args()
    os.environ["EFFEKT_PSEUDONYM_KEY"] = ""  # an ephemeral key, as for a trial run
    args.out.mkdir(parents=True, exist_ok=True)
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
        path.write_text(tomli_w.dumps(mutated(rng, data)), encoding="utf-8")
        lang = rng.choice(["sv", "en"])
        result = runner.invoke(cli, [*command(str(path)), "--lang", lang])
        outcomes[f"{kind} exit {result.exit_code}"] += 1
        if result.exit_code not in (0, 1, 2) or "Traceback" in result.output:
            failures += 1
            print(f"FAILURE input {i} ({kind}, {lang}): exit {result.exit_code}")
            print(result.output[-1500:])
        else:
            path.unlink()
    seconds = time.perf_counter() - start
    print(f"inputs: {len(todo)} in {seconds:.1f} s ({len(todo) / seconds:.1f} per second)")
    print("runs: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    print(f"failures: {failures} (inputs kept in {args.out})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
