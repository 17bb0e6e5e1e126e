"""A folder's `.agentignore` (gitignore syntax, as azd reads it), bounded: no line can cost unbounded time."""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    import pathspec

AGENTIGNORE = ".agentignore"
# A pattern longer than a path can be matches nothing a folder holds; a 1 MB line took 27 s to compile.
MAX_LINE = 1024
MAX_LINES = 10_000
# An inner `**` becomes `(?:/.+)?`: k of them let the regex engine try n**k splits of a path.
MAX_INNER_GLOBSTARS = 2
STAR = "[^/]*"  # what pathspec writes for gitignore's `*`


def unsafe_reason(line: str) -> str | None:
    """Why a pattern would cost too much to match (None when it is fine)."""
    if len(line) > MAX_LINE:
        return f"longer than {MAX_LINE} characters"
    segments = line.strip("/").split("/")
    inner = sum(1 for s in segments[1:-1] if s == "**")
    if inner > MAX_INNER_GLOBSTARS:
        return f"more than {MAX_INNER_GLOBSTARS} inner '**'"
    return None


def without_backtracking(regex: str) -> str:
    """pathspec's regex with every `*` but the last of a path segment matched once, never retried.

    gitignore's `*` becomes `[^/]*`; k of them in one segment let the engine try n**k splits of
    an n-character name (`*a*a*a*a*a*a*a*b` did not end in 120 s). Between two stars lies a
    fixed-length piece, and taking each piece's leftmost occurrence is always right (a later one
    only leaves less room for the rest), so `[^/]*PIECE` becomes an atomic "skip to the first
    PIECE": `(?=(?P<g>[^/]*?PIECE))(?P=g)`, the lookahead-and-backreference idiom for an atomic
    group that also works before Python 3.11. One segment then costs linear time per start.
    """
    parts = regex.split(STAR)
    out = [parts[0]]
    for n, (piece, after) in enumerate(zip(parts[1:], [*parts[2:], None], strict=True)):
        same_segment = after is not None and not any(c in piece for c in "/()^$|")
        if same_segment and piece:
            out.append(f"(?=(?P<azstar{n}>[^/]*?{piece}))(?P=azstar{n})")
        else:
            out.append(STAR + piece)
    return "".join(out)


def compile_lines(lines: list[str]) -> tuple[pathspec.GitIgnoreSpec, list[str]]:
    """The spec of the lines that can be matched in bounded time, and a note for each line left out."""
    import pathspec
    from pathspec.patterns.gitignore import GitIgnorePatternError

    kept: list[str] = []
    notes: list[str] = []
    if len(lines) > MAX_LINES:
        notes.append(f"{AGENTIGNORE}: only the first {MAX_LINES} of {len(lines)} lines are read")
        lines = lines[:MAX_LINES]
    for number, line in enumerate(lines, 1):
        reason = unsafe_reason(line)
        if reason is None:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except GitIgnorePatternError:
                reason = "not a valid gitignore pattern"
        if reason is not None:
            shown = line if len(line) <= 40 else line[:37] + "..."
            notes.append(f"{AGENTIGNORE} line {number} ({shown!r}) ignored: {reason}")
            kept.append("")  # a blank line matches nothing
            continue
        kept.append(line)
    spec = pathspec.GitIgnoreSpec.from_lines(kept)
    for p in spec.patterns:
        regex = getattr(p, "regex", None)
        if regex is not None and regex.pattern.count(STAR) > 1:
            p.regex = re.compile(without_backtracking(regex.pattern))
    return spec, notes


def load_agentignore(root: str | os.PathLike[str]) -> tuple[pathspec.GitIgnoreSpec | None, list[str]]:
    """The folder's `.agentignore` (root file only, as azd reads it) or None, and notes on lines left out."""
    from agentzip.errors import UsageError
    from agentzip.validator.userfile import pathstr, read_bytes

    path = pathstr(root, AGENTIGNORE)  # as a Path would print in the note below
    if not os.path.lexists(path):
        return None, []
    try:
        data = read_bytes(path, what="ignore file")
    except UsageError as e:
        return None, [f"{AGENTIGNORE} not used: {e}"]
    return compile_lines(data.decode("utf-8", errors="replace").splitlines())
