"""What the statistical engine's messages name is said in the user's language: every
phrase the engine can put in a message is in the catalog, in Swedish and English."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from effekt.engine.evaluation.estimators import difference_in_means
from effekt.errors import DataError
from effekt.i18n import Phrase, catalog

ENGINE = Path(__file__).resolve().parents[2] / "src" / "effekt" / "engine" / "evaluation"
# a literal noun handed to the helpers that name what is wrong (_values, _counts, _like,
# _binary, _arm) or to _word / Phrase directly
NAMED = re.compile(
    r'(?:_values|_counts|_binary)\(\w+, "([^"]+)"'
    r'|_like\(\w+, \w+, "([^"]+)"'
    r'|_arm\([^)]*"(treated|control)"\)'
    r'|_word\("([^"]+)"\)'
    r'|Phrase\("stats\.what\.([^"]+)"\)'
)


def codes_named_in_the_engine() -> set[str]:
    found = set()
    for path in ENGINE.glob("*.py"):
        for match in NAMED.finditer(path.read_text(encoding="utf-8")):
            word = next(g for g in match.groups() if g)
            arm = match.group(3) is not None
            key = f"{word}_arm" if arm else word.replace(" ", "_").replace("-", "_")
            found.add(f"stats.what.{key}")
    return found


def test_every_phrase_the_engine_names_is_in_the_catalog() -> None:
    named = codes_named_in_the_engine()
    assert len(named) > 15
    assert named - catalog().keys() == set()


def test_an_engine_error_names_what_is_wrong_in_swedish() -> None:
    with pytest.raises(DataError) as exc:
        difference_in_means(np.array([]), np.array([1.0, 0.0]))
    assert exc.value.params["what"] == Phrase("stats.what.treated")
    assert exc.value.render("sv").startswith("Utfallet i insatsgruppen har 0 värden")
    assert exc.value.render("en").startswith("The outcome in the treated group has 0 values")
