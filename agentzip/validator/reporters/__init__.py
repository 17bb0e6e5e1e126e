"""Output formats behind one seam: render(report) -> str, chosen by name."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import ModuleType

from agentzip.validator.findings import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Renderer(Protocol):
        def __call__(self, report: Report, *, color: bool = False) -> str: ...


FORMATS = ("text", "json", "sarif", "github", "junit")


def _module(name: str) -> ModuleType:
    """The format's module, by the import statement itself (importlib, with warnings, costs every check ~1 ms)."""
    full = f"agentzip.validator.reporters.{name}"
    __import__(full)
    return sys.modules[full]


def get(name: str) -> Renderer:
    """The render function of a format; ValueError for an unknown name."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    render: Renderer = _module(name).render
    return render


def render_all(name: str, reports: Sequence[Report], *, color: bool = False) -> str:
    """Several reports as one document (several paths, or one per azure.yaml service).

    SARIF and JUnit must stay one document (one run, one <testsuites>), so a format module may
    define render_all; the others are joined: text with a blank line, the rest back to back.
    """
    get(name)  # the same error for an unknown name
    module = _module(name)
    if hasattr(module, "render_all"):
        return str(module.render_all(reports, color=color))
    chunks = [module.render(r, color=color) for r in reports]
    return "\n".join(chunks) if name == "text" else "".join(chunks)
