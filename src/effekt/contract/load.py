"""Reading contract and portfolio files (TOML, YAML, JSON) into validated models.

``read_document`` parses the text and records positions; ``load_contract`` validates it
and raises :class:`~effekt.errors.ContractInvalid` with *every* problem, each with its
file, line and field path. Nothing here ever lets a parser's exception escape.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from effekt.contract.base import MAX_AMOUNT
from effekt.contract.fields import known_fields
from effekt.contract.locate import Locator, PathKey, format_path, locate_toml, locate_yaml
from effekt.contract.model import Contract
from effekt.contract.notation import Value, assignment, command_line, inline_table, literal
from effekt.contract.number_problems import number_problem
from effekt.contract.portfolio import Portfolio
from effekt.contract.problems import Problem
from effekt.contract.syntax import Detail, refined, syntax_detail, yaml_syntax
from effekt.errors import ContractInvalid, InputError
from effekt.i18n import Phrase

__all__ = [
    "Document",
    "check_document",
    "contract_of",
    "is_portfolio",
    "load_contract",
    "load_portfolio",
    "looks_like_contract",
    "looks_like_mapping",
    "notation",
    "other_kind",
    "parse_text",
    "problems_from_validation",
    "read_document",
]

_FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
MAX_BYTES = 5_000_000
#: No contract nests tables and lists this deep or holds this many values.
MAX_DEPTH = 64
MAX_VALUES = 200_000
_COMPLEXITY = {"depth": MAX_DEPTH, "values": MAX_VALUES}


@dataclass
class Document:
    """A parsed file: its raw data, where its keys stand, its name and its syntax (``fmt``:
    toml, yaml or json). A contract under a scenario also knows the key each override is
    written under (``keys``: ``("costs", "setup")`` → ``"costs.setup"``) and, for one typed
    on the command line, its name (``scenario``), so that its problems show what to write
    where the user wrote it; and the places an override reaches by id, as written
    (``ids``: ``("cohorts", 0)`` → ``"cohorts[k1]"``), so that its problems name the field
    as the user did."""

    data: Any
    locator: Locator
    file: str
    fmt: str
    keys: Mapping[PathKey, str] = field(default_factory=dict)
    scenario: str | None = None
    ids: Mapping[PathKey, str] = field(default_factory=dict)

    def written(self, path: PathKey, value: Value) -> str:
        """``value`` at ``path`` as the user writes it, in the file's syntax: under the
        path's own key (``setup = 450_000``), under an override's key where a scenario sets
        that path (``"costs.setup" = 450_000``; on the command line ``--scenario
        low=costs.setup=450000``), alone in a list."""
        key = self.keys.get(path)
        if key is not None and self.scenario is not None:
            return command_line(self.scenario, key, literal("json", value))
        return assignment(self.fmt, key or _key(path), value)

    def written_table(self, path: PathKey, pairs: Mapping[str, Value]) -> str:
        """A table of ``pairs`` to write at ``path``, on one line in the file's syntax (for
        an override typed on the command line, as JSON in ``--scenario``)."""
        key = self.keys.get(path)
        if key is not None and self.scenario is not None:
            return command_line(self.scenario, key, inline_table("json", pairs))
        return inline_table(self.fmt, pairs)

    def quoted(self, path: PathKey) -> bool:
        """Whether the text at ``path`` was written in quotes (``"450 000"``), not bare
        (YAML's ``price: 450 000``, ``--scenario low=costs.setup=450 000``)."""
        return path not in self.locator.unquoted

    def named(self, path: PathKey) -> str:
        """``path`` as the user names it: by id below a place an override reaches by id
        (``cohorts[k1].size``), else by position (``cohorts[0].size``)."""
        for n in range(len(path), 0, -1):
            written = self.ids.get(path[:n])
            if written is not None:
                return format_path(path[n:], written)
        return format_path(path)

    def problem(self, path: PathKey, code: str, severity: str = "error", **params: Any) -> Problem:
        return Problem(
            path=self.named(path),
            line=self.locator.line_of(path),
            severity="warning" if severity == "warning" else "error",
            code=code,
            params=params,
            file=self.file,
        )


def _syntax_problem(
    file: str, line: int | None, detail: Detail, column: int | None = None
) -> ContractInvalid:
    at = ("contract.at_column", {"column": column}) if column is not None else ""
    params: dict[str, Any] = {"detail": detail, "at": at}
    return ContractInvalid([Problem("", line, "error", "contract.syntax", params, file)], file=file)


class _UniqueKeys(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping: PyYAML keeps the
    last silently, so a second ``price:`` would replace the first unnoticed (TOML refuses
    it, and so does effekt for YAML and JSON)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    problem=f"found duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _DuplicateJsonKey(ValueError):
    """A key written twice in one JSON object (``json`` keeps the last silently)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateJsonKey(key)
        out[key] = value
    return out


def _json_key_line(text: str) -> tuple[int | None, int | None]:
    """Where a JSON file writes a key the second time: JSON is YAML's flow style, so the
    YAML loader that refuses repeated keys finds the place (None when it cannot read it).
    Characters YAML's reader refuses outright (control characters) are read as spaces, so
    that each keeps its place."""
    readable = _UNPRINTABLE.sub(" ", text)
    try:
        yaml.load(readable, Loader=_UniqueKeys)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:  # any other error (no mark, another problem): not found
        mark = getattr(exc, "problem_mark", None)
        if mark is not None and "duplicate key" in str(getattr(exc, "problem", "")):
            return mark.line + 1, mark.column + 1
    return None, None


#: What the YAML reader refuses: control characters and the like.
_UNPRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def parse_text(text: str, fmt: str, file: str = "<text>") -> Document:
    """Parse ``text`` as ``fmt`` ("toml", "yaml" or "json")."""
    try:
        if fmt == "toml":
            data: Any = tomllib.loads(text)
            return Document(data, locate_toml(text), file, fmt)
        if fmt == "json":
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        else:
            data = yaml.load(text, Loader=_UniqueKeys)  # noqa: S506 - a safe loader
    except tomllib.TOMLDecodeError as exc:
        found = syntax_detail("toml", str(exc))
        line = len(text.splitlines()) if found.at_end else found.line
        lines = text.splitlines()
        if line is not None and 0 < line <= len(lines):
            found = refined(found, lines[line - 1])
        raise _syntax_problem(file, line, found.detail, found.column) from None
    except json.JSONDecodeError as exc:
        found = syntax_detail("json", exc.msg)
        raise _syntax_problem(file, exc.lineno, found.detail, exc.colno) from None
    except _DuplicateJsonKey as exc:
        line, column = _json_key_line(text)
        detail: Detail = ("syntax.key_twice", {"key": repr(exc.key)})
        raise _syntax_problem(file, line, detail, column) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = getattr(exc, "context_mark", None)
        found = yaml_syntax(
            str(getattr(exc, "problem", None) or exc).splitlines()[0],
            mark.line + 1 if mark is not None else None,
            mark.column + 1 if mark is not None else None,
            getattr(exc, "context", None),
            at.line + 1 if at is not None else None,
            at.column + 1 if at is not None else None,
            text.splitlines(),
        )
        raise _syntax_problem(file, found.line, found.detail, found.column) from None
    except (ValueError, RecursionError, OverflowError) as exc:
        raise _syntax_problem(file, None, type(exc).__name__) from None
    if _too_complex(data):
        raise ContractInvalid(
            [Problem("", None, "error", "contract.too_complex", _COMPLEXITY, file)], file=file
        )
    return Document(_plain(data), locate_yaml(text), file, fmt)


def _too_complex(data: Any) -> bool:
    """Whether ``data`` nests deeper than MAX_DEPTH or holds more than MAX_VALUES values.

    Checked without recursion, before anything recursive walks the data: deep nesting
    would exhaust the stack, and YAML aliases can make a short file into a cycle or an
    exponentially large tree ("billion laughs").
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_VALUES:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def _plain(value: Any) -> Any:
    """YAML may produce keys that are not strings; make every key a string."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def notation(path: str | Path) -> str:
    """The syntax a contract file is written in, by its extension: "toml", "yaml" or
    "json" (TOML, the usual one, for a name without a known extension)."""
    return _FORMATS.get(Path(path).suffix.lower(), "toml")


def read_document(path: str | Path) -> Document:
    """Read and parse a file, choosing the format from its extension."""
    p = Path(path)
    if p.is_dir():  # no file of any type: said as check says it of a folder given directly
        raise InputError("usage.path_is_directory", path=f"'{p}'", noun=Phrase("usage.the_file"))
    fmt = _FORMATS.get(p.suffix.lower())
    if fmt is None:
        suffix: str | Phrase = p.suffix or Phrase("contract.no_suffix")
        raise InputError("contract.unknown_format", path=str(p), suffix=suffix)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file.not_found", path=str(p)) from None
    except OSError as exc:
        raise InputError("file.unreadable", path=str(p), detail=exc.strerror or str(exc)) from None
    if len(raw) > MAX_BYTES:
        raise InputError("contract.too_large", path=str(p), limit=MAX_BYTES)
    body = raw.removeprefix(b"\xef\xbb\xbf")  # UTF-8 with or without a byte-order mark
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise _syntax_problem(str(p), line, ("syntax.not_utf8", {})) from None
    return parse_text(text, fmt, str(p))


# --- pydantic errors → problems ---------------------------------------------------------

_TYPE_CODES = {
    "missing": "contract.missing",
    "extra_forbidden": "contract.unknown_field",
    "literal_error": "contract.bad_choice",
    "union_tag_invalid": "contract.bad_choice",
    "union_tag_not_found": "contract.missing",
    "greater_than": "contract.must_exceed",
    "greater_than_equal": "contract.too_small",
    "less_than": "contract.must_be_below",
    "less_than_equal": "contract.too_large_value",
    "too_short": "contract.too_few",
    "too_long": "contract.too_many",
    "string_pattern_mismatch": "contract.bad_id",
    "date_from_datetime_parsing": "contract.bad_date",
    "date_parsing": "contract.bad_date",
    "date_type": "contract.bad_date",
    "date_from_datetime_inexact": "contract.bad_date",
    "finite_number": "contract.not_finite",
}


def _clean_loc(loc: tuple[Any, ...], data: Any) -> PathKey:
    """Drop the union tags pydantic puts into locations, keeping the file's own keys."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            out.append(part)
            node = node[part] if 0 <= part < len(node) else None
        elif isinstance(node, dict) and part in node:
            out.append(str(part))
            node = node[part]
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and (
                node.get("kind") == part
                or node.get("dist") == part
                or part in ("number", "distribution")
            )
        ):
            continue
        elif isinstance(part, str) and (
            part in ("number", "distribution")
            or part.startswith(("function-", "tagged-union", "float", "int"))
        ):
            continue
        else:
            out.append(part if isinstance(part, int) else str(part))
            node = None
    return tuple(out)


def _choices(ctx: dict[str, Any]) -> str:
    """The allowed values as a plain list: pydantic's English "'a', 'b' or 'c'" → "a, b, c"."""
    expected = str(ctx.get("expected", ctx.get("expected_tags", "")))
    return expected.replace("'", "").replace(" or ", ", ")


def _bool_as_text(written: Any) -> bool | None:
    """True or false written as text (``"true"``), else None."""
    if isinstance(written, str) and written.strip().lower() in ("true", "false"):
        return written.strip().lower() == "true"
    return None


def _key(path: PathKey) -> str | None:
    """The key a value at ``path`` is written under (None for an entry of a list)."""
    return path[-1] if path and isinstance(path[-1], str) else None


def problems_from_validation(
    exc: ValidationError, doc: Document, root: type[BaseModel] = Contract
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[PathKey, str]] = set()
    for err in exc.errors(include_url=False):
        path = _clean_loc(tuple(err["loc"]), doc.data)
        etype = err["type"]
        ctx = dict(err.get("ctx") or {})
        code = _TYPE_CODES.get(etype, "contract.bad_value")
        params: dict[str, Any] = {}
        if etype == "value_error":
            reason = str(ctx.get("error", err["msg"]))
            code = f"contract.{reason}" if reason.isidentifier() else "contract.bad_value"
        if code == "contract.bad_value":
            params["detail"] = err["msg"]
        if etype in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            params["limit"] = next((ctx[k] for k in ("gt", "ge", "lt", "le") if k in ctx), "")
            params["value"] = err.get("input")
            if etype == "less_than_equal" and params["limit"] == MAX_AMOUNT:
                code = "contract.amount_too_large"
        if code == "contract.bad_choice":
            params["choices"] = _choices(ctx)
            if etype == "union_tag_invalid":
                path = path + (str(ctx.get("discriminator", "kind")).strip("'"),)
        if etype == "union_tag_not_found":
            path = path + (str(ctx.get("discriminator", "kind")).strip("'"),)
        if code == "contract.unknown_field":
            params["field"] = str(path[-1]) if path else ""
            known = known_fields(root, path[:-1], doc.data)
            close = difflib.get_close_matches(params["field"], known, n=1)
            params["suggestion"] = close[0] if close else ""
        if code in ("contract.too_few", "contract.too_many"):
            params["limit"] = ctx.get("min_length", ctx.get("max_length", ""))
        if code == "contract.missing":
            params["field"] = str(path[-1]) if path else ""
        if etype in ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float"):
            code, params = number_problem(err, path, doc, root)
        elif etype == "bool_type" and (meant_bool := _bool_as_text(err.get("input"))) is not None:
            code = "contract.bool_as_text" if doc.quoted(path) else "contract.bool_as_text_unquoted"
            write = doc.written(path, meant_bool)
            params = {"written": err.get("input"), "write": write}
        elif etype in (
            "string_type",
            "bool_type",
            "bool_parsing",
            "list_type",
            "dict_type",
            "model_type",
            "model_attributes_type",
        ):
            code = "contract.bad_type"
            params = {"expected": etype.split("_")[0]}
        key = (path, code)
        if key in seen:
            continue
        seen.add(key)
        problems.append(doc.problem(path, code, **params))
    return problems


def is_portfolio(doc: Document) -> bool:
    """Whether a parsed file says it is a portfolio (``kind = "portfolio"``)."""
    return isinstance(doc.data, dict) and doc.data.get("kind") == "portfolio"


#: Tables only a mapping file has (of effekt's files).
_MAPPING_TABLES = frozenset({"identifier", "columns", "covariates", "eligibility"})
#: Files of effekt's other formats, known by tables a contract never has: (code, keys).
_OTHER_KINDS = (
    ("contract.is_outcomes_file", frozenset({"measurements"})),
    ("contract.is_mapping_file", _MAPPING_TABLES),
)


#: Tables only a contract has.
_CONTRACT_TABLES = frozenset({"parties", "cohorts", "rules", "metrics", "financing"})


def looks_like_contract(data: Any) -> bool:
    """Whether parsed ``data`` has a contract's own tables (given where another file was due)."""
    return isinstance(data, dict) and bool(data.keys() & _CONTRACT_TABLES)


def looks_like_mapping(data: Any) -> bool:
    """Whether parsed ``data`` is a mapping file (given where another file was due): a
    mapping's own tables, and no measurements."""
    return (
        isinstance(data, dict)
        and bool(data.keys() & _MAPPING_TABLES)
        and "measurements" not in data
        and not looks_like_contract(data)
    )


def other_kind(data: dict[str, Any]) -> str | None:
    """The problem code when ``data`` is not a contract but an outcomes or mapping file:
    it has none of a contract's own tables and one of the other format's."""
    if looks_like_contract(data):
        return None
    return next((code for code, keys in _OTHER_KINDS if data.keys() & keys), None)


def check_document(doc: Document) -> tuple[Contract | None, list[Problem]]:
    """Validate a parsed contract: structure first, then the rules across fields."""
    from effekt.contract.validate import cross_checks

    if not isinstance(doc.data, dict):
        return None, [doc.problem((), "contract.not_a_table")]
    if is_portfolio(doc):
        return None, [doc.problem(("kind",), "contract.is_portfolio")]
    other = other_kind(doc.data)
    if other is not None:
        return None, [doc.problem((), other)]
    contract: Contract | None = None
    problems: list[Problem] = []
    try:
        contract = Contract.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, doc))
    problems.extend(cross_checks(doc))
    if contract is not None and contract.scenarios and not _has_errors(problems):
        from effekt.contract.scenarios import scenario_problems

        problems.extend(scenario_problems(doc, contract))
    problems.sort(key=lambda p: (p.line or 0, p.path, p.code))
    if _has_errors(problems):
        contract = None
    return contract, problems


def _has_errors(problems: list[Problem]) -> bool:
    """Whether any of ``problems`` is an error (not only warnings)."""
    return any(p.severity == "error" for p in problems)


def load_contract(path: str | Path) -> Contract:
    """Read and validate a contract file; raise ContractInvalid listing every error."""
    return contract_of(read_document(path))


def contract_of(doc: Document) -> Contract:
    """The contract of a parsed file, marked as read from its folder; ContractInvalid
    listing every error."""
    contract, problems = check_document(doc)
    if contract is None:
        raise ContractInvalid(problems, file=doc.file)
    return contract.read_from(Path(doc.file).resolve().parent)


def load_portfolio(path: str | Path) -> tuple[Portfolio, list[Contract]]:
    """Read a portfolio file and the contracts it lists (paths relative to it).

    This checks the file's structure and each contract; the fund as a whole — unique ids,
    shock loadings that name a contract and an uncertain input — is checked by
    :func:`effekt.services.portfolio.check_portfolio`, which ``check`` and ``simulate`` use.
    """
    doc = read_document(path)
    if not isinstance(doc.data, dict):
        raise ContractInvalid([doc.problem((), "contract.not_a_table")], file=str(path))
    try:
        portfolio = Portfolio.model_validate(doc.data)
    except ValidationError as exc:
        raise ContractInvalid(
            problems_from_validation(exc, doc, Portfolio), file=str(path)
        ) from None
    base = Path(path).parent
    contracts = [load_contract(base / entry.path) for entry in portfolio.contracts]
    return portfolio, contracts
