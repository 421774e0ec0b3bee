"""Mutated contract files get effekt's own verdict (exit 0 or 1), never an internal error.

Hypothesis takes each example in TOML, YAML or JSON and mutates it — deletes a key, sets a
value to another type, number or text, duplicates a table, truncates the text, inserts
random bytes or swaps lines — then runs ``effekt check`` on the file through the CLI.
The long run over 100,000 inputs is ``python bench/fuzz_check.py --n 100000``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from effekt.cli import main

EXAMPLES = [
    Path(__file__).resolve().parents[2] / "examples" / f"{name}.toml"
    for name in ("hemmasittare", "peterborough", "norrkoping")
]
DATA = [tomllib.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]
FORMATS = ["toml", "yaml", "json"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["beta", "rate_card", "commissioner", "k1", "quarter", "{name}", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [no_nulls(v) for v in value if v is not None]
    return value


def write(data: Any, fmt: str) -> str:
    if fmt == "toml":
        return tomli_w.dumps(no_nulls(data))
    if fmt == "yaml":
        return yaml.safe_dump(iso(data), allow_unicode=True, sort_keys=False)
    return json.dumps(iso(data), ensure_ascii=False, indent=1)


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += places(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += places(v, path + (i,))
    return out


@st.composite
def mutated_data(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """Delete a key, change a value, or duplicate a table of ``data`` (one to three times)."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(places(data)))
        parent: Any = data
        for key in where[:-1]:
            parent = parent[key]
        key = where[-1]
        op = draw(st.sampled_from(["delete", "value", "duplicate"]))
        if op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        else:
            parent[key] = draw(values)
    return data


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """Truncate, insert random bytes, swap two lines or duplicate a run of lines."""
    op = draw(st.sampled_from(["truncate", "bytes", "swap", "duplicate"]))
    lines = text.splitlines(keepends=True)
    if op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if op == "bytes":
        at = draw(st.integers(0, len(text)))
        junk = draw(st.binary(min_size=1, max_size=12)).decode("utf-8", "replace")
        return text[:at] + junk + text[at:]
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    if op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines[i:i] = lines[i : j + 1]
    return "".join(lines)


@st.composite
def mutated_files(draw: st.DrawFn) -> tuple[str, str]:
    data = draw(st.sampled_from(DATA))
    fmt = draw(st.sampled_from(FORMATS))
    kind = draw(st.sampled_from(["data", "text", "both"]))
    if kind != "text":
        data = draw(mutated_data(data))
    try:
        text = write(data, fmt)
    except (TypeError, ValueError):  # e.g. TOML cannot write a mixed array of tables
        text = write(draw(st.sampled_from(DATA)), fmt)
    if kind != "data":
        text = draw(mutated_text(text))
    return fmt, text


@settings(
    max_examples=200,
    deadline=5_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated_files(), st.sampled_from(["sv", "en"]))
def test_mutated_file_gets_a_verdict_never_an_internal_error(
    tmp_path: Path, file: tuple[str, str], lang: str
) -> None:
    fmt, text = file
    path = tmp_path / f"mutant.{fmt}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(main, ["check", str(path), "--json", "--lang", lang])

    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    has_errors = any(p["severity"] == "error" for p in report["problems"])
    assert report["valid"] is not has_errors
    assert result.exit_code == (1 if has_errors else 0)
