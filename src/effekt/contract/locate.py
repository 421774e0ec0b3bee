"""Where in the file a field stands: field paths → line numbers.

The parsers (tomllib, json) give values but no positions, so after a file has parsed we
scan its text once more for the positions of keys, tables and array items. A path is a
tuple of keys and indices, e.g. ``("rules", 2, "price")``; ``line_of`` walks up the path
until it finds a position, so a missing field is reported at the table that should hold it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Locator", "PathKey", "format_path", "locate_toml", "locate_yaml", "value_at"]

PathKey = tuple[str | int, ...]
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def format_path(path: PathKey, head: str = "") -> str:
    """``("rules", 2, "price")`` → ``"rules[2].price"``; after ``head``, the path below it
    (``"rules[skolnarvaro]"``, ``("price",)`` → ``"rules[skolnarvaro].price"``)."""
    out = head
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def value_at(path: str, data: Any) -> Any:
    """What parsed ``data`` holds at a field path such as ``outcomes[0].kind`` (None if
    nothing): the value as written, for a message that quotes it."""
    node = data
    for key, index in _PART.findall(path):
        if key and isinstance(node, dict):
            node = node.get(key)
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return None
    return node


@dataclass
class Locator:
    """Positions of the keys of one parsed file, and which of its values were written
    without quotes (``unquoted``: YAML's plain scalars, such as ``price: 450 000``, and a
    value typed bare with ``--scenario``; TOML and JSON quote all their text)."""

    lines: dict[PathKey, int] = field(default_factory=dict)
    unquoted: frozenset[PathKey] = frozenset()

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest enclosing table, or None."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


# --- TOML ---------------------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_\-]+")


class _TomlScanner:
    """A scanner over valid TOML text that records the line of every key and item."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.out: dict[PathKey, int] = {(): 1}
        self.aot_counts: dict[PathKey, int] = {}
        self.aot_current: dict[PathKey, int] = {}

    # low-level helpers
    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.s):
                if self.s[self.i] == "\n":
                    self.line += 1
                self.i += 1

    def skip_ws(self, newlines: bool = False) -> None:
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.advance()
            else:
                return

    def read_key_part(self) -> str:
        c = self.peek()
        if c in "\"'":
            return self.read_string()
        m = _BARE.match(self.s, self.i)
        if not m:
            raise ValueError("key expected")
        self.advance(m.end() - self.i)
        return m.group(0)

    def read_key(self) -> list[str]:
        parts = [self.read_key_part()]
        self.skip_ws()
        while self.peek() == ".":
            self.advance()
            self.skip_ws()
            parts.append(self.read_key_part())
            self.skip_ws()
        return parts

    def read_string(self) -> str:
        q = self.peek()
        if self.s.startswith(q * 3, self.i):
            self.advance(3)
            start = self.i
            end = self.s.find(q * 3, self.i)
            end = len(self.s) if end < 0 else end
            while self.i < end:
                self.advance()
            # a closing run may be longer than three quotes
            while self.s.startswith(q * 4, self.i):
                self.advance()
            text = self.s[start : self.i]
            self.advance(3)
            return text
        self.advance()
        buf = []
        while self.i < len(self.s) and self.peek() != q:
            if q == '"' and self.peek() == "\\":
                self.advance()
            buf.append(self.peek())
            self.advance()
        self.advance()
        return "".join(buf)

    # values
    def skip_value(self, path: PathKey) -> None:
        c = self.peek()
        if c == "{":
            self.inline_table(path)
        elif c == "[":
            self.array(path)
        elif c in "\"'":
            self.read_string()
        else:
            while self.i < len(self.s) and self.peek() not in ",]}\n#":
                self.advance()

    def inline_table(self, path: PathKey) -> None:
        self.advance()  # {
        self.skip_ws()
        while self.peek() and self.peek() != "}":
            line = self.line
            key = self.read_key()
            sub = path + tuple(key)
            self.out.setdefault(sub, line)
            self.skip_ws()
            self.advance()  # =
            self.skip_ws()
            self.skip_value(sub)
            self.skip_ws()
            if self.peek() == ",":
                self.advance()
                self.skip_ws()
        self.advance()  # }

    def array(self, path: PathKey) -> None:
        self.advance()  # [
        index = 0
        self.skip_ws(newlines=True)
        while self.peek() and self.peek() != "]":
            self.out.setdefault(path + (index,), self.line)
            self.skip_value(path + (index,))
            self.skip_ws(newlines=True)
            if self.peek() == ",":
                self.advance()
                self.skip_ws(newlines=True)
            index += 1
        self.advance()  # ]

    def resolve(self, keys: list[str]) -> PathKey:
        """Dotted header keys → a path with the current index of each array of tables."""
        path: PathKey = ()
        for k in keys:
            path = path + (k,)
            if path in self.aot_current:
                path = path + (self.aot_current[path],)
        return path

    def scan(self) -> dict[PathKey, int]:
        table: PathKey = ()
        while self.i < len(self.s):
            self.skip_ws(newlines=True)
            if not self.peek():
                break
            line = self.line
            if self.s.startswith("[[", self.i):
                self.advance(2)
                self.skip_ws()
                keys = self.read_key()
                self.skip_ws()
                self.advance(2)
                parent = self.resolve(keys[:-1])
                base = parent + (keys[-1],)
                n = self.aot_counts.get(base, 0)
                self.aot_counts[base] = n + 1
                self.aot_current[base] = n
                # a new item resets the current index of arrays nested below it
                for k in [
                    k for k in self.aot_current if len(k) > len(base) and k[: len(base)] == base
                ]:
                    del self.aot_current[k]
                table = base + (n,)
                self.out.setdefault(base, line)
                self.out[table] = line
            elif self.peek() == "[":
                self.advance()
                self.skip_ws()
                keys = self.read_key()
                self.skip_ws()
                self.advance()
                table = self.resolve(keys)
                self.out.setdefault(table, line)
            else:
                keys = self.read_key()
                path = table + tuple(keys)
                for depth in range(len(table) + 1, len(path) + 1):
                    self.out.setdefault(path[:depth], line)
                self.skip_ws()
                self.advance()  # =
                self.skip_ws()
                self.skip_value(path)
            # rest of line
            self.skip_ws()
            while self.peek() and self.peek() != "\n":
                self.advance()
        return self.out


def locate_toml(text: str) -> Locator:
    """Positions of every key in a TOML text that tomllib has already accepted."""
    scanner = _TomlScanner(text)
    try:
        return Locator(scanner.scan())
    except (ValueError, IndexError):  # pragma: no cover - the text parsed, so rare
        return Locator(scanner.out)


# --- YAML and JSON --------------------------------------------------------------------


def _walk(node: yaml.Node, path: PathKey) -> Iterator[tuple[PathKey, int]]:
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            yield path + (key,), key_node.start_mark.line + 1
            for sub_path, line in _walk(value_node, path + (key,)):
                if sub_path != path + (key,):
                    yield sub_path, line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, path + (index,))


def _plain_scalars(node: yaml.Node, path: PathKey) -> Iterator[PathKey]:
    """The paths of the values under ``node`` written without quotes."""
    if isinstance(node, yaml.ScalarNode) and node.style is None:
        yield path
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            yield from _plain_scalars(value_node, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _plain_scalars(item, path + (index,))


def locate_yaml(text: str) -> Locator:
    """Positions of every key in a YAML (or JSON) text, and its values without quotes."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return Locator({(): 1})
    if node is None:
        return Locator({(): 1})
    lines: dict[PathKey, int] = {}
    for path, line in _walk(node, ()):
        lines.setdefault(path, line)
    return Locator(lines, frozenset(_plain_scalars(node, ())))
