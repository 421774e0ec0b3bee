"""The one settings object, read once at the edge and passed inward.

Every setting has a name, an environment variable, a default and a help text in the
table ``SETTINGS``; the CLI, the docs (docs/settings.md) and the tests read that table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

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
    Setting(
        "dask_timeout",
        "EFFEKT_DASK_TIMEOUT",
        "30",
        "Seconds to wait for the Dask scheduler named by --dask ADDRESS to answer.",
    ),
)


@dataclass(frozen=True)
class Settings:
    lang: str
    unit_cost_dir: str
    workers: int
    dask_timeout: float

    def unit_cost_dirs(self) -> tuple[Path, ...]:
        """The extra folders searched for unit-cost tables (none when unset)."""
        return (Path(self.unit_cost_dir),) if self.unit_cost_dir else ()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``environ`` (default: the process environment) and check it.

    A refused setting raises :class:`ConfigurationError` (exit 2) naming the variable and
    what is wrong with its value, in the user's language.
    """
    env = dict(os.environ if environ is None else environ)
    raw = {s.name: env.get(s.env, s.default) for s in SETTINGS}
    lang = raw["lang"].strip().lower() or default_language(env)
    if lang not in LANGUAGES:
        raise ConfigurationError("config.not_a_language", name="EFFEKT_LANG", value=raw["lang"])
    try:
        workers = int(raw["workers"])
    except ValueError:
        raise ConfigurationError(
            "config.not_a_whole_number", name="EFFEKT_WORKERS", value=raw["workers"]
        ) from None
    if workers < 1:
        raise ConfigurationError(
            "config.too_small", name="EFFEKT_WORKERS", value=raw["workers"], limit=1
        )
    try:
        timeout = float(raw["dask_timeout"])
    except ValueError:
        timeout = float("nan")
    if not 0 < timeout < float("inf"):
        raise ConfigurationError(
            "config.not_seconds", name="EFFEKT_DASK_TIMEOUT", value=raw["dask_timeout"]
        )
    folder = raw["unit_cost_dir"]
    if folder and not Path(folder).is_dir():
        raise ConfigurationError("config.not_a_folder", name="EFFEKT_UNIT_COST_DIR", value=folder)
    settings = Settings(lang=lang, unit_cost_dir=folder, workers=workers, dask_timeout=timeout)
    assert {f.name for f in fields(Settings)} == {s.name for s in SETTINGS}
    return settings
