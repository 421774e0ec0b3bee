"""The long fuzz run of the contract checker: random and mutated inputs, in process.

    python bench/fuzz_check.py --n 100000 [--seed S] [--workers 2] [--timeout 5]

Every input is parsed with ``effekt.contract.load.parse_text`` and checked with
``check_document``; each problem is rendered in Swedish and English, and a contract that
passes is explained and summarised too (what ``effekt check``, ``explain`` and ``summary``
do). Only effekt's own errors (``EffektError``) are an accepted outcome; any other exception
is a failure, and so is an input that takes longer than ``--timeout`` seconds (a hang).
Each failure is printed and its input saved under ``--out`` (default /tmp/effekt-fuzz).

Input ``i`` is made from ``random.Random(seed * 1_000_003 + i)`` alone, so a run gives the
same inputs however it is split across workers, and one input can be replayed with
``--only I``. Prints figures, not pass/fail; exits 1 when there were failures.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import math
import multiprocessing
import random
import signal
import sys
import time
import tomllib
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import tomli_w
import yaml

from effekt.contract.explain import explain_rules, summary
from effekt.contract.load import check_document, parse_text
from effekt.errors import EffektError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    ROOT / "examples" / f"{name}.toml" for name in ("hemmasittare", "peterborough", "norrkoping")
]
FORMATS = ("toml", "yaml", "json")

# Words the checker looks for, so random structures reach past the first table.
FIELD_WORDS = [
    "format_version", "id", "name", "currency", "start", "period", "term_periods",
    "parties", "role", "payer_share", "cohorts", "start_period", "size", "referral_periods",
    "referral_profile", "metrics", "kind", "expected", "baseline", "counterfactual", "rules",
    "metric", "price", "threshold", "tiers", "from_effect", "applies_to", "net_of", "payers",
    "financing", "tranches", "investor", "guarantees", "fees", "party", "paid_by", "dist",
    "mean", "sd", "low", "mode", "high", "values", "scenarios", "uncertainty", "correlations",
    "between", "valuation", "discounting", "schedule", "from_year", "payment", "indexation",
    "comparison_ratio", "comparison_size", "evidence", "citation", "design", "effect_measure",
    "effect", "ci_low", "ci_high", "finding",
]  # fmt: skip
CHOICES = [
    "rate_card", "threshold", "tiers", "gate", "savings_share", "activity_fee", "beta",
    "normal", "triangular", "uniform", "lognormal", "empirical", "commissioner", "investor",
    "provider", "quarter", "month", "year", "none", "matched_comparison", "fixed", "declining",
    "deal", "SEK", "GBP", "2027-01-01", "", "k1", "kommun", "rules[0].price", "{name}",
    "rct", "pre_post", "odds_ratio", "relative_risk", "standardised_mean_difference", "3:1",
    # the other input files (fuzz_inputs.py): mappings, measured outcomes, portfolios
    "personnummer", "ja", "insats", "all", "cohort1", "reconviction_events", "hemma",
    "back_in_school", "attendance_share", "ephemeral", "categorical", "<=", "in",
]  # fmt: skip
NUMBERS = [
    0, 1, -1, 2, 0.5, -0.5, 1.5, 1e-300, 1e300, -1e300, 2**31, 2**63, -(2**63), 10**30,
    math.inf, -math.inf, math.nan, 0.999999999, 1.000000001, 600, 601,
]  # fmt: skip


class Hang(Exception):
    """An input took longer than the timeout."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang


# --- inputs ----------------------------------------------------------------------------


def _example_data() -> list[dict[str, Any]]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def dump(data: Any, fmt: str) -> str:
    """``data`` written as ``fmt``; TOML needs a table at the top and no nulls."""
    if fmt == "json":
        return json.dumps(_jsonable(data), ensure_ascii=False, indent=1)
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if not isinstance(data, dict):
        data = {"value": data}
    return tomli_w.dumps(_no_nulls(data))


def _no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value if v is not None]
    return value


def random_scalar(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.3:
        return rng.choice(NUMBERS)
    if r < 0.45:
        return rng.randint(-1000, 1000)
    if r < 0.55:
        return rng.uniform(-2, 2)
    if r < 0.75:
        return rng.choice(CHOICES + FIELD_WORDS)
    if r < 0.8:
        return rng.choice([True, False, None])
    if r < 0.85:
        return dt.date(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28))
    return "".join(chr(rng.randint(1, 0x2FF)) for _ in range(rng.randint(0, 12)))


def random_value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 5 or r < 0.5:
        return random_scalar(rng)
    if r < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(FIELD_WORDS): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


def mutate_data(data: Any, rng: random.Random) -> Any:
    """Change one to four places of a copy of ``data``: set, delete, duplicate or retype."""
    data = json.loads(json.dumps(_jsonable(data)))
    for _ in range(rng.randint(1, 4)):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return data
        path = rng.choice(paths)
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = rng.random()
        if op < 0.25:
            del parent[key]
        elif op < 0.6:
            parent[key] = random_scalar(rng)
        elif op < 0.75:
            parent[key] = random_value(rng)
        elif op < 0.85 and isinstance(parent, list):
            parent.insert(rng.randint(0, len(parent)), copy.deepcopy(parent[key]))
        elif isinstance(parent[key], int | float) and not isinstance(parent[key], bool):
            parent[key] = parent[key] * rng.choice([-1, 0, 0.5, 2, 10, 1e6]) + rng.choice([0, 1])
        else:
            parent[key] = rng.choice(CHOICES)
    return data


def mutate_text(text: str, rng: random.Random) -> str:
    """Edit the text: delete, swap or duplicate lines, truncate, insert bytes, flip chars."""
    for _ in range(rng.randint(1, 3)):
        lines = text.splitlines(keepends=True)
        op = rng.randrange(7)
        if op == 0 and lines:
            del lines[rng.randrange(len(lines))]
        elif op == 1 and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 2 and lines:
            i = rng.randrange(len(lines))
            n = rng.randint(1, 12)
            lines[i:i] = lines[i : i + n]
        elif op == 3:
            return text[: rng.randrange(len(text) + 1)]
        elif op == 4:
            i = rng.randrange(len(text) + 1)
            junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            text = text[:i] + junk.decode("utf-8", "replace") + text[i:]
            continue
        elif op == 5 and text:
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice("[]{}=\"',.:-#\n 0123456789") + text[i + 1 :]
            continue
        elif op == 6 and text:
            i = rng.randrange(len(text))
            text = text[:i] + text[i + 1 :]
            continue
        text = "".join(lines)
    return text


def make_input(i: int, seed: int, examples: list[dict[str, Any]]) -> tuple[str, str, str]:
    """Input ``i``: (kind, format, text)."""
    rng = random.Random(seed * 1_000_003 + i)
    fmt = rng.choice(FORMATS)
    r = rng.random()
    if r < 0.05:
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
        return "random_bytes", fmt, raw.decode("utf-8", "replace")
    if r < 0.15:
        return "random_structure", fmt, dump(random_value(rng), fmt)
    example = rng.choice(examples)
    if r < 0.55:
        return "mutated_data", fmt, dump(mutate_data(example, rng), fmt)
    if r < 0.95:
        return "mutated_text", fmt, mutate_text(dump(example, fmt), rng)
    return "mutated_both", fmt, mutate_text(dump(mutate_data(example, rng), fmt), rng)


# --- running ---------------------------------------------------------------------------


def check_one(text: str, fmt: str) -> str:
    """What ``effekt check`` (and explain/summary on success) do: the outcome's name."""
    try:
        doc = parse_text(text, fmt, file=f"fuzz.{fmt}")
        contract, problems = check_document(doc)
        for p in problems:
            p.message("sv")
            p.message("en")
            p.as_json("sv")
        if contract is None:
            return "invalid"
        for lang in ("sv", "en"):
            explain_rules(contract, lang)
            summary(contract, lang)
        return "valid"
    except EffektError:
        return "refused"


def _run_range(args: tuple[int, int, int, float, str]) -> tuple[Counter[str], list[str]]:
    start, stop, seed, timeout, out = args
    signal.signal(signal.SIGALRM, _on_alarm)
    examples = _example_data()
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for i in range(start, stop):
        try:
            kind, fmt, text = make_input(i, seed, examples)
        except Exception:  # noqa: BLE001 - a writer refused the random data: not our bug
            counts["unwritable"] += 1
            continue
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            outcome = check_one(text, fmt)
        except Hang:
            outcome, detail = "hang", f"took more than {timeout} s"
        except Exception:  # noqa: BLE001 - every other exception is what we hunt for
            outcome, detail = "crash", traceback.format_exc()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        counts[outcome] += 1
        counts[f"{kind}:{outcome}"] += 1
        if outcome in ("hang", "crash"):
            folder = Path(out)
            folder.mkdir(parents=True, exist_ok=True)
            saved = folder / f"{outcome}-{seed}-{i}.{fmt}"
            saved.write_text(text, encoding="utf-8", errors="surrogatepass")
            failures.append(f"input {i} ({kind}, {fmt}) {outcome}, saved {saved}\n{detail}")
    return counts, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of inputs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per input")
    parser.add_argument("--out", default="/tmp/effekt-fuzz", help="folder for failing inputs")
    parser.add_argument("--only", type=int, default=None, help="replay input I alone")
    opts = parser.parse_args(argv)

    if opts.only is not None:
        ranges = [(opts.only, opts.only + 1, opts.seed, opts.timeout, opts.out)]
    else:
        chunk = max(1, min(2_000, opts.n // (opts.workers * 4) or 1))
        ranges = [
            (a, min(a + chunk, opts.n), opts.seed, opts.timeout, opts.out)
            for a in range(0, opts.n, chunk)
        ]
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    failures: list[str] = []
    runner: Callable[[Any], Iterator[tuple[Counter[str], list[str]]]]
    if opts.workers > 1 and len(ranges) > 1:
        with multiprocessing.get_context("fork").Pool(opts.workers) as pool:
            runner = pool.imap_unordered
            for done, (c, f) in enumerate(runner(_run_range, ranges), 1):
                counts += c
                failures += f
                print(f"\r{done}/{len(ranges)} chunks", end="", file=sys.stderr, flush=True)
    else:
        for r in ranges:
            c, f = _run_range(r)
            counts += c
            failures += f
    print(file=sys.stderr)
    seconds = time.perf_counter() - started
    total = sum(v for k, v in counts.items() if ":" not in k)
    print(f"inputs        {total}")
    print(f"seconds       {seconds:.1f}")
    print(f"inputs/s      {total / seconds:.0f}")
    print(f"workers       {opts.workers}, seed {opts.seed}, timeout {opts.timeout} s")
    print(
        "outcomes      " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if ":" not in k)
    )
    print("by input kind:")
    for k, v in sorted(counts.items()):
        if ":" in k:
            print(f"  {k:32} {v}")
    print(f"failures      {len(failures)}")
    for f in failures[:20]:
        print("-" * 72)
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
