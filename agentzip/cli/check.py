"""`agentzip check`: lint a zip or the folder that will be zipped."""

from __future__ import annotations

import sys
from typing import Any

import click

from agentzip.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Choice,
    _fail,
    _size_charts,
    _split,
    _with_definition_options,
    _with_target_options,
    _write,
    exit_status_help,
    parse_outputs,
    request_from_flags,
    use_color,
)
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
    type=click.Choice(["error", "warning", "info"]),
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
    from agentzip import api
    from agentzip.errors import AgentzipError
    from agentzip.validator import reporters

    sel, ign = _split(select), _split(ignore)
    if sel or ign:  # rule modules load only when a selector needs checking against them
        _check_selectors(sel + ign)
    output, extra = parse_outputs(outputs)
    request = request_from_flags(
        **settings,
        select=tuple(sel) or None,
        ignore=tuple(ign) or None,
        fail_on=fail_on,
        with_sha256=any(f != "text" for f in (fmt, *extra)),
        import_test=import_test or python is not None,
        python=python,
    )
    reports = []
    for path in paths or (".",):
        try:
            reports += api.check_all(path, request)
        except AgentzipError as e:
            _fail(str(e), e.exit_code)
    _write(reporters.render_all(fmt, reports, color=use_color(color, to_file=output is not None)), output, color)
    for other, path in extra.items():
        _write(reporters.render_all(other, reports, color=use_color(color, to_file=True)), path, color)
    if size_report:
        # The chart goes where a person reads it: never into a machine-readable stdout.
        to_stderr = fmt != "text" and output is None
        _size_charts([r.input.path for r in reports], color=use_color(color, to_file=False), err=to_stderr)
    sys.exit(EXIT_FINDINGS if any(r.failed for r in reports) else EXIT_OK)


def _check_selectors(words: list[str]) -> None:
    """Exit 2 when a --select/--ignore word names no rule: a typo must not silently select nothing."""
    from agentzip.api import load_rules
    from agentzip.cli.common import did_you_mean
    from agentzip.validator.registry import all_rules, unknown_selectors

    load_rules()
    bad = unknown_selectors(words)
    if bad:
        known = [r.name for r in all_rules()] + [r.code for r in all_rules()]
        _fail(f"no rule matches {', '.join(bad)}{did_you_mean(bad[0], known)} (see `agentzip rules`)")
