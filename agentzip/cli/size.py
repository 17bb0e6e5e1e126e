"""`agentzip size`: what takes the room in a zip, against the upload limit."""

from __future__ import annotations

import click

from agentzip.cli.common import Choice, _fail, _size_charts, exit_status_help, use_color


@click.command(epilog=exit_status_help(None), short_help="Chart what takes the room in a zip, against the limit.")
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
@click.option(
    "--format",
    "fmt",
    type=Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text draws the chart; json gives its data (every contributor, in bytes) for tools.",
)
@click.option("--color/--no-color", default=None, help="Colour the chart (default: on a terminal; see NO_COLOR).")
@click.option("--service", help="The azure.yaml agent service to measure (default: each).")
def size(
    paths: tuple[str, ...], top: int, ascii_: bool | None, fmt: str, color: bool | None, service: str | None
) -> None:
    """Draw what takes the room in a zip, or in the zip a folder would make, against the 250 MiB limit.

    \b
    Examples:
      agentzip size agent-code.zip
      agentzip size src/my-agent --top 20
      agentzip size . --format json > sizes.json
    """
    from agentzip.errors import AgentzipError
    from agentzip.validator.definition import resolve

    targets: list[str] = []
    for path in paths or (".",):
        try:
            targets += [str(p) for p, _ in resolve(path, service=service)]
        except AgentzipError as e:
            _fail(str(e), e.exit_code)
    if fmt == "json":
        _size_json(targets)
        return
    _size_charts(targets, color=use_color(color), top=top, ascii=ascii_)


def _size_json(paths: list[str]) -> None:
    import json

    from agentzip import sizereport
    from agentzip.errors import AgentzipError

    try:
        doc = sizereport.to_json([sizereport.measure_path(p) for p in paths])
    except AgentzipError as e:
        _fail(str(e), e.exit_code)
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
