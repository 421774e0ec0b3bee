"""Refusing a run that cannot fit in memory: the sizes the message gives."""

from __future__ import annotations

import pytest

from effekt.services.memory import in_gib

GIB = 2**30


@pytest.mark.parametrize(
    ("needed", "memory", "shown"),
    [
        (4470.2 * GIB, 23.6 * GIB, (4470.0, 24.0)),  # whole GiB where they differ
        (24.5 * GIB, 23.8 * GIB, (24.5, 23.8)),  # both 24 in whole GiB: one decimal
        (0.5 * GIB, 0.25 * GIB, (0.5, 0.2)),  # never "needs at least 0 GiB"
        (16.25 * GIB, 16.2 * GIB, (16.25, 16.2)),
    ],
)
def test_the_memory_needed_is_shown_above_the_memory_there_is(
    needed: float, memory: float, shown: tuple[float, float]
) -> None:
    # before: round() on both, "needs at least 24 GiB … more than this computer's 24 GiB"
    n, m = in_gib(int(needed), int(memory))
    assert (n, m) == pytest.approx(shown) and n > m
    assert n <= needed / GIB  # "at least": never more than the estimate


def test_simulate_refusal_tells_needed_and_available_memory_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from effekt.cli import main
    from effekt.services import memory

    monkeypatch.setattr(memory, "physical_memory", lambda: int(23.8 * GIB))
    norrkoping = Path(__file__).parents[2] / "examples" / "norrkoping.toml"
    paths = str(-(-int(24.5 * GIB) // 48))  # 4 parties × NPV, IRR, multiple × 4 bytes
    res = CliRunner().invoke(main, ["simulate", str(norrkoping), "--paths", paths, "--lang", "sv"])
    assert res.exit_code == 2, res.output
    assert "minst 24,5 GiB" in res.output and "datorns 23,8 GiB" in res.output
