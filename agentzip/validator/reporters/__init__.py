"""Output formats behind one seam: render(report) -> str, chosen by name."""

from __future__ import annotations

import importlib
from typing import Protocol

from agentzip.validator.findings import Report

FORMATS = ("text", "json", "sarif", "github", "junit")


class Renderer(Protocol):
    def __call__(self, report: Report, *, color: bool = False) -> str: ...


def get(name: str) -> Renderer:
    """The render function of a format; ValueError for an unknown name."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"agentzip.validator.reporters.{name}")
    render: Renderer = module.render
    return render
