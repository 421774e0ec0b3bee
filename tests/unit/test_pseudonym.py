"""Keyed pseudonyms (HMAC-SHA-256) and how their keys are read."""

from __future__ import annotations

import base64
import doctest
import hashlib
import hmac
import logging
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from effekt.errors import ConfigurationError, DataError, InputError
from effekt.privacy import pseudonym
from effekt.privacy.pseudonym import PseudonymKey

TODAY = date(2025, 6, 1)
KEY_BYTES = bytes(range(32))
KEY = PseudonymKey(KEY_BYTES)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(pseudonym)
    assert result.attempted >= 2
    assert result.failed == 0


def test_pseudonym_follows_the_documented_construction() -> None:
    # subkey = HMAC(key, "effekt-pseudonym-v1" 0x00 domain); token = HMAC(subkey, value)
    subkey = hmac.new(KEY_BYTES, b"effekt-pseudonym-v1\x00demo", hashlib.sha256).digest()
    token = hmac.new(subkey, b"198112189876", hashlib.sha256).digest()
    expected = "ps1_" + base64.b32encode(token).decode().rstrip("=").lower()
    assert pseudonym.pseudonymise("198112189876", KEY, domain="demo") == expected
    assert pseudonym.pseudonymise("198112189876", KEY, domain="demo", encoding="hex") == (
        "ps1h_" + token.hex()
    )


def test_pseudonym_scheme_is_pinned() -> None:
    # changing the scheme would silently unlink every stored pseudonym
    assert pseudonym.pseudonymise("198112189876", KEY, domain="demo") == (
        "ps1_fqnxikj3khu6mdocgeeeif5yqmnqgfaw5hs4few7z7z6d52gxudq"
    )


def test_token_shapes() -> None:
    b32 = pseudonym.pseudonymise("x", KEY)
    hx = pseudonym.pseudonymise("x", KEY, encoding="hex")
    assert re.fullmatch(r"ps1_[a-z2-7]{52}", b32)
    assert re.fullmatch(r"ps1h_[0-9a-f]{64}", hx)


def test_every_form_of_a_personnummer_gets_the_same_pseudonym() -> None:
    forms = ["811218-9876", "8112189876", "198112189876", "19811218-9876"]
    tokens = {pseudonym.pseudonymise_personnummer(f, KEY, today=TODAY) for f in forms}
    assert len(tokens) == 1


def test_domains_and_keys_separate_pseudonyms() -> None:
    a = pseudonym.pseudonymise("198112189876", KEY, domain="investor")
    b = pseudonym.pseudonymise("198112189876", KEY, domain="evaluator")
    other = PseudonymKey(bytes(range(1, 33)))
    c = pseudonym.pseudonymise("198112189876", other, domain="investor")
    assert len({a, b, c}) == 3


def test_short_key_is_refused() -> None:
    with pytest.raises(ConfigurationError) as err:
        PseudonymKey(bytes(range(31)))
    assert err.value.code == "privacy.key.too_short"
    assert err.value.params["minimum"] == 32


def test_placeholder_key_is_refused() -> None:
    with pytest.raises(ConfigurationError) as err:
        PseudonymKey(b"0" * 64)
    assert err.value.code == "privacy.key.weak"


def test_key_is_hidden_from_repr() -> None:
    assert repr(KEY) == "PseudonymKey(<hidden>)"
    assert KEY_BYTES.hex() not in repr(KEY)


def test_key_from_environment_variable_in_hex() -> None:
    key = PseudonymKey.from_env(
        "EFFEKT_PSEUDONYM_KEY", environ={"EFFEKT_PSEUDONYM_KEY": KEY_BYTES.hex()}
    )
    assert pseudonym.pseudonymise("a", key) == pseudonym.pseudonymise("a", KEY)


def test_missing_environment_variable_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as err:
        PseudonymKey.from_env("EFFEKT_PSEUDONYM_KEY", environ={})
    assert err.value.code == "privacy.key.env_missing"


@pytest.mark.parametrize(
    ("encoding", "content"),
    [
        ("hex", (KEY_BYTES.hex() + "\n").encode()),
        ("base64", base64.b64encode(KEY_BYTES) + b"\n"),
        ("raw", KEY_BYTES),
    ],
)
def test_key_from_file(tmp_path: Path, encoding: str, content: bytes) -> None:
    path = tmp_path / "key"
    path.write_bytes(content)
    key = PseudonymKey.from_file(path, encoding=encoding)  # type: ignore[arg-type]
    assert pseudonym.pseudonymise("a", key) == pseudonym.pseudonymise("a", KEY)


def test_missing_key_file_and_undecodable_key(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        PseudonymKey.from_file(tmp_path / "nope")
    assert missing.value.code == "file.not_found"
    (tmp_path / "bad").write_text("not hex at all")
    with pytest.raises(ConfigurationError) as bad:
        PseudonymKey.from_file(tmp_path / "bad")
    assert bad.value.code == "privacy.key.not_decodable"


def test_generated_key_is_64_hex_characters_and_accepted() -> None:
    text = pseudonym.generate_key()
    assert re.fullmatch(r"[0-9a-f]{64}", text)
    assert pseudonym.generate_key() != text
    PseudonymKey.from_text(text)


def test_series_keeps_index_and_missing_values() -> None:
    values = pd.Series(["a", None, "b"], index=[5, 6, 7])
    out = pseudonym.pseudonymise_series(values, KEY, domain="d")
    assert list(out.index) == [5, 6, 7]
    assert out[5] == pseudonym.pseudonymise("a", KEY, domain="d")
    assert out[6] is pd.NA


def test_personnummer_series_is_validated_before_pseudonymising() -> None:
    out = pseudonym.pseudonymise_personnummer_series(
        ["811218-9876", "198112189876"], KEY, today=TODAY
    )
    assert out[0] == out[1]
    with pytest.raises(DataError) as err:
        pseudonym.pseudonymise_personnummer_series(["811218-9876", "811218-9875"], KEY, today=TODAY)
    assert err.value.code == "privacy.pnr.invalid_rows"
    assert "9875" not in str(err.value)


def test_nothing_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        pseudonym.pseudonymise_personnummer("811218-9876", KEY, today=TODAY)
        with pytest.raises(DataError):
            pseudonym.pseudonymise_personnummer("811218-9875", KEY, today=TODAY)
    assert caplog.records == []
