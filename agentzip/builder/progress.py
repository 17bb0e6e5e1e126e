"""Progress: a spinner naming the current step, on a terminal only."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

FRAMES = "|/-\\"


class Spinner:
    """`with Spinner("installing 2 requirements with uv", enabled=...)`: draws on stderr.

    Disabled (a no-op) with --quiet or when stderr is not a terminal, so logs and pipes stay clean.
    """

    def __init__(self, step: str, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.step = step
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    def _spin(self) -> None:
        i = 0
        while not self._stop.wait(0.1):
            elapsed = time.monotonic() - self._started
            self.stream.write(f"\r{FRAMES[i % len(FRAMES)]} {self.step} ({elapsed:.0f}s)")
            self.stream.flush()
            i += 1

    def __enter__(self) -> Spinner:
        self._started = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            # erase the line so the next message starts clean
            self.stream.write("\r" + " " * (len(self.step) + 12) + "\r")
            self.stream.flush()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started
