"""Keyed pseudonyms: HMAC-SHA-256 with a secret held by the data controller.

A plain hash of a personnummer is reversible (one birth year is ~366,000 candidates), so a
pseudonym must be keyed (docs/sources/security.md §1.2)::

    subkey = HMAC-SHA-256(key, b"effekt-pseudonym-v1" || 0x00 || domain)
    token  = HMAC-SHA-256(subkey, value as UTF-8)
    pseudonym = "ps1_" + base32(token), lower case, no padding     (52 characters)
             or "ps1h_" + hex(token)                                (64 characters)

``domain`` separates recipients or projects (ENISA's unlinkability): the same person gets
unrelated pseudonyms in different domains under the same key. Use one key per SIB project
as well. The prefix names the scheme version and the encoding, so pseudonyms made
differently are never silently compared.

Keys are at least 32 random bytes (``generate_key()``), held by the controller only, and
read from a file or an environment variable as hex (the default), base64 or raw bytes.
Shorter or degenerate keys are refused with :class:`~effekt.errors.ConfigurationError`.
Nothing here logs; a key's ``repr`` hides it; errors never contain the values.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd

from effekt.errors import ConfigurationError, InputError
from effekt.privacy.personnummer import normalise, normalise_series

__all__ = [
    "MIN_KEY_BYTES",
    "PREFIXES",
    "KeyEncoding",
    "PseudonymKey",
    "TokenEncoding",
    "generate_key",
    "pseudonymise",
    "pseudonymise_personnummer",
    "pseudonymise_personnummer_series",
    "pseudonymise_series",
]

MIN_KEY_BYTES = 32
MIN_DISTINCT_BYTES = 8
PREFIXES = {"base32": "ps1_", "hex": "ps1h_"}
_LABEL = b"effekt-pseudonym-v1\x00"

KeyEncoding = Literal["hex", "base64", "raw"]
TokenEncoding = Literal["base32", "hex"]


class PseudonymKey:
    """A pseudonymisation key (bytes), checked on creation and hidden from ``repr``."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes | bytearray):
            raise ConfigurationError("privacy.key.not_bytes")
        if len(key) < MIN_KEY_BYTES:
            raise ConfigurationError(
                "privacy.key.too_short",
                name="pseudonym key",
                length=len(key),
                minimum=MIN_KEY_BYTES,
            )
        if len(set(key)) < MIN_DISTINCT_BYTES:
            raise ConfigurationError("privacy.key.weak")
        self._key = bytes(key)

    def __repr__(self) -> str:
        return "PseudonymKey(<hidden>)"

    @classmethod
    def from_text(
        cls, text: str | bytes, encoding: KeyEncoding = "hex", *, source: str = "key"
    ) -> PseudonymKey:
        """Decode a key written as hex (``generate_key()``'s output), base64 or raw bytes."""
        raw = text.encode("ascii", "replace") if isinstance(text, str) else text
        try:
            if encoding == "hex":
                key = bytes.fromhex(raw.decode("ascii").strip())
            elif encoding == "base64":
                key = base64.b64decode(raw.strip(), validate=True)
            elif encoding == "raw":
                key = raw
            else:
                raise ConfigurationError("privacy.key.bad_encoding", name=source, encoding=encoding)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ConfigurationError(
                "privacy.key.not_decodable", name=source, encoding=encoding
            ) from None
        return cls(key)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], encoding: KeyEncoding = "hex") -> PseudonymKey:
        """Read the key from a file (keep it outside the project folder, readable by the
        controller only)."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise InputError("file.not_found", path=str(p)) from None
        except OSError as err:
            raise InputError("file.unreadable", path=str(p), detail=type(err).__name__) from None
        return cls.from_text(data, encoding, source=str(p))

    @classmethod
    def from_env(
        cls,
        name: str,
        encoding: Literal["hex", "base64"] = "hex",
        *,
        environ: Mapping[str, str] | None = None,
    ) -> PseudonymKey:
        """Read the key from the environment variable ``name``."""
        env = os.environ if environ is None else environ
        value = env.get(name, "")
        if not value.strip():
            raise ConfigurationError("privacy.key.env_missing", name=name)
        return cls.from_text(value, encoding, source=name)

    def _subkey(self, domain: str) -> bytes:
        return hmac.new(self._key, _LABEL + domain.encode("utf-8"), hashlib.sha256).digest()


def generate_key() -> str:
    """A new 32-byte key from the operating system's CSPRNG, as 64 hex characters."""
    return secrets.token_hex(MIN_KEY_BYTES)


def _encode(digest: bytes, encoding: TokenEncoding) -> str:
    if encoding == "base32":
        return PREFIXES["base32"] + base64.b32encode(digest).decode("ascii").rstrip("=").lower()
    if encoding == "hex":
        return PREFIXES["hex"] + digest.hex()
    raise InputError("privacy.bad_token_encoding", encoding=encoding)


def _token(subkey: bytes, value: str, encoding: TokenEncoding) -> str:
    return _encode(hmac.new(subkey, value.encode("utf-8"), hashlib.sha256).digest(), encoding)


def pseudonymise(
    value: str, key: PseudonymKey, *, domain: str = "", encoding: TokenEncoding = "base32"
) -> str:
    """The pseudonym of ``value`` (used exactly as given; normalise identifiers first).

    >>> k = PseudonymKey(bytes(range(32)))
    >>> pseudonymise("198112189876", k, domain="demo")[:12]
    'ps1_fqnxikj3'
    """
    return _token(key._subkey(domain), value, encoding)


def pseudonymise_series(
    values: pd.Series | Iterable[str],
    key: PseudonymKey,
    *,
    domain: str = "",
    encoding: TokenEncoding = "base32",
) -> pd.Series:
    """Pseudonyms for every value (missing stays missing), with the input's index."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    subkey = key._subkey(domain)
    out = [None if not isinstance(v, str) else _token(subkey, v, encoding) for v in series.tolist()]
    return pd.Series(pd.array(out, dtype="string"), index=series.index)


def pseudonymise_personnummer(
    raw: str,
    key: PseudonymKey,
    *,
    domain: str = "",
    encoding: TokenEncoding = "base32",
    today: date | None = None,
) -> str:
    """Validate and normalise a personnummer (any accepted form), then pseudonymise it, so
    that ``811218-9876`` and ``198112189876`` get the same pseudonym."""
    return pseudonymise(normalise(raw, today=today), key, domain=domain, encoding=encoding)


def pseudonymise_personnummer_series(
    values: pd.Series | Iterable[object],
    key: PseudonymKey,
    *,
    domain: str = "",
    encoding: TokenEncoding = "base32",
    today: date | None = None,
) -> pd.Series:
    """Normalise every row (one :class:`~effekt.errors.DataError` lists all bad rows by
    label), then pseudonymise."""
    return pseudonymise_series(
        normalise_series(values, today=today), key, domain=domain, encoding=encoding
    )
