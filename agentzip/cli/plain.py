"""What a command does once its flags are parsed, without click: exit codes, errors, output.

`agentzip check` with nothing but paths (the pre-commit hook) runs from here without importing
click at all (agentzip.cli.checkrun); every other command line goes through click (agentzip.cli.group).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

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


def echo(text: str, *, err: bool = False) -> None:
    """Write to standard output (or error) and flush, as click.echo does for text."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text)
    stream.flush()


def _split(values: tuple[str, ...]) -> list[str]:
    """`--select AZ1,AZ2 --select raw-wheel` -> ['AZ1', 'AZ2', 'raw-wheel']."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one error line and exit (2 unless told otherwise)."""
    echo(f"agentzip: error: {message}\n", err=True)
    sys.exit(code)


def internal_error(where: str, exc: BaseException, *, debug: bool) -> NoReturn:
    """The last line of defence: a bug is one line and exit 3, never a traceback (unless --debug)."""
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    echo(f"agentzip: internal error in {where}: {type(exc).__name__}: {exc}; please report it\n", err=True)
    sys.exit(EXIT_INTERNAL)


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


def _write(text: str, output: str | None) -> None:
    """To standard output (keeping colour codes when they were asked for) or to a file."""
    if output is None:
        # The text has colour codes only when use_color() said so (--color, FORCE_COLOR, a terminal).
        echo(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror}")


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
        echo(chart, err=err)
