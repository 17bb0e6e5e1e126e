"""explain on a real foreign-platform bundle costs about what check costs on it (issue: within 2x).

CPU time in this process (time.process_time), the parsed-names cache off (conftest), each command
once after a warm-up that imports the code: explain on numpy and pandas built for CPython 3.12 and
Windows reads the natives and follows the imports that check reads too. The bound is loose (3x)
so a busy machine does not fail it; benchmarks/bench_explain.py has the medians.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agentzip import api

pytestmark = pytest.mark.network
realwheels = pytest.importorskip("fixtures.realwheels", reason="the real-wheel recipes are not in this checkout")

MODULES = ["numpy", "pandas", "yaml", "_yaml", "PIL.Image"]
BOUND = 3.0


def _cpu(fn: object) -> float:
    started = time.process_time()
    fn()  # type: ignore[operator]
    return time.process_time() - started


@pytest.mark.parametrize("recipe", ["data-py312", "data-win-amd64"])
def test_explain_costs_at_most_a_few_checks(recipe: str) -> None:
    path: Path = realwheels.bundle_zip(recipe)
    api.explain(path, modules=["json"], mode="bundled", with_sha256=False)  # imports the code once
    check = _cpu(lambda: api.check(path, mode="bundled"))
    slow = {}
    for m in MODULES:
        spent = _cpu(lambda m=m: api.explain(path, modules=[m], mode="bundled", with_sha256=False))
        if spent > BOUND * check:
            slow[m] = round(spent, 2)
    assert slow == {}, f"check took {check:.2f} s CPU; explain took {slow}"
