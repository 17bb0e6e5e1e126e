"""The command line: parse flags, call the library, map errors to exit codes. No logic here.

This package imports nothing heavy: click comes with agentzip.cli.group, loaded when `main` is
first asked for, so the click-free fast path (agentzip.cli.checkrun) never pays for it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["_fail", "exit_status_help", "main", "request_from_flags"]


def __getattr__(name: str) -> Any:
    """`from agentzip.cli import main` (and the helpers builder/command.py uses), loaded on first use."""
    if name == "main":
        from agentzip.cli.group import main

        return main
    if name in ("_fail", "exit_status_help", "request_from_flags"):
        from agentzip.cli import plain

        return getattr(plain, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
