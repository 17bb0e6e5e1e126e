"""`agentzip fix`: repair what is mechanical in a zip built elsewhere, into a new zip, then check it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from agentzip.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    _fail,
    _with_definition_options,
    _with_target_options,
    exit_status_help,
    request_from_flags,
)

EXAMPLES = """\b
Examples:
  agentzip fix agent-code.zip -o fixed.zip
  agentzip fix agent-code.zip --dry-run
  agentzip fix my-agent/ -o fixed.zip --runtime python_3_14"""


@click.command(
    short_help="Repair a zip built elsewhere into one that checks clean.",
    epilog=EXAMPLES + "\n\n" + exit_status_help("the fixed zip has a finding at or above --fail-on"),
)
@click.argument("src", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The fixed zip to write (never SRC).")
@click.option("--dry-run", is_flag=True, help="List the changes; write nothing.")
@click.option("--drop-secrets", is_flag=True, help="Leave out the secrets found (default: keep them and say so).")
@click.option(
    "--installer",
    type=click.Choice(["uv", "pip"]),
    default="uv",
    show_default=True,
    help="What installs raw wheels and reinstalls distributions for the target.",
)
@_with_target_options
@_with_definition_options
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 when the fixed zip has a finding at least this severe (default: error).",
)
@click.option("--color/--no-color", default=None, help="Colour the report (default: on a terminal).")
def fix(
    src: str,
    output: str | None,
    dry_run: bool,
    drop_secrets: bool,
    installer: str,
    fail_on: str | None,
    color: bool | None,
    settings: dict[str, Any],
) -> None:
    """Repair a zip (or folder) built elsewhere: flatten a wrapper folder, drop junk, caches and
    bytecode, install raw wheels, reinstall distributions built for another platform or Python.
    Secrets are reported, and kept unless --drop-secrets. Then check the new zip."""
    from agentzip.builder.fix import FixOptions
    from agentzip.builder.fix import fix as run_fix
    from agentzip.errors import AgentzipError
    from agentzip.validator import reporters

    if output is None and not dry_run:
        _fail("give the zip to write with -o FILE, or --dry-run to list the changes")
    request = request_from_flags(
        **settings,
        fail_on=fail_on,
        with_sha256=False,
    )
    options = FixOptions(
        src=Path(src),
        output=None if dry_run else Path(output or ""),
        request=request,
        installer=installer,
        drop_secrets=drop_secrets,
    )
    try:
        result = run_fix(options, click.echo)
    except AgentzipError as e:
        _fail(str(e), e.exit_code)
    if result.report is None:
        sys.exit(EXIT_OK)
    if color is None:
        color = sys.stdout.isatty()
    click.echo(reporters.render_all("text", [result.report], color=color), nl=False)
    sys.exit(EXIT_FINDINGS if result.report.failed else EXIT_OK)
