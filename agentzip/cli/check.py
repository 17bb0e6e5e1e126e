"""`agentzip check`: lint a zip or the folder that will be zipped."""

from __future__ import annotations

from typing import Any

import click

from agentzip.cli.common import Choice, _with_definition_options, _with_target_options, exit_status_help
from agentzip.validator.reporters import FORMATS


@click.command(
    epilog=exit_status_help("a finding at or above --fail-on (default error)"),
    short_help="Check a deployment zip or the folder to be zipped.",
)
@click.argument("paths", nargs=-1, type=click.Path())
@_with_target_options
@click.option("--select", multiple=True, help="Rules to run: codes, code prefixes or names (comma-separated).")
@click.option("--ignore", multiple=True, help="Rules to skip: codes, code prefixes or names.")
@click.option(
    "--fail-on",
    type=Choice(["error", "warning", "info"]),
    help="Exit 1 when a finding is at least this severe (default: the config's fail-on, else error).",
)
@click.option(
    "--format",
    "fmt",
    type=Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people; json (versioned), sarif (code scanning), github (annotations), junit (test reports).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]FILE",
    help="Write the --format report to FILE instead of standard output; FORMAT=FILE (repeatable) also writes "
    "that format, e.g. --output sarif=agentzip.sarif --output junit=report.xml.",
)
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal; see NO_COLOR).")
@_with_definition_options
@click.option("--size-report", is_flag=True, help="Also draw the largest contributors against the 250 MiB limit.")
@click.option(
    "--import-test",
    is_flag=True,
    help="Also import what the entry point imports under a real CPython of the target's version (AZ406).",
)
@click.option(
    "--python",
    "python",
    type=click.Path(dir_okay=False),
    help="The CPython for --import-test (default: uv python find, python3.X on PATH, pyenv).",
)
def check(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    fmt: str,
    outputs: tuple[str, ...],
    color: bool | None,
    size_report: bool,
    import_test: bool,
    python: str | None,
    settings: dict[str, Any],
) -> None:
    """Check a deployment zip or the folder that will be zipped (default: the current folder).

    \b
    Examples:
      agentzip check agent-code.zip
      agentzip check src/my-agent --runtime python_3_14 --mode bundled
      agentzip check . --select AZ3 --ignore glibc-too-new
      agentzip check . --format github --output sarif=agentzip.sarif --output junit=report.xml
      NO_COLOR=1 agentzip check . | less
    """
    from agentzip.cli.checkrun import run_check

    run_check(
        paths,
        select=select,
        ignore=ignore,
        fail_on=fail_on,
        fmt=fmt,
        outputs=outputs,
        color=color,
        size_report=size_report,
        import_test=import_test,
        python=python,
        settings=settings,
    )
