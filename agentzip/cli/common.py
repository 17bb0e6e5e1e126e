"""What every command shares: exit codes, the target and definition flags, errors and output."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

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


def close_match(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The choice a typo most likely meant (ties go to the earlier choice), or None."""
    from difflib import SequenceMatcher

    best, score = None, 0.6  # difflib.get_close_matches' cutoff
    for choice in choices:
        ratio = SequenceMatcher(None, word.lower(), choice.lower()).ratio()
        if ratio > score:
            best, score = choice, ratio
    return best


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """ "; did you mean 'json'?" for a close choice, else ""."""
    close = close_match(word, choices)
    return f"; did you mean {close!r}?" if close else ""


class Choice(click.Choice):  # type: ignore[type-arg]
    """click.Choice that names the closest choice: `--format jsn` -> did you mean 'json'?"""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as e:
            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            if not hint:
                raise
            raise click.BadParameter(e.message.rstrip(".") + hint, ctx=e.ctx, param=e.param) from None


def parse_outputs(values: tuple[str, ...]) -> tuple[str | None, dict[str, str]]:
    """`-o FILE` and `--output FORMAT=FILE`: the file for the --format report, and the other formats' files."""
    import re

    from agentzip.validator.reporters import FORMATS

    plain: list[str] = []
    extra: dict[str, str] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z]+", name):
            plain.append(value)  # a file name, even one with '=' further on
            continue
        if name not in FORMATS:
            _fail(f"--output {value}: no format {name!r}{did_you_mean(name, FORMATS)} (choose {', '.join(FORMATS)})")
        if not path:
            _fail(f"--output {value}: name the file, e.g. --output {name}=report.{name}")
        if name in extra:
            _fail(f"--output {name}= is given twice")
        extra[name] = path
    if len(plain) > 1:
        _fail(f"-o/--output FILE is given {len(plain)} times; use FORMAT=FILE for the other formats")
    return (plain[0] if plain else None), extra


def use_color(flag: bool | None, *, to_file: bool = False) -> bool:
    """--color/--no-color, else NO_COLOR, FORCE_COLOR, TERM=dumb and the terminal test (agentzip.terminal)."""
    from agentzip import terminal

    return terminal.use_color(flag, to_file=to_file)


def _write(text: str, output: str | None, color: bool | None = None) -> None:
    """To standard output (keeping colour codes when they were asked for) or to a file."""
    if output is None:
        # click strips ANSI codes when stdout is not a terminal; FORCE_COLOR and --color mean keep them.
        click.echo(text, nl=False, color=True if use_color(color) else None)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror}")


target_options = [
    click.option(
        "--runtime",
        type=Choice(RUNTIMES),
        help="Target runtime (default: from config or definition, else inferred).",
    ),
    click.option(
        "--mode",
        type=Choice(MODES),
        help="Dependency resolution (default: inferred from the bundle).",
    ),
    click.option("--entry-point", help="Entry point file or command, e.g. main.py."),
    click.option("--glibc", help="Newest glibc the runtime is assumed to have (default 2.17)."),
]


def _folding(names: tuple[str, ...], options: list[Any], f: Any) -> Any:
    """Add `options` to the command `f`, handing their values to it as one `settings` dict (merged
    with what an outer group of options folded), so commands pass them on without naming each."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        folded = {name: kwargs.pop(name) for name in names}
        return f(*args, settings={**kwargs.pop("settings", {}), **folded}, **kwargs)

    for opt in reversed(options):
        command = opt(command)
    return command


TARGET_FLAGS = ("runtime", "mode", "entry_point", "glibc")
DEFINITION_FLAGS = ("config", "no_config", "definition", "service")


def _with_target_options(f: Any) -> Any:
    """--runtime, --mode, --entry-point, --glibc, folded into the command's `settings`."""
    return _folding(TARGET_FLAGS, target_options, f)


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
    """--config, --no-config, --definition, --service, folded into the command's `settings`."""
    return _folding(DEFINITION_FLAGS, definition_options, f)


def _glibc(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    from agentzip.validator.target import parse_glibc

    try:
        return parse_glibc(value)
    except ValueError as e:
        _fail(str(e))


def request_from_flags(*, glibc: str | None = None, **settings: Any) -> CheckRequest:
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
        click.echo(chart, nl=False, err=err, color=color or None)
