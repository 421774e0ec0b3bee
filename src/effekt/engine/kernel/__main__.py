"""``python -m effekt.engine.kernel``: compile the engine once, ahead of the first run.

numba compiles on first use and caches the machine code on disk (``__pycache__``); the
first ``effekt simulate`` after an install would otherwise spend about half a minute
compiling. ``make`` runs this after installing.
"""

from __future__ import annotations

import time
from importlib import resources

from effekt.contract.load import load_contract
from effekt.engine.inputs import expected_inputs
from effekt.engine.kernel import kernel_flows


def main() -> None:
    start = time.perf_counter()
    with resources.as_file(
        resources.files("effekt.contract") / "templates" / "template.en.toml"
    ) as path:
        c = load_contract(path)
    kernel_flows(c, expected_inputs(c, 2))
    print(f"effekt: the compiled engine is ready ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
