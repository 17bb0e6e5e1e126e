"""The command line: parse flags, call the library, map errors to exit codes. No logic here."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import click

from agentzip import __version__
from agentzip.foundry import MODES, RUNTIMES

if TYPE_CHECKING:
    from agentzip.settings import CheckRequest

# One exit-code policy for every command (README, "Exit status").
EXIT_OK = 0  # nothing at or above --fail-on
EXIT_FINDINGS = 1  # findings at or above --fail-on (explain: a module will not import; build: it failed)
EXIT_USAGE = 2  # bad flags or config, an input that does not exist
EXIT_INTERNAL = 3  # a bug in agentzip: one line, the traceback with --debug
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it


def exit_status_help(findings: str | None) -> str:
    """The exit-status paragraph of a command's --help; `findings` says what exit 1 means there."""
    one = f" 1 {findings};" if findings else ""
    return (
        f"\b\nExit status: 0 ok;{one}\n2 usage error or missing input; 3 internal error (--debug shows the traceback);"
        "\n130 interrupted (Ctrl-C)."
    )


def _split(values: tuple[str, ...]) -> list[str]:
    """`--select AZ1,AZ2 --select raw-wheel` -> ['AZ1', 'AZ2', 'raw-wheel']."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one error line and exit (2 unless told otherwise)."""
    click.echo(f"agentzip: error: {message}", err=True)
    sys.exit(code)


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror}")


class _LazyGroup(click.Group):
    """A group whose heavier commands are imported when named (click's documented lazy loading)."""

    lazy: ClassVar[dict[str, tuple[str, str]]] = {"build": ("agentzip.builder.command", "build_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """The last line of defence: a bug is one line and exit 3, never a traceback (unless --debug)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own: --help, usage errors, exits
        except Exception as exc:
            where = ctx.invoked_subcommand or "agentzip"
            if ctx.meta.get(DEBUG_KEY):
                import traceback

                traceback.print_exc(file=sys.stderr)
            click.echo(f"agentzip: internal error in {where}: {type(exc).__name__}: {exc}; please report it", err=True)
            sys.exit(EXIT_INTERNAL)


DEBUG_KEY = "agentzip.debug"


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=exit_status_help("findings at or above --fail-on (each command says)"),
)
@click.version_option(__version__, "-V", "--version", prog_name="agentzip")
@click.option("--debug", is_flag=True, help="Print the traceback of an internal error (exit 3).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Stop broken Foundry hosted-agent deployments before they are uploaded."""
    ctx.meta[DEBUG_KEY] = debug


target_options = [
    click.option(
        "--runtime",
        type=click.Choice(RUNTIMES),
        help="Target runtime (default: from config or definition, else inferred).",
    ),
    click.option(
        "--mode",
        type=click.Choice(MODES),
        help="Dependency resolution (default: inferred from the bundle).",
    ),
    click.option("--entry-point", help="Entry point file or command, e.g. main.py."),
    click.option("--glibc", help="Newest glibc the runtime is assumed to have (default 2.17)."),
]


def _with_target_options(f: Any) -> Any:
    for opt in reversed(target_options):
        f = opt(f)
    return f


definition_options = [
    click.option(
        "--config",
        type=click.Path(dir_okay=False),
        help="Read settings from this file "
        "(default: the nearest agentzip.toml or [tool.agentzip] in pyproject.toml above PATH).",
    ),
    click.option("--no-config", is_flag=True, help="Ignore config files."),
    click.option(
        "--definition",
        type=click.Path(dir_okay=False),
        help="Agent definition: azure.yaml, agent.yaml or the REST metadata JSON (default: found beside a folder).",
    ),
    click.option("--service", help="The azure.yaml agent service to check (default: each)."),
]


def _with_definition_options(f: Any) -> Any:
    for opt in reversed(definition_options):
        f = opt(f)
    return f


def _glibc(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    from agentzip.validator.target import parse_glibc

    try:
        return parse_glibc(value)
    except ValueError as e:
        _fail(str(e))


@main.command(epilog=exit_status_help("a finding at or above --fail-on (default error)"))
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


def request_from_flags(*, glibc: str | None, **settings: Any) -> CheckRequest:
    """The one CheckRequest a command's flags stand for (the --glibc text parsed, exit 2 if bad)."""
    from agentzip.settings import CheckRequest

    return CheckRequest.make(glibc_floor=_glibc(glibc), **settings)


def _size_charts(paths: list[str], *, color: bool, err: bool = False, top: int = 12, ascii: bool | None = None) -> None:
    from agentzip import sizereport
    from agentzip.errors import AgentzipError

    for path in paths:
        try:
            chart = sizereport.render(sizereport.measure_path(path), color=color, top=top, ascii=ascii)
        except AgentzipError as e:
            _fail(str(e), e.exit_code)
        click.echo(chart, nl=False, err=err)


@main.command(epilog=exit_status_help(None))
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


LOG_LINE_LIMIT = 64 << 10  # characters of one log line read at a time: a log is never read whole


@main.command(epilog=exit_status_help("a module will not import (its import raises; \"fails when used\" is 0)"))
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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the explanation to a file.")
@click.option("--color/--no-color", default=None, help="Colour the text (default: on a terminal).")
@_with_definition_options
def explain(
    path: str | None,
    modules: tuple[str, ...],
    log: Any,
    runtime: str | None,
    mode: str | None,
    entry_point: str | None,
    glibc: str | None,
    fmt: str,
    output: str | None,
    color: bool | None,
    config: str | None,
    no_config: bool,
    definition: str | None,
    service: str | None,
) -> None:
    """Explain why a module will not import in the runtime, from a zip or the folder to be zipped.

    \b
    agentzip explain agent.zip --module yaml
    azd deploy 2>&1 | agentzip explain . --log -
    """
    from agentzip import api
    from agentzip import explain as explaining
    from agentzip.errors import AgentzipError

    if not modules and log is None:
        _fail("name the module (--module NAME) or give the log (--log FILE, or --log - for standard input)")
    lines = iter(lambda: log.readline(LOG_LINE_LIMIT), "") if log is not None else None
    request = request_from_flags(
        runtime=runtime,
        mode=mode,
        entry_point=entry_point,
        glibc=glibc,
        config=config,
        no_config=no_config,
        definition=definition,
        service=service,
        with_sha256=fmt == "json",
    )
    try:
        result = api.explain(path or ".", request, modules=modules, log=lines)
    except AgentzipError as e:
        _fail(str(e), e.exit_code)
    if color is None:
        color = output is None and sys.stdout.isatty()
    text = explaining.render_json(result) if fmt == "json" else explaining.render_text(result, color=color)
    _write(text, output)
    sys.exit(EXIT_FINDINGS if result.failed else EXIT_OK)


@main.command(epilog=exit_status_help(None))
@click.argument("rule", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def rules(rule: str | None, fmt: str) -> None:
    """List the rules, or show one rule's docs (by code or name)."""
    from agentzip import docs

    if rule is None:
        click.echo(docs.catalogue(fmt), nl=False)
        return
    from agentzip.api import load_rules
    from agentzip.validator.registry import find_rule

    load_rules()
    r = find_rule(rule)
    if r is None:
        _fail(f"no rule named {rule!r} (see `agentzip rules`)")
    click.echo(docs.rule_page(r, fmt), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
