"""`agentzip check`: lint a zip or the folder that will be zipped."""

from __future__ import annotations

import sys

import click

from agentzip.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    _fail,
    _size_charts,
    _split,
    _with_definition_options,
    _with_target_options,
    _write,
    exit_status_help,
    request_from_flags,
)


@click.command(epilog=exit_status_help("a finding at or above --fail-on (default error)"))
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
    type=click.Choice(["text", "json", "sarif", "github", "junit"]),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal).")
@_with_definition_options
@click.option("--size-report", is_flag=True, help="Also draw the largest contributors against the 250 MB limit.")
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
    runtime: str | None,
    mode: str | None,
    entry_point: str | None,
    glibc: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    fmt: str,
    output: str | None,
    color: bool | None,
    config: str | None,
    no_config: bool,
    definition: str | None,
    service: str | None,
    size_report: bool,
    import_test: bool,
    python: str | None,
) -> None:
    """Check a deployment zip or the folder that will be zipped (default: the current folder)."""
    from agentzip import api
    from agentzip.errors import AgentzipError
    from agentzip.validator import reporters

    sel, ign = _split(select), _split(ignore)
    if sel or ign:  # rule modules load only when a selector needs checking against them
        _check_selectors(sel + ign)
    if color is None:
        color = output is None and sys.stdout.isatty()
    request = request_from_flags(
        runtime=runtime,
        mode=mode,
        entry_point=entry_point,
        glibc=glibc,
        config=config,
        no_config=no_config,
        definition=definition,
        service=service,
        select=tuple(sel) or None,
        ignore=tuple(ign) or None,
        fail_on=fail_on,
        with_sha256=fmt != "text",
        import_test=import_test or python is not None,
        python=python,
    )
    reports = []
    for path in paths or (".",):
        try:
            reports += api.check_all(path, request)
        except AgentzipError as e:
            _fail(str(e), e.exit_code)
    _write(reporters.render_all(fmt, reports, color=color), output)
    if size_report:
        # The chart goes where a person reads it: never into a machine-readable stdout.
        to_stderr = fmt != "text" and output is None
        _size_charts([r.input.path for r in reports], color=color, err=to_stderr)
    sys.exit(EXIT_FINDINGS if any(r.failed for r in reports) else EXIT_OK)


def _check_selectors(words: list[str]) -> None:
    """Exit 2 when a --select/--ignore word names no rule: a typo must not silently select nothing."""
    from agentzip.api import load_rules
    from agentzip.validator.registry import unknown_selectors

    load_rules()
    bad = unknown_selectors(words)
    if bad:
        _fail(f"no rule matches {', '.join(bad)} (see `agentzip rules`)")
