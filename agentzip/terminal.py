"""Terminal styling shared by every human-facing renderer (reports, explain, size charts)."""

from __future__ import annotations


def style(text: str, color: bool, **kw: object) -> str:
    """`text` in click's colours when `color` is on (and there is text to colour)."""
    if not color or not text:
        return text
    import click

    return click.style(text, **kw)  # type: ignore[arg-type]
