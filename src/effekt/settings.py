"""The one settings object, read once at the edge and passed inward.

Every setting has a name, an environment variable, a default and a help text in the
table ``SETTINGS``; the CLI, the docs (docs/settings.md) and the tests read that table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from effekt.errors import ConfigurationError
from effekt.i18n import LANGUAGES, default_language

__all__ = ["SETTINGS", "Setting", "Settings", "load_settings"]


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "lang",
        "EFFEKT_LANG",
        "",
        "Language of messages and reports: sv or en (default: from the locale, else en).",
    ),
    Setting(
        "database_url",
        "EFFEKT_DATABASE_URL",
        "sqlite:///effekt.db",
        "Where the ledger is kept (SQLite file or postgresql:// URL).",
    ),
    Setting(
        "unit_cost_dir",
        "EFFEKT_UNIT_COST_DIR",
        "",
        "Extra folder searched for unit-cost tables named in contracts.",
    ),
    Setting(
        "workers",
        "EFFEKT_WORKERS",
        "1",
        "Default number of local worker processes for simulations.",
    ),
)


@dataclass(frozen=True)
class Settings:
    lang: str
    database_url: str
    unit_cost_dir: str
    workers: int


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``environ`` (default: the process environment) and check it."""
    env = dict(os.environ if environ is None else environ)
    raw = {s.name: env.get(s.env, s.default) for s in SETTINGS}
    lang = raw["lang"].strip().lower() or default_language(env)
    if lang not in LANGUAGES:
        raise ConfigurationError(
            "config.error", name="EFFEKT_LANG", detail=f"{lang!r} is not sv or en"
        )
    try:
        workers = int(raw["workers"])
    except ValueError:
        raise ConfigurationError(
            "config.error", name="EFFEKT_WORKERS", detail="not a whole number"
        ) from None
    if workers < 1:
        raise ConfigurationError("config.error", name="EFFEKT_WORKERS", detail="must be at least 1")
    url = raw["database_url"]
    if not url.startswith(("sqlite:", "postgresql:", "postgresql+")):
        raise ConfigurationError(
            "config.error", name="EFFEKT_DATABASE_URL", detail="use sqlite:/// or postgresql://"
        )
    settings = Settings(
        lang=lang, database_url=url, unit_cost_dir=raw["unit_cost_dir"], workers=workers
    )
    assert {f.name for f in fields(Settings)} == {s.name for s in SETTINGS}
    return settings
