"""Run the CLI in process on one input and check the promises: exit 0/1/2, no exception, bounded time and memory."""

from __future__ import annotations

import resource
import sys
import time

from click.testing import CliRunner

from agentzip.cli import main

SECONDS = 8.0  # per example, far above a normal check of these small inputs (< 0.5 s)
GROWTH = 200 << 20  # peak memory may grow at most this much over one example


def _peak() -> int:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    """Exit code and output; AssertionError naming the broken promise."""
    before, start = _peak(), time.monotonic()
    result = CliRunner().invoke(main, list(args), input=stdin)
    took = time.monotonic() - start
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"agentzip {' '.join(args)} raised {type(exc).__name__}: {exc}") from exc
    assert result.exit_code in (0, 1, 2), f"exit {result.exit_code}: {result.output[-500:]}"
    assert "Traceback" not in result.output, result.output[-2000:]
    assert took < SECONDS, f"took {took:.1f} s"
    assert _peak() - before < GROWTH, f"peak memory grew by {(_peak() - before) >> 20} MB"
    return result.exit_code, result.output
