"""The parsers' syntax errors, said in the user's language.

``tomllib``, ``json`` and PyYAML report a syntax error in English ("Cannot overwrite a
value (at line 12, column 5)"). A commissioner editing a contract in Swedish should read
what is wrong in Swedish, so each message these parsers are known to give is matched here
and named by a catalog code (``syntax.*``), with what it names (a key, a character) kept
as written. A message not in the table keeps the parser's own words.
"""

from __future__ import annotations

import ast
import re
from typing import Any, NamedTuple

__all__ = ["Detail", "Syntax", "refined", "syntax_detail", "yaml_syntax"]

_TOML = [
    (r"Cannot overwrite a value", "syntax.overwrite"),
    (r"Cannot declare (?P<key>.+) twice", "syntax.declared_twice"),
    (r"Cannot mutate immutable namespace (?P<key>.+)", "syntax.table_closed"),
    (r"Cannot redefine namespace (?P<key>.+)", "syntax.table_closed"),
    (r"Duplicate inline table key (?P<key>.+)", "syntax.duplicate_key"),
    (r"Expected '=' after a key in a key/value pair", "syntax.expected_equals"),
    (r"Expected '\]' at the end of a table declaration", "syntax.unclosed_header"),
    (r"Expected '\]\]' at the end of an array declaration", "syntax.unclosed_header"),
    (r"Invalid value", "syntax.invalid_value"),
    (r"Invalid statement", "syntax.invalid_statement"),
    (r"Invalid initial character for a key part", "syntax.bad_key"),
    (r"Unclosed array", "syntax.unclosed_list"),
    (r"Unclosed inline table", "syntax.unclosed_table"),
    (r"Unterminated string", "syntax.unterminated_string"),
    (r"Expected newline or end of document after a statement", "syntax.after_value"),
    (r"(?:Illegal|Found invalid) character '\\n'", "syntax.unterminated_string"),
    (r"(?:Illegal|Found invalid) character (?P<char>.+)", "syntax.bad_character"),
    (r"Invalid date or datetime", "syntax.bad_date"),
    (r"Unescaped '\\\\' in a string", "syntax.backslash"),
    (r"Invalid hex value|Escaped character is not a Unicode scalar value", "syntax.bad_escape"),
    (r"Expected (?P<expected>.+)", "syntax.expected"),
]
_JSON = [
    (r"Expecting value", "syntax.invalid_value"),
    (r"Expecting property name enclosed in double quotes", "syntax.json_key"),
    (r"Expecting '(?P<expected>.)' delimiter", "syntax.expected_mark"),
    (r"Unterminated string starting at", "syntax.unterminated_string"),
    (r"Extra data", "syntax.extra_data"),
    (r"Invalid control character at", "syntax.control_character"),
]
_YAML = [
    (r"mapping values are not allowed here", "syntax.yaml_colon"),
    (r"found character '\\t' that cannot start any token", "syntax.yaml_tab"),
    (r"found unexpected end of stream", "syntax.unterminated_string"),
    (r"expected the node content, but found '<stream end>'", "syntax.yaml_ends_early"),
    (r"expected the node content, but found (?P<found>.+)", "syntax.yaml_missing_value"),
    (r"expected ',' or '(?P<close>[\]}])', but got .+", "syntax.yaml_unclosed"),
    (r"expected <block end>, but found .+", "syntax.yaml_indent"),
    (r"could not find expected ':'", "syntax.yaml_expected_colon"),
    (r"found undefined alias (?P<key>.+)", "syntax.yaml_alias"),
    (r"found duplicate key (?P<key>.+)", "syntax.key_twice"),
    (r"found character (?P<char>.+) that cannot start any token", "syntax.bad_character"),
]
_TABLES = {"toml": _TOML, "json": _JSON, "yaml": _YAML}
_WHERE = re.compile(
    r"\s*\(at (?:line (?P<line>\d+), )?column (?P<column>\d+)\)\s*$|\s*\(at end of document\)\s*$"
)


Detail = tuple[str, dict[str, Any]] | str


class Syntax(NamedTuple):
    """What is wrong, and where when the message says (a TOML message's "(at line L,
    column C)"; JSON and YAML give their positions apart)."""

    detail: Detail
    line: int | None = None
    column: int | None = None
    at_end: bool = False  # "(at end of document)": an unclosed list or table


def syntax_detail(fmt: str, message: str) -> Syntax:
    """``message`` of the ``fmt`` parser as (catalog code, parameters), or as given when
    the table does not know it, with the line and column it names."""
    where = _WHERE.search(message)
    text = (message[: where.start()] if where else message).strip()
    line = int(where.group("line")) if where and where.group("line") else None
    column = int(where.group("column")) if where and where.group("column") else None
    detail: Detail = message if column is None else text
    for pattern, code in _TABLES.get(fmt, []):
        m = re.fullmatch(pattern, text)
        if m is not None:
            params = {k: _key(v) for k, v in m.groupdict().items() if v is not None}
            detail = (code, params)
            break
    at_end = where is not None and where.group("column") is None
    return Syntax(detail, line, column, at_end)


#: After "something follows the value", what the line shows was meant.
_AFTER_VALUE = [
    (re.compile(r"=\s*[-+]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+\b"), "syntax.thousands"),
    (re.compile(r"=\s*\d{4}-\d{1,2}-\d{1,2}\b"), "syntax.bad_date"),
]


def refined(found: Syntax, line_text: str) -> Syntax:
    """``found`` made exact by its line: a Swedish thousands separator (``450 000``) or a
    date that does not exist (``2027-13-01``) both read to tomllib as a value followed by
    something else."""
    if not (isinstance(found.detail, tuple) and found.detail[0] == "syntax.after_value"):
        return found
    for pattern, code in _AFTER_VALUE:
        if pattern.search(line_text):
            return found._replace(detail=(code, {}))
    return found


def _key(text: str) -> str:
    """A key as the file writes it: tomllib names ``('a', 'b')`` for ``a.b``."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(value, tuple) and all(isinstance(part, str) for part in value):
        return ".".join(value)
    return text


#: A value that opens a quote: ``key: 'text`` or ``- "text``.
_OPENS_QUOTE = re.compile(r"""^\s*(?:-\s+)?(?:[^'"#:]+:\s+)?(?P<q>['"])""")
#: A line holding a key and its value: where the key starts.
_KEY_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)[^\s#'\"][^:#]*:(?:\s|$)")


def yaml_syntax(
    problem: str,
    line: int | None,
    column: int | None,
    context: str | None,
    context_line: int | None,
    context_column: int | None,
    lines: list[str],
) -> Syntax:
    """PyYAML's error made exact by its context and the file's lines (1-based places).

    PyYAML names the place where it noticed the mistake, often the line after it: a list
    ``[`` left open is noticed where the next key begins, a key without its colon on the
    line after, a quote left open where the next quote closes it. Here such mistakes are
    placed on the line that makes them, and a colon that is "not allowed" because the line
    is indented under the value above it is said to be that.
    """
    found = syntax_detail("yaml", problem)
    code = found.detail[0] if isinstance(found.detail, tuple) else None
    params = found.detail[1] if isinstance(found.detail, tuple) else {}
    here = Syntax(found.detail, line, column)
    context = context or ""
    if code == "syntax.yaml_unclosed" and context.startswith("while parsing a flow"):
        detail = ("syntax.yaml_unclosed_from", {**params, "at": line})
        return Syntax(detail, context_line, context_column)
    if code == "syntax.yaml_expected_colon" and context == "while scanning a simple key":
        return Syntax(found.detail, context_line, context_column)
    if code == "syntax.unterminated_string" and context == "while scanning a quoted scalar":
        return Syntax(found.detail, context_line, context_column)
    if code == "syntax.yaml_indent" and line is not None:
        start = context_line or 1
        for number in range(start, line + 1):
            text = lines[number - 1] if number <= len(lines) else ""
            opened = _OPENS_QUOTE.match(text)
            if opened is not None and opened.group("q") not in text[opened.end() :]:
                detail = ("syntax.yaml_quote_left_open", {"at": line})
                return Syntax(detail, number, opened.end())
    if code == "syntax.yaml_colon" and line is not None and 1 < line <= len(lines):
        above = next((t for t in reversed(lines[: line - 1]) if t.strip()), "")
        key = _KEY_LINE.match(above)
        indent = len(lines[line - 1]) - len(lines[line - 1].lstrip(" "))
        if key is not None and indent > len(key.group("lead")):
            detail = ("syntax.yaml_under_value", {"column": len(key.group("lead")) + 1})
            return Syntax(detail, line, indent + 1)
    return here
