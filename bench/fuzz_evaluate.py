"""The fuzz run of ``effekt evaluate``: corrupted copies of the example's participant data.

    python bench/fuzz_evaluate.py --n 2000 [--seed S] [--out DIR]

Each input is a copy of ``examples/data/hemmasittare_participants.csv`` (synthetic data)
with one kind of damage: junk in random cells, rows dropped or repeated, a column dropped
or made constant, rows cut short. It is evaluated as ``effekt evaluate`` evaluates it
(the example's contract and mapping, text and JSON, Swedish and English). An answer (exit
0) or a clear message (exit 1, or 2 for a refused setting) is an accepted outcome; exit 3
(effekt's internal error) or a traceback is a failure, printed and saved under ``--out``.

Input ``i`` is made from ``random.Random(seed * 1_000_003 + i)`` alone, so one input can
be replayed with ``--only I``. Prints figures, not pass/fail; exits 1 when there were
failures.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

from click.testing import CliRunner, Result

from effekt.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "data" / "hemmasittare_participants.csv"
CONTRACT = [
    "--contract", str(ROOT / "examples" / "hemmasittare.toml"),
    "--mapping", str(ROOT / "examples" / "hemmasittare.mapping.toml"),
    "--metric", "back_in_school",
]  # fmt: skip
JUNK = [
    "", " ", "NA", "nan", "-1", "0", "1", "1e309", "-1e309", "abc", "ja", "nej", '"', "1,5",
    "∞", "2027-13-45", "2028-01-01", "1900-01-01", "19990101-0000", "insats", "k9", "x" * 300,
]  # fmt: skip
DAMAGE = ("cells", "drop_rows", "drop_column", "repeat_rows", "cut_rows", "constant_column")


def damaged(rng: random.Random, header: str, rows: list[str]) -> tuple[str, str, list[str]]:
    """One kind of damage to the table: (its name, the header, the rows)."""
    kind = rng.choice(DAMAGE)
    rows = list(rows)
    columns = header.split(",")
    k = rng.randrange(len(columns))
    if kind == "cells":
        for _ in range(rng.randrange(1, 40)):
            j = rng.randrange(len(rows))
            cells = rows[j].split(",")
            cells[rng.randrange(len(cells))] = rng.choice(JUNK)
            rows[j] = ",".join(cells)
    elif kind == "drop_rows":
        rows = rng.sample(rows, rng.randrange(0, min(len(rows), 30)))
    elif kind == "drop_column":
        header = ",".join(c for i, c in enumerate(columns) if i != k)
        rows = [",".join(c for i, c in enumerate(r.split(",")) if i != k) for r in rows]
    elif kind == "repeat_rows":
        rows += rng.sample(rows, min(len(rows), rng.randrange(1, 40)))
    elif kind == "cut_rows":
        rows = [r[: rng.randrange(len(r) + 1)] if rng.random() < 0.1 else r for r in rows]
    else:
        value = rng.choice(JUNK)
        rows = [",".join(value if i == k else c for i, c in enumerate(r.split(","))) for r in rows]
    return kind, header, rows


def fuzz_arguments(doc: str, n: int, out: str) -> argparse.Namespace:
    """The options every CLI fuzz run takes: --n, --seed, --only, --out. It also sets an
    ephemeral pseudonym key, as for a trial run."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--n", type=int, default=n, help="inputs to try")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", type=int, default=None, help="replay input I alone")
    parser.add_argument("--out", type=Path, default=Path(out))
    args = parser.parse_args()
    os.environ["EFFEKT_PSEUDONYM_KEY"] = ""
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def failed(result: Result, what: str) -> bool:
    """Whether a run ended in effekt's internal error or a traceback (printed if so)."""
    if result.exit_code in (0, 1, 2) and "Traceback" not in result.output:
        return False
    print(f"FAILURE {what}: exit {result.exit_code}")
    print(result.output[-1500:])
    return True


def summary(
    inputs: int, seconds: float, counts: dict[str, Counter[str]], failures: int, out: Path
) -> int:
    """Print the run's figures; the exit status (1 when there were failures)."""
    print(f"inputs: {inputs} in {seconds:.1f} s ({inputs / seconds:.1f} per second)")
    for label, counter in counts.items():
        print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    print(f"failures: {failures} (inputs kept in {out})")
    return 1 if failures else 0


def main() -> int:
    args = fuzz_arguments(__doc__, 500, "/tmp/effekt-fuzz-evaluate")
    lines = DATA.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    header, *rows = [line for line in lines if not line.startswith("#")]
    runner = CliRunner()
    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    failures = 0
    start = time.perf_counter()
    todo = [args.only] if args.only is not None else range(args.n)
    for i in todo:
        rng = random.Random(args.seed * 1_000_003 + i)
        kind, head, body = damaged(rng, header, rows)
        kinds[kind] += 1
        path = args.out / f"input-{args.seed}-{i}.csv"
        path.write_text("\n".join([*comments, head, *body]) + "\n", encoding="utf-8")
        for extra in (["--json"], ["--lang", "sv"], ["--lang", "en"]):
            result = runner.invoke(cli, ["evaluate", str(path), *CONTRACT, *extra])
            outcomes[f"exit {result.exit_code}"] += 1
            if failed(result, f"input {i} ({kind}) {extra}"):
                failures += 1
                break
        else:
            path.unlink()
    seconds = time.perf_counter() - start
    return summary(len(todo), seconds, {"damage": kinds, "runs": outcomes}, failures, args.out)


if __name__ == "__main__":
    sys.exit(main())
