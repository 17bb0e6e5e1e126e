"""Terminal conventions in one place: when to colour, how wide to wrap, and wrapping that keeps commands pastable."""

from __future__ import annotations

import os
import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

# When standard output is not a terminal and COLUMNS is unset: wide enough for a command line,
# narrow enough to read in a CI log.
DEFAULT_WIDTH = 100
MIN_WIDTH = 40

# A fix hint's command starts at the start of the hint or after "...: ", with a program people run.
_PROGRAMS = ("pip", "uv", "zip", "cd", "rm", "find", "dotnet", "agentzip", "python", "python3", "az", "azd")
_GLUE = "\xa0"  # textwrap splits at ASCII whitespace only: a no-break space holds a command together
_COMMAND = r"(?:^|(?<=: )|(?<=\())(?:" + "|".join(_PROGRAMS) + r") "


def style(text: str, color: bool, **kw: object) -> str:
    """`text` in click's colours when `color` is on (and there is text to colour)."""
    if not color or not text:
        return text
    import click

    return click.style(text, **kw)  # type: ignore[arg-type]


def use_color(flag: bool | None, *, stream: TextIO | None = None, to_file: bool = False) -> bool:
    """Whether to colour: --color/--no-color, else NO_COLOR, FORCE_COLOR, TERM=dumb, else a terminal.

    The order is CPython's own (Lib/_colorize.py): NO_COLOR (any non-empty value, no-color.org)
    beats FORCE_COLOR (force-color.org), which beats TERM=dumb and the tty test. A report written
    to a file is plain unless --color asks for colour.
    """
    if flag is not None:
        return flag
    if to_file:
        return False
    env = os.environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    out = stream if stream is not None else sys.stdout
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError, OSError):  # a closed or replaced stream
        return False


def width() -> int:
    """Columns to wrap to: COLUMNS, else the terminal's, else DEFAULT_WIDTH (never below MIN_WIDTH).

    shutil.get_terminal_size's rule for the columns, without importing shutil (its archive
    helpers pull zlib, bz2 and lzma into every check that prints a report).
    """
    try:
        cols = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        cols = 0
    if cols <= 0:
        try:
            cols = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no terminal, a closed or replaced stream
            cols = 0
    return max(MIN_WIDTH, cols or DEFAULT_WIDTH)


def fill(text: str, cols: int, first: str, rest: str) -> list[str]:
    """`text` wrapped at spaces only: paths and tags (`cp313-win_amd64`) are never split.

    textwrap.wrap(text, cols, initial_indent=first, subsequent_indent=rest, break_long_words=False,
    break_on_hyphens=False), line for line (a property test holds the two equal), without its
    import: textwrap compiles five patterns when loaded, and every report is wrapped.
    """
    if cols <= 0:
        raise ValueError(f"invalid width {cols!r} (must be > 0)")
    # textwrap's munging: tabs expanded, each ASCII whitespace character a space; then runs of
    # spaces and the words between them are the chunks
    chunks = [c for c in re.split(r"( +)", text.expandtabs().translate(_SPACES)) if c]
    chunks.reverse()
    lines: list[str] = []
    while chunks:
        indent = rest if lines else first
        width = cols - len(indent)
        if lines and chunks[-1].strip() == "":
            del chunks[-1]  # no line starts with the space that ended the last one
        line: list[str] = []
        used = 0
        while chunks and used + len(chunks[-1]) <= width:
            used += len(chunks[-1])
            line.append(chunks.pop())
        if chunks and len(chunks[-1]) > width and not line:
            line.append(chunks.pop())  # a word longer than the line stands alone, unbroken
        if line and line[-1].strip() == "":
            del line[-1]
        if line:
            lines.append(indent + "".join(line))
    return lines or [first.rstrip()]


_SPACES = str.maketrans("\t\n\x0b\x0c\r", "     ")


def _tokens(command: str) -> list[str]:
    """Words split at spaces outside quotes (a pattern like '.venv/*' stays one word)."""
    out: list[str] = []
    word, quote = "", ""
    for ch in command:
        if quote:
            word += ch
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            word += ch
            quote = ch
        elif ch == " ":
            if word:
                out.append(word)
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def _units(command: str) -> list[str]:
    """An option with its value, or `&& next-program`: where a command may break."""
    units: list[str] = []
    for tok in _tokens(command):
        if units and not tok.startswith("-") and tok != "&&":
            units[-1] += " " + tok
        else:
            units.append(tok)
    return units


def fill_command(command: str, cols: int, first: str, rest: str) -> list[str]:
    """A shell command on as few lines as fit, continued with ` \\` so a pasted copy still runs."""
    if len(first) + len(command) <= cols:
        return [first + command]
    lines: list[str] = []
    line = first
    room = cols - len(rest) - 2
    # an option whose values alone overflow a line breaks between its values
    units = [piece for unit in _units(command) for piece in (_tokens(unit) if len(unit) > room else [unit])]
    for unit in units:
        bare = line in (first, rest)
        if not bare and len(line) + 1 + len(unit) + 2 > cols:
            lines.append(line + " \\")
            line = rest + unit
        else:
            line = line + unit if bare else f"{line} {unit}"
    lines.append(line)
    return lines


def _command_span(hint: str) -> tuple[int, int] | None:
    """Where the command in a fix hint starts and ends (before ` (or ...)`, `, ...` or `; ...`)."""
    m = re.search(_COMMAND, hint)
    if m is None:
        return None
    start = end = m.start()
    stops = (")",) if start and hint[start - 1] == "(" else (" (", ", ", "; ")
    quote = ""
    while end < len(hint):
        ch = hint[end]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif hint.startswith(stops, end):
            break
        end += 1
    return start, end


def fill_hint(hint: str, cols: int, first: str, rest: str) -> list[str]:
    """A fix hint: prose wrapped at spaces, its command kept whole on its own line(s) when it must wrap."""
    if len(first) + len(hint) <= cols:
        return [first + hint]
    span = _command_span(hint)
    if span is None:
        return fill(hint, cols, first, rest)
    start, end = span
    if len(rest) + len(hint[start:end]) <= cols:
        # Short enough for one line: wrap the hint as prose with the command as one unbreakable word.
        glued = hint[:start] + hint[start:end].replace(" ", _GLUE) + hint[end:]
        return [line.replace(_GLUE, " ") for line in fill(glued, cols, first, rest)]
    before, command, after = hint[:start].rstrip(), hint[start:end], hint[end:].strip()
    if after[:1] in (",", ";"):  # the separator belongs to the word before it: never a line of its own
        command, after = command + after[0], after[1:].strip()
    lines = fill(before, cols, first, rest) if before else []
    lines += fill_command(command, cols, rest if lines else first, rest + "  ")
    if after:  # on its own line: a pasted command line must hold nothing but the command
        lines += fill(after, cols, rest, rest)
    return lines
