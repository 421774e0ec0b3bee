"""Message catalogs in Swedish and English.

Each file in ``messages/`` is a TOML table of message codes, each with an ``en`` and an
``sv`` template using ``str.format`` placeholders::

    [contract.missing_field]
    en = "The field {field} is missing."
    sv = "Fältet {field} saknas."

A message about a number of things may also have its singular, ``en_one`` and
``sv_one``, used when the parameter ``count`` is 1::

    [summary.warnings]
    en = "{count} warnings"
    en_one = "{count} warning"
    sv = "{count} varningar"
    sv_one = "{count} varning"

Files are split by domain (one owner each) and merged at first use; a code defined twice
is a programming error caught by the tests.
"""

from __future__ import annotations

import locale
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["LANGUAGES", "Phrase", "SINGULARS", "catalog", "default_language", "translate"]

LANGUAGES = ("sv", "en")
#: The singular of a message about ``count`` things, per language.
SINGULARS = tuple(f"{lang}_one" for lang in LANGUAGES)


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, dict[str, str]]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and {"en", "sv"} <= value.keys():
            if name in out:
                raise RuntimeError(f"message code defined twice: {name}")
            out[name] = {
                key: str(text)
                for key, text in value.items()
                if key in LANGUAGES or key in SINGULARS
            }
        elif isinstance(value, dict):
            _flatten(name, value, out)


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every message code → {"sv": template, "en": template}."""
    out: dict[str, dict[str, str]] = {}
    folder = resources.files("effekt.i18n") / "messages"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            _flatten("", tomllib.loads(entry.read_text(encoding="utf-8")), out)
    return out


@dataclass(frozen=True)
class Phrase:
    """A word of a message that is itself translated: a catalog code given as a parameter
    (``what=Phrase("stats.what.treated")``), so the engine can name what went wrong without
    writing English into a Swedish sentence. Errors translate it when they are rendered."""

    code: str


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(code: str, lang: str = "en", /, **params: Any) -> str:
    """Render message ``code`` in ``lang``; unknown codes fall back to the code itself."""
    entry = catalog().get(code)
    if entry is None:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        return f"{code} ({detail})" if detail else code
    one = entry.get(f"{lang}_one") if params.get("count") == 1 else None
    template = one or entry.get(lang) or entry["en"]
    return template.format_map(_Missing(params))


def default_language(environ: dict[str, str] | None = None) -> str:
    """The language from EFFEKT_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG); else English."""
    env = os.environ if environ is None else environ
    explicit = env.get("EFFEKT_LANG", "").strip().lower()
    if explicit in LANGUAGES:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "sv" if value.lower().startswith("sv") else "en"
    if environ is None:
        loc = locale.getlocale()[0] or ""
        if loc.lower().startswith("sv"):
            return "sv"
    return "en"
