"""Settings for the whole suite.

Property tests (hypothesis) draw the same examples on every run by default, so `make test`
— and CI — pass or fail alike each time: a failure is reproducible from the test's name.
``HYPOTHESIS_PROFILE=explore make test`` draws new examples on every run, to look further
(the long searches are ``make fuzz``).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
