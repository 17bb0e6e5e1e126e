"""Property-based fuzzing of check and explain: any input ends with exit 0, 1 or 2, quickly, in bounded memory.

Profiles: "ci" (the default: a few hundred examples in total, derandomized so CI is reproducible)
and "long" (`python -m tests.fuzz --minutes 30`, random, no deadline). AGENTZIP_FUZZ_PROFILE picks one.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    deadline=timedelta(seconds=10),
    suppress_health_check=_QUIET,
    database=None,
)
settings.register_profile("long", max_examples=400, derandomize=False, deadline=None, suppress_health_check=_QUIET)
PROFILE = os.environ.get("AGENTZIP_FUZZ_PROFILE", "ci")
