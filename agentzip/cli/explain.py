"""`agentzip explain`: why a module will not import in the runtime."""

from __future__ import annotations

import sys
from typing import Any

import click

from agentzip.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Choice,
    _fail,
    _with_definition_options,
    _with_target_options,
    _write,
    exit_status_help,
    request_from_flags,
    use_color,
)

LOG_LINE_LIMIT = 64 << 10  # characters of one log line read at a time: a log is never read whole


@click.command(
    epilog=exit_status_help('a module will not import (its import raises; "fails when used" is 0)'),
    short_help="Explain why a module will not import.",
)
@click.argument("path", required=False, type=click.Path())
@click.option(
    "-m",
    "--module",
    "modules",
    multiple=True,
    help="A module that will not import, e.g. yaml or azure.identity (repeatable).",
)
@click.option(
    "--log",
    "log",
    type=click.File("r", encoding="utf-8", errors="replace"),
    help="A log or traceback from the portal or azd ('-' for standard input): every import error in it is explained.",
)
@_with_target_options
@click.option(
    "--format",
    "fmt",
    type=Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the explanation to a file.")
@click.option("--color/--no-color", default=None, help="Colour the text (default: on a terminal; see NO_COLOR).")
@_with_definition_options
def explain(
    path: str | None,
    modules: tuple[str, ...],
    log: Any,
    fmt: str,
    output: str | None,
    color: bool | None,
    settings: dict[str, Any],
) -> None:
    """Explain why a module will not import in the runtime, from a zip or the folder to be zipped.

    \b
    Examples:
      agentzip explain agent.zip --module yaml
      agentzip explain src/my-agent -m azure.identity -m openai --runtime python_3_14
      azd deploy 2>&1 | agentzip explain . --log -
    """
    from agentzip import api
    from agentzip import explain as explaining
    from agentzip.errors import AgentzipError

    if not modules and log is None:
        _fail("name the module (--module NAME) or give the log (--log FILE, or --log - for standard input)")
    lines = iter(lambda: log.readline(LOG_LINE_LIMIT), "") if log is not None else None
    request = request_from_flags(
        **settings,
        with_sha256=fmt == "json",
    )
    try:
        result = api.explain(path or ".", request, modules=modules, log=lines)
    except AgentzipError as e:
        _fail(str(e), e.exit_code)
    colour = use_color(color, to_file=output is not None)
    text = explaining.render_json(result) if fmt == "json" else explaining.render_text(result, color=colour)
    _write(text, output)
    sys.exit(EXIT_FINDINGS if result.failed else EXIT_OK)
