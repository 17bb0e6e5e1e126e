"""`agentzip size`: what takes the room in a zip, against the upload limit."""

from __future__ import annotations

import sys

import click

from agentzip.cli.common import _fail, _size_charts, exit_status_help


@click.command(epilog=exit_status_help(None))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--top", type=click.IntRange(1, 200), default=12, show_default=True, help="How many contributors to draw."
)
@click.option(
    "--ascii/--no-ascii",
    "ascii_",
    default=None,
    help="Draw with ASCII only (default: when the terminal cannot show blocks).",
)
@click.option("--color/--no-color", default=None, help="Colour the chart (default: on a terminal).")
@click.option("--service", help="The azure.yaml agent service to measure (default: each).")
def size(paths: tuple[str, ...], top: int, ascii_: bool | None, color: bool | None, service: str | None) -> None:
    """Draw what takes the room in a zip or the zip a folder would make, against the 250 MB limit."""
    from agentzip.errors import AgentzipError
    from agentzip.validator.definition import resolve

    if color is None:
        color = sys.stdout.isatty()
    targets: list[str] = []
    for path in paths or (".",):
        try:
            targets += [str(p) for p, _ in resolve(path, service=service)]
        except AgentzipError as e:
            _fail(str(e), e.exit_code)
    _size_charts(targets, color=color, top=top, ascii=ascii_)
